"""What the pages show, computed once and cached: scenarios, runs, ensembles, saved runs and experiments.

Runs are cached by (scenario content, lever values, members, seed), so moving a lever
back to an earlier position redraws at once. Everything here calls ``sim`` for the
model; the only computing done here is presentation: percentiles across members and
shares of members, which Results and saved runs both reduce to an :class:`Ensemble`.

Each actor holds a *posture* (its instruments' levels, which are indicators, so their
bands are among the others) and makes a *move* each month: ``keep``, a step of an
instrument, or a one-off act. A month in which the actor does not review its posture
records ``keep`` with the reason "between reviews" (:data:`dashboard.story.BETWEEN`); the shares here
count it apart (:attr:`Ensemble.reviewed`).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

import sim
from sim.actors import ACTOR_CLASSES
from dashboard.story import BETWEEN
from sim.actors.base import KEEP
from sim.indicators import ACTORS, NAMES, canonical_indicator
from sim.batch.discover import ExperimentData
from sim.engine.results import read_manifest
from sim.data import SCENARIO_DIR
from sim.errors import PeninsulaError
from sim.scenario import scenario_value

PERCENTILES = (10, 50, 90)
"""The band (10% and 90%) and the median shown for every indicator."""

Settings = tuple[tuple[str, float], ...]
"""Lever values as a sorted tuple of (path, value): hashable, so it can key a cache."""


# -- scenarios ----------------------------------------------------------------------------------------
def bundled_scenarios() -> list[str]:
    """Names of the bundled scenarios (``scenarios/*.yaml``), baseline first."""
    names = sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))
    return sorted(names, key=lambda n: (n != "baseline", n))


@st.cache_data(show_spinner=False, max_entries=64)
def _load_file(path: str, mtime_ns: int) -> sim.Scenario:
    return sim.load_scenario(path)


def load_bundled(name: str) -> sim.Scenario:
    """A bundled scenario by name (cached until its file changes)."""
    path = SCENARIO_DIR / f"{name}.yaml"
    return _load_file(str(path), path.stat().st_mtime_ns if path.exists() else 0)


def bundled_titles() -> dict[str, str]:
    """Name -> title of every bundled scenario (cached until a file changes).

    The scenario picker shows them on every run; one small cached dict costs a tenth of
    loading each scenario from the cache (a copy of the whole scenario each time).
    """
    stamp = tuple((n, (SCENARIO_DIR / f"{n}.yaml").stat().st_mtime_ns) for n in bundled_scenarios())
    return _titles(stamp)


@st.cache_data(show_spinner=False, max_entries=4)
def _titles(stamp: tuple[tuple[str, int], ...]) -> dict[str, str]:
    return {name: load_bundled(name).title for name, _ in stamp}


@st.cache_data(show_spinner=False, max_entries=32)
def load_uploaded(text: str, name: str) -> sim.Scenario:
    """A scenario from an uploaded file's text; raises ScenarioError as ``peninsula validate`` would."""
    return sim.load_scenario_text(text, name=name)


def lever_default(scenario: sim.Scenario, lever) -> float:
    """Where a lever starts: its ``value``, else the scenario's own value of the path."""
    return float(lever.value) if lever.value is not None else scenario_value(scenario, lever.path)


def default_settings(scenario: sim.Scenario) -> dict[str, float]:
    """Every lever at its starting position."""
    return {lv.path: lever_default(scenario, lv) for lv in scenario.levers}


def settings_key(settings: dict[str, float]) -> Settings:
    """Lever values as a hashable, order-free cache key (10 significant digits: 0.30000000000000004 is 0.3)."""
    return tuple(sorted((k, float(f"{float(v):.10g}")) for k, v in settings.items()))


# -- runs -----------------------------------------------------------------------------------------------
@st.cache_resource(show_spinner="Running the ensemble…", max_entries=8)
def run(scenario_hash: str, settings: Settings, members: int, seed: int, _scenario: sim.Scenario) -> sim.Results:
    """``sim.run`` of a scenario with lever values, cached by content hash, levers, members and seed.

    The Results of a 1,000-member run weigh about 20 MB, so they are kept as one shared,
    read-only object (``cache_resource``, the last few runs) rather than copied on every
    read; what the charts draw is the small :class:`Ensemble` below (``cache_data``, many
    more), so moving back to an earlier setting redraws without running again.
    """
    return sim.run(_scenario, members=members, seed=seed, settings=dict(settings))


@dataclass(frozen=True)
class Ensemble:
    """What the charts draw: per indicator its 10%, 50% and 90% across members, and the shares of moves.

    The postures are indicators (``CHN.trade_level``...), so their bands are in ``bands``.

    Attributes:
        label: how to name it in a legend (scenario and lever values).
        dates: ``YYYY-MM`` of months 0..months (months + 1 labels).
        members: how many members it summarises.
        bands: indicator -> array (3, months + 1): 10th percentile, median, 90th percentile.
        shares: actor -> move -> array (months,): share of members making it (``keep`` included:
            both the keeps of a review and those between reviews).
        events: the scenario's scheduled events as (month, label).
        reviewed: actor -> array (months,): share of members in which the actor reviewed its
            posture that month (the rest kept it "between reviews").
    """

    label: str
    dates: list[str]
    members: int
    bands: dict[str, np.ndarray]
    shares: dict[str, dict[str, np.ndarray]]
    events: list[tuple[str, str]] = field(default_factory=list)
    reviewed: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def horizon(self) -> int:
        """Index of the last month (the number of months)."""
        return len(self.dates) - 1

    def median(self, name: str, month: int | None = None) -> float:
        """Median of an indicator at a month index (default: the horizon)."""
        return float(self.bands[name][1, self.horizon if month is None else month])

    def review_months(self, actor: str) -> int:
        """In how many months the actor reviewed its posture in at least one member."""
        return int((self.reviewed[actor] > 0).sum())

    def moves(self, actor: str) -> list[str]:
        """The actor's moves other than ``keep``, in their declared order."""
        return [m for m in self.shares[actor] if m != KEEP]

    @cached_property
    def digest(self) -> str:
        """A hash of what the band charts draw (label, dates, members, events, bands): a cache key for figures."""
        h = hashlib.blake2b(repr((self.label, self.dates, self.members, self.events)).encode(), digest_size=16)
        for name in sorted(self.bands):
            h.update(name.encode())
            h.update(np.ascontiguousarray(self.bands[name], dtype=np.float64).tobytes())
        return h.hexdigest()


def bands_of(stack: np.ndarray) -> dict[str, np.ndarray]:
    """Percentile bands of a stack of values: indicator -> (3, months + 1).

    ``stack`` is (indicators, months + 1, members), indicators in the order of ``sim.indicators.NAMES``;
    each band holds the 10th percentile, the median and the 90th percentile.

    Same numbers as ``np.percentile`` (linear interpolation), from one sort along the
    members, which is several times faster than ``np.percentile`` on many short rows.
    """
    s = np.sort(stack, axis=-1).astype(np.float64, copy=False)  # interpolate in double precision
    n = s.shape[-1]
    qs = []
    for p in PERCENTILES:
        pos = p / 100.0 * (n - 1)
        lo = int(np.floor(pos))
        hi = min(lo + 1, n - 1)
        frac = pos - lo
        qs.append(s[..., lo] * (1.0 - frac) + s[..., hi] * frac if frac else s[..., lo])
    q = np.stack(qs)  # (3, indicators, months + 1)
    return {name: np.ascontiguousarray(q[:, i, :]) for i, name in enumerate(NAMES)}


def reviewed_mask(results: sim.Results, actor: str) -> np.ndarray:
    """Where the actor reviewed its posture: bool (members, months); False where it kept it between reviews.

    Read from the reasons' labels (``Results.reasons``), which a saved run keeps as they were.
    """
    return results.reasons(actor) != BETWEEN


def ensemble_from_results(results: sim.Results, label: str = "") -> Ensemble:
    """Reduce a run to its bands, the shares of its moves and the share of members reviewing."""
    # history is (months + 1, indicators, members) in NAMES order (see sim.Results)
    stack = np.ascontiguousarray(results.history.transpose(1, 0, 2))
    return Ensemble(label=label or results.scenario.name, dates=list(results.dates), members=results.members,
                    bands=bands_of(stack), shares={a: results.option_shares(a) for a in ACTORS},
                    events=[(e.month, e.label) for e in results.scenario.events],
                    reviewed={a: reviewed_mask(results, a).mean(axis=0) for a in ACTORS})


@st.cache_data(show_spinner="Running the ensemble…", max_entries=64)
def ensemble(scenario_hash: str, settings: Settings, members: int, seed: int, _scenario: sim.Scenario,
             label: str = "") -> Ensemble:
    """The :class:`Ensemble` of a cached run."""
    return ensemble_from_results(run(scenario_hash, settings, members, seed, _scenario), label)


def member_record(results: sim.Results, member: int, *, scorecards: bool = True) -> dict[str, dict]:
    """What one member's actors did, why, and how their postures moved, month by month.

    Returns:
        actor -> {"move": [..] (months), "reason": [..] (months), "scorecard": [{interest: advantage}, ..]
        or None (``scorecards=False``: a saved run keeps none), "levels": {instrument: [..] (months + 1)},
        "events": {instrument: [month index, ..]}}. ``levels[i][t]`` is the instrument's level at
        the start of month ``t``, after that month's scheduled events (which ``events[i]`` lists
        where they set or shift it): a move of month ``t`` takes the level from ``levels[i][t]``
        to ``levels[i][t + 1]`` unless an event of month ``t + 1`` changed it again.
    """
    pos = int(np.flatnonzero(results.member_ids == member)[0])
    touched = event_months(results.scenario)
    out = {}
    for a in ACTORS:
        instruments = [i.indicator for i in ACTOR_CLASSES[a].instruments]
        out[a] = {"move": list(results.choices(a)[pos]), "reason": list(results.reasons(a)[pos]),
                  "scorecard": [results.scorecard(a, member, t) for t in range(results.months)] if scorecards
                  else None,
                  "levels": {i: [float(v) for v in results.indicator(i)[pos]] for i in instruments},
                  "events": {i: touched[i] for i in instruments if i in touched}}
    return out


def event_months(scenario: sim.Scenario) -> dict[str, list[int]]:
    """Indicator -> the month indices at which a scheduled event of the scenario sets or shifts it."""
    out: dict[str, list[int]] = {}
    for ev in scenario.events:
        t = scenario.month_index(ev.month)
        for path in (*ev.set, *ev.shift):
            name = canonical_indicator(path)
            if name is not None:
                out.setdefault(name, []).append(t)
    return out


# -- saved runs --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SavedRun:
    """A folder written by ``peninsula run`` (or ``Results.save``), read back with ``sim.Results.load``."""

    directory: str
    manifest: dict
    results: sim.Results
    ensemble: Ensemble

    @property
    def scenario(self) -> sim.Scenario:
        """The scenario the run was made from (resolved)."""
        return self.results.scenario

    @property
    def member_ids(self) -> np.ndarray:
        """The run's member ids."""
        return self.results.member_ids

    def member_record(self, member: int) -> dict[str, dict]:
        """Like :func:`member_record`, without scorecards (a saved run does not keep them)."""
        return member_record(self.results, member, scorecards=False)


def runs_dir() -> Path:
    """Where ``peninsula run`` writes by default (``runs/`` in the folder the dashboard was started from)."""
    return Path.cwd() / "runs"


class RunRefused(PeninsulaError):
    """A path the Results page does not open: not under ``runs/`` (the words never say whether it exists)."""


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def resolve_run(ref: str | Path, base: Path | None = None) -> Path:
    """The real path of a run folder under ``runs/`` named by ``ref``, else :class:`RunRefused`.

    ``ref`` is an absolute path, a path relative to the folder the dashboard runs in that
    starts with ``runs/`` (``runs/baseline``), or any other relative path, taken inside
    ``runs/`` (``baseline``). Symlinks and ``..`` are resolved first, so a link out of
    ``runs/`` is refused like any other path outside it; the refusal is the same sentence
    whatever the path, so it does not tell whether something exists there.
    """
    base = runs_dir() if base is None else Path(base)
    text = str(ref).strip()
    try:
        if not text or "\x00" in text:
            raise ValueError(text)
        root = Path(os.path.realpath(base))
        p = Path(text)
        if not p.is_absolute():
            p = (base.parent / p) if p.parts[:1] == (base.name,) else (base / p)
        real = Path(os.path.realpath(p))
        if _inside(real, root):
            return real
    except (OSError, ValueError, RuntimeError):
        pass  # an unreadable or impossible path is refused below, with the same words as any outside path
    raise RunRefused("This page opens only run folders under runs/ in the folder the dashboard was started from: "
                     "give a run's name there (baseline) or its path (runs/baseline).")


def find_runs(base: Path | None = None) -> list[str]:
    """Run folders (with a manifest) under ``runs/``, newest first (none that a symlink takes out of it)."""
    base = runs_dir() if base is None else base
    if not base.is_dir():
        return []
    root = Path(os.path.realpath(base))
    found = [p.parent for p in base.glob("*/manifest.json")] + [p.parent for p in base.glob("*/*/manifest.json")]
    kept = []
    for p in found:
        try:
            if _inside(Path(os.path.realpath(p)), root):
                kept.append((p.stat().st_mtime, p))
        except OSError:  # gone meanwhile
            continue
    return [str(p) for _, p in sorted(kept, key=lambda t: t[0], reverse=True)]


def open_run(directory: str | Path) -> SavedRun:
    """Read a saved run (cached by folder and outputs' hashes).

    Raises:
        PeninsulaError: for a folder that is not a complete Peninsula run.
    """
    manifest = read_manifest(directory)  # raises PeninsulaError for a non-run folder
    if not isinstance(manifest, dict):
        raise PeninsulaError("the manifest is damaged: not a JSON object", file=str(Path(directory) / "manifest.json"))
    outputs = manifest.get("outputs")
    outputs = outputs if isinstance(outputs, dict) else {}
    stamp = "|".join(f"{k}:{v.get('sha256', '')}" for k, v in sorted(outputs.items()) if isinstance(v, dict))
    return _open_run(str(directory), stamp)


@st.cache_resource(show_spinner="Reading the run…", max_entries=8)
def _open_run(directory: str, stamp: str) -> SavedRun:
    results = sim.Results.load(directory)
    manifest = read_manifest(directory)
    label = manifest.get("scenario_name") or results.scenario.name
    return SavedRun(directory=str(directory), manifest=manifest, results=results,
                    ensemble=ensemble_from_results(results, label))


def results_csv_of_run(directory: str) -> bytes:
    """The tidy results of a saved run as CSV (member, month, date, variable, value)."""
    return open_run(directory).results.to_frame().to_csv(index=False).encode()


# -- comparisons and expectations (sim.compare, sim.check) ---------------------------------------------------
def compare(hash_a: str, settings_a: Settings, hash_b: str, settings_b: Settings, members: int, seed: int,
            _a: sim.Scenario, _b: sim.Scenario) -> sim.Comparison:
    """B against A (``sim.compare_results``), both from the cached runs: same members and seed."""
    return sim.compare_results(run(hash_a, settings_a, members, seed, _a), run(hash_b, settings_b, members, seed, _b))


@st.cache_data(show_spinner="Checking the expectations…", max_entries=64)
def check(scenario_hash: str, members: int, seed: int, _scenario: sim.Scenario) -> list:
    """``sim.check`` of a scenario's expectations (cached by content, members and seed)."""
    return sim.check(_scenario, members=members, seed=seed)


# -- saved experiments (sim.load_experiment, sim.discover, sim.robust) -------------------------------------------
@dataclass(frozen=True)
class SavedExperiment:
    """A folder written by ``peninsula batch`` (or ``ExperimentResults.save``): what the Experiments page shows.

    Attributes:
        directory: the folder.
        stamp: the SHA-256 of its manifest (which holds every output's hash): the cache key with the folder.
        scenario: the scenario's name; ``title`` its title.
        members: members per design point; ``seed`` the experiment's seed.
        design: the design table (``point``, [``policy``, ``scenario``,] a column per varied path).
        outcomes: the outcomes as asked (``IND``: a whole series, or ``IND@YYYY-MM``).
        columns: the recorded outcome columns (``IND@YYYY-MM``).
        factors: the design's factor columns that vary (levers and uncertainties).
        policies: the policies in design order (empty for a design without a ``policy`` column).
    """

    directory: str
    stamp: str
    scenario: str
    title: str
    members: int
    seed: int
    design: pd.DataFrame
    outcomes: list[str]
    columns: list[str]
    factors: list[str]
    policies: list[str]

    @property
    def points(self) -> int:
        """How many design points."""
        return len(self.design)

    @property
    def scenarios(self) -> int:
        """How many scenarios (uncertainty settings): the ``scenario`` column's, else one per point of a policy."""
        if "scenario" in self.design.columns:
            return int(self.design["scenario"].nunique())
        return self.points // max(1, len(self.policies))


def manifest_stamp(directory: str | Path) -> str:
    """The SHA-256 of a folder's ``manifest.json`` (it changes whenever an output does).

    Raises:
        PeninsulaError: for a folder without a readable manifest.
    """
    path = Path(directory) / "manifest.json"
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        raise PeninsulaError("not an experiment folder (no manifest.json); give a folder written by "
                             "'peninsula batch' or ExperimentResults.save", file=str(directory)) from None
    except OSError as exc:
        raise PeninsulaError(f"cannot read the manifest ({exc.strerror or exc})", file=str(path)) from None


def _is_experiment(directory: Path) -> bool:
    try:
        return str(read_manifest(directory).get("format", "")).startswith("peninsula-batch/")
    except Exception:  # noqa: BLE001 - a damaged folder is simply not listed; opening it says why
        return False


def find_experiments(base: Path | None = None) -> list[str]:
    """Experiment folders (a ``peninsula-batch`` manifest) under ``runs/``, newest first."""
    return [p for p in find_runs(base) if _is_experiment(Path(p))]


def open_experiment(directory: str | Path) -> SavedExperiment:
    """Read a saved experiment (cached by folder and manifest hash).

    Raises:
        PeninsulaError: for a folder that is not a complete experiment, or a damaged one.
    """
    return _open_experiment(str(directory), manifest_stamp(directory))


@st.cache_data(show_spinner="Reading the experiment…", max_entries=16)
def _open_experiment(directory: str, stamp: str) -> SavedExperiment:
    read = ExperimentData.read(directory)  # the clearest words for a run folder or a missing part
    exp = sim.load_experiment(directory)  # the manifest and the design validated
    design = exp.design.reset_index(drop=True)
    policies = list(dict.fromkeys(design["policy"].astype(str))) if "policy" in design.columns else []
    return SavedExperiment(directory=directory, stamp=stamp, scenario=exp.scenario.name, title=exp.scenario.title,
                           members=exp.members, seed=exp.seed, design=design, outcomes=list(exp.outcomes),
                           columns=list(read.columns), factors=[f for f in read.factors if design[f].nunique() > 1],
                           policies=policies)


@st.cache_data(show_spinner="Reading the outcome…", max_entries=64)
def outcome_values(directory: str, stamp: str, outcome: str, statistic: str) -> tuple[str, np.ndarray]:
    """The recorded column an outcome names (``IND`` is its horizon) and its statistic over each point's members.

    The same reading as ``sim.discover`` and ``sim.robust`` make (one value per design point, in point order).

    Raises:
        PeninsulaError: for an outcome that is not an indicator or was not recorded, or a damaged part.
    """
    read = ExperimentData.read(directory)
    column = read.resolve_outcome(outcome, option="outcome")
    return column, read.point_values(column, statistic)


@st.cache_data(show_spinner="Looking for boxes…", max_entries=32)
def discover(directory: str, stamp: str, outcome: str, rule: str, value: str, *, statistic: str = "mean",
             policy: str | None = None, method: str = "prim") -> sim.Discovery:
    """``sim.discover`` on a saved experiment; ``rule`` is ``where``, ``top`` or ``bottom`` and ``value`` its text."""
    return sim.discover(directory, outcome, **{rule: value}, statistic=statistic, policy=policy, method=method)


@st.cache_data(show_spinner="Ranking the policies…", max_entries=32)
def robust(directory: str, stamp: str, outcome: str, *, maximise: bool = True, satisfice: str | None = None,
           statistic: str = "mean", rank_by: str = "regret") -> sim.Robustness:
    """``sim.robust`` on a saved experiment."""
    return sim.robust(directory, outcome, maximise=maximise, satisfice=satisfice or None, statistic=statistic,
                      rank_by=rank_by)
