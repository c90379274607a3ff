"""Designs: policies x scenarios, design files, --factors, whole-series outcomes, and distributions as declared
in every design (grid, LHS, Sobol, Morris, policies x scenarios)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

import sim
from sim.batch import make_design, parse_factors, parse_outcome, parse_policy, policy_scenario_design, \
    read_design_file
from sim.batch.design import lever_default, outcome_columns
from sim.data import SCENARIO_DIR
from sim.engine import Setup
from sim.errors import PeninsulaError
from sim.scenario import Uncertainty

WAR, RICE = "params.war_intensity_target", "params.rice_t_per_year"
GRAIN = "params.grain_production_t"
TRI = Uncertainty(path="params.lobby_gain", dist="triangular", low=0.0, mode=0.2, high=1.0)
NORM = Uncertainty(path="DPRK.weights.food", dist="normal", mean=5.0, sd=1.0)
CHOICE = Uncertainty(path="params.cash_share", dist="choice", values=[0.1, 0.4, 0.7])


@pytest.fixture(scope="module")
def short() -> sim.Scenario:
    return sim.load_scenario_text("extends: baseline\nmonths: 6\nexpectations: []\n", "short.yaml",
                                  base_dir=SCENARIO_DIR)


@pytest.fixture(scope="module")
def shaped(short) -> sim.Scenario:
    return short.model_copy(update={"uncertainties": [TRI, NORM, CHOICE]})


# -- policies x scenarios -----------------------------------------------------------------------------------------

def test_policies_cross_scenarios(short):
    d = policy_scenario_design(short, policies=3, scenarios=4, hand={"mine": {WAR: 0.25}}, seed=7)
    levers = [lv.path for lv in short.levers]
    uncs = [u.path for u in short.uncertainties]
    assert list(d.columns) == ["point", "policy", "scenario", *levers, *uncs]
    assert len(d) == 4 * 4 and list(d["point"]) == list(range(16))
    assert list(d["policy"].unique()) == ["p0", "p1", "p2", "mine"]
    for _, block in d.groupby("policy", sort=False):  # every policy meets the same scenarios
        assert list(block["scenario"]) == [0, 1, 2, 3]
        assert np.array_equal(block[uncs].to_numpy(), d[d["policy"] == "p0"][uncs].to_numpy())
        assert (block[levers].nunique() == 1).all()  # a policy is one setting of the levers
    mine = d[d["policy"] == "mine"].iloc[0]
    assert mine[WAR] == 0.25
    for p in levers[1:]:  # the levers it does not name stand at their defaults
        assert mine[p] == lever_default(short, p)
    for lv in short.levers:
        assert d[lv.path].between(lv.min, lv.max).all()


def test_policies_and_scenarios_come_from_their_own_streams(short):
    a = policy_scenario_design(short, policies=2, scenarios=3, seed=1)
    b = policy_scenario_design(short, policies=5, scenarios=3, seed=1)
    c = policy_scenario_design(short, policies=2, scenarios=6, seed=1)
    uncs = [u.path for u in short.uncertainties]
    levers = [lv.path for lv in short.levers]
    assert np.array_equal(a[a.policy == "p0"][uncs].to_numpy(), b[b.policy == "p0"][uncs].to_numpy())
    assert np.array_equal(a.drop_duplicates("policy")[levers].to_numpy(),
                          c.drop_duplicates("policy")[levers].to_numpy())
    assert not a.equals(policy_scenario_design(short, policies=2, scenarios=3, seed=2))


def test_scenarios_alone_and_policies_alone(short):
    s = policy_scenario_design(short, scenarios=3, seed=1)
    assert list(s["policy"]) == ["default"] * 3 and not set(s.columns) & {lv.path for lv in short.levers}
    p = policy_scenario_design(short, policies=3, seed=1)
    assert list(p["scenario"]) == [0, 0, 0] and not set(p.columns) & {u.path for u in short.uncertainties}


def test_factors_restrict_the_sample(short):
    d = policy_scenario_design(short, policies=2, scenarios=2, only=[WAR, GRAIN], seed=1)
    assert list(d.columns) == ["point", "policy", "scenario", WAR, GRAIN]
    lhs = make_design(short, design="lhs", samples=5, seed=1, only=[RICE])
    assert list(lhs.columns) == ["point", RICE]
    with pytest.raises(PeninsulaError, match="--factors"):
        parse_factors("params.nope", short)
    with pytest.raises(PeninsulaError) as err:
        policy_scenario_design(short, policies=2, only=[GRAIN], seed=1)
    assert err.value.field == "--policies" and WAR in str(err.value)


def test_a_scenario_without_levers_has_no_policies():
    bare = sim.load_scenario_text("name: bare\nstart: 2023-09\nmonths: 3\n", "bare.yaml")
    with pytest.raises(PeninsulaError) as err:
        policy_scenario_design(bare, policies=2, seed=1)
    assert err.value.field == "--policies" and "no levers" in str(err.value)
    with pytest.raises(PeninsulaError) as err:
        policy_scenario_design(bare, scenarios=2, seed=1)
    assert err.value.field == "--scenarios" and "no uncertainties" in str(err.value)
    with pytest.raises(PeninsulaError, match="no levers"):
        parse_policy(f"a={WAR}:0.1", bare)


@pytest.mark.parametrize("text, words", [
    ("a", "NAME=PATH:VALUE"),
    (f"a={WAR}:2", "outside the range"),
    (f"a={GRAIN}:3700000", "levers"),
    (f"a={WAR}:x", "expected a number"),
    ("a b=x:1", "NAME=PATH:VALUE"),
])
def test_bad_policies_are_refused(short, text, words):
    with pytest.raises(PeninsulaError) as err:
        parse_policy(text, short)
    assert words in str(err.value) and err.value.field.startswith("--policy")


# -- design files -------------------------------------------------------------------------------------------------

def test_a_design_file_is_a_design(tmp_path, short):
    path = tmp_path / "d.csv"
    path.write_text(f"{WAR},{GRAIN}\n0.1,3700000\n0.9,3900000\n")
    d = read_design_file(path, short)
    assert list(d.columns) == ["point", WAR, GRAIN] and list(d[WAR]) == [0.1, 0.9]
    d.to_parquet(tmp_path / "d.parquet", index=False)
    assert read_design_file(tmp_path / "d.parquet", short).equals(d)  # design.parquet of a run reads back


def test_a_design_file_numbers_the_missing_side(tmp_path, short):
    path = tmp_path / "d.csv"
    path.write_text(f"policy,{WAR},{GRAIN}\na,0.1,3700000\nb,0.9,3700000\na,0.1,3900000\nb,0.9,3900000\n")
    d = read_design_file(path, short)
    assert list(d.columns) == ["point", "policy", "scenario", WAR, GRAIN]
    assert list(d["scenario"]) == [0, 0, 1, 1]
    path.write_text(f"scenario,{WAR},{GRAIN}\n0,0.1,3700000\n0,0.9,3700000\n1,0.1,3900000\n")
    assert list(read_design_file(path, short)["policy"]) == ["p0", "p1", "p0"]


@pytest.mark.parametrize("name, text, words", [
    ("d.csv", f"{WAR},params.bogus\n0.1,1\n", "column 'params.bogus' is not a parameter path"),
    ("d.csv", f"{WAR}\n0.1\n1.5\n", "1.5 is outside the range"),
    ("d.csv", f"{WAR},{GRAIN}\n0.1,\n", "empty cells"),
    ("d.csv", "policy\na\n", "no parameter column"),
    ("d.csv", f"{WAR}\n", "no rows"),
    ("d.csv", f"point,{WAR}\n3,0.1\n", "'point'"),
    ("d.csv", f"scenario,{WAR}\n-1,0.1\n", "whole numbers"),
    ("d.csv", f"policy,scenario,{WAR}\na,0,0.1\na,1,0.2\n", "rows of one policy must agree"),
    ("d.csv", f"policy,scenario,{GRAIN}\na,0,3700000\nb,0,3800000\n", "rows of one scenario must agree"),
    ("d.parquet", "not parquet", "cannot read it"),
    ("d.yaml", "x: 1", "not .csv or .parquet"),
])
def test_bad_design_files_are_refused(tmp_path, short, name, text, words):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(PeninsulaError) as err:
        read_design_file(path, short)
    assert words in str(err.value), str(err.value)
    assert err.value.field == "--design-file" and err.value.file == str(path)


# -- outcomes -----------------------------------------------------------------------------------------------------

def test_an_outcome_without_a_month_is_the_whole_series(short):
    dates = short.dates()
    series = parse_outcome("DPRK.food_security", short)
    assert series.series and series.columns(dates) == [f"DPRK.food_security@{d}" for d in dates]
    assert parse_outcome("DPRK.food_security", short, series=False).month == dates[-1]
    with pytest.raises(PeninsulaError, match="repeats"):
        outcome_columns([series, parse_outcome(f"DPRK.food_security@{dates[2]}", short)], short)
    with pytest.raises(PeninsulaError) as err:
        parse_outcome("DPRK.food", short)
    assert err.value.field == "--outcome" and "DPRK.food_security" in str(err.value)


# -- distributions as declared, in every design ------------------------------------------------------------------

def _check_moments(tri: np.ndarray, nrm: np.ndarray, ch: np.ndarray, tol: float) -> None:
    assert abs(tri.mean() - (0.0 + 0.2 + 1.0) / 3) < tol                          # triangular mean (uniform: 0.5)
    hist, edges = np.histogram(tri, bins=10, range=(0, 1))
    assert edges[hist.argmax()] == pytest.approx(0.2)                             # its mode: the bin from 0.2
    assert abs(nrm.mean() - 5) < 5 * tol and abs(nrm.std() - 1) < 5 * tol         # normal mean and sd
    freq = np.array([(ch == v).mean() for v in CHOICE.values])
    assert set(np.unique(ch)) == set(CHOICE.values) and np.abs(freq - 1 / 3).max() < 2 * tol


@pytest.mark.parametrize("method, k", [("lhs", 3000), ("sobol", 1024)])
def test_salib_designs_sample_as_declared(shaped, method, k):
    d = make_design(shaped, design=method, samples=k, seed=3)
    _check_moments(d[TRI.path].to_numpy(), d[NORM.path].to_numpy(), d[CHOICE.path].to_numpy(), 0.01)


def test_scenarios_sample_as_declared(shaped):
    d = policy_scenario_design(shaped, scenarios=3000, hand={"a": {WAR: 0.5}}, seed=3)
    _check_moments(d[TRI.path].to_numpy(), d[NORM.path].to_numpy(), d[CHOICE.path].to_numpy(), 0.01)


def test_grid_members_draw_as_declared(shaped):
    """A grid fixes its paths; the uncertainties are drawn per member, as declared."""
    d = make_design(shaped, grid={WAR: [0.2]})
    assert list(d.columns) == ["point", WAR]
    v = Setup.build(shaped, 6000, 3, overrides={WAR: 0.2}).values
    _check_moments(np.asarray(v[TRI.path], np.float64), np.asarray(v[NORM.path], np.float64),
                   np.round(np.asarray(v[CHOICE.path], np.float64), 6), 0.02)


def test_morris_levels_are_the_declared_quantiles(shaped):
    """Morris moves on 4 levels of the unit interval: each value is the declared distribution's quantile there."""
    d = make_design(shaped, design="morris", samples=30, seed=3)
    levels = np.array([0, 1 / 3, 2 / 3, 1])
    tri = np.where(levels < 0.2, np.sqrt(levels * 0.2), 1 - np.sqrt((1 - levels) * 0.8))
    nrm = np.clip(5 + norm.ppf(levels), 1, 9)
    ch = np.array(CHOICE.values)[np.minimum((levels * 3).astype(int), 2)]
    assert set(np.round(d[TRI.path], 9)) <= set(np.round(tri, 9))
    assert set(np.round(d[NORM.path], 9)) <= set(np.round(nrm, 9))
    assert set(d[CHOICE.path]) <= set(ch) and len(set(d[NORM.path])) > 2
