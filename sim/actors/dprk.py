"""North Korea (DPRK): survival and succession, food, hard currency, autonomy, modernisation.

Pyongyang cooperates with Moscow for what it brings (money, oil, food, technology) but
trusts no one (s000-distrust): its programmes (munitions exports, soldiers abroad, the
tempo of its tests) run while they serve it, and no agreement binds it (s000-obligations).
"""

from __future__ import annotations

import numpy as np

from sim.actors.base import NOISE_ASSUMPTION, Actor, Instrument, Interest, Move, Requirement, clip01, sat


def _autonomy(s, p):
    # Distrust of every partner: autonomy is lost to whichever patron holds the most sway.
    return 1.0 - np.maximum(s["CHN.influence_over_dprk"], s["DPRK.russia_trade_share"])


class DPRK(Actor):
    """North Korea."""

    code = "DPRK"
    title = "North Korea"
    status_quo_claims = ("s000-obligations",)
    unpredictability = 0.00015
    unpredictability_claims = ("s000-paranoia",)
    unpredictability_assumption = NOISE_ASSUMPTION + (" The DPRK's is half as large again as the others': a regime that views everyone "
                                              "as a potential enemy (s000-paranoia) is harder to read; the article gives no size.")
    weights_assumption = (
        "The articles rank the DPRK's aims but give no weights. Regime survival weighs most (3 of 10): "
        "survival and the succession are its 'current' and 'main' task (s000-survival, s000-succession). Food "
        "and hard currency follow (2 each), the internal problems it hopes Russia will solve "
        "(s001-financial-food, s001-grain-gap); autonomy (s002-dependence, s002-pawn, s000-distrust) and "
        "modernisation (s002-nuclear-under-kim, s000-bolder) weigh 1.5 each, aims the articles do not put "
        "first."
    )

    instruments = (
        Instrument("DPRK.export_level", "Munitions exports to Russia: share of the export capacity offered.",
                   ("s000-munitions-for-money-oil", "s003-production", "s002-supplies")),
        Instrument("DPRK.deployment_level", "Soldiers committed to Russia's war: share of the most it would send.",
                   ("s001-troops-sent", "s003-contingents", "s001-10000-200m"),
                   {"RUS-DPRK": 0.005, "UKR-DPRK": -0.01}),
        Instrument("DPRK.test_tempo", "The tempo of missile tests: share of the most launches a month.",
                   ("s000-missile-moratorium", "s000-bolder"),
                   {"USA-DPRK": -0.01, "JPN-DPRK": -0.015, "ROK-DPRK": -0.015}),
    )

    moves = (
        Move("keep", "Keep the posture: exports, soldiers abroad and test tempo as they are.", ("s000-obligations",)),
        Move("export_more", "Offer Russia more shells and missiles, for money and oil.",
             ("s000-munitions-for-money-oil", "s003-production"), changes={"DPRK.export_level": 1}),
        Move("export_less", "Offer Russia fewer shells and missiles.", ("s000-obligations", "s000-distrust"),
             changes={"DPRK.export_level": -1}),
        Move("deploy_more", "Send another contingent of soldiers to fight for Russia.",
             ("s001-troops-sent", "s003-contingents", "s001-pay-2000"), changes={"DPRK.deployment_level": 1},
             requires=Requirement("world.mutual_assistance", 0.5, "needs the mutual-assistance treaty in force")),
        Move("recall_troops", "Bring a contingent of soldiers home.", ("s000-obligations",),
             changes={"DPRK.deployment_level": -1}),
        Move("test_more", "Raise the tempo of missile tests towards the Sea of Japan.",
             ("s000-missile-moratorium", "s000-bolder"), changes={"DPRK.test_tempo": 1}),
        Move("test_less", "Lower the tempo of missile tests.", ("s000-missile-moratorium",),
             changes={"DPRK.test_tempo": -1}),
        Move("launch_satellite", "Launch a military reconnaissance satellite.", ("s001-space-tech",),
             {"USA-DPRK": -0.01, "JPN-DPRK": -0.02, "ROK-DPRK": -0.02},
             requires=Requirement("DPRK.space_capability", 0.5, "needs space capability 0.5")),
        Move("court_china", "Court Beijing for goodwill.", ("s002-china-reliance", "s002-dependence"),
             {"CHN-DPRK": 0.04, "RUS-DPRK": -0.01}),
        Move("engage_us", "Open a channel to Washington for sanctions relief.",
             ("s004-sanctions-relief", "s004-less-incentive"), {"USA-DPRK": 0.03, "RUS-DPRK": -0.01}),
    )

    interests = (
        Interest("regime_survival", "Keep the regime secure and the succession on course.",
                 ("s000-survival", "s000-succession"), 3.0, lambda s, p: s["DPRK.regime_security"]),
        Interest("food", "Feed the country: share of the grain need covered.",
                 ("s001-financial-food", "s001-grain-gap"), 2.0, lambda s, p: s["DPRK.food_security"]),
        Interest("hard_currency", "Hard-currency reserves (saturating).",
                 ("s001-financial-food", "s000-munitions-for-money-oil"), 2.0,
                 lambda s, p: sat(s["DPRK.hard_currency_usd"], p["cash_half_saturation_usd"])),
        Interest("autonomy", "Depend on no patron: neither Beijing's sway nor Moscow's trade share.",
                 ("s002-dependence", "s002-pawn", "s000-distrust"), 1.5, _autonomy),
        Interest("modernisation", "Modern missile and space forces.",
                 ("s002-nuclear-under-kim", "s000-bolder"), 1.5,
                 lambda s, p: clip01(s["DPRK.military_capability"])),
    )
