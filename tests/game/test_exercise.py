"""Exercises: the bundled ones load and cite real claims; bad files name file, line, field and what was expected."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import sim
from sim.scenario.evidence import load_claims
from sim.data import EXERCISE_DIR, SCENARIO_DIR, bundled_exercises
from sim.game.exercise import CLAIM_ID, Exercise, load_exercise, load_exercise_text
from sim.scenario import month_label

BASELINE = sim.load_scenario(SCENARIO_DIR / "baseline.yaml")
TOO_MANY = BASELINE.months // 3 + 1
"""Turns of 3 months that do not fit the baseline's horizon."""

GOOD = """\
name: drill
title: Drill
scenario: baseline
roles: [DPRK, CHN]
turn_months: 3
turns: 4
members: 20
briefings:
  DPRK: |
    You are North Korea.
    Survive (s000-survival).
  CHN: |
    You are China: keep the buffer (s000-buffer).
injects:
  - id: ceasefire
    label: Ceasefire talks
    release: instructor
    set: {params.war_intensity_target: 0.1}
    claims: [s004-irritates]
  - id: harvest
    label: Poor harvest
    month: 2024-01
    shift: {params.grain_production_t: -300000}
debrief:
  - "What happened?"
"""


def _write(tmp_path: Path, text: str, name: str = "drill.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_bundled_exercises_load_with_a_briefing_for_every_role():
    files = bundled_exercises()
    names = {f.stem for f in files}
    assert {"pyongyang_bargain", "beijings_dilemma", "moscows_shell_hunt"} <= names
    claims = load_claims()
    focus = {"pyongyang_bargain": "DPRK", "beijings_dilemma": "CHN", "moscows_shell_hunt": "RUS"}
    for f in files:
        ex = load_exercise(f)
        assert ex.months <= ex.scenario.months
        assert set(ex.briefings) == set(ex.roles)
        if f.stem in focus:
            assert ex.roles[0] == focus[f.stem]
        for role, text in ex.briefings.items():
            ids = CLAIM_ID.findall(text)
            assert ids and all(i in claims for i in ids), (f.name, role)
            # what it wants, what it fears, what it can do
            for part in ("want", "fear", "can do"):
                assert part in text.lower(), (f.name, role, part)
        assert ex.debrief, f.name
        assert load_exercise(f.stem) == ex  # a bare name finds the bundled file


def test_exercise_round_trips_through_plain_data():
    ex = load_exercise("pyongyang_bargain")
    again = Exercise.from_dict(ex.to_dict())
    assert again.to_dict() == ex.to_dict()
    assert again.scenario.to_dict() == ex.scenario.to_dict()
    assert again.content_hash() == ex.content_hash()


def test_game_scenario_cuts_the_horizon_and_turns_injects_into_events(tmp_path):
    ex = load_exercise(_write(tmp_path, GOOD))
    y0, m0 = BASELINE.start_ym
    assert ex.months == 12 and ex.turn_label(1) == f"{month_label(y0, m0, 3)} to {month_label(y0, m0, 5)}"
    sc = ex.game_scenario([("ceasefire", 2)])
    assert sc.months == 12 and sc.expectations == []
    labels = [(e.month, e.label) for e in sc.events]
    released = (month_label(y0, m0, 6), "Ceasefire talks")  # at the start of turn 3
    assert ("2024-01", "Poor harvest") in labels and released in labels
    assert labels.index(("2024-01", "Poor harvest")) < labels.index(released)
    # a released inject after the months asked for is not in the scenario
    assert "Ceasefire talks" not in [e.label for e in ex.game_scenario([("ceasefire", 2)], months=6).events]


def test_load_from_text_resolves_the_scenario():
    ex = load_exercise_text(GOOD, "upload.yaml")
    assert ex.name == "drill" and ex.scenario.name == "baseline"


BAD = [
    # (description, replace this, with this, field, words in the message, line needle)
    ("unknown role", "roles: [DPRK, CHN]", "roles: [DPRK, XYZ]", "roles[1]", "unknown role 'XYZ'", "roles:"),
    ("claim not in the evidence", "Survive (s000-survival).", "Survive (s000-survivor).", "briefings.DPRK",
     "s000-survivor", "Survive (s000-survivor)"),
    ("turns beyond the horizon", "turns: 4", f"turns: {TOO_MANY}", "turns", f"runs {BASELINE.months} months",
     f"turns: {TOO_MANY}"),
    ("unknown inject path", "set: {params.war_intensity_target: 0.1}", "set: {params.war_intensty: 0.1}",
     "injects[0].set.params.war_intensty", "unknown world parameter", "params.war_intensty"),
    ("missing briefing", "  CHN: |\n    You are China: keep the buffer (s000-buffer).\n", "", "briefings.CHN",
     "no briefing for the role CHN", "briefings:"),
    ("briefing for a role not played", "roles: [DPRK, CHN]", "roles: [DPRK]", "briefings.CHN",
     "not one of the roles", "  CHN: |"),
    ("briefing citing nothing", "You are China: keep the buffer (s000-buffer).", "You are China.",
     "briefings.CHN", "at least one claim", "  CHN: |"),
    ("inject claim unknown", "claims: [s004-irritates]", "claims: [s004-irritated]", "injects[0].claims[0]",
     "s004-irritated", "claims: [s004-irritated]"),
    ("inject with month and release", "    release: instructor\n", "    release: instructor\n    month: 2024-08\n",
     "injects[0]", "not both", "- id: ceasefire"),
    ("inject outside the game", "month: 2024-01", "month: 2025-08", "injects[1].month", "outside the game",
     "month: 2025-08"),
    ("inject value out of range", "set: {params.war_intensity_target: 0.1}",
     "set: {params.war_intensity_target: 3}", "injects[0].set.params.war_intensity_target", "between 0 and 1",
     "war_intensity_target: 3"),
    ("initial path in an inject", "set: {params.war_intensity_target: 0.1}", "set: {initial.DPRK.food_security: 0.5}",
     "injects[0].set.initial.DPRK.food_security", "not initial", "initial.DPRK"),
    ("duplicate inject id", "- id: harvest", "- id: ceasefire", "injects[1].id", "unique",
     "- id: ceasefire\n    label: Poor"),
    ("unknown field", "members: 20", "members: 20\nadvisr: true", "advisr", "unknown field", "advisr"),
    ("unknown scenario", "scenario: baseline", "scenario: baseline_typo", "scenario", "no such scenario",
     "scenario:"),
    ("turn length not a number", "turn_months: 3", "turn_months: quarterly", "turn_months", "expected a whole number",
     "turn_months"),
]


@pytest.mark.parametrize("what, old, new, field, words, needle", BAD, ids=[b[0] for b in BAD])
def test_bad_exercise_names_file_line_and_field(tmp_path, what, old, new, field, words, needle):
    assert old in GOOD
    text = GOOD.replace(old, new)
    path = _write(tmp_path, text)
    with pytest.raises(sim.ScenarioError) as info:
        load_exercise(path)
    err = info.value
    assert err.file == str(path)
    assert err.field == field, str(err)
    assert words in err.message, str(err)
    if "\n" in needle:  # a needle over two lines: the first of them
        first = needle.split("\n")[0]
        idx = text.index(needle)
        expected = text[:idx].count("\n") + 1 if text[idx] != "\n" else None
        assert first in text.splitlines()[expected - 1]
    else:
        expected = _line(text, needle)
    assert err.line == expected, str(err)
    shown = str(err)
    assert shown.startswith(f"{path}, line {expected}, field '{field}'")


def test_claim_inside_a_block_points_at_its_own_line(tmp_path):
    text = GOOD.replace("You are North Korea.", "You are North Korea.\n    More text.\n    Cite (s123-nothing).")
    path = _write(tmp_path, text)
    with pytest.raises(sim.ScenarioError) as info:
        load_exercise(path)
    assert info.value.line == _line(text, "s123-nothing")


def test_missing_file_and_unknown_name():
    with pytest.raises(sim.ScenarioError, match="no such exercise"):
        load_exercise("no_such_exercise")
    with pytest.raises(sim.ScenarioError, match="no such file"):
        load_exercise("nowhere/none.yaml")


def test_bundled_exercises_are_not_scenarios():
    # They live beside the scenarios; the scenario loader must not mistake them for one.
    assert EXERCISE_DIR.is_dir()
    for f in bundled_exercises():
        assert re.search(r"^roles:", f.read_text(encoding="utf-8"), re.MULTILINE)


def test_inject_shift_that_leaves_the_range_is_refused(tmp_path):
    # grain_production_t may not fall below 2 Mt; baseline has 4 Mt; two injects of -1.2 Mt together would.
    text = GOOD.replace("shift: {params.grain_production_t: -300000}", "shift: {params.grain_production_t: -1200000}")
    text = text.replace("    set: {params.war_intensity_target: 0.1}",
                        "    shift: {params.grain_production_t: -1200000}")
    path = _write(tmp_path, text)
    with pytest.raises(sim.ScenarioError) as info:
        load_exercise(path)
    assert info.value.field == "injects[0].shift.params.grain_production_t"
    assert "outside its range" in info.value.message
