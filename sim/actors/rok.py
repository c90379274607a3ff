"""South Korea (ROK): the threat from the North, US presence, China, and Ukraine's ally."""

from __future__ import annotations

from sim.actors.allies import ally_instruments, ally_interests, ally_moves
from sim.actors.base import NOISE_ASSUMPTION, Actor, Instrument, Interest, Move, rel01


class ROK(Actor):
    """South Korea."""

    code = "ROK"
    title = "South Korea"
    status_quo_claims = ("s000-existential-threat",)
    unpredictability = 0.0001
    unpredictability_claims = ()
    unpredictability_assumption = NOISE_ASSUMPTION + " The same as every actor but the DPRK."
    weights_assumption = (
        "The articles give no weights. Security weighs most (3 of 7): the DPRK is an 'existential threat' "
        "(s000-existential-threat). The US presence it demands (s000-us-presence-demand) weighs 2; working "
        "ties with China (s000-thaad-foothold) 1; the budget 0.5, a brake on build-up that no article names; "
        "the partnership with Ukraine 0.5, as the article reports only a visit (s002-umerov)."
    )

    instruments = (
        *ally_instruments("ROK"),
        Instrument("ROK.ukraine_aid", "Arms and money for Ukraine: share of a full programme.", ("s002-umerov",),
                   {"UKR-ROK": 0.01, "ROK-RUS": -0.01}),
    )

    moves = (
        Move("keep", "Keep the posture: defences and aid to Ukraine as they are.", ("s000-existential-threat",)),
        *ally_moves("ROK"),
        Move("more_aid_ukraine", "Support Ukraine more with arms and money.", ("s002-umerov",),
             changes={"ROK.ukraine_aid": 1}),
        Move("less_aid_ukraine", "Support Ukraine less.", ("s002-umerov",), changes={"ROK.ukraine_aid": -1}),
    )

    interests = (
        *ally_interests("ROK"),
        Interest("ukraine_partnership", "A partnership with Ukraine against the Russia-DPRK axis.",
                 ("s002-umerov",), 0.5, lambda s, p: rel01(s["relations.UKR-ROK"])),
    )
