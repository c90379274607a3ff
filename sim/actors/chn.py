"""China: the DPRK as a buffer, influence over Pyongyang, reputation, leverage and red lines.

Beijing needs the DPRK as a buffer against the US foothold in South Korea
(s000-buffer, s000-thaad-foothold); the Russia-DPRK alliance erodes its influence
(s003-reduce-influence); it has the leverage to act if red lines are crossed (s003-leverage).
"""

from __future__ import annotations

from sim.actors.base import Actor, Interest, Option, at_most, clip01, rel01


def red_line_crossing(s, p):
    """How far Pyongyang crosses Beijing's red lines, in [0, 1]: troops in combat, launches."""
    troops = at_most(s["DPRK.troops_abroad"] / p["red_line_troops"], 1.0)
    launches = at_most(s["DPRK.missile_tests"] / 4.0, 1.0)
    return 0.5 * troops * s["world.war_intensity"] + 0.5 * launches


def _buffer(s, p):
    foothold = clip01((s["USA.regional_troops"] - p["us_troops_base"]) / p["us_troops_base"])
    return 0.6 * s["DPRK.regime_security"] + 0.4 * (1.0 - foothold)


class CHN(Actor):
    """China."""

    code = "CHN"
    title = "China"
    status_quo = "tolerate"
    status_quo_claims = ("s003-reproach",)
    unpredictability = 0.0015
    unpredictability_claims = ("s003-leverage",)
    unpredictability_assumption = (
        "No article gives a noise level. Option scores lie in 0-1 and the best options often differ by only a "
        "few thousandths; Gumbel noise of scale 0.0015 breaks such near-ties (close calls go either way) and "
        "rarely overturns a gap of 0.01 or more, so clear preferences stand. The same value as every "
        "actor but the DPRK. The cited claim (s003-leverage) backs China's options, not its unpredictability: "
        "no article speaks to it."
    )
    weights_assumption = (
        "The articles give no weights. The buffer weighs most (3 of 8.25): China 'needs North Korea as a "
        "buffer zone' against a US foothold (s000-buffer, s000-thaad-foothold). Influence over Pyongyang "
        "(s003-reduce-influence, s002-china-dissatisfied) weighs 2; reputation (s003-reproach) and the "
        "partnership with Russia (s004-china-partner) 1.5 each. Red lines weigh only 0.25: the articles say "
        "China would act (s003-red-lines, s003-serious-arguments) but also that it observes silently, so its "
        "red lines alone do not drive its choices."
    )

    options = (
        Option("tolerate", "Observe silently (do nothing).", ("s003-reproach",)),
        Option("squeeze_trade", "Enforce sanctions and cut trade with the DPRK.",
               ("s003-leverage", "s002-china-reliance"), {"CHN-DPRK": -0.05}),
        Option("aid_dprk", "Send food aid to keep the buffer stable and Pyongyang close.",
               ("s002-china-reliance", "s000-buffer"), {"CHN-DPRK": 0.03}),
        Option("pressure_moscow", "Press Moscow to cool its embrace of Pyongyang.",
               ("s003-leverage", "s004-china-advised"), {"CHN-RUS": -0.03, "RUS-DPRK": -0.02}),
        Option("warn_pyongyang", "Warn Pyongyang off its red lines (troops in combat, launches).",
               ("s003-serious-arguments", "s003-red-lines", "s002-china-told-no-weapons"),
               {"CHN-DPRK": -0.02}),
    )

    interests = (
        Interest("buffer", "A stable DPRK between China and a US foothold that does not grow.",
                 ("s000-buffer", "s000-thaad-foothold"), 3.0, _buffer),
        Interest("influence", "Influence over Pyongyang.", ("s003-reduce-influence", "s002-china-dissatisfied"),
                 2.0, lambda s, p: s["CHN.influence_over_dprk"]),
        Interest("reputation", "Standing in the world.", ("s003-reproach",), 1.5,
                 lambda s, p: s["CHN.reputation"]),
        Interest("russia_partnership", "Good relations with Russia.", ("s004-china-partner",), 1.5,
                 lambda s, p: rel01(s["relations.CHN-RUS"])),
        Interest("red_lines", "Red lines respected, or answered: crossings not met by pressure.",
                 ("s003-red-lines", "s003-serious-arguments"), 0.25,
                 lambda s, p: 1.0 - red_line_crossing(s, p) * (1.0 - s["CHN.pressure_on_dprk"])),
    )
