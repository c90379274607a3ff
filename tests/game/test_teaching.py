"""Issue 17 in the game: honest statistics, questions per role, and telling an auto-played student what was chosen."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.actors.base import KEEP
from sim.game.debrief import ABOUT_THE_SAME, _outcome, verdict
from sim.game.exercise import load_exercise, load_exercise_text
from sim.game.game import Game

MEMBERS = 12


# -- honest statistics ------------------------------------------------------------------------------


def _spread_scores(n: int = 200) -> np.ndarray:
    return np.linspace(0.5, 0.7, n)  # standard deviation ~0.058


def test_identical_scores_are_all_tied_and_about_the_same():
    theirs = _spread_scores()
    o = _outcome("overall", "", 1.0, theirs.copy(), theirs, "Russia")
    assert (o.better, o.tied, o.worse) == (0.0, 1.0, 0.0)
    assert o.verdict == ABOUT_THE_SAME
    assert "tied in every world" in o.sentence and "about the same" in o.sentence


def test_a_difference_smaller_than_the_spread_is_about_the_same_even_when_every_world_is_worse():
    theirs = _spread_scores()
    mine = theirs - 0.013  # worse in every world, by far less than the spread across worlds
    o = _outcome("overall", "", 1.0, mine, theirs, "Russia")
    assert (o.better, o.tied, o.worse) == (0.0, 0.0, 1.0)
    assert o.verdict == ABOUT_THE_SAME
    assert o.spread == pytest.approx(float(np.std(theirs)))
    assert "about the same as" in o.sentence and "smaller than the spread" in o.sentence
    assert "better in 0% of worlds, tied in 0%, worse in 100%" in o.sentence


def test_a_difference_larger_than_the_spread_is_better_or_worse():
    theirs = _spread_scores()
    assert verdict(theirs + 0.5, theirs)[0] == "better"
    assert verdict(theirs - 0.5, theirs)[0] == "worse"
    o = _outcome("overall", "", 1.0, theirs - 0.5, theirs, "Russia")
    assert "worse than" in o.sentence and "larger than the spread" in o.sentence
    # Constant scores have no spread: any real difference counts.
    flat = np.full(10, 0.6)
    assert verdict(flat + 0.01, flat)[0] == "better"
    assert verdict(flat, flat)[0] == ABOUT_THE_SAME


def test_ties_are_counted_and_shown():
    theirs = _spread_scores(10)
    mine = theirs.copy()
    mine[:4] += 1.0  # better in 4 worlds, tied in 6
    o = _outcome("x", "", 1.0, mine, theirs, "China")
    assert (o.better, o.tied, o.worse) == (pytest.approx(0.4), pytest.approx(0.6), 0.0)
    assert "better in 40% of worlds, tied in 60%, worse in 0%" in o.sentence


def test_a_student_who_played_as_the_model_gets_all_ties_in_debrief_report_and_csv(tmp_path):
    game = Game("moscows_shell_hunt", role="RUS", members=MEMBERS, seed=3)
    for _ in range(2):
        game.play(None)
    d = game.debrief()
    rd = d.roles["RUS"]
    for o in [*rd.interests, rd.overall]:
        assert (o.tied, o.verdict) == (1.0, ABOUT_THE_SAME), o.interest
    assert "tied in 100% of worlds" in rd.sentences[0]
    paths = d.write(tmp_path / "rep")
    rows = list(csv.DictReader(paths["outcomes"].open(encoding="utf-8")))
    assert {(r["tied"], r["verdict"]) for r in rows} == {("1.0", ABOUT_THE_SAME)}
    assert {r["result"] for r in csv.DictReader(io.StringIO(d.to_csv()))} == {"tied"}
    page = d.to_html()
    assert page.count(f"<td>{ABOUT_THE_SAME}</td>") == len(rd.interests) + 1
    assert "<th>tied</th>" in page


# -- questions per role --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["pyongyang_bargain", "beijings_dilemma", "moscows_shell_hunt"])
def test_bundled_exercises_ask_each_role_its_own_questions(name):
    ex = load_exercise(name)
    assert set(ex.debrief_by_role) == set(ex.roles)
    a, b = ex.roles
    assert ex.questions(a) == [*ex.debrief, *ex.debrief_by_role[a]]
    assert ex.questions(b) == [*ex.debrief, *ex.debrief_by_role[b]]
    assert not set(ex.debrief_by_role[a]) & set(ex.questions(b))
    assert not set(ex.debrief_by_role[b]) & set(ex.questions(a))


def test_russia_is_not_asked_chinas_buffer_question():
    ex = load_exercise("beijings_dilemma")
    assert not any("buffer" in q for q in ex.questions("RUS"))
    assert any("buffer" in q for q in ex.questions("CHN"))


def test_debrief_and_report_show_each_role_only_its_own_questions():
    game = Game("moscows_shell_hunt", members=MEMBERS, seed=3)
    game.play({"RUS": "buy_more", "DPRK": None})
    ex = game.exercise
    both = game.debrief()
    for role in ex.roles:
        alone = game.debrief([role])
        assert alone.questions == ex.questions(role) == alone.questions_for(role)
        assert alone.summary()["roles"][role]["questions"] == ex.questions(role)
        page = alone.to_html().split("<h2>Reproduce</h2>")[0]  # the record below holds the whole exercise
        assert page.count("<h3>Questions for ") == 1
        other = next(r for r in ex.roles if r != role)
        for q in ex.debrief_by_role[other]:
            assert q not in page
    page = both.to_html()
    for role in ex.roles:
        section = page.split(f"<h3>Questions for {both.roles[role].title}</h3>")[1].split("</ol>")[0]
        assert section.count("<li>") == len(ex.questions(role))


def test_a_flat_list_of_questions_is_for_every_role(tmp_path):
    from tests.game.test_exercise import GOOD

    ex = load_exercise_text(GOOD)
    assert ex.questions("DPRK") == ex.questions("CHN") == ["What happened?"]
    with pytest.raises(KeyError):
        ex.questions("RUS")


def test_questions_for_an_unknown_role_are_refused(tmp_path):
    from tests.game.test_exercise import GOOD

    text = GOOD + 'debrief_by_role:\n  DPRK: ["Did you survive?"]\n  RUS: ["Shells?"]\n'

    path = Path(tmp_path / "drill.yaml")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(sim.ScenarioError) as info:
        load_exercise(path)
    assert info.value.field == "debrief_by_role.RUS" and "not one of the roles" in info.value.message
    assert info.value.line == text.splitlines().index('  RUS: ["Shells?"]') + 1
    ok = load_exercise_text(text.replace('  RUS: ["Shells?"]\n', ""))
    assert ok.questions("DPRK") == ["What happened?", "Did you survive?"]
    assert ok.questions("CHN") == ["What happened?"]


# -- an auto-played student is told what was chosen ---------------------------------------------------


def test_an_auto_played_role_is_told_what_the_model_chose_and_why():
    game = Game("moscows_shell_hunt", members=MEMBERS, seed=3)
    assert game.view("RUS").autoplayed is None  # nothing played yet
    game.play({"RUS": None, "DPRK": "export_more"})
    view = game.view("RUS")
    move = view.autoplayed
    assert move is not None and move.actor == "RUS"
    assert sum(move.shares.values()) == pytest.approx(1.0)
    assert view.sentences[1] == move.sentence
    assert move.sentence.startswith("No move from you last turn: the model ")
    for name, share in move.shares.items():
        if share >= 0.1:
            said = "kept your posture" if name == KEEP else f"chose {name}"
            assert f"{said}" in move.sentence and f"({move.reasons[name]})" in move.sentence
    # The role that chose is not told it was auto-played.
    assert game.view("DPRK").autoplayed is None
    assert not any(s.startswith("No move from you") for s in game.view("DPRK").sentences)
