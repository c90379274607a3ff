"""The actor base class and the one choosing rule that every actor uses.

An actor declares, as data, its options (what it can do in a month) and its interests
(what it wants, each a score in [0, 1] computed from a state), each citing claims from
``seeds/evidence.yaml``, like Axelrod's strategies declare their classifiers. The rule is
the same for all: project each option with the same :func:`sim.world.resolve` as the
real step (others assumed to repeat last month's choice), score it by the weighted sum of
interests, add Gumbel noise scaled by the actor's unpredictability, take the best.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from typing import TYPE_CHECKING, ClassVar

import mesa
import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import PeninsulaModel

State = dict[str, np.ndarray]

REASON_NOISE = -1
"""Reason code: the option was not the best by the scores; unpredictability chose it."""
REASON_SCRIPTED = -2
"""Reason code: the scenario scripted the choice."""
REASON_EXTERNAL = -3
"""Reason code: the choice came from outside (a player)."""
REASON_LABELS = {REASON_NOISE: "unpredictability", REASON_SCRIPTED: "scripted", REASON_EXTERNAL: "player"}


@dataclass(frozen=True)
class Option:
    """Something an actor can do in a month.

    ``relations`` gives the direct monthly change this option makes to relations
    (canonical pair name -> change in alignment); flows (shells, money, food) are in
    :func:`sim.world.resolve`.
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


def first_argmax(x: np.ndarray) -> np.ndarray:
    """Index of the largest row for each column (the first on ties), row by row.

    Same result as ``np.argmax(x, axis=0)``, faster on (few rows, many columns).
    """
    best = np.zeros(x.shape[1], dtype=np.int64)
    top = x[0]
    for i in range(1, x.shape[0]):
        better = x[i] > top
        best[better] = i
        top = np.maximum(top, x[i])
    return best


def clip01(x):
    """Clip to [0, 1]."""
    return np.clip(x, 0.0, 1.0)


class Actor(mesa.Agent):
    """A state in the game; subclasses declare ``code``, ``options``, ``interests``."""

    code: ClassVar[str]
    title: ClassVar[str]
    options: ClassVar[tuple[Option, ...]]
    interests: ClassVar[tuple[Interest, ...]]
    status_quo: ClassVar[str]
    """The option taken as 'last month's choice' before the first month."""
    status_quo_claims: ClassVar[tuple[str, ...]]
    unpredictability: ClassVar[float]
    unpredictability_claims: ClassVar[tuple[str, ...]]

    def __init__(self, model: PeninsulaModel) -> None:
        super().__init__(model)
        self.choice: np.ndarray | None = None
        self.reason: np.ndarray | None = None
        self.advantage: np.ndarray | None = None

    # -- declared data -------------------------------------------------------------
    @classmethod
    def option_names(cls) -> tuple[str, ...]:
        return tuple(o.name for o in cls.options)

    @classmethod
    def interest_names(cls) -> tuple[str, ...]:
        return tuple(i.name for i in cls.interests)

    @classmethod
    def option_index(cls, name: str) -> int:
        return cls.option_names().index(name)

    # -- the choosing rule -------------------------------------------------------------
    def scorecard(self) -> list[np.ndarray]:
        """Interest contributions of every option: one array (options, members) per interest.

        Each option is projected with :func:`sim.world.resolve` from the state at the
        start of the month, the other actors repeating last month's choice. A
        contribution is weight x interest / sum of weights, so an option's score (the sum
        over interests) lies in [0, 1].
        """
        from sim.world import projection_plan, resolve, trace_reads

        cls = type(self)
        plan = cls.__dict__.get("_plan")
        if plan is None:
            needed = set().union(*(trace_reads(i.score) for i in cls.interests))
            plan = projection_plan(cls.code, needed)
            cls._plan = plan
        m = self.model
        n = len(self.options)
        choices = dict(m.last_choices)
        choices[self.code] = np.arange(n, dtype=np.int64)[:, None]
        projected = resolve(m.state, choices, m.params, m.month_index, None, plan=plan,
                            status_quo=m.status_quo)
        total = m.weight_totals[self.code]
        return [np.broadcast_to(w * interest.score(projected, m.params) / total, (n, m.n_members))
                for interest, w in zip(self.interests, m.weights[self.code], strict=True)]

    def decide(self) -> None:
        """Choose this month's option for every member at once (sets choice, reason, advantage).

        Sums run in a fixed order (interest by interest, option by option), so a member's
        result never depends on how many members share the array.
        """
        m = self.model
        n = len(self.options)
        contrib = self.scorecard()
        score = reduce(np.add, contrib)  # (options, members)
        best = first_argmax(score)
        forced = m.forced_choice(self.code)
        if forced is not None:
            code, chosen = forced
            choice = np.broadcast_to(np.asarray(chosen, dtype=np.int64), best.shape).copy()
        else:
            noise = m.rng_streams.gumbel(self.code, m.month_index, n)
            choice = first_argmax(score + m.unpredictability[self.code] * noise)
        cols = np.arange(m.n_members)
        advantage = np.stack([c[choice, cols] - reduce(np.add, list(c)) / n for c in contrib])
        reason = first_argmax(advantage).astype(np.int8)
        if forced is not None:
            reason[:] = code
        else:
            reason[choice != best] = REASON_NOISE
        self.choice = choice
        self.reason = reason
        self.advantage = advantage.astype(np.float32)  # (interests, members)

    def step(self) -> None:  # Mesa convention; the model calls decide() for all first
        self.decide()
