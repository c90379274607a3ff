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
    unpredictability_assumption = (
        "No article gives a noise level. Option scores lie in 0-1 and the best options often differ by only a "
        "few thousandths; Gumbel noise of scale 0.0015 breaks such near-ties (close calls go either way) and "
        "rarely overturns a gap of 0.01 or more, so clear preferences stand. The same value as every "
        "actor but the DPRK. The cited claim (s000-existential-threat) backs South Korea's interests, not its "
        "unpredictability."
    )
    weights_assumption = (
        "The articles give no weights. Security weighs most (3 of 7): the DPRK is an 'existential threat' "
        "(s000-existential-threat). The US presence it demands (s000-us-presence-demand) weighs 2; working "
        "ties with China (s000-thaad-foothold) 1; the budget 0.5, a brake on build-up that no article names; "
        "the partnership with Ukraine 0.5, as the article reports only a visit (s002-umerov)."
    )

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
