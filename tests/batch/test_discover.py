"""Scenario discovery: PRIM and CART find a planted box, on a frame and on an experiment folder in the
real format; the cases are the design points (the mean over members); bad input writes nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import sim
from sim.batch import Experiment, parse_outcome, run_experiment
from sim.batch.discover import ExperimentData, find_boxes, interest_mask, parse_criterion, write_files
from sim.cli.main import main
from sim.errors import PeninsulaError

OUTCOME = "DPRK.food_security@2026-06"
FACTORS = ["params.grain_production_t", "params.rice_t_per_year", "params.china_aid_t_per_year"]


class Planted:
    """An executor that computes nothing: each partition's rows come from given values (points, members)."""

    name = "in-process"

    def __init__(self, values: dict[str, np.ndarray]):
        self.values = values

    def run(self, fn, tasks, chunk_size):
        for t in tasks:
            a, b = t["rows"]
            rows = np.arange(a, b, dtype=np.int64)
            point, rep = rows // t["members"], rows % t["members"]
            data = {"point": pa.array(point, pa.int64()), "replicate": pa.array(rep, pa.int64())}
            for col, v in self.values.items():
                data[col] = pa.array(v[point, rep], pa.float64())
            yield t, pa.table(data)

    def close(self):
        pass


def write_experiment(folder: Path, design: pd.DataFrame, values: np.ndarray, outcome: str = OUTCOME,
                     partition: int = 50_000) -> Path:
    """An experiment folder as 'peninsula batch' writes it (manifest, design, parts, summary), with given values."""
    scenario = sim.load_scenario("baseline")
    exp = Experiment(scenario, design, values.shape[1], 1, [parse_outcome(outcome, scenario)], partition)
    return run_experiment(exp, folder, executor=Planted({outcome: values}))


def planted_design(n: int, seed: int = 0) -> pd.DataFrame:
    """Uniform points over three real factors' ranges; u (unit values) too, for the planted rule."""
    rng = np.random.default_rng(seed)
    u = rng.random((n, len(FACTORS)))
    lows, highs = np.array([3.0e6, 0.0, 0.0]), np.array([4.0e6, 1.0e6, 1.0e6])
    design = pd.DataFrame(lows + u * (highs - lows), columns=FACTORS)
    design.insert(0, "point", np.arange(n, dtype=np.int64))
    return design


def planted_values(design: pd.DataFrame, members: int, seed: int = 1) -> np.ndarray:
    """Food security low exactly where rice < 300,000 t and China's aid > 600,000 t; member noise around it."""
    low = (design["params.rice_t_per_year"] < 3e5) & (design["params.china_aid_t_per_year"] > 6e5)
    base = np.where(low, 0.5, 0.85)
    noise = np.random.default_rng(seed).normal(0, 0.03, (len(design), members))
    return base[:, None] + noise


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    design = planted_design(600)
    values = planted_values(design, 4)
    folder = write_experiment(tmp_path_factory.mktemp("exp") / "planted", design, values, partition=1000)
    return folder, design, values


# -- the methods on a frame ------------------------------------------------------------------------------------------
def unit_frame(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.random((n, 4)), columns=["x1", "x2", "x3", "x4"])
    return x, ((x["x1"] < 0.3) & (x["x2"] > 0.6)).to_numpy()


@pytest.mark.parametrize("method", ["prim", "cart"])
def test_the_planted_box_is_found(method):
    x, y = unit_frame()
    boxes, traj = find_boxes(x, y, method)
    box = boxes[0]
    lims = box.limits.set_index("factor")
    assert set(lims.index) == {"x1", "x2"}, box.describe()  # the noise dimensions stay free
    assert np.isnan(lims.loc["x1", "low"]) and lims.loc["x1", "high"] == pytest.approx(0.3, abs=0.02)
    assert lims.loc["x2", "low"] == pytest.approx(0.6, abs=0.02) and np.isnan(lims.loc["x2", "high"])
    assert box.coverage >= 0.95 and box.density >= 0.95
    inside = box.contains(x)
    assert box.points == inside.sum() and box.of_interest == (inside & y).sum()
    assert box.coverage == pytest.approx(box.of_interest / y.sum())
    assert box.density == pytest.approx(box.of_interest / box.points)
    assert box.mass == pytest.approx(box.points / len(x))
    assert traj["chosen"].sum() == 1 and traj.loc[traj["chosen"], "coverage"].iloc[0] == pytest.approx(box.coverage)


def test_prim_trajectory_peels_from_everything_to_denser_boxes():
    x, y = unit_frame()
    _, traj = find_boxes(x, y, "prim")
    first = traj[traj["box"] == 1]
    assert first["mass"].iloc[0] == 1.0 and first["coverage"].iloc[0] == 1.0
    assert first["density"].iloc[0] == pytest.approx(y.mean())
    assert first["density"].max() == 1.0 and (np.diff(first["mass"].to_numpy()[:10]) < 0).all()


def test_no_box_where_nothing_explains_the_cases():
    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.random((1000, 3)), columns=["a", "b", "c"])
    y = rng.random(1000) < 0.2  # cases of interest at random: no region is dense
    boxes, _ = find_boxes(x, y, "prim", threshold=0.9)
    assert boxes == []


def test_criteria_and_shares():
    v = np.array([0.1, 0.5, 0.5, 0.7, 0.9])
    assert parse_criterion("< 0.6").mask(v).tolist() == [True, True, True, False, False]
    assert parse_criterion(">=0.7").mask(v).tolist() == [False, False, False, True, True]
    assert parse_criterion(" <= 1e-1 ").mask(v).tolist() == [True, False, False, False, False]
    mask, words = interest_mask(v, top="40%")
    assert mask.tolist() == [False, False, False, True, True] and words.startswith("top 40%")
    mask, _ = interest_mask(v, bottom="40%")  # the cut falls in a tie: both are in
    assert mask.tolist() == [True, True, True, False, False]
    for bad in ("0.6", "= 0.6", "< x", "<", "", "< 0.6 or > 1"):
        with pytest.raises(PeninsulaError, match="operator"):
            parse_criterion(bad)
    for bad in ("0%", "100%", "150%", "ten", "-5%"):
        with pytest.raises(PeninsulaError) as exc:
            interest_mask(v, top=bad)
        assert exc.value.field == "--top"
    with pytest.raises(PeninsulaError, match="one of --where"):
        interest_mask(v, where="< 1", top="10%")


# -- on an experiment folder -----------------------------------------------------------------------------------------
def test_cases_are_the_design_points_with_the_mean_over_members(planted):
    folder, design, values = planted
    data = ExperimentData.read(folder)
    assert data.factors == FACTORS and data.members == 4
    assert data.resolve_outcome("DPRK.food_security@2026-06") == OUTCOME
    np.testing.assert_allclose(data.point_values(OUTCOME), values.mean(axis=1), rtol=0, atol=1e-12)
    np.testing.assert_allclose(data.point_values(OUTCOME, "p10"), np.percentile(values, 10, axis=1))
    found = sim.discover(folder, outcome=OUTCOME, where="< 0.6")
    assert len(found.cases) == 600 and found.cases["interest"].sum() == (values.mean(axis=1) < 0.6).sum()


@pytest.mark.parametrize("method", ["prim", "cart"])
def test_discover_finds_the_planted_box_in_an_experiment(planted, method):
    folder, _, _ = planted
    found = sim.discover(folder, outcome=OUTCOME, where="< 0.6", method=method)
    lims = found.boxes[0].limits.set_index("factor")
    assert set(lims.index) == {"params.rice_t_per_year", "params.china_aid_t_per_year"}, found.boxes[0].describe()
    assert lims.loc["params.rice_t_per_year", "high"] == pytest.approx(3e5, rel=0.1)
    assert lims.loc["params.china_aid_t_per_year", "low"] == pytest.approx(6e5, rel=0.1)
    frame = found.to_frame()
    assert set(frame["factor"]) >= {"params.rice_t_per_year", "params.china_aid_t_per_year"}
    assert {"coverage", "density", "mass", "low", "high"} <= set(frame.columns)


def test_the_command_prints_the_boxes_and_writes_charts_and_tables(planted, tmp_path, capsys):
    folder, _, _ = planted
    before = digest(folder)
    out = tmp_path / "found"
    assert main(["discover", str(folder), "--outcome", OUTCOME, "--where", "< 0.6", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "coverage" in text and "density" in text and "mass" in text
    assert "params.rice_t_per_year <= " in text and "params.china_aid_t_per_year >= " in text
    assert sorted(p.name for p in out.iterdir()) == ["box.png", "boxes.csv", "discover.html", "trajectory.csv",
                                                    "trajectory.png"]
    for png in ("box.png", "trajectory.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    html = (out / "discover.html").read_text()
    assert "Plotly.newPlot" in html and html.count("Plotly.newPlot") == 2
    traj = pd.read_csv(out / "trajectory.csv")
    assert {"coverage", "density", "mass", "chosen"} <= set(traj.columns) and traj["chosen"].sum() >= 1
    boxes = pd.read_csv(out / "boxes.csv")
    assert boxes["box"].min() == 1 and (boxes["coverage"] <= 1).all()
    assert digest(folder) == before  # the experiment is read, never changed
    # the default output folder is inside the experiment's, named after the outcome and method
    assert main(["discover", str(folder), "--outcome", OUTCOME, "--bottom", "10%", "--method", "cart"]) == 0
    assert (folder / f"discover-{OUTCOME}-cart" / "boxes.csv").is_file()
    (folder / f"discover-{OUTCOME}-cart").joinpath("boxes.csv").unlink()


def test_a_whole_series_outcome_is_read_at_the_month_asked(tmp_path):
    design = planted_design(40)
    scenario = sim.load_scenario("baseline")
    dates = scenario.dates()
    values = {f"DPRK.food_security@{d}": np.full((40, 2), 0.5 + k / 1000) for k, d in enumerate(dates)}
    exp = Experiment(scenario, design, 2, 1, [parse_outcome("DPRK.food_security", scenario)], 50_000)
    assert exp.outcomes[0].month is None and len(exp.columns) == len(dates)  # the whole series is recorded
    run_experiment(exp, tmp_path / "s", executor=Planted(values))
    data = ExperimentData.read(tmp_path / "s")
    assert data.resolve_outcome("DPRK.food_security@2026-06") == "DPRK.food_security@2026-06"
    assert data.resolve_outcome("DPRK.food_security") == f"DPRK.food_security@{dates[-1]}"  # the horizon
    assert data.point_values("DPRK.food_security@2026-06")[0] == pytest.approx(0.5 + dates.index("2026-06") / 1000)
    assert "any month" in data.outcomes[0]


def test_nothing_is_half_written(tmp_path):
    out = tmp_path / "o"
    with pytest.raises(TypeError):
        write_files(out, {"a.csv": b"x", "b.csv": None, "c.csv": b"z"})
    assert list(out.iterdir()) == []  # the first file's temporary copy is gone, and nothing was renamed
    write_files(out, {"a.csv": b"x"})
    assert (out / "a.csv").read_bytes() == b"x" and len(list(out.iterdir())) == 1


# -- bad input: one paragraph naming the option, exit 2, nothing written ---------------------------------------------
@pytest.mark.parametrize("args, option, words", [
    (["--where", "less than 0.6"], "--where", "operator"),
    (["--where", "< 0.6", "--outcome", "DPRK.nonsense"], "--outcome", "is not an indicator"),
    (["--where", "< 0.6", "--outcome", "RUS.munitions_shortfall@2026-06"], "--outcome", "was not recorded"),
    (["--where", "< 0.6", "--outcome", "DPRK.food_security@2025-01"], "--outcome", OUTCOME),
    (["--where", "< 0.0"], "--where", "no design point"),
    (["--top", "150%"], "--top", "share"),
    (["--where", "< 0.6", "--policy", "p1"], "--policy", "no 'policy' column"),
    (["--where", "< 0.6", "--threshold", "2"], "--threshold", "density"),
    (["--where", "< 0.6", "--method", "tree"], "--method", "prim"),
])
def test_bad_input_is_refused_and_nothing_is_written(planted, tmp_path, capsys, args, option, words):
    folder, _, _ = planted
    before = digest(folder)
    if "--outcome" not in args:
        args = [*args, "--outcome", OUTCOME]
    assert main(["discover", str(folder), *args, "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert option in err and words in err, err
    assert err.strip().count("\n") == 0 and "Traceback" not in err  # one paragraph
    assert not (tmp_path / "o").exists() and digest(folder) == before


def test_a_folder_that_is_not_an_experiment(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    run = tmp_path / "run"
    sim.run(sim.load_scenario_text("extends: baseline\nmonths: 2\n", "s.yaml", base_dir=sim.data.SCENARIO_DIR),
            members=2, seed=1).save(run)
    for folder, words in ((tmp_path / "empty", "no manifest.json"), (tmp_path / "missing", "no such folder"),
                          (run, "single run")):
        for cmd in (["discover", str(folder), "--outcome", OUTCOME, "--top", "10%"],
                    ["robust", str(folder), "--outcome", OUTCOME]):
            before = digest(tmp_path)
            assert main(cmd) == 2
            err = capsys.readouterr().err
            assert "not an experiment folder" in err and words in err and "peninsula batch" in err, err
            assert digest(tmp_path) == before
