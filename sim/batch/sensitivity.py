"""Sensitivity analysis with SALib: which levers and uncertainties move an outcome.

The design comes from SALib (Sobol' with Saltelli's scheme, or Morris), seeded; each design
point runs ``members`` replicates under common random numbers, and the analysis reads the
mean outcome per point. SALib does the statistics (indices and bootstrap confidence
intervals, seeded too), so the indices are repeatable.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.batch.design import factors
from sim.batch.partitions import Experiment, run_experiment, summarize
from sim.errors import PeninsulaError

METHODS = ("sobol", "morris")


def analyse(exp: Experiment, out: Path, method: str, seed: int) -> pd.DataFrame:
    """Indices for every outcome from a finished experiment: one row per (outcome, factor), ranked."""
    fs = [f for f in factors(exp.scenario) if f.path in exp.design.columns]
    problem = {"num_vars": len(fs), "names": [f.path for f in fs], "bounds": [[f.low, f.high] for f in fs]}
    summary = summarize(exp, out).sort_values("point")
    X = summary[[f.path for f in fs]].to_numpy(dtype=np.float64)
    rows = []
    for o in exp.outcomes:
        Y = summary[f"{o.column}:mean"].to_numpy(dtype=np.float64)
        if method == "sobol":
            from SALib.analyze import sobol

            res = sobol.analyze(problem, Y, calc_second_order=False, seed=seed, print_to_console=False)
            for j, f in enumerate(fs):
                rows.append({"outcome": o.column, "factor": f.path, "label": f.label, "S1": res["S1"][j],
                             "S1_conf": res["S1_conf"][j], "ST": res["ST"][j], "ST_conf": res["ST_conf"][j]})
        else:
            from SALib.analyze import morris

            res = morris.analyze(problem, X, Y, num_levels=4, seed=seed, print_to_console=False)
            for j, f in enumerate(fs):
                rows.append({"outcome": o.column, "factor": f.path, "label": f.label, "mu_star": res["mu_star"][j],
                             "mu_star_conf": res["mu_star_conf"][j], "mu": res["mu"][j], "sigma": res["sigma"][j]})
    table = pd.DataFrame(rows)
    key = "ST" if method == "sobol" else "mu_star"
    table["rank"] = table.groupby("outcome")[key].rank(ascending=False, method="first").astype(int)
    return table.sort_values(["outcome", "rank"]).reset_index(drop=True)


def check_method(method: str) -> str:
    """The method if it is one SALib analyses here; PeninsulaError otherwise."""
    if method not in METHODS:
        raise PeninsulaError(f"unknown method {method!r}; expected sobol or morris", field="--method")
    return method


def sensitivity(exp: Experiment, out: str | Path, method: str, *, executor=None,
                chunk_size: int | None = None, resume: bool = False, progress=None) -> pd.DataFrame:
    """Run the design (if not already complete) and write ``sensitivity.csv``; return the ranked indices."""
    out = Path(out)
    run_experiment(exp, out, executor=executor, chunk_size=chunk_size, resume=resume,
                   progress=progress)
    table = analyse(exp, out, method, exp.seed)
    table.to_csv(out / "sensitivity.csv", index=False)
    return table
