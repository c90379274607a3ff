"""Throughput benchmark: vectorised ``sim.run`` against member-by-member ``mesa.batch_run``.

Usage::

    python bench/throughput.py [--sizes 1,100,1000,10000] [--batch-members 30] [--repeats 3] [--months 36] [--no-pin]

Prints member-months per second for the baseline scenario, cut to its first 36 months
(``--months``; the model's look-ahead included):

* ``sim.run``: the members of the ensemble in vectorised passes of at most
  ``sim.engine.CHUNK_MEMBERS`` (10,000) members each, timed for each size;
* ``mesa.batch_run``: the same model, one single-member ``PeninsulaModel`` per member, run
  one after another by Mesa's batch runner (one process) with a ``DataCollector``.
  This path is slow, so it is measured on ``--batch-members`` members only and its
  throughput (member-months/s) is the comparison.

Targets (printed next to the figures, never asserted): 10,000 members x 36 months in under
1 s on one core; vectorised throughput at least 100x the member-by-member throughput.

The process is pinned to one CPU (``os.sched_setaffinity``) where the platform allows, and
the BLAS/OpenMP thread pools are limited to one thread before NumPy is imported.
This is a benchmark: it reports, it does not fail on slow machines.
"""

from __future__ import annotations

import os

# One thread per numerical library and `import sim` from the checkout (before NumPy).
from _setup import ROOT as _ROOT, baseline, cpu_model, timed  # noqa: E402,F401

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402


TARGET_SECONDS_10K = 1.0     # 10,000 members x 36 months in under 1 s on one core
TARGET_RATIO = 100.0         # vectorised throughput >= 100x member-by-member
TARGET_MEMBERS = 10_000
INDICATOR = "DPRK.food_security"
SEED = 42


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="1,100,1000,10000",
                   help="comma-separated member counts for the vectorised path (default: %(default)s)")
    p.add_argument("--batch-members", type=int, default=30,
                   help="members run one by one through mesa.batch_run (default: %(default)s)")
    p.add_argument("--repeats", type=int, default=3,
                   help="timed repeats per measurement; the best is reported (default: %(default)s)")
    p.add_argument("--no-pin", action="store_true", help="do not pin the process to one CPU")
    p.add_argument("--months", type=int, default=36,
                   help="months of the baseline to run (default %(default)s: the target's 36; the baseline has 48)")
    args = p.parse_args(argv)
    try:
        args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        p.error(f"--sizes must be comma-separated integers, got {args.sizes!r}")
    if not args.sizes or min(args.sizes) < 1:
        p.error("--sizes needs at least one count, each at least 1")
    if args.batch_members < 1:
        p.error("--batch-members must be at least 1")
    if args.repeats < 1:
        p.error("--repeats must be at least 1")
    return args


def pin_one_core(enabled: bool) -> str:
    """Pin this process to one CPU if the platform allows; say what happened."""
    if not enabled:
        return "not pinned (--no-pin)"
    if not hasattr(os, "sched_setaffinity"):
        return f"not pinned (os.sched_setaffinity is not available on {platform.system()})"
    try:
        allowed = sorted(os.sched_getaffinity(0))
        cpu = 0 if 0 in allowed else allowed[0]
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu} (os.sched_setaffinity; {len(allowed)} CPU(s) were allowed)"
    except OSError as exc:
        return f"not pinned ({exc})"


def fmt_rate(x: float) -> str:
    return f"{x:,.0f}"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    nproc_before = os.cpu_count()
    affinity_before = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    pin_note = pin_one_core(not args.no_pin)

    # Imports are timed apart and excluded from every measurement below.
    t0 = time.perf_counter()
    import mesa
    import numpy as np
    from mesa.batchrunner import batch_run

    import sim
    from sim.indicators import INDEX
    from sim.engine import CHUNK_MEMBERS
    from sim.engine.model import PeninsulaModel
    import_s = time.perf_counter() - t0

    sc = baseline(args.months)
    months = sc.months
    col = INDEX[INDICATOR]

    class BatchPeninsulaModel(PeninsulaModel):
        """One member, driven by ``mesa.batch_run``: a DataCollector collecting model reporters.

        ``batch_run`` reads ``model.datacollector.model_vars[name][model.steps - 1]`` at the end
        (with ``data_collection_period=-1``), so collecting after every step (not at set-up)
        makes that entry the state after the last month.
        """

        def __init__(self, scenario, members, rng=None):
            super().__init__(scenario, members=members, seed=None, rng=rng)
            self.datacollector = mesa.DataCollector(model_reporters={
                INDICATOR: lambda m: float(np.median(m.state[INDICATOR])),
                "month": "month_index",
            })

        def step(self):
            super().step()
            self.datacollector.collect(self)

    b = args.batch_members
    batch_params = {
        # batch_run iterates every parameter value that is iterable, and a pydantic Scenario
        # iterates its fields: so the scenario goes in a one-item list, as does the seed.
        "scenario": [sc],
        "members": [[i] for i in range(b)],   # one member per model instance
        # Mesa 3.3.1's batch_run has no rng= argument of its own; the seed reaches the model
        # constructor as an ordinary parameter (PeninsulaModel uses rng as its seed).
        "rng": [SEED],
    }

    def run_batch():
        return batch_run(BatchPeninsulaModel, parameters=batch_params, number_processes=1, iterations=1,
                         max_steps=months, data_collection_period=-1, display_progress=False)

    # Warm-up (untimed): first calls fill caches and import anything imported lazily.
    sim.run(sc, members=1, seed=SEED)
    batch_run(BatchPeninsulaModel, parameters={**batch_params, "members": [[0]]}, number_processes=1,
              max_steps=months, data_collection_period=-1, display_progress=False)

    print("Peninsula throughput benchmark: baseline scenario,", months, "months, seed", SEED)
    print(f"  machine : {platform.machine()}, {cpu_model()}")
    print(f"  nproc   : {nproc_before} (os.cpu_count), {affinity_before} usable before pinning")
    print(f"  cores   : {pin_note}")
    print("  threads : OMP/OPENBLAS/MKL_NUM_THREADS=1 (set before importing NumPy)")
    print(f"  python  : {platform.python_version()} ({platform.python_implementation()}) on {platform.platform()}")
    print(f"  versions: numpy {np.__version__}, mesa {mesa.__version__}, peninsula-sim {sim.__version__}")
    print(f"  chunk   : sim.engine.CHUNK_MEMBERS = {CHUNK_MEMBERS:,} members per vectorised pass of sim.run")
    print(f"  imports : {import_s:.2f} s (excluded from all timings; one untimed warm-up run of each path)")
    print(f"  timing  : time.perf_counter wall time, best of {args.repeats} (median also shown)")
    print()

    rows = []   # (path, members, member_months, best, median, rate, note)
    vec_results = {}
    for n in args.sizes:
        times, res = timed(lambda n=n: sim.run(sc, members=n, seed=SEED), args.repeats)
        vec_results[n] = res
        best, med = min(times), statistics.median(times)
        mm = n * months
        note = ""
        if n == TARGET_MEMBERS:
            ok = best < TARGET_SECONDS_10K
            note = f"target < {TARGET_SECONDS_10K:g} s: {'MET' if ok else 'NOT MET'}"
        rows.append(("sim.run (vectorised)", n, mm, best, med, mm / best, note))
        print(f"  measured sim.run members={n:,}: best {best:.3f} s", flush=True)

    times, batch_out = timed(run_batch, args.repeats)
    best, med = min(times), statistics.median(times)
    batch_rate = b * months / best
    rows.append(("mesa.batch_run (1 member/model)", b, b * months, best, med, batch_rate,
                 f"measured on {b} members"))
    print(f"  measured mesa.batch_run members={b}: best {best:.3f} s", flush=True)
    print()

    # --- the table ---
    headers = ("path", "members", "member-months", "best s", "median s", "member-months/s", "target / note")
    cells = [headers] + [(p, f"{n:,}", f"{mm:,}", f"{bs:.4f}", f"{md:.4f}", fmt_rate(r), note)
                         for p, n, mm, bs, md, r, note in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(headers))]
    right = {1, 2, 3, 4, 5}

    def line(c):
        return "  ".join(c[i].rjust(widths[i]) if i in right else c[i].ljust(widths[i]) for i in range(len(c)))

    print(line(cells[0]))
    print("  ".join("-" * w for w in widths))
    for c in cells[1:]:
        print(line(c))
    print()

    # --- targets ---
    ref_n = TARGET_MEMBERS if TARGET_MEMBERS in args.sizes else max(args.sizes)
    ref = next(r for r in rows if r[0].startswith("sim.run") and r[1] == ref_n)
    ratio = ref[5] / batch_rate
    print("Targets")
    if TARGET_MEMBERS in args.sizes:
        ok1 = ref[3] < TARGET_SECONDS_10K
        print(f"  1. {TARGET_MEMBERS:,} members x {months} months in < {TARGET_SECONDS_10K:g} s on one core: "
              f"{ref[3]:.3f} s best ({ref[4]:.3f} s median) -> {'MET' if ok1 else 'NOT MET'}"
              + ("" if ok1 else f" ({ref[3] / TARGET_SECONDS_10K:.1f}x over)"))
    else:
        print(f"  1. {TARGET_MEMBERS:,} members x {months} months in < {TARGET_SECONDS_10K:g} s: not measured "
              f"({TARGET_MEMBERS:,} is not in --sizes)")
    print(f"  2. vectorised throughput >= {TARGET_RATIO:g}x member-by-member: "
          f"sim.run at {ref_n:,} members {fmt_rate(ref[5])} member-months/s / mesa.batch_run "
          f"{fmt_rate(batch_rate)} member-months/s (measured on {b} members) = {ratio:,.0f}x -> "
          f"{'MET' if ratio >= TARGET_RATIO else 'NOT MET'}")
    print(f"     (at that rate the member-by-member path would need ~{TARGET_MEMBERS * months / batch_rate:,.0f} s "
          f"for {TARGET_MEMBERS:,} members x {months} months)")
    print()

    # --- same numbers both ways ---
    # batch_run's rows: one per model; "members" is the one-id list given to that model.
    by_member = {row["members"][0]: row for row in batch_out}
    steps_ok = all(row["Step"] == months - 1 and row["month"] == months for row in batch_out)
    # The model itself, run directly, for its history array (months+1, indicators, members).
    direct = PeninsulaModel(sc, members=[0], seed=None, rng=SEED)
    direct.run_model()
    vec = vec_results[ref_n].indicator(INDICATOR)[:, -1]          # (members,) final month
    v0, b0, h0 = float(vec[0]), float(by_member[0][INDICATOR]), float(direct.history[-1, col, 0])
    print(f"Check: final {INDICATOR}, member 0 (seed {SEED})")
    checks = ((f"sim.run, {ref_n:,} members: indicator()[0, -1]", v0),
              (f"mesa.batch_run DataCollector (model 0 of {b})", b0),
              ("PeninsulaModel(members=[0]).history[-1]", h0))
    w = max(len(label) for label, _ in checks)
    for label, value in checks:
        print(f"  {label.ljust(w)} : {value!r}")
    same0 = v0 == b0 == h0
    print(f"  -> {'identical' if same0 else 'DIFFERENT'}")
    k = min(b, len(vec))
    diffs = np.array([abs(vec[i] - by_member[i][INDICATOR]) for i in range(k)])
    n_exact = int((diffs == 0).sum())
    print(f"  members 0..{k - 1}: {n_exact}/{k} identical between the two paths, max |difference| {diffs.max():.3g}; "
          f"batch_run reported step {months - 1} / month {months} for every model: {'yes' if steps_ok else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
