"""China: the DPRK as a buffer, influence over Pyongyang, reputation, and leverage kept for red lines.

Beijing needs the DPRK as a buffer against the US foothold in South Korea
(s000-buffer, s000-thaad-foothold); the Russia-DPRK alliance erodes its influence
(s003-reduce-influence), which rests on what China is to Pyongyang: its trade, its aid and
its political backing, against Russia's. It observes silently (s003-reproach) and keeps its
leverage (s003-leverage) for its red lines: DPRK soldiers in combat, launches
(s003-red-lines, s003-serious-arguments).
"""

from __future__ import annotations

from sim.actors.base import NOISE_ASSUMPTION, Actor, Instrument, Interest, Move, RedLine, at_most, clip01, rel01


def combat_troops_crossed(s, p):
    """1 where more DPRK soldiers than ``params.red_line_troops`` fight abroad (a war on), else 0."""
    fighting = s["DPRK.troops_abroad"] * clip01(2.0 * s["world.war_intensity"])
    return (fighting > p["red_line_troops"]).astype(fighting.dtype)


def launches_crossed(s, p):
    """1 in a month of ``params.red_line_launches`` launches or more (a satellite launch counts as one), else 0."""
    x = s["DPRK.missile_tests"]
    return (x >= p["red_line_launches"]).astype(x.dtype)


RED_LINES = (
    RedLine("combat_troops", "DPRK soldiers fighting in a foreign war.", ("s003-red-lines", "s003-contingents"),
            combat_troops_crossed),
    RedLine("launches", "Satellite and missile launches.", ("s003-red-lines", "s002-china-told-no-weapons"),
            launches_crossed),
)


def red_line_crossing(s, p):
    """How many of Beijing's red lines Pyongyang crosses, in [0, 1] (each counts half)."""
    return 0.5 * combat_troops_crossed(s, p) + 0.5 * launches_crossed(s, p)


def _buffer(s, p):
    # A stable DPRK (a secure regime, a fed population: no refugees) and no larger US foothold.
    foothold = clip01((s["USA.regional_troops"] - p["us_troops_base"]) / p["us_troops_base"])
    fed = s["DPRK.food_security"]
    # Hunger weighs more the deeper it is (refugees, unrest): the fed share counts as 1 - (1 - fed)**2.
    return 0.4 * s["DPRK.regime_security"] + 0.3 * fed * (2.0 - fed) + 0.3 * (1.0 - foothold)


def _expense(s, p):
    # What the DPRK policy costs Beijing, against its usual trade: the grain it gives, the trade forgone.
    aid_usd = p["china_aid_t_per_year"] * s["CHN.aid_level"] / 12.0 * p["grain_price_usd_t"]
    lost = (1.0 - at_most(s["CHN.trade_level"], 1.0)) * p["china_trade_usd"]
    return clip01(1.0 - (aid_usd + lost) / (p["china_trade_usd"] + 1.0))


class CHN(Actor):
    """China."""

    code = "CHN"
    title = "China"
    status_quo_claims = ("s003-reproach",)
    unpredictability = 0.0001
    unpredictability_claims = ()
    unpredictability_assumption = NOISE_ASSUMPTION + " The same as every actor but the DPRK."
    weights_assumption = (
        "The articles give no weights. The buffer weighs most (3 of 8.55): China 'needs North Korea as a buffer "
        "zone' against a US foothold (s000-buffer, s000-thaad-foothold). Influence over Pyongyang "
        '(s003-reduce-influence, s002-china-dissatisfied) weighs 2; the partnership with Russia (s004-china-partner) '
        '1.5; reputation (s003-reproach) and the expense of its DPRK policy 1 each. Red lines weigh 0.05 in the '
        'baseline: the articles say China would act if they were crossed (s003-red-lines, s003-serious-arguments), '
        'yet also that it observes silently (s003-reproach), and Beijing stayed quiet as DPRK soldiers went to '
        'Kursk; the china_red_line scenario asks what if they weighed 4.'
    )

    instruments = (
        Instrument("CHN.trade_level", "Openness of trade with the DPRK (1: as usual; less: sanctions enforced).",
                   ("s002-china-reliance", "s003-leverage")),
        Instrument("CHN.aid_level", "Food aid to the DPRK: share of the most it would send.",
                   ("s002-china-reliance", "s000-buffer"), {"CHN-DPRK": 0.01}),
        Instrument("CHN.pressure_on_dprk", "Pressure on Pyongyang: warnings off its red lines.",
                   ("s003-serious-arguments", "s003-red-lines", "s002-china-told-no-weapons"), {"CHN-DPRK": -0.01}),
    )

    moves = (
        Move("keep", "Observe silently: keep trade, aid and pressure as they are.", ("s003-reproach",)),
        Move("squeeze_trade", "Enforce sanctions and cut trade with the DPRK.",
             ("s003-leverage", "s002-china-reliance"), {"CHN-DPRK": -0.03}, changes={"CHN.trade_level": -1}),
        Move("reopen_trade", "Let trade with the DPRK run again.", ("s002-china-reliance",),
             {"CHN-DPRK": 0.01}, changes={"CHN.trade_level": 1}),
        Move("more_aid", "Send more food aid to keep the buffer stable and Pyongyang close.",
             ("s002-china-reliance", "s000-buffer"), changes={"CHN.aid_level": 1}),
        Move("less_aid", "Send less food aid.", ("s002-china-dissatisfied",), changes={"CHN.aid_level": -1}),
        Move("warn_pyongyang", "Warn Pyongyang off its red lines (troops in combat, launches).",
             ("s003-serious-arguments", "s003-red-lines", "s002-china-told-no-weapons"),
             changes={"CHN.pressure_on_dprk": 1}),
        Move("ease_pressure", "Ease the pressure on Pyongyang.", ("s003-reproach",),
             changes={"CHN.pressure_on_dprk": -1}),
        Move("pressure_moscow", "Press Moscow to cool its embrace of Pyongyang.",
             ("s003-leverage", "s004-china-advised"), {"CHN-RUS": -0.03, "RUS-DPRK": -0.02}),
    )

    red_lines = RED_LINES

    interests = (
        Interest("buffer", "A stable DPRK between China and a US foothold that does not grow.",
                 ("s000-buffer", "s000-thaad-foothold"), 3.0, _buffer),
        Interest("influence", "Influence over Pyongyang: China's weight in its trade, aid and backing.",
                 ("s003-reduce-influence", "s002-china-dissatisfied"), 2.0,
                 lambda s, p: s["CHN.influence_over_dprk"]),
        Interest("reputation", "Standing in the world.", ("s003-reproach",), 1.0,
                 lambda s, p: s["CHN.reputation"]),
        Interest("russia_partnership", "Good relations with Russia.", ("s004-china-partner",), 1.5,
                 lambda s, p: rel01(s["relations.CHN-RUS"])),
        Interest("red_lines", "Red lines respected, or answered: crossings not met by pressure.",
                 ("s003-red-lines", "s003-serious-arguments"), 0.05,
                 lambda s, p: 1.0 - red_line_crossing(s, p) * (1.0 - s["CHN.pressure_on_dprk"])),
        Interest("expense", "Keep what its DPRK policy costs low: grain given, trade forgone.",
                 ("s002-china-reliance",), 1.0, _expense),
    )
