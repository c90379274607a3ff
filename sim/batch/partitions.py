"""Batch experiments: a design over levers and uncertainties, run as one table of members.

An experiment is a table of member-runs: every *design point* (a set of parameter values)
is run for ``members`` replicates. Replicate ``r`` of every point uses member id ``r``, so
all points meet the same random draws (common random numbers): differences between points
come from the parameters, not the dice. The table is cut into fixed *partitions* of rows;
each partition is one :class:`~sim.engine.Setup`, simulated in vectorised passes of the
engine's chunk size by any executor, and written as ``results/part-NNNNN.parquet``
(temporary name, then rename).

Because every member's numbers depend only on (seed, member id, parameters), the bytes of
every output are the same whatever the executor, the number of workers or the chunk size.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.batch.design import Outcome, parse_outcome
from sim.batch.executors import InProcess
from sim.engine import CHUNK_MEMBERS, Setup, simulate
from sim.engine.results import sha256_file, versions, write_parquet
from sim.errors import PeninsulaError
from sim.indicators import INDEX
from sim.scenario import Scenario

FORMAT = "peninsula-batch/1"
DEFAULT_PARTITION = 50_000
RESULTS_DIR = "results"
MANIFEST = "manifest.json"
DESIGN_FILE = "design.csv"
DESIGN_PARQUET = "design.parquet"
SUMMARY_FILE = "summary.csv"


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
    def partitions(self) -> int:
        """How many partitions (output files) the rows make."""
        return -(-self.rows // self.partition_rows)

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
        return {"k": k, "rows": (a, b), "scenario": self.scenario.to_dict(), "seed": self.seed,
                "members": self.members, "paths": [c for c in self.design.columns if c != "point"],
                "values": self.design.drop(columns="point").to_numpy(dtype=np.float64)[a // self.members:
                                                                                       (b - 1) // self.members + 1],
                "first_point": a // self.members,
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
    cols = [(INDEX[ind], dates.index(m) if m else scenario.months) for ind, m in task["outcomes"]]
    rows = np.arange(a, b, dtype=np.int64)
    point, replicate = rows // members, rows % members
    local = point - task["first_point"]
    overrides = {p: task["values"][local, j] for j, p in enumerate(task["paths"])}
    setup = Setup.build(scenario, replicate, task["seed"], overrides=overrides)
    chunk = max(1, chunk_size or CHUNK_MEMBERS)
    outs: list[list[np.ndarray]] = [[] for _ in cols]
    for start in range(0, len(rows), chunk):
        history = simulate(setup, slice(start, start + chunk)).history
        for j, (v, t) in enumerate(cols):
            outs[j].append(history[t, v, :].copy())
        del history  # its buffer goes back to the pool for the next chunk (sim.engine.memory)
    data = {"point": pa.array(point, pa.int64()), "replicate": pa.array(replicate, pa.int64())}
    for (ind, m), arrs in zip(task["outcomes"], outs, strict=True):
        data[f"{ind}@{m}" if m else ind] = pa.array(np.concatenate(arrs), pa.float64())
    return pa.table(data)


def _part_name(k: int) -> str:
    return f"part-{k:05d}.parquet"


def _atomic_write_text(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _atomic_write_parquet(table: pa.Table, path: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write_parquet(table, Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _manifest(exp: Experiment, executor: str, chunk_size: int, complete: bool, outputs: dict | None) -> dict:
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
        "outputs": outputs or {},
    }


def prepare_dir(exp: Experiment, out: Path, resume: bool) -> set[int]:
    """Check the output folder; return the partitions already complete (with ``resume``)."""
    if out.exists() and not out.is_dir():
        raise PeninsulaError("exists and is not a folder", file=str(out))
    entries = list(out.iterdir()) if out.exists() else []
    if entries:
        man = out / MANIFEST
        if not man.is_file():
            raise PeninsulaError("the folder is not empty and holds no Peninsula experiment; choose another --out",
                                 file=str(out))
        try:
            old = json.loads(man.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise PeninsulaError("its manifest.json is damaged; choose another --out", file=str(out)) from None
        mine = exp.identity()
        same = {k: old.get(k) for k in mine} == mine
        if not resume:
            raise PeninsulaError("the folder already holds an experiment; add --resume to continue it "
                                 "(same scenario, design, members, seed and outcomes) or choose another --out",
                                 file=str(out))
        if not same:
            diff = [k for k in mine if old.get(k) != mine[k]]
            raise PeninsulaError(f"--resume: the folder holds a different experiment (differs in: {', '.join(diff)})",
                                 file=str(out))
    done = set()
    rdir = out / RESULTS_DIR
    if rdir.is_dir():
        for p in rdir.iterdir():
            if p.name.startswith("."):  # a temporary file left by an interrupted run
                p.unlink(missing_ok=True)
            elif p.name.startswith("part-") and p.suffix == ".parquet":
                done.add(int(p.stem.split("-")[1]))
    return done if resume else set()


def summarize(exp: Experiment, out: Path) -> pd.DataFrame:
    """Per design point: mean, median, 10% and 90% of every outcome (reads partitions one by one)."""
    cols = [o.column for o in exp.outcomes]
    rows, pending = [], []
    current = 0

    def flush(point: int, frames: list[pd.DataFrame]) -> None:
        block = pd.concat(frames, ignore_index=True)
        row = {"point": point, "members": len(block)}
        for c in cols:
            v = block[c].to_numpy()
            p10, p50, p90 = np.percentile(v, [10, 50, 90])
            row.update({f"{c}:mean": float(v.mean()), f"{c}:median": float(p50), f"{c}:p10": float(p10),
                        f"{c}:p90": float(p90)})
        rows.append(row)

    for k in range(exp.partitions):
        part = pq.read_table(out / RESULTS_DIR / _part_name(k)).to_pandas()
        for point, block in part.groupby("point", sort=True):
            if point != current:
                flush(current, pending)
                pending, current = [], int(point)
            pending.append(block)
    flush(current, pending)
    summary = pd.DataFrame(rows)
    return exp.design.merge(summary, on="point")


def run_experiment(exp: Experiment, out: str | Path, *, executor=None, chunk_size: int | None = None,
                   resume: bool = False, progress: Callable[[int, int, int], None] | None = None) -> Path:
    """Run an experiment into ``out``: partitions, design, summary and manifest.

    ``progress(partitions_done, partitions_total, rows_done)`` is called as partitions complete.
    """
    out = Path(out)
    chunk_size = chunk_size or CHUNK_MEMBERS
    executor = executor or InProcess()
    done = prepare_dir(exp, out, resume)
    (out / RESULTS_DIR).mkdir(parents=True, exist_ok=True)
    _atomic_write_text(out / MANIFEST, json.dumps(_manifest(exp, executor.name, chunk_size, False, None), indent=2))
    _atomic_write_text(out / DESIGN_FILE, exp.design.to_csv(index=False))
    _atomic_write_parquet(pa.Table.from_pandas(exp.design, preserve_index=False), out / DESIGN_PARQUET)
    todo = [exp.task(k) for k in range(exp.partitions) if k not in done]
    rows_done = sum(min(exp.rows, (k + 1) * exp.partition_rows) - k * exp.partition_rows for k in done)
    if progress:
        progress(len(done), exp.partitions, rows_done)
    finished = len(done)
    for task, table in executor.run(run_partition, todo, chunk_size):
        _atomic_write_parquet(table, out / RESULTS_DIR / _part_name(task["k"]))
        finished += 1
        rows_done += task["rows"][1] - task["rows"][0]
        if progress:
            progress(finished, exp.partitions, rows_done)
    summary = summarize(exp, out)
    _atomic_write_text(out / SUMMARY_FILE, summary.to_csv(index=False))
    names = [DESIGN_FILE, DESIGN_PARQUET, SUMMARY_FILE] + [f"{RESULTS_DIR}/{_part_name(k)}"
                                                           for k in range(exp.partitions)]
    outputs = {n: {"sha256": sha256_file(out / n), "bytes": (out / n).stat().st_size} for n in names}
    _atomic_write_text(out / MANIFEST, json.dumps(_manifest(exp, executor.name, chunk_size, True, outputs), indent=2))
    return out


def experiment_from_manifest(manifest: dict, design_file: Path) -> Experiment:
    """Rebuild an experiment from its manifest and its design table (design.parquet: exact values)."""
    scenario = Scenario.model_validate(manifest["scenario"])
    design = pq.read_table(design_file).to_pandas()
    outcomes = [parse_outcome(c, scenario) for c in manifest["outcomes"]]
    return Experiment(scenario, design, int(manifest["members_per_point"]), int(manifest["seed"]), outcomes,
                      int(manifest["partition_rows"]), manifest.get("design_spec") or {})


def replay_experiment(directory: str | Path) -> dict[str, bool]:
    """Re-run an experiment from its manifest into a temporary folder.

    Returns:
        output name -> True when the file on disk and the replayed file both have the
        SHA-256 that the manifest recorded.
    """
    directory = Path(directory)
    manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    if not manifest.get("complete"):
        raise PeninsulaError("the experiment is not complete; finish it with --resume first", file=str(directory))
    exp = experiment_from_manifest(manifest, directory / DESIGN_PARQUET)
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "replay"
        run_experiment(exp, target, chunk_size=int(manifest.get("chunk_size") or CHUNK_MEMBERS))
        return {name: (directory / name).is_file() and sha256_file(directory / name) == info["sha256"]
                and sha256_file(target / name) == info["sha256"] for name, info in manifest["outputs"].items()}
