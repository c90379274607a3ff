"""The one model of consequences: :func:`resolve` turns a month's moves into next month's state.

The real step and every actor's look-ahead call the same function. The month is written as
a sequence of small *rules*, each computing a few quantities from the state at the start of
the month, the moves, the parameters and what earlier rules computed. The first rule applies
the moves to the actors' postures (their instruments' levels, which persist); the rest are
the world's flows, read from the postures.

Arrays broadcast: a state holds one array per indicator, with one entry per member, or a
row per projected world in front (``(rows, members)``) in a look-ahead; a move array is one
move index per member, or a column of indices (``(rows, 1)``). Rules read moves only through
:func:`_is` and :func:`_per_option`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.actors import ACTOR_CLASSES
from sim.actors.chn import red_line_crossing
from sim.engine.arith import at_least, at_most, clip
from sim.indicators import FLOAT, INDICATORS, PAIRS

State = dict[str, np.ndarray]

OPTION_INDEX: dict[str, dict[str, int]] = {
    code: {o.name: i for i, o in enumerate(cls.options)} for code, cls in ACTOR_CLASSES.items()
}

# Each instrument's owner, and its step per move: indicator -> (actor, steps per move index).
POSTURE_CHANGES: dict[str, tuple[str, np.ndarray]] = {}
for _code, _cls in ACTOR_CLASSES.items():
    for _ins in _cls.instruments:
        if _ins.indicator not in INDICATORS:
            raise ValueError(f"{_code}: instrument {_ins.indicator!r} is not an indicator")
        POSTURE_CHANGES[_ins.indicator] = (
            _code, np.array([o.changes.get(_ins.indicator, 0) for o in _cls.options], dtype=FLOAT))
    for _opt in _cls.options:
        for _ind in _opt.changes:
            if _ind not in {i.indicator for i in _cls.instruments}:
                raise ValueError(f"{_code}.{_opt.name}: changes {_ind!r}, not one of its instruments")
INSTRUMENTS = {i.indicator: i for cls in ACTOR_CLASSES.values() for i in cls.instruments}

# Monthly relation effects of standing programmes: pair -> ((indicator, change per unit of level), ...).
LEVEL_RELATIONS: dict[str, tuple[tuple[str, float], ...]] = {
    p: tuple((i.indicator, d) for i in INSTRUMENTS.values() for q, d in i.relations.items() if q == p) for p in PAIRS}
for _ins in INSTRUMENTS.values():
    for _pair in _ins.relations:
        if _pair not in PAIRS:
            raise ValueError(f"{_ins.indicator}: unknown relation pair {_pair!r}")

# Direct relation effects of moves: pair -> {actor: delta per move index}.
RELATION_EFFECTS: dict[str, dict[str, np.ndarray]] = {p: {} for p in PAIRS}
for _code, _cls in ACTOR_CLASSES.items():
    for _i, _opt in enumerate(_cls.options):
        for _pair, _d in _opt.relations.items():
            if _pair not in RELATION_EFFECTS:
                raise ValueError(f"{_code}.{_opt.name}: unknown relation pair {_pair!r}")
            RELATION_EFFECTS[_pair].setdefault(_code, np.zeros(len(_cls.options), dtype=FLOAT))[_i] = _d


RULES: list[Callable] = []
"""The rules of the month, in order: functions of (s, C, p, t, shocks, n) that set ``n[...]``."""


def rule(fn: Callable) -> Callable:
    """Decorator: register ``fn`` as the next rule of the month (appended to :data:`RULES`)."""
    RULES.append(fn)
    return fn


def _is(C, actor: str, option: str):
    """1 where ``actor`` made the move ``option``, else 0.

    A broadcastable array of the model's number type: a bool array would turn
    ``param * _is(...)`` into double precision.
    """
    return (C[actor] == OPTION_INDEX[actor][option]).astype(FLOAT)


def _per_option(C, actor: str, values: np.ndarray):
    """``values[move of actor]``: a per-move table looked up (broadcastable)."""
    return values.take(C[actor])


# ---------------------------------------------------------------------------------------------
# The rules, in order. ``s`` is the state at the start of the month, ``C`` the moves, ``p``
# the parameters, ``t`` the month index, ``shocks`` the month's random shocks (None in a
# projection: actors expect none), ``n`` the results so far (names starting with "_" are
# intermediate quantities, the rest are indicators of the next state).


@rule
def _war(s, C, p, t, shocks, n):
    war = s["world.war_intensity"] + p["war_reversion"] * (p["war_intensity_target"] - s["world.war_intensity"])
    if shocks is not None:
        war = war + p["war_volatility"] * shocks["war"]
    n["world.war_intensity"] = clip(war)
    n["world.mutual_assistance"] = s["world.mutual_assistance"]  # only events change it


@rule
def _postures(s, C, p, t, shocks, n):
    # Each instrument keeps its level unless its owner's move steps it (params.posture_step).
    step = p["posture_step"]
    for key, (actor, steps) in POSTURE_CHANGES.items():
        moves = C[actor]
        if moves.ndim == 0 and steps[moves] == 0:  # everyone keeps this instrument: nothing to compute
            n[key] = s[key]
            continue
        ins = INSTRUMENTS[key]
        change = step * _per_option(C, actor, steps)
        # A level a scenario set outside the instrument's range (China's trade above 1) stays until a move.
        n[key] = np.where(change == 0, s[key], clip(clip(s[key], ins.low, ins.high) + change, ins.low, ins.high))


@rule
def _shells(s, C, p, t, shocks, n):
    # What the DPRK offers times what Russia takes; Ukrainian strikes destroy part before the front.
    level = n["DPRK.export_level"] * n["RUS.purchase_level"]
    shells = p["shell_capacity"] * level
    n["DPRK.shells_exported"] = shells
    n["_at_front"] = shells * (1.0 - p["strike_effect"] * n["UKR.strike_campaign"])
    n["_revenue"] = shells * p["shell_price_usd"]
    n["_trade_flow"] = shells / np.maximum(p["shell_capacity"], FLOAT(1.0))


@rule
def _troops(s, C, p, t, shocks, n):
    war = n["world.war_intensity"]
    # Russia takes soldiers only while it fights (none below intensity 0.1, all from 0.5 up).
    target = n["DPRK.deployment_level"] * p["troop_cap"] * clip(2.5 * war - 0.25)
    # The DPRK makes good its losses; the force abroad follows the deployment (params.troop_return).
    troops = s["DPRK.troops_abroad"]
    troops = at_least(troops + p["troop_return"] * (target - troops), 0.0)
    n["DPRK.troops_abroad"] = troops
    n["_troop_pay"] = troops * p["troop_pay_usd_month"]


@rule
def _payments(s, C, p, t, shocks, n):
    # Russia pays for the shells partly in kind: rice (a standing deal, params.rice_deal, keeps the
    # programme at least there) and technology count against the price; the rest is money and oil.
    rice_t = p["rice_t_per_year"] * np.maximum(n["RUS.food_aid_level"], p["rice_deal"])
    n["_rice_t"] = rice_t
    rice_value = rice_t / 12.0 * p["rice_price_usd_t"]
    tech_value = p["tech_payment_share"] * n["_revenue"] * n["RUS.tech_level"]
    n["_rice_value"] = rice_value
    n["_tech_paid"] = tech_value
    in_kind = rice_value + tech_value
    n["_money_oil"] = at_least(n["_revenue"] - in_kind, 0.0)  # the shells' price not paid in kind
    pay = np.maximum(n["_revenue"], in_kind) + n["_troop_pay"]
    n["RUS.monthly_payments_usd"] = pay
    n["RUS.cash_payments_usd"] = n["_money_oil"] + n["_troop_pay"]
    n["RUS.payments_to_dprk_usd"] = s["RUS.payments_to_dprk_usd"] + pay


@rule
def _shortfall(s, C, p, t, shocks, n):
    need = p["shell_need_full"] * n["world.war_intensity"] * (1.0 + p["stock_rebuild"])
    supply = p["domestic_shells"] * (1.0 + p["domestic_growth"] * t) + n["_at_front"]
    n["RUS.munitions_shortfall"] = clip((need - supply) / at_least(need, 1.0))


@rule
def _sanctions(s, C, p, t, shocks, n):
    push = p["sanctions_push"]
    target = clip(p["sanctions_baseline"] + push * (n["USA.sanctions_effort"] - 0.5)
                  + 0.5 * push * (1.0 - at_most(n["CHN.trade_level"], 1.0)))
    step = p["sanctions_step"]
    x = s["world.sanctions_enforcement"]
    x = (x + p["sanctions_reversion"] * (target - x)
         - step * x * n["RUS.un_shield"]
         + 0.3 * step * _is(C, "UKR", "publicise_dprk_arms")
         - p["talks_relief"] * (_is(C, "DPRK", "engage_us") * _is(C, "USA", "offer_talks")))
    n["world.sanctions_enforcement"] = clip(x)


@rule
def _cash(s, C, p, t, shocks, n):
    china_income = p["china_trade_income_usd"] * n["CHN.trade_level"] * (1.0 - 0.5 * n["world.sanctions_enforcement"])
    # What sanctions block: the coal, textiles and workers abroad the DPRK could otherwise sell.
    other_exports = p["sanctioned_exports_usd"] * (1.0 - n["world.sanctions_enforcement"])
    cash_in = n["_money_oil"] * p["cash_share"] + n["_troop_pay"] + china_income + other_exports
    n["_cash_in"] = cash_in
    launches = p["launches_per_test"] * n["DPRK.test_tempo"]  # what the month's tests cost (no satellite)
    n["DPRK.hard_currency_usd"] = at_least(s["DPRK.hard_currency_usd"] * (1.0 - p["spend_rate"]) + cash_in
                                           - p["launch_cost_usd"] * launches, 0.0)


@rule
def _food(s, C, p, t, shocks, n):
    bought_t = p["food_import_share"] * n["_cash_in"] * (12.0 / p["grain_price_usd_t"])
    grain = (p["grain_production_t"] + n["_rice_t"] + p["china_aid_t_per_year"] * n["CHN.aid_level"]
             + p["china_trade_food_t"] * n["CHN.trade_level"] + bought_t)
    n["DPRK.food_security"] = clip(grain / p["grain_need_t"])


@rule
def _trade_share(s, C, p, t, shocks, n):
    # Russia's civil trade: its base trade, the oil part of the shells' price, the rice and the technology.
    russia = (p["russia_base_trade_usd"] + n["_money_oil"] * (1.0 - p["cash_share"]) + n["_rice_value"]
              + n["_tech_paid"])
    n["_russia_trade"] = russia
    china = p["china_trade_usd"] * n["CHN.trade_level"]
    share = s["DPRK.russia_trade_share"]
    n["DPRK.russia_trade_share"] = share + p["trade_adjust"] * (russia / (russia + china + 1.0) - share)


@rule
def _capabilities(s, C, p, t, shocks, n):
    tech = n["RUS.tech_level"]
    tempo = n["DPRK.test_tempo"]
    space = s["DPRK.space_capability"] + p["tech_gain"] * tech
    launch = _is(C, "DPRK", "launch_satellite") * (space >= 0.5)
    n["DPRK.space_capability"] = clip(space - 0.3 * launch)
    n["DPRK.satellites_launched"] = s["DPRK.satellites_launched"] + launch
    n["DPRK.missile_tests"] = p["launches_per_test"] * tempo + launch
    # Soldiers in combat bring back experience (drones, artillery) as well as pay.
    combat = at_most(n["DPRK.troops_abroad"] / np.maximum(p["troop_cap"], FLOAT(1.0)), 1.0) * n["world.war_intensity"]
    n["DPRK.military_capability"] = clip(s["DPRK.military_capability"] + p["test_gain"] * tempo
                                         + 0.5 * p["tech_gain"] * tech + p["combat_gain"] * combat
                                         + 0.05 * launch - p["obsolescence"])


def _relation(pair: str):
    effects = RELATION_EFFECTS[pair]
    levels = LEVEL_RELATIONS[pair]
    key = f"relations.{pair}"
    initial = f"initial.{key}"
    bond = {"RUS-DPRK": 1.0, "CHN-RUS": -1.0 / 3.0, "CHN-DPRK": -1.0 / 3.0}.get(pair)
    combat = pair == "CHN-DPRK"

    def fn(s, C, p, t, shocks, n):
        rev = p["relation_reversion"]
        r = s[key] * (1.0 - rev) + rev * p[initial]
        for actor, deltas in effects.items():
            moves = C[actor]
            if moves.ndim or deltas[moves]:  # (keep, the move of every row that is not projected, changes none)
                r = r + _per_option(C, actor, deltas)
        for indicator, d in levels:  # standing programmes
            r = r + FLOAT(d) * n[indicator]
        if bond is not None:  # munitions trade draws Moscow and Pyongyang together, cools Beijing
            r = r + bond * p["trade_bond"] * n["_trade_flow"]
        if combat:  # DPRK soldiers in combat cool Beijing on Pyongyang
            r = r - p["combat_chill"] * at_most(n["DPRK.troops_abroad"] / np.maximum(p["troop_cap"], FLOAT(1.0)),
                                                1.0) * n["world.war_intensity"]
        n[key] = clip(r, -1.0, 1.0)

    fn.__name__ = f"_relation_{pair}"
    return rule(fn)


for _pair in PAIRS:
    _relation(_pair)


@rule
def _us_presence(s, C, p, t, shocks, n):
    base = p["us_troops_base"]
    requests = _is(C, "ROK", "request_us_presence") + _is(C, "JPN", "request_us_presence")
    target = base + n["USA.presence_level"] / p["posture_step"] * p["reinforce_batch"]
    troops = s["USA.regional_troops"]
    n["USA.regional_troops"] = at_least(troops + p["us_drawdown"] * (target - troops) + p["rotation"] * requests, 0.0)


@rule
def _threat_common(s, C, p, t, shocks, n):
    base = np.maximum(p["us_troops_base"], FLOAT(1.0))
    deterrence = p["threat_deterrence"] * 0.5 * clip(n["USA.regional_troops"] / base, 0.0, 2.0)
    n["_threat_common"] = (p["threat_base"] + p["threat_launch"] * at_most(n["DPRK.missile_tests"] / 4.0, 1.0)
                           + p["threat_alliance"] * (n["relations.RUS-DPRK"] + 1.0) * 0.5
                           + p["threat_capability"] * n["DPRK.military_capability"] - deterrence)


def _ally(ally: str):
    def fn(s, C, p, t, shocks, n):
        ready = s[f"{ally}.defence_readiness"]
        ready = clip(ready + p["defence_step"] * (n[f"{ally}.defence_effort"] - ready))
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
    # Structural: China's weight in the DPRK's trade (at its usual openness: a squeeze spends no
    # influence), aid and political backing, against Russia's.
    backing = p["influence_backing_usd"]
    aid_usd = p["china_aid_t_per_year"] * n["CHN.aid_level"] / 12.0 * p["grain_price_usd_t"]
    china = p["china_trade_usd"] + aid_usd + backing * (n["relations.CHN-DPRK"] + 1.0) * 0.5
    russia = n["_russia_trade"] + backing * (n["relations.RUS-DPRK"] + 1.0) * 0.5
    target = china / (china + russia + 1.0)
    x = s["CHN.influence_over_dprk"]
    n["CHN.influence_over_dprk"] = x + p["influence_adjust"] * (target - x)


@rule
def _reputation(s, C, p, t, shocks, n):
    x = s["CHN.reputation"]
    alliance = (n["relations.RUS-DPRK"] + 1.0) * 0.5
    x = (x + 0.05 * (p["reputation_baseline"] - x)
         - p["reproach"] * alliance * n["world.war_intensity"]
         + 0.01 * _is(C, "CHN", "pressure_moscow")
         - 0.01 * _is(C, "UKR", "publicise_dprk_arms"))
    n["CHN.reputation"] = clip(x)


@rule
def _regime(s, C, p, t, shocks, n):
    crossing = red_line_crossing(n, p)
    patron = (np.maximum(n["relations.RUS-DPRK"], n["relations.CHN-DPRK"]) + 1.0) * 0.5
    base = np.maximum(p["us_troops_base"], FLOAT(1.0))
    outside = 0.5 * n["world.sanctions_enforcement"] + 0.5 * clip(n["USA.regional_troops"] / (2.0 * base))
    cash = n["DPRK.hard_currency_usd"]
    # China's trade is the economy's lifeline (fuel, goods): a squeeze shakes the regime.
    lifeline = at_most(n["CHN.trade_level"], 1.0)
    target = (0.3 * n["DPRK.food_security"] + 0.2 * cash / (cash + p["cash_half_saturation_usd"])
              + 0.15 * patron + 0.15 * (1.0 - outside) + 0.1 * n["DPRK.military_capability"] + 0.1 * lifeline
              - p["china_red_line_penalty"] * n["CHN.pressure_on_dprk"] * crossing
              - p["deployment_strain"] * at_most(n["DPRK.troops_abroad"] / np.maximum(p["troop_cap"], FLOAT(1.0)), 1.0) ** 2)
    x = s["DPRK.regime_security"]
    n["DPRK.regime_security"] = clip(x + p["regime_adjust"] * (target - x))


@rule
def _allied_support(s, C, p, t, shocks, n):
    target = (0.6 * n["USA.ukraine_aid"] + 0.2 * n["ROK.ukraine_aid"]
              + 0.2 * (n["relations.UKR-JPN"] + 1.0) * 0.5)
    x = s["UKR.allied_support"]
    x = (x + p["support_adjust"] * (target - x) + p["lobby_gain"] * n["UKR.lobbying"]
         + 0.5 * p["lobby_gain"] * _is(C, "UKR", "publicise_dprk_arms"))
    n["UKR.allied_support"] = clip(x)


# ---------------------------------------------------------------------------------------------
# What each rule reads and writes, found once by running it on a one-member state that notes
# the keys read. A look-ahead runs only the rules that the projecting actors' interests need
# over the whole horizon (:func:`rules_for`): 14 of the 21 relations, for one, feed no interest.


class Reads(dict):
    """A dict that notes the keys read (to find what a rule or an interest reads)."""

    def __init__(self, *a, **k):
        """A dict, with ``read``: the keys looked up so far."""
        super().__init__(*a, **k)
        self.read: set[str] = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)


def _trace() -> tuple[dict[str, int], list[frozenset[str]], list[frozenset[str]]]:
    from sim.params import PARAMS

    s = Reads({name: np.full(1, ind.initial, dtype=FLOAT) for name, ind in INDICATORS.items()})
    p = {k: v.default for k, v in PARAMS.items()}
    p.update({f"initial.{k}": v.initial for k, v in INDICATORS.items()})
    C = {code: np.zeros(1, dtype=np.int64) for code in ACTOR_CLASSES}
    n = Reads()
    produced_by: dict[str, int] = {}
    reads_s, reads_n = [], []
    for i, fn in enumerate(RULES):
        s.read, n.read = set(), set()
        before = set(n)
        fn(s, C, p, 0, {"war": np.zeros(1, dtype=FLOAT)}, n)
        for key in set(n) - before:
            produced_by[key] = i
        reads_s.append(frozenset(s.read))
        reads_n.append(frozenset(n.read))
    missing = set(INDICATORS) - set(produced_by)
    if missing:
        raise RuntimeError(f"no rule sets the indicators {sorted(missing)}")
    return produced_by, reads_s, reads_n


_PRODUCED_BY, _READS_S, _READS_N = _trace()


def rules_for(keys: frozenset[str]) -> tuple[Callable, ...]:
    """The rules that give ``keys`` month after month: closed over any horizon, in order.

    A rule is needed if it gives a needed key, or a key that a needed rule reads this month;
    what a needed rule reads of the state at the start of the month is needed the month before.
    """
    needed = set(keys)
    while True:
        want: set[int] = set()
        stack = [_PRODUCED_BY[k] for k in needed]
        while stack:
            i = stack.pop()
            if i not in want:
                want.add(i)
                stack.extend(_PRODUCED_BY[k] for k in _READS_N[i])
        more = set().union(*(_READS_S[i] for i in want)) - needed
        if not more:
            return tuple(fn for i, fn in enumerate(RULES) if i in want)
        needed |= more


def resolve(state: State, choices: dict[str, np.ndarray], p: dict, t: int,
            shocks: dict[str, np.ndarray] | None, rules: tuple[Callable, ...] | None = None) -> State:
    """Resolve one month: all actors' moves together, from the state at its start.

    Args:
        state: indicator name -> array (members,), or (rows, members) in a look-ahead.
        choices: actor code -> move index array, broadcastable against the state.
        p: parameters: world parameter name -> float or array (members,), and each
            indicator's starting value under ``"initial.NAME"`` (relations drift back to theirs).
        t: month index since the start of the run (0 for the first month).
        shocks: this month's random shocks (``"war"``: standard normal per member), or
            None in a projection, where actors expect no shock.
        rules: in a look-ahead, only these rules (:func:`rules_for`); default all.

    Returns:
        The state at the start of the next month, with intermediate quantities under
        names starting with ``_`` (a new dict; ``state`` is not changed).
    """
    n: State = {}
    for fn in RULES if rules is None else rules:
        fn(state, choices, p, t, shocks, n)
    return n
