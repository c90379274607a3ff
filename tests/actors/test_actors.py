"""The seven actors: instruments, moves and interests declared as data, one module each; Mesa agents in the model."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import mesa
import numpy as np
import pytest

from sim.actors import ACTOR_CLASSES
from sim.actors.base import KEEP, Actor, Move
from sim.engine.model import PeninsulaModel
from sim.indicators import ACTORS, INDICATORS, NAMES

ROOT = Path(__file__).resolve().parents[2]
CODES = ("DPRK", "RUS", "CHN", "USA", "ROK", "JPN", "UKR")
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")

REQUIRED_OPTIONS = {
    "DPRK": {"keep", "export_more", "export_less", "deploy_more", "recall_troops", "test_more", "test_less",
             "launch_satellite", "court_china", "engage_us"},
    "RUS": {"keep", "buy_more", "buy_less", "ship_more_rice", "ship_less_rice", "transfer_more_tech",
            "transfer_less_tech", "shield_at_un", "lift_shield", "court_china"},
    "CHN": {"keep", "squeeze_trade", "reopen_trade", "more_aid", "less_aid", "warn_pyongyang", "ease_pressure",
            "pressure_moscow"},
    "USA": {"keep", "reinforce_region", "draw_down", "more_aid_ukraine", "less_aid_ukraine", "tighten_sanctions",
            "ease_sanctions", "offer_talks"},
    "ROK": {"keep", "request_us_presence", "build_defences", "ease_defences", "engage_china", "more_aid_ukraine",
            "less_aid_ukraine"},
    "JPN": {"keep", "request_us_presence", "build_defences", "ease_defences", "engage_china"},
    "UKR": {"keep", "strike_more", "strike_less", "lobby_more", "lobby_less", "publicise_dprk_arms"},
}
RULES_SOURCE = (ROOT / "sim" / "engine" / "rules.py").read_text(encoding="utf-8")


def test_seven_actors_in_order():
    assert tuple(ACTOR_CLASSES) == CODES
    assert ACTORS == CODES


@pytest.mark.parametrize("code", CODES)
def test_actor_is_declared_in_its_own_module(code):
    cls = ACTOR_CLASSES[code]
    assert issubclass(cls, Actor) and not issubclass(cls, mesa.Agent)  # data; the engine makes the agents
    assert cls.code == code
    module = f"sim.actors.{code.lower()}"
    assert cls.__module__ == module
    assert (ROOT / "sim" / "actors" / f"{code.lower()}.py").is_file()
    assert getattr(importlib.import_module(module), code) is cls
    assert cls.__doc__ and cls.__doc__.strip()
    assert cls.title


@pytest.mark.parametrize("code", CODES)
def test_enough_interests_and_options(code):
    cls = ACTOR_CLASSES[code]
    assert len(cls.interests) >= 3, cls.interest_names()
    assert len(cls.options) >= 4, cls.option_names()


@pytest.mark.parametrize("code", CODES)
def test_keep_is_the_first_move_and_the_only_one_that_does_nothing(code):
    cls = ACTOR_CLASSES[code]
    assert cls.moves is cls.options  # the moves are the options (one recorded move a month)
    keep = cls.options[0]
    assert keep.name == KEEP == cls.status_quo
    assert not keep.changes and not keep.relations and keep.requires is None and not keep.is_act
    for move in cls.options[1:]:
        # Every other move steps an instrument, moves a relation, or is read by a rule of the world.
        read = f'_is(C, "{code}", "{move.name}")' in RULES_SOURCE
        assert move.changes or move.relations or read, f"{code}.{move.name} does nothing"
        assert move.is_act == (not move.changes)


def test_an_actor_whose_first_move_is_not_keep_is_refused():
    with pytest.raises(ValueError, match="keep"):
        type("Bad", (Actor,), {"code": "BAD", "moves": (Move("act", "An act.", ("c",)), Move("keep", "Keep.", ("c",)))})
    with pytest.raises(ValueError, match="keep"):
        type("Bad", (Actor,), {"code": "BAD", "moves": (Move("keep", "Keep.", ("c",), changes={"X.y": 1}),)})


@pytest.mark.parametrize("code", CODES)
def test_instruments_are_indicators_in_the_unit_interval_that_moves_step_both_ways(code):
    cls = ACTOR_CLASSES[code]
    mine = {i.indicator for i in cls.instruments}
    assert mine, f"{code} has no instrument: it could hold no posture"
    for ins in cls.instruments:
        assert ins.indicator in INDICATORS, ins.indicator
        assert ins.indicator.startswith(f"{code}."), f"{code} holds another actor's instrument {ins.indicator}"
        assert 0.0 <= ins.low < ins.high <= 1.0, ins
        assert ins.description.strip() and ins.claims, ins.indicator
        steps = {m.changes[ins.indicator] for m in cls.options if ins.indicator in m.changes}
        assert steps == {1, -1}, f"{code}: {ins.indicator} is stepped by {steps}: it must go up and down"
    for move in cls.options:
        assert set(move.changes) <= mine, f"{code}.{move.name} changes what is not its instrument"
        assert all(v in (1, -1) for v in move.changes.values()), move
        if move.requires is not None:
            assert move.requires.indicator in INDICATORS, move.requires
            assert move.requires.reason.strip()


@pytest.mark.parametrize("code", CODES)
def test_names_are_snake_case_and_unique(code):
    cls = ACTOR_CLASSES[code]
    for name in cls.option_names() + cls.interest_names():
        assert SNAKE.match(name), f"{code}: {name!r} is not snake_case"
    assert len(set(cls.option_names())) == len(cls.options)
    assert len(set(cls.interest_names())) == len(cls.interests)


@pytest.mark.parametrize("code", CODES)
def test_required_options_exist(code):
    missing = REQUIRED_OPTIONS[code] - set(ACTOR_CLASSES[code].option_names())
    assert not missing, f"{code} lacks moves {sorted(missing)}"


@pytest.mark.parametrize("code", CODES)
def test_declarations_are_complete(code):
    cls = ACTOR_CLASSES[code]
    assert cls.status_quo in cls.option_names()
    assert 0 <= cls.unpredictability <= 1
    for opt in cls.options:
        assert opt.description.strip(), f"{code}.{opt.name} has no description"
    for intr in cls.interests:
        assert intr.description.strip(), f"{code}.{intr.name} has no description"
        assert intr.weight >= 0
        assert callable(intr.score)
    assert sum(i.weight for i in cls.interests) > 0


@pytest.fixture(scope="module")
def finished_model(baseline):
    model = PeninsulaModel(baseline, 50, 42)
    model.run_model()
    assert model.month_index == baseline.months
    return model


def test_model_holds_one_mesa_agent_per_actor(finished_model):
    agents = list(finished_model.agents)
    assert [a.code for a in agents] == list(CODES)
    assert all(isinstance(a, mesa.Agent) for a in agents)
    assert [a.spec for a in agents] == [ACTOR_CLASSES[c] for c in CODES]


@pytest.mark.parametrize("code", CODES)
def test_interests_score_in_unit_interval_on_real_states(finished_model, code):
    model = finished_model
    history = model.history  # (months + 1, indicators, members)
    for t in range(history.shape[0]):
        state = {name: history[t, i, :] for i, name in enumerate(NAMES)}
        for intr in ACTOR_CLASSES[code].interests:
            score = np.broadcast_to(np.asarray(intr.score(state, model.params), dtype=np.float64),
                                    (model.n_members,))
            assert np.isfinite(score).all(), f"{code}.{intr.name} month {t}: not finite"
            assert score.min() >= 0.0 and score.max() <= 1.0, \
                f"{code}.{intr.name} month {t}: scores from {score.min()} to {score.max()}"


@pytest.mark.parametrize("code", CODES)
def test_postures_stay_in_their_instruments_ranges_over_a_run(finished_model, code):
    history = finished_model.history
    for ins in ACTOR_CLASSES[code].instruments:
        levels = history[:, NAMES.index(ins.indicator), :]
        assert levels.min() >= ins.low and levels.max() <= ins.high, ins.indicator
