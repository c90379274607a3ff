"""Runs and what is done with them: run, replay, compare and check.

``run`` a scenario, ``replay`` a saved run, ``compare`` two scenarios under common random
numbers, ``check`` a scenario's expectations, ``explain`` an actor's move in one month.

Builds on :mod:`sim.engine` (``Setup``, ``simulate``, ``Results``); imports nothing of
``sim.batch``, ``sim.game`` or ``sim.cli``.
"""

from sim.run.compare import Comparison, compare, compare_results
from sim.run.expectations import ExpectationResult, check
from sim.run.explain import Explanation, explain
from sim.run.replay import replay
from sim.run.runner import run

__all__ = ["Comparison", "ExpectationResult", "Explanation", "check", "compare", "compare_results", "explain", "replay",
           "run"]
