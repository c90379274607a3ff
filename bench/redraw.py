"""Redraw benchmark: the Explore page of the dashboard in a real Chromium, after a lever move.

Usage::

    python bench/redraw.py [--members 1000] [--moves 6] [--rounds 1] [--chromium /usr/bin/chromium]
                           [--screenshot PATH]

Starts ``streamlit run dashboard/app.py`` on a free port of 127.0.0.1 (waits for
``/_stcore/health``; stops its process group at the end), opens Explore with
``?members=N`` in Debian's headless Chromium (Playwright, ``executable_path``), focuses the
war-intensity lever and presses ArrowLeft ``--moves`` times (each a setting not run
before: a new ``sim.run``), then ArrowRight as many times (back over the settings seen
before: cached). For every key press it prints the time from the ``keydown`` event to the
redrawn metrics and to the redrawn Indicators chart (new lines drawn), measured inside the
page on its own clock, then best and median for new and cached settings, the load average
and the target (a redraw within 1 s). Each round opens a fresh page on another seed, so its
settings are new again. ``--moves 3`` is what the browser tests once timed (three new
settings, three cached ones); ``--screenshot`` keeps the page at the end of the last round.
This is a benchmark: it reports, it never fails on a slow machine.
"""

from __future__ import annotations

# One thread per numerical library (the server inherits it) and the checkout on sys.path.
from _setup import ROOT

import argparse  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(ROOT / "tests" / "browser"))  # the server and page helpers the browser tests use
from explore_page import VIEWPORT, WEBSOCKET_LOG, open_explore, press_and_time  # noqa: E402
from streamlit_server import StreamlitServer, find_chromium  # noqa: E402

TARGET_SECONDS = 1.0  # "a run of 1,000 members of the baseline redraws within a second"
LEVER = "params.war_intensity_target"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--members", type=int, default=1000, help="ensemble size in the URL (default: %(default)s)")
    p.add_argument("--moves", type=int, default=6,
                   help="key presses to new settings per round, and as many back to seen ones (default: %(default)s)")
    p.add_argument("--rounds", type=int, default=1,
                   help="fresh pages, each on its own seed (42, 43, ...) so that its settings are new "
                        "(default: %(default)s)")
    p.add_argument("--chromium", default=None, help="the browser (default: Debian's /usr/bin/chromium)")
    p.add_argument("--log", default=str(ROOT / "test-artifacts" / "bench-redraw-server.log"),
                   help="the Streamlit server's output (default: %(default)s)")
    p.add_argument("--screenshot", default=None, metavar="PATH",
                   help="save a screenshot of the page at the end of the last round (after the timings; "
                        "e.g. test-artifacts/explore-1000-members.png)")
    args = p.parse_args(argv)
    if args.members < 1 or args.moves < 1 or args.rounds < 1:
        p.error("--members, --moves and --rounds must be at least 1")
    return args


def load() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def summary(label: str, values: list[float]) -> str:
    if not values:
        return f"{label}: -"
    return (f"{label}: best {min(values):.2f} s, median {statistics.median(values):.2f} s, "
            f"worst {max(values):.2f} s")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    chromium = args.chromium or find_chromium()
    if chromium is None:
        print("no Chromium found (install Debian's: apt-get install -y chromium)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    import sim

    scenario = sim.load_scenario("baseline")
    lever = next(lv for lv in scenario.levers if lv.path == LEVER)
    seed0 = scenario.seed

    print(f"Peninsula redraw benchmark: Explore, baseline, {args.members:,} members x {scenario.months} months, "
          f"lever '{lever.label}' moved with the keyboard")
    print(f"  machine : {platform.machine()}, {os.cpu_count()} CPUs, python {platform.python_version()}")
    print(f"  browser : {chromium} (headless, Playwright), viewport {VIEWPORT['width']}x{VIEWPORT['height']}")
    print("  timing  : from the keydown event to the first animation frame that shows the new metrics / the new "
          "chart lines, visible (page clock)")
    print(f"  moves   : {args.moves} x ArrowLeft (settings not run before), then {args.moves} x ArrowRight (back over "
          f"settings seen before: cached); {args.rounds} round(s), each a fresh page on its own seed")
    print(f"  load    : {load()} (1, 5, 15 min) at the start")
    print("  columns : metrics s / chart s = seconds to the redrawn metrics / Indicators chart; run done s = to the "
          "last message of the run from the server (as the page handled it); msgs, largest KB = the run's messages "
          "and the largest (the figure; about 1 KB when the browser already holds it)")
    print()

    rows = []  # (round, kind, value, Redraw)
    log = Path(args.log)
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    t_start = time.perf_counter()
    with StreamlitServer(log) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True)
        try:
            for rnd in range(args.rounds):
                seed = seed0 + rnd
                context = browser.new_context(viewport=VIEWPORT)
                context.add_init_script(WEBSOCKET_LOG)
                page = context.new_page()
                page.set_default_timeout(120_000)
                open_explore(page, server.url, f"?members={args.members}&seed={seed}")
                slider = page.get_by_role("slider", name=lever.label)
                start, low, step = (float(x) for x in (slider.input_value(), slider.get_attribute("min"),
                                                       slider.get_attribute("step")))
                if args.moves > round((start - low) / step):
                    print(f"--moves {args.moves}: the lever starts at {start:g} and goes down to {low:g} in steps of "
                          f"{step:g}, so at most {round((start - low) / step)} moves", file=sys.stderr)
                    return 2
                print(f"round {rnd + 1}: seed {seed}, lever at {start:g}")
                print(f"  {'move':>4}  {'key':<10}  {'lever':>5}  {'kind':<6}  {'metrics s':>9}  {'chart s':>7}  "
                      f"{'run done s':>10}  {'msgs':>4}  {'largest KB':>10}")
                for i, (key, kind) in enumerate([("ArrowLeft", "new")] * args.moves
                                                + [("ArrowRight", "cached")] * args.moves, start=1):
                    slider.focus()
                    r = press_and_time(page, key)
                    value = slider.input_value()
                    rows.append((rnd, kind, value, r))
                    print(f"  {i:>4}  {key:<10}  {value:>5}  {kind:<6}  {r.metrics:>9.3f}  {r.chart:>7.3f}  "
                          f"{r.last_message:>10.3f}  {r.messages:>4}  {r.largest_message / 1024:>10.1f}", flush=True)
                if args.screenshot and rnd == args.rounds - 1:
                    Path(args.screenshot).parent.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=args.screenshot)
                context.close()
        finally:
            browser.close()
    elapsed = time.perf_counter() - t_start

    print()
    print(f"Summary ({len(rows)} moves, {elapsed:.0f} s in all; load {load()} at the end)")
    for kind in ("new", "cached"):
        sel = [r for _, k, _, r in rows if k == kind]
        print(f"  {kind:<6} settings ({len(sel)}): " + summary("metrics", [r.metrics for r in sel]) + "; "
              + summary("chart", [r.chart for r in sel]))
    charts = [r.chart for *_, r in rows]
    within = {kind: sum(1 for _, k, _, r in rows if k == kind and r.chart < TARGET_SECONDS) for kind in ("new", "cached")}
    print(f"Target: the chart redrawn within {TARGET_SECONDS:g} s of the key press: new {within['new']}/"
          f"{len(charts) // 2}, cached {within['cached']}/{len(charts) // 2} moves -> "
          f"{'MET' if sum(within.values()) == len(charts) else 'NOT MET'} (load {load()})")
    return 0



if __name__ == "__main__":
    sys.exit(main())
