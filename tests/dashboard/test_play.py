"""The teaching game in the dashboard under Streamlit's AppTest: the Play page and the Classroom page.

Play: an exercise and a role, every turn played by selecting options, the debrief (checked
against ``sim.game`` itself). Classroom: an instructor opens a room, students join with the
code in the URL, choose, and see only their own briefing; the instructor sees who has moved,
advances, pauses and ends; refusals show as messages. The classroom database is a temporary
file (``PENINSULA_DB``). Ensembles are small so that the suite stays fast; the real-browser
version with a server restart is tests/browser/test_classroom_browser.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sim.actors import ACTOR_CLASSES
from sim.game.classroom import DB_ENV, Classroom
from sim.scenario.evidence import load_claims
from sim.game.exercise import load_exercise
from sim.game import Game, label

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
MEMBERS = 30
EXERCISE = "pyongyang_bargain"
PERCENT = re.compile(r"\b\d{1,3}% of worlds\b")
DPRK_SCRIPT = ["recall_troops", "export_more", "court_china", "test_more", "keep", "deploy_more", "engage_us",
               "export_less"]
"""The moves the player tries, turn by turn; one impossible at its turn (no soldiers abroad to recall at the start)
is not offered, and the player keeps instead."""


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def everything(at: AppTest) -> str:
    """All the text a page shows: titles, headings, Markdown, captions, alerts, metrics, code, progress, tabs."""
    parts = [texts(at.title), texts(at.header), texts(at.subheader), texts(at.markdown), texts(at.caption),
             texts(at.success), texts(at.info), texts(at.warning), texts(at.error), texts(at.code)]
    parts += [f"{m.label}: {m.value}" for m in at.metric]
    parts += [p.proto.text for p in at.get("progress")] + [t.label for t in at.tabs]
    return "\n".join(parts)


def page(path: str, **query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.switch_page(path)
    at.query_params.update(query)
    return ok(at.run())


def param(at: AppTest, name: str) -> str | None:
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


# -- Play -------------------------------------------------------------------------------------------------------
def start_play(exercise: str, role: str, members: int = MEMBERS) -> AppTest:
    at = page("views/play.py")
    at.selectbox(key="play_exercise").set_value(exercise).run()
    at.selectbox(key=f"play_role|{exercise}").set_value(role).run()
    at.number_input(key="play_members").set_value(members).run()
    return ok(at)


def test_play_a_whole_game_and_read_the_debrief():
    at = start_play(EXERCISE, "DPRK")
    ex = load_exercise(EXERCISE)
    # before the game: the situation and the role's own briefing, its claims quoted
    shown = everything(at)
    assert at.title[0].value == "Pyongyang's bargain"
    assert "You are North Korea" in shown and "You are China" not in shown
    assert load_claims()["s000-survival"].quote in shown  # the quotes of the briefing's claims
    assert "for **8 turns** of 3 months" in shown and f"in {MEMBERS:,} worlds" in shown
    assert "in the turn's first month" in shown
    assert not at.toggle  # this exercise has no advisor, so no toggle either

    at.button(key="play_start").click().run()
    game = at.session_state["play_game"]
    assert isinstance(game, Game) and game.roles == ("DPRK",) and game.members == MEMBERS
    played = []
    refused = 0
    for turn, wanted in enumerate(DPRK_SCRIPT):
        ok(at)
        game = at.session_state["play_game"]
        shown = everything(at)
        assert f"Your move for turn {turn + 1}: {ex.turn_label(turn)}" in shown
        # the radio offers the moves possible now; the others are listed, greyed, with the reason
        impossible = game.impossible()
        radio = at.radio(key=f"play_option_{turn}")
        offered = [o.split(". ", 1)[1] for o in radio.options]
        assert offered == [label(n) for n in ACTOR_CLASSES["DPRK"].option_names() if n not in impossible]
        assert offered[0] == "keep"
        for name, why in impossible.items():
            assert f"{label(name)}] — :gray[{why}]" in shown.replace("\\", "")
        assert ("Not possible now" in shown) == bool(impossible)
        # the posture: each instrument's median level
        posture = {m.label: m.value for m in at.metric}
        for b in game.view().posture:
            assert posture[b.name.split(".", 1)[1].replace("_", " ")] == f"{b.median:.2f}"
        assert "Advisor" not in shown
        if turn == 0:
            assert "Nothing has happened yet" in shown
        else:
            # what the others did last turn, in how many worlds, and why
            assert re.search(r"Russia</b>: [A-Za-z ]+ in \d+% of worlds \(", shown)
            assert PERCENT.search(shown)
            assert at.get("plotly_chart")  # the band charts of game.results()
        assert at.button(key="play_turn").disabled  # nothing selected yet
        move = wanted if wanted not in impossible else "keep"
        refused += wanted != move
        radio.set_value(move).run()
        assert not at.button(key="play_turn").disabled
        at.button(key="play_turn").click().run()
        assert f"Turn {turn + 1}: you played" in texts(ok(at).success)
        played.append(move)
    assert played[0] == "keep" and refused  # no soldiers abroad at the start: none to recall

    # the debrief: sentences with percentages, the same as sim's own debrief of the same game
    shown = everything(at)
    assert "Debrief" in texts(at.header)
    direct = Game(EXERCISE, "DPRK", members=MEMBERS, seed=42)
    for move in played:
        direct.play(move)
    expected = direct.debrief().sentences("DPRK")
    assert expected[0] in shown and PERCENT.search(expected[0])
    assert all(s in shown for s in expected)
    table = at.dataframe[0].value
    assert list(table["interest"])[-1] == "overall" and len(table) == len(ACTOR_CLASSES["DPRK"].interests) + 1
    timeline = at.dataframe[1].value
    assert list(timeline["you chose"]) == [label(o) for o in played]
    assert all(q.split("(")[0] in shown for q in ex.debrief)  # the exercise's questions
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Report (HTML)", "Worlds, one by one (CSV)", "Timeline (CSV)"]


def test_the_advisor_shows_only_where_the_exercise_allows_it_and_the_model_can_decide():
    at = start_play("moscows_shell_hunt", "RUS")
    toggle = at.toggle(key="play_advisor|moscows_shell_hunt")
    assert toggle.value is True  # the exercise turns it on
    at.button(key="play_start").click().run()
    game = ok(at).session_state["play_game"]
    advice = game.advisor()
    shown = everything(at)
    assert "Advisor: the model's scorecard" in shown and advice.sentence in shown
    card = at.dataframe[-1].value
    assert list(card.columns[:3]) == ["move", "score", "cost"]
    assert set(card["move"]) == {o.label for o in advice.options}
    for o in advice.options:
        row = card[card["move"] == o.label].iloc[0]
        assert row["score"] == pytest.approx(o.score) and row["cost"] == pytest.approx(o.cost)
        assert row["best in"] == pytest.approx(o.best_share * 100)
        if o.possible <= 0:
            assert row["what drives it"] == f"not possible now: {o.reason}"
    assert card["cost"].iloc[list(card["move"]).index("keep")] == 0  # keeping the posture costs nothing
    impossible = [o for o in advice.options if o.possible <= 0]
    assert list(card["move"])[len(card) - len(impossible):] == [o.label for o in
                                                                sorted(impossible, key=lambda o: -o.score)]
    toggle.set_value(False).run()
    assert "Advisor: the model's scorecard" not in everything(ok(at))
    # the model decides a turn; then stop early: the debrief covers the turn played
    at.button(key="play_model").click().run()
    assert "Turn 1: you played the model's rule." in texts(ok(at).success)
    assert at.session_state["play_game"].turn == 1
    at.button(key="play_stop").click().run()
    shown = everything(ok(at))
    assert "You stopped after 1 of 12 turns" in shown
    assert at.session_state["play_game"].debrief().sentences("RUS")[0] in shown


# -- Classroom ---------------------------------------------------------------------------------------------------
@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "classroom.sqlite3"
    monkeypatch.setenv(DB_ENV, str(path))
    return path


def open_room(members: int = 20) -> tuple[AppTest, str, str]:
    """The instructor's page after opening a room: (page, join code, instructor token)."""
    at = page("views/classroom.py")
    assert "Open a room (instructor)" in texts(at.subheader)
    at.selectbox(key="cls_exercise").set_value(EXERCISE).run()
    at.number_input(key="cls_members").set_value(members).run()
    at.button(key="cls_open").click().run()
    token = param(ok(at), "token")
    assert token
    code = next(m.value for m in at.metric if m.label == "Join code")
    return at, code, token


def join(code: str, name: str, role: str) -> AppTest:
    at = page("views/classroom.py", code=code)
    assert at.title[0].value == "Join: Pyongyang's bargain"
    at.text_input(key="cls_name").input(name)
    at.radio(key="cls_role").set_value(role)
    at.button(key="cls_join").click().run()
    assert param(ok(at), "token") and param(at, "code") is None
    return at


def seats_table(at: AppTest):
    return at.table[0].value


def test_a_room_with_an_instructor_and_two_students(db):
    ins, code, ins_token = open_room()
    shown = everything(ins)
    assert ins.title[0].value == "Pyongyang's bargain: instructor"
    assert re.fullmatch(r"[A-Z2-9]{6}", code) and f"classroom?code={code}" in texts(ins.code)
    assert Classroom(db).lobby(code).title == "Pyongyang's bargain"  # the room is in $PENINSULA_DB
    assert "Turn 1 of 8" in shown

    ana = join(code, "Ana", "DPRK")
    shown = everything(ana)
    assert "You play **North Korea (DPRK)** as **Ana**" in shown
    assert "You are North Korea" in shown and "You are China" not in shown  # her own briefing only
    ben = join(code, "Ben", "CHN")
    assert "You are China" in everything(ben) and "You are North Korea" not in everything(ben)
    assert not [b for b in ana.button if b.key in ("cls_advance", "cls_pause", "cls_end")]

    # Ana chooses: the instructor sees that DPRK has moved, and China is waiting
    ana.radio(key="cls_option_0").set_value("export_more").run()
    ana.button(key="cls_choose").click().run()
    assert "You chose export more for turn 1." in texts(ok(ana).success)
    assert "North Korea plays **export more** this turn" in texts(ana.success)
    table = seats_table(ok(ins.run()))
    assert table.loc["North Korea (DPRK)", "this turn"] == "moved (Ana)"
    assert table.loc["China (CHN)", "this turn"] == "waiting"
    assert table.loc["China (CHN)", "students"] == "Ben"
    assert "Waiting for CHN." in everything(ins)

    # Ben selects an option but has not clicked yet when the instructor advances
    ben.radio(key="cls_option_0").set_value("more_aid").run()
    assert not ok(ben).button(key="cls_choose").disabled

    # the instructor releases an inject and advances: China plays by the model's rule
    ins.selectbox(key="cls_inject").set_value("rice_deal").run()
    ins.button(key="cls_release").click().run()
    assert "Released: Moscow signs a standing rice deal." in texts(ok(ins).success)
    assert "from turn 1" in ins.table[1].value.loc["Moscow signs a standing rice deal", "released"]
    ins.button(key="cls_advance").click().run()
    assert "Turn 1 resolved." in texts(ok(ins).success) and "Turn 2 of 8" in everything(ins)
    assert seats_table(ins).loc["North Korea (DPRK)", "this turn"] == "waiting"

    # Ben's page still showed turn 1: his late choice is refused with a message, and the page keeps working
    ben.button(key="cls_choose").click().run()
    errors = texts(ok(ben).error)
    assert "this request is for turn 1, but the room is at turn 2 of 8" in errors
    assert "Your move for turn 2" in everything(ben)
    # the others' moves of turn 1, in shares of worlds, with reasons
    shown = everything(ana.run())
    assert "Your move for turn 2" in shown and "Russia</b>: " in shown and PERCENT.search(shown)
    assert "You</b> (North Korea): export more" in shown

    # pause: the students cannot choose; resume
    ins.button(key="cls_pause").click().run()
    assert "The game is paused." in texts(ok(ins).success)
    ana.run()
    assert "The instructor has paused the game" in texts(ok(ana).warning)
    assert ana.radio(key="cls_option_1").disabled and ana.button(key="cls_choose").disabled
    ins.button(key="cls_resume").click().run()
    assert not ok(ana.run()).radio(key="cls_option_1").disabled

    # both choose: the turn resolves by itself
    ana.radio(key="cls_option_1").set_value("keep").run()
    ana.button(key="cls_choose").click().run()
    ben.run().radio(key="cls_option_1").set_value("warn_pyongyang").run()
    ben.button(key="cls_choose").click().run()
    assert "Every state with a student has chosen: turn 2 is resolved." in texts(ok(ben).success)
    assert "Turn 3 of 8" in everything(ins.run())

    # the end: the debrief for everyone, each student seeing only their own role
    ins.button(key="cls_end").click().run()
    shown = everything(ok(ins))
    assert "Debrief" in texts(ins.header) and "North Korea (DPRK)" in shown
    assert PERCENT.search(shown)
    shown = everything(ok(ana.run()))
    assert "Debrief" in texts(ana.header)
    expected = Classroom(db).debrief(ins_token).sentences("DPRK")[0]
    assert expected in shown and PERCENT.search(expected)
    assert "You are China" not in shown
    assert [b.label for b in ana.get("download_button")][0] == "Report (HTML)"


def test_a_seat_sees_only_its_own_briefing_and_bad_links_are_refused(db):
    ins, code, _ = open_room()
    ana = join(code, "Ana", "DPRK")
    token = param(ana, "token")
    ex = load_exercise(EXERCISE)
    china = ex.briefing("CHN").splitlines()[2].strip()  # a line of China's private briefing
    assert china and china not in everything(ana)
    # a reload of Ana's link (a new session, same URL) brings her back to her seat, still without China's briefing
    again = page("views/classroom.py", token=token)
    shown = everything(again)
    assert "as **Ana**" in shown and china not in shown
    assert ex.briefing("DPRK").splitlines()[2].strip() in "\n".join(
        re.sub(r"<abbr[^>]*>([^<]*)</abbr>", r"\1", t) for t in shown.splitlines())
    # a made-up token opens nothing; an unknown code neither; the app keeps working
    bad = page("views/classroom.py", token="not-a-seat")
    assert "This link opens no seat" in texts(bad.error) and not bad.radio
    nowhere = page("views/classroom.py", code="ZZZZZZ")
    assert "no room has the code 'ZZZZZZ'" in texts(nowhere.error)
    nowhere.button(key="cls_back").click().run()
    assert "Join a room (student)" in texts(ok(nowhere).subheader)
    # a name is required to join
    empty = page("views/classroom.py", code=code)
    empty.radio(key="cls_role").set_value("CHN")
    empty.button(key="cls_join").click().run()
    assert "You could not join" in texts(ok(empty).error) and param(empty, "token") is None
