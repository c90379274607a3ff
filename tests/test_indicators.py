"""The indicators: names, units, ranges, aliases, and the README that documents them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sim
from sim.indicators import (
    INDICATORS, KEY_INDICATORS, NAMES, PAIRS, canonical_indicator, format_change, format_value, unit_label,
)

ROOT = Path(__file__).resolve().parent.parent

REQUIRED = (
    "DPRK.food_security", "DPRK.hard_currency_usd", "DPRK.regime_security", "DPRK.missile_tests",
    "DPRK.troops_abroad", "DPRK.russia_trade_share", "RUS.munitions_shortfall", "RUS.payments_to_dprk_usd",
    "CHN.influence_over_dprk", "USA.regional_troops", "ROK.threat_perception", "JPN.threat_perception",
    "world.war_intensity", "relations.RUS-DPRK", "relations.CHN-DPRK", "relations.CHN-RUS",
)


@pytest.fixture(scope="module")
def run100(baseline):
    return sim.run(baseline, members=100, seed=42)


@pytest.mark.parametrize("name", REQUIRED)
def test_required_indicator_exists_with_unit_and_description(name):
    assert name in INDICATORS, f"no indicator {name}"
    ind = INDICATORS[name]
    assert ind.name == name
    assert isinstance(ind.unit, str) and ind.unit.strip(), f"{name} has no unit"
    assert isinstance(ind.description, str) and len(ind.description.split()) >= 3, \
        f"{name} has no description"


def test_every_indicator_is_described():
    for name, ind in INDICATORS.items():
        assert ind.unit.strip() and ind.description.strip(), name
        assert ind.low is None or ind.high is None or ind.low < ind.high, name
        assert (ind.low is None or ind.initial >= ind.low) and (ind.high is None or ind.initial <= ind.high), \
            f"{name}: default {ind.initial} outside its range"


def test_all_21_relation_pairs():
    assert len(PAIRS) == 21
    assert {f"relations.{p}" for p in PAIRS} <= set(INDICATORS)


def test_key_indicators_are_indicators():
    assert set(KEY_INDICATORS) <= set(INDICATORS)
    assert KEY_INDICATORS == sim.KEY_INDICATORS


def test_results_shape(run100, baseline):
    for name in NAMES:
        assert run100.indicator(name).shape == (100, baseline.months + 1)


@pytest.mark.parametrize("name", NAMES)
def test_indicator_stays_in_declared_range(run100, name):
    v = run100.indicator(name)
    ind = INDICATORS[name]
    assert np.isfinite(v).all(), f"{name} has non-finite values"
    if ind.low is not None:
        assert v.min() >= ind.low, f"{name} falls to {v.min()} below {ind.low}"
    if ind.high is not None:
        assert v.max() <= ind.high, f"{name} rises to {v.max()} above {ind.high}"


def test_relation_alias(run100):
    assert canonical_indicator("relations.DPRK-RUS") == "relations.RUS-DPRK"
    assert np.array_equal(run100.indicator("relations.DPRK-RUS"), run100.indicator("relations.RUS-DPRK"))


def test_unknown_indicator_is_a_key_error(run100):
    with pytest.raises(KeyError, match="DPRK.happiness"):
        run100.indicator("DPRK.happiness")
    with pytest.raises(KeyError):
        run100.indicator("relations.RUS-RUS")


def test_payments_are_cumulative(run100):
    pay = run100.indicator("RUS.payments_to_dprk_usd")
    assert (np.diff(pay, axis=1) >= 0).all(), "cumulative payments fell in some month"
    assert (pay[:, -1] > pay[:, 0]).all()


def test_every_indicator_is_named_in_the_readme():
    readme = ROOT / "README.md"
    assert readme.is_file(), "README.md is missing: it should document every indicator"
    text = readme.read_text(encoding="utf-8")
    def named(n):
        if n in text:
            return True
        if n.startswith("relations."):
            # the alias in the other order names it too, and so does a row for the whole
            # family (relations.A-B) that says it covers all 21 pairs
            a, b = n[len("relations."):].split("-")
            family = "relations.A-B" in text and "21 pairs" in text
            return f"relations.{b}-{a}" in text or family
        return False

    missing = [n for n in NAMES if not named(n)]
    assert not missing, f"indicators not named in README.md: {missing}"


@pytest.mark.parametrize(("value", "unit", "shown"), [
    (1_000_000, "t", "1,000,000 t"), (11.44e9, "USD", "$11.4 bn"), (0.62, "share", "62%"), (0.041, "share", "4.1%"),
    (3.0e8, "USD/month", "$300 m/month"), (999.7e6, "USD", "$1.00 bn"), (2_000, "USD/soldier/month", "$2,000/soldier/month"),
    (82_500, "soldiers", "82,500 soldiers"), (0.6123, "index", "0.612"), (-0.35, "alignment", "-0.350"),
    (0.00042, "1/month", "0.00042"), (1e6, "index", "1,000,000"), (float("nan"), "share", "n/a"),
])
def test_values_read_like_numbers(value, unit, shown):
    assert format_value(value, unit) == shown


@pytest.mark.parametrize(("value", "unit", "shown"), [
    (0.031, "share", "+3.1 pp"), (-0.2, "share", "-20.0 pp"), (0.0, "share", "0.0 pp"), (-1.476e8, "USD", "-$148 m"),
    (2.5e9, "USD", "+$2.50 bn"), (1200, "soldiers", "+1,200 soldiers"), (0.012, "index", "+0.012"),
    (-0.012, "alignment", "-0.012"), (0.0, "index", "0.000"),
])
def test_changes_are_signed_and_shares_change_in_percentage_points(value, unit, shown):
    assert format_change(value, unit) == shown


def test_no_number_is_written_with_an_exponent():
    import re
    for unit in {ind.unit for ind in INDICATORS.values()} | {"1/month", "t/year", "utility"}:
        for v in (0.0, 1e-9, 3e-7, 0.5, 1e6, 1e7, 4.2e12, 1e15):
            for text in (format_value(v, unit), format_value(-v, unit), format_change(v, unit), format_change(-v, unit)):
                assert not re.search(r"\de[+-]?\d", text), (unit, v, text)


def test_unit_labels_give_the_range_shown():
    assert unit_label("DPRK.food_security") == "DPRK.food_security (%, 0 to 100%)"
    assert unit_label("relations.RUS-DPRK") == "relations.RUS-DPRK (alignment, -1 to 1)"
    assert unit_label("USA.regional_troops") == "USA.regional_troops (soldiers)"
