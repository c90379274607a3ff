"""The dashboard in a real Chromium: levers move charts, every page renders, screenshots, redraw time.

Screenshots go to ``test-artifacts/`` (git-ignored). The redraw time of a 1,000-member
run after a lever move is printed (run pytest with ``-s`` to see it), not asserted;
``bench/redraw.py`` measures it properly (more moves, best and median, the load average).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from explore_page import (  # tests/browser/, on sys.path
    CHART, METRICS, WEBSOCKET_LOG, full_screenshot, metrics_text, open_explore, press_and_time, settle)

import sim

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
def saved_run(tmp_path_factory):
    path = tmp_path_factory.mktemp("runs") / "baseline"
    sim.run("baseline", members=100, seed=42).save(path)
    return path


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
    assert page.get_by_test_id("stTopNavLink").count() == 5 and page.get_by_test_id("stSidebarNav").count() == 0
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
    for view in ("Choices", "Relations", "What happened"):
        page.get_by_role("tab", name=view).click()
        if view == "What happened":
            page.get_by_text("North Korea chose").first.wait_for()
        else:
            page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
        settle(page)
        assert page.get_by_test_id("stException").count() == 0
        page.screenshot(path=str(artifacts / f"explore-{view.lower().replace(' ', '-')}.png"))
    # the relations network follows its month slider
    page.get_by_role("tab", name="Relations").click()
    page.get_by_text("Relations in 2027-06").first.wait_for()
    month = page.get_by_role("slider", name="Month")
    month.focus()
    page.keyboard.press("Home")
    page.get_by_text("Relations in 2024-06").first.wait_for()


def test_redraw_time_after_a_lever_move_with_1000_members(browser_page, dashboard_url, artifacts, capsys):
    """Reported, not asserted: the time from a key press on a lever to the redrawn metrics and chart."""
    page = browser_page
    open_explore(page, dashboard_url, "?members=1000")
    slider = page.get_by_role("slider", name=WAR_LABEL)
    slider.focus()
    new = [press_and_time(page, "ArrowLeft") for _ in range(3)]  # 0.75, 0.70, 0.65: new runs
    slider.focus()
    cached = [press_and_time(page, "ArrowRight") for _ in range(3)]  # back to 0.80: cached runs
    assert slider.input_value() == "0.8"
    page.screenshot(path=str(artifacts / "explore-1000-members.png"))

    def times(rs):
        return ", ".join(f"{r.metrics:.2f}/{r.chart:.2f}" for r in rs)

    line = (f"dashboard redraw after a lever move, 1,000 members x 36 months, real Chromium, "
            f"seconds to new metrics/chart: new settings {times(new)}; settings seen before (cached) {times(cached)}")
    (artifacts / "redraw-time.txt").write_text(line + "\n")
    with capsys.disabled():
        print("\n" + line)
