"""The United States: allied security and credibility, non-proliferation, Ukraine, restraint.

Japan and South Korea demand a US presence (s000-us-presence-demand); a new
administration could reduce its presence in Ukraine (s001-trump-reduce).
"""

from __future__ import annotations

from sim.actors.base import NOISE_ASSUMPTION, Actor, Instrument, Interest, Move, clip01


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
    status_quo_claims = ("s001-trump-reduce",)
    unpredictability = 0.0001
    unpredictability_claims = ()
    unpredictability_assumption = NOISE_ASSUMPTION + (" A new administration could change course (s001-trump-reduce); the scenarios model "
                                             "that as an event, not as noise: the same as every actor but the DPRK.")
    weights_assumption = (
        "The articles give no weights. The allies' security, for which the US is the 'main guarantor' "
        "(s000-existential-threat), and Ukraine (s001-trump-reduce) weigh most, 2 each of 7.5; the "
        "credibility of its presence (s000-us-presence-demand) and non-proliferation (s003-signal, "
        "s004-cancel-sanctions) 1.5 each; restraint only 0.5, as a smaller commitment is speculation about a "
        "future administration (s001-trump-reduce)."
    )

    instruments = (
        Instrument("USA.presence_level", "Forces sent to Japan and South Korea above the base, in steps.",
                   ("s000-us-presence-demand",), {"USA-CHN": -0.01, "ROK-USA": 0.01, "JPN-USA": 0.01}),
        Instrument("USA.ukraine_aid", "Arms and money for Ukraine: share of a full programme.",
                   ("s001-trump-reduce", "s004-debris"), {"UKR-USA": 0.01, "USA-RUS": -0.01}),
        Instrument("USA.sanctions_effort", "Effort to enforce sanctions on the DPRK and its partners.",
                   ("s003-signal", "s004-sanctions-relief"), {"USA-DPRK": -0.01}),
    )

    moves = (
        Move("keep", "Keep the posture: forces, aid to Ukraine and sanctions effort as they are.",
             ("s001-trump-reduce",)),
        Move("reinforce_region", "Send more forces to Japan and South Korea.", ("s000-us-presence-demand",),
             {"USA-DPRK": -0.01}, changes={"USA.presence_level": 1}),
        Move("draw_down", "Bring forces home from the region.", ("s001-trump-reduce",),
             changes={"USA.presence_level": -1}),
        Move("more_aid_ukraine", "Arm and fund Ukraine more.", ("s001-trump-reduce", "s004-debris"),
             changes={"USA.ukraine_aid": 1}),
        Move("less_aid_ukraine", "Cut aid to Ukraine.", ("s001-trump-reduce",), changes={"USA.ukraine_aid": -1}),
        Move("tighten_sanctions", "Push sanctions enforcement harder.", ("s003-signal", "s004-sanctions-relief"),
             {"USA-CHN": -0.01}, changes={"USA.sanctions_effort": 1}),
        Move("ease_sanctions", "Push sanctions enforcement less.", ("s004-sanctions-relief",),
             changes={"USA.sanctions_effort": -1}),
        Move("offer_talks", "Offer Pyongyang talks (sanctions relief if it engages).",
             ("s004-sanctions-relief",), {"USA-DPRK": 0.02}),
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
        Interest("restraint", "Keep commitments abroad affordable: forces above the base, aid to Ukraine.",
                 ("s001-trump-reduce",), 0.5,
                 lambda s, p: 1.0 - 0.2 * s["USA.presence_level"] - 0.5 * s["USA.ukraine_aid"]),
    )
