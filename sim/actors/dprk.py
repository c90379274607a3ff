"""North Korea (DPRK): survival and succession, food, hard currency, autonomy, modernisation.

Pyongyang cooperates with Moscow for what it brings (money, oil, food, technology) but
trusts no one (s000-distrust), so every option is re-decided every month.
"""

from __future__ import annotations

import numpy as np

from sim.actors.base import Actor, Interest, Option, clip01, sat


def _autonomy(s, p):
    # Distrust of every partner: autonomy is lost to whichever patron holds the most sway.
    return 1.0 - np.maximum(s["CHN.influence_over_dprk"], s["DPRK.russia_trade_share"])


class DPRK(Actor):
    """North Korea."""

    code = "DPRK"
    title = "North Korea"
    status_quo = "export_munitions"
    status_quo_claims = ("s000-munitions-for-money-oil", "s003-production")
    unpredictability = 0.002
    unpredictability_claims = ("s000-paranoia",)
    unpredictability_assumption = (
        "No article gives a noise level. Option scores lie in 0-1 and the best options often differ by only a "
        "few thousandths; Gumbel noise of scale 0.002 breaks such near-ties (close calls go either way) and "
        "rarely overturns a gap of 0.01 or more, so clear preferences stand. The DPRK's is set a little "
        "above the others' 0.0015 for a regime that views everyone as a potential enemy (s000-paranoia); the "
        "article gives no size."
    )
    weights_assumption = (
        "The articles rank the DPRK's aims but give no weights. Regime survival weighs most (3 of 10): "
        "survival and the succession are its 'current' and 'main' task (s000-survival, s000-succession). Food "
        "and hard currency follow (2 each), the internal problems it hopes Russia will solve "
        "(s001-financial-food, s001-grain-gap); autonomy (s002-dependence, s002-pawn, s000-distrust) and "
        "modernisation (s002-nuclear-under-kim, s000-bolder) weigh 1.5 each, aims the articles do not put "
        "first."
    )

    options = (
        Option("export_munitions", "Ship shells and missiles to Russia for money and oil.",
               ("s000-munitions-for-money-oil", "s003-production", "s002-supplies")),
        Option("deploy_troops", "Send another batch of soldiers to fight for Russia.",
               ("s001-troops-sent", "s003-contingents", "s001-pay-2000"),
               {"RUS-DPRK": 0.03, "UKR-DPRK": -0.05, "CHN-DPRK": -0.01, "ROK-DPRK": -0.01}),
        Option("missile_test", "Launch missiles towards the Sea of Japan.",
               ("s000-missile-moratorium", "s000-bolder"),
               {"USA-DPRK": -0.02, "JPN-DPRK": -0.03, "ROK-DPRK": -0.03, "CHN-DPRK": -0.01}),
        Option("launch_satellite", "Launch a military reconnaissance satellite (needs space capability 0.5).",
               ("s001-space-tech",),
               {"USA-DPRK": -0.01, "JPN-DPRK": -0.02, "ROK-DPRK": -0.02}),
        Option("seek_china_trade", "Court Beijing for trade and goodwill.",
               ("s002-china-reliance", "s002-dependence"), {"CHN-DPRK": 0.04, "RUS-DPRK": -0.01}),
        Option("engage_us", "Open a channel to Washington for sanctions relief.",
               ("s004-sanctions-relief", "s004-less-incentive"), {"USA-DPRK": 0.03, "RUS-DPRK": -0.01}),
        Option("hold", "No new move: running programmes wind down as usual.", ("s000-obligations",)),
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
