"""sim.engine.model: scripted and outside choices are obeyed and labelled, and the actors move at once
(no activation order): the Mesa model's mechanics, against the engine's own insides."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.actors import ACTOR_CLASSES
from sim.engine import Setup, Simulation
from sim.engine.choose import REASON_EXTERNAL, REASON_SCRIPTED
from sim.engine.model import PeninsulaModel

SEED = 2024


def script(actor: str, option: str, **span) -> dict:
    return {"actor": actor, "option": option, **(span or {"from": "2024-06", "to": "2027-05"})}


# (e) scripted and outside choices are obeyed ---------------------------------------------------------------

def test_scripted_choice_is_obeyed_in_every_member(derive, baseline):
    sc = derive({"scripted": [{"actor": "CHN", "option": "squeeze_trade", "from": "2024-08", "to": "2024-10"},
                              {"actor": "UKR", "option": "hold", "months": ["2025-01"]}]})
    res = sim.run(sc, members=40, seed=SEED)
    dates = baseline.dates()
    ks = [dates.index(m) for m in ("2024-08", "2024-09", "2024-10")]
    chn, why = res.choices("CHN"), res.reasons("CHN")
    assert (chn[:, ks] == "squeeze_trade").all()
    assert (why[:, ks] == "scripted").all()
    others = [k for k in range(res.months) if k not in ks]
    assert not (why[:, others] == "scripted").any(), "a month without a script was labelled 'scripted'"
    k = dates.index("2025-01")
    assert (res.choices("UKR")[:, k] == "hold").all() and (res.reasons("UKR")[:, k] == "scripted").all()
    assert not (res.reasons("RUS") == "scripted").any()


def test_external_choice_is_obeyed_and_labelled_player(short_baseline):
    model = PeninsulaModel(short_baseline, 20, SEED, external={"DPRK": lambda m: 0})
    model.run_model()
    assert (model.choice_history["DPRK"] == 0).all()
    assert (model.reason_history["DPRK"] == REASON_EXTERNAL).all()
    assert not (model.reason_history["RUS"] == REASON_EXTERNAL).any()
    run = Simulation(Setup.build(short_baseline, 20, SEED))
    while not run.finished:
        run.step({"DPRK": 0})
    res = run.results()
    assert np.array_equal(res.history, model.history)
    first = ACTOR_CLASSES["DPRK"].option_names()[0]
    assert (res.choices("DPRK") == first).all()
    assert (res.reasons("DPRK") == "player").all()


def test_external_choice_per_member_and_none(short_baseline):
    hold = ACTOR_CLASSES["DPRK"].option_index("hold")
    test = ACTOR_CLASSES["DPRK"].option_index("missile_test")

    def player(m):
        if m.month_index % 2:
            return None  # the player passes: the actor chooses by the rule
        return np.where(np.arange(m.n_members) % 2 == 0, hold, test)

    model = PeninsulaModel(short_baseline, 10, SEED, external={"DPRK": player})
    model.run_model()
    even, odd = model.choice_history["DPRK"][0::2], model.choice_history["DPRK"][1::2]
    assert (even[:, 0::2] == hold).all() and (even[:, 1::2] == test).all()
    assert (model.reason_history["DPRK"][0::2] == REASON_EXTERNAL).all()
    assert not (model.reason_history["DPRK"][1::2] == REASON_EXTERNAL).any()
    assert odd.shape == (6, 10)


def test_player_overrides_the_script(derive):
    sc = derive({"scripted": [script("DPRK", "hold", **{"from": "2024-06", "to": "2024-11"})]}, months=6)
    model = PeninsulaModel(sc, 5, SEED, external={"DPRK": lambda m: 0})
    model.run_model()
    assert (model.choice_history["DPRK"] == 0).all()
    assert (model.reason_history["DPRK"] == REASON_EXTERNAL).all()
    model = PeninsulaModel(sc, 5, SEED, external={"DPRK": lambda m: None})
    model.run_model()
    assert (model.choice_history["DPRK"] == ACTOR_CLASSES["DPRK"].option_index("hold")).all()
    assert (model.reason_history["DPRK"] == REASON_SCRIPTED).all()


# (f) simultaneous moves ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("order", ["shuffled", "reversed"])
def test_activation_order_does_not_matter(short_baseline, order):
    plain = PeninsulaModel(short_baseline, 30, SEED)
    plain.run_model()

    model = PeninsulaModel(short_baseline, 30, SEED)
    seen: list[list[str]] = []
    agents = model.agents
    shuffler = np.random.default_rng(99)

    def do(method, *args, **kwargs):
        todo = list(agents)
        if order == "reversed":
            todo.reverse()
        else:
            todo = [todo[i] for i in shuffler.permutation(len(todo))]
        seen.append([a.code for a in todo])
        for a in todo:
            getattr(a, method)(*args, **kwargs)
        return agents

    agents.do = do  # the model's step calls model.agents.do("decide")
    model.run_model()
    assert len(seen) == short_baseline.months, "the step did not go through model.agents.do"
    assert any(s != list(sim.ACTORS) for s in seen)
    for code in sim.ACTORS:
        assert np.array_equal(plain.choice_history[code], model.choice_history[code]), code
        assert np.array_equal(plain.reason_history[code], model.reason_history[code]), code
    assert np.array_equal(plain.history, model.history)


def test_shuffle_do_gives_the_same_choices_within_a_month(short_baseline):
    """Mesa's own shuffle_do, one month, against do: the choices of every actor agree."""
    from sim.engine.rules import resolve

    model = PeninsulaModel(short_baseline, 25, SEED)
    for _ in range(3):
        model.step()
    # the start of month 3, as step() prepares it
    t = model.month_index
    model.apply_events(t)
    model._record(t)
    model.status_quo = resolve(model.state, model.last_choices, model.params, t, None)
    model.agents.do("decide")
    first = {a.code: a.choice.copy() for a in model.agents}
    for _ in range(3):
        model.agents.shuffle_do("decide")
        assert all(np.array_equal(first[a.code], a.choice) for a in model.agents)
