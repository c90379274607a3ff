"""Classroom rooms: a full game with an instructor and two students, and a server restart mid-game.

Also: access rules, replayed and simultaneous requests, private briefings.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
import threading
from pathlib import Path

import numpy as np
import pytest

from sim.game.classroom import (
    DB_ENV,
    AccessDenied,
    Ack,
    Classroom,
    InstructorView,
    SeatView,
    StaleRequest,
    WrongState,
)
from sim.actors import ACTOR_CLASSES
from sim.errors import PeninsulaError
from sim.game.exercise import load_exercise
from sim.game import Game, GameError

EXERCISE = "pyongyang_bargain"
MEMBERS, SEED = 24, 9
# Per turn: DPRK's choice, CHN's choice (None: the seat does not choose; the instructor advances),
# and an inject the instructor releases at the start of the turn.
SCRIPT = [
    ("export_more", "more_aid", None),
    ("court_china", None, None),
    ("keep", "warn_pyongyang", "ceasefire_talks"),
    (None, "squeeze_trade", None),
    ("test_more", "keep", "rice_deal"),
    ("deploy_more", "more_aid", None),  # the treaty is in force from 2024-06
    ("export_less", "pressure_moscow", None),
    ("keep", "warn_pyongyang", None),
]


def _dump(db: Path) -> dict:
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()
                for t in ("rooms", "seats", "choices", "releases", "results")}
    finally:
        conn.close()


def _play_room(db: Path, restart_at: int | None = None):
    """The scripted game through the API; optionally 'restart the server' before a turn."""
    room = Classroom(db)
    code, ins = room.open_room(EXERCISE, members=MEMBERS, seed=SEED)
    ana = room.join(code, "DPRK", "Ana")
    ben = room.join(code, "CHN", "Ben")
    seen = {}
    for turn, (d, c, inject) in enumerate(SCRIPT):
        if turn == restart_at:
            before = room.view(ana)
            room.close()
            room = Classroom(db)  # a new server process: nothing in memory
            after = room.view(ana)  # the same seat token rejoins
            assert (after.name, after.role, after.turn) == ("Ana", "DPRK", turn)
            assert after.world.to_dict() == before.world.to_dict()
        if inject:
            room.release(ins, inject, turn=turn)
        view = room.view(ana)
        assert isinstance(view, SeatView) and view.turn == turn and view.status == "open"
        seen[turn] = view.world.to_dict()
        last = "ended" if turn == len(SCRIPT) - 1 else "open"
        if d:
            assert room.choose(ana, turn, d) == Ack(turn, d, False, "open")  # China has not chosen yet
        if c:
            assert room.choose(ben, turn, c) == Ack(turn, c, d is not None, last if d else "open")
        if not (d and c):
            assert room.advance(ins, turn) == Ack(turn, None, True, last)
    assert room.view(ins).status == "ended"
    return room, ins, ana, ben, seen


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    room, ins, ana, ben, seen = _play_room(tmp_path_factory.mktemp("plain") / "classroom.sqlite3")
    return room, ins, ana, ben, seen, room.debrief(ins), room.debrief(ana)


def test_full_game_matches_the_game_api(plain):
    room, ins, ana, _, _, everyone, mine = plain
    record = room.record(ins)
    assert record.choices == [{"DPRK": d, "CHN": c} for d, c, _ in SCRIPT]
    assert record.releases == [("ceasefire_talks", 2), ("rice_deal", 4)]
    # The same game played directly with the Game API.
    game = Game(EXERCISE, members=MEMBERS, seed=SEED)
    for d, c, inject in SCRIPT:
        if inject:
            game.release(inject)
        game.play({"DPRK": d, "CHN": c})
    direct = game.debrief(["DPRK", "CHN"])
    assert everyone.summary() == direct.summary()
    assert np.array_equal(everyone.played.history, direct.played.history)
    assert set(everyone.roles) == {"DPRK", "CHN"} and list(mine.roles) == ["DPRK"]
    assert mine.summary()["roles"]["DPRK"] == everyone.summary()["roles"]["DPRK"]
    stored = room.stored_results(ins)
    assert set(stored) == {"DPRK", "CHN"}
    assert stored["DPRK"]["overall"] == everyone.summary()["roles"]["DPRK"]["overall"]
    assert set(room.stored_results(ana)) == {"DPRK"}


def test_server_restart_mid_game_changes_nothing(plain, tmp_path):
    _, _, _, _, seen, everyone, _ = plain
    room, ins, ana, _, seen_restart, = _play_room(tmp_path / "restart.sqlite3", restart_at=5)
    assert seen_restart == seen  # every turn's view, before and after the restart
    assert room.debrief(ins).summary() == everyone.summary()
    room.close()
    again = Classroom(tmp_path / "restart.sqlite3")  # and once more after the end
    assert again.debrief(ana).summary()["roles"]["DPRK"] == everyone.summary()["roles"]["DPRK"]


def _open(tmp_path, members=4):
    db = tmp_path / "c.sqlite3"
    room = Classroom(db)
    code, ins = room.open_room(EXERCISE, members=members, seed=1)
    ana = room.join(code, "DPRK", "Ana")
    ben = room.join(code, "CHN", "Ben")
    return db, room, code, ins, ana, ben


def test_a_seat_acts_only_for_its_own_role(tmp_path):
    db, room, code, ins, ana, _ = _open(tmp_path)
    snapshot = _dump(db)
    with pytest.raises(AccessDenied, match="plays DPRK; it cannot choose for CHN"):
        room.choose(ana, 0, "more_aid", role="CHN")
    with pytest.raises(GameError, match="DPRK has no move 'more_aid'"):
        room.choose(ana, 0, "more_aid")  # China's move is not the DPRK's
    with pytest.raises(GameError, match="launch_satellite is not possible now: needs space capability"):
        room.choose(ana, 0, "launch_satellite")
    for action in (lambda t: room.advance(t, 0), lambda t: room.release(t, "ceasefire_talks"), room.pause,
                   room.resume, room.end):
        with pytest.raises(AccessDenied, match="only the instructor"):
            action(ana)
    with pytest.raises(AccessDenied, match="instructor's token"):
        room.choose(ins, 0, "keep")
    for forged in ("not-a-token", ana[:-2] + "xx", "", None, ins.upper()):
        with pytest.raises(AccessDenied):
            room.choose(forged, 0, "keep")
        with pytest.raises(AccessDenied):
            room.advance(forged, 0)
        with pytest.raises(AccessDenied):
            room.view(forged)
    with pytest.raises(AccessDenied, match="no room has the code"):
        room.join("NOPE00", "DPRK", "Eve")
    with pytest.raises(PeninsulaError, match="not a role"):
        room.join(code, "USA", "Eve")
    with pytest.raises(PeninsulaError, match="name"):
        room.join(code, "DPRK", "   ")
    with pytest.raises(AccessDenied, match="only the instructor"):
        room.record(ana)
    assert _dump(db) == snapshot  # refused requests change nothing


def test_replayed_or_early_requests_are_refused_and_change_nothing(tmp_path):
    db, room, _, ins, ana, ben = _open(tmp_path)
    room.choose(ana, 0, "export_more")
    assert room.choose(ben, 0, "more_aid").resolved  # both roles chose: the turn resolves
    snapshot = _dump(db)
    with pytest.raises(StaleRequest, match="for turn 1, but the room is at turn 2 of 8"):
        room.choose(ana, 0, "export_more")  # the same request again
    with pytest.raises(StaleRequest):
        room.choose(ana, 0, "keep")
    with pytest.raises(StaleRequest):
        room.choose(ana, 2, "keep")  # a turn not yet open
    with pytest.raises(StaleRequest):
        room.choose(ana, "1", "keep")
    with pytest.raises(StaleRequest):
        room.advance(ins, 0)
    with pytest.raises(StaleRequest):
        room.release(ins, "ceasefire_talks", turn=0)
    with pytest.raises(GameError, match="no move"):
        room.choose(ana, 1, "conquer_the_world")
    with pytest.raises(GameError, match="not possible now"):
        room.choose(ana, 1, "recall_troops")  # no soldiers abroad yet
    with pytest.raises(GameError, match="comes on its own"):
        room.release(ins, "poor_harvest")
    assert _dump(db) == snapshot
    room.choose(ana, 1, "keep")
    with pytest.raises(StaleRequest, match="already chosen keep"):
        room.choose(ana, 1, "engage_us")
    room.release(ins, "rice_deal")
    with pytest.raises(StaleRequest, match="already released"):
        room.release(ins, "rice_deal")


def test_instructor_sees_who_has_moved_and_the_injects(tmp_path):
    _, room, code, ins, ana, ben = _open(tmp_path)
    room.choose(ana, 0, "keep")
    room.release(ins, "ceasefire_talks")
    iv = room.view(ins)
    assert isinstance(iv, InstructorView)
    assert iv.moved == {"DPRK": "Ana", "CHN": None} and iv.waiting == ("CHN",) and iv.untaken == ()
    assert iv.seats == (("Ana", "DPRK"), ("Ben", "CHN"))
    released = {i.id: i.released_turn for i in iv.injects}
    assert released == {"poor_harvest": None, "ceasefire_talks": 0, "rice_deal": None}
    assert set(iv.views) == {"DPRK", "CHN"} and iv.views["DPRK"].advice is not None
    assert room.view(ben).chosen is None and room.view(ana).chosen == "keep"
    seat = room.view(ana)  # the seat's moves say which are possible now, and why not; so does the advisor
    not_now = {o.name: o.reason for o in seat.options if o.possible == 0}
    assert "launch_satellite" in not_now and all(not_now.values())
    assert not_now == {o.option: o.reason for o in iv.views["DPRK"].advice.options if o.possible == 0}
    assert [b.name for b in seat.world.posture] == [i.indicator for i in ACTOR_CLASSES["DPRK"].instruments]
    lobby = room.lobby(code.lower())
    assert lobby.roles == {"DPRK": ("Ana",), "CHN": ("Ben",)} and lobby.turn == 0


def test_two_simultaneous_choices_for_one_seat_keep_exactly_one(tmp_path):
    db, setup, code, _, ana, ben = _open(tmp_path)
    mate = setup.join(code, "DPRK", "Ana's teammate")
    for turn in range(4):
        tokens = (ana, ana) if turn % 2 == 0 else (ana, mate)  # the same seat twice; two seats of one team
        options = ("court_china", "keep")  # possible in every turn
        barrier = threading.Barrier(2)
        results: list = [None, None]

        def worker(i, tokens=tokens, options=options, turn=turn, barrier=barrier, results=results):
            room = Classroom(db)  # its own instance and connections, as another server thread would have
            barrier.wait()
            try:
                results[i] = room.choose(tokens[i], turn, options[i])
            except StaleRequest as exc:
                results[i] = exc

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        acks = [r for r in results if isinstance(r, Ack)]
        refused = [r for r in results if isinstance(r, StaleRequest)]
        assert len(acks) == 1 and len(refused) == 1, results
        conn = sqlite3.connect(db)
        rows = conn.execute("SELECT option FROM choices WHERE role = 'DPRK' AND turn = ?", (turn,)).fetchall()
        assert rows == [(acks[0].option,)]
        with pytest.raises(sqlite3.IntegrityError):  # and the table itself would keep only one
            conn.execute("INSERT INTO choices (room_id, role, turn, option, seat_id) "
                         "SELECT room_id, role, turn, 'keep', seat_id FROM choices WHERE role = 'DPRK' AND turn = ?",
                         (turn,))
        conn.close()
        assert setup.choose(ben, turn, "keep").resolved


LAUNCH_SCENARIO = """\
extends: baseline
initial:
  DPRK.space_capability: 0.6
"""

LAUNCH_DRILL = """\
name: launch_drill
title: Launch drill
scenario: launch.yaml
roles: [DPRK, CHN]
turn_months: 3
turns: 2
briefings:
  DPRK: "You want a satellite in orbit, you fear a failure, and you can do a launch (s001-space-tech)."
  CHN: "You want a quiet buffer, you fear launches, and you can do little about them (s000-buffer)."
injects:
  - id: rocket_failure
    label: A rocket fails on the pad
    release: instructor
    set: {DPRK.space_capability: 0.1}
    claims: [s001-space-tech]
"""


def test_an_inject_that_rules_out_a_chosen_move_leaves_the_posture_kept(tmp_path):
    """A student chose a launch; then the instructor released an inject that makes it impossible in every world.

    The room still resolves and replays: the DPRK keeps its posture in that turn (the record keeps the choice)."""
    (tmp_path / "launch.yaml").write_text(LAUNCH_SCENARIO, encoding="utf-8")
    (tmp_path / "drill.yaml").write_text(LAUNCH_DRILL, encoding="utf-8")
    room = Classroom(tmp_path / "c.sqlite3")
    code, ins = room.open_room(load_exercise(tmp_path / "drill.yaml"), members=6, seed=2)
    ana, ben = room.join(code, "DPRK", "Ana"), room.join(code, "CHN", "Ben")
    assert room.choose(ana, 0, "launch_satellite") == Ack(0, "launch_satellite", False, "open")
    room.release(ins, "rocket_failure", turn=0)
    assert room.choose(ben, 0, "keep").resolved
    assert room.view(ana).turn == 1
    record = room.record(ins)
    assert record.choices == [{"DPRK": "launch_satellite", "CHN": "keep"}]
    game = Game.replay(record)
    res = game.results()
    assert (res.choices("DPRK")[:, 0] == "keep").all() and (res.reasons("DPRK")[:, :3] == "player").all()
    assert (res.indicator("DPRK.satellites_launched")[:, 1] == res.indicator("DPRK.satellites_launched")[:, 0]).all()
    assert game.debrief().roles["DPRK"].timeline[0].choice_share == 0
    with pytest.raises(GameError, match="launch_satellite is not possible now"):  # and now it is refused
        room.choose(ana, 1, "launch_satellite")


def test_private_briefings_stay_private(tmp_path):
    _, room, code, ins, ana, ben = _open(tmp_path)
    ex = load_exercise(EXERCISE)
    view = room.view(ana)
    assert view.briefing == ex.briefings["DPRK"]
    blob = json.dumps(dataclasses.asdict(view), default=str)
    assert ex.briefings["CHN"] not in blob and "You are China" not in blob
    assert "You are North Korea" not in json.dumps(dataclasses.asdict(room.view(ben)), default=str)
    lobby = json.dumps(dataclasses.asdict(room.lobby(code)), default=str)
    assert "You are China" not in lobby and "You are North Korea" not in lobby
    assert room.view(ins).briefings == ex.briefings


def test_pause_resume_end_and_the_debrief(tmp_path):
    _, room, code, ins, ana, _ = _open(tmp_path)
    with pytest.raises(WrongState, match="when the game ends"):
        room.debrief(ana)
    room.pause(ins)
    with pytest.raises(WrongState, match="paused"):
        room.choose(ana, 0, "keep")
    with pytest.raises(WrongState, match="paused"):
        room.advance(ins, 0)
    with pytest.raises(WrongState):
        room.pause(ins)
    room.release(ins, "ceasefire_talks")  # allowed while paused
    room.resume(ins)
    room.choose(ana, 0, "keep")
    room.advance(ins, 0)
    room.end(ins)
    view = room.view(ana)
    assert view.status == "ended" and view.debrief_ready and view.months == "game over"
    with pytest.raises(WrongState):
        room.choose(ana, 1, "keep")
    with pytest.raises(WrongState):
        room.join(code, "CHN", "Late")
    with pytest.raises(WrongState):
        room.end(ins)
    d = room.debrief(ana)
    assert list(d.roles) == ["DPRK"] and d.turns_played == 1 and not d.finished
    assert set(room.debrief(ins).roles) == {"DPRK", "CHN"}
    assert room.record(ins).choices == [{"DPRK": "keep", "CHN": None}]
    page = d.to_html()  # a student's report: no record, no other role's briefing
    assert "You are China" not in page and "Game record" not in page
    assert d.exercise.briefings == {"DPRK": load_exercise(EXERCISE).briefings["DPRK"]}
    assert "Game record" in room.debrief(ins).to_html()

    _, empty_ins = room.open_room(EXERCISE, members=2)
    room.end(empty_ins)
    with pytest.raises(WrongState, match="nothing to debrief"):
        room.debrief(empty_ins)


def test_database_file_wal_hashed_tokens_and_env_default(tmp_path, monkeypatch):
    db, _, _, ins, ana, ben = _open(tmp_path)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    hashes = {r[0] for r in conn.execute("SELECT token_hash FROM seats")}
    assert hashes == {hashlib.sha256(t.encode()).hexdigest() for t in (ana, ben)}
    conn.close()
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("c.sqlite3"))
    for token in (ins, ana, ben):
        assert token.encode() not in stored
    monkeypatch.setenv(DB_ENV, str(tmp_path / "env" / "room.sqlite3"))
    assert Classroom().path == tmp_path / "env" / "room.sqlite3"
    assert (tmp_path / "env" / "room.sqlite3").is_file()


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path):
    bad = tmp_path / "notes.sqlite3"
    bad.write_text("these are not the tables you are looking for\n" * 100, encoding="utf-8")
    with pytest.raises(PeninsulaError, match="cannot open the classroom database"):
        Classroom(bad)
    with pytest.raises(PeninsulaError, match="is a folder"):
        Classroom(tmp_path)
