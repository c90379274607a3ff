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

import math
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
    assumption: str = ""
    """Where no article gives the starting value: why this value (the reasoning), else empty."""


def _i(name, unit, low, high, initial, description, claims, key=False, assumption=""):
    """An indicator: unit, range, starting value, description and the claims behind the value.

    ``assumption`` gives the reasoning behind a starting value that no article gives (else empty).
    """
    return Indicator(name, unit, low, high, description, float(initial), tuple(claims), key, assumption)


_BASE: list[Indicator] = [
    _i("world.war_intensity", "index", 0, 1, 0.8,
       "Intensity of the war in Ukraine (1 = the heaviest fighting of 2023-24, 0 = no fighting); "
       "drives Russia's need for shells.", ["s004-desperation", "s004-shell-shortage"], key=True,
       assumption="No article measures intensity. 0.8 is heavy fighting just below the heaviest of 2023-24 "
                  "(Russia short of shells, Putin's visit 'a step of despair'), and equals the level the war "
                  "drifts to (war_intensity_target)."),
    _i("world.sanctions_enforcement", "index", 0, 1, 0.6,
       "How strictly UN sanctions on the DPRK are enforced (1 = fully).",
       ["s004-cancel-sanctions", "s004-unsc"],
       assumption="No article measures enforcement. 0.6, the level sanctions drift back to "
                  "(sanctions_baseline): in force but leaky, with room for Russia to pull it down and the US "
                  "to push it up."),
    _i("world.mutual_assistance", "index", 0, 1, 0.0,
       "1 while the Russia-DPRK treaty of mutual assistance is in force (the baseline's June 2024 event); "
       "the DPRK can send soldiers only then.", ["s002-mutual-assistance", "s003-contingents"],
       assumption="No treaty before June 2024: sending contingents is what allies do (s003-contingents)."),
    _i("DPRK.food_security", "share", 0, 1, 0.8,
       "Share of the DPRK's annual grain need that this month's supply rate covers "
       "(domestic grain + Russian rice + Chinese aid + imports, over the need).",
       ["s001-grain-gap", "s001-grain-under-4mt"], key=True),
    _i("DPRK.hard_currency_usd", "USD", 0, None, 1.0e9,
       "The regime's hard-currency reserves.", ["s001-financial-food", "s000-munitions-for-money-oil"],
       key=True,
       assumption="The DPRK publishes no reserves and no article gives them. $1 bn is an order-of-magnitude "
                  "guess: a few months of what Russia pays, and below the $1.5 bn at which the cash interest "
                  "is half satisfied, so money still matters to Pyongyang at the start."),
    _i("DPRK.regime_security", "index", 0, 1, 0.6,
       "How secure the Kim regime and its succession are (food, cash, patrons, external threat).",
       ["s000-survival", "s000-succession"], key=True,
       assumption="No article measures it; 'survival' as the current task says the regime is not secure. "
                  "0.6 is a middling value, a little below what its drivers give at the start (about 0.65), "
                  "so it rises slowly if nothing changes."),
    _i("DPRK.missile_tests", "launches", 0, None, 0.0,
       "Missile launches in the month.", ["s000-missile-moratorium"], key=True),
    _i("DPRK.troops_abroad", "soldiers", 0, None, 0.0,
       "DPRK soldiers serving with Russia's forces.", ["s001-troops-sent", "s001-10000-200m"], key=True),
    _i("DPRK.russia_trade_share", "share", 0, 1, 0.05,
       "Russia's share of the DPRK's civil trade (Russia + China), in value.",
       ["s002-40pct", "s002-china-reliance"], key=True,
       assumption="No article gives the share in 2023. China has long carried most of the DPRK's trade "
                  "(s002-china-reliance), so Russia starts with a twentieth; the 40% of s002-40pct is read as "
                  "an ambition, not a starting value."),
    _i("DPRK.military_capability", "index", 0, 1, 0.5,
       "Modernisation of DPRK missile and space forces.", ["s002-nuclear-under-kim", "s001-space-tech"],
       assumption="No article measures capability. 0.5 is mid-scale: capabilities 'have flourished' under "
                  "Kim, yet Russian technology could still add much."),
    _i("DPRK.space_capability", "index", 0, 1, 0.2,
       "Readiness to put a military reconnaissance satellite in orbit (a launch needs 0.5).",
       ["s001-space-tech"],
       assumption="No article measures it. 0.2, well below the 0.5 a launch needs, because the article "
                  "presents the satellite as depending on Russian space technology: about five months of "
                  "transfer (tech_gain) come first."),
    _i("DPRK.satellites_launched", "launches", 0, None, 0.0,
       "Reconnaissance satellites launched since the start of the run (cumulative).", ["s001-space-tech"]),
    _i("DPRK.export_level", "share", 0, 1, 0.0,
       "Instrument: share of the DPRK's munitions export capacity offered to Russia.",
       ["s003-production", "s000-munitions-for-money-oil"],
       assumption="Before the September 2023 summit no deal is reported, so exports start at zero; the "
                  "baseline's summit event opens them."),
    _i("DPRK.deployment_level", "share", 0, 1, 0.0,
       "Instrument: soldiers committed to Russia's war, as a share of the most the DPRK would send "
       "(params.troop_cap).", ["s001-troops-sent", "s003-contingents"],
       assumption="No soldiers abroad before October 2024 (s001-troops-sent reports them later)."),
    _i("DPRK.test_tempo", "share", 0, 1, 0.25,
       "Instrument: the tempo of missile tests, as a share of the most launches a month "
       "(params.launches_per_test).", ["s000-missile-moratorium", "s000-bolder"],
       assumption="No article counts launches. A quarter of the most (about one launch a month) is the "
                  "modeller's reading of a DPRK that had dropped its moratorium and tested often in 2023."),
    _i("DPRK.shells_exported", "shells/month", 0, None, 0.0,
       "Shell-equivalents delivered to Russia in the month.", ["s003-4800-shells", "s002-supplies"]),
    _i("RUS.munitions_shortfall", "share", 0, 1, 0.4,
       "Share of Russia's monthly shell need that no supply covers.", ["s004-shell-shortage"], key=True,
       assumption="The article speaks of a shortage, with no size. The starting value is what the shortfall "
                  "formula gives with no DPRK shells at the starting intensity (params.shell_need_full, "
                  "params.domestic_shells, params.stock_rebuild)."),
    _i("RUS.payments_to_dprk_usd", "USD", 0, None, 0.0,
       "Cumulative value Russia has paid the DPRK (shells, soldiers, rice, technology) since the start of the run.",
       ["s000-paid-5-5bn"], key=True),
    _i("RUS.monthly_payments_usd", "USD/month", 0, None, 0.0,
       "Value paid to the DPRK in the month: the price of the shells (in money, oil, rice and technology) and "
       "the soldiers' pay.", ["s000-munitions-for-money-oil", "s001-pay-2000"]),
    _i("RUS.cash_payments_usd", "USD/month", 0, None, 0.0,
       "What Russia pays the DPRK in the month in money and oil (not rice or technology).",
       ["s000-munitions-for-money-oil", "s004-food-fuel-tech"]),
    _i("RUS.purchase_level", "share", 0, 1, 0.0,
       "Instrument: share of the DPRK's export capacity that Russia is contracted to buy.",
       ["s001-arms-ease-food"],
       assumption="No purchases before the September 2023 summit; the baseline's summit event opens them."),
    _i("RUS.food_aid_level", "share", 0, 1, 0.0,
       "Instrument: share of the 600-700 kt a year rice programme that Russia is delivering.", ["s001-rice"],
       assumption="No rice programme is reported at the start; Russia starts one by its own decision."),
    _i("RUS.un_shield", "share", 0, 1, 0.0,
       "Instrument: how far Russia uses its Security Council seat to block enforcement of sanctions on the "
       "DPRK (each month, enforcement loses params.sanctions_step times this share of its level).",
       ["s004-unsc", "s004-cancel-sanctions"],
       assumption="No shielding is reported before the summit; Russia starts it by its own decision."),
    _i("RUS.tech_level", "share", 0, 1, 0.0,
       "Instrument: Russia's transfers of space and missile technology (1: the most it would give).",
       ["s001-space-tech", "s003-mil-tech"],
       assumption="No transfers before the summit; Russia starts them by its own decision."),
    _i("CHN.influence_over_dprk", "index", 0, 1, 0.7,
       "Beijing's influence over Pyongyang's choices.", ["s003-reduce-influence", "s002-pawn"], key=True,
       assumption="No article measures influence. 0.7 is high but not full ('entirely a pawn' is an "
                  "overstatement, and it speaks of the past), near what the influence formula gives at the "
                  "start (about 0.74)."),
    _i("CHN.reputation", "index", 0, 1, 0.6,
       "China's international standing as a responsible power.", ["s003-reproach"],
       assumption="No article measures standing. 0.6, the level it recovers to (reputation_baseline): "
                  "middling, with room to lose to the reproach or gain by pressing Moscow."),
    _i("CHN.pressure_on_dprk", "index", 0, 1, 0.0,
       "Instrument: Beijing's pressure on Pyongyang over its red lines (it holds until China eases it).",
       ["s003-serious-arguments", "s003-red-lines"]),
    _i("CHN.trade_level", "index", 0, 1.5, 1.0,
       "Instrument: China-DPRK trade relative to its 2023 level (1 = unchanged; China's moves keep it at most "
       "1, a scenario may set it higher).", ["s002-china-reliance"]),
    _i("CHN.aid_level", "share", 0, 1, 0.0,
       "Instrument: share of China's food-aid programme being delivered.", ["s002-china-reliance"],
       assumption="No article reports Chinese food aid under way in 2023, so the programme starts off; "
                  "China starts it by its own decision (more_aid)."),
    _i("USA.regional_troops", "soldiers", 0, None, 82_500.0,
       "US military personnel in Japan and South Korea.",
       ["s000-us-troops-japan", "s000-us-troops-korea"], key=True),
    _i("USA.presence_level", "share", 0, 1, 0.0,
       "Instrument: US forces sent to the region above the base (1: four reinforcements of "
       "params.reinforce_batch).", ["s000-us-presence-demand"],
       assumption="No reinforcement is reported at the start."),
    _i("USA.sanctions_effort", "share", 0, 1, 0.5,
       "Instrument: the US effort to enforce sanctions on the DPRK (0.5 keeps enforcement at "
       "params.sanctions_baseline).", ["s003-signal", "s004-sanctions-relief"],
       assumption="No article measures effort; 0.5 is the middle, the effort that holds enforcement at its "
                  "baseline level."),
    _i("USA.ukraine_aid", "share", 0, 1, 0.8,
       "Instrument: US military aid to Ukraine relative to its 2024 level.", ["s001-trump-reduce"],
       assumption="No article measures US aid. 0.8 is substantial but below the full level, so it can rise "
                  "or fall; with the rest it puts Ukraine's support target (about 0.66) near its starting "
                  "0.6."),
    _i("ROK.threat_perception", "index", 0, 1, 0.45,
       "How threatened South Korea feels by the DPRK and its alliance with Russia.",
       ["s000-existential-threat"], key=True,
       assumption="'Existential threat' is not quantified. 0.45 is near where the baseline run settles "
                  "(about 0.42-0.48), a little above Japan's as South Korea borders the DPRK."),
    _i("ROK.defence_effort", "share", 0, 1, 0.5,
       "Instrument: effort on its own defences (readiness follows it).", ["s000-existential-threat"],
       assumption="No article measures it. 0.5 is mid-scale, the effort that holds readiness where it starts."),
    _i("ROK.defence_readiness", "index", 0, 1, 0.5,
       "South Korea's own defence build-up.", ["s000-existential-threat"],
       assumption="No article measures readiness. 0.5 is mid-scale: room for a build-up, and a budget "
                  "interest that wants it lower."),
    _i("ROK.ukraine_aid", "share", 0, 1, 0.2,
       "Instrument: South Korea's support for Ukraine (share of what it could give).", ["s002-umerov"],
       assumption="The article reports talks, not aid. 0.2 is a small share of what Seoul could give, as it "
                  "sent no weapons directly to Ukraine in 2024."),
    _i("JPN.threat_perception", "index", 0, 1, 0.43,
       "How threatened Japan feels by the DPRK and its alliance with Russia.",
       ["s000-existential-threat", "s000-missile-moratorium"], key=True,
       assumption="'Existential threat' is not quantified. 0.43 is near where the baseline run settles "
                  "(about 0.41-0.47), a little below South Korea's 0.45; both follow the same threat formula, "
                  "so the difference fades within months."),
    _i("JPN.defence_effort", "share", 0, 1, 0.5,
       "Instrument: effort on its own defences (readiness follows it).", ["s000-existential-threat"],
       assumption="No article measures it. 0.5 is mid-scale, the effort that holds readiness where it starts."),
    _i("JPN.defence_readiness", "index", 0, 1, 0.5,
       "Japan's own defence build-up.", ["s000-existential-threat"],
       assumption="No article measures readiness. 0.5 is mid-scale: room for a build-up, and a budget "
                  "interest that wants it lower."),
    _i("UKR.strike_campaign", "share", 0, 1, 0.5,
       "Instrument: Ukraine's strikes on the routes and depots of DPRK munitions (1: all it can spare).",
       ["s004-debris", "s002-kursk"],
       assumption="No article measures it. Half of what Ukraine could spare: strikes on depots ran through "
                  "2023, with room to step them up."),
    _i("UKR.lobbying", "share", 0, 1, 0.5,
       "Instrument: Ukraine's lobbying of its allies for arms and money (1: all its diplomacy).",
       ["s002-umerov"],
       assumption="No article measures it. Half: Kyiv lobbied throughout, with room to press harder."),
    _i("UKR.allied_support", "index", 0, 1, 0.6,
       "Allied support reaching Ukraine (arms, money, political backing).", ["s002-umerov", "s001-trump-reduce"],
       assumption="No article measures support. 0.6 is substantial but short of what Ukraine asks, near the "
                  "target its sources give at the start (about 0.66)."),
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

_RELATION_ASSUMPTIONS: dict[str, str] = {
    # No article puts a number on any relation: each starting alignment is the modeller's reading.
    "RUS-DPRK": "'Stronger than at any time since the collapse of the Soviet Union' is qualitative. 0.5 is a "
                "clear alignment short of trust (North Koreans trust no one, s000-distrust); the June 2024 "
                "summit adds 0.1 in the baseline.",
    "CHN-DPRK": "Formal allies, but Beijing is dissatisfied and Pyongyang distrusts it: 0.3 is lukewarm, "
                "warmer than indifference, well below the Russia-DPRK tie.",
    "CHN-RUS": "Russia's 'main political and economic partner': 0.6 is close but not allied, and above "
               "Russia's tie with the DPRK.",
    "USA-DPRK": "Adversaries without diplomatic relations: -0.8, not -1, as the DPRK has sought talks for "
                "sanctions relief (s004-sanctions-relief).",
    "USA-RUS": "Hostile over the war in Ukraine (the US arms Kyiv), short of direct war: -0.7.",
    "USA-CHN": "Strategic rivals that still trade and talk: -0.4; China sees the US foothold in South Korea "
               "as a threat (s000-thaad-foothold).",
    "ROK-DPRK": "The DPRK is an 'existential threat' to South Korea: -0.7, deeply hostile; that it is a "
                "shade less than Japan's -0.8 is a guess, not a finding.",
    "ROK-RUS": "Cool: Seoul backs Ukraine diplomatically and in aid but sends no weapons directly and keeps "
               "some ties with Moscow: -0.3.",
    "ROK-CHN": "Indifferent on balance: China is a main trading partner, but it sees South Korea as a US "
               "foothold (THAAD): 0.0.",
    "ROK-USA": "Treaty allies with US troops on Korean soil: 0.7, a little below Japan's tie with the US.",
    "JPN-DPRK": "Missiles fly towards the Sea of Japan and the DPRK is an 'existential threat': -0.8, as "
                "hostile as the US.",
    "JPN-RUS": "Japan sanctions Russia and backs Ukraine, and the two have an unsettled territorial "
               "dispute: -0.5.",
    "JPN-CHN": "Strained but working, with heavy trade and territorial disputes: -0.2.",
    "JPN-USA": "The closest US alliance in the region, with more than 50,000 US troops in Japan: 0.8.",
    "JPN-ROK": "Partners against the same threat, held back by historical disputes: 0.3.",
    "UKR-DPRK": "DPRK shells, missiles and soldiers are used against Ukraine: -0.8, just short of the war "
                "with Russia itself.",
    "UKR-RUS": "At war: the bottom of the scale, -1.",
    "UKR-CHN": "Cool: China 'silently observes' Russia's war and will not press Putin (s003-reproach): -0.2.",
    "UKR-USA": "Ukraine's main backer, with support in doubt under a new administration (s001-trump-reduce): "
               "0.6.",
    "UKR-ROK": "Cooperation discussed (the Umerov visit) but no direct arms: 0.3.",
    "UKR-JPN": "Japan gives Ukraine money and non-lethal aid and sanctions Russia: 0.4, a little above South "
               "Korea.",
}

INDICATORS: dict[str, Indicator] = {ind.name: ind for ind in _BASE}
for _p in PAIRS:
    INDICATORS[f"relations.{_p}"] = _i(
        f"relations.{_p}", "alignment", -1, 1, _RELATION_DEFAULTS[_p],
        f"Alignment between {_p.split('-')[0]} and {_p.split('-')[1]} (-1 hostile, 1 aligned).",
        _RELATION_CLAIMS[_p], key=_p in ("RUS-DPRK", "CHN-DPRK", "CHN-RUS"),
        assumption=_RELATION_ASSUMPTIONS.get(_p, ""))

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


PERCENT_UNITS = frozenset({"share"})
"""Units shown in percent (a share 0.62 is "62%", a change of 0.031 in it "+3.1 pp")."""

COUNT_UNITS = frozenset({"soldiers", "launches", "shells/month", "shells", "t", "t/year", "months"})
"""Units of counts and quantities: whole numbers with thousands separators and the unit ("1,000,000 t")."""

_MONEY_SCALES = ((1e12, " tn"), (1e9, " bn"), (1e6, " m"))


def unit_label(name: str) -> str:
    """Human label with the unit, for tables and chart axes: ``DPRK.food_security (%, 0 to 100%)``."""
    ind = INDICATORS[name]
    if ind.unit in PERCENT_UNITS and ind.low is not None and ind.high is not None:
        return f"{name} (%, {ind.low * 100:g} to {ind.high * 100:g}%)"
    if ind.low is not None and ind.high is not None and ind.unit in {"index", "alignment"}:
        return f"{name} ({ind.unit}, {ind.low:g} to {ind.high:g})"
    return f"{name} ({ind.unit})"


def _decimal(value: float, decimals: int) -> str:
    """``value`` with ``decimals`` places and thousands separators, never in scientific notation.

    A small non-zero value keeps two significant digits (``0.00042``), not ``0.000``.
    """
    a = abs(value)
    if 0 < a < 10.0 ** -decimals:
        decimals = min(12, -math.floor(math.log10(a)) + 1)
    return f"{value:,.{decimals}f}"


def _significant(a: float, digits: int = 3) -> str:
    """A non-negative number to ``digits`` significant digits in plain notation: 11.4, 300, 1.23."""
    if a == 0 or not math.isfinite(a):
        return f"{a:g}"
    places = max(0, digits - 1 - math.floor(math.log10(a)))
    text = f"{a:,.{places}f}"
    # rounding may carry into one more digit (99.96 -> "100.0"): drop the place that carried
    if places and len(text.replace(",", "").replace(".", "").lstrip("0")) > digits:
        text = f"{a:,.{places - 1}f}"
    return text


def _money(value: float, unit: str, sign: str) -> str:
    per = unit[3:]  # "" or "/month", "/t", ...
    a = abs(value)
    for div, word in _MONEY_SCALES:
        if a >= div * 0.9995:  # 999.6 m is "$1.00 bn", not "$1,000 m"
            return f"{sign}${_significant(a / div)}{word}{per}"
    return f"{sign}${a:,.0f}{per}"


def _sign(value: float, signed: bool) -> str:
    return "-" if value < 0 else "+" if signed and value > 0 else ""


def format_value(value: float, unit: str, digits: int = 3) -> str:
    """A number for people, by its unit: ``$11.4 bn``, ``62%``, ``82,500 soldiers``, ``0.612``.

    Money in dollars (``m``, ``bn``, three significant digits), shares in percent, counts with
    thousands separators and their unit, other numbers with ``digits`` places; never ``1e+06``.
    The dashboard, the CLI and the game's reports all write an indicator's value through it.
    """
    value = float(value)
    if not math.isfinite(value):
        return "n/a"
    if unit.startswith("USD"):
        return _money(value, unit, _sign(value, False))
    if unit in PERCENT_UNITS:
        pct = value * 100.0
        return f"{pct:.{0 if abs(pct) >= 10 or pct == 0 else 1}f}%"
    if unit in COUNT_UNITS:
        return f"{value:,.0f} {unit}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return _decimal(value, digits)


def format_change(value: float, unit: str, digits: int = 3) -> str:
    """A change in an indicator, signed, by its unit: ``+3.1 pp``, ``-$148 m``, ``+1,200 soldiers``, ``+0.012``.

    A change in a share is in percentage points. No change is written without a sign (``0.0 pp``).
    """
    value = float(value)
    if not math.isfinite(value):
        return "n/a"
    if unit.startswith("USD"):
        return _money(value, unit, _sign(value, True))
    if unit in PERCENT_UNITS:
        text = f"{value * 100.0:+.1f}"
        return f"{'0.0' if float(text) == 0 else text} pp"
    if unit in COUNT_UNITS or abs(value) >= 1000:
        text = f"{value:+,.0f}"
        text = "0" if float(text.replace(",", "")) == 0 else text
        return f"{text} {unit}" if unit in COUNT_UNITS else text
    text = _decimal(value, digits)
    return text if value <= 0 or text.startswith("-") else "+" + text
