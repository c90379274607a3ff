"""The seven actors: options and interests declared as data, one module each; Mesa agents in the model."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import mesa
import numpy as np
import pytest

from sim.actors import ACTOR_CLASSES
from sim.actors.base import Actor
from sim.engine.model import PeninsulaModel
from sim.indicators import ACTORS, NAMES

ROOT = Path(__file__).resolve().parents[2]
CODES = ("DPRK", "RUS", "CHN", "USA", "ROK", "JPN", "UKR")
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")

REQUIRED_OPTIONS = {
    "DPRK": {"export_munitions", "deploy_troops", "missile_test", "seek_china_trade", "engage_us", "hold"},
    "RUS": {"buy_munitions", "ship_food", "transfer_space_tech", "shield_at_un", "court_china", "hold"},
    "CHN": {"tolerate", "squeeze_trade", "aid_dprk", "pressure_moscow", "warn_pyongyang"},
    "USA": {"reinforce_region", "tighten_sanctions", "aid_ukraine", "offer_talks", "hold"},
    "ROK": {"request_us_presence", "strengthen_defences", "engage_china", "hold", "aid_ukraine"},
    "JPN": {"request_us_presence", "strengthen_defences", "engage_china", "hold"},
    "UKR": {"strike_supply_lines", "lobby_allies", "hold"},
}


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
def test_one_doing_nothing_option(code):
    names = ACTOR_CLASSES[code].option_names()
    idle = [n for n in names if n in ("hold", "tolerate")]
    assert idle == (["tolerate"] if code == "CHN" else ["hold"]), names


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
    assert not missing, f"{code} lacks options {sorted(missing)}"


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
