"""The baseline's figures from the seed articles come out of the model, each with its claim id.

Mechanics (the arithmetic of a month, exact to single precision):

* grain: "less than 4 million tons" against a need one million tonnes higher
  (s001-grain-under-4mt, s001-grain-gap): food security 0.8;
* rice: 600-700 kt of Russian rice "cover more than half" of the gap (s001-rice);
* soldiers: 10,000 at $2,000 a month, $240 m a year (s001-pay-2000, s001-10000-200m).

Dynamics (what the actors' decisions give, from zero at the September 2023 summit):

* payments: about $5.5 bn by the end of 2024, +-20% (s000-paid-5-5bn);
* deliveries: about 300,000 shell-equivalents a month (s003-4800-shells, read as ~4.8 million
  over ~16 months);
* soldiers: at least 10,000 by the end of 2024 (s001-troops-sent);
* food security below 1 before any rice (s001-grain-gap);
* Russia's share of the DPRK's trade rising towards 40% (s002-40pct).
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.indicators import INDICATORS

NEED = 5.0e6
# The model computes in single precision (sim.indicators.FLOAT, 24-bit significands): a
# figure, or a difference of two, comes out right to a few parts in ten million.
EXACT = dict(rtol=1e-6, atol=0)
FIRST = {"months": ["2023-09"]}
# Only domestic grain and what Russia ships: no Chinese trade grain, no imports bought with cash.
GRAIN_ONLY = {"params.grain_production_t": 4.0e6, "params.china_trade_food_t": 0.0,
              "params.food_import_share": 0.0}


def test_baseline_grain_figures(baseline):
    assert baseline.params["grain_production_t"] == 4.0e6
    assert baseline.params["grain_need_t"] == NEED
    assert baseline.params["rice_t_per_year"] == 650_000
    assert baseline.initial.get("DPRK.food_security", INDICATORS["DPRK.food_security"].initial) == pytest.approx(
        4.0e6 / NEED)


def test_food_security_starts_at_0_8(baseline):
    res = sim.run(baseline, members=20, seed=1)
    assert np.allclose(res.indicator("DPRK.food_security")[:, 0], 0.8)


def test_grain_gap_gives_0_8_in_the_resolve(derive):
    """With no rice, no Chinese aid or trade grain and no imports, the month gives 4 / 5."""
    sc = derive({"scripted": [{"actor": "RUS", "option": "keep", **FIRST},
                              {"actor": "CHN", "option": "keep", **FIRST}]}, months=6)
    res = sim.run(sc, members=10, seed=1, overrides=GRAIN_ONLY)
    assert np.allclose(res.indicator("DPRK.food_security")[:, 1], 0.8, **EXACT)


def _rice_pair(derive, overrides=None, members=20):
    """Food security with Russia's rice programme stepped up to full in four months, less without."""
    runs = {}
    for move in ("ship_more_rice", "keep"):
        sc = derive({"scripted": [{"actor": "RUS", "option": move, "from": "2023-09", "to": "2023-12"},
                                  {"actor": "RUS", "option": "keep", "from": "2024-01", "to": "2024-02"}]},
                    months=6)
        runs[move] = sim.run(sc, members=members, seed=5, overrides=overrides)
    return (runs["ship_more_rice"].indicator("DPRK.food_security")
            - runs["keep"].indicator("DPRK.food_security"))


def test_a_full_rice_programme_is_650_kt_a_year(derive):
    gain = _rice_pair(derive, overrides=GRAIN_ONLY)
    assert np.allclose(gain[:, 4] * NEED, 650_000, **EXACT)  # four steps: the full programme
    assert np.allclose(gain[:, 1] * NEED, 650_000 / 4, **EXACT)  # one step: a quarter


def test_russian_rice_covers_more_than_half_the_gap(derive):
    """s001-rice: 600-700 kt "will be enough to satisfy ... half of the DPRK's annual demand" (read as the gap)."""
    gap = NEED - 4.0e6
    full = _rice_pair(derive, members=100)[:, 4:]
    assert full.mean() * NEED > 0.5 * gap, f"the full programme adds {full.mean() * NEED:,.0f} t/yr"


def _troop_pair(derive):
    """Russia's payments in a month with 10,000 DPRK soldiers abroad, less without (the war on)."""
    out = {}
    for troops, level in ((10_000, 0.25), (0, 0.0)):
        sc = derive({"events": [{"month": "2023-09", "label": "soldiers",
                                 "set": {"DPRK.troops_abroad": troops, "DPRK.deployment_level": level,
                                         "world.war_intensity": 0.8}}],
                     "scripted": [{"actor": a, "option": "keep", **FIRST} for a in sim.ACTORS]}, months=6)
        out[troops] = sim.run(sc, members=20, seed=3, overrides={"params.war_volatility": 0.0})
    return (out[10_000].indicator("RUS.monthly_payments_usd")[:, 1]
            - out[0].indicator("RUS.monthly_payments_usd")[:, 1])


def test_10000_soldiers_cost_240_million_a_year(derive):
    """s001-pay-2000, s001-10000-200m: $2,000 a month each; 10,000 cost more than $200 m a year."""
    extra = _troop_pair(derive)
    assert np.allclose(extra, 20e6, **EXACT)
    assert np.allclose(12 * extra, 240e6, **EXACT)


# The seeds' figures that the baseline reproduces from its dynamics (medians over 300 worlds).

@pytest.fixture(scope="module")
def baseline_300(baseline):
    return sim.run(baseline, members=300, seed=7)


def test_the_baseline_starts_at_the_vostochny_summit_with_nothing_paid(baseline_300):
    """s000-paid-5-5bn: the $5.5 bn must come out of the dynamics, from zero at the September 2023 summit."""
    assert baseline_300.dates[0] == "2023-09" and baseline_300.dates[-1] >= "2027-06"
    assert (baseline_300.indicator("RUS.payments_to_dprk_usd")[:, 0] == 0).all()
    assert (baseline_300.indicator("DPRK.troops_abroad")[:, 0] == 0).all()


def test_payments_reach_about_5_5_bn_by_the_end_of_2024(baseline_300):
    """s000-paid-5-5bn: "Moscow could have already paid the DPRK 5.5 billion dollars" (+-20%)."""
    k = baseline_300.dates.index("2025-01")  # the state at the end of December 2024
    median = float(np.median(baseline_300.indicator("RUS.payments_to_dprk_usd")[:, k]))
    assert 4.4e9 <= median <= 6.6e9, f"median cumulative payments by the end of 2024: ${median / 1e9:.2f} bn"


def test_at_least_10000_soldiers_by_the_end_of_2024(baseline_300):
    """s001-troops-sent, s001-10000-200m: at least 10,000 soldiers abroad by the end of 2024."""
    k = baseline_300.dates.index("2025-01")
    assert np.median(baseline_300.indicator("DPRK.troops_abroad")[:, k]) >= 10_000


def test_deliveries_are_about_300000_a_month_while_russia_buys(baseline_300):
    """s003-4800-shells (read as about 300,000 shell-equivalents a month over about 16 months)."""
    shells = baseline_300.indicator("DPRK.shells_exported")[:, 1:17]
    assert np.median(shells) == pytest.approx(300_000, rel=0.15)


def test_food_security_is_below_1_before_any_rice(baseline_300):
    """s001-grain-gap: the DPRK lacks about a million tonnes a year before Russian rice."""
    rice = np.maximum(baseline_300.indicator("RUS.food_aid_level"), 0)[:, :-1]
    food = baseline_300.indicator("DPRK.food_security")[:, :-1]
    assert (food[rice == 0] < 1).all()


def test_russias_share_of_dprk_trade_rises_towards_40_percent(baseline_300):
    """s002-40pct, s002-china-reliance: Russia's share of the DPRK's trade rises towards 40%."""
    share = np.median(baseline_300.indicator("DPRK.russia_trade_share"), axis=0)
    assert share[-1] > share[0] and share.max() >= 0.35
