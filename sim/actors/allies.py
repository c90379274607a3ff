"""What South Korea and Japan share: the threat they feel and the US presence they demand.

"The DPRK is an existential threat to South Korea and Japan, which motivates them to more
active cooperation primarily with the United States" (s000-existential-threat). The two
actor modules, ``rok.py`` and ``jpn.py``, build their options and interests from here.
"""

from __future__ import annotations

from sim.actors.base import Instrument, Interest, Move, clip01, rel01
from sim.actors.usa import presence_met


def ally_instruments(code: str) -> tuple[Instrument, ...]:
    """The defence effort of a US ally: what it spends on its own defences."""
    return (Instrument(f"{code}.defence_effort", "Effort on its own defences: readiness follows it.",
                       ("s000-existential-threat",), {f"{code}-DPRK": -0.005}),)


def ally_moves(code: str) -> tuple[Move, ...]:
    """The moves of a US ally, after ``keep``: ask for US forces, build or ease defences, engage Beijing."""
    return (
        Move("request_us_presence", "Ask Washington for more forces on its soil.",
             ("s000-us-presence-demand", "s000-existential-threat"),
             {f"{code}-USA": 0.02, f"{code}-CHN": -0.02}),
        Move("build_defences", "Spend more on its own defences.", ("s000-existential-threat",),
             changes={f"{code}.defence_effort": 1}),
        Move("ease_defences", "Spend less on its own defences.", ("s000-existential-threat",),
             changes={f"{code}.defence_effort": -1}),
        Move("engage_china", "Engage Beijing to restrain Pyongyang.", ("s000-thaad-foothold", "s003-leverage"),
             {f"{code}-CHN": 0.015, f"{code}-USA": -0.005}),
    )


def ally_interests(code: str) -> tuple[Interest, ...]:
    """The interests that South Korea and Japan both have."""
    threat = f"{code}.threat_perception"
    return (
        Interest("security", "Feel safe from the DPRK: one minus threat perception.",
                 ("s000-existential-threat",), 3.0, lambda s, p: 1.0 - s[threat]),
        Interest("us_presence", "A US presence that meets the threat.", ("s000-us-presence-demand",), 2.0,
                 lambda s, p: presence_met(s, p, s[threat])),
        Interest("china_ties", "Working relations with China.", ("s000-thaad-foothold",), 1.0,
                 lambda s, p: rel01(s[f"relations.{code}-CHN"])),
        Interest("budget", "Keep defence spending affordable.", ("s000-existential-threat",), 0.5,
                 lambda s, p: 1.0 - clip01(s[f"{code}.defence_readiness"])),
    )
