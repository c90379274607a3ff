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

    options = (
        *ally_options("JPN"),
        Option("hold", "No new move.", ("s000-existential-threat",)),
    )

    interests = ally_interests("JPN")
