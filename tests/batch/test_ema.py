"""sim.ema: a scenario as an EMA Workbench model, with the same numbers as a batch experiment on the same design."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import sim
from sim.batch import Experiment, parse_outcome, run_experiment
from sim.data import SCENARIO_DIR

import ema_workbench as ema  # a dependency (pyproject.toml): missing, this file must fail, not skip
import sim.ema
from ema_workbench.em_framework.samplers import sample_levers, sample_uncertainties

# The baseline's levers, and an uncertainty of every kind: uniform, triangular (the baseline's), normal, choice.
SCENARIO = """\
extends: baseline
months: 12
uncertainties:
  - {path: params.grain_production_t, dist: uniform, low: 3600000, high: 4000000}
  - {path: params.shell_capacity, dist: triangular, low: 200000, mode: 300000, high: 400000}
  - {path: params.war_volatility, dist: normal, mean: 0.03, sd: 0.005}
  - {path: params.china_aid_t_per_year, dist: choice, values: [100000, 300000, 300000, 600000]}
"""
SCALARS = ["DPRK.food_security@2024-06", "DPRK.hard_currency_usd@2024-09"]
SERIES = "RUS.munitions_shortfall"


@pytest.fixture(scope="module")
def scenario():
    return sim.load_scenario_text(SCENARIO, "ema.yaml", base_dir=SCENARIO_DIR)


@pytest.fixture
def np_global_seed():
    """EMA's samplers draw from NumPy's global generator: seed it for the test, then put it back."""
    state = np.random.get_state()
    np.random.seed(20240601)
    yield
    np.random.set_state(state)


def test_levers_and_uncertainties_come_from_the_scenario(scenario):
    m = sim.ema.model(scenario, outcomes=SCALARS + [SERIES], members=3, seed=1)
    levers = {p.variable_name[0]: p for p in m.levers}
    assert set(levers) == {lv.path for lv in scenario.levers}
    for lv in scenario.levers:
        p = levers[lv.path]
        assert type(p) is ema.RealParameter and (p.lower_bound, p.upper_bound) == (lv.min, lv.max)
        assert p.name.isidentifier()
    unc = {p.variable_name[0]: p for p in m.uncertainties}
    assert set(unc) == {u.path for u in scenario.uncertainties}
    assert (unc["params.grain_production_t"].lower_bound, unc["params.grain_production_t"].upper_bound) == \
        (3600000, 4000000)
    tri = unc["params.shell_capacity"].dist
    assert tri.mean() == pytest.approx((200000 + 300000 + 400000) / 3)
    assert tri.ppf(0.5) == pytest.approx(300000)  # symmetric: the mode is the median
    normal = unc["params.war_volatility"].dist
    assert normal.mean() == pytest.approx(0.03) and normal.std() == pytest.approx(0.005, rel=1e-3)
    assert (normal.ppf(0), normal.ppf(1)) == pytest.approx((0.03 - 4 * 0.005, 0.03 + 4 * 0.005))
    choice = unc["params.china_aid_t_per_year"]
    assert type(choice) is ema.CategoricalParameter
    assert [c.value for c in choice.categories] == [100000, 300000, 300000, 600000]  # 300,000 twice as likely
    assert [o.name for o in m.outcomes] == ["DPRK_food_security_2024_06", "DPRK_hard_currency_usd_2024_09",
                                            "RUS_munitions_shortfall"]
    assert [type(o) for o in m.outcomes] == [ema.ScalarOutcome, ema.ScalarOutcome, ema.ArrayOutcome]


def test_the_default_outcomes_are_the_key_indicators_at_the_horizon(scenario):
    m = sim.ema.model(scenario, members=2)
    assert [o.name for o in m.outcomes] == [sim.ema.outcome_name(f"{k}@{scenario.dates()[-1]}")
                                            for k in sim.KEY_INDICATORS]


def test_bad_outcomes_are_refused(scenario):
    with pytest.raises(sim.PeninsulaError, match="indicator"):
        sim.ema.model(scenario, outcomes=["DPRK.nonsense"])
    with pytest.raises(sim.PeninsulaError, match="not in the run"):
        sim.ema.model(scenario, outcomes=["DPRK.food_security@2031-01"])
    with pytest.raises(sim.PeninsulaError, match="twice"):
        sim.ema.model(scenario, outcomes=["DPRK.food_security@2024-06", "DPRK.food_security@2024-06"])


def test_perform_experiments_gives_the_numbers_of_a_batch_on_the_same_design(tmp_path, scenario, np_global_seed):
    """EMA samples the design and runs it point by point; the batch runs EMA's design as a table: same numbers."""
    members, seed = 6, 11
    m = sim.ema.model(scenario, outcomes=SCALARS + [SERIES], members=members, seed=seed)
    # A joint LHS over levers and uncertainties: EMA samples each, and the two are zipped point by point.
    n = 5
    experiments, outcomes = ema.perform_experiments(m, scenarios=list(sample_uncertainties(m, n)),
                                                    policies=list(sample_levers(m, n)), combine="sample",
                                                    evaluator=ema.SequentialEvaluator(m))
    assert len(experiments) == n
    design = sim.ema.design_table(experiments, m)
    assert list(design.columns) == ["point"] + [f.path for f in sim.batch.factors(scenario)]
    assert set(design["params.china_aid_t_per_year"]) <= {100000, 300000, 600000}
    assert design.drop(columns="point").nunique().min() > 1   # every factor varies over the points

    month = scenario.dates().index(SCALARS[0].split("@")[1])
    batch_outcomes = [parse_outcome(o, scenario) for o in SCALARS] + \
        [parse_outcome(f"{SERIES}@{scenario.dates()[month]}", scenario)]
    # Partitions of 4 rows: parts cut across points, and points across parts.
    exp = Experiment(scenario, design, members, seed, batch_outcomes, partition_rows=4)
    run_experiment(exp, tmp_path / "batch")
    parts = pq.read_table(tmp_path / "batch" / "results").to_pandas()
    assert len(parts) == n * members
    means = parts.groupby("point", sort=True).mean()

    for col in SCALARS:
        got = outcomes[sim.ema.outcome_name(col)]
        assert got.shape == (n,)
        assert np.array_equal(got, means[col].to_numpy()), col   # bit for bit
    series = outcomes[sim.ema.outcome_name(SERIES)]
    assert series.shape == (n, scenario.months + 1)
    same_month = means[f"{SERIES}@{scenario.dates()[month]}"].to_numpy()
    assert np.allclose(series[:, month], same_month, rtol=1e-12, atol=0)
    # The summary that `peninsula batch` writes holds the same means.
    summary = pd.read_csv(tmp_path / "batch" / "summary.csv")
    for col in SCALARS:
        assert np.allclose(summary[f"{col}:mean"], outcomes[sim.ema.outcome_name(col)], rtol=1e-14, atol=0)


def test_a_point_is_members_0_to_n_of_the_seed(scenario):
    """The model's function is sim.run of members 0..n-1 with the point's values (the batch's replicates)."""
    m = sim.ema.model(scenario, outcomes=[SCALARS[0]], members=4, seed=5)
    point = {"params.war_intensity_target": 0.2, "params.war_volatility": 0.02}
    got = m.function(**point)[sim.ema.outcome_name(SCALARS[0])]
    month = scenario.dates().index(SCALARS[0].split("@")[1])
    plain = sim.run(sim.with_settings(scenario, point), members=4, seed=5).indicator("DPRK.food_security")[:, month]
    assert got == pytest.approx(float(np.mean(plain.astype(np.float64))), rel=1e-6)
    other = sim.ema.model(scenario, outcomes=[SCALARS[0]], members=4, seed=6).function(**point)
    assert other[sim.ema.outcome_name(SCALARS[0])] != got   # the seed reaches the members


def test_import_sim_does_not_need_ema_workbench():
    code = "import sys, sim, sim.ema; assert 'ema_workbench' not in sys.modules, 'imported'"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
