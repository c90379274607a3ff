"""The choosing rule that every actor uses, for all members at once.

Each month an actor projects each of its options one month ahead with the same
:func:`sim.engine.rules.resolve` as the real step (the others assumed to repeat last month's
choice), scores it by the weighted sum of its interests, adds Gumbel noise scaled by its
unpredictability, and takes the best. A choice from outside (a player, a scripted choice)
replaces the rule's. Every choice keeps its reason: the interest that most favoured it
over the average option, or the outside source, or unpredictability where the noise
overturned the best option.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.actors import ACTOR_CLASSES, Actor
from sim.engine.arith import first_argmax, sum_rows
from sim.engine.plans import Plan, projection_plan, trace_reads
from sim.engine.rules import resolve
from sim.indicators import FLOAT

if TYPE_CHECKING:  # pragma: no cover
    from sim.engine.model import PeninsulaModel

REASON_NOISE = -1
"""Reason code: the option was not the best by the scores; unpredictability chose it."""
REASON_SCRIPTED = -2
"""Reason code: the scenario scripted the choice."""
REASON_EXTERNAL = -3
"""Reason code: the choice came from outside (a player)."""
REASON_LABELS = {REASON_NOISE: "unpredictability", REASON_SCRIPTED: "scripted", REASON_EXTERNAL: "player"}


def reason_labels(code: str) -> list[str]:
    """An actor's reason labels by code: interest ``k`` at ``k``; -3, -2, -1 wrap to the last three."""
    return list(ACTOR_CLASSES[code].interest_names()) + [REASON_LABELS[c] for c in (-3, -2, -1)]


@cache
def actor_plan(code: str) -> Plan:
    """What :func:`resolve` runs to project an actor's options: the rules its interests read."""
    cls = ACTOR_CLASSES[code]
    needed = sorted(set().union(*(trace_reads(i.score) for i in cls.interests)))
    return projection_plan(code, needed)


class ActorAgent(mesa.Agent):
    """One actor of the model as a Mesa agent: its declaration (``spec``) and this month's choice."""

    def __init__(self, model: PeninsulaModel, spec: type[Actor]) -> None:
        """Register the agent with the model; ``spec`` is the actor's class from :mod:`sim.actors`."""
        super().__init__(model)
        self.spec = spec
        self.code = spec.code
        self.choice: np.ndarray | None = None
        self.reason: np.ndarray | None = None
        self.advantage: np.ndarray | None = None

    def scorecard(self) -> np.ndarray:
        """Interest contributions of every option: an array (interests, options, members).

        Each option is projected with :func:`resolve` from the state at the start of the
        month, the other actors repeating last month's choice. A contribution is
        interest x (weight / sum of weights), so an option's score (the sum over
        interests) lies in [0, 1].
        """
        m = self.model
        spec = self.spec
        n = len(spec.options)
        choices = dict(m.last_choices)
        choices[self.code] = np.arange(n, dtype=np.int64)[:, None]
        projected = resolve(m.state, choices, m.params, m.month_index, None, plan=actor_plan(self.code),
                            status_quo=m.status_quo)
        out = np.empty((len(spec.interests), n, m.n_members), dtype=FLOAT)
        for k, (interest, share) in enumerate(zip(spec.interests, m.weight_shares[self.code], strict=True)):
            np.multiply(interest.score(projected, m.params), share, out=out[k])  # broadcast over what it lacks
        return out

    def decide(self) -> None:
        """Choose this month's option for every member at once (sets choice, reason, advantage).

        Sums run in a fixed order (interest by interest, option by option), so a member's
        result never depends on how many members share the array.
        """
        m = self.model
        n = len(self.spec.options)
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
        advantage = _advantage(contrib, choice)
        reason = first_argmax(advantage, np.int8)
        if forced is not None:
            reason[:] = code
        else:
            reason[choice != best] = REASON_NOISE
        self.choice = choice
        self.reason = reason
        self.advantage = advantage  # (interests, members)


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
