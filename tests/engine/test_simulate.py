"""sim.engine.simulate: the one run loop, and the stepping door (Simulation) the game uses."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.engine import Setup, Simulation, simulate


def test_simulate_a_slice_of_members_equals_those_members_of_the_whole(short_baseline):
    setup = Setup.build(short_baseline, 12, 4)
    whole = simulate(setup)
    part = simulate(setup, slice(5, 9))
    assert list(part.member_ids) == [5, 6, 7, 8]
    assert np.array_equal(part.history, whole.history[..., 5:9])


def test_stepping_with_no_outside_choice_is_simulate(short_baseline):
    setup = Setup.build(short_baseline, 10, 4)
    run = Simulation(setup)
    while not run.finished:
        run.step()
    assert np.array_equal(run.results().history, simulate(setup).history)
    with pytest.raises(ValueError, match="horizon"):
        run.step()


def test_advise_and_preview_change_nothing_and_advise_is_the_rule(derive):
    quiet = derive({"actors": {c: {"unpredictability": 0.0} for c in sim.ACTORS}}, months=12)
    run = Simulation(Setup.build(quiet, 8, 2))
    card = run.advise("CHN")
    assert card.options[0] == "keep"
    assert card.contributions.shape == (len(card.interests), len(card.options), 8)
    assert card.score.shape == card.cost.shape == card.possible.shape == (len(card.options), 8)
    # a move's score is its projected value less what it costs; keep costs nothing
    assert np.allclose(card.score, card.contributions.sum(axis=0) - card.cost, atol=1e-6)
    assert (card.cost[0] == 0).all() and (card.cost[1:] > 0).all()
    # the best move is the highest-scoring possible one
    masked = np.where(card.possible, card.score, -np.inf)
    assert np.array_equal(card.best, masked.argmax(axis=0))
    assert card.possible[card.best, np.arange(8)].all()
    keep = run.preview("DPRK", "keep")["DPRK.missile_tests"]
    assert (run.preview("DPRK", "test_more")["DPRK.missile_tests"] > keep).all()
    assert (run.preview("DPRK", "test_less")["DPRK.missile_tests"] < keep).all()
    run.step()
    other = Simulation(Setup.build(quiet, 8, 2))
    other.step()
    assert np.array_equal(run.results().history, other.results().history)  # advice and previews changed nothing
    chosen = run.results().choice_index["CHN"][0]
    assert np.array_equal(chosen, card.best)  # without noise, the rule takes the advised best move
    assert not (run.results().reasons("CHN") == "unpredictability").any()


def test_a_choice_from_outside_is_played_and_labelled(short_baseline):
    run = Simulation(Setup.build(short_baseline, 6, 1))
    before = run.results().indicator("RUS.food_aid_level")[:, 0]
    run.step({"RUS": "ship_more_rice", "DPRK": None})
    res = run.results()
    assert (res.choices("RUS") == "ship_more_rice").all() and (res.reasons("RUS") == "player").all()
    assert not (res.reasons("DPRK") == "player").any()
    after = res.indicator("RUS.food_aid_level")[:, 1]
    assert np.allclose(after, before + run.params["posture_step"])  # the rice programme stepped up


def test_setup_checks_members_and_seed_once(short_baseline):
    for bad in (0, -3, [], [1, 1], [0.5], True):
        with pytest.raises(sim.PeninsulaError, match="member"):
            Setup.build(short_baseline, bad, 1)
    for bad in (-1, 2**63, 1.5, True):
        with pytest.raises(sim.PeninsulaError, match="seed"):
            Setup.build(short_baseline, 2, bad)
    setup = Setup.build(short_baseline, [3, 3], 1, overrides={"params.war_intensity_target": [0.1, 0.9]})
    assert list(setup.member_ids) == [3, 3]  # the same member under two parameter values: a design
