"""South Korea (ROK): the threat from the North, US presence, China, and Ukraine's ally."""

from __future__ import annotations

from sim.actors.allies import ally_interests, ally_options
from sim.actors.base import Actor, Interest, Option, rel01


class ROK(Actor):
    """South Korea."""

    code = "ROK"
    title = "South Korea"
    status_quo = "hold"
    status_quo_claims = ("s000-existential-threat",)
    unpredictability = 0.0015
    unpredictability_claims = ("s000-existential-threat",)

    options = (
        *ally_options("ROK"),
        Option("aid_ukraine", "Support Ukraine with arms and money.", ("s002-umerov",),
               {"UKR-ROK": 0.03, "ROK-RUS": -0.02}),
        Option("hold", "No new move.", ("s000-existential-threat",)),
    )

    interests = (
        *ally_interests("ROK"),
        Interest("ukraine_partnership", "A partnership with Ukraine against the Russia-DPRK axis.",
                 ("s002-umerov",), 0.5, lambda s, p: rel01(s["relations.UKR-ROK"])),
    )
