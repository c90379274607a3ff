"""``sim.check``: run a scenario and test its declared expectations, member by member.

An expectation holds in a member or not; what is reported is the share of members in
which it held, against the share the scenario requires. Comparisons with another scenario
run it with the same seed and members, so member ``i`` of both faces the same random draws
(common random numbers) and the difference is the scenario's, not the dice's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.actors import ACTOR_CLASSES
from sim.engine import Results
from sim.errors import PeninsulaError
from sim.run.runner import run
from sim.scenario import Expectation, Scenario, load_scenario, resolve_parent


@dataclass(frozen=True)
class ExpectationResult:
    """The verdict on one expectation."""

    scenario: str
    text: str
    share: float
    """Share of members in which it held."""
    required: float
    passed: bool
    """``share >= required``."""
    expected_to_fail: bool
    why: str
    claims: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when the verdict is the declared one: held, or failed where marked expected_to_fail."""
        return self.passed != self.expected_to_fail


def resolve_than(scenario: Scenario, ref: str) -> Scenario:
    """Load the scenario an expectation compares with (relative to the scenario's file)."""
    here = Path(scenario.source).resolve().parent if scenario.source else None
    return load_scenario(resolve_parent(ref, here, scenario.source or scenario.name, None, field="than"))


def holds(ex: Expectation, results: Results, others: dict[str, Results]) -> np.ndarray:
    """Boolean per member: does the expectation hold in that member?"""
    sc = results.scenario
    last = results.months
    if ex.test in ("mostly", "rarely"):
        k = ACTOR_CLASSES[ex.actor].option_index(ex.option)
        a = sc.month_index(ex.from_) if ex.from_ else 0
        b = sc.month_index(ex.to) if ex.to else last - 1
        b = min(b, last - 1)
        share = (results.choice_index[ex.actor][a:b + 1] == k).mean(axis=0)
        target = 0.5 if ex.value is None else ex.value
        return share >= target if ex.test == "mostly" else share <= target
    series = results.indicator(ex.indicator)  # (members, months + 1)

    def value_of(r: Results, s: np.ndarray) -> np.ndarray:
        """At ``at`` (default the horizon), or the mean over the from/to window."""
        if ex.from_ is not None or ex.to is not None:
            a = r.dates.index(ex.from_) if ex.from_ else 0
            b = r.dates.index(ex.to) if ex.to else r.months
            return s[:, a:b + 1].mean(axis=1)
        return s[:, r.dates.index(ex.at) if ex.at else r.months]

    if ex.test in ("below", "above"):
        if ex.by is not None:
            window = series[:, : sc.month_index(ex.by) + 1]
            return (window < ex.value).any(axis=1) if ex.test == "below" else (window > ex.value).any(axis=1)
        v = value_of(results, series)
        return v < ex.value if ex.test == "below" else v > ex.value
    if ex.test in ("declines", "rises"):
        a = series[:, sc.month_index(ex.from_) if ex.from_ else 0]
        b = series[:, sc.month_index(ex.to) if ex.to else last]
        return b < a if ex.test == "declines" else b > a
    other = others[ex.than]
    needed = [d for d in (ex.at, ex.from_, ex.to) if d] or [results.dates[-1]]
    missing = [d for d in needed if d not in other.dates]
    if missing:
        raise PeninsulaError(f"scenario {ex.than!r} does not cover {', '.join(missing)}", file=sc.source,
                             field="expectations.than")
    if not (ex.at or ex.from_ or ex.to) and other.dates[-1] != results.dates[-1]:
        raise PeninsulaError(f"scenario {ex.than!r} ends in {other.dates[-1]}, not {results.dates[-1]}; "
                             "give 'at'", file=sc.source, field="expectations.than")
    mine, theirs = value_of(results, series), value_of(other, other.indicator(ex.indicator))
    return mine < theirs if ex.test == "lower_than" else mine > theirs


def check(scenario: Scenario | str | Path, members: int | None = None, seed: int | None = None) -> list[ExpectationResult]:
    """Run a scenario (and the scenarios its expectations compare with) and judge every expectation."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    members = scenario.members if members is None else members
    seed = scenario.seed if seed is None else seed
    if not scenario.expectations:
        return []
    results = run(scenario, members=members, seed=seed)
    others: dict[str, Results] = {}
    for ex in scenario.expectations:
        if ex.than is not None and ex.than not in others:
            others[ex.than] = run(resolve_than(scenario, ex.than), members=members, seed=seed)
    out = []
    for ex in scenario.expectations:
        share = float(holds(ex, results, others).mean())
        out.append(ExpectationResult(scenario.name, ex.says, share, ex.share, share >= ex.share,
                                     ex.expected_to_fail, ex.why, tuple(ex.claims)))
    return out
