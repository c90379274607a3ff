"""Driving the Explore page in a real browser: open it, wait for it, time a redraw after a key press.

Shared by ``test_dashboard_browser.py``, ``test_classroom_browser.py`` (settling and full-page
screenshots) and ``bench/redraw.py`` (which adds this folder to
``sys.path``). The redraw timer runs inside the page, on the page's own clock
(``performance.now()``): the key press is the ``keydown`` event, and every animation frame
after it compares the metrics' text and the chart's drawn lines with what they were before
(the chart counting once its new lines are visible: Streamlit draws a newly mounted chart
hidden until it knows its width), so the times do not include Playwright's round trips.
"""

from __future__ import annotations

from dataclasses import dataclass

VIEWPORT = {"width": 1440, "height": 900}
"""A laptop screen."""
METRICS = '[data-testid="stMetric"]'
CHART = '[data-testid="stPlotlyChart"]'
IDLE = ("() => !document.querySelector('[data-testid=\"stStatusWidget\"]') "
        "&& !document.querySelector('[data-testid=\"stSkeleton\"]')")

WEBSOCKET_LOG = """(() => {
    // every message the Streamlit server sends, as [performance.now(), bytes]
    const Native = window.WebSocket;
    window.__wsLog = [];
    class Logged extends Native {
        constructor(...args) {
            super(...args);
            this.addEventListener('message', (e) => {
                const d = e.data;
                window.__wsLog.push([performance.now(), typeof d === 'string' ? d.length : (d.byteLength ?? d.size ?? 0)]);
            });
        }
    }
    window.WebSocket = Logged;
})();"""
"""Init script (``context.add_init_script``): logs the time and size of each WebSocket message."""

_ARM = """([metricsSel, chartSel]) => {
    // textContent, not innerText: reading it does not force a layout in every frame
    const metrics = () => Array.from(document.querySelectorAll(metricsSel)).map(e => e.textContent).join('|');
    const chart = () => document.querySelector(chartSel);
    const lines = (c) => c ? Array.from(c.querySelectorAll('.scatterlayer path.js-line')).map(p => p.getAttribute('d'))
                           : [];
    // a chart being mounted is drawn while hidden (visibility: hidden) until its width is known
    const visible = (c) => { const svg = c && c.querySelector('.main-svg');
                             return !!svg && svg.checkVisibility({visibilityProperty: true, opacityProperty: true}); };
    const l0 = lines(chart());
    const r = {key: null, metrics: null, chart: null, idle: null, m0: metrics(), c0: l0.join('|'), n0: l0.length};
    if (window.__wsLog) window.__wsLog.length = 0;
    window.__redraw = r;
    document.addEventListener('keydown', () => { if (r.key === null) r.key = performance.now(); },
                              {capture: true, once: true});
    const tick = () => {
        const now = performance.now();
        if (r.key !== null) {
            if (r.metrics === null) {
                const m = metrics();
                if (m !== '' && m !== r.m0) r.metrics = now;
            }
            if (r.chart === null) {
                const c = chart();
                const l = lines(c);
                if (l.length > 0 && (r.n0 === 0 || l.length === r.n0) && l.join('|') !== r.c0 && visible(c)) {
                    r.chart = now;
                }
            }
            if (r.metrics !== null && r.chart !== null
                    && !document.querySelector('[data-testid="stStatusWidget"]')) {
                r.idle = now;
                return;
            }
        }
        requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
}"""

_READ = """() => {
    const r = window.__redraw;
    return {key: r.key, metrics: r.metrics, chart: r.chart, idle: r.idle,
            messages: (window.__wsLog || []).filter(m => m[0] >= r.key)};
}"""


def settle(page, rounds: int = 3) -> None:
    """Wait until the app has finished running: no status widget, no skeleton, several frames in a row."""
    for _ in range(rounds):
        page.wait_for_function(IDLE, polling="raf")
        page.wait_for_timeout(300)


def full_screenshot(page, path) -> None:
    """A screenshot of the whole page: the viewport grown to the height of Streamlit's scrolling main area."""
    size = page.viewport_size
    height = page.evaluate("() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
                           " return m ? m.scrollHeight : document.body.scrollHeight; }")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(int(height), 6000))})
    page.wait_for_timeout(500)
    settle(page, 1)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)


def metrics_text(page) -> str:
    return "|".join(page.locator(METRICS).all_inner_texts())


def open_explore(page, url: str, query: str = "") -> None:
    """Open Explore (with a query string such as ``?members=1000``) and wait until metrics and chart are drawn."""
    page.goto(f"{url}/{query}", wait_until="domcontentloaded")
    page.get_by_role("heading", level=1).first.wait_for()
    page.locator(METRICS).first.wait_for()
    page.locator(f"{CHART} .main-svg").first.wait_for()
    settle(page)


@dataclass
class Redraw:
    """One key press and what followed, in seconds after the ``keydown`` event (page clock)."""

    metrics: float
    """the metrics at the top show new values"""
    chart: float
    """the Indicators chart shows new lines, visible"""
    idle: float
    """both, and the app no longer shows that it is running"""
    last_message: float
    """the last message from the server (the end of the script run; NaN without :data:`WEBSOCKET_LOG`)"""
    messages: int
    """messages from the server for this run"""
    largest_message: int
    """bytes (the chart's figure, unless the browser had it cached)"""


def press_and_time(page, key: str, timeout_ms: float = 60_000) -> Redraw:
    """Press ``key`` (on the focused element); wait until metrics and chart have changed and the app has settled.

    The messages counted are those of the whole run the key started (read after :func:`settle`).
    """
    page.evaluate(_ARM, [METRICS, CHART])
    page.keyboard.press(key)
    page.wait_for_function("() => window.__redraw && window.__redraw.idle !== null", polling="raf",
                           timeout=timeout_ms)
    settle(page)
    r = page.evaluate(_READ)
    k = r["key"]
    msgs = r["messages"]
    return Redraw(metrics=(r["metrics"] - k) / 1e3, chart=(r["chart"] - k) / 1e3, idle=(r["idle"] - k) / 1e3,
                  last_message=((msgs[-1][0] - k) / 1e3) if msgs else float("nan"), messages=len(msgs),
                  largest_message=max((m[1] for m in msgs), default=0))
