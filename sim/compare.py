"""``sim.compare``: two scenarios side by side, member by member under common random numbers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.actors import ACTOR_CLASSES
from sim.errors import PeninsulaError
from sim.indicators import KEY_INDICATORS, canonical_indicator
from sim.results import Results
from sim.scenario import Scenario, load_scenario


@dataclass
class Comparison:
    """B minus A for the same members and seed: both runs kept, differences on demand."""

    a: Results
    b: Results
    dates: list[str]
    """The months compared (YYYY-MM)."""
    indicators: list[str]

    def difference(self, indicator: str, date: str) -> np.ndarray:
        """B minus A, member by member, at a month: array (members,)."""
        va = self.a.indicator(indicator)[:, self.a.dates.index(date)]
        vb = self.b.indicator(indicator)[:, self.b.dates.index(date)]
        return vb - va

    def indicator_table(self) -> pd.DataFrame:
        """indicator, month, median_a, median_b, and the difference B - A: median, p10, p90."""
        rows = []
        for name in self.indicators:
            for date in self.dates:
                d = self.difference(name, date)
                va = self.a.indicator(name)[:, self.a.dates.index(date)]
                vb = self.b.indicator(name)[:, self.b.dates.index(date)]
                p10, p50, p90 = np.percentile(d, [10, 50, 90])
                rows.append({"indicator": name, "month": date, "median_a": float(np.median(va)),
                             "median_b": float(np.median(vb)), "median": float(p50), "p10": float(p10),
                             "p90": float(p90)})
        return pd.DataFrame(rows)

    def choice_table(self) -> pd.DataFrame:
        """actor, option, share of member-months on the option in A and in B, and the change."""
        rows = []
        for code, cls in ACTOR_CLASSES.items():
            ca, cb = self.a.choice_index[code], self.b.choice_index[code]
            for k, option in enumerate(cls.option_names()):
                sa, sb = float((ca == k).mean()), float((cb == k).mean())
                rows.append({"actor": code, "option": option, "share_a": sa, "share_b": sb, "change": sb - sa})
        return pd.DataFrame(rows)


def compare(a: Scenario | str | Path, b: Scenario | str | Path, members: int | None = None, seed: int | None = None,
            *, months: list[str] | None = None, indicators: list[str] | None = None) -> Comparison:
    """Run A and B with the same members and seed and compare them.

    Args:
        a, b: scenarios (or paths / bundled names).
        members: default A's members.
        seed: default A's seed; both runs use it, so member ``i`` meets the same draws.
        months: months to compare (YYYY-MM); default every 12 months and the last month both cover.
        indicators: default the key indicators.
    """
    import sim

    a = a if isinstance(a, Scenario) else load_scenario(a)
    b = b if isinstance(b, Scenario) else load_scenario(b)
    members = a.members if members is None else members
    seed = a.seed if seed is None else seed
    dates, names = _dates_and_names(a, b, months, indicators)
    return Comparison(sim.run(a, members=members, seed=seed), sim.run(b, members=members, seed=seed), dates, names)


def compare_results(a: Results, b: Results, *, months: list[str] | None = None,
                    indicators: list[str] | None = None) -> Comparison:
    """Compare two runs already made (same members and seed, for common random numbers);
    months and indicators as in :func:`compare`."""
    if a.seed != b.seed or not np.array_equal(a.member_ids, b.member_ids):
        raise PeninsulaError("runs to compare need the same members and seed (common random numbers)")
    dates, names = _dates_and_names(a.scenario, b.scenario, months, indicators)
    return Comparison(a, b, dates, names)


def _dates_and_names(a: Scenario, b: Scenario, months, indicators) -> tuple[list[str], list[str]]:
    common = [d for d in a.dates() if d in set(b.dates())]
    if not common:
        raise PeninsulaError(f"{a.name} and {b.name} share no month: nothing to compare")
    if months is None:
        start = a.dates().index(common[0])
        dates = [d for d in common if (a.dates().index(d) - start) % 12 == 0 and d != common[0]]
        if common[-1] not in dates:
            dates.append(common[-1])
    else:
        dates = list(months)
        for d in dates:
            if d not in common:
                raise PeninsulaError(f"month {d} is not covered by both scenarios "
                                     f"({common[0]} to {common[-1]})", field="months")
    names = []
    for n in indicators or list(KEY_INDICATORS):
        canon = canonical_indicator(n)
        if canon is None:
            raise PeninsulaError(f"unknown indicator {n!r} (see 'peninsula indicators')", field="indicators")
        names.append(canon)
    return dates, names
