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
from typing import TYPE_CHECKING, ClassVar

import mesa
import numpy as np

from sim.arith import clip
from sim.indicators import FLOAT

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


_RANKS: dict[int, np.ndarray] = {}  # n -> the column (n, n - 1, ..., 1) as bytes


def first_argmax(x: np.ndarray, dtype=np.int64) -> np.ndarray:
    """Index of the largest row for each column (the first on ties), for (rows, columns).

    Same result as ``np.argmax(x, axis=0)`` on numbers, faster. (A NaN stops the search in
    its column: later rows never win; with a NaN anywhere the rows are compared one by one.)

    ``np.argmax`` along the first axis runs a search of a few numbers per column, one call
    each: fine for a few columns (a small ensemble), on a contiguous copy with the columns
    first. For more, the answer comes from whole-array operations: with ``top`` the column
    maxima, row ``i`` gets the rank ``n - i`` where it equals ``top`` (0 elsewhere), and the
    largest rank in a column gives its first best row. No rank at all means a NaN there
    (a NaN equals nothing); then the rows are compared one by one: row ``i`` wins a column
    where it beats the best so far, and the answer is the last row that won there.
    """
    n, m = x.shape
    if n <= 255:
        if m <= 256:
            v = x.max()
            if v == v:  # no NaN
                return np.ascontiguousarray(x.T).argmax(axis=1).astype(dtype)
        else:
            ranks = _RANKS.get(n)
            if ranks is None:
                ranks = _RANKS[n] = np.arange(n, 0, -1, dtype=np.uint8)[:, None]
            rank = np.equal(x, x.max(axis=0)).view(np.uint8)
            np.multiply(rank, ranks, out=rank)
            first = rank.max(axis=0)  # n - (the first best row), 0 where a NaN is
            if first.all():
                np.subtract(np.uint8(n), first, out=first)
                return first.astype(dtype)
    if n > 255:
        best = np.zeros(m, dtype=dtype)
        top = x[0].copy()
        for i in range(1, n):
            np.putmask(best, x[i] > top, i)
            np.maximum(top, x[i], out=top)
        return best
    best = np.zeros(m, dtype=np.uint8)
    top = x[0].copy()
    won = np.empty(m, dtype=bool)
    scratch = np.empty(m, dtype=np.uint8)
    for i in range(1, n):
        np.greater(x[i], top, out=won)
        np.multiply(won.view(np.uint8), np.uint8(i), out=scratch)
        np.maximum(best, scratch, out=best)
        np.maximum(top, x[i], out=top)
    return best.astype(dtype)


def sum_rows(rows) -> np.ndarray:
    """``rows[0] + rows[1] + ...`` in that order (so bit for bit the same as ``reduce(np.add, rows)``),
    adding in place after the first sum."""
    rows = list(rows)
    if len(rows) == 1:
        return rows[0]
    acc = np.add(rows[0], rows[1])
    for r in rows[2:]:
        np.add(acc, r, out=acc)
    return acc


def clip01(x):
    """Clip to [0, 1]."""
    return clip(x, 0.0, 1.0)


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
    @classmethod
    def projection_plan(cls):
        """What :func:`sim.world.resolve` runs to project this actor's options (cached)."""
        plan = cls.__dict__.get("_plan")
        if plan is None:
            from sim.world import projection_plan, trace_reads

            needed = sorted(set().union(*(trace_reads(i.score) for i in cls.interests)))
            plan = cls._plan = projection_plan(cls.code, needed)
        return plan

    def scorecard(self) -> np.ndarray:
        """Interest contributions of every option: an array (interests, options, members).

        Each option is projected with :func:`sim.world.resolve` from the state at the
        start of the month, the other actors repeating last month's choice. A
        contribution is interest x (weight / sum of weights), so an option's score (the sum
        over interests) lies in [0, 1].
        """
        from sim.world import resolve

        m = self.model
        n = len(self.options)
        choices = dict(m.last_choices)
        choices[self.code] = np.arange(n, dtype=np.int64)[:, None]
        projected = resolve(m.state, choices, m.params, m.month_index, None, plan=self.projection_plan(),
                            status_quo=m.status_quo)
        out = np.empty((len(self.interests), n, m.n_members), dtype=FLOAT)
        for k, (interest, share) in enumerate(zip(self.interests, m.weight_shares[self.code], strict=True)):
            np.multiply(interest.score(projected, m.params), share, out=out[k])  # broadcast over what it lacks
        return out

    def decide(self) -> None:
        """Choose this month's option for every member at once (sets choice, reason, advantage).

        Sums run in a fixed order (interest by interest, option by option), so a member's
        result never depends on how many members share the array.
        """
        m = self.model
        n = len(self.options)
        contrib = self.scorecard()
        score = sum_rows(contrib)  # (options, members)
        best = first_argmax(score)
        forced = m.forced_choice(self.code)
        if forced is not None:
            code, chosen = forced
            choice = np.broadcast_to(np.asarray(chosen, dtype=np.int64), best.shape).copy()
        else:
            noise = m.rng_streams.gumbel(self.code, m.month_index, n)
            choice = first_argmax(score + m.unpredictability[self.code] * noise)
        advantage = self._advantage(contrib, choice)
        reason = first_argmax(advantage, np.int8)
        if forced is not None:
            reason[:] = code
        else:
            reason[choice != best] = REASON_NOISE
        self.choice = choice
        self.reason = reason
        self.advantage = advantage  # (interests, members)

    @staticmethod
    def _advantage(contrib: np.ndarray, choice: np.ndarray) -> np.ndarray:
        """Per interest, the chosen option's contribution less the options' mean: (interests, members).

        Computes ``c[choice, members] - (c[0] + c[1] + ...) / options`` for each interest's
        contributions ``c`` (options, members), for all interests at once: the sum option by
        option in place, the gather on the flat array (a quarter of the cost of fancy indexing).
        """
        _, n, members = contrib.shape
        mean = sum_rows(contrib[:, j] for j in range(n))  # (interests, members)
        mean = np.divide(mean, n, out=mean if n > 1 else None)
        chosen = contrib.reshape(len(contrib), -1).take(choice * members + np.arange(members), axis=1)
        return np.subtract(chosen, mean, out=chosen)

    def step(self) -> None:  # Mesa convention; the model calls decide() for all first
        self.decide()
