"""The choosing rule that every actor uses, for all members at once.

Each actor holds a *posture* (its instruments' levels, which persist). In a month it
*reviews* its posture, it picks a move: keep the posture, step an instrument up or down,
or a one-off act. It scores every move by projecting ``params.horizon_months`` months
ahead with the same :func:`sim.engine.rules.resolve` as the real month (the others keep
their postures; no random shock): each projected month's interests, discounted
(``params.discount``), with the last month's held for ever as the terminal value, less a
switching cost (``params.switching_cost``) for every move but ``keep``.

* Interests are concave: an interest's utility is ``1 - (1 - score)**2``, so a shortfall
  hurts more than a surplus helps (hunger raises the value of food).
* Noise is logit: Gumbel noise of scale ``ACTOR.unpredictability`` (a temperature in units
  of utility) is added to the scores; the reason "unpredictability" is given only where it
  overturned the best move.
* Reviews come on a cadence (``Actor.review_months``, staggered by actor), and at once when
  a scenario event fires or one of the actor's red lines is newly crossed. A month without
  a review records ``keep`` with the reason "between reviews".
* A move from outside (a player, a scripted move) replaces the rule's in every month.

All reviewing actors' moves are projected together, in one stacked look-ahead: row 0 is
the world where everyone keeps, and every other row is one actor's move with the rest
keeping. What a row does not change stays one value per member (NumPy broadcasting), so
only the quantities a move touches are computed once per move.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.actors import ACTOR_CLASSES, Actor
from sim.engine.arith import first_argmax, sum_rows
from sim.engine.rules import OPTION_INDEX, Reads, resolve, rules_for
from sim.errors import PeninsulaError
from sim.indicators import ACTORS, FLOAT

if TYPE_CHECKING:  # pragma: no cover
    from sim.engine.model import PeninsulaModel

REASON_NOISE = -1
"""Reason code: the move was not the best by the scores; unpredictability chose it."""
REASON_SCRIPTED = -2
"""Reason code: the scenario scripted the move."""
REASON_EXTERNAL = -3
"""Reason code: the move came from outside (a player)."""
REASON_BETWEEN = -4
"""Reason code: no review this month; the actor kept its posture."""
REASON_LABELS = {REASON_BETWEEN: "between reviews", REASON_NOISE: "unpredictability", REASON_SCRIPTED: "scripted",
                 REASON_EXTERNAL: "player"}
KEEP_INDEX = 0
"""Every actor's first move is ``keep``."""


def reason_labels(code: str) -> list[str]:
    """An actor's reason labels by code: interest ``k`` at ``k``; -4 .. -1 wrap to the last four."""
    return list(ACTOR_CLASSES[code].interest_names()) + [REASON_LABELS[c] for c in (-4, -3, -2, -1)]


def utility(score: np.ndarray) -> np.ndarray:
    """An interest's utility from its score in [0, 1]: ``1 - (1 - score)**2``, concave.

    Its slope, ``2 (1 - score)``, is twice as steep at a score of 0 as the linear score's and
    nil at 1: a shortfall hurts more than a surplus helps.
    """
    return score * (2.0 - score)


def horizon(params: Mapping) -> int:
    """The look-ahead in months (``params.horizon_months``): one whole number for every member."""
    h = np.asarray(params["horizon_months"])
    if h.ndim and h.size and not (h == h.flat[0]).all():
        raise PeninsulaError("params.horizon_months must be the same for every member (it is not sampled)",
                             field="params.horizon_months")
    value = float(h.flat[0]) if h.size else 3.0
    if value != round(value) or value < 1:
        raise PeninsulaError(f"params.horizon_months must be a whole number of months, 1 or more, not {value:g}",
                             field="params.horizon_months")
    return int(value)


def horizon_weights(params: Mapping, months: int) -> list:
    """Each projected month's weight: ``(1 - d) d**(h-1)`` before the horizon, ``d**(H-1)`` at it.

    The last month's state is held for ever (the terminal value), so the weights sum to 1 and a
    move's value is in units of one month's weighted interests. ``d`` is ``params.discount``.
    """
    d = params["discount"]
    w = [(1.0 - d) * d ** h for h in range(months - 1)]
    return [x.astype(FLOAT) if isinstance(x, np.ndarray) else FLOAT(x) for x in (*w, d ** (months - 1))]


@cache
def interest_reads(code: str) -> frozenset[str]:
    """The indicators that an actor's interests read (found once, by running them on a one-member state)."""
    from sim.indicators import INDICATORS
    from sim.params import PARAMS

    s = Reads({name: np.full(1, ind.initial, dtype=FLOAT) for name, ind in INDICATORS.items()})
    p = {k: v.default for k, v in PARAMS.items()}
    for interest in ACTOR_CLASSES[code].interests:
        interest.score(s, p)
    return frozenset(s.read)


@cache
def _rules(actors: frozenset[str]) -> tuple:
    return rules_for(frozenset().union(*(interest_reads(a) for a in actors)))


@dataclass(frozen=True)
class Projection:
    """What the look-ahead makes of each reviewing actor's moves: actor -> (interests, moves, members)."""

    contributions: dict[str, np.ndarray]


class _Rows(Mapping):
    """One actor's rows of a stacked state (its keep row 0, then its moves), taken on first use."""

    def __init__(self, state: Mapping[str, np.ndarray], rows: np.ndarray) -> None:
        self._state, self._rows, self._cache = state, rows, {}

    def __getitem__(self, key: str) -> np.ndarray:
        out = self._cache.get(key)
        if out is None:
            a = self._state[key]
            out = self._cache[key] = a.take(self._rows, axis=0) if a.ndim > 1 else a
        return out

    def __iter__(self) -> Iterator[str]:
        return iter(self._state)

    def __len__(self) -> int:
        return len(self._state)


def project(state: Mapping[str, np.ndarray], params: Mapping, t: int, actors: Sequence[str],
            weight_shares: Mapping[str, Sequence[np.ndarray]],
            moves: Mapping[str, Sequence[int]] | None = None) -> Projection:
    """Score the moves of ``actors`` by the stacked look-ahead from ``state`` at month ``t``.

    Returns each actor's contributions (interests, moves, members): for interest ``k`` and move
    ``m``, the horizon-weighted utility of ``k`` in the world where the actor makes ``m`` and
    everyone else keeps, times ``k``'s share of the actor's weight. Their sum over interests is
    the move's value in [0, 1], before the switching cost. ``moves``: actor -> the indices of the
    moves to project (``keep`` always is); the rest are left at 0 (default: all moves).
    """
    months = horizon(params)
    weights = horizon_weights(params, months)
    chosen = {code: [0] + [j for j in (moves[code] if moves and code in moves
                                      else range(len(ACTOR_CLASSES[code].options))) if j != 0]
              for code in actors}
    width = 1 + sum(len(js) - 1 for js in chosen.values())
    keep = {code: np.zeros((), dtype=np.int64) for code in ACTORS}  # one value for all rows: no row axis
    first: dict[str, np.ndarray] = dict(keep)
    rows: dict[str, np.ndarray] = {}
    at = 1
    for code, js in chosen.items():
        k = len(js) - 1
        col = np.zeros((width, 1), dtype=np.int64)
        col[at:at + k, 0] = js[1:]
        rows[code] = np.concatenate(([0], np.arange(at, at + k))).astype(np.intp)
        at += k
        first[code] = col
    n_members = len(next(iter(state.values())))
    acc = {code: np.zeros((len(ACTOR_CLASSES[code].interests), len(js), n_members), dtype=FLOAT)
           for code, js in chosen.items()}
    s = state
    needed = _rules(frozenset(actors))  # only what these actors' interests need, over the horizon
    for h in range(months):
        s = resolve(s, first if h == 0 else keep, params, t + h, None, needed)
        for code in actors:
            view = _Rows(s, rows[code])
            a = acc[code]
            for j, (interest, share) in enumerate(zip(ACTOR_CLASSES[code].interests, weight_shares[code],
                                                      strict=True)):
                a[j] += utility(interest.score(view, params)) * (share * weights[h])
    out = {}
    for code, js in chosen.items():
        full = len(ACTOR_CLASSES[code].options)
        if len(js) == full:
            out[code] = acc[code]
        else:
            out[code] = np.zeros((acc[code].shape[0], full, n_members), dtype=FLOAT)
            out[code][:, js] = acc[code]
    return Projection(out)


@cache
def _kinds(code: str) -> tuple[np.ndarray, np.ndarray]:
    """Which moves change the posture, and which are one-off acts: two (moves, 1) arrays of 0 and 1."""
    opts = ACTOR_CLASSES[code].options
    return (np.array([[1.0 if o.changes else 0.0] for o in opts], dtype=FLOAT),
            np.array([[1.0 if o.is_act else 0.0] for o in opts], dtype=FLOAT))


def move_costs(code: str, params: Mapping) -> np.ndarray:
    """What each move costs before its value: (moves, 1), or (moves, members) where costs differ by member.

    The switching cost for a change of posture, the act cost for a one-off act, nothing for ``keep``.
    """
    change, act = _kinds(code)
    return change * np.asarray(params["switching_cost"], dtype=FLOAT) + act * np.asarray(params["act_cost"], dtype=FLOAT)


def possible_moves(code: str, state: Mapping[str, np.ndarray]) -> np.ndarray:
    """Where each move is possible: bool (moves, members).

    A move is impossible where its requirement is not met, or where it would step an instrument
    beyond its range (more exports than the whole capacity): it would change nothing.
    """
    cls = ACTOR_CLASSES[code]
    n = len(next(iter(state.values())))
    ok = np.ones((len(cls.options), n), dtype=bool)
    bounds = {i.indicator: (i.low, i.high) for i in cls.instruments}
    for j, o in enumerate(cls.options):
        if o.requires is not None:
            ok[j] &= state[o.requires.indicator] >= o.requires.minimum
        for key, steps in o.changes.items():
            low, high = bounds[key]
            ok[j] &= state[key] < high if steps > 0 else state[key] > low
    return ok


def why_impossible(code: str, move: str, state: Mapping[str, float]) -> str | None:
    """Why a move is impossible in one world's state (indicator -> value), or None if it is possible."""
    cls = ACTOR_CLASSES[code]
    o = cls.options[OPTION_INDEX[code][move]]
    if o.requires is not None and float(state[o.requires.indicator]) < o.requires.minimum:
        return f"{o.requires.reason}; it is {float(state[o.requires.indicator]):.2f}"
    for i in cls.instruments:
        steps = o.changes.get(i.indicator, 0)
        if steps > 0 and float(state[i.indicator]) >= i.high:
            return f"{i.indicator} is already at its most ({i.high:g})"
        if steps < 0 and float(state[i.indicator]) <= i.low:
            return f"{i.indicator} is already at its least ({i.low:g})"
    return None


def red_lines_crossed(code: str, state: Mapping[str, np.ndarray], params: Mapping) -> np.ndarray | None:
    """Where any of the actor's red lines is crossed in ``state`` (bool per member), or None if it has none."""
    lines = ACTOR_CLASSES[code].red_lines
    if not lines:
        return None
    crossed = lines[0].crossed(state, params) > 0
    for line in lines[1:]:
        crossed = crossed | (line.crossed(state, params) > 0)
    return crossed


def score_moves(code: str, contrib: np.ndarray, params: Mapping,
                possible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A move's value less its switching cost, (moves, members), and the best possible move per member."""
    score = sum_rows(contrib) - move_costs(code, params)
    return score, first_argmax(np.where(possible, score, FLOAT(-np.inf)))


class ActorAgent(mesa.Agent):
    """One actor of the model as a Mesa agent: its declaration (``spec``) and this month's move."""

    def __init__(self, model: PeninsulaModel, spec: type[Actor]) -> None:
        """Register the agent with the model; ``spec`` is the actor's class from :mod:`sim.actors`."""
        super().__init__(model)
        self.spec = spec
        self.code = spec.code
        self.offset = ACTORS.index(spec.code)
        self.choice: np.ndarray | None = None
        self.reason: np.ndarray | None = None
        self.advantage: np.ndarray | None = None

    def reviews(self, t: int, event: bool) -> np.ndarray | bool:
        """Whether the actor reviews its posture in month ``t`` (True, False, or a bool per member).

        On its cadence, in the first month, in a month with an event, or where one of its red
        lines has just been crossed (the model keeps last month's crossings).
        """
        m = self.model
        now = red_lines_crossed(self.code, m.state, m.params)
        before = m.red_lines_before.get(self.code)
        if now is not None:
            m.red_lines_now[self.code] = now
        if t == 0 or event or (t + self.offset) % self.spec.review_months == 0:
            return True
        if now is None:
            return False
        return now if before is None else now & ~before

    def decide(self) -> None:
        """Choose this month's move for every member at once (sets choice, reason, advantage).

        Reads what the model prepared for the month: the move from outside, if any
        (``model.forced``), whether the actor reviews (``model.review``) and its projected
        contributions (``model.projection``). Sums run in a fixed order, so a member's result
        never depends on how many members share the array.
        """
        m = self.model
        n_members = m.n_members
        n_interests = len(self.spec.interests)
        forced = m.forced.get(self.code)
        contrib = m.projection.contributions.get(self.code)
        review = m.review[self.code]
        if forced is not None:
            code, chosen = forced
            chosen = np.broadcast_to(np.asarray(chosen, dtype=np.int64), (n_members,))
            # A move from outside that a world does not allow (a launch before the programme is ready)
            # is not made there: the actor keeps its posture in that world.
            ok = possible_moves(self.code, m.state)[chosen, np.arange(n_members)]
            self.choice = np.where(ok, chosen, KEEP_INDEX)
            self.reason = np.full(n_members, code, dtype=np.int8)
            self.advantage = np.zeros((n_interests, n_members), dtype=FLOAT)
            return
        if contrib is None:
            self.choice = np.full(n_members, KEEP_INDEX, dtype=np.int64)
            self.reason = np.full(n_members, REASON_BETWEEN, dtype=np.int8)
            self.advantage = np.zeros((n_interests, n_members), dtype=FLOAT)
            return
        possible = m.possible[self.code]
        score, best = score_moves(self.code, contrib, m.params, possible)
        noise = m.rng_streams.gumbel(self.code, m.month_index, len(score))
        choice = first_argmax(np.where(possible, score + m.unpredictability[self.code] * noise, FLOAT(-np.inf)))
        advantage = _advantage(contrib, choice, possible)
        reason = first_argmax(advantage, np.int8)
        reason[choice != best] = REASON_NOISE
        if review is not True:
            choice = np.where(review, choice, KEEP_INDEX)
            reason = np.where(review, reason, np.int8(REASON_BETWEEN)).astype(np.int8)
            advantage = np.where(review, advantage, FLOAT(0.0))
        self.choice = choice
        self.reason = reason
        self.advantage = advantage  # (interests, members)


def _advantage(contrib: np.ndarray, choice: np.ndarray, possible: np.ndarray) -> np.ndarray:
    """Per interest, the chosen move's contribution less the mean of the possible moves: (interests, members).

    Computes ``c[choice, members] - (c[0] + c[1] + ...) / moves`` over the moves possible in each
    member, for each interest's contributions ``c`` (moves, members), for all interests at once:
    the sum move by move in place, the gather on the flat array (a quarter of the cost of fancy
    indexing).
    """
    _, n, members = contrib.shape
    mean = sum_rows(np.where(possible[j], contrib[:, j], FLOAT(0.0)) for j in range(n))  # (interests, members)
    mean = np.divide(mean, possible.sum(axis=0).astype(FLOAT), out=mean)
    chosen = contrib.reshape(len(contrib), -1).take(choice * members + np.arange(members), axis=1)
    return np.subtract(chosen, mean, out=chosen)
