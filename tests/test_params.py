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
