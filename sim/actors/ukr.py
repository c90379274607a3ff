"""Ukraine (UKR): cut Russia's munitions supply, keep allied support, get relief at the front."""

from __future__ import annotations

from sim.actors.base import NOISE_ASSUMPTION, Actor, Instrument, Interest, Move


class UKR(Actor):
    """Ukraine."""

    code = "UKR"
    title = "Ukraine"
    status_quo_claims = ("s002-umerov",)
    unpredictability = 0.0001
    unpredictability_claims = ()
    unpredictability_assumption = NOISE_ASSUMPTION + " The same as every actor but the DPRK."
    weights_assumption = (
        "The articles give no weights. Cutting Russia's munitions supply (s004-debris, s004-shell-shortage) "
        "and keeping allied support (s002-umerov, s001-trump-reduce) weigh 2 each of 5; relief at the front "
        "weighs 1, as it overlaps the first (both rise with Russia's shortfall) and Ukraine's options do not "
        "change the war's intensity (s004-desperation)."
    )

    review_months = 2
    review_assumption = (
        "A state at war revisits its campaigns more often than the others: every two months "
        "(s002-umerov, s004-debris); no article gives a cadence."
    )

    instruments = (
        Instrument("UKR.strike_campaign", "Strikes on the depots and routes that bring DPRK shells to the front.",
                   ("s004-debris", "s002-kursk"), {"UKR-DPRK": -0.01}),
        Instrument("UKR.lobbying", "Lobbying allies (South Korea among them) for arms and money.", ("s002-umerov",),
                   {"UKR-ROK": 0.01, "UKR-JPN": 0.01, "UKR-USA": 0.005}),
    )

    moves = (
        Move("keep", "Keep the campaigns as they are.", ("s002-umerov",)),
        Move("strike_more", "Strike DPRK supply lines harder.", ("s004-debris", "s002-kursk"),
             changes={"UKR.strike_campaign": 1}),
        Move("strike_less", "Strike DPRK supply lines less.", ("s004-debris",), changes={"UKR.strike_campaign": -1}),
        Move("lobby_more", "Lobby allies harder.", ("s002-umerov",), changes={"UKR.lobbying": 1}),
        Move("lobby_less", "Lobby allies less.", ("s002-umerov",), changes={"UKR.lobbying": -1}),
        Move("publicise_dprk_arms", "Show the world the DPRK missiles found in Ukraine.",
             ("s004-debris", "s003-signal"), {"UKR-CHN": -0.01, "ROK-DPRK": -0.01}),
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
