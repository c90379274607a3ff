"""Ruff's checks of sim/ and dashboard/ (pyproject.toml: pyflakes, syntax, and Google-style docstrings)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing_in_sim_and_the_dashboard():
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "sim", "dashboard"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
