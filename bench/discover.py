"""Scenario discovery benchmark: ``peninsula discover`` on an experiment of 10^5 design points.

Usage::

    python bench/discover.py [--points 100000] [--members 4] [--factors 10] [--method prim|cart]

Builds a synthetic experiment folder in the real format (``sim.batch.run_experiment`` writes the
manifest, design, parts and summary; only the simulation is replaced by an executor that returns
planted outcomes: food security low exactly where the first factor is in its lowest 30% and the
second in its highest 40%, with member noise). The factors are real parameter paths of the
baseline, uniform over made-up ranges. Building the folder is not timed.

Then times, each once:

* the whole command, ``peninsula discover DIR --outcome ... --where '< 0.6'`` in a fresh Python
  process (start-up and imports, among them EMA Workbench's, included): the figure against the target;
* in this process, after the imports: reading the outcome per point, PRIM (or CART), and the charts
  and files.

Target (printed, never asserted): the command in under 10 s on 10^5 points.
"""

from __future__ import annotations

import _setup  # noqa: F401 - before NumPy

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

OUTCOME = "DPRK.food_security@2026-06"
PATHS = ["params.rice_t_per_year", "params.china_aid_t_per_year", "params.grain_production_t", "params.grain_price_usd_t",
         "params.shell_price_usd", "params.shell_capacity", "params.war_intensity_target", "params.war_volatility",
         "CHN.weights.influence", "USA.weights.ukraine"]


class Planted:
    """An executor that runs no model: each partition's rows come from the planted values."""

    name = "in-process"

    def __init__(self, values: np.ndarray):
        self.values = values

    def run(self, fn, tasks, chunk_size):
        for t in tasks:
            a, b = t["rows"]
            rows = np.arange(a, b, dtype=np.int64)
            point, rep = rows // t["members"], rows % t["members"]
            yield t, pa.table({"point": pa.array(point), "replicate": pa.array(rep),
                               OUTCOME: pa.array(self.values[point, rep], pa.float64())})

    def close(self):
        pass


def build(folder: Path, points: int, members: int, factors: int) -> None:
    import sim
    from sim.batch import Experiment, parse_outcome, run_experiment

    rng = np.random.default_rng(0)
    u = rng.random((points, factors))
    design = pd.DataFrame(u * 1000.0, columns=PATHS[:factors])
    design.insert(0, "point", np.arange(points, dtype=np.int64))
    low = (u[:, 0] < 0.3) & (u[:, 1] > 0.6)
    values = np.where(low, 0.5, 0.85)[:, None] + rng.normal(0, 0.03, (points, members))
    scenario = sim.load_scenario("baseline")
    exp = Experiment(scenario, design, members, 1, [parse_outcome(OUTCOME, scenario)], 200_000)
    run_experiment(exp, folder, executor=Planted(values))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=100_000)
    ap.add_argument("--members", type=int, default=4)
    ap.add_argument("--factors", type=int, default=10)
    ap.add_argument("--method", default="prim", choices=("prim", "cart"))
    ap.add_argument("--keep", metavar="DIR", help="build the experiment in DIR and keep it; reuse it if it is there")
    args = ap.parse_args()
    print(f"machine: {_setup.cpu_model()}; Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp) / "exp"
        t0 = time.perf_counter()
        if not (folder / "manifest.json").is_file():
            build(folder, args.points, args.members, min(args.factors, len(PATHS)))
        print(f"the synthetic experiment: {args.points:,} points x {args.members} members, "
              f"{min(args.factors, len(PATHS))} factors (built in {time.perf_counter() - t0:.1f} s, not timed below)")

        cmd = [sys.executable, "-m", "sim.cli", "discover", str(folder), "--outcome", OUTCOME, "--where", "< 0.6",
               "--method", args.method, "--out", str(Path(tmp) / "cli")]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=_setup.ROOT)
        command = time.perf_counter() - t0
        if proc.returncode:
            sys.exit(f"discover failed ({proc.returncode}):\n{proc.stderr}")

        from sim.batch.discover import ExperimentData, discover

        discover(folder, OUTCOME, where="< 0.6", method=args.method)  # warm: imports (EMA Workbench, sklearn)
        t0 = time.perf_counter()
        data = ExperimentData.read(folder)
        data.point_values(OUTCOME)
        t1 = time.perf_counter()
        found = discover(data, OUTCOME, where="< 0.6", method=args.method)
        t2 = time.perf_counter()
        found.save(Path(tmp) / "api")
        t3 = time.perf_counter()
        b = found.boxes[0]
        print(f"box 1: {b.describe()} (coverage {b.coverage:.3f}, density {b.density:.3f}, mass {b.mass:.3f}; "
              f"planted: factor 1 <= 300, factor 2 >= 600)")
        rows = [("peninsula discover (fresh process, all included)", command),
                ("  in process: read the outcome per point", t1 - t0),
                (f"  in process: discover ({args.method.upper()}, reading included)", t2 - t1),
                ("  in process: charts and files (HTML, PNG, CSV)", t3 - t2)]
        width = max(len(r[0]) for r in rows)
        print(f"\n{'step'.ljust(width)}  seconds")
        for name, sec in rows:
            print(f"{name.ljust(width)}  {sec:7.2f}")
        verdict = "meets" if command < 10 else "MISSES"
        print(f"\ntarget: discover on {args.points:,} points in under 10 s -> {command:.2f} s ({verdict} it)")


if __name__ == "__main__":
    main()
