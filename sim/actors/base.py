"""What an actor is, as data: its instruments, its moves, its interests and the claims they cite.

An actor declares its *instruments* (standing policies: indicators in [0, 1] that keep
their level until the actor changes them), its *moves* (what it can do in a month: keep
its posture, step an instrument up or down, or a one-off act), its *interests* (what it
wants, each a score in [0, 1] computed from a state) and its *red lines* (explicit
thresholds), each citing claims from ``seeds/evidence.yaml``, as Axelrod's strategies
declare their classifiers. How an actor chooses among its moves is the engine's business
(:mod:`sim.engine.choose`): this package holds data and scoring functions only, and
imports nothing of the engine.

For historical reasons the moves are also called *options* (``Actor.options``,
``option_names``): one recorded move per actor per member-month.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

State = dict[str, np.ndarray]


NOISE_ASSUMPTION = (
    "No article gives a noise level. Noise is the temperature of a logit choice, in the units of a move's "
    "value: the actor's weighted interests over the look-ahead, a number in [0, 1] in which the moves that "
    "matter differ by a few thousandths and every change pays params.switching_cost. At this temperature "
    "noise overturns a gap of five times it in about one review in a hundred: it decides near-ties, not "
    "clear preferences. Calibrated with bench/behaviour.py so that noise decides at most 15% of the "
    "baseline's reviews overall and 25% for any actor (tests/test_behaviour.py checks it)."
)
"""The reasoning behind every actor's ``unpredictability`` (each adds its own sentence)."""

KEEP = "keep"
"""Every actor's first move: keep the posture as it stands (the status quo of every month)."""


@dataclass(frozen=True)
class Instrument:
    """A standing policy: an indicator in [low, high] that keeps its level until its owner moves it.

    ``relations``: the monthly change in alignment (canonical pair name -> change) per unit of
    level while the programme runs (Russia buying shells draws Moscow and Pyongyang together).
    """

    indicator: str
    description: str
    claims: tuple[str, ...]
    relations: dict[str, float] = field(default_factory=dict)
    low: float = 0.0
    high: float = 1.0


@dataclass(frozen=True)
class Requirement:
    """A move is possible only where ``indicator`` is at least ``minimum`` (``reason`` says why)."""

    indicator: str
    minimum: float
    reason: str


@dataclass(frozen=True)
class Option:
    """A move: something an actor can do in a month.

    ``changes`` steps instruments (indicator -> +1 or -1 steps of ``params.posture_step``);
    a move that changes nothing is a one-off act (a launch, a veto at the UN), or ``keep``.
    ``relations`` gives the direct change in alignment the move makes in the month it is made
    (canonical pair name -> change); flows (shells, money, food) are in the world's rules
    (:mod:`sim.engine.rules`). ``requires``: where the move is possible only above a threshold.
    """

    name: str
    description: str
    claims: tuple[str, ...]
    relations: dict[str, float] = field(default_factory=dict)
    changes: dict[str, int] = field(default_factory=dict)
    requires: Requirement | None = None

    @property
    def is_act(self) -> bool:
        """A one-off act: neither ``keep`` nor a change of posture."""
        return not self.changes and self.name != KEEP


Move = Option
"""A move (the name used in the decision model; ``Option`` is the same class)."""


@dataclass(frozen=True)
class RedLine:
    """A threshold interest: ``crossed(state, params)`` is 1 where the line is crossed, else 0."""

    name: str
    description: str
    claims: tuple[str, ...]
    crossed: Callable[[State, dict], np.ndarray]


@dataclass(frozen=True)
class Interest:
    """Something an actor wants: ``score(new_state, params)`` in [0, 1], higher is better."""

    name: str
    description: str
    claims: tuple[str, ...]
    weight: float
    score: Callable[[State, dict], np.ndarray]


def sat(x, half):
    """Saturating map of a non-negative amount to [0, 1): ``x / (x + half)``."""
    return x / (x + half)


def rel01(r):
    """Map an alignment in [-1, 1] to [0, 1]."""
    return (r + 1.0) * 0.5


def clip01(x):
    """Clip an array to [0, 1] (``ndarray.clip``: the same values as ``np.clip``, less overhead)."""
    return x.clip(0.0, 1.0)


def at_most(x, hi):
    """``np.minimum(x, hi)`` for an array ``x`` (as a clip from below at minus infinity: the same values)."""
    return x.clip(-np.inf, hi)


class Actor:
    """A state in the game; subclasses declare ``code``, ``instruments``, ``moves``, ``interests``, claims."""

    code: ClassVar[str]
    title: ClassVar[str]
    instruments: ClassVar[tuple[Instrument, ...]] = ()
    moves: ClassVar[tuple[Option, ...]]
    options: ClassVar[tuple[Option, ...]]
    """The moves (the same tuple as ``moves``)."""
    interests: ClassVar[tuple[Interest, ...]]
    red_lines: ClassVar[tuple[RedLine, ...]] = ()
    status_quo: ClassVar[str] = KEEP
    """The move of a month without a decision: keep the posture."""
    status_quo_claims: ClassVar[tuple[str, ...]]
    review_months: ClassVar[int] = 3
    """A state reviews its posture every this many months (staggered by actor), and at once when an
    event fires or one of its red lines is newly crossed."""
    review_assumption: ClassVar[str] = ""
    unpredictability: ClassVar[float]
    unpredictability_claims: ClassVar[tuple[str, ...]] = ()
    unpredictability_assumption: ClassVar[str] = ""
    """Why this noise, where no article gives it (the reasoning), else empty."""
    weights_assumption: ClassVar[str] = ""
    """Why the interests weigh what they weigh: the articles rank interests, they give no weights."""

    def __init_subclass__(cls, **kwargs) -> None:
        """Make ``options`` the moves, and check that the first move is ``keep``."""
        super().__init_subclass__(**kwargs)
        if "moves" in cls.__dict__:
            cls.options = cls.moves
            if cls.moves[0].name != KEEP or cls.moves[0].changes:
                raise ValueError(f"{cls.__name__}: the first move must be {KEEP!r}, changing nothing")

    @classmethod
    def option_names(cls) -> tuple[str, ...]:
        """The names of the actor's options, in their fixed order."""
        return tuple(o.name for o in cls.options)

    @classmethod
    def interest_names(cls) -> tuple[str, ...]:
        """The names of the actor's interests, in their fixed order."""
        return tuple(i.name for i in cls.interests)

    @classmethod
    def option_index(cls, name: str) -> int:
        """The index of an option by name (ValueError for an unknown name)."""
        return cls.option_names().index(name)
