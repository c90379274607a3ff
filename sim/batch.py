"""Batch experiments: a design over levers and uncertainties, run as one table of members.

An experiment is a table of member-runs: every *design point* (a set of parameter values)
is run for ``members`` replicates. Replicate ``r`` of every point uses member id ``r``, so
all points meet the same random draws (common random numbers): differences between points
come from the parameters, not the dice. The table is cut into fixed *partitions* of rows;
each partition is computed in vectorised passes of at most ``chunk_size`` members, by any
executor, and written as ``results/part-NNNNN.parquet`` (temporary name, then rename).

Because every member's numbers depend only on (seed, member id, parameters), the bytes of
every output are the same whatever the executor, the number of workers or the chunk size.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import PeninsulaError
from sim.indicators import INDEX, KEY_INDICATORS, canonical_indicator
from sim.results import sha256_file, versions, write_parquet
from sim.scenario import Scenario, check_path, path_range

FORMAT = "peninsula-batch/1"
DEFAULT_PARTITION = 50_000
DEFAULT_CHUNK = 5_000
RESULTS_DIR = "results"
MANIFEST = "manifest.json"
DESIGN_FILE = "design.csv"
DESIGN_PARQUET = "design.parquet"
SUMMARY_FILE = "summary.csv"


# ---------------------------------------------------------------------------------------------
# Factors, outcomes and designs


@dataclass(frozen=True)
class Factor:
    """A parameter an experiment varies, with its range."""

    path: str
    low: float
    high: float
    label: str
    kind: str  # "lever" or "uncertainty"


def factors(scenario: Scenario) -> list[Factor]:
    """The scenario's levers and uncertainties with their ranges (uncertainties: their bounds)."""
    out = [Factor(lv.path, lv.min, lv.max, lv.label, "lever") for lv in scenario.levers]
    for u in scenario.uncertainties:
        lo, hi = u.bounds()
        plo, phi = path_range(u.path)
        lo = lo if plo is None else max(lo, plo)
        hi = hi if phi is None else min(hi, phi)
        out.append(Factor(u.path, lo, hi, u.label or u.path, "uncertainty"))
    return out


@dataclass(frozen=True)
class Outcome:
    """An indicator at a month (None: the horizon)."""

    indicator: str
    month: str | None

    @property
    def column(self) -> str:
        return f"{self.indicator}@{self.month}" if self.month else self.indicator


def parse_outcome(text: str, scenario: Scenario) -> Outcome:
    """``"DPRK.food_security@2026-06"`` -> Outcome; a clear error otherwise."""
    name, _, month = text.partition("@")
    canon = canonical_indicator(name.strip())
    if canon is None:
        raise PeninsulaError(f"unknown indicator {name!r} (see 'peninsula indicators')", field="--outcome")
    if month:
        month = month.strip()
        if month not in scenario.dates():
            raise PeninsulaError(f"month {month!r} is not in the run ({scenario.dates()[0]} to "
                                 f"{scenario.dates()[-1]}, YYYY-MM)", field="--outcome")
    return Outcome(canon, month or None)


def _problem(fs: list[Factor]) -> dict:
    return {"num_vars": len(fs), "names": [f.path for f in fs], "bounds": [[f.low, f.high] for f in fs]}


def parse_grid(items: Iterable[str], scenario: Scenario) -> dict[str, list[float]]:
    """``["params.x=1,2,3"]`` -> {"params.x": [1, 2, 3]}, each value checked against its range."""
    grid: dict[str, list[float]] = {}
    levers = {lv.path: lv for lv in scenario.levers}
    for item in items:
        if "=" not in item:
            raise PeninsulaError(f"expected PATH=v1,v2,..., got {item!r}", field="--grid")
        path, _, text = item.partition("=")
        path = path.strip()
        try:
            check_path(path)
        except ValueError:
            valid = [f.path for f in factors(scenario)]
            raise PeninsulaError(
                f"unknown parameter path {path!r}. This scenario's levers and uncertainties: "
                f"{', '.join(valid) or 'none'}; any params.NAME, ACTOR.unpredictability, ACTOR.weights.INTEREST "
                "or initial.INDICATOR also works (see 'peninsula schema')", field="--grid") from None
        try:
            values = [float(v) for v in text.split(",") if v.strip()]
        except ValueError:
            raise PeninsulaError(f"expected numbers separated by commas, got {text!r}", field=f"--grid {path}") from None
        if not values:
            raise PeninsulaError("no values given", field=f"--grid {path}")
        lo, hi = (levers[path].min, levers[path].max) if path in levers else path_range(path)
        for v in values:
            if (lo is not None and v < lo) or (hi is not None and v > hi):
                what = f"the lever '{levers[path].label}'" if path in levers else path
                raise PeninsulaError(f"{v:g} is outside the range of {what} ({lo:g} to {hi:g})",
                                     field=f"--grid {path}")
        grid[path] = values
    return grid


def make_design(scenario: Scenario, *, grid: dict[str, list[float]] | None = None, design: str | None = None,
                samples: int | None = None, seed: int = 0) -> pd.DataFrame:
    """The design table: one row per point, one column per varied path (plus ``point``).

    ``grid`` gives a full factorial; ``design`` (lhs, sobol, morris) samples the scenario's
    levers and uncertainties over their ranges with SALib, seeded. Both together: every
    sampled point crossed with every grid combination. Neither: one point, nothing varied.
    """
    frames = []
    if grid:
        keys = list(grid)
        rows = list(itertools.product(*(grid[k] for k in keys)))
        frames.append(pd.DataFrame(rows, columns=keys))
    if design:
        fs = [f for f in factors(scenario) if not grid or f.path not in grid]
        if not fs:
            raise PeninsulaError(f"a {design} design needs ranges, and this scenario declares no levers or "
                                 "uncertainties (add some, or use --grid)", field="--design")
        if not samples or samples < 1:
            raise PeninsulaError("give --samples K (at least 1) with --design", field="--samples")
        frames.append(pd.DataFrame(sample(design, fs, samples, seed), columns=[f.path for f in fs]))
    if not frames:
        table = pd.DataFrame(index=range(1))
    elif len(frames) == 1:
        table = frames[0]
    else:
        table = frames[1].merge(frames[0], how="cross")
    table.insert(0, "point", np.arange(len(table), dtype=np.int64))
    return table.reset_index(drop=True)


def sample(method: str, fs: list[Factor], samples: int, seed: int) -> np.ndarray:
    """SALib samples (rows, factors) for a method, seeded."""
    problem = _problem(fs)
    if method == "lhs":
        from SALib.sample import latin

        return latin.sample(problem, samples, seed=seed)
    if method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, samples, calc_second_order=False, seed=seed)
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, samples, num_levels=4, seed=seed)
    raise PeninsulaError(f"unknown design {method!r}; expected lhs, sobol or morris", field="--design")


# ---------------------------------------------------------------------------------------------
# The experiment and its partitions


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
        return len(self.design) * self.members

    @property
    def partitions(self) -> int:
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


def run_partition(task: dict, chunk_size: int = DEFAULT_CHUNK) -> pa.Table:
    """Compute one partition: its rows in vectorised passes of at most ``chunk_size`` members.

    Runs in any process: it needs only the task (plain data) and the installed package.
    """
    from sim.model import PeninsulaModel

    scenario = Scenario.model_validate(task["scenario"])
    a, b = task["rows"]
    members = task["members"]
    dates = scenario.dates()
    cols = [(INDEX[ind], dates.index(m) if m else scenario.months) for ind, m in task["outcomes"]]
    pieces: dict[str, list[np.ndarray]] = {"point": [], "replicate": []}
    outs: list[list[np.ndarray]] = [[] for _ in cols]
    for start in range(a, b, max(1, chunk_size)):
        stop = min(b, start + chunk_size)
        rows = np.arange(start, stop, dtype=np.int64)
        point, replicate = rows // members, rows % members
        local = point - task["first_point"]
        overrides = {p: task["values"][local, j] for j, p in enumerate(task["paths"])}
        model = PeninsulaModel(scenario, replicate, task["seed"], overrides=overrides)
        model.run_model()
        pieces["point"].append(point)
        pieces["replicate"].append(replicate)
        history = model.take_outputs()[0]
        for j, (v, t) in enumerate(cols):
            outs[j].append(history[t, v, :].copy())
        # The outputs' buffer goes back to the pool as the last reference goes (next line); the
        # model, holding no large array now, needs no garbage-collection pass (~0.1 s a chunk).
        del history
        model.release(collect=False)
        del model
    data = {"point": pa.array(np.concatenate(pieces["point"]), pa.int64()),
            "replicate": pa.array(np.concatenate(pieces["replicate"]), pa.int64())}
    for (ind, m), arrs in zip(task["outcomes"], outs, strict=True):
        data[f"{ind}@{m}" if m else ind] = pa.array(np.concatenate(arrs), pa.float64())
    return pa.table(data)


# ---------------------------------------------------------------------------------------------
# Executors: one small interface (submit all, yield results as they complete, close)


class InProcess:
    """Runs partitions one after another in this process (the default)."""

    name = "in-process"

    def run(self, fn: Callable, tasks: list[dict], chunk_size: int) -> Iterator[tuple[dict, pa.Table]]:
        for t in tasks:
            yield t, fn(t, chunk_size)

    def close(self) -> None:
        """Nothing to release: the work ran in this process."""


class Processes:
    """Local worker processes (``--jobs N``)."""

    def __init__(self, jobs: int) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        if jobs < 1:
            raise PeninsulaError(f"--jobs must be at least 1, got {jobs}", field="--jobs")
        self.name = f"processes:{jobs}"
        self.pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"))

    def run(self, fn, tasks, chunk_size):
        from concurrent.futures import as_completed

        futures = {self.pool.submit(fn, t, chunk_size): t for t in tasks}
        try:
            for fut in as_completed(futures):
                yield futures[fut], fut.result()
        finally:
            for fut in futures:
                fut.cancel()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class Dask:
    """A Dask cluster: ``local:N`` starts a LocalCluster of N workers; ``tcp://HOST:PORT`` joins one.

    Workers of an existing cluster must be able to ``import sim`` (install Peninsula there, the
    same version, Python, NumPy and pyarrow as here).
    """

    def __init__(self, address: str) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - dask is a dependency
            raise PeninsulaError("Dask is not installed (pip install 'dask[distributed]')", field="--dask") from None
        self.cluster = None
        if address.startswith("local:"):
            try:
                n = int(address.split(":", 1)[1])
            except ValueError:
                raise PeninsulaError(f"expected local:N with a number of workers, got {address!r}",
                                     field="--dask") from None
            if n < 1:
                raise PeninsulaError("local:N needs at least one worker", field="--dask")
            self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                                        dashboard_address=None)
            self.client = Client(self.cluster)
        else:
            if "://" not in address:
                raise PeninsulaError(f"expected local:N or tcp://HOST:PORT, got {address!r}", field="--dask")
            try:
                self.client = Client(address, timeout="5s")
            except (OSError, TimeoutError) as exc:
                raise PeninsulaError(f"cannot reach the Dask scheduler at {address} ({exc})", field="--dask") from None
        self.name = f"dask:{address}"

    def run(self, fn, tasks, chunk_size):
        from dask.distributed import as_completed

        futures = [self.client.submit(fn, t, chunk_size, pure=False) for t in tasks]
        owner = {f.key: t for f, t in zip(futures, tasks, strict=True)}
        try:
            for fut in as_completed(futures):
                yield owner[fut.key], fut.result()
        finally:
            for fut in futures:
                fut.cancel()

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(jobs: int | None = None, dask: str | None = None):
    """The executor for ``--jobs`` / ``--dask`` (in-process when neither is given)."""
    if jobs and dask:
        raise PeninsulaError("give --jobs or --dask, not both", field="--jobs")
    if dask:
        return Dask(dask)
    if jobs and jobs > 1:
        return Processes(jobs)
    if jobs is not None and jobs < 1:
        raise PeninsulaError(f"--jobs must be at least 1, got {jobs}", field="--jobs")
    return InProcess()


# ---------------------------------------------------------------------------------------------
# Writing


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


def run_experiment(exp: Experiment, out: str | Path, *, executor=None, chunk_size: int = DEFAULT_CHUNK,
                   resume: bool = False, progress: Callable[[int, int, int], None] | None = None) -> Path:
    """Run an experiment into ``out``: partitions, design, summary and manifest.

    ``progress(partitions_done, partitions_total, rows_done)`` is called as partitions complete.
    """
    out = Path(out)
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
        run_experiment(exp, target, chunk_size=int(manifest.get("chunk_size") or DEFAULT_CHUNK))
        return {name: (directory / name).is_file() and sha256_file(directory / name) == info["sha256"]
                and sha256_file(target / name) == info["sha256"] for name, info in manifest["outputs"].items()}


def default_outcomes(scenario: Scenario) -> list[Outcome]:
    return [Outcome(name, None) for name in KEY_INDICATORS]
