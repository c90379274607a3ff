"""Japan (JPN): missiles towards the Sea of Japan, US presence, China."""

from __future__ import annotations

from sim.actors.allies import ally_interests, ally_options
from sim.actors.base import Actor, Option


class JPN(Actor):
    """Japan."""

    code = "JPN"
    title = "Japan"
    status_quo = "hold"
    status_quo_claims = ("s000-existential-threat",)
    unpredictability = 0.0015
    unpredictability_claims = ("s000-existential-threat",)
    unpredictability_assumption = (
        "No article gives a noise level. Option scores lie in 0-1 and the best options often differ by only a "
        "few thousandths; Gumbel noise of scale 0.0015 breaks such near-ties (close calls go either way) and "
        "rarely overturns a gap of 0.01 or more, so clear preferences stand. The same value as every "
        "actor but the DPRK. The cited claim (s000-existential-threat) backs Japan's interests, not its "
        "unpredictability."
    )
    weights_assumption = (
        "The articles give no weights. Security weighs most (3 of 6.5): the DPRK is an 'existential threat' "
        "(s000-existential-threat). The US presence it demands (s000-us-presence-demand) weighs 2; working "
        "ties with China (s000-thaad-foothold) 1; the budget 0.5, a brake on build-up that no article names."
    )

    options = (
        *ally_options("JPN"),
        Option("hold", "No new move.", ("s000-existential-threat",)),
    )

    interests = ally_interests("JPN")
