"""The Experiments page under Streamlit's AppTest: a saved experiment, its scatter, PRIM boxes and robustness.

One small policies x scenarios experiment (2 policies x 6 scenarios x 5 members) is made once in a
temporary ``runs/`` folder; every number the page shows is checked against ``sim`` itself
(``sim.load_experiment``, ``sim.discover``, ``sim.robust``) on the same folder and inputs.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import sim

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
OUTCOME = "DPRK.food_security@2024-06"


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A folder holding runs/exp (an experiment) and runs/single (a run, not an experiment)."""
    root = tmp_path_factory.mktemp("experiments")
    sim.experiment("baseline", policies=2, scenarios=6, members=5, seed=3, outcomes=[OUTCOME],
                   out=root / "runs" / "exp")
    sim.run("baseline", members=3, seed=1).save(root / "runs" / "single")
    return root


def open_page(base: Path, monkeypatch, folder: str | None = "runs/exp", **query: str) -> AppTest:
    monkeypatch.chdir(base)  # the page opens only folders under runs/ where the dashboard runs
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page("views/experiments.py")
    at.query_params.update({"experiment": folder, **query} if folder is not None else query)
    return ok(at.run())


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def chart(at: AppTest, trace: str, mode: str) -> dict:
    """The figure JSON of the first Plotly chart with a trace of this name and mode (plain strings in the JSON)."""
    for el in at.get("plotly_chart"):
        fig = json.loads(el.proto.spec)
        if any(t.get("name") == trace and t.get("mode") == mode for t in fig["data"]):
            return fig
    raise AssertionError(f"no chart with a trace {trace!r} drawn as {mode}")


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first table shown with this column (AppTest keeps no key on a dataframe)."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def test_the_page_lists_the_experiments_and_shows_the_outcome_against_a_factor(base, monkeypatch):
    at = open_page(base, monkeypatch, folder=None)
    found = at.selectbox(key="exp_found")
    assert [Path(o).name for o in found.options] == ["exp"]  # the run folder beside it is not an experiment
    assert not at.error
    exp = sim.load_experiment(base / "runs" / "exp")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Design points"] == str(len(exp.design)) and metrics["Members per point"] == str(exp.members)
    assert metrics["Policies"] == "2" and metrics["Scenarios"] == "6"
    # the scatter: each design point's mean over its members against the factor, as sim reads them
    means = exp.outcome(OUTCOME).mean(axis=1)
    for factor in (at.selectbox(key="exp_factor").value, at.selectbox(key="exp_factor").options[-1]):
        at.selectbox(key="exp_factor").set_value(factor).run()
        shown = ok(at).session_state["exp_scatter"]
        assert shown["factor"] == factor and shown["outcome"] == OUTCOME
        np.testing.assert_allclose(shown["x"], exp.design[factor])
        np.testing.assert_allclose(shown["y"], means, rtol=1e-12)
    assert shown["x"] != list(exp.design[at.selectbox(key="exp_factor").options[0]])
    # the median over members instead
    at.selectbox(key="exp_statistic").set_value("median").run()
    np.testing.assert_allclose(ok(at).session_state["exp_scatter"]["y"], np.median(exp.outcome(OUTCOME), axis=1))
    # a trace per policy, in distinct colours, and the parallel coordinates
    fig = chart(at, "p0", "markers")
    traces = [t for t in fig["data"] if t.get("name") in ("p0", "p1")]
    assert len(traces) == 2 and traces[0]["marker"]["color"] != traces[1]["marker"]["color"]
    # numbers as numbers: plain tick labels and hover text, never 5e+9 or 5B
    for axis in ("xaxis", "yaxis"):
        assert fig["layout"][axis]["exponentformat"] == "none" and fig["layout"][axis]["separatethousands"]
    assert all("g}" not in t["hovertemplate"] and ",.4~r}" in t["hovertemplate"] for t in traces)
    assert any(json.loads(el.proto.spec)["data"][0]["type"] == "parcoords" for el in at.get("plotly_chart"))


def boxes_of(found: sim.Discovery) -> list[dict]:
    return [{"box": b.number, "coverage": b.coverage, "density": b.density, "mass": b.mass, "points": b.points,
             "of interest": b.of_interest, "restricted dimensions": b.describe()} for b in found.boxes]


def test_the_prim_boxes_are_sim_discovers(base, monkeypatch):
    at = open_page(base, monkeypatch)
    folder = base / "runs" / "exp"
    shown = at.session_state["exp_boxes"]
    want = sim.discover(folder, OUTCOME, bottom="25%")
    assert want.boxes and shown == boxes_of(want)
    table = frame_with(at, "coverage")
    np.testing.assert_allclose(table["coverage"], [b.coverage for b in want.boxes])
    # the scatter's axes start on the first box's restricted dimensions
    dims = list(want.boxes[0].limits["factor"])
    assert at.selectbox(key=f"exp_box_x|{','.join(dims)}").value == dims[0]
    # a --where condition, from the data (the median of the points' means), and one policy's points
    cut = float(np.median(sim.load_experiment(folder).outcome(OUTCOME).mean(axis=1)))
    at.segmented_control(key="exp_rule").set_value("where").run()
    at.text_input(key="exp_where").input(f"< {cut!r}").run()
    want = sim.discover(folder, OUTCOME, where=f"< {cut!r}")
    assert ok(at).session_state["exp_boxes"] == boxes_of(want)
    at.selectbox(key="exp_prim_policy").set_value("p1").run()
    want_p1 = sim.discover(folder, OUTCOME, where=f"< {cut!r}", policy="p1")
    assert ok(at).session_state["exp_boxes"] == boxes_of(want_p1)
    # a condition that does not parse is a message in its section; the rest of the page stays
    at.text_input(key="exp_where").input("below half").run()
    assert "expected an operator" in texts(ok(at).error)
    # ... and the robustness section below it is still drawn, with sim.robust's table
    pd.testing.assert_frame_equal(at.session_state["exp_robust"], sim.robust(folder, OUTCOME).table)


def test_the_robustness_table_is_sim_robusts(base, monkeypatch):
    at = open_page(base, monkeypatch)
    folder = base / "runs" / "exp"
    pd.testing.assert_frame_equal(at.session_state["exp_robust"], sim.robust(folder, OUTCOME).table)
    shown = frame_with(at, "max_regret")
    assert list(shown["policy"]) == list(sim.robust(folder, OUTCOME).table["policy"])
    cut = float(np.median(sim.load_experiment(folder).outcome(OUTCOME).mean(axis=1)))
    at.segmented_control(key="exp_direction").set_value("minimise").run()
    at.text_input(key="exp_satisfice").input(f"<= {cut!r}").run()
    at.selectbox(key="exp_rank_by").set_value("satisficing").run()
    want = sim.robust(folder, OUTCOME, maximise=False, satisfice=f"<= {cut!r}", rank_by="satisficing")
    pd.testing.assert_frame_equal(ok(at).session_state["exp_robust"], want.table)
    # each policy's values over the scenarios, a line per policy in its own colour
    fig = chart(at, "p0", "lines+markers")
    lines = {t["name"]: t for t in fig["data"] if t.get("mode") == "lines+markers"}
    assert set(lines) == {"p0", "p1"} and lines["p0"]["line"]["color"] != lines["p1"]["line"]["color"]


def _empty(folder: Path) -> None:
    folder.mkdir()


def _bad_manifest(folder: Path) -> None:
    folder.mkdir()
    (folder / "manifest.json").write_text("{oops")


def _damaged_part(folder: Path) -> None:
    shutil.copytree(folder.parent / "exp", folder)
    (folder / "results" / "part-00000.parquet").write_bytes(b"not parquet")


@pytest.mark.parametrize("name, make, words", [
    ("empty", _empty, "no manifest.json"),
    ("junk", _bad_manifest, "not valid JSON"),
    ("single", None, "describes a single run"),  # made by the fixture: a run, not an experiment
    ("damaged", _damaged_part, "cannot read this part"),
], ids=["empty", "bad-manifest", "a-run", "damaged-part"])
def test_a_folder_that_is_no_experiment_is_a_message(base, monkeypatch, name, make, words):
    folder = base / "runs" / name
    if make is not None and not folder.exists():
        make(folder)
    at = open_page(base, monkeypatch, folder=f"runs/{name}")
    assert words in texts(at.error)
    assert not at.get("plotly_chart")


def test_a_path_outside_runs_or_an_outcome_not_recorded_is_a_message(base, monkeypatch, tmp_path):
    at = open_page(base, monkeypatch, folder=str(tmp_path))
    assert "only experiment folders under runs/" in texts(at.error)
    at = open_page(base, monkeypatch, folder="runs/missing")
    assert "There is no experiment folder runs/missing" in texts(at.error)
    # an outcome in a link (?outcome=) that the experiment did not record, or that is no indicator
    for outcome, words in (("DPRK.food_security@2025-01", "was not recorded in this experiment"),
                           ("DPRK.food_security", "was not recorded"),  # an indicator alone: its horizon
                           ("nonsense", "is not an indicator")):
        at = open_page(base, monkeypatch, outcome=outcome)
        assert words in texts(at.error) and not at.get("plotly_chart")
