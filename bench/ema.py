"""EMA Workbench against ``peninsula batch``: the same LHS design, members and seed, timed side by side.

Usage::

    python bench/ema.py [--points 200] [--members 100] [--seed 42] [--months 48] [--jobs 2]
                        [--partition 5000] [--outcome IND@YYYY-MM ...] [--repeats 1] [--no-pin]

The design is a Latin hypercube of ``--points`` points over the baseline's levers and
uncertainties, sampled by EMA Workbench (``sample_levers`` and ``sample_uncertainties``, zipped
point by point: a joint LHS; NumPy's global generator seeded with ``--seed``). The same points then run

* through EMA: ``perform_experiments(sim.ema.model(...), scenarios=..., policies=...,
  combine="sample")`` with the ``SequentialEvaluator``: one ``sim.run`` of ``--members`` members
  per point, the outcome the mean over the members;
* through ``peninsula batch SCENARIO --design-file design.parquet --members M --seed S`` (EMA's
  design as a table, written by ``sim.ema.design_table``), called in this process
  (``sim.cli.main.main``, its printing captured), in-process and with ``--jobs N``.

Timed: the whole ``perform_experiments`` call, and the whole ``peninsula batch`` command (writing
the partitions, design, summary and manifest included; for ``--jobs N`` spawning the workers and
their imports too). Imports, sampling the design and one warm-up of each path are untimed.
The process is pinned to one CPU (``os.sched_setaffinity``) for EMA and the in-process batch;
for ``--jobs N`` the pin is lifted so that the N workers can use N CPUs. The BLAS/OpenMP pools
are limited to one thread (``_setup``, before NumPy is imported).

The results are compared point by point: EMA's outcome against the mean over the members that
``peninsula batch`` wrote (its parts), max |difference|; and the two batch runs' outputs by SHA-256.
This is a benchmark: it reports, it does not fail on slow machines.
"""

from __future__ import annotations

import os

# One thread per numerical library and `import sim` from the checkout (before NumPy).
from _setup import ROOT as _ROOT, cpu_model, timed  # noqa: E402,F401

import argparse  # noqa: E402
import contextlib  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

SEED = 42


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--points", type=int, default=200, help="LHS design points (default %(default)s)")
    p.add_argument("--members", type=int, default=100, help="members per point (default %(default)s)")
    p.add_argument("--seed", type=int, default=SEED, help="seed of the members and of the LHS (default %(default)s)")
    p.add_argument("--months", type=int, default=48, help="months of the baseline (default %(default)s: all of it)")
    p.add_argument("--jobs", type=int, default=2, help="worker processes of the second batch run (default %(default)s)")
    p.add_argument("--partition", type=int, default=5000,
                   help="rows per batch partition (default %(default)s: 200 x 100 member-runs make 4, so that "
                        "--jobs 2 has work for both workers; the default of peninsula batch, 50,000, makes one)")
    p.add_argument("--outcome", action="append", metavar="IND@YYYY-MM",
                   help="outcomes (repeatable; default: four key indicators at the horizon)")
    p.add_argument("--repeats", type=int, default=1, help="timed repeats of each path; best shown (default 1)")
    p.add_argument("--no-pin", action="store_true", help="do not pin the process to one CPU")
    args = p.parse_args(argv)
    for name in ("points", "members", "months", "jobs", "repeats", "partition"):
        if getattr(args, name) < 1:
            p.error(f"--{name} must be at least 1")
    return args


def pin_one_core(enabled: bool) -> tuple[str, set | None]:
    """Pin this process to one CPU if the platform allows; what happened, and the CPUs allowed before."""
    if not enabled:
        return "not pinned (--no-pin)", None
    if not hasattr(os, "sched_setaffinity"):
        return f"not pinned (os.sched_setaffinity is not available on {platform.system()})", None
    try:
        allowed = set(os.sched_getaffinity(0))
        cpu = 0 if 0 in allowed else min(allowed)
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu} for EMA and the in-process batch ({len(allowed)} CPU(s) allowed)", allowed
    except OSError as exc:
        return f"not pinned ({exc})", None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    nproc = os.cpu_count()
    affinity_before = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    pin_note, allowed = pin_one_core(not args.no_pin)

    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # EMA warns that ipyparallel (an optional evaluator) is missing
        import ema_workbench as ema
        from ema_workbench.em_framework.samplers import sample_levers, sample_uncertainties
    import dask
    import numpy as np
    import pyarrow.parquet as pq

    import sim
    import sim.ema
    from sim.cli.main import main as peninsula
    import_s = time.perf_counter() - t0

    tmp = Path(tempfile.mkdtemp(prefix="peninsula-bench-ema-"))
    scenario_file = tmp / "bench-baseline.yaml"  # not baseline.yaml: it would extend itself
    scenario_file.write_text(f"extends: baseline\nname: baseline\nmonths: {args.months}\n", encoding="utf-8")
    sc = sim.load_scenario(scenario_file)
    horizon = sc.dates()[-1]
    outcomes = args.outcome or [f"{k}@{horizon}" for k in ("DPRK.food_security", "DPRK.hard_currency_usd",
                                                            "RUS.munitions_shortfall", "CHN.influence_over_dprk")]
    model = sim.ema.model(sc, outcomes=outcomes, members=args.members, seed=args.seed)

    # The design: EMA's LHS over the levers and over the uncertainties, zipped point by point (untimed).
    np.random.seed(args.seed)
    policies = list(sample_levers(model, args.points))
    scenarios = list(sample_uncertainties(model, args.points))

    def run_ema():
        with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):  # tqdm's bar
            warnings.simplefilter("ignore")
            return ema.perform_experiments(model, scenarios=scenarios, policies=policies, combine="sample",
                                           evaluator=ema.SequentialEvaluator(model))

    def run_batch(out: Path, *extra: str):
        def go():
            argv = ["batch", str(scenario_file), "--design-file", str(design_file), "--members", str(args.members),
                    "--seed", str(args.seed), "--partition", str(args.partition), "--out", str(out), "--overwrite",
                    "--quiet", *extra]
            for o in outcomes:
                argv += ["--outcome", o]
            with contextlib.redirect_stdout(io.StringIO()) as printed:
                code = peninsula(argv)
            if code != 0:
                raise SystemExit(f"peninsula batch exited with {code}: {printed.getvalue()}")
        return go

    # Warm-up (untimed): one point through each path.
    model.function(**{p.variable_name[0]: float(p.lower_bound) for p in [*model.levers, *model.uncertainties]})

    print(f"Peninsula and EMA Workbench: one {args.points}-point x {args.members}-member LHS design of the "
          f"baseline ({sc.months} months), seed {args.seed}")
    print(f"  machine : {platform.machine()}, {cpu_model()}")
    print(f"  nproc   : {nproc} (os.cpu_count), {affinity_before} usable before pinning")
    print(f"  cores   : {pin_note}")
    print("  threads : OMP/OPENBLAS/MKL_NUM_THREADS=1 (set before importing NumPy)")
    print(f"  python  : {platform.python_version()} ({platform.python_implementation()}) on {platform.platform()}")
    print(f"  versions: numpy {np.__version__}, ema_workbench {ema.__version__}, dask {dask.__version__}, "
          f"peninsula-sim {sim.__version__}")
    print(f"  outcomes: {', '.join(outcomes)} (EMA: the mean over the members of each point)")
    if hasattr(os, "getloadavg"):
        print(f"  load    : {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min) before the runs")
    print(f"  imports : {import_s:.2f} s (excluded; sampling and one warm-up point untimed)")
    print(f"  timing  : time.perf_counter wall time, best of {args.repeats}")
    print()

    times_ema, (experiments, ema_out) = timed(run_ema, args.repeats)
    print(f"  measured EMA perform_experiments (SequentialEvaluator): best {min(times_ema):.2f} s", flush=True)

    design = sim.ema.design_table(experiments, model)
    design_file = tmp / "design.parquet"
    design.drop(columns="point").to_parquet(design_file, index=False)
    warm = run_batch(tmp / "warm")
    warm()
    times_in, _ = timed(run_batch(tmp / "inprocess"), args.repeats)
    print(f"  measured peninsula batch (in-process): best {min(times_in):.2f} s", flush=True)
    if allowed:
        os.sched_setaffinity(0, allowed)  # the workers inherit this process's CPUs
    times_jobs, _ = timed(run_batch(tmp / "jobs", "--jobs", str(args.jobs)), args.repeats)
    print(f"  measured peninsula batch --jobs {args.jobs}: best {min(times_jobs):.2f} s", flush=True)
    print()

    rows = [("EMA perform_experiments, SequentialEvaluator", times_ema),
            ("peninsula batch --design-file (in-process)", times_in),
            (f"peninsula batch --design-file --jobs {args.jobs}", times_jobs)]
    ref = min(times_ema)
    runs = args.points * args.members
    w = max(len(r[0]) for r in rows)
    print(f"{'path'.ljust(w)}  {'best s':>8}  {'median s':>8}  {'member-runs/s':>13}  {'EMA / this':>10}")
    print(f"{'-' * w}  {'-' * 8}  {'-' * 8}  {'-' * 13}  {'-' * 10}")
    for label, times in rows:
        best = min(times)
        print(f"{label.ljust(w)}  {best:8.2f}  {statistics.median(times):8.2f}  {runs / best:13,.0f}  "
              f"{ref / best:9.1f}x")
    print()
    print(f"Ratio: peninsula batch is {ref / min(times_in):.1f}x faster than EMA's perform_experiments in-process "
          f"(one core), {ref / min(times_jobs):.1f}x with --jobs {args.jobs}")
    print()

    # --- the same numbers ---
    print("Check: EMA's outcome of each point against the mean over that point's members in peninsula batch's parts")
    for folder in ("inprocess", "jobs"):
        parts = pq.read_table(tmp / folder / "results").to_pandas()
        means = parts.groupby("point", sort=True).mean()
        diffs = []
        for o in outcomes:
            got = np.asarray(ema_out[sim.ema.outcome_name(o)], dtype=np.float64)
            want = means[o].to_numpy()
            d = np.abs(got - want)
            diffs.append((o, float(d.max()), int((d == 0).sum())))
        label = "in-process" if folder == "inprocess" else f"--jobs {args.jobs}"
        for o, dmax, same in diffs:
            print(f"  {label:<10} {o:<40} max |difference| {dmax:.3g}; {same}/{args.points} points identical")
    sha = {f: {k: v["sha256"] for k, v in json.loads((tmp / f / "manifest.json").read_text())["outputs"].items()}
           for f in ("inprocess", "jobs")}
    print(f"  peninsula batch in-process and --jobs {args.jobs}: "
          f"{'byte-identical outputs' if sha['inprocess'] == sha['jobs'] else 'outputs DIFFER'} "
          f"({len(sha['jobs'])} files, SHA-256 from the manifests)")
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
