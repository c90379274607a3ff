"""The files bundled with the package: scenarios, exercises, the seed articles and the evidence.

They ship as package data, so an installed Peninsula finds them wherever it runs. The
repository's top-level ``scenarios/`` and ``seeds/`` are links to the folders here: one copy,
read by people in the checkout and by the package through :mod:`importlib.resources`.

Imports nothing else of ``sim``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_ROOT = Path(str(resources.files(__name__)))

SCENARIO_DIR = _ROOT / "scenarios"
"""The bundled scenarios (``NAME.yaml``)."""
EXERCISE_DIR = SCENARIO_DIR / "exercises"
"""The bundled exercises."""
SEEDS_DIR = _ROOT / "seeds"
"""The five seed articles."""
EVIDENCE_FILE = SEEDS_DIR / "evidence.yaml"
"""The claims that link the articles to the model."""


def bundled_scenarios() -> list[Path]:
    """The bundled scenario files, sorted by name."""
    return sorted(SCENARIO_DIR.glob("*.yaml"))


def bundled_exercises() -> list[Path]:
    """The bundled exercise files, sorted by name."""
    return sorted(EXERCISE_DIR.glob("*.yaml"))
