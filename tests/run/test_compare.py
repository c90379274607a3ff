"""sim.compare and peninsula compare: B minus A member by member, and how choices shift."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.cli.main import main


@pytest.fixture(scope="module")
def cmp():
    return sim.compare("baseline", "ceasefire", members=60, seed=5)


def test_differences_are_member_by_member(cmp):
    a = sim.run("baseline", members=60, seed=5)
    b = sim.run("ceasefire", members=60, seed=5)
    t = a.dates.index("2027-06")
    d = b.indicator("RUS.payments_to_dprk_usd")[:, t] - a.indicator("RUS.payments_to_dprk_usd")[:, t]
    assert np.array_equal(cmp.difference("RUS.payments_to_dprk_usd", "2027-06"), d)
    row = cmp.indicator_table().query("indicator == 'RUS.payments_to_dprk_usd' and month == '2027-06'").iloc[0]
    assert row["median"] == pytest.approx(float(np.median(d)))
    assert row["p10"] <= row["median"] <= row["p90"]


def test_default_months_and_a_ceasefire_shift(cmp):
    assert cmp.dates == ["2025-06", "2026-06", "2027-06"]
    table = cmp.indicator_table()
    war = table.query("indicator == 'world.war_intensity' and month == '2027-06'").iloc[0]
    assert war["median"] < -0.5  # the ceasefire lowers the war's intensity
    shift = cmp.choice_table()
    buy = shift.query("actor == 'RUS' and option == 'buy_munitions'").iloc[0]
    assert buy["change"] < 0 and buy["share_a"] == pytest.approx(
        float((sim.run("baseline", members=60, seed=5).choices("RUS") == "buy_munitions").mean()))
    for code in sim.ACTORS:
        assert shift.query("actor == @code")["share_b"].sum() == pytest.approx(1.0)


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
