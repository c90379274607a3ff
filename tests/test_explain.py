"""``sim.explain`` / ``peninsula explain``: why an actor made its move, and the README's worked example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import sim
from sim.cli.main import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_the_readme_worked_example_is_what_the_command_prints():
    block = re.search(r"`peninsula explain baseline --actor RUS --month 2024-11`.*?```text\n(.*?)```", README, re.S)
    assert block, "the README's worked example is missing"
    assert block.group(1).rstrip("\n") == sim.explain("baseline", "RUS", "2024-11").text()


def test_the_explanation_agrees_with_the_run():
    """The move explained is the move the run made, for the same world (member 37 alone = member 37 of many)."""
    ex = sim.explain("baseline", "CHN", "2024-10", member=37, seed=9)
    res = sim.run("baseline", members=40, seed=9)
    k = res.dates.index("2024-10")
    assert ex.chosen == res.choices("CHN")[37, k] and ex.reason == res.reasons("CHN")[37, k]
    keep = next(m for m in ex.moves if m.name == "keep")
    assert keep.cost == 0 and all(m.cost > 0 for m in ex.moves if m.name != "keep")
    if ex.reason not in ("unpredictability", "between reviews"):
        best = max((m for m in ex.moves if m.possible), key=lambda m: m.score)
        assert ex.chosen == best.name == ex.best


def test_impossible_moves_are_named_with_the_reason():
    ex = sim.explain("baseline", "DPRK", "2023-09")
    why = {m.name: m.why_not for m in ex.moves if not m.possible}
    assert "treaty" in why["deploy_more"] and "space capability 0.5" in why["launch_satellite"]


@pytest.mark.parametrize("argv, field", [
    (["explain", "baseline", "--actor", "XYZ", "--month", "2024-11"], "actor"),
    (["explain", "baseline", "--actor", "RUS", "--month", "2031-01"], "month"),
    (["explain", "baseline", "--actor", "RUS", "--month", "2024-11", "--member", "-1"], "member"),
])
def test_bad_input_gets_a_one_line_error_and_exit_2(argv, field, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"field '{field}'" in err and "Traceback" not in err
