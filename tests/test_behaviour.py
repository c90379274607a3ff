"""Actors against scripted opponents (Axelrod's ``versus_test``), and the what-ifs of the seeds.

Fix what the others do and check that an actor does what its interests say; run a what-if and
check that it moves the world the way the seeds' reasoning says. Runs compare member by member
under common random numbers (the same seed and members), so a difference is the scenario's, not
the dice's. Shares are over members and months of fixed-seed runs, so each test is
deterministic; the thresholds leave room for recalibration but not for the opposite behaviour.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.actors import ACTOR_CLASSES

MEMBERS = 200
SEED = 2024
OWN = ("scripted", "player", "between reviews")
"""Reasons of months in which the actor did not choose by its own review."""


def run(name_or_scenario, **settings) -> sim.Results:
    return sim.run(name_or_scenario, members=MEMBERS, seed=SEED, settings=settings or None)


def reviewed(res: sim.Results, actor: str) -> np.ndarray:
    """Member-months in which ``actor`` chose by its own review (bool, members x months)."""
    return ~np.isin(res.reasons(actor), OWN)


def share_of_reviews(res: sim.Results, actor: str, *moves: str) -> float:
    """Share of ``actor``'s own reviews that ended in one of ``moves``."""
    mine = reviewed(res, actor)
    return float(np.isin(res.choices(actor), moves)[mine].mean())


def reversals_per_month(series: np.ndarray) -> float:
    """Share of member-months in which a level changes against the direction of its previous change."""
    d = np.diff(series.astype(np.float64), axis=1)
    sign = np.sign(np.where(np.abs(d) < 1e-6, 0.0, d))
    turned = 0
    for row in sign:
        moves = row[row != 0]
        turned += int((moves[1:] * moves[:-1] < 0).sum())
    return turned / sign.size


def window(res: sim.Results, name: str, start: str, stop: str | None = None) -> np.ndarray:
    """Each member's mean of ``name`` from month ``start`` to ``stop`` (default the end)."""
    a = res.dates.index(start)
    b = res.dates.index(stop) + 1 if stop else None
    return res.indicator(name)[:, a:b].mean(axis=1)


def script(actor: str, option: str, start: str, stop: str) -> dict:
    return {"actor": actor, "option": option, "from": start, "to": stop}


@pytest.fixture(scope="module")
def base():
    return run("baseline")


# (a) Russia and the war ------------------------------------------------------------------------

def test_russia_buys_most_dprk_shells_while_the_war_is_intense(base):
    """s004-shell-shortage, s004-desperation: a Russia short of shells buys what Pyongyang offers."""
    level = window(base, "RUS.purchase_level", "2023-12", "2024-12")
    assert np.median(level) >= 0.75, f"median purchase level in 2024: {np.median(level):.2f}"


def test_russia_buys_less_when_there_is_no_war(derive):
    peace = derive({"events": [{"month": "2023-10", "label": "no war",
                                "set": {"world.war_intensity": 0.0, "params.war_intensity_target": 0.0}}]})
    res = run(peace)
    assert res.indicator("world.war_intensity")[:, 2:].mean() < 0.1  # the setting took
    assert np.median(window(res, "RUS.purchase_level", "2024-06")) < 0.5


# (b) the DPRK: soldiers, tests --------------------------------------------------------------------

def test_the_dprk_brings_its_soldiers_home_when_russia_stops_fighting(base):
    """s001-mutual-benefit: soldiers serve while the war pays; without it they come home."""
    peace = run("ceasefire")
    assert np.median(peace.indicator("DPRK.troops_abroad")[:, -1]) < 0.1 * np.median(
        base.indicator("DPRK.troops_abroad")[:, -1])


def test_the_dprk_never_makes_an_impossible_move(base):
    """A satellite launch needs space capability 0.5; the treaty comes before soldiers."""
    launch = base.choices("DPRK") == "launch_satellite"
    space = base.indicator("DPRK.space_capability")[:, :-1]
    assert not (launch & (space < 0.5)).any()
    deploy = base.choices("DPRK") == "deploy_more"
    treaty = base.indicator("world.mutual_assistance")[:, :-1]
    assert not (deploy & (treaty < 0.5)).any()


# (c) China and Pyongyang's provocations --------------------------------------------------------------

def test_china_pushes_back_when_the_dprk_crosses_its_red_lines(derive):
    """s003-red-lines, s003-serious-arguments: where its red lines weigh, Beijing answers crossings."""
    weigh = {"actors": {"CHN": {"weights": {"red_lines": 4.0}}}}
    provoking = run(derive({**weigh, "scripted": [script("DPRK", "test_more", "2023-09", "2023-12"),
                                                  script("DPRK", "keep", "2024-01", "2025-08")]}))
    quiet = run(derive({**weigh, "scripted": [script("DPRK", "test_less", "2023-09", "2023-09"),
                                              script("DPRK", "keep", "2023-10", "2025-08")]}))
    assert provoking.indicator("DPRK.missile_tests")[:, 5].min() >= 3  # the red line is crossed
    hard, soft = window(provoking, "CHN.pressure_on_dprk", "2024-01", "2025-08"), window(
        quiet, "CHN.pressure_on_dprk", "2024-01", "2025-08")
    assert (hard > soft).mean() > 0.8, f"China pressed harder in {(hard > soft).mean():.0%} of worlds"


# (d) the allies and missile tests ----------------------------------------------------------------------

def test_allies_feel_more_threatened_by_a_higher_test_tempo(derive):
    """s000-existential-threat, s000-missile-moratorium."""
    tests = run(derive({"scripted": [script("DPRK", "test_more", "2023-09", "2023-11"),
                                     script("DPRK", "keep", "2023-12", "2027-08")]}))
    quiet = run(derive({"scripted": [script("DPRK", "test_less", "2023-09", "2023-09"),
                                     script("DPRK", "keep", "2023-10", "2027-08")]}))
    for ally in ("ROK", "JPN"):
        hi, lo = window(tests, f"{ally}.threat_perception", "2024-01"), window(quiet, f"{ally}.threat_perception",
                                                                               "2024-01")
        assert (hi > lo).mean() > 0.9, ally


# (e) model v2's acceptance (issue 14) ------------------------------------------------------------------

def test_a_harvest_failure_raises_food_aid_from_russia_or_china(base):
    """Hunger raises the value of food (s001-financial-food, s001-rice, s000-buffer)."""
    harvest = run("harvest_failure")

    def aid(r):
        return window(r, "RUS.food_aid_level", "2025-09") + window(r, "CHN.aid_level", "2025-09")

    more = aid(harvest) - aid(base)
    assert more.mean() > 0.02, f"mean change in food aid: {more.mean():+.3f}"
    assert (more > 0).mean() > 5 * (more < 0).mean(), f"up in {(more > 0).mean():.0%}, down in {(more < 0).mean():.0%}"


def test_the_rice_lever_moves_food_security():
    """Russian rice covers more than half the grain gap when it comes (s001-rice)."""
    none, much = run("baseline", **{"params.rice_t_per_year": 0}), run("baseline", **{"params.rice_t_per_year": 1e6})
    gain = (much.indicator("DPRK.food_security")[:, 1:] - none.indicator("DPRK.food_security")[:, 1:]).mean(axis=1)
    assert np.median(gain) > 0.01, f"median gain in food security: {np.median(gain):+.3f}"


def test_a_ceasefire_cuts_russias_purchases(base):
    """Russia buys shells for a war that needs them (s004-shell-shortage, s004-less-incentive)."""
    peace = run("ceasefire")
    assert peace.indicator("RUS.purchase_level")[:, -12:].mean() < 0.5 * base.indicator(
        "RUS.purchase_level")[:, -12:].mean()


def test_a_ceasefire_weakens_the_russia_dprk_alignment(base):
    """Situational benefits fade with the war that made them (s004-less-incentive, s004-irritates)."""
    peace = run("ceasefire")
    drop = base.indicator("relations.RUS-DPRK")[:, -1] - peace.indicator("relations.RUS-DPRK")[:, -1]
    assert (drop > 0).mean() > 0.8


def test_china_uses_its_leverage_more_when_its_red_lines_are_crossed(base):
    """Beijing keeps its leverage for its red lines (s003-leverage, s003-red-lines)."""
    crossed = run("china_red_line")
    leverage = ("squeeze_trade", "warn_pyongyang", "pressure_moscow")
    assert share_of_reviews(base, "CHN", *leverage) < share_of_reviews(crossed, "CHN", *leverage)


def test_china_mostly_observes_in_the_baseline(base):
    """China 'silently observing' (s003-reproach): it keeps its posture in most of its reviews."""
    assert share_of_reviews(base, "CHN", "keep") > 0.8


def test_china_s_influence_does_not_fall_because_china_uses_it(derive):
    """Influence is structural (s003-reduce-influence): a squeeze spends none of it."""
    squeeze = run(derive({"scripted": [script("CHN", "squeeze_trade", "2024-09", "2024-10"),
                                       script("CHN", "keep", "2024-11", "2025-08")]}))
    never = run(derive({"scripted": [script("CHN", "keep", "2024-09", "2025-08")]}))
    k = squeeze.dates.index("2024-11")  # the squeeze has bitten: trade halved
    assert (squeeze.indicator("CHN.trade_level")[:, k] == 0.5).all()
    # Its direct effect, before the others answer it (Moscow may then step in: s002-dependence).
    gap = squeeze.indicator("CHN.influence_over_dprk")[:, k] - never.indicator("CHN.influence_over_dprk")[:, k]
    assert np.abs(gap).max() < 0.005, f"two months of squeeze moved influence by up to {np.abs(gap).max():.4f}"


def test_noise_decides_few_choices(base):
    """Calibrated noise: at most 15% of the reviews overall, and 25% for any actor, are the noise's."""
    shares = {c: float((base.reasons(c) == "unpredictability")[reviewed(base, c)].mean()) for c in sim.ACTORS}
    mine = sum(int(reviewed(base, c).sum()) for c in sim.ACTORS)
    overall = sum(int((base.reasons(c) == "unpredictability").sum()) for c in sim.ACTORS) / mine
    assert max(shares.values()) <= 0.25 and overall <= 0.15, (overall, shares)


def test_choices_follow_interests_not_noise(base):
    """Without any noise, the actors make (nearly) the same moves in the same worlds."""
    quiet = run("baseline", **{f"{c}.unpredictability": 0.0 for c in sim.ACTORS})
    agree = np.mean([(base.choice_index[c] == quiet.choice_index[c]).mean() for c in sim.ACTORS])
    assert agree > 0.9, f"the same move in {agree:.0%} of actor-member-months"


def test_the_seeds_picture_holds_without_noise():
    """With every actor's noise at 0: soldiers by the end of 2024 (s001-troops-sent), Russia buying
    (s004-shell-shortage), China's influence eroding (s003-reduce-influence), Moscow's trade share rising
    (s002-40pct)."""
    quiet = run("baseline", **{f"{c}.unpredictability": 0.0 for c in sim.ACTORS})
    k = quiet.dates.index("2025-01")
    assert np.median(quiet.indicator("DPRK.troops_abroad")[:, k]) >= 10_000
    assert (quiet.indicator("RUS.purchase_level")[:, 1:k] >= 0.75).mean() > 0.8
    influence = quiet.indicator("CHN.influence_over_dprk")
    assert (influence[:, -1] < influence[:, 0]).mean() > 0.8
    share = quiet.indicator("DPRK.russia_trade_share")
    assert (share[:, -1] > share[:, 0]).mean() > 0.8


def test_standing_policies_do_not_flip_flop(base):
    """A programme changes because someone decides it, and is not reversed at the next review."""
    for cls in ACTOR_CLASSES.values():
        for ins in cls.instruments:
            rate = reversals_per_month(base.indicator(ins.indicator))
            assert rate < 0.05, f"{ins.indicator} turns back in {rate:.1%} of months"
