"""Ukraine (UKR): cut Russia's munitions supply, keep allied support, get relief at the front."""

from __future__ import annotations

from sim.actors.base import Actor, Interest, Option


class UKR(Actor):
    """Ukraine."""

    code = "UKR"
    title = "Ukraine"
    status_quo = "lobby_allies"
    status_quo_claims = ("s002-umerov",)
    unpredictability = 0.0015
    unpredictability_claims = ("s002-umerov",)
    unpredictability_assumption = (
        "No article gives a noise level. Option scores lie in 0-1 and the best options often differ by only a "
        "few thousandths; Gumbel noise of scale 0.0015 breaks such near-ties (close calls go either way) and "
        "rarely overturns a gap of 0.01 or more, so clear preferences stand. The same value as every "
        "actor but the DPRK. The cited claim (s002-umerov) backs Ukraine's lobbying, not its "
        "unpredictability."
    )
    weights_assumption = (
        "The articles give no weights. Cutting Russia's munitions supply (s004-debris, s004-shell-shortage) "
        "and keeping allied support (s002-umerov, s001-trump-reduce) weigh 2 each of 5; relief at the front "
        "weighs 1, as it overlaps the first (both rise with Russia's shortfall) and Ukraine's options do not "
        "change the war's intensity (s004-desperation)."
    )

    options = (
        Option("strike_supply_lines", "Strike the routes that bring DPRK shells to the front.",
               ("s004-debris", "s002-kursk"), {"UKR-DPRK": -0.02}),
        Option("lobby_allies", "Lobby allies (South Korea among them) for support.", ("s002-umerov",),
               {"UKR-ROK": 0.02, "UKR-JPN": 0.02, "UKR-USA": 0.01}),
        Option("publicise_dprk_arms", "Show the world the DPRK missiles found in Ukraine.",
               ("s004-debris", "s003-signal"), {"UKR-CHN": -0.01, "ROK-DPRK": -0.01}),
        Option("hold", "No new move.", ("s002-umerov",)),
    )

    interests = (
        Interest("supply_disruption", "Russia short of shells.", ("s004-debris", "s004-shell-shortage"), 2.0,
                 lambda s, p: s["RUS.munitions_shortfall"]),
        Interest("allied_support", "Allied support reaching Ukraine.", ("s002-umerov", "s001-trump-reduce"), 2.0,
                 lambda s, p: s["UKR.allied_support"]),
        Interest("relief", "Less Russian fire at the front: intensity times supply.",
                 ("s004-shell-shortage", "s004-desperation"), 1.0,
                 lambda s, p: 1.0 - s["world.war_intensity"] * (1.0 - s["RUS.munitions_shortfall"])),
    )
