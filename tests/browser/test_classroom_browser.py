"""A classroom in real browsers: an instructor and two students play two turns, with a server restart between them.

Each person has their own browser context (own cookies, own Streamlit session). The server
is ``streamlit run dashboard/app.py`` with ``PENINSULA_DB`` set to a temporary file; between
the turns it is stopped and a new one is started on the same port and database, and every
page reloads its own URL: the token in it brings each person back to their seat. Screenshots
of every page after the restart and at the debrief go to ``test-artifacts/classroom-*.png``.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect
from explore_page import VIEWPORT, full_screenshot, settle  # tests/browser/: on sys.path for the conftest
from streamlit_server import StreamlitServer

from sim.game.classroom import DB_ENV, Classroom



@pytest.fixture
def server(chromium_path, artifacts, tmp_path):
    """The dashboard with ``PENINSULA_DB`` in a temporary folder; ``stop()`` and ``start()`` restart it on its port."""
    srv = StreamlitServer(artifacts / "classroom-server.log", env={DB_ENV: str(tmp_path / "classroom.sqlite3")})
    srv.log_path.write_text("")
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


def shoot(page, path: Path) -> None:
    """A screenshot of the whole page, once the app is idle."""
    settle(page)
    full_screenshot(page, path)


def new_page(chromium):
    page = chromium.new_context(viewport=VIEWPORT).new_page()
    page.set_default_timeout(60_000)
    return page


def no_errors(page) -> None:
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_test_id("stAlertContentError").count() == 0


def join(chromium, url: str, code: str, name: str, role: str):
    page = new_page(chromium)
    page.goto(f"{url}/classroom?code={code}", wait_until="domcontentloaded")
    page.get_by_role("heading", name="Join: Beijing's dilemma").wait_for()
    settle(page)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Your name").press("Enter")
    settle(page)
    page.get_by_test_id("stRadioGroup").get_by_text(role).click()
    settle(page)
    page.get_by_role("button", name="Take the seat").click()
    page.get_by_text("Your move for turn 1").wait_for()
    assert "token=" in page.url and "code=" not in page.url
    page.get_by_text(f"as {name}").first.wait_for()
    return page


def choose(page, option: str, turn: int) -> None:
    """Pick a move (its radio label, e.g. "2. squeeze trade") and send it."""
    page.get_by_text(f"Your move for turn {turn}").wait_for()
    page.get_by_test_id("stRadioGroup").get_by_text(option).click()
    settle(page)
    page.get_by_role("button", name=re.compile(r"^Choose ")).click()
    page.get_by_text("this turn. Waiting for the other states").wait_for()


def join_code(page):
    """The value of the instructor's "Join code" metric (not just the page's first metric: the page also shows
    each state's interests as metrics)."""
    return page.get_by_test_id("stMetric").filter(has_text="Join code").get_by_test_id("stMetricValue")


def token_of(page) -> str:
    return parse_qs(urlparse(page.url).query)["token"][0]


def test_two_turns_with_a_server_restart_between_them(chromium, server, artifacts):
    url = server.url
    # the instructor opens a room (the first bundled exercise: Beijing's dilemma, China or Russia)
    ins = new_page(chromium)
    ins.goto(f"{url}/classroom", wait_until="domcontentloaded")
    ins.get_by_role("heading", name="Open a room (instructor)").wait_for()
    settle(ins)
    ins.get_by_role("button", name="Open a room").click()
    ins.get_by_role("heading", name="Beijing's dilemma: instructor").wait_for()
    settle(ins)
    code = join_code(ins).inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{6}", code)
    assert ins.get_by_text(f"{url}/classroom?code={code}").count() == 1  # the join link to hand out
    ins_token = token_of(ins)

    # two students join with the code, from their own browsers
    ana = join(chromium, url, code, "Ana", "China (CHN)")
    ben = join(chromium, url, code, "Ben", "Russia (RUS)")
    assert ana.get_by_text("You are China").count() == 1 and ana.get_by_text("You are Russia").count() == 0
    assert ben.get_by_text("You are Russia").count() == 1 and ben.get_by_text("You are China").count() == 0
    pages = {"instructor": ins, "ana": ana, "ben": ben}

    # turn 1: Ana chooses; the instructor's page shows it by itself (it checks the room every few seconds)
    choose(ana, "2. squeeze trade", 1)
    ins.get_by_role("cell", name="moved (Ana)").wait_for()
    assert ins.get_by_role("cell", name="waiting").count() == 1
    # Ben chooses: every state with a student has chosen, the turn resolves, and every page moves on
    choose_ben = ben.get_by_test_id("stRadioGroup").get_by_text("2. buy more")
    choose_ben.click()
    settle(ben)
    ben.get_by_role("button", name="Choose buy more").click()
    ben.get_by_text("Your move for turn 2").wait_for()
    ana.get_by_text("Your move for turn 2").wait_for()
    ins.get_by_role("heading", name="Who has moved in turn 2").wait_for()
    for page in pages.values():
        no_errors(page)

    # the server restarts on the same database; each page reloads its own URL and finds its seat again
    server.stop()
    server.start()
    for page in pages.values():
        page.reload(wait_until="domcontentloaded")
    ins.get_by_role("heading", name="Who has moved in turn 2").wait_for()
    expect(join_code(ins)).to_have_text(code, timeout=60_000)
    for page, name, title in ((ana, "Ana", "China"), (ben, "Ben", "Russia")):
        page.get_by_text("Your move for turn 2").wait_for()
        page.get_by_text(f"as {name}").first.wait_for()
        assert page.get_by_text(f"You are {title}").count() == 1
    ana.locator("li").filter(has_text="You (China): squeeze trade").wait_for()  # her last move, remembered
    ben.locator("li").filter(has_text="You (Russia): buy more").wait_for()
    for name, page in pages.items():
        settle(page)
        no_errors(page)
        shoot(page, artifacts / f"classroom-after-restart-{name}.png")

    # turn 2: Ana chooses, Ben does not; the instructor advances and Russia plays by the model's rule
    choose(ana, "4. more aid", 2)
    ins.get_by_role("cell", name="moved (Ana)").wait_for()
    ins.get_by_role("button", name="Advance: resolve turn 2").click()
    ins.get_by_text("Turn 2 resolved.").wait_for()
    ins.get_by_role("heading", name="Who has moved in turn 3").wait_for()
    ben.get_by_text("Your move for turn 3").wait_for()
    ben.locator("li").filter(has_text="You (Russia): the model's rule chose for you").wait_for()
    ana.get_by_text("Your move for turn 3").wait_for()

    # the instructor ends the game: the debrief opens for everyone
    ins.get_by_role("button", name="End the game").click()
    ins.get_by_role("button", name="End the game now").click()
    for page in pages.values():
        page.get_by_role("heading", name="Debrief", exact=True).wait_for()
        page.get_by_text(re.compile(r"\d+% of worlds")).first.wait_for()
        page.get_by_role("button", name="Report (HTML)").wait_for()
    assert ana.get_by_role("tab").filter(has_text="Russia (RUS)").count() == 0  # a student's debrief is their own
    ins.get_by_role("tab", name="Russia (RUS)").wait_for()
    for name, page in pages.items():
        no_errors(page)
        shoot(page, artifacts / f"classroom-debrief-{name}.png")

    # what the database holds: both turns, as played across the restart
    record = Classroom(server.env[DB_ENV]).record(ins_token)
    assert record.choices == [{"CHN": "squeeze_trade", "RUS": "buy_more"}, {"CHN": "more_aid", "RUS": None}]
    for page in pages.values():
        page.context.close()
