"""Scenario discovery on a batch experiment: where in the uncertainty space does an outcome happen?

An experiment folder written by ``peninsula batch`` (:mod:`~sim.batch.partitions`) holds a design
(one row per *design point*: its factor values) and the outcomes of every member of every point.
Discovery takes the design points as its cases and the design's factor columns as its inputs:

- **The outcome of a point** is a statistic over its members, the mean by default (``median``,
  ``p10``, ``p90`` too). Members of a point differ only by their random draws (common random
  numbers across points), not by any factor, so member-level rows would repeat each point's inputs
  ``members`` times and add noise that no box over the factors can explain: PRIM's densities would
  measure the dice, not the factors. The point's statistic is what a box can explain.
- **The inputs** are the design's factor columns (levers and uncertainties alike) that vary over
  the cases; ``point``, ``policy`` and ``scenario`` columns are identifiers, never inputs. Over a
  policies x scenarios design, discovery runs over all points by default (a lever that matters
  shows up as a restricted dimension, which is itself a finding); ``policy=`` restricts it to one
  policy's points, where only the scenario factors vary.
- **Cases of interest** are those whose outcome meets ``where`` (``"< 0.6"``), or the ``top`` or
  ``bottom`` share of the points (``"10%"``).

Two methods, both from well-kept libraries: PRIM from EMA Workbench (:class:`ema_workbench.analysis.prim.Prim`,
binary mode, lenient objective; boxes are found one after another on the points the earlier boxes
left, and on each peeling trajectory the box chosen is, among those whose density reaches ``threshold``,
the one with the best balance of coverage and density (their harmonic mean), else the densest), and CART from scikit-learn
(:class:`sklearn.tree.DecisionTreeClassifier`; its boxes are the leaves where cases of interest are
the majority, largest coverage first, and its "trajectory" is every leaf's coverage and density).

Each box has its coverage (the share of all cases of interest that it holds), density (the share of
its points that are of interest), mass (the share of all points that it holds) and its restricted
dimensions with their ranges. :meth:`Discovery.save` writes ``boxes.csv``, ``trajectory.csv``,
``discover.html`` (Plotly: the trajectory and the first box over the points) and ``trajectory.png``
and ``box.png`` (matplotlib), all under temporary names first and renamed once all are written.
"""

from __future__ import annotations

import io
import math
import os
import re
import tempfile
import textwrap
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.batch.partitions import (
    DESIGN_FILE,
    DESIGN_PARQUET,
    FORMAT,
    MANIFEST,
    BatchRecord,
    part_path,
    read_batch_manifest,
)
from sim.engine.results import fsync_dir, publish
from sim.errors import PeninsulaError
from sim.indicators import canonical_indicator

METHODS = ("prim", "cart")
STATISTICS = ("mean", "median", "p10", "p90")
ID_COLUMNS = ("point", "policy", "scenario")
"""Design columns that name a point, a policy or a scenario: identifiers, never inputs."""
CHART_POINTS = 20_000
"""The most points a chart draws (a seeded sample beyond that): a chart of 10^5 points says no more."""
CART_DEPTH = 4
"""CART's depth: a box has at most this many restrictions."""


def number(v: float) -> str:
    """A number for people: ``550,000`` for large ones, else 4 significant digits."""
    if v is None or not np.isfinite(v):
        return ""
    return f"{v:,.0f}" if abs(v) >= 1e4 else f"{v:.4g}"


# -- reading an experiment -------------------------------------------------------------------------------------------
def _not_an_experiment(directory: Path, why: str) -> PeninsulaError:
    return PeninsulaError(f"not an experiment folder: {why}. Give a folder written by 'peninsula batch' "
                          f"(it holds {MANIFEST}, {DESIGN_PARQUET} or {DESIGN_FILE}, and results/part-*.parquet)",
                          file=str(directory))


@dataclass
class ExperimentData:
    """A finished experiment, read back from its folder: its manifest, design and recorded outcomes.

    Outcome values are read from the parts only when asked for (:meth:`point_values`).
    """

    directory: Path
    record: BatchRecord
    design: pd.DataFrame
    columns: list[str]
    """The outcome columns of the results (``IND@YYYY-MM``; ``IND`` alone: the horizon, in older folders)."""

    @classmethod
    def read(cls, directory: str | Path) -> ExperimentData:
        """Read and check an experiment folder.

        Raises:
            PeninsulaError: naming the folder or file, for a folder that is not a complete experiment.
        """
        directory = Path(directory)
        if not directory.is_dir():
            raise _not_an_experiment(directory, "no such folder" if not directory.exists() else "it is a file")
        if not (directory / MANIFEST).is_file():
            raise _not_an_experiment(directory, f"there is no {MANIFEST} in it")
        from sim.engine.results import read_manifest

        fmt = str(read_manifest(directory).get("format"))
        if not fmt.startswith("peninsula-batch/"):
            what = "a single run (written by 'peninsula run')" if fmt.startswith("peninsula-run") else \
                f"format {fmt[:40]!r}"
            raise _not_an_experiment(directory, f"its {MANIFEST} describes {what}, not an experiment ({FORMAT})")
        record = read_batch_manifest(directory)  # an earlier format: its own clear error
        if not record.manifest.complete:
            raise PeninsulaError("the experiment is not complete; finish it first (the same 'peninsula batch' "
                                 "command with --resume)", file=str(directory))
        design = _read_design(directory, record.manifest.points)
        first = directory / part_path(0)
        try:
            names = pq.read_schema(first).names
        except FileNotFoundError:
            raise PeninsulaError("this part of the experiment is missing; run the same 'peninsula batch' command "
                                 "with --resume to compute it again", file=str(first)) from None
        except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a damaged file
            raise PeninsulaError(f"cannot read this part ({str(exc).splitlines()[0]})", file=str(first)) from None
        return cls(directory, record, design, [c for c in names if c not in ("point", "replicate")])

    @property
    def members(self) -> int:
        """Members (replicates) per design point."""
        return self.record.manifest.members_per_point

    @property
    def outcomes(self) -> list[str]:
        """The outcomes recorded, in words: a column, or ``IND@YYYY-MM`` for any month of a whole series."""
        months: dict[str, list[str]] = {}
        for c in self.columns:
            name, _, month = c.partition("@")
            months.setdefault(name, []).append(month)
        out = []
        for name, ms in months.items():
            if len(ms) > 3:
                out.append(f"{name}@YYYY-MM (any month from {ms[0]} to {ms[-1]})")
            else:
                out += [f"{name}@{m}" if m else name for m in ms]
        return out

    @property
    def factors(self) -> list[str]:
        """The design's factor columns: every numeric column but ``point``, ``policy`` and ``scenario``."""
        return [c for c in self.design.columns
                if c not in ID_COLUMNS and pd.api.types.is_numeric_dtype(self.design[c])]

    def resolve_outcome(self, text: str, option: str = "--outcome") -> str:
        """``IND[@YYYY-MM]`` -> the recorded outcome column it names (the horizon is ``IND`` or ``IND@last``).

        Raises:
            PeninsulaError: naming ``option`` and the recorded outcomes, for text that is not an
                indicator or an outcome this experiment did not record.
        """
        listing = ", ".join(self.outcomes)
        name, _, month = str(text).partition("@")
        canon = canonical_indicator(name.strip())
        if canon is None:
            raise PeninsulaError(f"{name.strip()!r} is not an indicator. This experiment recorded: {listing} "
                                 "(all indicators: 'peninsula indicators')", field=option)
        month = month.strip()
        last = self.record.scenario.dates()[-1]
        wanted = [f"{canon}@{month}" if month else canon]
        if month == last:
            wanted.append(canon)  # recorded at the horizon without a month
        elif not month:
            wanted.append(f"{canon}@{last}")
        for col in wanted:
            if col in self.columns:
                return col
        raise PeninsulaError(f"{text!r} was not recorded in this experiment. It recorded: {listing}. To study "
                             f"another outcome, run the experiment again with 'peninsula batch ... --outcome "
                             f"{canon}{'@' + month if month else ''}'", field=option)

    def point_values(self, column: str, statistic: str = "mean") -> np.ndarray:
        """The outcome ``column`` of every design point: ``statistic`` over its members.

        Raises:
            PeninsulaError: naming the part file, for a part that is missing, unreadable or holds other rows.
        """
        if statistic not in STATISTICS:
            raise PeninsulaError(f"unknown statistic {statistic!r}; expected one of {', '.join(STATISTICS)}",
                                 field="--statistic")
        man = self.record.manifest
        blocks = []
        for k in range(man.partitions):
            path = self.directory / part_path(k)
            try:
                blocks.append(pq.read_table(path, columns=["point", "replicate", column]))
            except FileNotFoundError:
                raise PeninsulaError("this part of the experiment is missing; run the same 'peninsula batch' "
                                     "command with --resume to compute it again", file=str(path)) from None
            except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a damaged file
                raise PeninsulaError(f"cannot read this part ({str(exc).splitlines()[0]})", file=str(path)) from None
        table = pa.concat_tables(blocks)
        rows = np.arange(man.rows, dtype=np.int64)
        if table.num_rows != man.rows or \
                not np.array_equal(table.column("point").to_numpy(), rows // man.members_per_point) or \
                not np.array_equal(table.column("replicate").to_numpy(), rows % man.members_per_point):
            raise PeninsulaError(f"the parts do not hold the experiment's {man.rows:,} rows in order (points x "
                                 "members); run the same 'peninsula batch' command with --resume",
                                 file=str(self.directory / "results"))
        values = table.column(column).to_numpy().astype(np.float64).reshape(man.points, man.members_per_point)
        if statistic == "mean":
            return values.mean(axis=1)
        if statistic == "median":
            return np.median(values, axis=1)
        return np.percentile(values, 10 if statistic == "p10" else 90, axis=1)


def _read_design(directory: Path, points: int) -> pd.DataFrame:
    """The design table (``design.parquet``: exact values; else ``design.csv``), points numbered from 0."""
    path = directory / DESIGN_PARQUET
    try:
        if path.is_file():
            design = pq.read_table(path).to_pandas()
        else:
            path = directory / DESIGN_FILE
            if not path.is_file():
                raise _not_an_experiment(directory, f"there is no {DESIGN_PARQUET} or {DESIGN_FILE} in it")
            design = pd.read_csv(path)
    except PeninsulaError:
        raise
    except Exception as exc:  # noqa: BLE001 - pyarrow and pandas raise several types for a damaged file
        raise PeninsulaError(f"cannot read the design table ({str(exc).splitlines()[0]})", file=str(path)) from None
    if "point" not in design.columns or len(design) != points or \
            not np.array_equal(design["point"].to_numpy(), np.arange(points)):
        raise PeninsulaError(f"expected {points:,} design points numbered from 0 in a 'point' column, as the "
                             "manifest records", file=str(path))
    return design


def as_experiment(source) -> ExperimentData:
    """An experiment as :class:`ExperimentData`, read from a folder.

    ``source``: the folder (a path), an experiment already read, or an object that holds one in its
    ``directory`` (what ``sim.experiment(...)`` and ``sim.load_experiment(...)`` return).
    """
    if isinstance(source, ExperimentData):
        return source
    if isinstance(source, str | os.PathLike):
        return ExperimentData.read(source)
    directory = getattr(source, "directory", None)
    if isinstance(directory, str | os.PathLike):
        return ExperimentData.read(directory)
    raise PeninsulaError(f"expected an experiment folder or an experiment, got a {type(source).__name__}",
                         field="source")


def select_policy(data: ExperimentData, policy: str | None) -> np.ndarray:
    """The rows (a boolean mask over the design) of ``policy``; every row for None.

    Raises:
        PeninsulaError: naming ``--policy`` and the design's policies, for one it does not have.
    """
    rows = np.ones(len(data.design), dtype=bool)
    if policy is None:
        return rows
    if "policy" not in data.design.columns:
        raise PeninsulaError("this experiment's design has no 'policy' column (it is one policy); leave out --policy",
                             field="--policy")
    labels = data.design["policy"].astype(str)
    if str(policy) not in set(labels):
        names = ", ".join(dict.fromkeys(labels))
        raise PeninsulaError(f"no policy {policy!r} in this experiment; its policies: {names}", field="--policy")
    return (labels == str(policy)).to_numpy()


# -- what counts as a case of interest -------------------------------------------------------------------------------
_OPS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "<=": np.less_equal, ">=": np.greater_equal, "<": np.less, ">": np.greater,
}
_CRITERION = re.compile(r"^\s*(<=|>=|<|>|≤|≥)\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


@dataclass(frozen=True)
class Criterion:
    """A comparison with a number, such as ``< 0.6``: which values meet it."""

    op: str
    value: float

    @property
    def text(self) -> str:
        """The criterion as written: ``< 0.6``."""
        return f"{self.op} {self.value:g}"

    def mask(self, values: np.ndarray) -> np.ndarray:
        """Which of ``values`` meet the criterion."""
        return _OPS[self.op](np.asarray(values, dtype=np.float64), self.value)


def parse_criterion(text: str, option: str = "--where") -> Criterion:
    """``"< 0.6"`` -> Criterion; the operators are ``<``, ``<=``, ``>``, ``>=``.

    Raises:
        PeninsulaError: naming ``option``, for text that is not a comparison with a number.
    """
    m = _CRITERION.match(str(text))
    if not m:
        raise PeninsulaError(f"expected an operator (<, <=, > or >=) and a number, such as '< 0.6' or '>= 0.7' "
                             f"(quote it in the shell), got {str(text)[:60]!r}", field=option)
    op = {"≤": "<=", "≥": ">="}.get(m.group(1), m.group(1))
    return Criterion(op, float(m.group(2)))


def parse_share(text: str, option: str = "--top") -> float:
    """``"10%"`` (or ``"10"``) -> 0.1: a share of the points, above 0% and below 100%.

    Raises:
        PeninsulaError: naming ``option``, for anything else.
    """
    m = re.fullmatch(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*%?\s*", str(text))
    share = float(m.group(1)) / 100 if m else math.nan
    if not 0 < share < 1:
        raise PeninsulaError(f"expected a share of the design points above 0% and below 100%, such as '10%', "
                             f"got {str(text)[:40]!r}", field=option)
    return share


@dataclass(frozen=True)
class Rule:
    """Which design points are of interest: those meeting ``criterion``, or the ``top``/``bottom`` ``share``."""

    option: str
    criterion: Criterion | None = None
    share: float = 0.0

    def apply(self, values: np.ndarray) -> tuple[np.ndarray, str]:
        """Which ``values`` are of interest, and the rule in words (ties at a share's cut are all in)."""
        values = np.asarray(values, dtype=np.float64)
        if self.criterion is not None:
            return self.criterion.mask(values), self.criterion.text
        k = max(1, math.ceil(self.share * len(values)))
        ordered = np.sort(values)
        if self.option == "--top":
            cut = ordered[len(values) - k]
            return values >= cut, f"top {self.share:.0%} (>= {cut:.4g})"
        cut = ordered[k - 1]
        return values <= cut, f"bottom {self.share:.0%} (<= {cut:.4g})"


def interest_rule(*, where: str | Criterion | None = None, top: str | float | None = None,
                  bottom: str | float | None = None) -> Rule:
    """The rule for the cases of interest; exactly one of ``where``, ``top`` and ``bottom`` is given.

    ``top``/``bottom``: the points with the highest/lowest outcomes, that share of them (``"10%"`` or 0.1).

    Raises:
        PeninsulaError: naming the option, for none or several, or one that does not parse.
    """
    given = [name for name, v in (("--where", where), ("--top", top), ("--bottom", bottom)) if v is not None]
    if len(given) != 1:
        raise PeninsulaError("say which points are of interest with one of --where (e.g. '< 0.6'), --top (e.g. "
                             f"'10%') or --bottom; got {' and '.join(given) if given else 'none'}", field="--where")
    if where is not None:
        return Rule("--where", where if isinstance(where, Criterion) else parse_criterion(where))
    option = given[0]
    raw = top if top is not None else bottom
    share = float(raw) if isinstance(raw, float) else parse_share(str(raw), option)
    if not 0 < share < 1:
        raise PeninsulaError(f"expected a share above 0 and below 1, got {share!r}", field=option)
    return Rule(option, share=share)


def interest_mask(values: np.ndarray, *, where: str | Criterion | None = None, top: str | float | None = None,
                  bottom: str | float | None = None) -> tuple[np.ndarray, str]:
    """Which values are cases of interest, and the rule in words (see :func:`interest_rule`)."""
    return interest_rule(where=where, top=top, bottom=bottom).apply(values)


# -- boxes -----------------------------------------------------------------------------------------------------------
@dataclass
class Box:
    """A box found by PRIM or CART: its statistics and its restricted dimensions.

    ``limits`` has one row per restricted dimension: ``factor``, ``low``, ``high`` (the box's
    range; NaN where that side is open), ``min`` and ``max`` (the factor's range over the cases)
    and, for PRIM, ``qp`` (the quasi-p-value of the restriction: small is significant).
    """

    number: int
    coverage: float
    density: float
    mass: float
    points: int
    of_interest: int
    limits: pd.DataFrame
    step: int = -1
    """The position of the box on its trajectory (PRIM) or its leaf id (CART)."""

    def describe(self) -> str:
        """The restrictions in words: ``x1 <= 0.3 and x2 >= 0.6`` (``everywhere`` if none)."""
        return " and ".join(self.restrictions()) or "everywhere"

    def restrictions(self) -> list[str]:
        """Each restricted dimension in words: ``x1 <= 0.3``, ``0.2 <= x2 <= 0.5``."""
        parts = []
        for r in self.limits.itertuples(index=False):
            lo, hi = r.low, r.high
            if not np.isnan(lo) and not np.isnan(hi):
                parts.append(f"{number(lo)} <= {r.factor} <= {number(hi)}")
            elif not np.isnan(lo):
                parts.append(f"{r.factor} >= {number(lo)}")
            else:
                parts.append(f"{r.factor} <= {number(hi)}")
        return parts

    def contains(self, frame: pd.DataFrame) -> np.ndarray:
        """Which rows of ``frame`` (with the factor columns) lie in the box."""
        inside = np.ones(len(frame), dtype=bool)
        for r in self.limits.itertuples(index=False):
            x = frame[r.factor].to_numpy()
            if not np.isnan(r.low):
                inside &= x >= r.low
            if not np.isnan(r.high):
                inside &= x <= r.high
        return inside


def _limits(low: dict[str, float], high: dict[str, float], x: pd.DataFrame,
            qp: dict[str, list[float]] | None = None) -> pd.DataFrame:
    rows = []
    for f in x.columns:
        lo, hi = low.get(f, math.nan), high.get(f, math.nan)
        if np.isnan(lo) and np.isnan(hi):
            continue
        q = [v for v in (qp or {}).get(f, []) if v >= 0]
        rows.append({"factor": f, "low": lo, "high": hi, "min": float(x[f].min()), "max": float(x[f].max()),
                     "qp": max(q) if q else math.nan})
    frame = pd.DataFrame(rows, columns=["factor", "low", "high", "min", "max", "qp"])
    cut = 1 - (frame["high"].fillna(frame["max"]) - frame["low"].fillna(frame["min"])) / \
        (frame["max"] - frame["min"]).where(frame["max"] > frame["min"], 1.0)
    return frame.assign(cut=cut).sort_values("cut", ascending=False, kind="stable").drop(columns="cut") \
        .reset_index(drop=True)


def _prim(x: pd.DataFrame, y: np.ndarray, *, threshold: float, mass_min: float, peel_alpha: float,
          max_boxes: int) -> tuple[list[Box], pd.DataFrame]:
    with warnings.catch_warnings():  # EMA Workbench warns on import about optional parallel back ends
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

    with warnings.catch_warnings():  # and pandas about EMA Workbench's use of it: nothing for our users to do
        warnings.filterwarnings("ignore", module=r"ema_workbench\.")
        finder = prim.Prim(x, y.astype(bool), threshold=threshold, peel_alpha=peel_alpha, mass_min=mass_min)
    boxes, trajectories = [], []
    left = y.astype(bool).copy()  # the cases of interest that no box holds yet
    while len(boxes) < max_boxes:
        if left.sum() < threshold * mass_min * len(y):
            break  # too few left for any box of mass >= mass_min to reach the density: PRIM would only peel
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", module=r"ema_workbench\.")
            found = finder.find_box()
        if found is None:
            break
        traj = found.peeling_trajectory.reset_index(drop=True)
        if int(traj["res_dim"].iloc[-1]) == 0 or float(traj["density"].iloc[-1]) < threshold:
            break  # PRIM's "dump box": the remaining points hold no box dense enough
        ok = traj.index[traj["density"] >= threshold]
        cov, dens = traj["coverage"].astype(float), traj["density"].astype(float)
        balance = 2 * cov * dens / (cov + dens).where(cov + dens > 0, 1.0)  # their harmonic mean
        step = int(balance.loc[ok].idxmax()) if len(ok) else int(dens.idxmax())
        found.select(step)
        left[found.yi] = False
        lims, box_init = found.box_lims[step], finder.box_init
        low = {f: float(lims[f].iloc[0]) for f in x.columns if lims[f].iloc[0] > box_init[f].iloc[0]}
        high = {f: float(lims[f].iloc[1]) for f in x.columns if lims[f].iloc[1] < box_init[f].iloc[1]}
        row = traj.loc[step]
        boxes.append(Box(len(boxes) + 1, float(row["coverage"]), float(row["density"]), float(row["mass"]),
                         int(row["n"]), int(row["k"]), _limits(low, high, x, found.qp[step]), step))
        trajectories.append(pd.DataFrame({
            "box": len(boxes), "step": np.arange(len(traj)), "coverage": traj["coverage"].astype(float),
            "density": traj["density"].astype(float), "mass": traj["mass"].astype(float),
            "restricted": traj["res_dim"].astype(int), "points": traj["n"].astype(int),
            "chosen": np.arange(len(traj)) == step}))
    return boxes, _trajectory(trajectories)


def _trajectory(frames: list[pd.DataFrame]) -> pd.DataFrame:
    cols = ["box", "step", "coverage", "density", "mass", "restricted", "points", "chosen"]
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)


def _cart(x: pd.DataFrame, y: np.ndarray, *, mass_min: float, max_depth: int) -> tuple[list[Box], pd.DataFrame]:
    from sklearn.tree import DecisionTreeClassifier

    n, total = len(y), int(y.sum())
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=max(1, math.ceil(mass_min * n)),
                                  random_state=0)
    tree.fit(x.to_numpy(), y.astype(int))
    t = tree.tree_
    leaf_of = tree.apply(x.to_numpy())
    counts = np.bincount(leaf_of, minlength=t.node_count)
    hits = np.bincount(leaf_of, weights=y.astype(np.float64), minlength=t.node_count).astype(np.int64)
    names = list(x.columns)
    leaves: list[tuple[int, dict, dict]] = []

    def walk(node: int, low: dict, high: dict) -> None:
        if t.children_left[node] == -1:
            leaves.append((node, low, high))
            return
        f, thr = names[t.feature[node]], float(t.threshold[node])
        walk(t.children_left[node], low, {**high, f: min(high.get(f, math.inf), thr)})
        walk(t.children_right[node], {**low, f: max(low.get(f, -math.inf), thr)}, high)

    walk(0, {}, {})
    rows, boxes = [], []
    for node, low, high in leaves:
        size, k = int(counts[node]), int(hits[node])
        rows.append({"leaf": node, "coverage": k / total, "density": k / size if size else 0.0, "mass": size / n,
                     "restricted": len(set(low) | set(high)), "points": size, "low": low, "high": high, "k": k})
    rows.sort(key=lambda r: (-r["coverage"], -r["density"], r["leaf"]))
    for r in rows:
        if r["density"] > 0.5:
            boxes.append(Box(len(boxes) + 1, r["coverage"], r["density"], r["mass"], r["points"], r["k"],
                             _limits(r["low"], r["high"], x), r["leaf"]))
    chosen = {b.step for b in boxes[:1]}
    traj = pd.DataFrame({"box": 0, "step": [r["leaf"] for r in rows], "coverage": [r["coverage"] for r in rows],
                         "density": [r["density"] for r in rows], "mass": [r["mass"] for r in rows],
                         "restricted": [r["restricted"] for r in rows], "points": [r["points"] for r in rows],
                         "chosen": [r["leaf"] in chosen for r in rows]})
    traj["box"] = traj["step"].map({b.step: b.number for b in boxes}).fillna(0).astype(int)
    return boxes, traj


def find_boxes(x: pd.DataFrame, interest: np.ndarray, method: str = "prim", *, threshold: float = 0.8,
               mass_min: float = 0.05, peel_alpha: float = 0.05, max_boxes: int = 3,
               max_depth: int = CART_DEPTH) -> tuple[list[Box], pd.DataFrame]:
    """Boxes over the inputs ``x`` (one numeric column per factor) where ``interest`` is true.

    Args:
        x: the inputs, one row per case.
        interest: which cases are of interest (booleans, one per row).
        method: ``prim`` (EMA Workbench) or ``cart`` (scikit-learn).
        threshold: PRIM: the density a box must reach; the box chosen on a trajectory is the one, among
            those that reach it, with the highest harmonic mean of coverage and density.
        mass_min: the least share of the cases in a box (PRIM's ``mass_min``, CART's ``min_samples_leaf``).
        peel_alpha: PRIM: the share of the points peeled at each step.
        max_boxes: PRIM: the most boxes to find, one after another.
        max_depth: CART: the tree's depth.

    Returns:
        The boxes (best first) and the trajectory: for PRIM each box's peeling trajectory (``box``,
        ``step``, ``coverage``, ``density``, ``mass``, ``restricted``, ``points``, ``chosen``); for
        CART the same columns for every leaf (``box`` 0 for a leaf that is no box).

    Raises:
        PeninsulaError: for an unknown method, or an option out of its range.
    """
    _check_options(method, threshold, mass_min, max_boxes)
    interest = np.asarray(interest, dtype=bool)
    x = x.reset_index(drop=True).astype(np.float64)
    if method == "prim":
        return _prim(x, interest, threshold=threshold, mass_min=mass_min, peel_alpha=peel_alpha,
                     max_boxes=max_boxes)
    return _cart(x, interest, mass_min=mass_min, max_depth=max_depth)


def _check_options(method: str, threshold: float, mass_min: float, max_boxes: int) -> None:
    if method not in METHODS:
        raise PeninsulaError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}", field="--method")
    if not 0 < threshold <= 1:
        raise PeninsulaError(f"expected a density above 0 and at most 1, got {threshold!r}", field="--threshold")
    if not 0 < mass_min < 1:
        raise PeninsulaError(f"expected a share above 0 and below 1, got {mass_min!r}", field="--mass-min")
    if isinstance(max_boxes, bool) or not isinstance(max_boxes, int) or max_boxes < 1:
        raise PeninsulaError(f"expected at least 1 box, got {max_boxes!r}", field="--max-boxes")


# -- the result ------------------------------------------------------------------------------------------------------
@dataclass
class Discovery:
    """The boxes that scenario discovery found, the cases it looked at and how it chose.

    ``cases`` has one row per design point looked at: ``point``, the input columns (``factors``),
    ``outcome`` (the statistic over the point's members) and ``interest``.
    """

    method: str
    outcome: str
    statistic: str
    rule: str
    factors: list[str]
    cases: pd.DataFrame
    boxes: list[Box]
    trajectory: pd.DataFrame
    source: str = ""
    policy: str | None = None
    settings: dict = field(default_factory=dict)

    @property
    def of_interest(self) -> int:
        """How many cases are of interest."""
        return int(self.cases["interest"].sum())

    @property
    def title(self) -> str:
        """What was asked, in words."""
        scope = f", policy {self.policy}" if self.policy is not None else ""
        return (f"{self.method.upper()} on {self.outcome} ({self.statistic} over members) {self.rule}: "
                f"{self.of_interest:,} of {len(self.cases):,} design points of interest{scope}")

    def to_frame(self) -> pd.DataFrame:
        """One row per box and restricted dimension: the box's statistics and the dimension's range."""
        cols = ["method", "outcome", "rule", "box", "coverage", "density", "mass", "points", "of_interest",
                "factor", "low", "high", "min", "max", "qp"]
        rows = []
        for b in self.boxes:
            head = {"method": self.method, "outcome": self.outcome, "rule": self.rule, "box": b.number,
                    "coverage": b.coverage, "density": b.density, "mass": b.mass, "points": b.points,
                    "of_interest": b.of_interest}
            lims = b.limits.to_dict("records") or [{"factor": "", "low": math.nan, "high": math.nan,
                                                      "min": math.nan, "max": math.nan, "qp": math.nan}]
            rows += [{**head, **r} for r in lims]
        return pd.DataFrame(rows, columns=cols)

    # charts
    def _sample(self) -> pd.DataFrame:
        if len(self.cases) <= CHART_POINTS:
            return self.cases
        keep = np.sort(np.random.default_rng(0).choice(len(self.cases), CHART_POINTS, replace=False))
        return self.cases.iloc[keep]

    def _box_axes(self) -> tuple[str, str | None]:
        """The two dimensions the first box restricts most (x, y); y None: the outcome goes on y."""
        dims = list(self.boxes[0].limits["factor"]) if self.boxes else []
        if len(dims) >= 2:
            return dims[0], dims[1]
        return (dims[0] if dims else self.factors[0]), None

    def figures(self):
        """Plotly figures: the trajectory (coverage against density) and the first box over the points."""
        import plotly.graph_objects as go

        traj = go.Figure()
        for b, block in self.trajectory.groupby("box", sort=True):
            name = f"box {b}" if self.method == "prim" else ("leaves of interest" if b else "other leaves")
            traj.add_trace(go.Scatter(
                x=block["coverage"], y=block["density"], mode="lines+markers" if self.method == "prim" else "markers",
                name=name, customdata=np.column_stack([block["mass"], block["restricted"], block["step"]]),
                hovertemplate="coverage %{x:.3f}<br>density %{y:.3f}<br>mass %{customdata[0]:.3f}<br>"
                              "restricted dimensions %{customdata[1]}<br>step %{customdata[2]}<extra></extra>"))
        chosen = self.trajectory[self.trajectory["chosen"]]
        traj.add_trace(go.Scatter(x=chosen["coverage"], y=chosen["density"], mode="markers", name="chosen box",
                                  marker={"symbol": "star", "size": 16, "color": "black"}))
        what = "peeling trajectory" if self.method == "prim" else "tree leaves"
        traj.update_layout(title=f"{what}: {self.outcome} {self.rule}", xaxis_title="coverage",
                           yaxis_title="density", xaxis_range=[0, 1.02], yaxis_range=[0, 1.02], template="plotly_white")
        fig = go.Figure()
        pts = self._sample()
        xcol, ycol = self._box_axes()
        for flag, name, color in ((False, "other points", "#9aa5b1"), (True, "of interest", "#d62728")):
            sel = pts[pts["interest"] == flag]
            fig.add_trace(go.Scattergl(x=sel[xcol], y=sel[ycol] if ycol else sel["outcome"], mode="markers",
                                       name=name, marker={"size": 4, "color": color, "opacity": 0.6}))
        if self.boxes:
            x0, x1, y0, y1 = self._rectangle(xcol, ycol)
            fig.add_shape(type="rect", x0=x0, x1=x1, y0=y0, y1=y1, line={"color": "black", "width": 2})
        note = f" ({len(pts):,} of {len(self.cases):,} points drawn)" if len(pts) < len(self.cases) else ""
        head = f"box 1: {self.boxes[0].describe()}" if self.boxes else "no box found"
        fig.update_layout(title=f"{head}{note}", xaxis_title=xcol, yaxis_title=ycol or f"{self.outcome} "
                          f"({self.statistic})", template="plotly_white")
        return traj, fig

    def _rectangle(self, xcol: str, ycol: str | None) -> tuple[float, float, float, float]:
        lims = self.boxes[0].limits.set_index("factor")
        out = []
        for col in (xcol, ycol):
            if col is None:
                out += [float(self.cases["outcome"].min()), float(self.cases["outcome"].max())]
                continue
            lo, hi = float(self.cases[col].min()), float(self.cases[col].max())
            if col in lims.index:
                lo = lo if np.isnan(lims.loc[col, "low"]) else float(lims.loc[col, "low"])
                hi = hi if np.isnan(lims.loc[col, "high"]) else float(lims.loc[col, "high"])
            out += [lo, hi]
        return out[0], out[1], out[2], out[3]

    def pngs(self) -> dict[str, bytes]:
        """The two charts as PNG (matplotlib, no display needed): ``trajectory.png`` and ``box.png``."""
        from matplotlib.figure import Figure
        from matplotlib.patches import Rectangle

        out = {}
        fig = Figure(figsize=(7, 5), dpi=100)
        ax = fig.subplots()
        for b, block in self.trajectory.groupby("box", sort=True):
            label = f"box {b}" if self.method == "prim" else ("leaves of interest" if b else "other leaves")
            ax.plot(block["coverage"], block["density"], "o-" if self.method == "prim" else "o", ms=3, label=label)
        chosen = self.trajectory[self.trajectory["chosen"]]
        ax.plot(chosen["coverage"], chosen["density"], "k*", ms=14, label="chosen box")
        ax.set(xlabel="coverage", ylabel="density", xlim=(0, 1.02), ylim=(0, 1.02),
               title=f"{'peeling trajectory' if self.method == 'prim' else 'tree leaves'}: {self.outcome} {self.rule}")
        ax.title.set_fontsize(9)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
        out["trajectory.png"] = _png(fig)
        fig = Figure(figsize=(7, 5), dpi=100)
        ax = fig.subplots()
        pts = self._sample()
        xcol, ycol = self._box_axes()
        for flag, name, color in ((False, "other points", "#9aa5b1"), (True, "of interest", "#d62728")):
            sel = pts[pts["interest"] == flag]
            ax.scatter(sel[xcol], sel[ycol] if ycol else sel["outcome"], s=4, c=color, alpha=0.6, label=name,
                       rasterized=True)
        if self.boxes:
            x0, x1, y0, y1 = self._rectangle(xcol, ycol)
            ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, lw=2, ec="black"))
        ax.set(xlabel=xcol, ylabel=ycol or f"{self.outcome} ({self.statistic})",
               title=textwrap.fill(f"box 1: {self.boxes[0].describe()}" if self.boxes else "no box found", 100))
        ax.title.set_fontsize(9)
        ax.legend(fontsize=8)
        out["box.png"] = _png(fig)
        return out

    def files(self) -> dict[str, bytes]:
        """Every output file by name, as bytes (nothing is written)."""
        traj, box = self.figures()
        html = _html_page(self.title, [traj, box])
        return {"boxes.csv": self.to_frame().to_csv(index=False).encode(),
                "trajectory.csv": self.trajectory.to_csv(index=False).encode(),
                "discover.html": html.encode(), **self.pngs()}

    def save(self, out: str | Path) -> list[Path]:
        """Write the outputs into the folder ``out`` (made if need be); see :func:`write_files`."""
        return write_files(out, self.files())


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _html_page(title: str, figures) -> str:
    """One self-contained HTML page (plotly.js inside, works offline) holding the figures."""
    from html import escape

    body = "\n".join(f.to_html(full_html=False, include_plotlyjs=(i == 0)) for i, f in enumerate(figures))
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{escape(title)}</title></head>\n"
            f"<body>\n<h3>{escape(title)}</h3>\n{body}\n</body></html>\n")


def write_files(out: str | Path, files: dict[str, bytes]) -> list[Path]:
    """Write every file under a temporary name in ``out`` first, then rename them all: no half-written output.

    If anything fails before the renames, the temporary files are removed and nothing is left.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    temps: dict[str, str] = {}
    mask = os.umask(0)
    os.umask(mask)
    try:
        for name, data in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=out)
            temps[name] = tmp
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, 0o666 & ~mask)  # as an ordinary new file (mkstemp makes it private)
        for name, tmp in temps.items():
            publish(tmp, out / name)
    except BaseException:
        for tmp in temps.values():
            Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(out)
    return [out / name for name in files]


# -- the entry point -------------------------------------------------------------------------------------------------
def discover(source, outcome: str, *, where: str | Criterion | None = None,
             top: str | float | None = None, bottom: str | float | None = None, method: str = "prim",
             statistic: str = "mean", policy: str | None = None, threshold: float = 0.8, mass_min: float = 0.05,
             peel_alpha: float = 0.05, max_boxes: int = 3, max_depth: int = CART_DEPTH) -> Discovery:
    """Scenario discovery on an experiment: the boxes of the factor space where ``outcome`` meets the rule.

    Args:
        source: an experiment folder written by ``peninsula batch``, an experiment (``sim.experiment(...)``,
            ``sim.load_experiment(...)``), or one read (:class:`ExperimentData`).
        outcome: ``IND`` or ``IND@YYYY-MM``, an outcome the experiment recorded.
        where: the cases of interest: their outcome meets this comparison (``"< 0.6"``).
        top: or the share of the points with the highest outcomes (``"10%"`` or 0.1).
        bottom: or the share with the lowest.
        method: ``prim`` or ``cart``.
        statistic: the outcome of a point over its members: ``mean``, ``median``, ``p10`` or ``p90``.
        policy: only this policy's points (a design with a ``policy`` column).
        threshold: see :func:`find_boxes`.
        mass_min: see :func:`find_boxes`.
        peel_alpha: see :func:`find_boxes`.
        max_boxes: see :func:`find_boxes`.
        max_depth: see :func:`find_boxes`.

    Raises:
        PeninsulaError: naming the option or file, for a folder that is not an experiment, an outcome it
            did not record, a rule that does not parse, or cases that leave nothing to discover.
    """
    _check_options(method, threshold, mass_min, max_boxes)
    if statistic not in STATISTICS:
        raise PeninsulaError(f"unknown statistic {statistic!r}; expected one of {', '.join(STATISTICS)}",
                             field="--statistic")
    rule = interest_rule(where=where, top=top, bottom=bottom)
    data = as_experiment(source)
    column = data.resolve_outcome(outcome)
    rows = select_policy(data, policy)
    values = data.point_values(column, statistic)[rows]
    design = data.design[rows].reset_index(drop=True)
    factors = [f for f in data.factors if design[f].nunique() > 1]
    if not factors:
        raise PeninsulaError("no factor varies over these design points, so there is no space to discover boxes "
                             "in; run a design that varies levers or uncertainties ('peninsula batch --design lhs "
                             "--samples K')", file=str(data.directory))
    interest, words = rule.apply(values)
    k = int(interest.sum())
    if k == 0 or k == len(values):
        raise PeninsulaError(f"{'no' if k == 0 else 'every'} design point has {column} ({statistic}) {words}: the "
                             f"values run from {values.min():.4g} to {values.max():.4g}, so there is nothing to "
                             "tell apart; choose another threshold", field=rule.option)
    cases = design[["point", *factors]].assign(outcome=values, interest=interest)
    boxes, traj = find_boxes(cases[factors], interest, method, threshold=threshold, mass_min=mass_min,
                             peel_alpha=peel_alpha, max_boxes=max_boxes, max_depth=max_depth)
    return Discovery(method, column, statistic, words, factors, cases, boxes, traj, str(data.directory), policy,
                     {"threshold": threshold, "mass_min": mass_min, "peel_alpha": peel_alpha,
                      "max_boxes": max_boxes, "max_depth": max_depth})
