"""Experiments from Python: ``sim.experiment`` builds and runs what ``peninsula batch`` runs, and reads it back.

:func:`build` turns a request (a grid, a SALib design, policies x scenarios, a design file)
into an :class:`~sim.batch.partitions.Experiment`: the one place where the CLI and the API
make experiments, with every check done before anything runs. :func:`experiment` runs it with
:func:`~sim.batch.partitions.run_experiment` (the batch's one run loop, through the engine's
door) and returns :class:`ExperimentResults`: the design table, the summary, and the outcomes
as tidy frames and arrays. ``.save(dir)`` writes the very files ``peninsula batch`` writes
(they are copied from the run, manifest last), and :meth:`ExperimentResults.load` (also
``sim.load_experiment``) reads a saved experiment back.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sim.batch.design import (
    Outcome,
    default_outcomes,
    make_design,
    parse_factors,
    parse_grid,
    parse_outcome,
    parse_policy,
    policy_scenario_design,
    read_design_file,
)
from sim.batch.executors import make_executor
from sim.batch.partitions import (
    DEFAULT_PARTITION,
    DESIGN_FILE,
    DESIGN_PARQUET,
    MANIFEST,
    RESULTS_DIR,
    SERIES_FILE,
    SUMMARY_FILE,
    Experiment,
    _read_part,
    clear_experiment,
    experiment_from_manifest,
    part_path,
    read_batch_manifest,
    run_experiment,
    series_frame,
)
from sim.engine import Setup, check_seed
from sim.engine.results import fsync_dir, publish
from sim.errors import PeninsulaError
from sim.scenario import Scenario, load_scenario


def _given(**flags) -> list[str]:
    return [name for name, value in flags.items() if value not in (None, False, [], {}, ())]


def build(scenario: Scenario | str | Path, *, members: int | None = None, seed: int | None = None,
          outcomes: Sequence[str | Outcome] | None = None, grid: Mapping[str, Sequence[float]] | Sequence[str] | None = None,
          design: str | None = None, samples: int | None = None, policies: int | None = None,
          scenarios: int | None = None, policy: Mapping[str, Mapping[str, float]] | Sequence[str] | None = None,
          factors: str | Sequence[str] | None = None, design_file: str | Path | None = None,
          partition: int | None = None, series: bool = True) -> Experiment:
    """The :class:`Experiment` for a request, checked (the flags of ``peninsula batch`` in brackets).

    Args:
        scenario: a Scenario, or a scenario file or bundled name.
        members: replicates per point (``--members``; default the scenario's).
        seed: ``--seed`` (default the scenario's); it seeds the design's samples and the members.
        outcomes: ``INDICATOR`` (the whole monthly series) or ``INDICATOR@YYYY-MM`` (``--outcome``);
            default the key indicators at the horizon.
        grid: {path: values} or ``["PATH=v1,v2"]`` (``--grid``): a full factorial.
        design: ``lhs``, ``sobol`` or ``morris`` (``--design``).
        samples: SALib's base sample size (``--samples``).
        policies: sample K lever settings and cross them with the scenarios (``--policies``).
        scenarios: sample N uncertainty settings (``--scenarios``).
        policy: hand-made policies, {name: {lever path: value}} or ``["NAME=PATH:VALUE,..."]`` (``--policy``).
        factors: vary only these levers and uncertainties (``--factors``).
        design_file: a CSV or Parquet design table (``--design-file``).
        partition: rows per output file (``--partition``).
        series: False reads an outcome without a month as the horizon (``peninsula sensitivity``).

    Raises:
        PeninsulaError: naming the flag, for anything that could not run.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    seed = check_seed(scenario.seed if seed is None else seed, field="--seed")
    members = scenario.members if members is None else members
    if isinstance(grid, Mapping):
        grid = [f"{k}={','.join(repr(float(v)) for v in vs)}" for k, vs in grid.items()]
    grid = parse_grid(grid or [], scenario)
    only = parse_factors(factors, scenario)
    if isinstance(policy, Mapping):
        policy = [f"{name}={','.join(f'{p}:{float(v)!r}' for p, v in vals.items())}" for name, vals in policy.items()]
    hand: dict[str, dict[str, float]] = {}
    for text in policy or ():
        name, values = parse_policy(text, scenario)
        if name in hand:
            raise PeninsulaError(f"the policy {name!r} is named twice", field="--policy")
        hand[name] = values
    ps = bool(policies or scenarios or hand) or policies == 0 or scenarios == 0
    if design_file is not None:
        others = _given(**{"--grid": grid, "--design": design, "--policies": policies, "--scenarios": scenarios,
                           "--policy": hand, "--factors": only})
        if others:
            raise PeninsulaError(f"a design file is the whole design; leave out {', '.join(others)}",
                                 field="--design-file")
        table = read_design_file(design_file, scenario)
    elif ps:
        others = _given(**{"--grid": grid, "--design": design})
        if others:
            raise PeninsulaError(f"policies x scenarios is a design of its own (Latin hypercubes over the levers and "
                                 f"the uncertainties); leave out {', '.join(others)}, or vary a subset with --factors",
                                 field="--policies")
        table = policy_scenario_design(scenario, policies=policies, scenarios=scenarios, hand=hand, only=only,
                                       seed=seed)
    else:
        if only is not None and not design:
            raise PeninsulaError("--factors chooses what a sampled design varies; give it with --design (lhs, sobol, "
                                 "morris) or --policies/--scenarios", field="--factors")
        table = make_design(scenario, grid=grid, design=design, samples=samples, seed=seed, only=only)
    if outcomes:
        outs = [o if isinstance(o, Outcome) else parse_outcome(o, scenario, series=series) for o in outcomes]
    else:
        outs = default_outcomes(scenario)
    spec = {"grid": grid, "design": design, "samples": samples}
    if ps:
        spec.update({"policies": policies, "scenarios": scenarios, "policy": hand, "factors": only})
    elif only is not None:
        spec["factors"] = only
    if design_file is not None:
        spec = {"design_file": Path(design_file).name}
    exp = Experiment(scenario, table, members, seed, outs, DEFAULT_PARTITION if partition is None else partition, spec)
    exp.check()
    return exp


class ExperimentResults:
    """A finished experiment: its design, summary and member-level outcomes (a folder ``peninsula batch`` wrote).

    Attributes:
        spec: the :class:`Experiment` (scenario, design, members, seed, outcomes).
        directory: the folder that holds it (a temporary one until :meth:`save`).
    """

    def __init__(self, spec: Experiment, directory: str | Path, keep: object | None = None) -> None:
        """Wrap a finished experiment folder; ``keep`` holds a temporary folder alive with this object."""
        self.spec = spec
        self.directory = Path(directory)
        self._keep = keep
        self._frame: pd.DataFrame | None = None

    # -- what it is ---------------------------------------------------------------------------------------------
    @property
    def scenario(self) -> Scenario:
        """The scenario every point starts from."""
        return self.spec.scenario

    @property
    def design(self) -> pd.DataFrame:
        """The design table: ``point``, [``policy``, ``scenario``,] one column per varied path."""
        return self.spec.design

    @property
    def members(self) -> int:
        """Replicates per point."""
        return self.spec.members

    @property
    def seed(self) -> int:
        """The seed of the samples and of the members."""
        return self.spec.seed

    @property
    def outcomes(self) -> list[str]:
        """The outcomes as asked: ``INDICATOR`` (a whole series) or ``INDICATOR@YYYY-MM``."""
        return [o.column for o in self.spec.outcomes]

    @property
    def columns(self) -> list[str]:
        """The result columns, ``INDICATOR@YYYY-MM`` (a whole series makes one per month)."""
        return self.spec.columns

    def __repr__(self) -> str:
        return (f"<ExperimentResults {self.scenario.name}: {len(self.design):,} points x {self.members:,} members, "
                f"outcomes {', '.join(self.outcomes)}>")

    # -- tables -------------------------------------------------------------------------------------------------
    @property
    def summary(self) -> pd.DataFrame:
        """``summary.csv``: a row per point, the design columns, and ``COLUMN:mean|median|p10|p90``."""
        return pd.read_csv(self.directory / SUMMARY_FILE, dtype={"policy": str})

    def series(self) -> pd.DataFrame:
        """The whole-series outcomes per point and month, tidy (``series.csv``).

        Columns: point, [policy, scenario,] outcome, month, date, mean, median, p10, p90.
        """
        return series_frame(self.spec, self.summary)

    def frame(self) -> pd.DataFrame:
        """Member-level results: a row per member-run (point, replicate) and a column per outcome column."""
        if self._frame is None:
            parts = [_read_part(self.spec, self.directory, k) for k in range(self.spec.partitions)]
            self._frame = pd.concat(parts, ignore_index=True)
        return self._frame.copy()

    def to_frame(self) -> pd.DataFrame:
        """Member-level results, tidy: point, replicate, indicator, month (0 = the start), date, value."""
        wide = self.frame()
        dates = self.scenario.dates()
        long = wide.melt(id_vars=["point", "replicate"], value_vars=self.columns, var_name="column",
                         value_name="value")
        split = long["column"].str.partition("@")
        long.insert(2, "indicator", split[0])
        long.insert(3, "month", split[2].map({d: t for t, d in enumerate(dates)}).astype("int64"))
        long.insert(4, "date", split[2])
        return long.drop(columns="column")

    def outcome(self, name: str) -> np.ndarray:
        """An outcome as an array, in point order.

        ``INDICATOR@YYYY-MM`` -> (points, members); a whole series ``INDICATOR`` -> (points, members, months + 1).
        """
        wide = self.frame()
        shape = (len(self.design), self.members)
        if name in self.columns:
            return wide[name].to_numpy(dtype=np.float64).reshape(shape)
        series = next((o for o in self.spec.outcomes if o.series and o.column == name), None)
        if series is None:
            names = [o.column for o in self.spec.outcomes if o.series] + self.columns
            raise PeninsulaError(f"{name!r} is not an outcome of this experiment; expected one of: "
                                 f"{', '.join(names[:40])}{', ...' if len(names) > 40 else ''}", field="outcome")
        cols = series.columns(self.scenario.dates())
        return np.stack([wide[c].to_numpy(dtype=np.float64).reshape(shape) for c in cols], axis=-1)

    # -- the same streams from Python ---------------------------------------------------------------------------
    def member_ids(self, point: int) -> np.ndarray:
        """A point's member ids (random streams): shared by every policy of its scenario."""
        return self.spec.member_ids(point)

    def setup(self, point: int) -> Setup:
        """A point's :class:`~sim.engine.Setup`: ``sim.simulate(res.setup(p))`` reruns it with whole histories."""
        return self.spec.setup(point)

    # -- saving and loading -------------------------------------------------------------------------------------
    def files(self) -> list[str]:
        """The experiment's files, relative to its folder, the manifest last."""
        names = [part_path(k) for k in range(self.spec.partitions)] + [DESIGN_FILE, DESIGN_PARQUET, SUMMARY_FILE]
        if self.spec.has_series:
            names.append(SERIES_FILE)
        return [*names, MANIFEST]

    def save(self, directory: str | Path, *, overwrite: bool = False) -> Path:
        """Write the experiment to a folder: the same files, byte for byte, as ``peninsula batch`` writes.

        A folder that holds an earlier experiment is replaced only with ``overwrite``; one that holds
        anything else is refused. Each file is written under a temporary name and renamed; the
        manifest comes last.
        """
        target = Path(directory)
        if target.resolve() == self.directory.resolve():
            return target
        if target.exists() and not target.is_dir():
            raise PeninsulaError("exists and is not a folder; choose another folder", file=str(target))
        if target.is_dir() and any(target.iterdir()):
            if not overwrite:
                raise PeninsulaError("the folder is not empty; choose another, or pass overwrite=True to replace an "
                                     "earlier experiment there", file=str(target))
            clear_experiment(target)
        (target / RESULTS_DIR).mkdir(parents=True, exist_ok=True)
        for name in self.files():
            dest = target / name
            fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", dir=dest.parent)
            os.close(fd)
            try:
                shutil.copyfile(self.directory / name, tmp)
                publish(tmp, dest)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        fsync_dir(target)
        return target

    @classmethod
    def load(cls, directory: str | Path) -> ExperimentResults:
        """Read a saved experiment (``peninsula batch``'s folder), its manifest and design table validated.

        Raises:
            PeninsulaError: for a folder that is not a complete experiment.
        """
        directory = Path(directory)
        if not (directory / MANIFEST).is_file():
            raise PeninsulaError("not an experiment folder (no manifest.json); give a folder written by "
                                 "'peninsula batch' or ExperimentResults.save", file=str(directory))
        rec = read_batch_manifest(directory)
        if not rec.manifest.complete:
            raise PeninsulaError("the experiment is not complete; finish it with 'peninsula batch ... --resume'",
                                 file=str(directory))
        return cls(experiment_from_manifest(rec, directory / DESIGN_PARQUET), directory)


def experiment(scenario: Scenario | str | Path, *, policies: int | None = None, scenarios: int | None = None,
               members: int | None = None, seed: int | None = None, outcomes: Sequence[str] | None = None,
               policy: Mapping[str, Mapping[str, float]] | Sequence[str] | None = None,
               grid: Mapping[str, Sequence[float]] | Sequence[str] | None = None, design: str | None = None,
               samples: int | None = None, factors: str | Sequence[str] | None = None,
               design_file: str | Path | None = None, out: str | Path | None = None, overwrite: bool = False,
               jobs: int | None = None, dask: str | None = None, chunk_size: int | None = None,
               partition: int | None = None,
               progress: Callable[[int, int, int], None] | None = None) -> ExperimentResults:
    """Run an experiment, as ``peninsula batch`` does, and return its results.

    The arguments are :func:`build`'s (``peninsula batch``'s flags), plus where and how to run:
    ``out`` a folder to write (default a temporary one, kept while the result lives; ``.save``
    copies it), ``jobs`` / ``dask`` an executor, ``chunk_size`` members per vectorised pass.
    The outputs do not depend on the executor or the chunk size.
    """
    exp = build(scenario, members=members, seed=seed, outcomes=outcomes, grid=grid, design=design,
                samples=samples, policies=policies, scenarios=scenarios, policy=policy, factors=factors,
                design_file=design_file, partition=partition)
    keep = None
    if out is None:
        keep = tempfile.TemporaryDirectory(prefix="peninsula-experiment-")
        out = Path(keep.name) / "experiment"
    executor = make_executor(jobs, dask)
    try:
        run_experiment(exp, out, executor=executor, chunk_size=chunk_size, overwrite=overwrite, progress=progress)
    finally:
        executor.close()
    return ExperimentResults(exp, out, keep)


def load_experiment(directory: str | Path) -> ExperimentResults:
    """A saved experiment read back: :meth:`ExperimentResults.load`."""
    return ExperimentResults.load(directory)
