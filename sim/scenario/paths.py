"""Parameter paths: what a lever, an uncertainty, an event or ``--set`` may name, its range and its value.

Every range is finite: an indicator whose range has no top (money, soldiers, launches,
shells: ``sim.indicators`` gives them only a floor) takes the cap of its unit
(:data:`UNIT_CAPS`), so no file can start a run from a value the model's single precision
cannot hold (``DPRK.hard_currency_usd: 1e300`` became inf, then NaN).
"""

from __future__ import annotations

from sim.actors import ACTOR_CLASSES
from sim.indicators import INDICATORS, canonical_indicator, canonical_relation
from sim.params import PARAMS
from sim.scenario.schema import Scenario


UNIT_CAPS: dict[str, float] = {
    "USD": 1e15,
    "USD/month": 1e15,
    "soldiers": 1e9,
    "launches": 1e6,
    "shells/month": 1e10,
}
"""The largest value a file, a setting or an event may give an indicator with no upper bound, by unit.

Far beyond anything real ($1e15 is ten times the world's yearly output; a billion soldiers,
a million launches, ten billion shells a month) and far inside single precision (3.4e38), so a
run stays finite over any horizon. A unit not listed takes :data:`DEFAULT_CAP`."""
DEFAULT_CAP = 1e15
"""The cap of an unbounded range whose unit :data:`UNIT_CAPS` does not list."""


def capped_range(low: float | None, high: float | None, unit: str) -> tuple[float, float]:
    """A range with a finite value in place of each missing bound (the unit's cap, see :data:`UNIT_CAPS`)."""
    cap = UNIT_CAPS.get(unit, DEFAULT_CAP)
    return (-cap if low is None else low), (cap if high is None else high)


def check_path(path: str, *, allow_indicator: bool = False) -> tuple[str, str]:
    """Classify a parameter path into (kind, name).

    ('param', NAME) | ('unpredictability', ACTOR) | ('weight', 'ACTOR.INTEREST')
    | ('initial', INDICATOR) | ('indicator', INDICATOR) (the last only with ``allow_indicator``).

    Raises:
        ValueError: with the valid forms, if the path is none of them.
    """
    parts = path.split(".")
    if parts[0] == "params" and len(parts) == 2:
        if parts[1] in PARAMS:
            return "param", parts[1]
        raise ValueError(f"unknown world parameter {parts[1]!r}; known: {', '.join(PARAMS)}")
    if parts[0] == "initial":
        ind = canonical_indicator(".".join(parts[1:]))
        if ind:
            return "initial", ind
        raise ValueError(f"unknown indicator {'.'.join(parts[1:])!r} (see 'peninsula indicators')")
    if parts[0] in ACTOR_CLASSES and len(parts) >= 2 and parts[1] in ("unpredictability", "weights"):
        cls = ACTOR_CLASSES[parts[0]]
        if parts[1] == "unpredictability" and len(parts) == 2:
            return "unpredictability", parts[0]
        if parts[1] == "weights" and len(parts) == 3:
            if parts[2] in cls.interest_names():
                return "weight", f"{parts[0]}.{parts[2]}"
            raise ValueError(f"{parts[0]} has no interest {parts[2]!r}; its interests: "
                             f"{', '.join(cls.interest_names())}")
    if allow_indicator:
        ind = canonical_indicator(path)
        if ind:
            return "indicator", ind
    forms = "params.NAME, ACTOR.unpredictability, ACTOR.weights.INTEREST, initial.INDICATOR"
    if allow_indicator:
        forms += " or an indicator (ACTOR.name, world.name, relations.A-B)"
    raise ValueError(f"unknown path {path!r}; expected {forms}")


def path_range(path: str) -> tuple[float, float]:
    """The valid range of the value at a path: finite, unbounded ranges capped (:data:`UNIT_CAPS`)."""
    kind, name = check_path(path, allow_indicator=True)
    if kind == "param":
        p = PARAMS[name]
        return capped_range(p.low, p.high, p.unit)
    if kind == "unpredictability":
        return 0.0, 1.0
    if kind == "weight":
        return 0.0, 100.0
    ind = INDICATORS[name]
    return capped_range(ind.low, ind.high, ind.unit)


def in_range(value: float, lo, hi) -> bool:
    """Whether ``value`` lies in [lo, hi] (None: no bound)."""
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def range_text(lo, hi) -> str:
    """A range in words: "between 0 and 1", "at least 0"."""
    if lo is not None and hi is not None:
        return f"between {lo:g} and {hi:g}"
    if lo is not None:
        return f"at least {lo:g}"
    return f"at most {hi:g}"


def scenario_value(sc: Scenario, path: str) -> float:
    """The value a path has in a scenario (its setting, else the default)."""
    kind, name = check_path(path, allow_indicator=False)
    if kind == "param":
        return float(sc.params.get(name, PARAMS[name].default))
    if kind == "unpredictability":
        spec = sc.actors.get(name)
        if spec and spec.unpredictability is not None:
            return float(spec.unpredictability)
        return float(ACTOR_CLASSES[name].unpredictability)
    if kind == "weight":
        code, interest = name.split(".")
        spec = sc.actors.get(code)
        if spec and interest in spec.weights:
            return float(spec.weights[interest])
        return float(next(i.weight for i in ACTOR_CLASSES[code].interests if i.name == interest))
    # initial
    if name.startswith("relations."):
        pair = name[len("relations."):]
        for k, v in sc.relations.items():
            if canonical_relation(k) == pair:
                return float(v)
    for k, v in sc.initial.items():
        if canonical_indicator(k) == name:
            return float(v)
    return INDICATORS[name].initial
