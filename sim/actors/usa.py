"""The United States: allied security and credibility, non-proliferation, Ukraine, restraint.

Japan and South Korea demand a US presence (s000-us-presence-demand); a new
administration could reduce its presence in Ukraine (s001-trump-reduce).
"""

from __future__ import annotations

from sim.actors.base import Actor, Interest, Option, clip01


def presence_met(s, p, threat):
    """How far US presence meets what a given threat perception demands, in [0, 1]."""
    demanded = p["us_troops_base"] * (0.7 + 0.8 * threat)
    return clip01(s["USA.regional_troops"] / demanded)


def _mean_threat(s):
    return 0.5 * (s["ROK.threat_perception"] + s["JPN.threat_perception"])


class USA(Actor):
    """The United States."""

    code = "USA"
    title = "United States"
    status_quo = "aid_ukraine"
    status_quo_claims = ("s001-trump-reduce",)
    unpredictability = 0.0015
    unpredictability_claims = ("s001-trump-reduce",)
    unpredictability_assumption = (
        "No article gives a noise level. Option scores lie in 0-1 and the best options often differ by only a "
        "few thousandths; Gumbel noise of scale 0.0015 breaks such near-ties (close calls go either way) and "
        "rarely overturns a gap of 0.01 or more, so clear preferences stand. The same value as every "
        "actor but the DPRK. The cited claim (s001-trump-reduce) is a possible change of course under a new "
        "administration, explored with the lever on USA.weights.ukraine, not month-to-month noise."
    )
    weights_assumption = (
        "The articles give no weights. The allies' security, for which the US is the 'main guarantor' "
        "(s000-existential-threat), and Ukraine (s001-trump-reduce) weigh most, 2 each of 7.5; the "
        "credibility of its presence (s000-us-presence-demand) and non-proliferation (s003-signal, "
        "s004-cancel-sanctions) 1.5 each; restraint only 0.5, as a smaller commitment is speculation about a "
        "future administration (s001-trump-reduce)."
    )

    options = (
        Option("reinforce_region", "Send more forces to Japan and South Korea.", ("s000-us-presence-demand",),
               {"USA-CHN": -0.02, "ROK-USA": 0.02, "JPN-USA": 0.02, "USA-DPRK": -0.01}),
        Option("tighten_sanctions", "Push sanctions enforcement on the DPRK and its partners.",
               ("s003-signal", "s004-sanctions-relief"), {"USA-DPRK": -0.02, "USA-RUS": -0.01, "USA-CHN": -0.01}),
        Option("aid_ukraine", "Arm and fund Ukraine.", ("s001-trump-reduce", "s004-debris"),
               {"UKR-USA": 0.02, "USA-RUS": -0.02}),
        Option("offer_talks", "Offer Pyongyang talks (sanctions relief if it engages).",
               ("s004-sanctions-relief",), {"USA-DPRK": 0.02}),
        Option("hold", "No new move.", ("s001-trump-reduce",)),
    )

    interests = (
        Interest("allied_security", "Allies that feel safe.", ("s000-existential-threat",), 2.0,
                 lambda s, p: 1.0 - _mean_threat(s)),
        Interest("alliance_credibility", "A presence that meets the allies' demand.", ("s000-us-presence-demand",),
                 1.5, lambda s, p: presence_met(s, p, _mean_threat(s))),
        Interest("nonproliferation", "Sanctions enforced and DPRK capabilities contained.",
                 ("s003-signal", "s004-cancel-sanctions"), 1.5,
                 lambda s, p: 0.5 * s["world.sanctions_enforcement"] + 0.5 * (1.0 - s["DPRK.military_capability"])),
        Interest("ukraine", "Ukraine supported.", ("s001-trump-reduce",), 2.0,
                 lambda s, p: s["UKR.allied_support"]),
        Interest("restraint", "Keep commitments abroad affordable: troops above the base, aid to Ukraine.",
                 ("s001-trump-reduce",), 0.5,
                 lambda s, p: 1.0 - 0.7 * clip01(s["USA.regional_troops"] / p["us_troops_base"] - 1.0)
                 - 0.3 * s["USA.ukraine_aid"]),
    )
