"""The Experiments page in a real Chromium: a saved experiment's scatter, parallel axes, PRIM box and robustness.

The experiment is made under ``runs/`` of the folder the server runs in (the checkout), where the
page opens folders, and removed afterwards. A screenshot goes to ``test-artifacts/``.
"""

from __future__ import annotations

import os
import shutil

import pytest
from explore_page import CHART, full_screenshot, settle  # tests/browser/, on sys.path

import sim
from streamlit_server import ROOT  # tests/browser/, on sys.path

OUTCOME = "DPRK.food_security@2024-06"


@pytest.fixture(scope="module")
def saved_experiment():
    """2 policies x 6 scenarios x 5 members, saved under runs/."""
    path = ROOT / "runs" / f"browser-experiment-{os.getpid()}"
    sim.experiment("baseline", policies=2, scenarios=6, members=5, seed=3, outcomes=[OUTCOME], out=path,
                   overwrite=True)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_the_experiments_page_draws_its_charts(browser_page, dashboard_url, artifacts, saved_experiment):
    page = browser_page
    exp = sim.load_experiment(saved_experiment)
    policies = list(dict.fromkeys(exp.design["policy"].astype(str)))
    page.goto(f"{dashboard_url}/experiments?experiment={saved_experiment}", wait_until="domcontentloaded")
    page.get_by_role("heading", name="Experiments", level=1).wait_for()
    page.get_by_role("heading", name="Robustness of the policies").wait_for()
    # each chart by its key (Streamlit marks the element's container with st-key-KEY)
    scatter, parcoords, box, robust = (page.locator(f".st-key-{key} {CHART}") for key in (
        "exp_scatter_chart", "exp_parallel_chart", "exp_box_chart", "exp_robust_chart"))
    for chart in (scatter, parcoords, box, robust):
        chart.locator(".main-svg").first.wait_for()
    settle(page)
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_test_id("stAlertContentError").count() == 0
    # every design point is a marker of the scatter, in a trace per policy (named in the legend)
    assert scatter.locator(".scatterlayer .point").count() == len(exp.design)
    assert sorted(scatter.locator(".legendtext").all_text_contents()) == sorted(policies)
    assert parcoords.locator(".parcoords").count() == 1
    # the PRIM box is a rectangle over the points, and its numbers are in a table
    assert box.locator(".scatterlayer .point").count() == len(exp.design)
    assert box.locator(".shapelayer path").count() == 1
    assert page.get_by_text("PRIM on DPRK.food_security@2024-06").count() == 1
    # a line per policy over the scenarios
    assert sorted(robust.locator(".legendtext").all_text_contents()) == sorted(policies)
    assert robust.locator(".scatterlayer .trace").count() == len(policies)
    assert page.get_by_test_id("stDataFrame").count() >= 3  # the boxes, the first box's ranges, the ranking
    page.screenshot(path=str(artifacts / "page-experiments.png"))
    full_screenshot(page, artifacts / "page-experiments-full.png")
