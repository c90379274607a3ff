"""Batch experiments: designs, partitions of member-runs, executors and sensitivity analysis.

Designs over a scenario's levers and uncertainties (:mod:`~sim.batch.design`),
partitions of member-runs written as Parquet (:mod:`~sim.batch.partitions`), the executors that
compute them (:mod:`~sim.batch.executors`) and SALib sensitivity (:mod:`~sim.batch.sensitivity`).

Runs the model only through the engine's door (``Setup``, ``simulate``); imports nothing of
``sim.game`` or ``sim.cli``.
"""

from sim.batch.design import (
    Factor,
    Outcome,
    default_outcomes,
    factors,
    make_design,
    parse_grid,
    parse_outcome,
    sample,
)
from sim.batch.executors import Dask, InProcess, Processes, make_executor
from sim.batch.partitions import (
    DEFAULT_PARTITION,
    DESIGN_FILE,
    DESIGN_PARQUET,
    FORMAT,
    MANIFEST,
    RESULTS_DIR,
    SUMMARY_FILE,
    Experiment,
    experiment_from_manifest,
    prepare_dir,
    replay_experiment,
    run_experiment,
    run_partition,
    summarize,
)
from sim.batch.sensitivity import METHODS, analyse, check_method, sensitivity

__all__ = ["DEFAULT_PARTITION", "DESIGN_FILE", "DESIGN_PARQUET", "FORMAT", "MANIFEST", "METHODS", "RESULTS_DIR",
           "SUMMARY_FILE", "Dask", "Experiment", "Factor", "InProcess", "Outcome", "Processes", "analyse",
           "check_method", "default_outcomes", "experiment_from_manifest", "factors", "make_design",
           "make_executor", "parse_grid", "parse_outcome", "prepare_dir", "replay_experiment", "run_experiment",
           "run_partition", "sample", "sensitivity", "summarize"]
