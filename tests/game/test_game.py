"""The teaching game: a scripted player plays a whole exercise through the API.

Its debrief is checked against runs computed directly with ``sim.run`` and ``sim.Simulation`` (scripted and outside
choices: the player's move in a turn's first month, ``keep`` in the others); then moves that are impossible in every
world (refused) or in some (made where possible), the terminal game with piped standard input, and the
self-contained HTML report.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

import sim
from sim.cli import play as play_cli
from sim.actors import ACTOR_CLASSES
from sim.data import EXERCISE_DIR
from sim.game import Game, GameError, GameRecord, load_exercise
from sim.indicators import INDEX, NAMES
from sim.data import SCENARIO_DIR
from sim.scenario import month_label
from sim.engine import Setup, Simulation

ROOT = Path(__file__).resolve().parents[2]
EXERCISE = "pyongyang_bargain"
MEMBERS, SEED = 40, 11
# Moves possible in every world when they are played (deploy_more needs the treaty of 2024-06, turn 4).
PLAN = ["export_more", "court_china", "keep", "test_more", "engage_us", "deploy_more", "export_less",
        None]  # None: this turn the model's rule plays the DPRK
RELEASES = {2: "ceasefire_talks", 5: "rice_deal"}  # turn index -> inject released before it


def _play(members=MEMBERS, seed=SEED, advise=False) -> Game:
    game = Game(EXERCISE, role="DPRK", members=members, seed=seed)
    for turn, option in enumerate(PLAN):
        if turn in RELEASES:
            game.release(RELEASES[turn])
        if advise:
            game.advisor()
            game.view(advice=True)
        game.play(option)
    return game


@pytest.fixture(scope="module")
def game() -> Game:
    return _play()


@pytest.fixture(scope="module")
def debrief(game):
    return game.debrief()


def _start(raw) -> tuple[int, int]:
    """The year and month the exercise's scenario starts, read from the scenario file's text."""
    text = (SCENARIO_DIR / f"{raw['scenario']}.yaml").read_text(encoding="utf-8")
    year, month = str(yaml.safe_load(text)["start"]).split("-")
    return int(year), int(month)


def _direct_scenario(plan, releases, months=24):
    """The game rebuilt by hand as a scenario file: injects as events, the player's turns scripted.

    A turn's move is scripted in its first month and ``keep`` in the others. Built from the exercise
    file's text, not from sim.exercise.
    """
    raw = yaml.safe_load((EXERCISE_DIR / f"{EXERCISE}.yaml").read_text(encoding="utf-8"))
    tm = raw["turn_months"]
    y0, m0 = _start(raw)
    injects = {i["id"]: i for i in raw["injects"]}

    def event(inj, month):
        ev = {"month": month, "label": inj["label"]}
        for kind in ("set", "shift"):
            if kind in inj:
                ev[kind] = inj[kind]
        return ev

    events = [event(i, i["month"]) for i in raw["injects"] if "month" in i]
    events += [event(injects[iid], month_label(y0, m0, turn * tm)) for turn, iid in sorted(releases.items())]
    scripted = []
    for turn, opt in enumerate(plan):
        if opt:
            scripted.append({"actor": "DPRK", "option": opt, "months": [month_label(y0, m0, turn * tm)]})
            scripted.append({"actor": "DPRK", "option": "keep", "from": month_label(y0, m0, turn * tm + 1),
                             "to": month_label(y0, m0, turn * tm + tm - 1)})
    data = {"extends": raw["scenario"], "months": months, "events": events, "scripted": scripted}
    return sim.load_scenario_text(yaml.safe_dump(data, sort_keys=False), "direct.yaml", base_dir=SCENARIO_DIR)


def _schedule(plan, tm=3, role="DPRK"):
    """Month by month: each turn's move in its first month, then keep (0); None: the rule's."""
    return [None if o is None else ACTOR_CLASSES[role].option_index(o) if j == 0 else 0
            for o in plan for j in range(tm)]


def _stepped(scenario, members, seed, schedules):
    """A run of ``scenario`` through the engine's stepping door, with choices from outside: role ->
    the option index of every month (None: the rule's)."""
    run = Simulation(Setup.build(scenario, members, seed))
    while not run.finished:
        run.step({r: s[run.month] for r, s in schedules.items()})
    return run.results()


# -- the player's run and the model's run against direct runs -------------------------------------


def test_player_run_equals_direct_scripted_run(debrief):
    direct = sim.run(_direct_scenario(PLAN, RELEASES), members=MEMBERS, seed=SEED)
    played = debrief.played
    assert np.array_equal(direct.history, played.history)
    for code in ACTOR_CLASSES:
        assert np.array_equal(direct.choice_index[code], played.choice_index[code]), code
        if code != "DPRK":  # the DPRK's reason is 'scripted' there and 'player' here
            assert np.array_equal(direct.reason_index[code], played.reason_index[code]), code
    reasons = played.reasons("DPRK")
    assert (reasons[:, :21] == "player").all() and not (reasons[:, 21:] == "player").any()


def test_player_run_equals_direct_external_run(debrief):
    sched = _schedule(PLAN)
    direct = _stepped(debrief.scenario, MEMBERS, SEED, {"DPRK": sched})
    assert np.array_equal(direct.history, debrief.played.history)
    for code in ACTOR_CLASSES:
        assert np.array_equal(direct.reason_index[code], debrief.played.reason_index[code]), code


def test_model_counterfactual_equals_direct_rule_run(debrief):
    direct = sim.run(_direct_scenario([None] * 8, RELEASES), members=MEMBERS, seed=SEED)
    model = debrief.roles["DPRK"].model
    assert np.array_equal(direct.history, model.history)
    assert np.array_equal(direct.choice_index["DPRK"], model.choice_index["DPRK"])
    assert not (model.reasons("DPRK") == "player").any()


def test_debrief_numbers_match_direct_runs(debrief):
    """Each interest's average over the months, world by world, from the two direct runs."""
    mine_run = sim.run(_direct_scenario(PLAN, RELEASES), members=MEMBERS, seed=SEED)
    model_run = sim.run(_direct_scenario([None] * 8, RELEASES), members=MEMBERS, seed=SEED)
    pm = Simulation(Setup.build(_direct_scenario([None] * 8, RELEASES), MEMBERS, SEED))  # parameters and weights
    cls = ACTOR_CLASSES["DPRK"]

    def scores(run):
        out = {}
        for it in cls.interests:
            months = [np.asarray(it.score({n: run.history[t, INDEX[n]] for n in NAMES}, pm.params), dtype=float)
                      * np.ones(MEMBERS) for t in range(1, 25)]
            out[it.name] = np.mean(np.stack(months), axis=0)
        ws = [np.ravel(w) for w in pm.weights("DPRK")[0]]
        out["overall"] = sum(w * out[it.name] for w, it in zip(ws, cls.interests, strict=True)) / sum(ws)
        return out

    mine, theirs = scores(mine_run), scores(model_run)
    rd = debrief.roles["DPRK"]
    for o in [*rd.interests, rd.overall]:
        d = mine[o.interest] - theirs[o.interest]
        assert o.better == pytest.approx(float((d > 1e-9).mean())), o.interest
        assert o.worse == pytest.approx(float((d < -1e-9).mean())), o.interest
        assert o.better + o.tied + o.worse == pytest.approx(1.0)
        assert o.player == pytest.approx(float(mine[o.interest].mean()), abs=1e-12)
        assert o.model == pytest.approx(float(theirs[o.interest].mean()), abs=1e-12)
        np.testing.assert_allclose(rd.player_scores[o.interest], mine[o.interest], rtol=0, atol=1e-12)
        np.testing.assert_allclose(rd.model_scores[o.interest], theirs[o.interest], rtol=0, atol=1e-12)
    assert any("worlds" in s for s in rd.sentences)


def test_timeline_records_the_choices_and_what_followed(debrief, game):
    rd = debrief.roles["DPRK"]
    assert [e.choice for e in rd.timeline] == PLAN
    y0, m0 = game.exercise.scenario.start_ym
    assert [e.months for e in rd.timeline][:2] == [f"{month_label(y0, m0, 0)} to {month_label(y0, m0, 2)}",
                                                   f"{month_label(y0, m0, 3)} to {month_label(y0, m0, 5)}"]
    assert any("Ceasefire" in n or "talks" in n for n in rd.timeline[2].news)
    # The model's main move in each turn (per world the move other than keep it made most often,
    # ties to the one made later, keep where it made none; then the most common across worlds),
    # from the counterfactual run.
    names = ACTOR_CLASSES["DPRK"].option_names()
    for e in rd.timeline:
        block = rd.model.choices("DPRK")[:, e.turn * 3:e.turn * 3 + 3]
        mains = []
        for row in block:
            moved = [o for o in row if o != "keep"]
            if not moved:
                mains.append("keep")
                continue
            top = max(moved.count(o) for o in moved)
            mains.append(next(o for o in reversed(row) if o != "keep" and moved.count(o) == top))
        best = max(names, key=lambda o: (mains.count(o), -names.index(o)))
        assert e.model_choice == best and e.model_share == pytest.approx(mains.count(best) / MEMBERS)
    # The player's moves are the main moves of their turns, made in every world.
    for e, move in zip(rd.timeline, PLAN, strict=True):
        if move is not None:
            assert (e.played, e.played_share, e.choice_share) == (move, 1.0, 1.0)
    assert debrief.questions == game.exercise.questions("DPRK")
    assert debrief.questions == [*game.exercise.debrief, *game.exercise.debrief_by_role["DPRK"]]
    assert debrief.finished and debrief.turns_played == 8 and debrief.months == 24


def test_replay_rebuilds_the_same_game(game, debrief):
    record = GameRecord.from_json(game.record().to_json())
    assert record.choices == [{"DPRK": o} for o in PLAN]
    assert record.releases == [("ceasefire_talks", 2), ("rice_deal", 5)]
    again = Game.replay(record)
    assert again.finished
    assert np.array_equal(again.results().history, game.results().history)
    assert again.debrief().summary() == debrief.summary()


def test_advisor_changes_nothing_and_agrees_with_the_rule():
    quiet = _play(members=10, seed=3)
    advised = _play(members=10, seed=3, advise=True)
    assert np.array_equal(quiet.results().history, advised.results().history)

    fresh = Game(EXERCISE, role="DPRK", members=60, seed=SEED)
    advice = fresh.advisor()
    cls = ACTOR_CLASSES["DPRK"]
    assert advice.month == fresh.exercise.month_label(0) and len(advice.options) == len(cls.options)
    assert [o.option for o in advice.options] == list(cls.option_names())
    assert sum(o.best_share for o in advice.options) == pytest.approx(1.0)
    params = fresh.sim.params
    impossible = fresh.impossible()
    assert "deploy_more" in impossible  # the mutual-assistance treaty comes in 2024-06
    for o, move in zip(advice.options, cls.options, strict=True):
        assert o.score == pytest.approx(sum(o.by_interest.values()) - o.cost)
        expected = 0.0 if move.name == "keep" else params["act_cost"] if move.is_act else params["switching_cost"]
        assert o.cost == pytest.approx(float(np.mean(expected)))
        assert (o.possible == 0) == (o.option in impossible)
        assert o.reason == impossible.get(o.option, "")
        if o.possible == 0:
            assert o.best_share == 0  # the best is a possible move
    # The model looks several months ahead (params.horizon_months), and says so.
    months = int(np.asarray(params["horizon_months"]).reshape(-1)[0])
    assert advice.horizon == months and f"looking {months} month" in advice.sentence
    assert "one month" not in advice.sentence
    rule = sim.run(fresh.scenario, members=60, seed=SEED)  # the model plays the DPRK in month 0
    choice, reason = rule.choices("DPRK")[:, 0], rule.reasons("DPRK")[:, 0]
    considered = choice[reason != "unpredictability"]
    names, counts = np.unique(considered, return_counts=True)
    assert names[np.argmax(counts)] == advice.pick
    best = {o.option: o.best_share for o in advice.options}
    for name, n in zip(names, counts, strict=True):
        assert best[name] >= n / 60 - 1e-12


# -- what the player sees ------------------------------------------------------------------------


def test_view_shows_state_world_others_and_news():
    game = Game(EXERCISE, role="DPRK", members=20, seed=SEED)
    first = game.view()
    assert first.turn == 0 and first.others == () and first.months == game.exercise.turn_label(0)
    assert {b.name for b in first.own} >= {"DPRK.food_security", "DPRK.regime_security"}
    assert "CHN.influence_over_dprk" in {b.name for b in first.world}
    # The posture: the role's instruments, with their own descriptions, also among its indicators.
    instruments = ACTOR_CLASSES["DPRK"].instruments
    assert [b.name for b in first.posture] == [i.indicator for i in instruments]
    assert [b.description for b in first.posture] == [i.description for i in instruments]
    assert {b.name for b in first.posture} <= {b.name for b in first.own}
    assert any(s.startswith("Your posture") for s in first.sentences)
    assert first.advice is None  # the exercise's advisor is off
    game.play("export_more")
    game.play(ACTOR_CLASSES["DPRK"].option_index("court_china"))  # an index
    game.release("ceasefire_talks")
    v = game.view()
    assert v.turn == 2 and v.choices == ((0, "export_more"), (1, "court_china"))
    assert any("open talks" in n for n in v.news)
    assert len(v.others) == 6 and "DPRK" not in {m.actor for m in v.others}
    for m in v.others:
        assert sum(m.shares.values()) == pytest.approx(1.0)
        assert all(0 <= s <= 1 for s in m.ever.values())
        assert set(m.reasons) <= set(m.shares)
    assert any("% of worlds" in s for s in v.sentences)
    for b in (*v.own, *v.world, *v.interests, *v.posture):
        assert b.p10 <= b.median <= b.p90
        assert len(b.series) == 7  # months 0..6
    assert json.dumps(v.to_dict())  # plain data for a dashboard
    with_advice = game.view(advice=True)
    assert with_advice.advice is not None and with_advice.advice.sentence in with_advice.sentences


def test_options_cite_their_evidence():
    game = Game(EXERCISE, role="DPRK", members=2)
    opts = game.options()
    assert [o.name for o in opts] == list(ACTOR_CLASSES["DPRK"].option_names())
    for o in opts:
        assert o.claims and all(c.quote for c in o.claims)


def test_a_move_is_made_in_the_first_month_and_the_posture_holds_for_the_turn():
    game = Game(EXERCISE, role="DPRK", members=12, seed=SEED)
    tm = game.exercise.turn_months
    step = np.asarray(game.sim.params["posture_step"], dtype=float)
    game.play("export_more")
    game.play(None)
    res = game.results()
    level = res.indicator("DPRK.export_level")
    np.testing.assert_allclose(level[:, 1], np.minimum(level[:, 0] + step, 1.0), rtol=0, atol=1e-6)
    assert (level[:, 1:tm + 1] == level[:, [1]]).all()  # kept for the rest of the turn
    choices, reasons = res.choices("DPRK"), res.reasons("DPRK")
    assert (choices[:, 0] == "export_more").all() and (choices[:, 1:tm] == "keep").all()
    assert (reasons[:, :tm] == "player").all()
    # A turn left to the model's rule: the rule's moves and reasons, reviews on its own cadence.
    assert not (reasons[:, tm:] == "player").any()
    assert game.view().choices == ((0, "export_more"), (1, None))


def test_a_move_possible_in_no_world_is_refused_with_the_reason():
    game = Game(EXERCISE, role="DPRK", members=6, seed=1)
    impossible = game.impossible()
    assert {"deploy_more", "recall_troops", "launch_satellite"} <= set(impossible)  # no treaty, no troops, no rocket
    with pytest.raises(GameError, match=r"launch_satellite is not possible now: needs space capability 0\.5; it is "):
        game.play("launch_satellite")
    with pytest.raises(GameError, match="deploy_more is not possible now: needs the mutual-assistance treaty"):
        game.play("Deploy more")
    with pytest.raises(GameError, match="recall_troops is not possible now: DPRK.deployment_level is already at"):
        game.play({"DPRK": "recall_troops"})
    assert game.turn == 0 and game.months_played == 0  # nothing changed
    by_name = {o.name: o for o in game.options()}
    for name, why in impossible.items():
        assert by_name[name].possible == 0 and by_name[name].reason == why
    assert all(o.possible == 1 and o.reason == "" for n, o in by_name.items() if n not in impossible)
    for _ in range(game.turns - 1):  # step the exports up to the most the DPRK can offer
        if "export_more" in game.impossible():
            break
        game.play("export_more")
    assert (game.results().indicator("DPRK.export_level")[:, -1] == 1.0).all()
    with pytest.raises(GameError, match="export_more is not possible now: DPRK.export_level is already at its most"):
        game.play("export_more")
    # A multi-role game names the role.
    both = Game(EXERCISE, role=["DPRK", "CHN"], members=3, seed=1)
    with pytest.raises(GameError, match="DPRK: launch_satellite is not possible now"):
        both.play({"DPRK": "launch_satellite", "CHN": None})


SPACE_SCENARIO = """\
extends: baseline
uncertainties:
  - path: initial.DPRK.space_capability
    dist: uniform
    low: 0.3
    high: 0.7
    label: "How far Pyongyang's space programme has come"
    claims: [s001-space-tech]
"""


def _space_exercise(tmp_path):
    """Pyongyang's bargain on a scenario whose worlds start with different space capabilities."""
    (tmp_path / "space.yaml").write_text(SPACE_SCENARIO, encoding="utf-8")
    text = (EXERCISE_DIR / f"{EXERCISE}.yaml").read_text(encoding="utf-8").replace("scenario: baseline",
                                                                                    "scenario: space.yaml")
    path = tmp_path / "space_bargain.yaml"
    path.write_text(text, encoding="utf-8")
    return load_exercise(path)


def test_a_move_possible_in_some_worlds_is_made_there_and_the_posture_kept_elsewhere(tmp_path):
    ex = _space_exercise(tmp_path)
    game = Game(ex, role="DPRK", members=40, seed=SEED)
    launch = {o.name: o for o in game.options()}["launch_satellite"]
    assert 0 < launch.possible < 1 and launch.reason == "" and "launch_satellite" not in game.impossible()
    advice = {o.option: o for o in game.advisor().options}["launch_satellite"]
    assert advice.possible == launch.possible
    game.play("launch_satellite")
    res = game.results()
    can = res.indicator("DPRK.space_capability")[:, 0] >= 0.5
    assert can.mean() == pytest.approx(launch.possible)
    choices = res.choices("DPRK")
    assert ((choices[:, 0] == "launch_satellite") == can).all() and (choices[~can, 0] == "keep").all()
    assert (res.reasons("DPRK")[:, :3] == "player").all()
    launched = res.indicator("DPRK.satellites_launched")
    assert ((launched[:, 1] > launched[:, 0]) == can).all()
    for _ in range(2):
        game.play(None)
    d = game.debrief()
    first = d.roles["DPRK"].timeline[0]
    assert first.choice == "launch_satellite" and first.choice_share == pytest.approx(launch.possible)
    again = Game.replay(GameRecord.from_json(game.record().to_json()))
    assert np.array_equal(again.results().history, game.results().history)
    assert again.debrief().summary() == d.summary()


def test_bad_moves_are_refused_and_change_nothing():
    game = Game(EXERCISE, role="DPRK", members=5, seed=1)
    with pytest.raises(GameError, match="no move 'squeeze_trade'"):
        game.play("squeeze_trade")
    n = len(ACTOR_CLASSES["DPRK"].options)
    with pytest.raises(GameError, match=f"no move {n}"):
        game.play(n)
    with pytest.raises(GameError, match="nothing to debrief"):
        game.debrief()
    with pytest.raises(GameError, match="no inject 'nope'"):
        game.release("nope")
    with pytest.raises(GameError, match="comes on its own"):
        game.release("poor_harvest")
    assert game.turn == 0 and game.months_played == 0
    game.release("rice_deal")
    with pytest.raises(GameError, match="already released"):
        game.release("rice_deal")
    with pytest.raises(GameError, match="not a role"):
        Game(EXERCISE, role="USA", members=5)
    with pytest.raises(GameError, match="members"):
        Game(EXERCISE, role="DPRK", members=0)
    for _ in range(8):
        game.play("keep")
    with pytest.raises(GameError, match="game is over"):
        game.play("keep")
    assert game.impossible() == {}
    with pytest.raises(GameError, match="game is over"):
        game.advisor()


def test_several_roles_each_against_the_model_with_the_others_as_played():
    game = Game(EXERCISE, role=["DPRK", "CHN"], members=15, seed=5)
    plan = [{"DPRK": "export_more", "CHN": "squeeze_trade"}, {"DPRK": "court_china", "CHN": None},
            {"DPRK": None, "CHN": "more_aid"}]
    for choices in plan:
        game.play(choices)
    d = game.debrief()
    assert not d.finished and d.months == 9 and d.turns_played == 3
    sched = {r: _schedule([c[r] for c in plan], role=r) for r in ("DPRK", "CHN")}
    for role, other in (("DPRK", "CHN"), ("CHN", "DPRK")):
        direct = _stepped(d.scenario, 15, 5, {other: sched[other]})
        assert np.array_equal(direct.history, d.roles[role].model.history), role
    both = _stepped(d.scenario, 15, 5, sched)
    assert np.array_equal(both.history, d.played.history)
    with pytest.raises(GameError, match="several roles"):
        game.play("keep")


# -- the report ----------------------------------------------------------------------------------


def test_html_report_is_self_contained(debrief, tmp_path):
    page = debrief.to_html()
    low = page.lower()
    for banned in ("http://", "https://", "<script", " src=", "<link", "@import", "url("):
        assert banned not in low, banned
    assert low.startswith("<!doctype html>") and "<style>" in low and "<svg" in low
    assert "regime survival" in page and "Questions" in page
    paths = debrief.write(tmp_path / "report")
    assert {p.name for p in (tmp_path / "report").iterdir()} == {"debrief.html", "debrief.csv", "outcomes.csv",
                                                                  "timeline.csv", "record.json"}
    outcomes = list(csv.DictReader(paths["outcomes"].open(encoding="utf-8")))
    rd = debrief.roles["DPRK"]
    assert [r["interest"] for r in outcomes] == [*(o.interest for o in rd.interests), "overall"]
    for r, o in zip(outcomes, [*rd.interests, rd.overall], strict=True):
        assert (r["verdict"], r["sentence"]) == (o.verdict, o.sentence)
        assert float(r["better"]) + float(r["tied"]) + float(r["worse"]) == pytest.approx(1.0, abs=1e-3)
        assert f"<td>{o.verdict}</td>" in page
    rows = list(csv.DictReader(paths["csv"].open(encoding="utf-8")))
    assert len(rows) == MEMBERS * (len(ACTOR_CLASSES["DPRK"].interests) + 1)
    overall = [r for r in rows if r["interest"] == "overall"]
    better = sum(r["result"] == "better" for r in overall) / MEMBERS
    assert better == pytest.approx(debrief.roles["DPRK"].overall.better)
    timeline = list(csv.DictReader(paths["timeline"].open(encoding="utf-8")))
    assert [r["your_choice"] for r in timeline][:2] == ["export_more", "court_china"]
    replayed = Game.replay(GameRecord.from_json(paths["record"].read_text(encoding="utf-8")))
    assert replayed.debrief().to_csv() == paths["csv"].read_text(encoding="utf-8")


# -- the terminal game -------------------------------------------------------------------------------


def _play_cli(monkeypatch, capsys, text, *argv):
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    code = play_cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _number(name, role="DPRK"):
    return str(ACTOR_CLASSES[role].option_index(name) + 1)


def test_play_cli_with_piped_choices(monkeypatch, capsys, tmp_path):
    lines = ["foo", "0", "launch satellite", _number("export_more"), "release ceasefire_talks",
             "release ceasefire_talks", "Court China", "", "model", _number("test_more"), _number("deploy_more"),
             _number("engage_us"), "keep", "keep"]
    code, out, err = _play_cli(monkeypatch, capsys, "\n".join(lines) + "\n", EXERCISE, "--role", "DPRK",
                               "--members", 8, "--report", tmp_path / "rep")
    assert code == 0, err
    assert "You are North Korea" in out and "s000-survival" in out
    assert "'foo' is not one of your moves" in out
    assert "There is no move 0" in out
    assert "launch_satellite is not possible now: needs space capability" in out  # shown, not played
    assert "already released" in out
    assert "your posture (instrument levels" in out and "first month" in out
    assert "Debrief" in out and "Questions for the debrief" in out
    record = GameRecord.from_json((tmp_path / "rep" / "record.json").read_text(encoding="utf-8"))
    assert [c["DPRK"] for c in record.choices] == ["export_more", "court_china", None, "test_more", "deploy_more",
                                                   "engage_us", "keep", "keep"]
    assert record.releases == [("ceasefire_talks", 1)]
    html = (tmp_path / "rep" / "debrief.html").read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html
    # The CSV written by the CLI is what the API computes for the same record.
    assert Game.replay(record).debrief().to_csv() == (tmp_path / "rep" / "debrief.csv").read_text(encoding="utf-8")


def test_play_cli_end_of_input_ends_cleanly(monkeypatch, capsys, tmp_path):
    code, out, err = _play_cli(monkeypatch, capsys, "1\n2\n", EXERCISE, "--members", 5, "--report", tmp_path / "r")
    assert code == 0, err
    assert "End of input" in out and "after 2 of 8 turns" in out
    record = json.loads((tmp_path / "r" / "record.json").read_text(encoding="utf-8"))
    assert len(record["choices"]) == 2
    code, out, err = _play_cli(monkeypatch, capsys, "", EXERCISE, "--members", 5, "--report", tmp_path / "none")
    assert code == 0 and "nothing to debrief" in out and not (tmp_path / "none").exists()
    code, out, err = _play_cli(monkeypatch, capsys, "quit\n", EXERCISE, "--members", 5, "--report", tmp_path / "q")
    assert code == 0 and not (tmp_path / "q").exists()


@pytest.mark.parametrize("argv, words", [
    (["pyongyang_bargain", "--role", "USA"], "has no role 'USA'"),
    (["no_such_exercise"], "no such exercise"),
    ([], "name an exercise"),
    (["pyongyang_bargain", "--members", "0"], "option --members: expected at least 1 member"),
])
def test_play_cli_errors_are_one_paragraph(monkeypatch, capsys, argv, words):
    code, _, err = _play_cli(monkeypatch, capsys, "1\n", *argv)
    assert code == 2
    assert words in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_play_cli_in_a_real_pipe(tmp_path):
    """A real process reading a real pipe (the advisor exercise, turns of 2 months) until its end."""
    report = tmp_path / "rep"
    proc = subprocess.run([sys.executable, "-m", "sim.cli.play", "moscows_shell_hunt", "--members", "4",
                           "--report", str(report)], input="1\ncourt china\n", capture_output=True,
                          text=True, cwd=ROOT, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Advisor" in proc.stdout and "You are Russia" in proc.stdout and "End of input" in proc.stdout
    assert "months ahead" in proc.stdout
    record = GameRecord.from_json((report / "record.json").read_text(encoding="utf-8"))
    assert [c["RUS"] for c in record.choices] == ["keep", "court_china"]
