"""What an actor is, as data: its options, its interests and the claims they cite.

An actor declares its options (what it can do in a month) and its interests (what it
wants, each a score in [0, 1] computed from a state), each citing claims from
``seeds/evidence.yaml``, as Axelrod's strategies declare their classifiers. How an actor
chooses among its options is the engine's business (:mod:`sim.engine.choose`): this
package holds data and scoring functions only, and imports nothing of the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

State = dict[str, np.ndarray]


@dataclass(frozen=True)
class Option:
    """Something an actor can do in a month.

    ``relations`` gives the direct monthly change this option makes to relations
    (canonical pair name -> change in alignment); flows (shells, money, food) are in
    the world's rules (:mod:`sim.engine.rules`).
    """

    name: str
    description: str
    claims: tuple[str, ...]
    relations: dict[str, float] = field(default_factory=dict)


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
    """A state in the game; subclasses declare ``code``, ``options``, ``interests`` and their claims."""

    code: ClassVar[str]
    title: ClassVar[str]
    options: ClassVar[tuple[Option, ...]]
    interests: ClassVar[tuple[Interest, ...]]
    status_quo: ClassVar[str]
    """The option taken as 'last month's choice' before the first month."""
    status_quo_claims: ClassVar[tuple[str, ...]]
    unpredictability: ClassVar[float]
    unpredictability_claims: ClassVar[tuple[str, ...]] = ()
    unpredictability_assumption: ClassVar[str] = ""
    """Why this noise, where no article gives it (the reasoning), else empty."""
    weights_assumption: ClassVar[str] = ""
    """Why the interests weigh what they weigh: the articles rank interests, they give no weights."""

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
