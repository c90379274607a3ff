"""Japan (JPN): missiles towards the Sea of Japan, US presence, China."""

from __future__ import annotations

from sim.actors.allies import ally_instruments, ally_interests, ally_moves
from sim.actors.base import NOISE_ASSUMPTION, Actor, Move


class JPN(Actor):
    """Japan."""

    code = "JPN"
    title = "Japan"
    status_quo_claims = ("s000-existential-threat",)
    unpredictability = 0.0001
    unpredictability_claims = ()
    unpredictability_assumption = NOISE_ASSUMPTION + " The same as every actor but the DPRK."
    weights_assumption = (
        "The articles give no weights. Security weighs most (3 of 6.5): the DPRK is an 'existential threat' "
        "(s000-existential-threat). The US presence it demands (s000-us-presence-demand) weighs 2; working "
        "ties with China (s000-thaad-foothold) 1; the budget 0.5, a brake on build-up that no article names."
    )

    instruments = ally_instruments("JPN")

    moves = (
        Move("keep", "Keep the posture: defences as they are.", ("s000-existential-threat",)),
        *ally_moves("JPN"),
    )

    interests = ally_interests("JPN")
