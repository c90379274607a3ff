"""``Setup``: a scenario resolved once into what a run needs, member by member.

Every caller that runs the model (``sim.run``, batch partitions, comparisons, the game,
the dashboard) builds a Setup the same way, with :meth:`Setup.build`: the scenario loaded
and its settings applied, the members and the seed checked, every parameter path given
its value (a number, or one value per member where an uncertainty is sampled or a design
table varies it), the events by month and the scripted choices by month. Members and
seed are validated here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sim.actors import ACTOR_CLASSES
from sim.engine.rng import MemberStreams, stream_id
from sim.engine.rules import OPTION_INDEX
from sim.errors import PeninsulaError
from sim.indicators import FLOAT, INDICATORS, NAMES
from sim.params import PARAMS
from sim.scenario import Event, Scenario, Uncertainty, check_path, load_scenario, scenario_value, with_settings

Value = float | np.ndarray
"""A parameter's value: one number for every member, or an array with one per member."""


def _bound(name: str, bound: str) -> int:
    """A numeric bound (``le``, ``lt``, ...) of a field of the scenario schema."""
    for meta in Scenario.model_fields[name].metadata:
        value = getattr(meta, bound, None)
        if value is not None:
            return int(value)
    raise LookupError(f"Scenario.{name} has no {bound} bound")  # pragma: no cover


MAX_MEMBERS = _bound("members", "le")
"""The most members a run may have: the scenario schema's bound on ``members`` (10,000,000)."""


def member_ids(members: int | Sequence[int], *, repeats: bool = False, field: str = "members") -> np.ndarray:
    """A count N -> ids 0..N-1; a list -> those ids, checked before anything is allocated.

    Checked: non-negative, at most :data:`MAX_MEMBERS`, none twice unless ``repeats``. The one check of members: the CLI calls it too, with ``field`` the option's name (``--members``).
    """
    if isinstance(members, bool):
        raise PeninsulaError(f"expected a whole number of members, got {members!r}", field=field)
    if isinstance(members, int | np.integer):
        if members < 1:
            raise PeninsulaError(f"expected at least 1 member, got {members}", field=field)
        if members > MAX_MEMBERS:
            raise PeninsulaError(f"expected at most {MAX_MEMBERS:,} members (the most a run may have), "
                                 f"got {int(members):,}", field=field)
        return np.arange(int(members), dtype=np.int64)
    if hasattr(members, "__len__") and len(members) > MAX_MEMBERS:
        raise PeninsulaError(f"expected at most {MAX_MEMBERS:,} members (the most a run may have), "
                             f"got {len(members):,}", field=field)
    try:
        ids = np.asarray(list(members))
    except TypeError:
        raise PeninsulaError(f"expected a count of members or a list of member ids, got {members!r}",
                             field=field) from None
    if ids.ndim != 1 or len(ids) == 0 or not np.issubdtype(ids.dtype, np.integer) or (ids < 0).any():
        raise PeninsulaError("expected a count of members or a non-empty list of non-negative integer ids",
                             field=field)
    if not repeats and len(np.unique(ids)) != len(ids):
        raise PeninsulaError("member ids must not repeat", field=field)
    return ids.astype(np.int64)


def check_seed(seed, field: str = "seed") -> int:
    """The seed as an int, if it is a whole number in [0, 2**63): the one check of seeds."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not 0 <= seed < 2**63:
        raise PeninsulaError(f"expected a seed that is a non-negative integer below 2**63, got {seed!r}",
                             field=field)
    return int(seed)


def sample_uncertainty(unc: Uncertainty, streams: MemberStreams) -> np.ndarray:
    """Draw one value per member from an uncertainty's distribution (member-own streams)."""
    stream = stream_id(f"uncertainty:{unc.path}")
    u = streams.uniform(stream, np.array([0]))[0]
    if unc.dist == "uniform":
        return unc.low + (unc.high - unc.low) * u
    if unc.dist == "normal":
        return unc.mean + unc.sd * streams.normal(stream, 1)
    if unc.dist == "triangular":
        a, c, b = unc.low, unc.mode, unc.high
        f = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
        return np.where(u < f, left, right)
    values = np.asarray(unc.values, dtype=np.float64)
    return values[np.minimum((u * len(values)).astype(np.int64), len(values) - 1)]


@dataclass(frozen=True, eq=False)
class Setup:
    """A scenario resolved for a set of members: what a run of the model starts from.

    Attributes:
        scenario: the validated scenario (settings applied).
        seed: the run's seed; member ``i`` draws only from its own stream of ``(seed, i)``.
        member_ids: the members' ids, shape (members,).
        values: every parameter path (``params.NAME``, ``initial.INDICATOR``,
            ``ACTOR.unpredictability``, ``ACTOR.weights.INTEREST``) -> a number, or an array
            of one value per member (in the model's precision) where it varies by member.
        events: month index -> the scenario's events of that month, in file order.
        scripted: month index -> actor -> the option index the scenario scripts.
        settings: the parameter paths set for this run (``--set``, lever positions).
    """

    scenario: Scenario
    seed: int
    member_ids: np.ndarray
    values: Mapping[str, Value]
    events: Mapping[int, tuple[Event, ...]]
    scripted: Mapping[int, Mapping[str, int]]
    settings: Mapping[str, float] = field(default_factory=dict)

    @property
    def members(self) -> int:
        """How many members."""
        return len(self.member_ids)

    @classmethod
    def build(cls, scenario: Scenario | str | Path, members: int | Sequence[int] | None = None,
              seed: int | None = None, *, settings: Mapping[str, float] | None = None,
              overrides: Mapping[str, Value] | None = None) -> Setup:
        """Resolve a scenario for a run.

        Args:
            scenario: a :class:`Scenario`, or the path (or bundled name) of a scenario file.
            members: how many members (ids 0..N-1), or a list of member ids; default the scenario's.
                An id may repeat only with ``overrides``: the same member under other parameters
                (a design's points, under common random numbers).
            seed: default the scenario's.
            settings: parameter path -> value (levers, ``--set``), checked against their ranges
                (:func:`sim.scenario.with_settings`). A setting of an uncertainty's path fixes it:
                every member takes the value and nothing is drawn; the other uncertainties' draws
                do not change (each path has its own stream).
            overrides: parameter path -> a value or an array of one value per member (a design
                table's columns), applied after the uncertainties.

        Raises:
            PeninsulaError: a bad member list, seed, setting or override, with the field named.
        """
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario)
        if settings:
            scenario = with_settings(scenario, dict(settings))
        seed = check_seed(scenario.seed if seed is None else seed)
        ids = member_ids(scenario.members if members is None else members, repeats=bool(overrides))
        values = _values(scenario, MemberStreams(seed, ids), len(ids), overrides or {})
        events: dict[int, list[Event]] = {}
        for ev in scenario.events:
            events.setdefault(scenario.month_index(ev.month), []).append(ev)
        scripted: dict[int, dict[str, int]] = {}
        for sp in scenario.scripted:
            if sp.months is not None:
                ks = [scenario.month_index(m) for m in sp.months]
            else:
                ks = range(scenario.month_index(sp.from_), scenario.month_index(sp.to) + 1)
            for k in ks:
                scripted.setdefault(k, {})[sp.actor] = OPTION_INDEX[sp.actor][sp.option]
        return cls(scenario, seed, ids, values, {k: tuple(v) for k, v in events.items()}, scripted,
                   dict(settings or {}))

    def chunk(self, start: int, stop: int) -> Setup:
        """The same setup for the members at positions ``start:stop`` (per-member values sliced)."""
        values = {k: (v[start:stop] if isinstance(v, np.ndarray) and v.ndim else v) for k, v in self.values.items()}
        return Setup(self.scenario, self.seed, self.member_ids[start:stop], values, self.events, self.scripted,
                     self.settings)


def _values(sc: Scenario, streams: MemberStreams, n: int, overrides: Mapping[str, Value]) -> dict[str, Value]:
    """Every parameter path's value for ``n`` members: the scenario's, the uncertainties drawn, the overrides."""
    values: dict[str, Value] = {}
    for name in PARAMS:
        values[f"params.{name}"] = scenario_value(sc, f"params.{name}")
    for name in NAMES:
        values[f"initial.{name}"] = scenario_value(sc, f"initial.{name}")
    for code, cls in ACTOR_CLASSES.items():
        values[f"{code}.unpredictability"] = scenario_value(sc, f"{code}.unpredictability")
        for i in cls.interests:
            values[f"{code}.weights.{i.name}"] = scenario_value(sc, f"{code}.weights.{i.name}")
    for unc in sc.uncertainties:
        values[unc.path] = sample_uncertainty(unc, streams)
    for path, value in overrides.items():
        try:
            kind, name = check_path(path)
        except ValueError as exc:
            raise PeninsulaError(str(exc), field=path) from None
        key = path if kind != "initial" else f"initial.{name}"
        arr = np.asarray(value, dtype=np.float64)
        if arr.ndim > 1 or (arr.ndim == 1 and len(arr) != n):
            raise PeninsulaError(f"{arr.size} values for {n} members", field=path)
        values[key] = arr if arr.ndim else float(arr)
    for key, value in list(values.items()):  # keep values inside their valid ranges
        if isinstance(value, np.ndarray):
            name = key[len("initial."):] if key.startswith("initial.") else None
            lo, hi = ((INDICATORS[name].low, INDICATORS[name].high) if name else
                      (PARAMS[key[7:]].low, PARAMS[key[7:]].high) if key.startswith("params.") else (0.0, None))
            values[key] = np.clip(value, lo if lo is not None else -np.inf,
                                  hi if hi is not None else np.inf).astype(FLOAT)
    return values
