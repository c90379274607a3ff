"""sim.engine.model: scripted and outside choices are obeyed and labelled, and the actors move at once
(no activation order): the Mesa model's mechanics, against the engine's own insides."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.actors import ACTOR_CLASSES
from sim.engine import Setup, Simulation
from sim.engine.choose import REASON_BETWEEN, REASON_EXTERNAL, REASON_SCRIPTED
from sim.engine.model import PeninsulaModel
from sim.indicators import INDEX
from sim.params import PARAMS

SEED = 2024


def script(actor: str, option: str, **span) -> dict:
    return {"actor": actor, "option": option, **span}


# (e) scripted and outside choices are obeyed ---------------------------------------------------------------

def test_scripted_choice_is_obeyed_in_every_member(derive, baseline):
    sc = derive({"scripted": [{"actor": "CHN", "option": "squeeze_trade", "from": "2024-08", "to": "2024-10"},
                              {"actor": "UKR", "option": "keep", "months": ["2025-01"]}]})
    res = sim.run(sc, members=40, seed=SEED)
    dates = baseline.dates()
    ks = [dates.index(m) for m in ("2024-08", "2024-09", "2024-10")]
    chn, why = res.choices("CHN"), res.reasons("CHN")
    assert (chn[:, ks] == "squeeze_trade").all()
    assert (why[:, ks] == "scripted").all()
    others = [k for k in range(res.months) if k not in ks]
    assert not (why[:, others] == "scripted").any(), "a month without a script was labelled 'scripted'"
    k = dates.index("2025-01")
    assert (res.choices("UKR")[:, k] == "keep").all() and (res.reasons("UKR")[:, k] == "scripted").all()
    assert not (res.reasons("RUS") == "scripted").any()


def test_a_scripted_posture_steps_by_posture_step_and_persists(derive, baseline):
    """Three scripted squeezes take China's trade down three steps; kept afterwards, it stays there."""
    dates = baseline.dates()
    sc = derive({"scripted": [{"actor": "CHN", "option": "keep", "from": dates[0], "to": "2024-07"},
                              {"actor": "CHN", "option": "squeeze_trade", "from": "2024-08", "to": "2024-10"},
                              {"actor": "CHN", "option": "keep", "from": "2024-11", "to": dates[baseline.months - 1]}]})
    res = sim.run(sc, members=10, seed=SEED)
    step = sc.params.get("posture_step", PARAMS["posture_step"].default)
    trade = res.indicator("CHN.trade_level")  # (members, months + 1): row k is the start of month k
    first = dates.index("2024-08")
    assert np.allclose(trade[:, :first + 1], 1.0)
    for j in range(1, 4):
        assert np.allclose(trade[:, first + j], 1.0 - j * step, atol=1e-6), j
    assert np.allclose(trade[:, first + 3:], 1.0 - 3 * step, atol=1e-6), "the squeezed level did not persist"
    assert step > 0 and not np.allclose(trade[:, -1], 1.0)


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
    keep = ACTOR_CLASSES["DPRK"].option_index("keep")
    test = ACTOR_CLASSES["DPRK"].option_index("test_more")

    def player(m):
        if m.month_index % 2:
            return None  # the player passes: the actor chooses by the rule
        return np.where(np.arange(m.n_members) % 2 == 0, keep, test)

    model = PeninsulaModel(short_baseline, 10, SEED, external={"DPRK": player})
    model.run_model()
    even, odd = model.choice_history["DPRK"][0::2], model.choice_history["DPRK"][1::2]
    assert (even[:, 0::2] == keep).all()
    # test_more is played wherever the tempo can still rise; at its most the member keeps instead
    tempo = model.history[0:model.months:2, INDEX["DPRK.test_tempo"], 1::2]
    assert np.array_equal(even[:, 1::2] == test, tempo < 1.0)
    assert (even[:, 1::2][tempo >= 1.0] == keep).all()
    assert (even[0, 1::2] == test).all()
    assert (model.reason_history["DPRK"][0::2] == REASON_EXTERNAL).all()
    assert not (model.reason_history["DPRK"][1::2] == REASON_EXTERNAL).any()
    assert odd.shape == (short_baseline.months // 2, 10)
    # The move is played: after the first month, the members told to test more test at a higher tempo.
    tempo = model.history[:2, INDEX["DPRK.test_tempo"]]
    assert (tempo[0] == tempo[0, 0]).all()
    assert np.allclose(tempo[1, 1::2], tempo[0, 1::2] + model.params["posture_step"])
    assert np.array_equal(tempo[1, 0::2], tempo[0, 0::2])


def test_player_overrides_the_script(derive):
    sc = derive({"scripted": [script("DPRK", "court_china", **{"from": "2023-09", "to": "2024-02"})]}, months=6)
    model = PeninsulaModel(sc, 5, SEED, external={"DPRK": lambda m: 0})
    model.run_model()
    assert (model.choice_history["DPRK"] == 0).all()
    assert (model.reason_history["DPRK"] == REASON_EXTERNAL).all()
    model = PeninsulaModel(sc, 5, SEED, external={"DPRK": lambda m: None})
    model.run_model()
    assert (model.choice_history["DPRK"] == ACTOR_CLASSES["DPRK"].option_index("court_china")).all()
    assert (model.reason_history["DPRK"] == REASON_SCRIPTED).all()


def test_a_scripted_move_a_world_does_not_allow_is_not_made_there(derive):
    """Scripted, the DPRK lowers its test tempo to nothing and then keeps (no lower tempo exists); scripted
    to send soldiers before the treaty, it keeps. The months stay labelled 'scripted'."""
    sc = derive({"scripted": [script("DPRK", "test_less", **{"from": "2023-09", "to": "2023-11"}),
                              script("DPRK", "deploy_more", **{"from": "2023-12", "to": "2024-01"})]}, months=6)
    model = PeninsulaModel(sc, 4, SEED)
    model.run_model()
    dprk = ACTOR_CLASSES["DPRK"]
    choices = model.choice_history["DPRK"]
    assert (choices[0] == dprk.option_index("test_less")).all()
    assert (choices[1:5] == dprk.option_index("keep")).all()
    assert (model.reason_history["DPRK"][:5] == REASON_SCRIPTED).all()
    assert np.allclose(model.history[1:6, INDEX["DPRK.test_tempo"]], 0.0)
    assert np.allclose(model.history[:6, INDEX["DPRK.deployment_level"]], 0.0)
    assert (model.history[:6, INDEX["world.mutual_assistance"]] < 0.5).all()


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
    """Mesa's own shuffle_do, month by month, against do: the choices of every actor agree."""
    model = PeninsulaModel(short_baseline, 25, SEED)
    agents = model.agents
    plain_do = agents.do
    compared = []

    def do(method, *args, **kwargs):
        plain_do(method, *args, **kwargs)  # the month as step() prepared it
        first = {a.code: (a.choice.copy(), a.reason.copy()) for a in agents}
        for _ in range(3):
            agents.shuffle_do(method, *args, **kwargs)
            for a in agents:
                assert np.array_equal(first[a.code][0], a.choice), (model.month_index, a.code)
                assert np.array_equal(first[a.code][1], a.reason), (model.month_index, a.code)
        compared.append({a.code for a in agents if (a.reason != REASON_BETWEEN).any()})
        return agents

    agents.do = do
    model.run_model()
    assert len(compared) == short_baseline.months
    assert all(compared), "a month where no actor reviewed: the comparison was only of 'keep'"
