"""The indicators: every state variable the model records, with its unit or range.

An indicator is named ``ACTOR.name``, ``world.name`` or ``relations.A-B``. Each entry here
gives its unit (or range), what it measures, its default value at the start of a run, and
the claims in ``seeds/evidence.yaml`` that the default rests on. A scenario may override
any initial value under ``initial:`` (or ``relations:`` for the alignment matrix).

Units: ``share`` is a number in [0, 1]; ``index`` is in [0, 1] unless stated; ``USD`` is
US dollars; ``soldiers`` and ``launches`` are counts; relations are in [-1, 1]
(-1 hostile, 0 indifferent, 1 aligned).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

FLOAT = np.float32
"""The model's number type: single precision (about 7 significant digits).

The seeds give their figures to one or two digits, so single precision loses nothing the
model can know, and it halves the memory of every state array and of the recorded history,
and the time of the arithmetic (the vector units do twice as many numbers at a time).
Outputs on disk (Parquet, CSV) hold the same values as double precision.
"""

ACTORS: tuple[str, ...] = ("DPRK", "RUS", "CHN", "USA", "ROK", "JPN", "UKR")
"""The seven actors, in the fixed order used for arrays, streams and relation names."""

ACTOR_NAMES: dict[str, str] = {
    "DPRK": "North Korea",
    "RUS": "Russia",
    "CHN": "China",
    "USA": "United States",
    "ROK": "South Korea",
    "JPN": "Japan",
    "UKR": "Ukraine",
}


def pair_name(a: str, b: str) -> str:
    """Canonical name of the relation between two actors (later actor first: ``RUS-DPRK``)."""
    ia, ib = ACTORS.index(a), ACTORS.index(b)
    if ia == ib:
        raise ValueError(f"no relation of {a} with itself")
    lo, hi = (a, b) if ia < ib else (b, a)
    return f"{hi}-{lo}"


PAIRS: tuple[str, ...] = tuple(pair_name(a, b) for a, b in combinations(ACTORS, 2))
"""All 21 relation pairs, canonical names."""


def canonical_relation(text: str) -> str | None:
    """``"DPRK-RUS"`` or ``"RUS-DPRK"`` -> ``"RUS-DPRK"``; None if not a pair of actors."""
    parts = text.split("-")
    if len(parts) != 2 or parts[0] not in ACTORS or parts[1] not in ACTORS or parts[0] == parts[1]:
        return None
    return pair_name(parts[0], parts[1])


@dataclass(frozen=True)
class Indicator:
    """One recorded state variable."""

    name: str
    unit: str
    low: float | None
    high: float | None
    description: str
    initial: float
    claims: tuple[str, ...] = field(default=())
    key: bool = False  # shown in the CLI summary and first in the dashboard


def _i(name, unit, low, high, initial, description, claims, key=False):
    return Indicator(name, unit, low, high, description, float(initial), tuple(claims), key)


_BASE: list[Indicator] = [
    _i("world.war_intensity", "index", 0, 1, 0.8,
       "Intensity of the war in Ukraine (1 = the heaviest fighting of 2023-24, 0 = no fighting); "
       "drives Russia's need for shells.", ["s004-desperation", "s004-shell-shortage"], key=True),
    _i("world.sanctions_enforcement", "index", 0, 1, 0.6,
       "How strictly UN sanctions on the DPRK are enforced (1 = fully).",
       ["s004-cancel-sanctions", "s004-unsc"]),
    _i("DPRK.food_security", "share", 0, 1, 0.8,
       "Share of the DPRK's annual grain need that this month's supply rate covers "
       "(domestic grain + Russian rice + Chinese aid + imports, over the need).",
       ["s001-grain-gap", "s001-grain-under-4mt"], key=True),
    _i("DPRK.hard_currency_usd", "USD", 0, None, 1.0e9,
       "The regime's hard-currency reserves.", ["s001-financial-food", "s000-munitions-for-money-oil"],
       key=True),
    _i("DPRK.regime_security", "index", 0, 1, 0.6,
       "How secure the Kim regime and its succession are (food, cash, patrons, external threat).",
       ["s000-survival", "s000-succession"], key=True),
    _i("DPRK.missile_tests", "launches", 0, None, 0.0,
       "Missile launches in the month.", ["s000-missile-moratorium"], key=True),
    _i("DPRK.troops_abroad", "soldiers", 0, None, 0.0,
       "DPRK soldiers serving with Russia's forces.", ["s001-troops-sent", "s001-10000-200m"], key=True),
    _i("DPRK.russia_trade_share", "share", 0, 1, 0.1,
       "Russia's share of the DPRK's civil trade (Russia + China), in value.",
       ["s002-40pct", "s002-china-reliance"], key=True),
    _i("DPRK.military_capability", "index", 0, 1, 0.5,
       "Modernisation of DPRK missile and space forces.", ["s002-nuclear-under-kim", "s001-space-tech"]),
    _i("DPRK.space_capability", "index", 0, 1, 0.2,
       "Readiness to put a military reconnaissance satellite in orbit (a launch needs 0.5).",
       ["s001-space-tech"]),
    _i("DPRK.satellites_launched", "launches", 0, None, 0.0,
       "Reconnaissance satellites launched since the start of the run (cumulative).", ["s001-space-tech"]),
    _i("DPRK.export_level", "share", 0, 1, 1.0,
       "Share of the DPRK's munitions export capacity committed to Russia.",
       ["s003-production", "s000-munitions-for-money-oil"]),
    _i("DPRK.shells_exported", "shells/month", 0, None, 300_000.0,
       "Shell-equivalents delivered to Russia in the month.", ["s003-4800-shells", "s002-supplies"]),
    _i("RUS.munitions_shortfall", "share", 0, 1, 0.05,
       "Share of Russia's monthly shell need that no supply covers.", ["s004-shell-shortage"], key=True),
    _i("RUS.payments_to_dprk_usd", "USD", 0, None, 4.2e9,
       "Cumulative value Russia has paid the DPRK (money, oil, food) since deliveries began in 2023.",
       ["s000-paid-5-5bn"], key=True),
    _i("RUS.monthly_payments_usd", "USD/month", 0, None, 3.0e8,
       "Value paid to the DPRK in the month: shells, soldiers' pay and rice.",
       ["s000-munitions-for-money-oil", "s001-pay-2000"]),
    _i("RUS.cash_payments_usd", "USD/month", 0, None, 3.0e8,
       "What Russia pays the DPRK in the month in money and oil (not rice or technology).",
       ["s000-munitions-for-money-oil", "s004-food-fuel-tech"]),
    _i("RUS.purchase_level", "share", 0, 1, 1.0,
       "Share of the DPRK's export capacity that Russia is contracted to buy.", ["s001-arms-ease-food"]),
    _i("RUS.food_aid_level", "share", 0, 1, 0.0,
       "Share of the 600-700 kt a year rice programme that Russia is delivering.", ["s001-rice"]),
    _i("CHN.influence_over_dprk", "index", 0, 1, 0.7,
       "Beijing's influence over Pyongyang's choices.", ["s003-reduce-influence", "s002-pawn"], key=True),
    _i("CHN.reputation", "index", 0, 1, 0.6,
       "China's international standing as a responsible power.", ["s003-reproach"]),
    _i("CHN.pressure_on_dprk", "index", 0, 1, 0.0,
       "Beijing's pressure on Pyongyang over its red lines (1 in a month it warns, then fading).",
       ["s003-serious-arguments", "s003-red-lines"]),
    _i("CHN.trade_level", "index", 0, 1.5, 1.0,
       "China-DPRK trade relative to its 2023 level (1 = unchanged).", ["s002-china-reliance"]),
    _i("CHN.aid_level", "share", 0, 1, 0.0,
       "Share of China's food-aid programme being delivered.", ["s002-china-reliance"]),
    _i("USA.regional_troops", "soldiers", 0, None, 82_500.0,
       "US military personnel in Japan and South Korea.",
       ["s000-us-troops-japan", "s000-us-troops-korea"], key=True),
    _i("USA.ukraine_aid", "share", 0, 1, 0.8,
       "US military aid to Ukraine relative to its 2024 level.", ["s001-trump-reduce"]),
    _i("ROK.threat_perception", "index", 0, 1, 0.45,
       "How threatened South Korea feels by the DPRK and its alliance with Russia.",
       ["s000-existential-threat"], key=True),
    _i("ROK.defence_readiness", "index", 0, 1, 0.5,
       "South Korea's own defence build-up.", ["s000-existential-threat"]),
    _i("ROK.ukraine_aid", "share", 0, 1, 0.2,
       "South Korea's support for Ukraine (share of what it could give).", ["s002-umerov"]),
    _i("JPN.threat_perception", "index", 0, 1, 0.43,
       "How threatened Japan feels by the DPRK and its alliance with Russia.",
       ["s000-existential-threat", "s000-missile-moratorium"], key=True),
    _i("JPN.defence_readiness", "index", 0, 1, 0.5,
       "Japan's own defence build-up.", ["s000-existential-threat"]),
    _i("UKR.allied_support", "index", 0, 1, 0.6,
       "Allied support reaching Ukraine (arms, money, political backing).", ["s002-umerov", "s001-trump-reduce"]),
]

_RELATION_DEFAULTS: dict[str, float] = {
    "RUS-DPRK": 0.5, "CHN-DPRK": 0.3, "CHN-RUS": 0.6, "USA-DPRK": -0.8, "USA-RUS": -0.7,
    "USA-CHN": -0.4, "ROK-DPRK": -0.7, "ROK-RUS": -0.3, "ROK-CHN": 0.0, "ROK-USA": 0.7,
    "JPN-DPRK": -0.8, "JPN-RUS": -0.5, "JPN-CHN": -0.2, "JPN-USA": 0.8, "JPN-ROK": 0.3,
    "UKR-DPRK": -0.8, "UKR-RUS": -1.0, "UKR-CHN": -0.2, "UKR-USA": 0.6, "UKR-ROK": 0.3,
    "UKR-JPN": 0.4,
}
_RELATION_CLAIMS: dict[str, tuple[str, ...]] = {
    "RUS-DPRK": ("s004-stronger-ties", "s002-mutual-assistance"),
    "CHN-DPRK": ("s002-china-dissatisfied", "s000-distrust"),
    "CHN-RUS": ("s004-china-partner",),
    "USA-DPRK": ("s004-sanctions-relief", "s000-paranoia"),
    "USA-RUS": ("s003-signal",),
    "USA-CHN": ("s000-thaad-foothold",),
    "ROK-DPRK": ("s000-existential-threat",),
    "ROK-RUS": ("s002-umerov",),
    "ROK-CHN": ("s000-thaad-foothold",),
    "ROK-USA": ("s000-us-presence-demand",),
    "JPN-DPRK": ("s000-existential-threat", "s000-missile-moratorium"),
    "JPN-RUS": ("s000-existential-threat",),
    "JPN-CHN": ("s000-us-presence-demand",),
    "JPN-USA": ("s000-us-presence-demand", "s000-us-troops-japan"),
    "JPN-ROK": ("s000-existential-threat",),
    "UKR-DPRK": ("s004-debris", "s002-kursk"),
    "UKR-RUS": ("s004-desperation",),
    "UKR-CHN": ("s003-reproach",),
    "UKR-USA": ("s001-trump-reduce",),
    "UKR-ROK": ("s002-umerov",),
    "UKR-JPN": ("s002-umerov",),
}

INDICATORS: dict[str, Indicator] = {ind.name: ind for ind in _BASE}
for _p in PAIRS:
    INDICATORS[f"relations.{_p}"] = _i(
        f"relations.{_p}", "alignment", -1, 1, _RELATION_DEFAULTS[_p],
        f"Alignment between {_p.split('-')[0]} and {_p.split('-')[1]} (-1 hostile, 1 aligned).",
        _RELATION_CLAIMS[_p], key=_p in ("RUS-DPRK", "CHN-DPRK", "CHN-RUS"))

NAMES: tuple[str, ...] = tuple(INDICATORS)
INDEX: dict[str, int] = {n: i for i, n in enumerate(NAMES)}
KEY_INDICATORS: tuple[str, ...] = tuple(n for n, ind in INDICATORS.items() if ind.key)


def canonical_indicator(name: str) -> str | None:
    """Return the canonical indicator name (``relations.DPRK-RUS`` -> ``relations.RUS-DPRK``)."""
    if name in INDICATORS:
        return name
    if name.startswith("relations."):
        pair = canonical_relation(name[len("relations."):])
        if pair:
            return f"relations.{pair}"
    return None


def unit_label(name: str) -> str:
    """Human label with the unit, for tables and chart axes."""
    ind = INDICATORS[name]
    if ind.low is not None and ind.high is not None and ind.unit in {"index", "share", "alignment"}:
        return f"{name} ({ind.unit}, {ind.low:g} to {ind.high:g})"
    return f"{name} ({ind.unit})"


def format_value(value: float, unit: str, digits: int = 3) -> str:
    """A number for people, by its unit: ``$1.23 bn``, ``11,000``, ``0.612``."""
    if unit.startswith("USD"):
        for div, suffix in ((1e9, " bn"), (1e6, " m")):
            if abs(value) >= div:
                return f"${value / div:,.2f}{suffix}"
        return f"${value:,.0f}"
    if abs(value) >= 1000 or unit in ("soldiers", "launches") or unit.startswith("shells"):
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"
