"""sim.compare and peninsula compare: B minus A member by member, and how choices shift."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.actors import ACTOR_CLASSES
from sim.cli.main import main


@pytest.fixture(scope="module")
def cmp():
    return sim.compare("baseline", "ceasefire", members=60, seed=5)


def test_differences_are_member_by_member(cmp):
    a = sim.run("baseline", members=60, seed=5)
    b = sim.run("ceasefire", members=60, seed=5)
    end = a.dates[-1]
    d = b.indicator("RUS.payments_to_dprk_usd")[:, -1] - a.indicator("RUS.payments_to_dprk_usd")[:, -1]
    assert np.array_equal(cmp.difference("RUS.payments_to_dprk_usd", end), d)
    row = cmp.indicator_table().query("indicator == 'RUS.payments_to_dprk_usd' and month == @end").iloc[0]
    assert row["median"] == pytest.approx(float(np.median(d)))
    assert row["p10"] <= row["median"] <= row["p90"]


def test_default_months_and_a_ceasefire_shift(cmp):
    dates = sim.load_scenario("baseline").dates()  # the start of each month, and the state at the end
    assert cmp.dates == dates[12::12] and cmp.dates[-1] == dates[-1]  # every 12 months, and the end
    end = cmp.dates[-1]
    table = cmp.indicator_table()
    war = table.query("indicator == 'world.war_intensity' and month == @end").iloc[0]
    assert war["median"] < -0.5  # the ceasefire lowers the war's intensity
    assert np.median(cmp.difference("RUS.purchase_level", end)) < 0  # and Russia buys fewer shells
    shift = cmp.choice_table()
    plain = sim.run("baseline", members=60, seed=5).choices("RUS")
    for move in ACTOR_CLASSES["RUS"].option_names():
        row = shift.query("actor == 'RUS' and option == @move").iloc[0]
        assert row["share_a"] == pytest.approx(float((plain == move).mean())), move
        assert row["change"] == pytest.approx(row["share_b"] - row["share_a"])
    assert shift.query("actor == 'RUS'")["change"].abs().sum() > 0  # the ceasefire changes Russia's moves
    for code in sim.ACTORS:
        assert shift.query("actor == @code")["share_b"].sum() == pytest.approx(1.0)
        assert list(shift.query("actor == @code")["option"]) == list(ACTOR_CLASSES[code].option_names())


def test_same_scenario_compares_to_zero():
    c = sim.compare("baseline", "baseline", members=20, seed=1)
    assert (c.indicator_table()[["median", "p10", "p90"]] == 0).all().all()


def test_bad_requests():
    with pytest.raises(sim.PeninsulaError, match="not covered"):
        sim.compare("baseline", "ceasefire", members=5, months=["2030-01"])
    with pytest.raises(sim.PeninsulaError, match="unknown indicator"):
        sim.compare("baseline", "ceasefire", members=5, indicators=["DPRK.nope"])


def test_cli_prints_and_writes_csv(tmp_path, capsys):
    out = tmp_path / "cmp.csv"
    assert main(["compare", "baseline", "rice_deal", "--members", "30", "--at", "2025-06",
                 "--indicator", "DPRK.food_security", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "rice_deal minus baseline" in text and "DPRK.food_security" in text and "How the choices shift" in text
    frame = pd.read_csv(out)
    food = frame.query("table == 'indicators'").iloc[0]
    assert food["indicator"] == "DPRK.food_security" and food["median"] > 0
    assert set(frame.query("table == 'choices'")["actor"]) == set(sim.ACTORS)
    assert main(["compare", "baseline", str(tmp_path / "missing.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err
