"""sim.engine.choose: the choosing rule of model v2.

Concave utilities, horizon weights that sum to 1, moves that are never chosen where they are
impossible, reviews on a cadence (a month between reviews keeps, with the reason "between
reviews"), and a stacked projection whose scores for an actor do not depend on which other
actors, or which other members, share it.
"""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.actors import ACTOR_CLASSES
from sim.engine import Setup
from sim.engine.choose import (
    KEEP_INDEX,
    REASON_BETWEEN,
    REASON_EXTERNAL,
    REASON_LABELS,
    REASON_NOISE,
    REASON_SCRIPTED,
    horizon,
    horizon_weights,
    possible_moves,
    project,
    reason_labels,
    utility,
)
from sim.data import SCENARIO_DIR
from sim.engine.model import PeninsulaModel
from sim.errors import PeninsulaError
from sim.indicators import INDEX, NAMES

SEED = 11
unit = st.floats(0.0, 1.0, allow_nan=False)


def _derived(changes: dict, months: int) -> sim.Scenario:
    """The baseline with changes, cut to ``months`` (module fixtures cannot use the ``derive`` fixture)."""
    text = yaml.safe_dump({"extends": "baseline", "months": months, **changes}, sort_keys=False)
    return sim.load_scenario_text(text, "derived.yaml", base_dir=SCENARIO_DIR)


# -- utility -------------------------------------------------------------------------------------------------------

@given(a=unit, b=unit)
@settings(max_examples=200, deadline=None)
def test_utility_maps_the_unit_interval_onto_itself_concave_and_increasing(a, b):
    ua, ub = float(utility(np.float64(a))), float(utility(np.float64(b)))
    assert 0.0 <= ua <= 1.0 and 0.0 <= ub <= 1.0
    assert ua >= a - 1e-12  # above the chord from (0, 0) to (1, 1): a shortfall hurts more than a surplus helps
    if a < b:
        assert ua <= ub
    mid = float(utility(np.float64((a + b) / 2)))
    assert mid >= (ua + ub) / 2 - 1e-12


def test_utility_ends_and_slopes():
    x = np.linspace(0.0, 1.0, 101, dtype=np.float32)
    u = utility(x)
    assert u.dtype == np.float32  # the model's number type is kept
    assert u[0] == 0.0 and u[-1] == 1.0
    slopes = np.diff(u)
    assert (slopes > 0).all() and (np.diff(slopes) < 0).all()  # strictly increasing, strictly concave
    assert slopes[0] > 1.5 * (x[1] - x[0])  # near 0 a gain is worth far more than its size


# -- the horizon ----------------------------------------------------------------------------------------------------

@given(d=st.floats(0.0, 0.99), months=st.integers(1, 12))
@settings(max_examples=200, deadline=None)
def test_horizon_weights_sum_to_one(d, months):
    w = horizon_weights({"discount": d}, months)
    assert len(w) == months
    assert all(float(x) >= 0.0 for x in w)
    assert abs(sum(float(x) for x in w) - 1.0) < 1e-5


def test_horizon_weights_per_member_sum_to_one_member_by_member():
    d = np.array([0.0, 0.5, 0.9, 0.99], dtype=np.float32)
    w = horizon_weights({"discount": d}, 3)
    total = sum(np.asarray(x, dtype=np.float64) for x in w)
    assert total.shape == d.shape
    assert np.allclose(total, 1.0, atol=1e-6)
    assert np.allclose(np.asarray(w[-1]), d.astype(np.float64) ** 2)  # the terminal month holds d**(H-1)


@pytest.mark.parametrize("bad", [0, 2.5, -1, np.array([3.0, 4.0])])
def test_horizon_must_be_one_whole_number_of_months(bad):
    with pytest.raises(PeninsulaError, match="horizon_months"):
        horizon({"horizon_months": bad})
    assert horizon({"horizon_months": np.array([4.0, 4.0])}) == 4


# -- reason codes ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", sim.ACTORS)
def test_reason_codes_index_the_reason_labels(code):
    labels = reason_labels(code)
    assert labels[:len(ACTOR_CLASSES[code].interests)] == list(ACTOR_CLASSES[code].interest_names())
    for reason in (REASON_BETWEEN, REASON_EXTERNAL, REASON_SCRIPTED, REASON_NOISE):
        assert labels[reason] == REASON_LABELS[reason]
    assert labels[REASON_BETWEEN] == "between reviews" and labels[REASON_NOISE] == "unpredictability"


# -- a run with loud noise: every possible move gets chosen somewhere ----------------------------------------------

@pytest.fixture(scope="module")
def noisy():
    """The baseline over 24 months with noise that swamps the scores: choices near uniform over possible moves."""
    sc = _derived({"actors": {c: {"unpredictability": 1.0} for c in sim.ACTORS}}, months=24)
    model = PeninsulaModel(Setup.build(sc, 60, SEED))
    model.run_model()
    return model


@pytest.mark.parametrize("code", sim.ACTORS)
def test_a_move_impossible_in_a_world_is_never_chosen_there(noisy, code):
    m = noisy
    impossible_seen = 0
    for t in range(m.months):
        state = {name: m.history[t, i] for i, name in enumerate(NAMES)}  # the month's start, its events applied
        possible = possible_moves(code, state)
        chosen = m.choice_history[code][t].astype(np.int64)
        ok = possible[chosen, np.arange(m.n_members)]
        assert ok.all(), (f"{code} month {t}: {ACTOR_CLASSES[code].option_names()[chosen[~ok][0]]} chosen where "
                          "it is impossible")
        impossible_seen += int((~possible).sum())
    if code in ("DPRK", "CHN", "RUS"):
        assert impossible_seen, f"no move of {code} was ever impossible: the test checked nothing"


def test_a_move_that_requires_something_is_chosen_only_once_it_is_met(noisy):
    """The DPRK sends soldiers only under the mutual-assistance treaty (June 2024), and noise does choose it then."""
    m = noisy
    deploy = ACTOR_CLASSES["DPRK"].option_index("deploy_more")
    requirement = ACTOR_CLASSES["DPRK"].options[deploy].requires
    assert (requirement.indicator, requirement.minimum) == ("world.mutual_assistance", 0.5)
    met = m.history[:m.months, INDEX[requirement.indicator]] >= requirement.minimum  # (months, members)
    chosen = m.choice_history["DPRK"] == deploy
    assert (~met).any() and met.any(), "the run should hold months with and without the treaty"
    assert not (chosen & ~met).any()
    assert (chosen & met).any(), "deploy_more was never chosen where possible: the rule could not reach it"


def _event_months(model: PeninsulaModel) -> set[int]:
    return set(model.setup.events)


@pytest.mark.parametrize("code", sim.ACTORS)
def test_a_world_between_reviews_keeps_with_the_reason_between_reviews(noisy, code):
    m = noisy
    reason, choice = m.reason_history[code], m.choice_history[code]
    between = reason == REASON_BETWEEN
    assert between.any(), f"{code} reviewed every month: no cadence"
    assert (choice[between] == KEEP_INDEX).all(), "a month between reviews did not keep"
    events = _event_months(m)
    assert not between[0].any() and not any(between[t].any() for t in events if t < m.months), \
        "the first month and event months are review months"
    # The posture persists between reviews: the actor's instruments do not move (no event next month).
    for t in range(m.months - 1):
        if t + 1 in events:
            continue
        for ins in ACTOR_CLASSES[code].instruments:
            before, after = m.history[t, INDEX[ins.indicator]], m.history[t + 1, INDEX[ins.indicator]]
            assert np.array_equal(after[between[t]], before[between[t]]), (code, t, ins.indicator)
    if not ACTOR_CLASSES[code].red_lines:
        # Without red lines, reviews come on a cadence: a month is a review month for all members or for none,
        # and outside event months the review months are one residue class of the actor's review period.
        period = ACTOR_CLASSES[code].review_months
        quiet = [t for t in range(m.months) if t not in events]
        for t in quiet:
            assert between[t].all() or not between[t].any(), (code, t)
        residues = {t % period for t in quiet if not between[t].any()}
        assert len(residues) == 1, (code, residues)


def test_reviews_are_staggered_across_actors(noisy):
    m = noisy
    events = _event_months(m)
    reviewing = {code: frozenset(t for t in range(m.months) if t not in events
                                 and not (m.reason_history[code][t] == REASON_BETWEEN).all())
                 for code in sim.ACTORS}
    assert len(set(reviewing.values())) > 1, "every actor reviews in the same months"


def test_noise_is_named_only_where_it_overturned_the_best_move(noisy):
    """Noise this loud overturns most choices; the reason says so, and only in review months."""
    m = noisy
    for code in sim.ACTORS:
        reason = m.reason_history[code]
        noise = reason == REASON_NOISE
        assert noise.any(), code
        assert not (noise & (reason == REASON_BETWEEN)).any()


# -- the stacked projection ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def stepped():
    """Two models of the baseline after 10 months: 40 members, and member 37 alone."""
    sc = _derived({}, months=24)
    many = PeninsulaModel(Setup.build(sc, 40, SEED))
    alone = PeninsulaModel(Setup.build(sc, [37], SEED))
    for _ in range(10):
        many.step()
        alone.step()
    for name in NAMES:
        assert np.array_equal(many.state[name][37:38], alone.state[name]), name
    return many, alone


def test_an_actors_scores_do_not_depend_on_the_actors_projected_with_it(stepped):
    m, _ = stepped
    t = m.month_index
    together = project(m.state, m.params, t, list(sim.ACTORS), m.weight_shares).contributions
    for code in sim.ACTORS:
        alone = project(m.state, m.params, t, [code], m.weight_shares).contributions[code]
        cls = ACTOR_CLASSES[code]
        assert alone.shape == (len(cls.interests), len(cls.options), m.n_members)
        assert np.array_equal(alone, together[code]), f"{code}: its scores change with the other actors projected"
        pair = project(m.state, m.params, t, [code, "UKR" if code != "UKR" else "DPRK"], m.weight_shares)
        assert np.array_equal(pair.contributions[code], alone), code
        assert np.ptp(alone.sum(axis=0), axis=0).max() > 0, f"{code}: every move scores the same"


def test_an_actors_scores_for_a_member_do_not_depend_on_the_other_members(stepped):
    many, alone = stepped
    t = many.month_index
    big = project(many.state, many.params, t, list(sim.ACTORS), many.weight_shares).contributions
    one = project(alone.state, alone.params, t, list(sim.ACTORS), alone.weight_shares).contributions
    for code in sim.ACTORS:
        assert np.array_equal(big[code][..., 37:38], one[code]), code


def test_projection_values_are_weighted_utilities_in_the_unit_interval(stepped):
    m, _ = stepped
    out = project(m.state, m.params, m.month_index, list(sim.ACTORS), m.weight_shares).contributions
    for code, contrib in out.items():
        value = contrib.sum(axis=0)  # (moves, members): a move's value before its cost
        assert np.isfinite(value).all()
        assert value.min() >= 0.0 and value.max() <= 1.0 + 1e-5, code


def test_the_projection_changes_nothing_in_the_state(stepped):
    m, _ = stepped
    before = {name: m.state[name].copy() for name in NAMES}
    project(m.state, m.params, m.month_index, list(sim.ACTORS), m.weight_shares)
    assert all(np.array_equal(before[name], m.state[name]) for name in NAMES)
