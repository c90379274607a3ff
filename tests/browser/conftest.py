"""Real-browser fixtures: the dashboard served by ``streamlit run`` and Debian's Chromium driven by Playwright.

The browser is Debian's ``/usr/bin/chromium`` (``apt-get install chromium``), never one that
``playwright install`` downloads. Without it the tests skip locally with the reason, and
fail when the environment variable ``CI`` is set. Starting and stopping the server is
:mod:`streamlit_server`'s (shared with ``bench/redraw.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from explore_page import VIEWPORT  # this folder: pytest puts it on sys.path
from streamlit_server import ROOT, StreamlitServer, find_chromium

ARTIFACTS = ROOT / "test-artifacts"


def _missing(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so the browser tests must run)", pytrace=False)
    pytest.skip(f"{reason}; the browser tests skip locally (they fail when CI is set)")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        _missing("no Chromium found (install Debian's: apt-get install -y chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("Playwright is not installed (pip install -e '.[test]')")
    return path


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """``test-artifacts/`` (git-ignored): screenshots and the server log."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def dashboard_url(chromium_path, artifacts) -> Iterator[str]:
    """Start ``streamlit run dashboard/app.py`` on a free local port; stop it after the session."""
    log = artifacts / "streamlit-server.log"
    log.write_text("")
    with StreamlitServer(log) as server:
        yield server.url


@pytest.fixture(scope="session")
def chromium(chromium_path):
    """A headless Chromium (Debian's), for the whole session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium, dashboard_url):
    """A fresh browser page (own context: own session, own URL) at laptop size."""
    context = chromium.new_context(viewport=VIEWPORT)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()
