"""Expectations: the schema rejects bad ones at load time; sim.check judges them member by member;
every bundled scenario's expectations come out as declared (peninsula check)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sim
from sim.cli.main import main
from sim.run.expectations import holds
from sim.data import SCENARIO_DIR

BUNDLED = sorted(SCENARIO_DIR.glob("*.yaml"))


def _write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


BASE = "extends: baseline\nmonths: 12\n"


@pytest.mark.parametrize("body, field, words", [
    ("expectations:\n  - {says: x, test: above, indicator: DPRK.nope, value: 1}\n",
     "expectations[0].indicator", "unknown indicator"),
    ("expectations:\n  - {says: x, test: lower_than, indicator: DPRK.food_security, than: nowhere}\n",
     "expectations[0].than", "no such scenario"),
    ("expectations:\n  - {says: x, test: above, indicator: DPRK.food_security, value: 1, at: 2030-01}\n",
     "expectations[0].at", "outside the run"),
    ("expectations:\n  - {says: x, test: above, indicator: DPRK.food_security, value: 1, share: 1.5}\n",
     "expectations[0].share", "less than or equal to 1"),
    ("expectations:\n  - {says: x, test: above, indicator: DPRK.food_security, value: 1, share: 0}\n",
     "expectations[0].share", "greater than 0"),
    ("expectations:\n  - {says: x, test: mostly, actor: RUS, option: fly}\n",
     "expectations[0].option", "no move 'fly'"),
    ("expectations:\n  - {says: x, test: above, indicator: DPRK.food_security}\n",
     "expectations[0]", "needs 'value'"),
    ("expectations:\n  - {says: x, test: above, indicator: DPRK.food_security, value: 1, expected_to_fail: true}\n",
     "expectations[0]", "say 'why'"),
    ("expectations:\n  - {says: x, test: sometimes, indicator: DPRK.food_security}\n",
     "expectations[0].test", "input should be"),
])
def test_bad_expectations_are_rejected_at_load(tmp_path, body, field, words):
    path = _write(tmp_path, BASE + body)
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario(path)
    text = str(info.value)
    assert str(path) in text and f"field '{field}'" in text and words in text, text
    assert "line " in text


def test_expectations_are_not_inherited(tmp_path):
    child = sim.load_scenario(_write(tmp_path, BASE))
    assert sim.load_scenario("baseline").expectations and not child.expectations


def test_holds_is_member_by_member(tmp_path):
    sc = sim.load_scenario(_write(tmp_path, BASE + (
        "expectations:\n"
        "  - {says: food, test: above, indicator: DPRK.food_security, value: 0.82}\n"
        "  - {says: by, test: below, indicator: RUS.munitions_shortfall, value: 0.15, by: 2024-02}\n"
        "  - {says: rises, test: rises, indicator: DPRK.hard_currency_usd}\n"
        "  - {says: mostly, test: mostly, actor: RUS, option: keep, value: 0.5}\n")))
    r = sim.run(sc, members=50, seed=3)
    food = r.indicator("DPRK.food_security")[:, -1]
    assert np.array_equal(holds(sc.expectations[0], r, {}), food > 0.82)
    short = r.indicator("RUS.munitions_shortfall")[:, :r.dates.index("2024-02") + 1]
    assert np.array_equal(holds(sc.expectations[1], r, {}), (short < 0.15).any(axis=1))
    cash = r.indicator("DPRK.hard_currency_usd")
    assert np.array_equal(holds(sc.expectations[2], r, {}), cash[:, -1] > cash[:, 0])
    buys = (r.choices("RUS") == "keep").mean(axis=1)
    assert np.array_equal(holds(sc.expectations[3], r, {}), buys >= 0.5)
    verdicts = sim.check(sc, members=50, seed=3)
    assert [v.share for v in verdicts] == pytest.approx([float((food > 0.82).mean()),
                                                         float((short < 0.15).any(axis=1).mean()),
                                                         float((cash[:, -1] > cash[:, 0]).mean()),
                                                         float((buys >= 0.5).mean())])


def test_comparison_uses_common_random_numbers(tmp_path):
    """Against itself, a 'higher_than' holds in no member: same seeds, same worlds."""
    path = _write(tmp_path, BASE + (
        "expectations:\n"
        "  - {says: same, test: higher_than, than: baseline, indicator: DPRK.food_security, at: 2024-06}\n"),
        name="twin.yaml")
    (verdict,) = sim.check(sim.load_scenario(path), members=40, seed=11)
    assert verdict.share == 0.0 and not verdict.passed


def test_expected_to_fail_turns_a_failure_into_ok(tmp_path):
    path = _write(tmp_path, BASE + (
        "expectations:\n"
        "  - {says: impossible, test: above, indicator: DPRK.food_security, value: 2, expected_to_fail: true,\n"
        "     why: food security is a share and cannot exceed 1}\n"))
    (v,) = sim.check(sim.load_scenario(path), members=20, seed=1)
    assert not v.passed and v.expected_to_fail and v.ok


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_bundled_scenario_expectations_hold_as_declared(path):
    """peninsula check on every scenario, with enough members for stable shares.

    An unexpected pass fails too: an expectation marked expected_to_fail that now holds
    must be unmarked (it has become a finding the model agrees with)."""
    sc = sim.load_scenario(path)
    assert sc.description, "every bundled scenario states its question"
    verdicts = sim.check(sc, members=400, seed=2024)
    if path.stem != "no_launches":
        assert len(verdicts) >= (5 if path.stem == "baseline" else 2)
    wrong = [f"{v.text}: held in {v.share:.0%} (required {v.required:.0%}, expected_to_fail={v.expected_to_fail})"
             for v in verdicts if not v.ok]
    assert not wrong, "\n".join(wrong)


def test_check_cli_exit_codes(tmp_path, capsys):
    good = _write(tmp_path, BASE + "expectations:\n  - {says: fine, test: below, indicator: DPRK.food_security, value: 2}\n",
                  name="good.yaml")
    bad = _write(tmp_path, BASE + "expectations:\n  - {says: never, test: above, indicator: DPRK.food_security, value: 2}\n",
                 name="bad.yaml")
    assert main(["check", str(good), "--members", "20"]) == 0
    assert "fine" in capsys.readouterr().out
    assert main(["check", str(good), str(bad), "--members", "20", "--out", str(tmp_path / "c.csv")]) == 1
    out = capsys.readouterr().out
    assert "UNEXPECTED" in out and (tmp_path / "c.csv").read_text().count("\n") == 3
    broken = _write(tmp_path, BASE + "expectations:\n  - {says: x, test: above, indicator: X.y, value: 1}\n",
                    name="broken.yaml")
    assert main(["check", str(broken)]) == 2
    assert "unknown indicator" in capsys.readouterr().err
