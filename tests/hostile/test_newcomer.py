"""Newcomer defects: a set value of an uncertainty's path must fix it (and stay in its range), and
batch designs must sample uncertainties as declared (triangular, normal, choice), not uniformly."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

import sim
from sim.batch import factors, make_design
from sim.batch.design import sample
from sim.cli.main import main
from sim.data import SCENARIO_DIR
from sim.engine import Setup
from sim.errors import PeninsulaError
from sim.scenario import Uncertainty

GRAIN = "params.grain_production_t"      # baseline: uniform 3.6e6 .. 4.0e6
SHELLS = "params.shell_capacity"         # baseline: triangular 200000, 300000, 400000
VOLATILITY = "params.war_volatility"     # baseline: uniform 0.01 .. 0.05


def derived(changes: dict, name: str = "newcomer.yaml") -> sim.Scenario:
    data = {"extends": "baseline", "months": 12, "expectations": []}
    data.update(changes)
    return sim.load_scenario_text(yaml.safe_dump(data, sort_keys=False), name, base_dir=SCENARIO_DIR)


@pytest.fixture(scope="module")
def short() -> sim.Scenario:
    return derived({})


def per_member(value, n: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(value, dtype=np.float64), (n,))


# -- 1. a set value fixes an uncertainty ---------------------------------------------------------------

def test_a_setting_fixes_an_uncertainty_in_every_member(short):
    setup = Setup.build(short, 40, 7, settings={GRAIN: 3.7e6})
    assert np.array_equal(per_member(setup.values[GRAIN], 40), np.full(40, np.float32(3.7e6)))
    assert GRAIN not in {u.path for u in setup.scenario.uncertainties}  # fixed: no longer drawn
    assert setup.settings == {GRAIN: 3.7e6}


def test_a_setting_fixes_a_triangular_uncertainty(short):
    setup = Setup.build(short, 25, 3, settings={SHELLS: 250000})
    assert np.array_equal(per_member(setup.values[SHELLS], 25), np.full(25, 250000.0))


def test_sim_run_with_a_setting_equals_the_value_given_to_every_member(short):
    """``sim.run(settings=...)`` (``--set``, lever positions) is the run with that value in every member."""
    fixed = sim.run(short, 12, 5, settings={GRAIN: 3.65e6})
    same = sim.run(short, 12, 5, overrides={GRAIN: 3.65e6})
    drawn = sim.run(short, 12, 5)
    food = "DPRK.food_security"
    assert np.array_equal(fixed.indicator(food), same.indicator(food))
    assert not np.array_equal(fixed.indicator(food), drawn.indicator(food))


def test_other_uncertainties_keep_their_draws(short):
    """Fixing one uncertainty leaves every other one's draw member by member (per-path streams)."""
    free = Setup.build(short, 30, 11)
    fixed = Setup.build(short, 30, 11, settings={GRAIN: 3.9e6})
    for path in (SHELLS, VOLATILITY):
        assert np.array_equal(free.values[path], fixed.values[path])
    alone = Setup.build(short, [17], 11, settings={GRAIN: 3.9e6})  # member 17 alone: same draws
    assert np.array_equal(alone.values[SHELLS], fixed.values[SHELLS][17:18])


@pytest.mark.parametrize("value", [4.5e6, 3.0e6])
def test_a_setting_outside_the_uncertainty_range_is_refused(short, value):
    """Inside the parameter's valid range (2e6 to 6e6) but outside the uncertainty's (3.6e6 to 4e6)."""
    with pytest.raises(PeninsulaError) as err:
        Setup.build(short, 5, 1, settings={GRAIN: value})
    text = str(err.value)
    assert GRAIN in text and f"{3.6e6:g}" in text and f"{4e6:g}" in text, text
    with pytest.raises(PeninsulaError):
        sim.run(short, 5, 1, settings={GRAIN: value})


def test_a_normal_uncertainty_takes_settings_within_four_sd():
    sc = derived({"uncertainties": [{"path": "DPRK.weights.food", "dist": "normal", "mean": 2, "sd": 0.25}]})
    setup = Setup.build(sc, 6, 1, settings={"DPRK.weights.food": 2.9})
    assert np.allclose(per_member(setup.values["DPRK.weights.food"], 6), 2.9)
    with pytest.raises(PeninsulaError, match="DPRK.weights.food"):
        Setup.build(sc, 6, 1, settings={"DPRK.weights.food": 3.5})  # mean + 6 sd


def test_a_fixed_run_replays(tmp_path, short):
    """The saved scenario says what ran: a replay (which passes no settings) gives the same bytes."""
    res = sim.run(short, 6, 2, settings={GRAIN: 3.7e6})
    res.save(tmp_path / "run")
    assert all(sim.replay(tmp_path / "run").values())


def test_design_overrides_still_replace_the_draw(short):
    grain = np.linspace(3.6e6, 4.0e6, 8)
    setup = Setup.build(short, [0, 0, 1, 1, 2, 2, 3, 3], 1, overrides={GRAIN: grain})
    assert np.array_equal(setup.values[GRAIN], grain.astype(np.float32))


def test_cli_set_fixes_an_uncertainty(tmp_path, short):
    path = tmp_path / "short.yaml"
    path.write_text(yaml.safe_dump({"extends": str(SCENARIO_DIR / "baseline.yaml"), "months": 12,
                                    "expectations": []}), encoding="utf-8")
    assert main(["run", str(path), "--members", "6", "--seed", "1", "--out", str(tmp_path / "out"),
                 "--set", f"{GRAIN}=3700000"]) == 0
    saved = sim.Results.load(tmp_path / "out")
    assert GRAIN not in {u.path for u in saved.scenario.uncertainties}


# -- 2. designs sample uncertainties as declared -------------------------------------------------------

TRI = Uncertainty(path="params.lobby_gain", dist="triangular", low=0.0, mode=0.2, high=1.0)
NORM = Uncertainty(path="DPRK.weights.food", dist="normal", mean=5.0, sd=1.0)
CHOICE = Uncertainty(path="params.cash_share", dist="choice", values=[0.1, 0.4, 0.7])
UNI = Uncertainty(path="params.threat_base", dist="uniform", low=0.2, high=0.4)


@pytest.fixture(scope="module")
def shaped(short) -> sim.Scenario:
    return short.model_copy(update={"uncertainties": [TRI, NORM, CHOICE, UNI]})


def test_lhs_follows_the_declared_distributions(shaped):
    d = make_design(shaped, design="lhs", samples=2000, seed=5)
    tri = d[TRI.path].to_numpy()
    assert tri.min() >= 0 and tri.max() <= 1
    assert abs(tri.mean() - (0 + 0.2 + 1) / 3) < 0.01                   # uniform would give 0.5
    assert abs(np.median(tri) - (1 - np.sqrt(0.5 * 0.8))) < 0.01        # triangular median, c < mid
    norm = d[NORM.path].to_numpy()
    assert abs(norm.mean() - 5) < 0.05 and abs(norm.std() - 1) < 0.05    # uniform over 1..9: sd 2.3
    assert abs(np.mean(np.abs(norm - 5) < 1) - 0.6827) < 0.02
    ch = d[CHOICE.path].to_numpy()
    assert set(np.unique(ch)) <= set(CHOICE.values)
    counts = np.array([(ch == v).sum() for v in CHOICE.values])
    assert (np.abs(counts - 2000 / 3) <= 2).all(), counts                  # stratified: near equal
    uni = d[UNI.path].to_numpy()
    assert uni.min() >= 0.2 and uni.max() <= 0.4 and abs(uni.mean() - 0.3) < 0.005
    for lv in shaped.levers:  # levers stay uniform over [min, max]
        x = (d[lv.path].to_numpy() - lv.min) / (lv.max - lv.min)
        assert x.min() >= 0 and x.max() <= 1 and abs(x.mean() - 0.5) < 0.01 and abs(np.mean(x < 0.25) - 0.25) < 0.01


def test_the_baseline_triangular_shell_capacity_is_sampled_triangular(short):
    d = make_design(short, design="lhs", samples=2000, seed=1)
    x = d[SHELLS].to_numpy()
    assert abs(x.std() - 100000 / np.sqrt(6)) < 2000                     # uniform would give 57,735
    assert abs(np.mean(np.abs(x - 300000) < 50000) - 0.75) < 0.02        # uniform: 0.5


def test_sobol_follows_the_declared_distributions(shaped):
    d = make_design(shaped, design="sobol", samples=512, seed=2)
    assert len(d) == 512 * (len(shaped.levers) + 4 + 2)
    assert np.isfinite(d.drop(columns="point").to_numpy()).all()
    assert abs(d[TRI.path].mean() - 0.4) < 0.02
    assert abs(d[NORM.path].std() - 1) < 0.05
    assert set(np.unique(d[CHOICE.path])) == set(CHOICE.values)


def test_morris_values_are_finite_and_declared(shaped):
    d = make_design(shaped, design="morris", samples=20, seed=3)
    norm = d[NORM.path].to_numpy()
    assert np.isfinite(norm).all() and norm.min() >= 1 and norm.max() <= 9   # levels 0 and 1: mean -+ 4 sd
    assert set(np.unique(d[CHOICE.path])) <= set(CHOICE.values)
    tri = d[TRI.path].to_numpy()
    assert tri.min() >= 0 and tri.max() <= 1 and len(np.unique(tri)) <= 4


def test_designs_stay_deterministic(shaped):
    for method, k in (("lhs", 50), ("sobol", 8), ("morris", 4)):
        a = make_design(shaped, design=method, samples=k, seed=9)
        assert a.equals(make_design(shaped, design=method, samples=k, seed=9))
        assert not a.equals(make_design(shaped, design=method, samples=k, seed=10))


@pytest.mark.parametrize("method,k", [("lhs", 40), ("sobol", 8), ("morris", 4)])
def test_uniform_factors_come_out_as_before(short, method, k):
    """Levers and uniform uncertainties: the same points, bit for bit, as SALib scaling them itself."""
    sc = short.model_copy(update={"uncertainties": [u for u in short.uncertainties if u.dist == "uniform"]})
    fs = factors(sc)
    problem = {"num_vars": len(fs), "names": [f.path for f in fs], "bounds": [[f.low, f.high] for f in fs]}
    if method == "lhs":
        from SALib.sample import latin
        old = latin.sample(problem, k, seed=4)
    elif method == "sobol":
        from SALib.sample import sobol
        old = sobol.sample(problem, k, calc_second_order=False, seed=4)
    else:
        from SALib.sample import morris
        old = morris.sample(problem, k, num_levels=4, seed=4)
    assert np.array_equal(sample(method, fs, k, 4), old)
