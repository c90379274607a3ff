"""Batch experiments: designs, partitions of member-runs, executors and sensitivity analysis.

Designs over a scenario's levers and uncertainties, policies x scenarios and design files
(:mod:`~sim.batch.design`), partitions of member-runs written as Parquet
(:mod:`~sim.batch.partitions`), the executors that compute them (:mod:`~sim.batch.executors`),
experiments from Python (:mod:`~sim.batch.experiment`: ``sim.experiment``) and SALib sensitivity
(:mod:`~sim.batch.sensitivity`).

Runs the model only through the engine's door (``Setup``, ``simulate``); imports nothing of
``sim.game`` or ``sim.cli``.
"""

from sim.batch.design import (
    Factor,
    Outcome,
    default_outcomes,
    factors,
    make_design,
    parse_factors,
    parse_grid,
    parse_outcome,
    parse_policy,
    policy_scenario_design,
    read_design_file,
    sample,
)
from sim.batch.executors import Dask, InProcess, Processes, make_executor
from sim.batch.experiment import ExperimentResults, build, experiment, load_experiment
from sim.batch.partitions import (
    DEFAULT_PARTITION,
    DESIGN_FILE,
    DESIGN_PARQUET,
    FORMAT,
    MANIFEST,
    RESULTS_DIR,
    SERIES_FILE,
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
           "SERIES_FILE", "SUMMARY_FILE", "Dask", "Experiment", "ExperimentResults", "Factor", "InProcess", "Outcome",
           "Processes", "analyse", "build", "check_method", "default_outcomes", "experiment",
           "experiment_from_manifest", "factors", "load_experiment", "make_design", "make_executor", "parse_factors",
           "parse_grid", "parse_outcome", "parse_policy", "policy_scenario_design", "prepare_dir",
           "read_design_file", "replay_experiment", "run_experiment", "run_partition", "sample", "sensitivity",
           "summarize"]
