"""``sim.compare``: two scenarios side by side, member by member under common random numbers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.actors import ACTOR_CLASSES
from sim.engine import Results
from sim.engine.results import MANIFEST_FILE
from sim.errors import PeninsulaError
from sim.indicators import KEY_INDICATORS, canonical_indicator
from sim.run.runner import run
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
        a: scenario A (or a path / bundled name), or a folder of a saved run (``Results.save``),
            which is read rather than run again.
        b: scenario B, as ``a``.
        members: default the saved run's members, else A's.
        seed: default the saved run's seed, else A's; both runs use it, so member ``i`` meets the same draws.
        months: months to compare (YYYY-MM); default every 12 months and the last month both cover.
        indicators: default the key indicators.
    """
    saved = [_saved_run(x) for x in (a, b)]
    first = next((r for r in saved if r is not None), None)
    if first is not None:
        if members is not None or seed is not None:
            raise PeninsulaError("a saved run fixes the members and the seed; leave them out", field="members")
        ids, seed = first.member_ids, first.seed
    else:
        sa = a if isinstance(a, Scenario) else load_scenario(a)
        ids = sa.members if members is None else members
        seed = sa.seed if seed is None else seed
    ra, rb = (r if r is not None else run(x, members=ids, seed=seed) for r, x in zip(saved, (a, b), strict=True))
    return compare_results(ra, rb, months=months, indicators=indicators)


def _saved_run(x: Scenario | str | Path) -> Results | None:
    """The run saved in a folder, or None when ``x`` names a scenario."""
    if isinstance(x, Scenario) or not Path(x).is_dir() or not (Path(x) / MANIFEST_FILE).is_file():
        return None
    return Results.load(x)


def compare_results(a: Results, b: Results, *, months: list[str] | None = None,
                    indicators: list[str] | None = None) -> Comparison:
    """Compare two runs already made (same members and seed, for common random numbers).

    ``months`` and ``indicators`` as in :func:`compare`.
    """
    if a.seed != b.seed or not np.array_equal(a.member_ids, b.member_ids):
        raise PeninsulaError("runs to compare need the same members and seed (common random numbers)")
    dates, names = _dates_and_names(a.scenario, b.scenario, months, indicators)
    return Comparison(a, b, dates, names)


def _dates_and_names(a: Scenario, b: Scenario, months, indicators) -> tuple[list[str], list[str]]:
    """The months both scenarios cover that are compared, and the indicators (canonical names)."""
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
