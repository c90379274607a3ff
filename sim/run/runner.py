"""``sim.run``: the one entry point that the CLI, the dashboard and the tests call for a whole run."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from sim.engine import Results, Setup, simulate
from sim.scenario import Scenario


def run(scenario: Scenario | str | Path, members: int | Sequence[int] | None = None, seed: int | None = None, *,
        settings: dict[str, float] | None = None, overrides: dict[str, float | np.ndarray] | None = None,
        progress: Callable[[int, int], None] | None = None) -> Results:
    """Run a scenario: ``members`` worlds in vectorised passes.

    Args:
        scenario: a :class:`Scenario`, or the path (or bundled name) of a scenario file.
        members: how many members (ids 0..N-1), or a list of member ids; default the scenario's.
        seed: default the scenario's. Member ``i`` is the same in any run of this seed.
        settings: parameter path -> value (levers, ``--set``), checked against ranges.
        overrides: parameter path -> value or per-member array (design tables).
        progress: called with (member-months done, member-months in all).

    Returns:
        :class:`Results` for all members, in the order given.
    """
    setup = Setup.build(scenario, members, seed, settings=settings, overrides=overrides)
    return simulate(setup, progress=progress)
