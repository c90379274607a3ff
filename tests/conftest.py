"""Shared fixtures: the baseline scenario (loaded once), short variants of it, and a
writer for scenario files in a test's temporary folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

import sim
from sim.data import SCENARIO_DIR

ROOT = Path(__file__).resolve().parent.parent
BASELINE_FILE = SCENARIO_DIR / "baseline.yaml"


def write_scenario(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    """Write ``text`` to ``tmp_path / name`` (UTF-8) and return the path."""
    path = Path(tmp_path) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def derive_scenario(changes: dict | None = None, months: int | None = None, name: str = "derived.yaml") -> sim.Scenario:
    """A scenario that ``extends: baseline`` with ``changes`` (plain data), validated like a file.

    Going through the loader (not ``model_copy``) checks the result as it would a file: an
    event or a script of ``changes`` outside the horizon is an error, and the baseline's own
    events after a shortened horizon are left out (they never come).
    """
    data: dict = {"extends": "baseline"}
    if months is not None:
        data["months"] = months
    data.update(changes or {})
    return sim.load_scenario_text(yaml.safe_dump(data, sort_keys=False), name, base_dir=SCENARIO_DIR)


@pytest.fixture(scope="session")
def baseline() -> sim.Scenario:
    """The bundled baseline scenario (48 months from 2023-09)."""
    return sim.load_scenario(BASELINE_FILE)


@pytest.fixture(scope="session")
def short_baseline() -> sim.Scenario:
    """The baseline cut to 12 months (validated through ``extends``)."""
    sc = derive_scenario(months=12, name="short.yaml")
    assert sc.months == 12
    return sc


@pytest.fixture
def write() -> Callable[..., Path]:
    """``write(tmp_path, text, name="scenario.yaml") -> Path``: write a scenario file."""
    return write_scenario


@pytest.fixture
def derive() -> Callable[..., sim.Scenario]:
    """``derive(changes, months=None) -> Scenario``: the baseline with changes, validated."""
    return derive_scenario
