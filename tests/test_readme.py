"""The README stays true: its commands are the ones CI runs, and its examples run."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

import sim
from sim.engine import reason_labels

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _bash_blocks() -> list[str]:
    return re.findall(r"```bash\n(.*?)```", README, flags=re.S)


def test_readme_opens_with_the_two_commands():
    blocks = _bash_blocks()
    first, second = blocks[0], blocks[1]
    assert "peninsula dashboard" in first and "pip install -e ." in first
    assert "pytest" in second and "'.[test]'" in second
    # they come before anything else in the README
    assert README.index(first) < README.index("## What it is")


def test_ci_runs_the_readme_test_command():
    test_cmd = [ln for ln in _bash_blocks()[1].splitlines() if ln and not ln.startswith("#")][0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_cmd in ci
    assert "apt-get install" in ci and "chromium" in ci


def _python_block(marker: str) -> str:
    return next(b for b in re.findall(r"```python\n(.*?)```", README, flags=re.S) if marker in b)


def test_python_example_runs(tmp_path):
    block = _python_block("sim.run(")
    block = block.replace("members=1000", "members=60").replace('"runs/baseline"', repr(str(tmp_path / "run")))
    ns: dict = {}
    exec(compile(block, "README.md", "exec"), ns)  # noqa: S102 - the README's own example
    results, months = ns["results"], ns["scenario"].months
    assert results.indicator("DPRK.food_security").shape == (60, months + 1)
    assert results.choices("CHN").shape == results.reasons("CHN").shape == (60, months)
    assert set(np.unique(results.reasons("CHN"))) <= set(reason_labels("CHN"))
    loaded = sim.Results.load(tmp_path / "run")
    assert np.array_equal(loaded.history, results.history)
    assert all(np.array_equal(loaded.choice_index[c], results.choice_index[c]) for c in sim.ACTORS)
    assert all(np.array_equal(loaded.reason_index[c], results.reason_index[c]) for c in sim.ACTORS)


def test_every_indicator_is_documented():
    from sim.indicators import INDICATORS

    for name in INDICATORS:
        if name.startswith("relations."):
            continue
        assert f"`{name}`" in README, f"{name} is not in the README's indicator table"
    assert "`relations.A-B`" in README


def test_indicator_units_match_readme():
    from sim.indicators import INDICATORS

    for name, ind in INDICATORS.items():
        if name.startswith("relations."):
            continue
        row = next(ln for ln in README.splitlines() if ln.startswith(f"| `{name}` |"))
        assert f"| {ind.unit} |" in row, f"README gives another unit for {name}"


def test_member_37_claim_in_readme_holds():
    import sim

    sc = sim.load_scenario("baseline")
    many = sim.run(sc, members=40, seed=42)
    alone = sim.run(sc, members=[37], seed=42)
    assert np.array_equal(many.indicator("DPRK.food_security")[37], alone.indicator("DPRK.food_security")[0])


def test_game_example_runs():
    block = _python_block("sim.Game(").replace("members=200", "members=20")
    ns: dict = {}
    exec(compile(block, "README.md", "exec"), ns)  # noqa: S102 - the README's own example
    assert ns["game"].finished


def test_engine_door_example_runs():
    block = _python_block("Simulation(")
    ns: dict = {}
    exec(compile(block, "README.md", "exec"), ns)  # noqa: S102 - the README's own example
    run = ns["run"]
    assert run.month == 1 and run.results().indicator("DPRK.food_security").shape == (100, 2)
    assert (run.results().choices("DPRK") == "keep").all() and (run.results().reasons("DPRK") == "player").all()
    card = ns["card"]
    assert card.contributions.shape[1:] == (len(card.options), 100)
    assert card.score.shape == card.cost.shape == card.possible.shape == (len(card.options), 100)
    assert "deploy_more" in run.impossible("DPRK")  # the README's example: no contingent before the treaty
