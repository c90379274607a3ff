"""The engine: the only door to the model.

Owns the world's rules (:mod:`~sim.engine.rules`, one ``resolve`` for real steps and
projections), the choosing rule (:mod:`~sim.engine.choose`), the per-member random streams
(:mod:`~sim.engine.rng`), the tricks that keep it fast, each explained once where it lives
(the stacked look-ahead in :mod:`~sim.engine.choose`, arithmetic in :mod:`~sim.engine.arith`, memory in
:mod:`~sim.engine.memory`), the Mesa model
(:mod:`~sim.engine.model`) and what a run hands out (:mod:`~sim.engine.results`).

Callers build a :class:`Setup` and call :func:`simulate` (a whole run) or drive a
:class:`Simulation` (step, advise, preview, results). May import ``sim.actors``,
``sim.scenario`` and the vocabulary (``sim.indicators``, ``sim.params``, ``sim.errors``).
"""

from sim.engine.choose import (REASON_BETWEEN, REASON_EXTERNAL, REASON_LABELS, REASON_NOISE, REASON_SCRIPTED,
                               reason_labels)
from sim.engine.results import Results
from sim.engine.setup import MAX_MEMBERS, Setup, check_seed, member_ids
from sim.engine.simulate import CHUNK_MEMBERS, Scorecard, Simulation, simulate, simulate_history

__all__ = ["CHUNK_MEMBERS", "MAX_MEMBERS", "REASON_BETWEEN", "REASON_EXTERNAL", "REASON_LABELS", "REASON_NOISE",
           "REASON_SCRIPTED", "Results", "Scorecard", "Setup", "Simulation", "check_seed",
           "member_ids", "reason_labels", "simulate", "simulate_history"]
