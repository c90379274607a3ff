"""Scale benchmark: the batch API at 10^4, 10^5 and 10^6 member-runs, in-process, ``--jobs 2`` and Dask.

Usage::

    python bench/scale.py [--sizes 10000,100000,1000000] [--executors inprocess,jobs2,dask2]
                          [--chunk-size 10000] [--partition 50000] [--interval 0.05] [--mem-limit 8192]

For every size N and every executor, one experiment of the baseline scenario (36 months,
its seed) is run through ``sim.batch.run_experiment``: one design point (nothing varied)
with ``members=N``, the default outcomes (the key indicators at the horizon), written to a
temporary folder (``results/part-*.parquet``, design, ``summary.csv``, manifest) that is
deleted afterwards. The whole ``run_experiment`` call is timed, so writing the partitions
and the summary are included. All results go in one table, side by side:

* ``inprocess``: ``sim.batch.InProcess()``, partitions one after another in this process;
* ``jobsN`` (e.g. ``jobs2``): ``sim.batch.Processes(N)``, a spawn-context process pool.
  The pool is created before the timer, but its workers are spawned lazily at the first
  submit, so spawning them and importing NumPy/pandas/pyarrow/sim there is inside the time;
* ``daskN`` (e.g. ``dask2``): ``sim.batch.Dask("local:N")``, a Dask ``LocalCluster`` of N
  single-threaded worker processes. It is started (workers up) before the timer and closed
  after it; start-up and close times are shown in their own columns, not in the run time.

Every cell (one executor, one size) runs in a fresh Python process (this script with the
internal ``--cell`` option), so that no cell inherits the heap that an earlier one left behind
and the order of the cells does not matter; the parent only starts the cells and prints the
table. In the cell process the imports and one in-process warm-up experiment of 1,000 members
are untimed; workers get no warm-up. A fresh executor is made for every cell.

Peak memory: a background thread samples ``VmRSS`` in ``/proc/<pid>/status`` for the cell
process and all its descendants (the worker processes) every ``--interval`` seconds and
keeps the peak of the sum (MiB). RSS counts shared pages (libraries) in every process, so
the sum slightly overstates the memory the tree really holds. A spike shorter than the
interval can be missed, so two exact high-water marks are shown too: the main process's
``VmHWM`` (reset through ``/proc/PID/clear_refs`` before the run) and the sum of every
process's ``VmHWM`` (an upper bound on the tree's peak, since the peaks need not coincide).

Targets (printed next to the figures, never asserted): 10^6 member-runs of the baseline's
first 36 months in under a minute with two workers on this 2-core machine, with peak memory
under 1.5 GB (1.5 x 10^9 bytes = 1,431 MiB, taken on the sampled peak RSS of the whole process
tree).
This is a benchmark: it reports, it does not fail on slow machines.
"""

from __future__ import annotations

import os

# One thread per numerical library and `import sim` from the checkout (before NumPy).
from _setup import ROOT as _ROOT, baseline, cpu_model  # noqa: E402,F401

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402


TARGET_MEMBERS = 1_000_000
TARGET_SECONDS = 60.0                  # 10^6 member-runs in under a minute with --jobs 2 (issue 16)
TARGET_BYTES = 1_500_000_000           # peak memory under 1.5 GB
MIB = 2**20
SCENARIO = "baseline"


# ---------------------------------------------------------------------------------------------
# Arguments


def _int_list(text: str) -> list[int]:
    return [int(s.replace("_", "")) for s in text.split(",") if s.strip()]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="10000,100000,1000000",
                   help="comma-separated member-run counts (default: %(default)s)")
    p.add_argument("--executors", default="inprocess,jobs2,dask2",
                   help="comma-separated executors: inprocess, jobsN, daskN (default: %(default)s)")
    p.add_argument("--chunk-size", type=int, default=None,
                   help="members per vectorised pass inside a partition (default: the engine's "
                        "sim.engine.CHUNK_MEMBERS, 10,000, as peninsula batch)")
    p.add_argument("--partition", type=int, default=50_000,
                   help="rows per partition (one task, one Parquet file) (default: %(default)s)")
    p.add_argument("--interval", type=float, default=0.05,
                   help="memory sampling interval in seconds (default: %(default)s)")
    p.add_argument("--mem-limit", type=int, default=8192, metavar="MIB",
                   help="end a cell when its process tree passes this RSS, in MiB, and report it as aborted; "
                        "0: no limit (default: %(default)s)")
    p.add_argument("--cell", help=argparse.SUPPRESS)   # internal: KIND:N, run one cell, print its JSON record
    args = p.parse_args(argv)
    try:
        args.sizes = _int_list(args.sizes)
    except ValueError:
        p.error(f"--sizes must be comma-separated integers, got {args.sizes!r}")
    if not args.sizes or min(args.sizes) < 1:
        p.error("--sizes needs at least one count, each at least 1")
    execs = [e.strip().lower() for e in args.executors.split(",") if e.strip()]
    for e in execs:
        if not re.fullmatch(r"inprocess|jobs[1-9]\d*|dask[1-9]\d*", e):
            p.error(f"unknown executor {e!r}: expected inprocess, jobsN or daskN (e.g. jobs2, dask2)")
    if not execs:
        p.error("--executors needs at least one executor")
    args.executors = execs
    if args.chunk_size is None:
        # The engine's one chunk size (what run_experiment(chunk_size=None) uses). The parent passes it
        # on to every cell explicitly, so a cell does not import sim here, outside its timed imports.
        from sim.engine import CHUNK_MEMBERS
        args.chunk_size = CHUNK_MEMBERS
    if args.chunk_size < 1:
        p.error("--chunk-size must be at least 1")
    if args.partition < 1:
        p.error("--partition must be at least 1")
    if args.mem_limit < 0:
        p.error("--mem-limit must be 0 (no limit) or a number of MiB")
    if not 0.001 <= args.interval <= 5:
        p.error("--interval must be between 0.001 and 5 seconds")
    return args


# ---------------------------------------------------------------------------------------------
# Memory of the process tree, from /proc


def _status_kib(pid: int) -> tuple[int, int] | None:
    """(VmRSS, VmHWM) of a process in KiB; None if it is gone (or is a zombie)."""
    rss = hwm = None
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    if rss is None:
        return None
    return rss, hwm if hwm is not None else rss


def _children_via_task(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as fh:
                out.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            pass
    return out


def _ppid_map() -> dict[int, list[int]]:
    """parent pid -> child pids, by scanning /proc/*/stat (fallback when */children is missing)."""
    kids: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as fh:
                text = fh.read()
            ppid = int(text.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        kids.setdefault(ppid, []).append(int(name))
    return kids


_HAS_CHILDREN_FILE = os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/children")


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants."""
    if _HAS_CHILDREN_FILE:
        get = _children_via_task
    else:
        kids = _ppid_map()

        def get(p: int) -> list[int]:
            return kids.get(p, [])
    seen, stack = [], [root]
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.append(p)
        stack.extend(get(p))
    return seen


def reset_hwm(pids: list[int]) -> bool:
    """Reset VmHWM to the current RSS (``echo 5 > /proc/PID/clear_refs``); True if all worked."""
    ok = True
    for p in pids:
        try:
            with open(f"/proc/{p}/clear_refs", "w", encoding="ascii") as fh:
                fh.write("5")
        except OSError:
            ok = False
    return ok


@dataclass
class MemoryPeak:
    """What the sampler saw during one run (KiB)."""

    start_tree: int = 0
    peak_tree: int = 0
    peak_main: int = 0          # sampled
    hwm_main: int = 0           # VmHWM of this process (exact if the reset worked)
    hwm_by_pid: dict[int, int] = field(default_factory=dict)
    max_procs: int = 0
    samples: int = 0

    @property
    def hwm_sum(self) -> int:
        return sum(self.hwm_by_pid.values())


class TreeSampler:
    """Samples the RSS of this process and its descendants every ``interval`` s in a thread."""

    def __init__(self, interval: float, limit_kib: int = 0, on_limit=None) -> None:
        self.interval = interval
        self.limit_kib = limit_kib
        self.on_limit = on_limit
        self.pid = os.getpid()
        self.peak = MemoryPeak()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="rss-sampler", daemon=True)

    def sample(self) -> int:
        total, n = 0, 0
        for p in process_tree(self.pid):
            got = _status_kib(p)
            if got is None:
                continue
            rss, hwm = got
            total += rss
            n += 1
            if p == self.pid:
                self.peak.peak_main = max(self.peak.peak_main, rss)
                self.peak.hwm_main = max(self.peak.hwm_main, hwm)
            self.peak.hwm_by_pid[p] = max(self.peak.hwm_by_pid.get(p, 0), hwm)
        self.peak.peak_tree = max(self.peak.peak_tree, total)
        self.peak.max_procs = max(self.peak.max_procs, n)
        self.peak.samples += 1
        return total

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            total = self.sample()
            if self.limit_kib and total > self.limit_kib and self.on_limit is not None:
                self.on_limit(self)   # does not return (the cell ends)

    def __enter__(self) -> TreeSampler:
        reset_hwm(process_tree(self.pid))
        self.peak.start_tree = self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()   # the workers are still alive here: their VmHWM covers the whole run


# ---------------------------------------------------------------------------------------------
# Machine


def mem_total_mib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024:,.0f} MiB"
    except (OSError, ValueError, IndexError):
        pass
    return "unknown"


def code_version() -> str:
    """The checkout's commit, and whether sim/ has uncommitted changes (the engine changes often)."""
    try:
        head = subprocess.run(["git", "-C", str(_ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(_ROOT), "status", "--porcelain", "--", "sim"], capture_output=True,
                               text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown (no git)"
    if not head:
        return "unknown (not a git checkout)"
    return f"git {head}" + (f" + uncommitted changes in sim/ ({len(dirty.splitlines())} files)" if dirty else "")


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


# ---------------------------------------------------------------------------------------------
# One cell (one executor, one size), in its own fresh process


def make_executor(kind: str):
    from sim.batch import Dask, InProcess, Processes

    if kind == "inprocess":
        return InProcess()
    if kind.startswith("jobs"):
        return Processes(int(kind[4:]))
    return Dask(f"local:{int(kind[4:])}")


def run_cell(kind: str, members: int, args: argparse.Namespace) -> dict:
    """Measure one cell in this process; a JSON-able record."""
    t0 = time.perf_counter()
    from sim.batch import MANIFEST, Experiment, InProcess, default_outcomes, make_design, run_experiment
    import_s = time.perf_counter() - t0

    sc = baseline(36)
    outcomes = default_outcomes(sc)

    # Warm-up (untimed): this process imports everything the batch path imports lazily.
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="peninsula-scale-") as tmp:
        run_experiment(Experiment(sc, make_design(sc), 1_000, sc.seed, outcomes, args.partition), Path(tmp) / "w",
                       executor=InProcess(), chunk_size=args.chunk_size)
    warm_s = time.perf_counter() - t0

    exp = Experiment(sc, make_design(sc), members, sc.seed, outcomes, args.partition,
                     {"benchmark": "bench/scale.py"})
    gc.collect()
    t0 = time.perf_counter()
    executor = make_executor(kind)           # Dask: the LocalCluster starts (workers up) here
    setup_s = time.perf_counter() - t0
    record = {"kind": kind, "label": executor.name, "members": members, "months": sc.months,
              "partitions": exp.partitions, "import_s": import_s, "warm_s": warm_s, "setup_s": setup_s,
              "aborted": False, "rows_done": 0, "parts_done": 0}
    done = {"rows": 0, "parts": 0}
    clock = {"t0": time.perf_counter()}

    def progress(parts: int, total: int, rows: int) -> None:
        done["rows"], done["parts"] = rows, parts

    def fill(m: MemoryPeak) -> None:
        record.update({"start_tree": m.start_tree, "peak_tree": m.peak_tree, "peak_main": m.peak_main,
                       "hwm_main": m.hwm_main, "hwm_sum": m.hwm_sum, "procs": m.max_procs, "samples": m.samples,
                       "rows_done": done["rows"], "parts_done": done["parts"]})

    def over_limit(sampler: TreeSampler) -> None:
        """The tree passed --mem-limit: report what we have, end the workers and this cell."""
        record.update({"aborted": True, "run_s": time.perf_counter() - clock["t0"], "close_s": float("nan"),
                       "outputs": {}})
        fill(sampler.peak)
        print(CELL_TAG + json.dumps(record), flush=True)
        for p in process_tree(os.getpid())[1:]:   # this cell's own workers (and their children)
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        shutil.rmtree(tmp, ignore_errors=True)
        os._exit(3)

    tmp = tempfile.mkdtemp(prefix="peninsula-scale-")
    try:
        out = Path(tmp) / "exp"
        with TreeSampler(args.interval, args.mem_limit * 1024, over_limit) as sampler:
            clock["t0"] = t0 = time.perf_counter()
            run_experiment(exp, out, executor=executor, chunk_size=args.chunk_size, progress=progress)
            run_s = time.perf_counter() - t0
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        t0 = time.perf_counter()
        executor.close()
        close_s = time.perf_counter() - t0
    record.update({"run_s": run_s, "close_s": close_s, "outputs": manifest.get("outputs", {})})
    fill(sampler.peak)
    return record


CELL_TAG = "SCALE-CELL "


def spawn_cell(kind: str, members: int, args: argparse.Namespace) -> dict:
    """Run one cell in a fresh Python process (this script with --cell) and read its record."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--cell", f"{kind}:{members}",
           "--chunk-size", str(args.chunk_size), "--partition", str(args.partition), "--interval", str(args.interval),
           "--mem-limit", str(args.mem_limit)]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)   # stderr (warnings) passes through
    for line in proc.stdout.splitlines():
        if line.startswith(CELL_TAG):
            return json.loads(line[len(CELL_TAG):])
    raise RuntimeError(f"cell {kind} x {members:,} failed (exit {proc.returncode}):\n{proc.stdout}")


# ---------------------------------------------------------------------------------------------
# The table


def fmt_mib(kib: int) -> str:
    return f"{kib / 1024:,.0f}"


def meets(r: dict) -> tuple[bool | None, bool]:
    """(time target met, memory target met); time is None when the cell was aborted early."""
    m_ok = r["peak_tree"] * 1024 < TARGET_BYTES and not r["aborted"]
    if r["aborted"]:
        return (False if r["run_s"] >= TARGET_SECONDS else None), m_ok
    return r["run_s"] < TARGET_SECONDS, m_ok


def projected(r: dict) -> str:
    """For an aborted cell: the whole run's time at the rate of its completed partitions."""
    return f"~{r['run_s'] * r['members'] / r['rows_done']:,.0f} s projected" if r["rows_done"] else "no rate yet"


def verdict(ok: bool | None) -> str:
    return "MET" if ok else "unknown" if ok is None else "NOT MET"


def rate(r: dict) -> str:
    """Member-months per second; for an aborted cell, from its completed partitions only (marked *)."""
    if r["aborted"]:
        return f"{r['rows_done'] * r['months'] / r['run_s']:,.0f}*" if r["rows_done"] and r["run_s"] > 0 else "-"
    return f"{r['members'] * r['months'] / r['run_s']:,.0f}"


def print_report(rows: list[dict], args: argparse.Namespace) -> None:
    months = rows[0]["months"]
    headers = ("executor", "member-runs", "parts", "setup s", "run s", "close s", "member-months/s",
               "start MiB", "peak MiB", "HWM-sum MiB", "main MiB", "procs", "10^6 targets: < 60 s, < 1.5 GB")
    cells = [headers]
    for r in rows:
        notes = []
        if r["aborted"]:
            notes.append(f"ABORTED at {args.mem_limit:,} MiB after {r['rows_done']:,} rows")
        if r["members"] == TARGET_MEMBERS:
            t_ok, m_ok = meets(r)
            if r["aborted"]:
                notes.append(f"time {verdict(t_ok)} ({projected(r)}), memory {verdict(m_ok)}")
            else:
                notes.append(f"time {verdict(t_ok)}" + ("" if t_ok else f" ({r['run_s'] / TARGET_SECONDS:.1f}x)")
                             + f", memory {verdict(m_ok)}")
        parts = f"{r['parts_done']}/{r['partitions']}" if r["aborted"] else f"{r['partitions']:,}"
        run_s = f">{r['run_s']:.2f}" if r["aborted"] else f"{r['run_s']:.2f}"
        close_s = "-" if r["aborted"] else f"{r['close_s']:.2f}"
        cells.append((r["label"], f"{r['members']:,}", parts, f"{r['setup_s']:.2f}", run_s, close_s, rate(r),
                      fmt_mib(r["start_tree"]), fmt_mib(r["peak_tree"]), fmt_mib(r["hwm_sum"]),
                      fmt_mib(r["hwm_main"]), str(r["procs"]), "; ".join(notes)))
    widths = [max(len(c[i]) for c in cells) for i in range(len(headers))]
    left = {0, len(headers) - 1}

    def line(c):
        return "  ".join(c[i].ljust(widths[i]) if i in left else c[i].rjust(widths[i])
                         for i in range(len(c))).rstrip()

    print(line(cells[0]))
    print("  ".join("-" * w for w in widths))
    prev = None
    for r, c in zip(rows, cells[1:], strict=True):
        if prev is not None and r["members"] != prev:
            print()
        prev = r["members"]
        print(line(c))
    print()
    print("  setup s    : making the executor, before the timer (dask: LocalCluster start-up until its workers are up)")
    print("  run s      : the whole run_experiment call (processes: includes spawning the workers and their imports)")
    print("  close s    : closing the executor, after the timer")
    print("  start MiB  : RSS of the cell's process tree when the timer started")
    print("  peak MiB   : sampled peak of the tree's summed RSS during the run (the memory figure for the target)")
    print("  HWM-sum MiB: sum of every process's VmHWM (reset before the run): an upper bound on the tree's peak")
    print("  main MiB   : VmHWM of the cell's main process alone during the run; procs: most processes in the tree")
    if any(r["aborted"] for r in rows):
        print(f"  ABORTED    : the tree's RSS passed --mem-limit {args.mem_limit:,} MiB; the cell's workers were "
              "killed and the cell ended. 'parts' shows the partitions completed by then, 'run s' the time until then;")
        print("               * member-months/s counts the completed partitions only")
    print()

    print(f"Targets: {TARGET_MEMBERS:,} member-runs x {months} months in < {TARGET_SECONDS:g} s on this "
          f"{os.cpu_count()}-CPU machine, peak memory < 1.5 GB ({TARGET_BYTES / MIB:,.0f} MiB of sampled tree RSS)")
    big = [r for r in rows if r["members"] == TARGET_MEMBERS]
    if not big:
        print(f"  not measured ({TARGET_MEMBERS:,} is not in --sizes)")
    for r in big:
        t_ok, m_ok = meets(r)
        if r["aborted"]:
            print(f"  {r['label']:<13} aborted after {r['run_s']:.1f} s with {r['rows_done']:,} of {r['members']:,} "
                  f"rows done -> time {verdict(t_ok)} ({projected(r)});  peak {fmt_mib(r['peak_tree'])} MiB, over the "
                  f"{args.mem_limit:,} MiB limit -> memory NOT MET")
            continue
        print(f"  {r['label']:<13} {r['run_s']:7.1f} s -> {verdict(t_ok)}"
              + ("" if t_ok else f" ({r['run_s'] / TARGET_SECONDS:.2f}x the target)")
              + f";  peak {fmt_mib(r['peak_tree'])} MiB (HWM-sum {fmt_mib(r['hwm_sum'])} MiB) -> {verdict(m_ok)}")
    print()

    print("Check: SHA-256 of every output (design, summary, each partition; from the manifests) per size")
    for n in args.sizes:
        group = [r for r in rows if r["members"] == n and not r["aborted"]]
        if not group:
            print(f"  {n:>9,} member-runs: no complete run")
            continue
        ref = group[0]["outputs"]
        same = all(r["outputs"] == ref for r in group[1:])
        names = ", ".join(r["label"] for r in group)
        print(f"  {n:>9,} member-runs: {len(ref)} files, " + (f"identical across {names}" if same else
                                                                f"DIFFERENT between {names}"))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.cell:
        kind, _, n = args.cell.partition(":")
        print(CELL_TAG + json.dumps(run_cell(kind, int(n), args)), flush=True)
        return 0

    import dask
    import distributed
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    import sim

    sc = baseline(36)
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    print(f"Peninsula scale benchmark: {SCENARIO} scenario, {sc.months} months, seed {sc.seed}, "
          "batch API (sim.batch.run_experiment)")
    print(f"  machine : {platform.machine()}, {cpu_model()}, {mem_total_mib()} RAM")
    print(f"  nproc   : {os.cpu_count()} (os.cpu_count), {affinity} usable (sched_getaffinity); "
          f"load average {load_average()} at start")
    print(f"  python  : {platform.python_version()} ({platform.python_implementation()}) on {platform.platform()}")
    print(f"  versions: numpy {np.__version__}, pandas {pd.__version__}, pyarrow {pa.__version__}, "
          f"dask {dask.__version__}, distributed {distributed.__version__}, peninsula-sim {sim.__version__}")
    print(f"  code    : {code_version()}")
    print("  threads : OMP/OPENBLAS/MKL_NUM_THREADS=1 (set before importing NumPy; workers inherit it)")
    print("  design  : 1 point (nothing varied) x N members; outcomes: default_outcomes (the "
          f"{len(sim.KEY_INDICATORS)} key indicators at the horizon); written to a temporary folder, then deleted")
    print(f"  settings: --sizes {','.join(str(s) for s in args.sizes)}  --executors {','.join(args.executors)}  "
          f"--chunk-size {args.chunk_size:,}  --partition {args.partition:,}  --interval {args.interval:g}  "
          f"--mem-limit {args.mem_limit}")
    print("  cells   : each (executor, size) runs in a fresh Python process (this script with --cell): imports and "
          "an in-process warm-up of 1,000 members there are untimed; workers get no warm-up")
    print("  timing  : time.perf_counter wall time of the whole run_experiment call (compute, Parquet writes, "
          "summary, manifest), once per cell")
    print("  executor: a fresh one per cell; processes:N spawns its workers inside the timed run (lazily, at the "
          "first submit); dask:local:N starts its LocalCluster before the timer and closes it after")
    print(f"  memory  : VmRSS of the cell process + its descendants, sampled every {args.interval * 1000:g} ms; "
          f"children via {'/proc/PID/task/*/children' if _HAS_CHILDREN_FILE else 'a scan of /proc/*/stat'}")
    print(flush=True)

    rows: list[dict] = []
    for n in args.sizes:
        for kind in args.executors:
            r = spawn_cell(kind, n, args)
            rows.append(r)
            what = (f"ABORTED after {r['run_s']:8.2f} s ({r['rows_done']:,} rows done)" if r["aborted"]
                    else f"{r['run_s']:8.2f} s")
            print(f"  measured {r['label']:<13} {n:>9,} member-runs: {what}, peak tree RSS "
                  f"{fmt_mib(r['peak_tree'])} MiB  (load average now {load_average()})", flush=True)
    print()
    print_report(rows, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
