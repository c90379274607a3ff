"""sim.params: every world parameter is backed by a claim, or marked as an assumption with its reasoning."""

from __future__ import annotations

import pytest

from sim.actors import ACTOR_CLASSES
from sim.indicators import INDICATORS
from sim.params import PARAMS
from sim.scenario.evidence import assumptions, load_claims


@pytest.mark.parametrize("name", list(PARAMS))
def test_every_parameter_cites_a_claim_or_says_it_is_an_assumption(name):
    p = PARAMS[name]
    claims = load_claims()
    assert all(c in claims for c in p.claims), f"params.{name} cites an unknown claim"
    assert p.claims or p.assumption.strip(), f"params.{name}: no claim backs it and it is not marked as an assumption"
    assert "assumption" not in p.description.lower(), \
        f"params.{name}: the description says 'assumption'; put the reasoning in the assumption field"
    assert p.low <= p.default <= p.high, f"params.{name}: the default lies outside its range"


@pytest.mark.parametrize("name", list(INDICATORS))
def test_every_starting_value_cites_a_claim_or_says_it_is_an_assumption(name):
    ind = INDICATORS[name]
    assert ind.claims or ind.assumption.strip(), f"initial.{name}: no claim and no assumption"


def test_the_assumptions_are_collected_with_their_live_values():
    found = {a.path: a for a in assumptions()}
    for name, p in PARAMS.items():
        assert (f"params.{name}" in found) == bool(p.assumption), name
        if p.assumption:
            assert found[f"params.{name}"].value == p.default
    for code, cls in ACTOR_CLASSES.items():
        assert cls.unpredictability_claims or cls.unpredictability_assumption, \
            f"{code}.unpredictability: no claim and no assumption"
        assert (f"{code}.unpredictability" in found) == bool(cls.unpredictability_assumption), code


def test_every_parameter_is_read_by_the_model():
    """No dead parameter: each is read somewhere in sim/ as p["NAME"] (v2 removed those the model no longer uses)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "sim"
    source = "".join(f.read_text(encoding="utf-8") for f in root.rglob("*.py") if f.name != "params.py")
    unread = [n for n in PARAMS if f'"{n}"' not in source and f"'{n}'" not in source]
    assert not unread, f"parameters nothing reads: {unread}"


def test_the_choosing_rule_parameters_are_sane():
    """The look-ahead is a whole number of months (at least one), discounting is below 1, a move steps something."""
    h = PARAMS["horizon_months"]
    assert h.default == round(h.default) and 1 <= h.low <= h.default <= h.high
    assert 0 <= PARAMS["discount"].low and PARAMS["discount"].high < 1
    assert PARAMS["posture_step"].low > 0 and PARAMS["posture_step"].high <= 1
    for name in ("switching_cost", "act_cost"):
        assert PARAMS[name].low >= 0, name
