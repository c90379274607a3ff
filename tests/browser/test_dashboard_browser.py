"""The dashboard in a real Chromium: levers move charts and show the model's numbers, every page renders, screenshots.

Screenshots go to ``test-artifacts/`` (git-ignored). How long a redraw takes after a lever
move is not tested here: ``bench/redraw.py`` measures it (best, median and worst over many
moves, with the load average).
"""

from __future__ import annotations

import os
import re
import shutil
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from explore_page import (  # tests/browser/, on sys.path
    CHART, METRICS, WEBSOCKET_LOG, full_screenshot, metrics_text, open_explore, press_and_time, settle)

import sim
from streamlit_server import ROOT  # tests/browser/, on sys.path

WAR_LABEL = "Intensity the war in Ukraine heads to"


def test_moving_a_lever_redraws_the_charts_and_the_link_keeps_it(browser_page, dashboard_url, artifacts):
    page = browser_page
    open_explore(page, dashboard_url, "?members=100")
    slider = page.get_by_role("slider", name=WAR_LABEL)
    assert slider.input_value() == "0.8"
    before = metrics_text(page)
    assert "RUS paid to DPRK" in before and "$" in before
    slider.focus()
    press_and_time(page, "Home")  # the war heads to 0; returns once the metrics and the chart show new values
    assert slider.input_value() == "0"
    after = metrics_text(page)
    assert after != before
    paid = page.locator(METRICS).filter(has_text="RUS paid to DPRK")
    assert "-$" in paid.inner_text()  # the change from the scenario's own setting
    query = parse_qs(urlparse(page.url).query)
    assert query["params.war_intensity_target"] == ["0"] and query["members"] == ["100"]
    page.screenshot(path=str(artifacts / "explore-war-lever-at-0.png"))

    # a link reproduces the view: a new session on the same URL shows the same numbers
    other = page.context.browser.new_page(viewport=page.viewport_size)
    try:
        open_explore(other, dashboard_url, "?" + urlparse(page.url).query)
        assert other.get_by_role("slider", name=WAR_LABEL).input_value() == "0"
        assert metrics_text(other) == after
    finally:
        other.close()

    # and back: the scenario's own numbers again (from the cache), and a clean link
    slider.focus()
    press_and_time(page, "End")
    assert slider.input_value() == "1"
    for _ in range(4):
        page.keyboard.press("ArrowLeft")
    page.wait_for_function("(want) => !document.querySelector('[data-testid=\"stStatusWidget\"]') && "
                           f"Array.from(document.querySelectorAll('{METRICS}')).map(e => e.innerText).join('|') "
                           "=== want", arg=before, polling="raf")
    assert slider.input_value() == "0.8"
    assert "params.war_intensity_target" not in parse_qs(urlparse(page.url).query)


CHART_FITS = f"""() => {{
    const c = document.querySelector('{CHART}'), svg = c && c.querySelector('.main-svg');
    return !!svg && Math.abs(svg.getBoundingClientRect().width - c.getBoundingClientRect().width) < 1
        && !document.querySelector('[data-testid="stStatusWidget"]');
}}"""


def test_the_chart_fits_its_container_after_a_resize_and_the_width_probe_settles(browser_page, dashboard_url):
    """The chart has its container's width, also after a resize; the width probe (ui.chart_width) that reports
    the width to the server causes one run at most, never one run after another."""
    page = browser_page
    page.context.add_init_script(WEBSOCKET_LOG)
    open_explore(page, dashboard_url, "?members=100")
    for width in (1100, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_function(CHART_FITS, polling="raf")
        settle(page)
        assert page.evaluate(CHART_FITS)
        # the width is reported once: no run follows another
        sent = page.evaluate("() => window.__wsLog.length")
        page.wait_for_timeout(1500)
        assert page.evaluate("() => window.__wsLog.length") == sent


PAGES = [("explore", "/?members=100"), ("compare", "/compare"), ("results", "/results?run={run}"),
         ("evidence", "/evidence"), ("expectations", "/expectations")]


@pytest.fixture(scope="module")
def saved_run():
    """A run saved under runs/ of the folder the server runs in (the checkout): the Results page opens
    only folders there."""
    path = ROOT / "runs" / f"browser-test-{os.getpid()}"
    sim.run("baseline", members=100, seed=42).save(path)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.parametrize("name, path", PAGES, ids=[p[0] for p in PAGES])
def test_every_page_renders(browser_page, dashboard_url, artifacts, saved_run, name, path):
    page = browser_page
    page.goto(dashboard_url + path.format(run=saved_run), wait_until="domcontentloaded")
    page.get_by_role("heading", level=1).first.wait_for()
    if name in ("explore", "compare", "results"):
        page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
    settle(page)
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_test_id("stAlertContentError").count() == 0
    # a direct link opens the page inside the app: top navigation, wide layout
    assert page.get_by_test_id("stTopNavLink").count() == 6 and page.get_by_test_id("stSidebarNav").count() == 0
    assert page.get_by_test_id("stMainBlockContainer").bounding_box()["width"] > 1000
    if name == "evidence":
        assert page.locator("mark").count() > 5
    if name == "expectations":
        assert page.get_by_test_id("stDataFrame").count() == 1
    page.screenshot(path=str(artifacts / f"page-{name}.png"))
    full_screenshot(page, artifacts / f"page-{name}-full.png")


def test_every_view_of_explore_renders(browser_page, dashboard_url, artifacts):
    page = browser_page
    open_explore(page, dashboard_url, "?members=100")
    dates = sim.load_scenario("baseline").dates()
    for view in ("Choices", "Relations", "What happened"):
        page.get_by_role("tab", name=view).click()
        if view == "What happened":
            # "only moves" is on: changes of posture and acts, in words
            page.get_by_text(re.compile(r"stepped up its|scaled back its|chose to")).first.wait_for()
        elif view == "Choices":
            page.get_by_text("Postures:").first.wait_for()
            page.locator('[data-testid="stPlotlyChart"] .main-svg').nth(1).wait_for()  # postures and moves
        else:
            page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
        settle(page)
        assert page.get_by_test_id("stException").count() == 0
        page.screenshot(path=str(artifacts / f"explore-{view.lower().replace(' ', '-')}.png"))
        if view == "Choices":
            assert page.get_by_test_id("stPlotlyChart").count() == 2
            # every instrument's panel, and a moves panel per actor that says in how many months it reviewed
            for a in sim.ACTORS:
                page.get_by_text(re.compile(rf"{sim.indicators.ACTOR_NAMES[a]} · % of worlds making each move\s*"
                                            rf"reviews in \d+ of {len(dates) - 1} months")).first.wait_for()
            full_screenshot(page, artifacts / "explore-choices-full.png")
    # the relations network follows its month slider
    page.get_by_role("tab", name="Relations").click()
    page.get_by_text(f"Relations in {dates[-1]}").first.wait_for()
    month = page.get_by_role("slider", name="Month")
    month.focus()
    page.keyboard.press("Home")
    page.get_by_text(f"Relations in {dates[0]}").first.wait_for()


def test_the_evidence_page_lists_the_actors_moves(browser_page, dashboard_url, artifacts):
    from sim.actors import ACTOR_CLASSES

    page = browser_page
    page.goto(f"{dashboard_url}/evidence", wait_until="domcontentloaded")
    page.get_by_role("heading", name="Evidence", level=1).wait_for()
    page.get_by_role("tab", name="Actors: interests, postures and moves").click()
    page.get_by_text("Instruments (its posture)").first.wait_for()
    settle(page)
    dprk = ACTOR_CLASSES["DPRK"]
    needs = next(o for o in dprk.options if o.requires is not None)
    page.get_by_text(f"needs {needs.requires.indicator} at least {needs.requires.minimum:g}").first.wait_for()
    assert page.get_by_text("a one-off act").count() >= 1
    assert page.get_by_test_id("stException").count() == 0
    full_screenshot(page, artifacts / "evidence-actors-full.png")


SHELL_PRICE = "params.shell_price_usd"
SHELL_LABEL = "Price per shell-equivalent (USD)"
HEADLINE = {"RUS shell shortfall": "RUS.munitions_shortfall", "RUS paid to DPRK": "RUS.payments_to_dprk_usd",
            "DPRK food security": "DPRK.food_security", "DPRK hard currency": "DPRK.hard_currency_usd",
            "CHN influence": "CHN.influence_over_dprk", "ROK threat felt": "ROK.threat_perception"}
"""The metrics at the top of Explore: label -> indicator (the median at the horizon)."""
SCALE = {"bn": 1e9, "m": 1e6, "%": 0.01, "pp": 0.01, "": 1.0}


def shown_number(text: str) -> tuple[float, float]:
    """A metric's value or change as the page shows it (``$11.4 bn``, ``-$148 m``, ``62%``, ``+3.1 pp``,
    ``+0.012``), read back as a number, and half a unit of its last shown digit (what rounding for display can
    account for)."""
    m = re.fullmatch(r"([+-]?)\$?([\d,]+(?:\.(\d+))?)(?: ?(bn|m|%|pp))?", text.strip())
    assert m, f"not a number as the dashboard shows them: {text!r}"
    sign, digits, decimals, word = m.groups()
    scale = SCALE[word or ""]
    value = float(digits.replace(",", "")) * scale
    return (-value if sign == "-" else value), 0.5 * 10.0 ** -len(decimals or "") * scale


def horizon_medians(settings: dict[str, float], members: int, seed: int) -> dict[str, float]:
    """What the model gives: the median over members of each headline indicator at the horizon."""
    res = sim.run("baseline", members=members, seed=seed, settings=settings)
    return {name: float(np.median(res.indicator(name)[:, -1].astype(np.float64))) for name in HEADLINE.values()}


def test_a_lever_move_shows_the_models_medians_for_the_new_setting(browser_page, dashboard_url, artifacts):
    """After a move of the shell-price lever the metrics show what ``sim.run`` gives for that price (the medians
    at the horizon), and their changes from the scenario's own price: the page ran the model with the new value."""
    page = browser_page
    open_explore(page, dashboard_url, "?members=100&seed=7")
    slider = page.get_by_role("slider", name=SHELL_LABEL)
    assert float(slider.input_value()) == 1000
    slider.focus()
    press_and_time(page, "ArrowRight")  # one step (100 USD) up; returns once the metrics and the chart are redrawn
    price = float(slider.input_value())
    assert price == 1100
    assert parse_qs(urlparse(page.url).query)[SHELL_PRICE] == ["1100"]

    want = horizon_medians({SHELL_PRICE: price}, 100, 7)
    base = horizon_medians({}, 100, 7)
    # the move matters: the model's payments differ by far more than the two decimals the page shows
    assert abs(want["RUS.payments_to_dprk_usd"] - base["RUS.payments_to_dprk_usd"]) > 0.05e9

    for label, name in HEADLINE.items():
        metric = page.locator(METRICS).filter(has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
        assert metric.count() == 1, label
        value, tol = shown_number(metric.get_by_test_id("stMetricValue").inner_text())
        assert abs(value - want[name]) <= tol * 1.001, (label, value, want[name])
        change = want[name] - base[name]
        delta = metric.get_by_test_id("stMetricDelta")
        if delta.count():
            shown, tol = shown_number(delta.inner_text())
            assert abs(shown - change) <= tol * 1.001, (label, shown, change)
        else:  # no change is shown only when there is none
            assert abs(change) <= 1e-12, (label, change)
    page.screenshot(path=str(artifacts / "explore-shell-price-1100.png"))
