"""Hostile classmates: what a user types, uploads or links never breaks out of its place.

1. The Results page opens only run folders under ``runs/`` (``dashboard.data.runs_dir``):
   another absolute path, ``../`` or a symlink out of it gets one message, the same whether
   the path exists or not.
2. What students type (their names; a room's code in a link) reaches classmates and the
   instructor as plain text: never Markdown, HTML, an image or a link.
3. A room has a fixed number of seats per role (``open_room(..., seats_per_role=N)``, default
   :data:`sim.game.classroom.SEATS_PER_ROLE`); a full role refuses a newcomer, naming the role;
   a turn resolves when every seated role has chosen, or when the instructor advances it; the
   database file is private (0600) and a folder made for it too (0700).
4. A mistake (a bad upload, a broken or missing run folder, a database that is not one, is
   locked or belongs to something else) is a message on the page, never a traceback.
"""

from __future__ import annotations

import html
import os
import re
import sqlite3
import stat
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

import sim
from sim.errors import PeninsulaError
from sim.game.classroom import DB_ENV, Classroom

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
EXERCISE = "pyongyang_bargain"
MEMBERS = 12
TIMEOUT_ENV = "PENINSULA_DB_TIMEOUT"

IMAGE = "![x](http://example.invalid/a.png)"
SCRIPT = "<script>alert(1)</script>"
BOLD = "**bold**"
HOSTILE = (IMAGE, SCRIPT, BOLD)
_MARKERS = re.compile(r"example\.invalid|alert\(1\)|bold", re.IGNORECASE)
_MD = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


# -- helpers -------------------------------------------------------------------------------------------------
def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def page(path: str, timeout: float = 60, **query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    at.run()
    at.switch_page(path)
    at.query_params.update(query)
    return at.run()


def param(at: AppTest, name: str) -> str | None:
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


_MARKDOWN_ELEMENTS = {"markdown", "caption", "title", "header", "subheader", "error", "warning", "info",
                      "success", "toast", "exception"}
_PLAIN_ELEMENTS = {"text", "code", "dataframe", "json"}


def shown(at: AppTest) -> tuple[list[str], list[str]]:
    """(strings the browser renders as Markdown, strings it shows as plain text) on the page, everywhere."""
    markdown: list[str] = []
    plain: list[str] = []

    def walk(node) -> None:
        kind = getattr(node, "type", "")
        children = getattr(node, "children", None)
        if children is not None:  # a block: expanders, tabs and popovers have Markdown labels
            label = getattr(getattr(node, "proto", None), kind, None) if kind else None
            if label is not None and getattr(label, "label", ""):
                markdown.append(label.label)
            for child in children.values():
                walk(child)
            return
        if kind in _MARKDOWN_ELEMENTS:
            markdown.append(str(node.value))
        elif kind in _PLAIN_ELEMENTS:
            plain.append(str(node.value))
        elif kind == "radio":  # a radio's label, options and captions are Markdown
            markdown.extend([node.label, *node.options, *node.proto.captions])
        elif kind == "table":  # st.table renders each cell as Markdown
            frame = node.value
            markdown.extend(str(v) for v in [*frame.index, *frame.columns, *frame.to_numpy().ravel()])
        elif kind == "metric":
            markdown.append(node.label)
            plain.append(str(node.value))
        elif kind in ("button", "download_button", "popover"):
            markdown.append(getattr(node, "label", ""))
        elif kind in ("selectbox", "text_input", "number_input"):
            plain.extend([getattr(node, "label", ""), *(str(o) for o in getattr(node, "options", []))])

    walk(at._tree)
    return markdown, plain


def rendered_text(markdown: str) -> tuple[str, str]:
    """(HTML, visible text) of a Markdown string as a CommonMark renderer with raw HTML on draws it."""
    out = _MD.render(markdown)
    return out, html.unescape(re.sub(r"<[^>]+>", "", out))


def assert_plain(at: AppTest, names: tuple[str, ...]) -> str:
    """No string on the page renders a hostile name as an image, a link, a script or bold; returns what is seen."""
    markdown, plain = shown(at)
    seen = list(plain)
    for body in markdown:
        out, visible = rendered_text(body)
        seen.append(visible)
        if not _MARKERS.search(body):
            continue
        assert "<img" not in out and "<a " not in out and "<script" not in out, (body, out)
        assert "<strong>bold</strong>" not in out and "<em>bold</em>" not in out, (body, out)
    everything = "\n".join(seen)
    for name in names:
        assert name in everything, f"{name!r} is not shown as written"
    return everything


# -- 1. Results: only runs under runs/ ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def saved_run(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("saved") / "run"
    sim.run("baseline", members=8, seed=5).save(folder)
    return folder


@pytest.fixture
def workdir(tmp_path, monkeypatch, saved_run) -> Path:
    """The folder the dashboard runs in: runs/good (a run), runs/escape (a symlink to a run outside)."""
    import shutil

    work = tmp_path / "work"
    (work / "runs").mkdir(parents=True)
    shutil.copytree(saved_run, work / "runs" / "good")
    shutil.copytree(saved_run, tmp_path / "outside" / "run")
    os.symlink(tmp_path / "outside" / "run", work / "runs" / "escape")
    os.symlink(tmp_path / "outside", work / "runs" / "escape_dir")
    monkeypatch.chdir(work)
    return work


def _results(**query: str) -> AppTest:
    return ok(page("views/results.py", **query))


def _opened(at: AppTest) -> bool:
    return any(m.label == "Members" for m in at.metric)


def test_results_opens_only_run_folders_under_runs(workdir, tmp_path):
    # inside runs/: by name, relative path, absolute path, query parameter or the text input
    for ref in ("runs/good", str(workdir / "runs" / "good"), "good", "runs/./good"):
        at = _results(run=ref)
        assert _opened(at) and not at.error, ref
    # outside: an absolute path elsewhere (a real run, a folder, nothing at all), ../, symlinks out
    outside = [str(tmp_path / "outside" / "run"), "../outside/run", "runs/../../outside/run", "runs/escape",
               "runs/escape_dir/run", str(tmp_path / "no" / "such" / "run"), "../nothing", "/etc", "/",
               "runs/escape/../good", "runs/\x00good", "./runs/../../outside/run"]
    messages = set()
    for ref in outside:
        at = _results(run=ref)
        assert not _opened(at), ref
        assert len(at.error) == 1, ref
        messages.add(at.error[0].value)
    # one message for all of them: it does not tell whether the path exists
    assert len(messages) == 1, "\n".join(sorted(messages))
    (message,) = messages
    assert "runs" in message and "outside" not in message and "no such" not in message.lower()
    # a name is a folder under runs/, even one that looks like a path elsewhere
    at = _results(run="~/runs")
    assert not _opened(at) and "There is no run folder" in texts(at.error) and "under runs/" in texts(at.error)
    # the text input is held to the same rule
    at = _results()
    at.text_input(key="run").input(str(tmp_path / "outside" / "run")).run()
    assert not _opened(ok(at)) and texts(at.error) == message
    at.text_input(key="run").input("runs/good").run()
    assert _opened(ok(at)) and not at.error
    # the list of runs found does not offer the symlink out of runs/
    assert all("escape" not in o for o in at.selectbox(key="results_found").options)


# -- 2. names and codes are plain text ----------------------------------------------------------------------
@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "classroom.sqlite3"
    monkeypatch.setenv(DB_ENV, str(path))
    monkeypatch.delenv(TIMEOUT_ENV, raising=False)
    return path


def test_hostile_names_reach_classmates_and_the_instructor_as_plain_text(db):
    room = Classroom(db)
    code, ins = room.open_room(EXERCISE, members=MEMBERS, seed=3)
    image = room.join(code, "DPRK", IMAGE)
    script = room.join(code, "DPRK", SCRIPT)
    bold = room.join(code, "CHN", BOLD)

    # the join page: who sits where, in the role picker
    join = ok(page("views/classroom.py", code=code))
    assert_plain(join, HOSTILE)
    # each student's page: their own name and their teammates'
    for token, names in ((image, (IMAGE, SCRIPT)), (script, (SCRIPT, IMAGE)), (bold, (BOLD,))):
        assert_plain(ok(page("views/classroom.py", token=token)), names)
    # a teammate's late choice is refused with a message that names who chose: plain text too
    late = ok(page("views/classroom.py", token=script))
    late.radio(key="cls_option_0").set_value("export_more").run()
    room.choose(image, 0, "keep")  # meanwhile, the teammate chooses
    late.button(key="cls_choose").click().run()
    assert "a choice is final" in texts(ok(late).error)
    assert_plain(late, (IMAGE,))
    # the instructor: the seats table, who has moved
    teacher = ok(page("views/classroom.py", token=ins))
    seen = assert_plain(teacher, HOSTILE)
    assert f"moved ({IMAGE})" in seen


def test_a_hostile_room_code_in_a_link_is_plain_text(db):
    at = ok(page("views/classroom.py", code=IMAGE))
    assert "no room has the code" in texts(at.error)
    assert_plain(at, (IMAGE.upper(),))
    at = ok(page("views/classroom.py", code=SCRIPT + BOLD))
    assert_plain(at, ((SCRIPT + BOLD).upper(),))


# -- 3. seats, turns, a private file ---------------------------------------------------------------------------
def test_a_full_role_refuses_a_newcomer_naming_the_role(db):
    from sim.game.classroom import SEATS_PER_ROLE, RoleFull

    room = Classroom(db)
    code, ins = room.open_room(EXERCISE, members=MEMBERS, seed=3, seats_per_role=1)
    assert room.lobby(code).seats_per_role == 1
    room.join(code, "DPRK", "Ana")
    with pytest.raises(RoleFull, match=r"North Korea \(DPRK\) is full"):
        room.join(code, "DPRK", "Mallory")
    assert room.lobby(code).roles["DPRK"] == ("Ana",)  # nothing changed
    room.join(code, "CHN", "Ben")
    # the default: SEATS_PER_ROLE seats on a role, a team
    code2, _ = room.open_room(EXERCISE, members=MEMBERS, seed=3)
    assert room.lobby(code2).seats_per_role == SEATS_PER_ROLE
    for i in range(SEATS_PER_ROLE):
        room.join(code2, "CHN", f"Student {i}")
    with pytest.raises(RoleFull, match=r"China \(CHN\) is full"):
        room.join(code2, "CHN", "One too many")
    for bad in (0, -1, 1000, 2.5, "3", True):
        with pytest.raises(PeninsulaError, match="seats"):
            room.open_room(EXERCISE, members=MEMBERS, seed=3, seats_per_role=bad)
    # on the join page: the full role says so, and taking it is refused with the role's name
    at = ok(page("views/classroom.py", code=code))
    assert any("full" in o and "DPRK" in o for o in at.radio(key="cls_role").options)
    at.text_input(key="cls_name").input("Mallory")
    at.radio(key="cls_role").set_value("DPRK")
    at.button(key="cls_join").click().run()
    assert "North Korea (DPRK) is full" in texts(ok(at).error) and param(at, "token") is None
    # the instructor sets the seats when opening a room
    at = ok(page("views/classroom.py"))
    at.selectbox(key="cls_exercise").set_value(EXERCISE).run()
    at.number_input(key="cls_members").set_value(MEMBERS).run()
    at.number_input(key="cls_seats").set_value(2).run()
    at.button(key="cls_open").click().run()
    opened = next(m.value for m in ok(at).metric if m.label == "Join code")
    assert room.lobby(opened).seats_per_role == 2


def test_a_turn_resolves_when_every_seated_role_has_chosen_or_the_instructor_advances(db):
    room = Classroom(db)
    code, ins = room.open_room(EXERCISE, members=MEMBERS, seed=3, seats_per_role=2)
    ana = room.join(code, "DPRK", "Ana")
    ack = room.choose(ana, 0, "keep")  # the only seated role has chosen: the turn resolves
    assert ack.resolved and room.view(ins).turn == 1
    ben = room.join(code, "CHN", "Ben")  # a second role sits down: now both must choose
    cleo = room.join(code, "CHN", "Cleo")
    assert not room.choose(ana, 1, "keep").resolved
    assert room.view(ins).turn == 1 and room.view(ins).waiting == ("CHN",)
    assert room.choose(cleo, 1, "keep").resolved  # one seat of a team answers for its role
    with pytest.raises(PeninsulaError):
        room.choose(ben, 1, "more_aid")  # the turn has moved on
    assert room.view(ins).turn == 2
    assert not room.choose(ben, 2, "more_aid").resolved  # DPRK has not chosen
    assert room.advance(ins, 2).resolved and room.view(ins).turn == 3  # the instructor does not wait


def test_the_database_and_its_new_folders_are_private(tmp_path):
    old = os.umask(0o022)
    try:
        there = tmp_path / "there"
        there.mkdir()
        there.chmod(0o755)
        path = there / "made" / "by" / "us" / "classroom.sqlite3"
        room = Classroom(path)
        code, _ = room.open_room(EXERCISE, members=MEMBERS, seed=3)
        room.join(code, "DPRK", "Ana")
        files = sorted(p.name for p in path.parent.glob("classroom.sqlite3*"))
        assert files[0] == "classroom.sqlite3"
        for p in path.parent.glob("classroom.sqlite3*"):  # the file, and SQLite's -wal and -shm beside it
            assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
        for folder in (there / "made", there / "made" / "by", there / "made" / "by" / "us"):
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
        assert stat.S_IMODE(there.stat().st_mode) == 0o755  # a folder that was there is left alone
    finally:
        os.umask(old)


def test_a_schema_1_database_gets_its_seats_and_keeps_its_rooms(tmp_path):
    path = tmp_path / "old.sqlite3"
    room = Classroom(path)
    code, ins = room.open_room(EXERCISE, members=MEMBERS, seed=3)
    ana = room.join(code, "DPRK", "Ana")
    room.close()
    conn = sqlite3.connect(path)  # back to schema 1: no seats_per_role
    conn.execute("ALTER TABLE rooms DROP COLUMN seats_per_role")
    conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
    conn.commit()
    conn.close()
    again = Classroom(path)
    assert again.view(ana).name == "Ana"
    from sim.game.classroom import SCHEMA_VERSION, SEATS_PER_ROLE

    assert again.lobby(code).seats_per_role == SEATS_PER_ROLE
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0] == str(SCHEMA_VERSION)
    conn.close()


# -- 4. a mistake is a message, not a traceback -------------------------------------------------------------------
def _explore() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update({"members": "20"})
    return ok(at.run())


@pytest.mark.parametrize("name, text", [
    ("deep.yaml", "name: deep\nparams: " + "[" * 3000 + "]" * 3000 + "\n"),
    ("date.yaml", "name: date\nextends: baseline\nstart: 2024-13-01\n"),
    ("surrogate.yaml", 'name: surrogate\nextends: baseline\ntitle: "\\ud800"\n'),
    ("latin1.yaml", "name: caf\xe9\n"),
])
def test_a_hostile_upload_is_a_message_and_the_app_keeps_working(name, text):
    at = _explore()
    data = text.encode("latin-1") if name == "latin1.yaml" else text.encode("utf-8")
    at.file_uploader(key="upload").upload(name, data, "application/x-yaml").run()
    ok(at)
    assert name in texts(at.error) and "Showing the bundled scenario" in texts(at.error)
    assert at.title[0].value.startswith("Baseline") and len(at.metric) == 6


def test_an_upload_extends_only_a_bundled_scenario(tmp_path):
    # another file on the server must not be read through an upload's extends:
    secret = tmp_path / "secret.yaml"
    secret.write_text("name: secret\nextends: baseline\nparams:\n  war_intensity_target: 0.1\n", encoding="utf-8")
    errors = []
    for target in (str(secret), str(tmp_path / "missing.yaml"), "../../../../" + str(secret).lstrip("/")):
        at = _explore()
        text = f"name: up\ntitle: Up\nextends: {target}\n"
        at.file_uploader(key="upload").upload("up.yaml", text.encode(), "application/x-yaml").run()
        ok(at)
        assert at.title[0].value.startswith("Baseline"), target  # the upload was not used
        assert "extends" in texts(at.error)
        errors.append(texts(at.error).replace(target, "<target>"))
    assert errors[0] == errors[1], errors  # the same words whether the file exists or not
    # a bundled scenario is fine
    at = _explore()
    at.file_uploader(key="upload").upload("up.yaml", b"name: up\ntitle: Up\nextends: baseline\n",
                                          "application/x-yaml").run()
    assert ok(at).title[0].value == "Up" and not at.error


def test_a_broken_or_missing_run_folder_is_a_message(workdir):
    (workdir / "runs" / "listy").mkdir()
    (workdir / "runs" / "listy" / "manifest.json").write_text("[]", encoding="utf-8")
    (workdir / "runs" / "outputs").mkdir()
    (workdir / "runs" / "outputs" / "manifest.json").write_text('{"outputs": []}', encoding="utf-8")
    (workdir / "runs" / "binary").mkdir()
    (workdir / "runs" / "binary" / "manifest.json").write_bytes(b"\xff\xfe\x00garbage")
    for ref, words in (("runs/listy", "manifest"), ("runs/outputs", "manifest"), ("runs/binary", "manifest"),
                       ("runs/gone", "no run folder"), ("runs/good/results.parquet", "not a Peninsula run folder")):
        at = _results(run=ref)
        assert not _opened(at), ref
        assert words in texts(at.error), (ref, texts(at.error))


@pytest.fixture
def quick_db(db, monkeypatch) -> Path:
    monkeypatch.setenv(TIMEOUT_ENV, "0.3")
    return db


def test_a_file_that_is_not_a_classroom_database_is_a_message(quick_db):
    quick_db.write_bytes(b"not a database\n" * 200)
    at = ok(page("views/classroom.py", timeout=20))
    assert "cannot be opened" in texts(at.error) and "not a database" in texts(at.error)


def test_a_database_with_a_damaged_schema_mark_is_a_message(quick_db):
    conn = sqlite3.connect(quick_db)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute("INSERT INTO meta VALUES ('schema', 'banana')")
    conn.commit()
    conn.close()
    at = ok(page("views/classroom.py", timeout=20))
    assert "cannot be opened" in texts(at.error) and "schema" in texts(at.error)


def test_another_programs_database_is_a_message(quick_db):
    conn = sqlite3.connect(quick_db)  # someone else's rooms table
    conn.execute("CREATE TABLE rooms (id INTEGER PRIMARY KEY, building TEXT)")
    conn.commit()
    conn.close()
    at = page("views/classroom.py", timeout=20)
    if not at.error:  # opened: then opening a room must say what is wrong
        at.selectbox(key="cls_exercise").set_value(EXERCISE).run()
        at.number_input(key="cls_members").set_value(MEMBERS).run()
        at.button(key="cls_open").click().run()
    assert "classroom database" in texts(ok(at).error)


def test_a_locked_database_is_a_message(quick_db):
    # a brand-new page while another program holds the file exclusively
    conn = sqlite3.connect(quick_db, isolation_level=None)
    conn.execute("CREATE TABLE other (x)")
    conn.execute("BEGIN EXCLUSIVE")
    try:
        at = ok(page("views/classroom.py", timeout=20))
        assert "locked" in texts(at.error)
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def test_a_database_locked_mid_game_is_a_message(quick_db):
    room = Classroom(quick_db)
    code, ins = room.open_room(EXERCISE, members=MEMBERS, seed=3)
    room.join(code, "DPRK", "Ana")
    teacher = ok(page("views/classroom.py", timeout=20, token=ins))
    join = ok(page("views/classroom.py", timeout=20, code=code))
    conn = sqlite3.connect(quick_db, isolation_level=None, timeout=5)
    conn.execute("BEGIN EXCLUSIVE")
    try:
        teacher.button(key="cls_advance").click().run()
        assert "locked" in texts(ok(teacher).error)
        join.text_input(key="cls_name").input("Ben")
        join.radio(key="cls_role").set_value("CHN")
        join.button(key="cls_join").click().run()
        assert "locked" in texts(ok(join).error) and param(join, "token") is None
    finally:
        conn.execute("ROLLBACK")
        conn.close()
    teacher.button(key="cls_advance").click().run()  # and once it is free again, things go on
    assert "Turn 1 resolved." in texts(ok(teacher).success)
