"""Batch experiments: a design over levers and uncertainties, run as one table of members.

An experiment is a table of member-runs: every *design point* (a set of parameter values)
is run for ``members`` replicates. Replicate ``r`` of a point of scenario ``s`` is member id
``s * members + r`` (a design without a ``scenario`` column is all scenario 0: member ``r``), so
every policy meets the same random draws in each scenario (common random numbers): differences
between policies come from the policies, not the dice, while each scenario has replicates of
its own. ``Experiment.member_ids(point)`` and ``Experiment.setup(point)`` give them from Python.
The table is cut into fixed *partitions* of rows;
each partition is one :class:`~sim.engine.Setup`, simulated in vectorised passes of the
engine's chunk size by any executor, and written as ``results/part-NNNNN.parquet``
(temporary name, then rename).

Because every member's numbers depend only on (seed, member id, parameters), the bytes of
every output are the same whatever the executor, the number of workers or the chunk size.

The folder (what ``peninsula batch`` and :meth:`sim.batch.experiment.ExperimentResults.save` write)::

    design.csv, design.parquet   the design table, one row per point: ``point`` (0, 1, ...), then for a
                                 policies x scenarios design ``policy`` (a name) and ``scenario`` (an
                                 index from 0), then one float column per varied parameter path
    results/part-NNNNN.parquet   one row per member-run, in order of (point, replicate): ``point``,
                                 ``replicate`` (0 .. members - 1) and one float column per outcome
                                 column, ``INDICATOR@YYYY-MM``; an outcome asked for without a month
                                 (the whole series) has one such column for every month from the
                                 start to the horizon
    summary.csv                  one row per point: the design columns, ``members``, and for every
                                 outcome column ``COLUMN:mean``, ``:median``, ``:p10``, ``:p90``
    series.csv                   (only with whole-series outcomes) the same statistics, tidy: point,
                                 [policy, scenario,] outcome, month (0 = the start), date, mean,
                                 median, p10, p90
    manifest.json                format ``peninsula-batch/2``: what fixes the outputs (scenario, seed,
                                 members per point, design hash, outcomes as asked, partition rows),
                                 the design's spec, and each part's and output's SHA-256

Nothing on disk is trusted. As each part completes, the manifest is rewritten (atomically) with
that part's SHA-256 and row count under ``parts``. ``--resume`` keeps a part only if its file
has the recorded SHA-256 and row count, and computes it again otherwise (a truncated, damaged,
copied or unrecorded part: the result is the same bytes as an uninterrupted run). A manifest
read back (on resume or replay) is validated: types and bounds of every field, the scenario
against its ``scenario_hash``, rows and partitions against members, points and
``partition_rows``, the outcomes, the parts and outputs it lists, and (on replay) the design
file against ``design_hash``; one that fails is a :class:`~sim.errors.PeninsulaError` naming
it. Every file is fsynced before the rename that publishes it, and its folder after.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, ValidationError

from sim.batch.design import LABELS, POLICY, SCENARIO, Outcome, outcome_columns, parse_outcome
from sim.batch.executors import InProcess
from sim.engine import CHUNK_MEMBERS, Setup, simulate_history
from sim.engine.results import (
    ID_LIMIT,
    MAX_MEMBERS,
    OutputRecord,
    Sha256,
    describe_validation,
    fsync_dir,
    manifest_scenario,
    publish,
    read_manifest,
    sha256_file,
    versions,
    write_parquet,
    write_text_atomic,
)
from sim.errors import PeninsulaError
from sim.scenario import Scenario, check_path

FORMAT = "peninsula-batch/2"
OLD_FORMATS = ("peninsula-batch/1",)
"""Formats of earlier versions: recognised (and replaced by ``--overwrite``), not replayed or resumed."""
DEFAULT_PARTITION = 50_000
RESULTS_DIR = "results"
MANIFEST = "manifest.json"
DESIGN_FILE = "design.csv"
DESIGN_PARQUET = "design.parquet"
SUMMARY_FILE = "summary.csv"
SENSITIVITY_FILE = "sensitivity.csv"
SERIES_FILE = "series.csv"
MAX_PARTITIONS = 10_000
"""The most partitions (output files) an experiment may have: the manifest, which records every
part and is rewritten as each completes, stays small. A larger experiment takes a larger ``--partition``."""
_PART = re.compile(r"^part-(\d{5,})\.parquet$")


@dataclass
class Experiment:
    """Everything that fixes an experiment's outputs (what the manifest records)."""

    scenario: Scenario
    design: pd.DataFrame
    members: int
    seed: int
    outcomes: list[Outcome]
    partition_rows: int = DEFAULT_PARTITION
    spec: dict = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Member-runs in all: design points x members."""
        return len(self.design) * self.members

    @property
    def paths(self) -> list[str]:
        """The parameter paths the design varies (its columns but ``point``, ``policy`` and ``scenario``)."""
        return [c for c in self.design.columns if c not in LABELS]

    @property
    def columns(self) -> list[str]:
        """The outcome columns of the results (a whole-series outcome makes one per month)."""
        return outcome_columns(self.outcomes, self.scenario)

    @property
    def has_series(self) -> bool:
        """True when an outcome is a whole monthly series (the experiment then writes ``series.csv``)."""
        return any(o.series for o in self.outcomes)

    def scenario_index(self) -> np.ndarray:
        """Each point's scenario (0 for every point of a design without a ``scenario`` column)."""
        if SCENARIO in self.design.columns:
            return self.design[SCENARIO].to_numpy(dtype=np.int64)
        return np.zeros(len(self.design), dtype=np.int64)

    def member_ids(self, point: int) -> np.ndarray:
        """The member ids (random streams) of a point's replicates: ``scenario * members + replicate``.

        Every point of one scenario has the same ids, whatever its policy (common random numbers).
        """
        s = int(self.scenario_index()[point])
        return np.arange(s * self.members, (s + 1) * self.members, dtype=np.int64)

    def setup(self, point: int) -> Setup:
        """The :class:`~sim.engine.Setup` of one point: its members and parameter values, as the experiment runs it.

        ``simulate(exp.setup(p))`` gives that point's member-runs, identical to the experiment's.
        """
        row = self.design.iloc[int(point)]
        return Setup.build(self.scenario, self.member_ids(point), self.seed,
                           overrides={p: float(row[p]) for p in self.paths})

    @property
    def partitions(self) -> int:
        """How many partitions (output files) the rows make."""
        return -(-self.rows // self.partition_rows)

    def part_rows(self, k: int) -> int:
        """How many rows partition ``k`` holds."""
        return min(self.rows, (k + 1) * self.partition_rows) - k * self.partition_rows

    def check(self) -> None:
        """Refuse an experiment that could not run: bad members, partition size, or too many partitions.

        Raises:
            PeninsulaError: naming the option (``--members``, ``--partition``).
        """
        if isinstance(self.members, bool) or not isinstance(self.members, int | np.integer) or \
                not 1 <= self.members <= MAX_MEMBERS:
            raise PeninsulaError(f"expected a whole number of members per point from 1 to {MAX_MEMBERS:,}, "
                                 f"got {self.members!r}", field="--members")
        if isinstance(self.partition_rows, bool) or not isinstance(self.partition_rows, int | np.integer) or \
                self.partition_rows < 1:
            raise PeninsulaError(f"expected at least 1 row per partition, got {self.partition_rows!r}",
                                 field="--partition")
        if len(self.design) < 1:
            raise PeninsulaError("the design has no points", field="--design")
        top = int(self.scenario_index().max(initial=0))
        if (top + 1) * int(self.members) > ID_LIMIT:
            raise PeninsulaError(f"scenario {top:,} x {int(self.members):,} members per point needs member ids "
                                 "beyond 2**63; number the scenarios from 0", field="--design-file")
        self.columns  # noqa: B018 - refuses outcomes that repeat a column
        if self.partitions > MAX_PARTITIONS:
            least = -(-self.rows // MAX_PARTITIONS)
            raise PeninsulaError(f"{self.rows:,} member-runs in partitions of {self.partition_rows:,} rows make "
                                 f"{self.partitions:,} files, more than {MAX_PARTITIONS:,}; give at least "
                                 f"{least:,} rows per partition", field="--partition")

    def identity(self) -> dict:
        """What must match for ``--resume`` to continue a run."""
        return {
            "format": FORMAT,
            "scenario_hash": self.scenario.content_hash(),
            "seed": self.seed,
            "members_per_point": self.members,
            "points": len(self.design),
            "design_hash": hashlib.sha256(self.design.to_csv(index=False).encode()).hexdigest(),
            "outcomes": [o.column for o in self.outcomes],
            "partition_rows": self.partition_rows,
        }

    def task(self, k: int) -> dict:
        """A picklable description of partition ``k`` for a worker."""
        a, b = k * self.partition_rows, min(self.rows, (k + 1) * self.partition_rows)
        first, last = a // self.members, (b - 1) // self.members + 1
        return {"k": k, "rows": (a, b), "scenario": self.scenario.to_dict(), "seed": self.seed,
                "members": self.members, "paths": self.paths,
                "values": self.design[self.paths].to_numpy(dtype=np.float64)[first:last],
                "streams": self.scenario_index()[first:last],
                "first_point": first,
                "outcomes": [(o.indicator, o.month) for o in self.outcomes]}


def run_partition(task: dict, chunk_size: int | None = None) -> pa.Table:
    """Compute one partition: its rows in vectorised passes of at most ``chunk_size`` members.

    ``chunk_size`` defaults to the engine's :data:`~sim.engine.CHUNK_MEMBERS`.

    Runs in any process: it needs only the task (plain data) and the installed package.
    """
    scenario = Scenario.model_validate(task["scenario"])
    a, b = task["rows"]
    members = task["members"]
    dates = scenario.dates()
    names = outcome_columns([Outcome(ind, m) for ind, m in task["outcomes"]], scenario)
    recorded = list(dict.fromkeys(c.partition("@")[0] for c in names))  # only these indicators' history
    cols = [(recorded.index(c.partition("@")[0]), dates.index(c.partition("@")[2])) for c in names]
    rows = np.arange(a, b, dtype=np.int64)
    point, replicate = rows // members, rows % members
    local = point - task["first_point"]
    overrides = {p: task["values"][local, j] for j, p in enumerate(task["paths"])}
    ids = task["streams"][local] * members + replicate  # the same streams for every policy of a scenario
    setup = Setup.build(scenario, ids, task["seed"], overrides=overrides)
    chunk = max(1, chunk_size or CHUNK_MEMBERS)
    outs: list[list[np.ndarray]] = [[] for _ in cols]
    for start in range(0, len(rows), chunk):
        history = simulate_history(setup, recorded, slice(start, start + chunk))
        for j, (v, t) in enumerate(cols):
            outs[j].append(history[t, v, :].copy())
        del history  # its buffer goes back to the pool for the next chunk (sim.engine.memory)
    data = {"point": pa.array(point, pa.int64()), "replicate": pa.array(replicate, pa.int64())}
    for name, arrs in zip(names, outs, strict=True):
        data[name] = pa.array(np.concatenate(arrs), pa.float64())
    return pa.table(data)


def _part_name(k: int) -> str:
    return f"part-{k:05d}.parquet"


def part_path(k: int) -> str:
    """Partition ``k``'s file, relative to the experiment folder (as the manifest names it)."""
    return f"{RESULTS_DIR}/{_part_name(k)}"


def _atomic_write_parquet(table: pa.Table, path: Path) -> dict:
    """Write a Parquet file the same way (temporary name, fsync, rename); its record: SHA-256 and rows."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write_parquet(table, Path(tmp))
        record = {"sha256": sha256_file(tmp), "rows": table.num_rows}
        publish(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return record


def _manifest(exp: Experiment, executor: str, chunk_size: int, complete: bool, outputs: dict | None,
              parts: dict | None = None) -> dict:
    return {
        **exp.identity(),
        "complete": complete,
        "scenario_name": exp.scenario.name,
        "rows": exp.rows,
        "partitions": exp.partitions,
        "design_spec": exp.spec,
        "executor": executor,
        "chunk_size": chunk_size,
        "versions": versions(),
        "scenario": exp.scenario.to_dict(),
        "parts": {name: parts[name] for name in sorted(parts or {})},
        "outputs": outputs or {},
    }


# -- the manifest, validated ---------------------------------------------------------------------------------------
class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class PartRecord(_Model):
    """A completed part: its SHA-256 and its row count."""

    sha256: Sha256
    rows: Annotated[StrictInt, Field(ge=1)]


class BatchManifest(_Model):
    """An experiment's ``manifest.json``, as :func:`run_experiment` writes it."""

    format: Literal["peninsula-batch/2"]
    scenario_hash: Sha256
    seed: Annotated[StrictInt, Field(ge=0, lt=ID_LIMIT)]
    members_per_point: Annotated[StrictInt, Field(ge=1, le=MAX_MEMBERS)]
    points: Annotated[StrictInt, Field(ge=1)]
    design_hash: Sha256
    outcomes: list[StrictStr] = Field(min_length=1, max_length=1000)
    partition_rows: Annotated[StrictInt, Field(ge=1)]
    complete: StrictBool
    scenario_name: StrictStr
    rows: Annotated[StrictInt, Field(ge=1)]
    partitions: Annotated[StrictInt, Field(ge=1, le=MAX_PARTITIONS)]
    design_spec: dict[StrictStr, Any] = Field(default_factory=dict)
    executor: StrictStr
    chunk_size: Annotated[StrictInt, Field(ge=1)]
    versions: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    scenario: dict[StrictStr, Any]
    parts: dict[StrictStr, PartRecord] | None = None
    """Absent in manifests written before parts were recorded (their parts are not trusted on resume)."""
    outputs: dict[StrictStr, OutputRecord]


@dataclass
class BatchRecord:
    """A validated experiment manifest: the manifest, its scenario and outcomes."""

    manifest: BatchManifest
    scenario: Scenario
    outcomes: list[Outcome]
    data: dict


def read_batch_manifest(directory: str | Path) -> BatchRecord:
    """Read and validate an experiment folder's manifest (see the module docstring).

    Raises:
        PeninsulaError: naming the manifest file, for anything that does not hold.
    """
    return validate_batch_manifest(read_manifest(directory), str(Path(directory) / MANIFEST))


def validate_batch_manifest(data: Any, where: str) -> BatchRecord:
    """Validate an experiment manifest's data; ``where`` names it in errors (see :func:`read_batch_manifest`)."""
    if isinstance(data, dict) and data.get("format") in OLD_FORMATS:
        raise PeninsulaError(f"the experiment was written by an earlier version of Peninsula (format "
                             f"{data['format']!r}, now {FORMAT!r}); run it again (--overwrite replaces it)", file=where)
    try:
        man = BatchManifest.model_validate(data)
    except ValidationError as exc:
        raise PeninsulaError(f"not a valid experiment manifest: {describe_validation(exc)}", file=where) from None
    scenario = manifest_scenario(man.scenario, man.scenario_hash, where)
    if man.scenario_name != scenario.name:
        raise PeninsulaError(f"field 'scenario_name' is {man.scenario_name!r} but its scenario's is {scenario.name!r}",
                             file=where)
    if man.rows != man.points * man.members_per_point:
        raise PeninsulaError(f"field 'rows' is {man.rows:,} but {man.points:,} points x {man.members_per_point:,} "
                             f"members make {man.points * man.members_per_point:,}", file=where)
    if man.partitions != -(-man.rows // man.partition_rows):
        raise PeninsulaError(f"field 'partitions' is {man.partitions:,} but {man.rows:,} rows in partitions of "
                             f"{man.partition_rows:,} make {-(-man.rows // man.partition_rows):,}", file=where)
    try:
        outcomes = [parse_outcome(c, scenario) for c in man.outcomes]
    except PeninsulaError as exc:
        raise PeninsulaError(f"field 'outcomes': {exc.message}", file=where) from None
    if len({o.column for o in outcomes}) != len(outcomes) or [o.column for o in outcomes] != man.outcomes:
        raise PeninsulaError("field 'outcomes': expected distinct outcomes in their canonical form", file=where)
    try:
        outcome_columns(outcomes, scenario)
    except PeninsulaError as exc:
        raise PeninsulaError(f"field 'outcomes': {exc.message}", file=where) from None
    part_names = {part_path(k): k for k in range(man.partitions)}
    expected_rows = {name: min(man.rows, (k + 1) * man.partition_rows) - k * man.partition_rows
                     for name, k in part_names.items()}
    for name, rec in (man.parts or {}).items():
        if name not in part_names:
            raise PeninsulaError(f"field 'parts': {name!r} is not one of the experiment's {man.partitions:,} parts",
                                 file=where)
        if rec.rows != expected_rows[name]:
            raise PeninsulaError(f"field 'parts.{name}.rows' is {rec.rows:,}; that part holds {expected_rows[name]:,}",
                                 file=where)
    expected_outputs = {DESIGN_FILE, DESIGN_PARQUET, SUMMARY_FILE, *part_names}
    if any(o.series for o in outcomes):
        expected_outputs.add(SERIES_FILE)
    unknown = sorted(set(man.outputs) - expected_outputs)
    if unknown:
        raise PeninsulaError(f"field 'outputs': {unknown[0]!r} is not an output of the experiment", file=where)
    if man.complete:
        missing = sorted(expected_outputs - set(man.outputs))
        if missing:
            raise PeninsulaError(f"field 'outputs': the experiment is marked complete but {missing[0]!r} is not listed",
                                 file=where)
        if man.parts is not None:
            for name in part_names:
                rec = man.parts.get(name)
                if rec is None or rec.sha256 != man.outputs[name].sha256:
                    raise PeninsulaError(f"field 'parts': the experiment is marked complete but {name!r} is "
                                         f"{'not recorded' if rec is None else 'recorded with another SHA-256'}",
                                         file=where)
    return BatchRecord(man, scenario, outcomes, data)


def _recorded_parts(exp: Experiment, out: Path, old: BatchRecord) -> dict[str, dict]:
    """The parts on disk that have the SHA-256 and rows the manifest records; the others are removed.

    A part that is not recorded (killed between its rename and the manifest's), or whose bytes
    or rows differ from the record (truncated, damaged, replaced), is computed again.
    """
    kept: dict[str, dict] = {}
    rdir = out / RESULTS_DIR
    if not rdir.is_dir():
        return kept
    recorded = old.manifest.parts or {}
    for p in sorted(rdir.iterdir()):
        if p.name.startswith("."):  # a temporary file left by an interrupted run
            p.unlink(missing_ok=True)
            continue
        m = _PART.match(p.name)
        if not m:
            continue
        k = int(m.group(1))
        name = part_path(k)
        rec = recorded.get(name)
        ok = (k < exp.partitions and p.is_file() and rec is not None and rec.rows == exp.part_rows(k)
              and sha256_file(p) == rec.sha256)
        if ok:
            kept[name] = {"sha256": rec.sha256, "rows": rec.rows}
        else:
            p.unlink(missing_ok=True)
    return kept


def _clear(out: Path) -> None:
    """Remove an earlier experiment's outputs from ``out`` (and nothing else)."""
    for name in (MANIFEST, DESIGN_FILE, DESIGN_PARQUET, SUMMARY_FILE, SERIES_FILE, SENSITIVITY_FILE):
        (out / name).unlink(missing_ok=True)
    rdir = out / RESULTS_DIR
    if rdir.is_dir():
        for p in rdir.iterdir():
            if p.is_file() and (p.name.startswith(".") or _PART.match(p.name)):
                p.unlink()
        if not any(rdir.iterdir()):
            rdir.rmdir()
    for p in out.iterdir():
        if p.name.startswith(".") and p.is_file():  # temporary files of an interrupted write
            p.unlink()


def _prepare(exp: Experiment, out: Path, resume: bool, overwrite: bool) -> dict[str, dict]:
    """Check the output folder; with ``resume``, the verified parts already complete (name -> record)."""
    if resume and overwrite:
        raise PeninsulaError("give --resume (continue the experiment in --out) or --overwrite (start it afresh), "
                             "not both")
    if out.exists() and not out.is_dir():
        raise PeninsulaError("exists and is not a folder; choose another --out", file=str(out))
    entries = list(out.iterdir()) if out.exists() else []
    if not entries:
        return {}
    man = out / MANIFEST
    if not man.is_file():
        raise PeninsulaError("the folder is not empty and holds no Peninsula experiment; choose another --out",
                             file=str(out))
    if overwrite:
        _clear_experiment_folder(out)
        return {}
    if not resume:
        raise PeninsulaError("the folder already holds an experiment; add --resume to continue it (same scenario, "
                             "design, members, seed and outcomes), --overwrite to start afresh, or choose another "
                             "--out", file=str(out))
    try:
        old = read_batch_manifest(out)
    except PeninsulaError as exc:
        raise PeninsulaError(f"--resume: {exc.message}; start afresh with --overwrite or choose another --out",
                             file=exc.file) from None
    mine = exp.identity()
    theirs = old.manifest.model_dump()
    diff = [k for k in mine if theirs.get(k) != mine[k]]
    if diff:
        raise PeninsulaError(f"--resume: the folder holds a different experiment (differs in: {', '.join(diff)})",
                             file=str(out))
    return _recorded_parts(exp, out, old)


def prepare_dir(exp: Experiment, out: Path, resume: bool, overwrite: bool = False) -> set[int]:
    """Check the output folder; return the partitions already complete and verified (with ``resume``).

    With ``overwrite``, an earlier experiment's outputs in the folder are removed (a folder that
    holds anything else is refused).
    """
    return {int(_PART.match(Path(name).name).group(1)) for name in _prepare(exp, Path(out), resume, overwrite)}


def _read_part(exp: Experiment, out: Path, k: int) -> pd.DataFrame:
    """Partition ``k`` as a DataFrame, checked: it must hold exactly its rows (points and replicates).

    Raises:
        PeninsulaError: naming the file, for a part that cannot be read or holds other rows.
    """
    path = out / RESULTS_DIR / _part_name(k)
    try:
        part = pq.read_table(path).to_pandas()
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a damaged file
        raise PeninsulaError(f"cannot read this part ({str(exc).splitlines()[0]}); run the same command with "
                             "--resume to compute it again", file=str(path)) from None
    a, b = k * exp.partition_rows, k * exp.partition_rows + exp.part_rows(k)
    rows = np.arange(a, b, dtype=np.int64)
    ok = (len(part) == b - a and {"point", "replicate"} <= set(part.columns)
          and np.array_equal(part["point"].to_numpy(), rows // exp.members)
          and np.array_equal(part["replicate"].to_numpy(), rows % exp.members))
    if not ok:
        raise PeninsulaError(f"this part does not hold rows {a:,} to {b - 1:,} of the experiment; run the same "
                             "command with --resume to compute it again", file=str(path))
    return part


def summarize(exp: Experiment, out: Path) -> pd.DataFrame:
    """Per design point: mean, median, 10% and 90% of every outcome column (reads partitions one by one)."""
    cols = exp.columns
    rows = []
    # One point's values at a time, a row per column (each reduced as a 1-D array, column by column):
    # memory holds one point's outcomes once, not the whole table and its copies.
    values = np.empty((len(cols), exp.members), dtype=np.float64)
    filled, current = 0, 0

    def flush(point: int, n: int) -> None:
        row = {"point": point, "members": n}
        for j, c in enumerate(cols):
            v = values[j, :n]
            p10, p50, p90 = np.percentile(v, [10, 50, 90])
            row.update({f"{c}:mean": float(v.mean()), f"{c}:median": float(p50), f"{c}:p10": float(p10),
                        f"{c}:p90": float(p90)})
        rows.append(row)

    for k in range(exp.partitions):
        part = _read_part(exp, out, k)
        for point, block in part.groupby("point", sort=True):
            if point != current:
                flush(current, filled)
                filled, current = 0, int(point)
            n = len(block)
            values[:, filled:filled + n] = block[cols].to_numpy(dtype=np.float64).T
            filled += n
        del part
    flush(current, filled)
    summary = pd.DataFrame(rows)
    return exp.design.merge(summary, on="point")


STATS = ("mean", "median", "p10", "p90")


def series_frame(exp: Experiment, summary: pd.DataFrame) -> pd.DataFrame:
    """The whole-series outcomes of a summary, tidy: point, [policy, scenario,] outcome, month, date and the stats."""
    dates = exp.scenario.dates()
    keys = [c for c in ("point", POLICY, SCENARIO) if c in summary.columns]
    frames = []
    for o in exp.outcomes:
        if not o.series:
            continue
        for t, d in enumerate(dates):
            c = f"{o.indicator}@{d}"
            f = summary[keys].copy()
            f["outcome"], f["month"], f["date"] = o.indicator, t, d
            for stat in STATS:
                f[stat] = summary[f"{c}:{stat}"].to_numpy()
            frames.append(f)
    if not frames:
        return pd.DataFrame(columns=[*keys, "outcome", "month", "date", *STATS])
    order = {o.indicator: i for i, o in enumerate(exp.outcomes)}
    table = pd.concat(frames, ignore_index=True)
    table["_o"] = table["outcome"].map(order)
    return table.sort_values(["point", "_o", "month"], kind="stable").drop(columns="_o").reset_index(drop=True)


def run_experiment(exp: Experiment, out: str | Path, *, executor=None, chunk_size: int | None = None,
                   resume: bool = False, overwrite: bool = False,
                   progress: Callable[[int, int, int], None] | None = None) -> Path:
    """Run an experiment into ``out``: partitions, design, summary and manifest.

    ``resume`` continues an experiment in ``out`` (its parts that match the manifest are kept);
    ``overwrite`` removes an earlier experiment there and starts afresh. Without either, a
    folder that holds an experiment is refused.

    ``progress(partitions_done, partitions_total, rows_done)`` is called as partitions complete.
    """
    out = Path(out)
    exp.check()
    chunk_size = chunk_size or CHUNK_MEMBERS
    executor = executor or InProcess()
    parts = _prepare(exp, out, resume, overwrite)
    done = {int(_PART.match(Path(name).name).group(1)) for name in parts}
    (out / RESULTS_DIR).mkdir(parents=True, exist_ok=True)
    fsync_dir(out.parent)

    def write_manifest(complete: bool = False, outputs: dict | None = None) -> None:
        text = json.dumps(_manifest(exp, executor.name, chunk_size, complete, outputs, parts), indent=2)
        write_text_atomic(out / MANIFEST, text)

    write_manifest()
    write_text_atomic(out / DESIGN_FILE, exp.design.to_csv(index=False))
    _atomic_write_parquet(pa.Table.from_pandas(exp.design, preserve_index=False), out / DESIGN_PARQUET)
    todo = (exp.task(k) for k in range(exp.partitions) if k not in done)
    rows_done = sum(exp.part_rows(k) for k in done)
    if progress:
        progress(len(done), exp.partitions, rows_done)
    finished = len(done)
    for task, table in executor.run(run_partition, todo, chunk_size):
        k = task["k"]
        parts[part_path(k)] = _atomic_write_parquet(table, out / RESULTS_DIR / _part_name(k))
        write_manifest()
        finished += 1
        rows_done += task["rows"][1] - task["rows"][0]
        if progress:
            progress(finished, exp.partitions, rows_done)
    summary = summarize(exp, out)
    write_text_atomic(out / SUMMARY_FILE, summary.to_csv(index=False))
    names = [DESIGN_FILE, DESIGN_PARQUET, SUMMARY_FILE]
    if exp.has_series:
        write_text_atomic(out / SERIES_FILE, series_frame(exp, summary).to_csv(index=False))
        names.append(SERIES_FILE)
    outputs = {n: {"sha256": sha256_file(out / n), "bytes": (out / n).stat().st_size} for n in names}
    for k in range(exp.partitions):
        name = part_path(k)
        outputs[name] = {"sha256": parts[name]["sha256"], "bytes": (out / name).stat().st_size}
    write_manifest(True, outputs)
    return out


def experiment_from_manifest(manifest: dict | BatchRecord, design_file: Path) -> Experiment:
    """Rebuild an experiment from its (validated) manifest and its design table (design.parquet: exact values).

    Raises:
        PeninsulaError: naming the design file, for one that cannot be read, or does not have the
            recorded number of points, columns or SHA-256 (``design_hash``).
    """
    rec = manifest if isinstance(manifest, BatchRecord) else \
        validate_batch_manifest(manifest, str(Path(design_file).parent / MANIFEST))
    man = rec.manifest
    where = str(design_file)
    try:
        design = pq.read_table(design_file).to_pandas()
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a damaged file
        raise PeninsulaError(f"cannot read the design table ({str(exc).splitlines()[0]})", file=where) from None
    if len(design) != man.points or list(design.columns[:1]) != ["point"] or \
            not np.array_equal(design["point"].to_numpy(), np.arange(man.points)):
        raise PeninsulaError(f"expected {man.points:,} design points numbered from 0, as the manifest records",
                             file=where)
    for col in design.columns[1:]:
        if col in (POLICY, SCENARIO):
            continue
        try:
            check_path(str(col))
        except ValueError as exc:
            raise PeninsulaError(f"column {col!r} is not a parameter path ({exc})", file=where) from None
    if hashlib.sha256(design.to_csv(index=False).encode()).hexdigest() != man.design_hash:
        raise PeninsulaError("the design table does not have the SHA-256 the manifest records (design_hash): the "
                             "design or the manifest was edited", file=str(design_file.parent / MANIFEST))
    return Experiment(rec.scenario, design, man.members_per_point, man.seed, rec.outcomes, man.partition_rows,
                      man.design_spec)


def replay_experiment(directory: str | Path) -> dict[str, bool]:
    """Re-run an experiment from its manifest into a temporary folder.

    The manifest is validated first (:func:`read_batch_manifest`), and the design table against it.

    Returns:
        output name -> True when the file on disk and the replayed file both have the
        SHA-256 that the manifest recorded.

    Raises:
        PeninsulaError: for a manifest or design table that does not validate, or an
            experiment that is not complete.
    """
    directory = Path(directory)
    rec = read_batch_manifest(directory)
    if not rec.manifest.complete:
        raise PeninsulaError("the experiment is not complete; finish it with --resume first", file=str(directory))
    exp = experiment_from_manifest(rec, directory / DESIGN_PARQUET)
    exp.check()
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "replay"
        run_experiment(exp, target, chunk_size=rec.manifest.chunk_size)
        here = {name: (directory / name).is_file() and sha256_file(directory / name) == info.sha256
                for name, info in rec.manifest.outputs.items()}
        return {name: here[name] and sha256_file(target / name) == info.sha256
                for name, info in rec.manifest.outputs.items()}


def clear_experiment(out: str | Path) -> None:
    """Remove an earlier experiment from ``out`` before starting afresh (``--overwrite``).

    Raises:
        PeninsulaError: for a folder that holds something other than a Peninsula experiment.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise PeninsulaError("exists and is not a folder; choose another --out", file=str(out))
    if out.is_dir() and any(out.iterdir()):
        _clear_experiment_folder(out)


def _clear_experiment_folder(out: Path) -> None:
    """Remove the experiment in a non-empty ``out``; refuse a folder that holds anything else."""
    man = out / MANIFEST
    if not man.is_file():
        raise PeninsulaError("the folder is not empty and holds no Peninsula experiment; choose another --out",
                             file=str(out))
    try:
        fmt = json.loads(man.read_text(encoding="utf-8")).get("format")
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError, RecursionError):
        fmt = None
    if fmt != FORMAT and fmt not in OLD_FORMATS:
        raise PeninsulaError("the folder does not hold a Peninsula experiment (its manifest.json is not one); "
                             "refusing to replace it with --overwrite; choose another --out", file=str(out))
    _clear(out)
