"""The one model of consequences: :func:`resolve` turns a month's choices into next month's state.

The real step and every actor's projection call the same function. The month is written
as a sequence of small *rules*, each computing a few quantities from the state at the
start of the month, the choices, the parameters and what earlier rules computed. Arrays
broadcast: a state holds one array per indicator with one entry per member; a choice
array is one option index per member, or a column of option indices (shape
``(options, 1)``) when an actor projects all its options at once.

Rules are straight-line array code: they read the same indicators and choices every
month, and read choices through :func:`_is` and :func:`_per_option`. That lets
:mod:`sim.engine.plans` trace them once and run a projection on only the rules it needs
(the speed trick is explained there); with no plan, :func:`resolve` runs every rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.actors import ACTOR_CLASSES
from sim.engine.arith import at_least, at_most, clip, renew
from sim.indicators import FLOAT, PAIRS

if TYPE_CHECKING:  # pragma: no cover
    from sim.engine.plans import Plan

State = dict[str, np.ndarray]

OPTION_INDEX: dict[str, dict[str, int]] = {
    code: {o.name: i for i, o in enumerate(cls.options)} for code, cls in ACTOR_CLASSES.items()
}

# Direct relation effects of options: pair -> {actor: delta per option index}.
RELATION_EFFECTS: dict[str, dict[str, np.ndarray]] = {p: {} for p in PAIRS}
for _code, _cls in ACTOR_CLASSES.items():
    for _i, _opt in enumerate(_cls.options):
        for _pair, _d in _opt.relations.items():
            if _pair not in RELATION_EFFECTS:
                raise ValueError(f"{_code}.{_opt.name}: unknown relation pair {_pair!r}")
            RELATION_EFFECTS[_pair].setdefault(_code, np.zeros(len(_cls.options), dtype=FLOAT))[_i] = _d


@dataclass
class Rule:
    """One step of the month: a function of (s, C, p, t, shocks, n) that sets ``n[...]``."""

    fn: Callable
    outputs: tuple[str, ...] = ()
    reads: frozenset[str] = frozenset()
    actors: frozenset[str] = field(default_factory=frozenset)
    choice_uses: dict[str, tuple | None] = field(default_factory=dict)
    """Actor -> how this rule reads its choice: ("is", option index) and ("table", values)
    entries, or None if it reads it some other way. Only actors whose choice it reads."""


RULES: list[Rule] = []


def rule(fn: Callable) -> Callable:
    """Decorator: register ``fn`` as the next rule of the month (appended to :data:`RULES`)."""
    RULES.append(Rule(fn))
    return fn


def _is(C, actor: str, option: str):
    """1 where ``actor`` chose ``option``, else 0.

    A broadcastable array of the model's number type: a bool array would turn
    ``param * _is(...)`` into double precision.
    """
    k = OPTION_INDEX[actor][option]
    uses = getattr(C, "uses", None)  # only the tracer of sim.engine.plans has it
    if uses is not None:
        uses.setdefault(actor, []).append(("is", k))
    return (C[actor] == k).astype(FLOAT)


def _per_option(C, actor: str, values: np.ndarray):
    """``values[choice of actor]``: a per-option table looked up (broadcastable)."""
    uses = getattr(C, "uses", None)  # only the tracer of sim.engine.plans has it
    if uses is not None:
        uses.setdefault(actor, []).append(("table", values))
    return values.take(C[actor])


# ---------------------------------------------------------------------------------------------
# The rules, in order. ``s`` is the state at the start of the month, ``C`` the choices,
# ``p`` the parameters, ``t`` the month index, ``shocks`` the month's random shocks (None in
# a projection: actors expect none), ``n`` the results so far (names starting with "_"
# are intermediate quantities, the rest are indicators of the next state).


@rule
def _war(s, C, p, t, shocks, n):
    war = s["world.war_intensity"] + p["war_reversion"] * (p["war_intensity_target"] - s["world.war_intensity"])
    if shocks is not None:
        war = war + p["war_volatility"] * shocks["war"]
    n["world.war_intensity"] = clip(war)


def _programme(name: str, actor: str, option: str):
    """A supply programme: renewed to 1 by a choice this month, otherwise it runs down."""

    def fn(s, C, p, t, shocks, n):
        n[name] = renew(_is(C, actor, option), s[name] * p["programme_persistence"])

    fn.__name__ = f"_programme_{name}"
    return rule(fn)


_programme("DPRK.export_level", "DPRK", "export_munitions")
_programme("RUS.purchase_level", "RUS", "buy_munitions")
@rule
def _rice(s, C, p, t, shocks, n):
    # A choice renews the rice programme; a standing deal (params.rice_deal) keeps it at least there.
    chosen = renew(_is(C, "RUS", "ship_food"), s["RUS.food_aid_level"] * p["programme_persistence"])
    n["RUS.food_aid_level"] = at_least(chosen, p["rice_deal"])



_programme("CHN.aid_level", "CHN", "aid_dprk")
_programme("USA.ukraine_aid", "USA", "aid_ukraine")
_programme("ROK.ukraine_aid", "ROK", "aid_ukraine")


@rule
def _pressure(s, C, p, t, shocks, n):
    n["CHN.pressure_on_dprk"] = np.maximum(_is(C, "CHN", "warn_pyongyang"), 0.5 * s["CHN.pressure_on_dprk"])


@rule
def _china_trade(s, C, p, t, shocks, n):
    target = (1.0 - (1.0 - p["squeeze_trade_level"]) * _is(C, "CHN", "squeeze_trade")
              + 0.2 * _is(C, "DPRK", "seek_china_trade"))
    n["CHN.trade_level"] = clip(s["CHN.trade_level"] + 0.5 * (target - s["CHN.trade_level"]), 0.0, 1.5)


@rule
def _shells(s, C, p, t, shocks, n):
    # What the DPRK offers times what Russia buys, less what Ukrainian strikes destroy.
    level = n["DPRK.export_level"] * n["RUS.purchase_level"]
    shells = p["shell_capacity"] * level * (1.0 - p["strike_effect"] * _is(C, "UKR", "strike_supply_lines"))
    n["DPRK.shells_exported"] = shells
    n["_revenue"] = shells * p["shell_price_usd"]
    n["_trade_flow"] = shells / np.maximum(p["shell_capacity"], FLOAT(1.0))


@rule
def _troops(s, C, p, t, shocks, n):
    war = n["world.war_intensity"]
    troops = s["DPRK.troops_abroad"] * (1.0 - p["troop_attrition"] * war - p["troop_return"] * (1.0 - war))
    # Russia takes new soldiers only while it fights (none at intensity 0, all from 0.5 up).
    sent = troops + p["troop_batch"] * _is(C, "DPRK", "deploy_troops") * clip(2.0 * war)
    troops = at_least(np.minimum(sent, at_least(troops, p["troop_cap"])), 0.0)
    n["DPRK.troops_abroad"] = troops
    n["_troop_pay"] = troops * p["troop_pay_usd_month"]


@rule
def _payments(s, C, p, t, shocks, n):
    rice_t = p["rice_t_per_year"] * n["RUS.food_aid_level"]
    n["_rice_t"] = rice_t
    n["_rice_value"] = rice_t / 12.0 * p["rice_price_usd_t"]
    pay = n["_revenue"] + n["_troop_pay"] + n["_rice_value"]
    # In a month of technology transfer, part of the shells is paid in technology, not money or oil.
    n["_tech_paid"] = p["tech_payment_share"] * n["_revenue"] * _is(C, "RUS", "transfer_space_tech")
    n["RUS.monthly_payments_usd"] = pay
    n["RUS.cash_payments_usd"] = pay - n["_rice_value"] - n["_tech_paid"]
    n["RUS.payments_to_dprk_usd"] = s["RUS.payments_to_dprk_usd"] + pay


@rule
def _shortfall(s, C, p, t, shocks, n):
    need = p["shell_need_full"] * n["world.war_intensity"] * (1.0 + p["stock_rebuild"])
    supply = p["domestic_shells"] * (1.0 + p["domestic_growth"] * t) + n["DPRK.shells_exported"]
    n["RUS.munitions_shortfall"] = clip((need - supply) / at_least(need, 1.0))


@rule
def _sanctions(s, C, p, t, shocks, n):
    step = p["sanctions_step"]
    x = s["world.sanctions_enforcement"]
    x = (x + p["sanctions_reversion"] * (p["sanctions_baseline"] - x)
         + step * (1.0 - x) * _is(C, "USA", "tighten_sanctions")
         - 1.5 * step * x * _is(C, "RUS", "shield_at_un")
         + 0.5 * step * _is(C, "CHN", "squeeze_trade")
         + 0.3 * step * _is(C, "UKR", "publicise_dprk_arms")
         - p["talks_relief"] * (_is(C, "DPRK", "engage_us") * _is(C, "USA", "offer_talks")))
    n["world.sanctions_enforcement"] = clip(x)


@rule
def _cash(s, C, p, t, shocks, n):
    china_income = p["china_trade_income_usd"] * n["CHN.trade_level"] * (1.0 - 0.5 * n["world.sanctions_enforcement"])
    # What sanctions block: the coal, textiles and workers abroad the DPRK could otherwise sell.
    other_exports = p["sanctioned_exports_usd"] * (1.0 - n["world.sanctions_enforcement"])
    cash_in = (n["_revenue"] - n["_tech_paid"]) * p["cash_share"] + n["_troop_pay"] + china_income + other_exports
    n["_cash_in"] = cash_in
    n["DPRK.hard_currency_usd"] = s["DPRK.hard_currency_usd"] * (1.0 - p["spend_rate"]) + cash_in


@rule
def _food(s, C, p, t, shocks, n):
    bought_t = p["food_import_share"] * n["_cash_in"] * (12.0 / p["grain_price_usd_t"])
    grain = (p["grain_production_t"] + n["_rice_t"] + p["china_aid_t_per_year"] * n["CHN.aid_level"]
             + p["china_trade_food_t"] * n["CHN.trade_level"] + bought_t)
    n["DPRK.food_security"] = clip(grain / p["grain_need_t"])


@rule
def _trade_share(s, C, p, t, shocks, n):
    russia = (p["russia_base_trade_usd"] + (n["_revenue"] - n["_tech_paid"]) * (1.0 - p["cash_share"])
              + n["_rice_value"])
    china = p["china_trade_usd"] * n["CHN.trade_level"]
    share = s["DPRK.russia_trade_share"]
    n["DPRK.russia_trade_share"] = share + p["trade_adjust"] * (russia / (russia + china + 1.0) - share)


@rule
def _capabilities(s, C, p, t, shocks, n):
    tech = _is(C, "RUS", "transfer_space_tech")
    tests = _is(C, "DPRK", "missile_test")
    space = s["DPRK.space_capability"] + p["tech_gain"] * tech
    launch = _is(C, "DPRK", "launch_satellite") * (space >= 0.5)
    n["DPRK.space_capability"] = clip(space - 0.3 * launch)
    n["DPRK.satellites_launched"] = s["DPRK.satellites_launched"] + launch
    n["DPRK.missile_tests"] = p["launches_per_test"] * tests + launch
    n["DPRK.military_capability"] = clip(s["DPRK.military_capability"] + p["test_gain"] * tests
                                         + p["tech_gain"] * tech + 0.05 * launch - p["obsolescence"])


def _relation(pair: str):
    effects = RELATION_EFFECTS[pair]
    key = f"relations.{pair}"
    initial = f"initial.{key}"
    bond = {"RUS-DPRK": 1.0, "CHN-RUS": -1.0 / 3.0, "CHN-DPRK": -1.0 / 3.0}.get(pair)
    combat = pair == "CHN-DPRK"

    def fn(s, C, p, t, shocks, n):
        r = s[key] + p["relation_reversion"] * (p[initial] - s[key])
        for actor, deltas in effects.items():
            r = r + _per_option(C, actor, deltas)
        if bond is not None:  # munitions trade draws Moscow and Pyongyang together, cools Beijing
            r = r + bond * p["trade_bond"] * n["_trade_flow"]
        if combat:  # DPRK soldiers in combat cool Beijing on Pyongyang
            r = r - p["combat_chill"] * at_most(n["DPRK.troops_abroad"] / p["red_line_troops"], 1.0) \
                * n["world.war_intensity"]
        n[key] = clip(r, -1.0, 1.0)

    fn.__name__ = f"_relation_{pair}"
    return rule(fn)


for _pair in PAIRS:
    _relation(_pair)


@rule
def _us_presence(s, C, p, t, shocks, n):
    base = p["us_troops_base"]
    requests = 1.0 * _is(C, "ROK", "request_us_presence") + _is(C, "JPN", "request_us_presence")
    troops = s["USA.regional_troops"]
    n["USA.regional_troops"] = at_least(
        troops + p["us_drawdown"] * (base - troops) + p["reinforce_batch"] * _is(C, "USA", "reinforce_region")
        + p["rotation"] * requests, 0.0)


@rule
def _threat_common(s, C, p, t, shocks, n):
    base = np.maximum(p["us_troops_base"], FLOAT(1.0))
    deterrence = p["threat_deterrence"] * 0.5 * clip(n["USA.regional_troops"] / base, 0.0, 2.0)
    n["_threat_common"] = (p["threat_base"] + p["threat_launch"] * at_most(n["DPRK.missile_tests"] / 4.0, 1.0)
                           + p["threat_alliance"] * (n["relations.RUS-DPRK"] + 1.0) * 0.5
                           + p["threat_capability"] * n["DPRK.military_capability"] - deterrence)


def _ally(ally: str):
    def fn(s, C, p, t, shocks, n):
        ready = clip(s[f"{ally}.defence_readiness"] * (1.0 - p["readiness_decay"])
                     + p["defence_step"] * _is(C, ally, "strengthen_defences"))
        n[f"{ally}.defence_readiness"] = ready
        target = clip(n["_threat_common"] - p["threat_defence"] * ready)
        key = f"{ally}.threat_perception"
        n[key] = s[key] + p["threat_adjust"] * (target - s[key])

    fn.__name__ = f"_threat_{ally}"
    return rule(fn)


_ally("ROK")
_ally("JPN")


@rule
def _influence(s, C, p, t, shocks, n):
    chn_dprk = (n["relations.CHN-DPRK"] + 1.0) * 0.5
    target = clip((1.0 - n["DPRK.russia_trade_share"]) * (0.5 + 0.5 * chn_dprk) + 0.1 * n["CHN.aid_level"]
                  + 0.05 * _is(C, "CHN", "squeeze_trade"))
    x = s["CHN.influence_over_dprk"]
    n["CHN.influence_over_dprk"] = x + p["influence_adjust"] * (target - x)


@rule
def _reputation(s, C, p, t, shocks, n):
    x = s["CHN.reputation"]
    alliance = (n["relations.RUS-DPRK"] + 1.0) * 0.5
    x = (x + 0.05 * (p["reputation_baseline"] - x)
         - p["reproach"] * _is(C, "CHN", "tolerate") * alliance * n["world.war_intensity"]
         + 0.01 * _is(C, "CHN", "pressure_moscow")
         - 0.01 * _is(C, "UKR", "publicise_dprk_arms"))
    n["CHN.reputation"] = clip(x)


@rule
def _regime(s, C, p, t, shocks, n):
    troops_share = at_most(n["DPRK.troops_abroad"] / p["red_line_troops"], 1.0)
    crossing = troops_share * n["world.war_intensity"] + at_most(n["DPRK.missile_tests"] / 4.0, 1.0)
    patron = (np.maximum(n["relations.RUS-DPRK"], n["relations.CHN-DPRK"]) + 1.0) * 0.5
    base = np.maximum(p["us_troops_base"], FLOAT(1.0))
    outside = 0.5 * n["world.sanctions_enforcement"] + 0.5 * clip(n["USA.regional_troops"] / (2.0 * base))
    cash = n["DPRK.hard_currency_usd"]
    # China's trade is the economy's lifeline (fuel, goods): a squeeze shakes the regime.
    lifeline = at_most(n["CHN.trade_level"], 1.0)
    target = (0.3 * n["DPRK.food_security"] + 0.2 * cash / (cash + p["cash_half_saturation_usd"])
              + 0.15 * patron + 0.15 * (1.0 - outside) + 0.1 * n["DPRK.military_capability"] + 0.1 * lifeline
              - p["china_red_line_penalty"] * n["CHN.pressure_on_dprk"] * crossing)
    x = s["DPRK.regime_security"]
    n["DPRK.regime_security"] = clip(x + p["regime_adjust"] * (target - x))


@rule
def _allied_support(s, C, p, t, shocks, n):
    target = (0.6 * n["USA.ukraine_aid"] + 0.2 * n["ROK.ukraine_aid"]
              + 0.2 * (n["relations.UKR-JPN"] + 1.0) * 0.5)
    x = s["UKR.allied_support"]
    x = (x + p["support_adjust"] * (target - x) + p["lobby_gain"] * _is(C, "UKR", "lobby_allies")
         + 0.5 * p["lobby_gain"] * _is(C, "UKR", "publicise_dprk_arms"))
    n["UKR.allied_support"] = clip(x)


def resolve(state: State, choices: dict[str, np.ndarray], p: dict, t: int,
            shocks: dict[str, np.ndarray] | None, *, plan: Plan | None = None,
            status_quo: State | None = None) -> State:
    """Resolve one month: all actors' choices together, from the state at its start.

    Args:
        state: indicator name -> array (members,) at the start of the month.
        choices: actor code -> option index array, broadcastable against members.
        p: parameters: world parameter name -> float or array (members,), and each
            indicator's starting value under ``"initial.NAME"`` (relations drift back to theirs).
        t: month index since the start of the run (0 for the first month).
        shocks: this month's random shocks (``"war"``: standard normal per member), or
            None in a projection, where actors expect no shock.
        plan: for a projection, the rules to run (see :func:`projection_plan`); the rest
            of what they read is copied from ``status_quo``, the result of this same
            function for the same month with every actor repeating last month's choice
            (run with :func:`status_quo_plan`, or with no plan).
        status_quo: that status-quo state, which ``plan`` copies from (read only with a plan).

    Returns:
        The state at the start of the next month, with intermediate quantities under
        names starting with ``_`` (a new dict; ``state`` is not changed).
    """
    n: State = {}
    if plan is None:
        for r in RULES:
            r.fn(state, choices, p, t, shocks, n)
        return n
    for key in plan.copy:
        n[key] = status_quo[key]
    for step in plan.steps:
        C = choices if step.options is None else {**choices, plan.actor: step.options}
        if not step.rows:
            step.rule.fn(state, C, p, t, shocks, n)
            continue
        view = dict(n)  # the inputs, each with this rule's rows
        for key, rows in step.rows:
            a = n[key]
            if a.ndim > 1 and a.shape[0] > 1:
                view[key] = a.take(rows, axis=0)
        step.rule.fn(state, C, p, t, shocks, view)
        for key in step.rule.outputs:
            n[key] = view[key]
    for key, rows in plan.expand:  # a row for every option
        a = n[key]
        if a.ndim > 1 and a.shape[0] > 1:
            n[key] = a.take(rows, axis=0)
    return n
