"""The teaching game: a scripted player plays a whole exercise through the API.

Its debrief is checked against runs computed directly with ``sim.run`` and ``sim.Simulation`` (scripted and outside
choices); then the terminal game with piped standard input, and the self-contained HTML report.
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
from sim.game import Game, GameError, GameRecord
from sim.indicators import INDEX, NAMES
from sim.data import SCENARIO_DIR
from sim.scenario import month_label
from sim.engine import Setup, Simulation

ROOT = Path(__file__).resolve().parents[2]
EXERCISE = "pyongyang_bargain"
MEMBERS, SEED = 40, 11
PLAN = ["export_munitions", "seek_china_trade", "hold", "missile_test", "engage_us", "export_munitions",
        "deploy_troops", None]  # None: this turn the model's rule plays the DPRK
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


def _direct_scenario(plan, releases, months=24):
    """The game rebuilt by hand as a scenario file: injects as events, the player's turns scripted.

    Built from the exercise file's text, not from sim.exercise.
    """
    raw = yaml.safe_load((EXERCISE_DIR / f"{EXERCISE}.yaml").read_text(encoding="utf-8"))
    tm = raw["turn_months"]
    injects = {i["id"]: i for i in raw["injects"]}

    def event(inj, month):
        ev = {"month": month, "label": inj["label"]}
        for kind in ("set", "shift"):
            if kind in inj:
                ev[kind] = inj[kind]
        return ev

    events = [event(i, i["month"]) for i in raw["injects"] if "month" in i]
    events += [event(injects[iid], month_label(2024, 6, turn * tm)) for turn, iid in sorted(releases.items())]
    scripted = [{"actor": "DPRK", "option": opt, "from": month_label(2024, 6, turn * tm),
                 "to": month_label(2024, 6, turn * tm + tm - 1)} for turn, opt in enumerate(plan) if opt]
    data = {"extends": raw["scenario"], "months": months, "events": events, "scripted": scripted}
    return sim.load_scenario_text(yaml.safe_dump(data, sort_keys=False), "direct.yaml", base_dir=SCENARIO_DIR)


def _schedule(plan, tm=3, role="DPRK"):
    return [None if o is None else ACTOR_CLASSES[role].option_index(o) for o in plan for _ in range(tm)]


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
    assert [e.months for e in rd.timeline][:2] == ["2024-06 to 2024-08", "2024-09 to 2024-11"]
    assert any("Ceasefire" in n or "talks" in n for n in rd.timeline[2].news)
    # The model's main choice in each turn (per world the option it took most often, ties to the
    # later month; then the most common across worlds), from the counterfactual run.
    names = ACTOR_CLASSES["DPRK"].option_names()
    for e in rd.timeline:
        block = rd.model.choices("DPRK")[:, e.turn * 3:e.turn * 3 + 3]
        mains = []
        for row in block:
            counts = {o: list(row).count(o) for o in row}
            top = max(counts.values())
            mains.append(next(o for o in reversed(row) if counts[o] == top))
        best = max(names, key=lambda o: (mains.count(o), -names.index(o)))
        assert e.model_choice == best and e.model_share == pytest.approx(mains.count(best) / MEMBERS)
    assert rd.timeline[3].played == "missile_test" and rd.timeline[3].played_share == 1.0
    assert debrief.questions == list(game.exercise.debrief)
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
    assert advice.month == "2024-06" and len(advice.options) == 7
    assert sum(o.best_share for o in advice.options) == pytest.approx(1.0)
    for o in advice.options:
        assert 0 <= o.score <= 1
        assert sum(o.by_interest.values()) == pytest.approx(o.score)
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
    assert first.turn == 0 and first.others == () and first.months == "2024-06 to 2024-08"
    assert {b.name for b in first.own} >= {"DPRK.food_security", "DPRK.regime_security"}
    assert "CHN.influence_over_dprk" in {b.name for b in first.world}
    assert first.advice is None  # the exercise's advisor is off
    game.play("export_munitions")
    game.play(1)  # an index
    game.release("ceasefire_talks")
    v = game.view()
    assert v.turn == 2 and v.choices == ((0, "export_munitions"), (1, "deploy_troops"))
    assert any("open talks" in n for n in v.news)
    assert len(v.others) == 6 and "DPRK" not in {m.actor for m in v.others}
    for m in v.others:
        assert sum(m.shares.values()) == pytest.approx(1.0)
        assert all(0 <= s <= 1 for s in m.ever.values())
        assert set(m.reasons) <= set(m.shares)
    assert any("% of worlds" in s for s in v.sentences)
    for b in (*v.own, *v.world, *v.interests):
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


def test_bad_moves_are_refused_and_change_nothing():
    game = Game(EXERCISE, role="DPRK", members=5, seed=1)
    with pytest.raises(GameError, match="no option 'squeeze_trade'"):
        game.play("squeeze_trade")
    with pytest.raises(GameError, match="no option 7"):
        game.play(7)
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
        game.play("hold")
    with pytest.raises(GameError, match="game is over"):
        game.play("hold")
    with pytest.raises(GameError, match="game is over"):
        game.advisor()


def test_several_roles_each_against_the_model_with_the_others_as_played():
    game = Game(EXERCISE, role=["DPRK", "CHN"], members=15, seed=5)
    plan = [{"DPRK": "export_munitions", "CHN": "squeeze_trade"}, {"DPRK": "seek_china_trade", "CHN": None},
            {"DPRK": None, "CHN": "aid_dprk"}]
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
        game.play("hold")


# -- the report ----------------------------------------------------------------------------------


def test_html_report_is_self_contained(debrief, tmp_path):
    page = debrief.to_html()
    low = page.lower()
    for banned in ("http://", "https://", "<script", " src=", "<link", "@import", "url("):
        assert banned not in low, banned
    assert low.startswith("<!doctype html>") and "<style>" in low and "<svg" in low
    assert "regime survival" in page and "Questions" in page
    paths = debrief.write(tmp_path / "report")
    assert {p.name for p in (tmp_path / "report").iterdir()} == {"debrief.html", "debrief.csv", "timeline.csv",
                                                                  "record.json"}
    rows = list(csv.DictReader(paths["csv"].open(encoding="utf-8")))
    assert len(rows) == MEMBERS * (len(ACTOR_CLASSES["DPRK"].interests) + 1)
    overall = [r for r in rows if r["interest"] == "overall"]
    better = sum(r["result"] == "better" for r in overall) / MEMBERS
    assert better == pytest.approx(debrief.roles["DPRK"].overall.better)
    timeline = list(csv.DictReader(paths["timeline"].open(encoding="utf-8")))
    assert [r["your_choice"] for r in timeline][:2] == ["export_munitions", "seek_china_trade"]
    replayed = Game.replay(GameRecord.from_json(paths["record"].read_text(encoding="utf-8")))
    assert replayed.debrief().to_csv() == paths["csv"].read_text(encoding="utf-8")


# -- the terminal game -------------------------------------------------------------------------------


def _play_cli(monkeypatch, capsys, text, *argv):
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    code = play_cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_play_cli_with_piped_choices(monkeypatch, capsys, tmp_path):
    lines = ["foo", "0", "1", "release ceasefire_talks", "release ceasefire_talks", "Seek China Trade", "", "3", "4",
             "5", "6", "7", "hold"]
    code, out, err = _play_cli(monkeypatch, capsys, "\n".join(lines) + "\n", EXERCISE, "--role", "DPRK",
                               "--members", 8, "--report", tmp_path / "rep")
    assert code == 0, err
    assert "You are North Korea" in out and "s000-survival" in out
    assert "'foo' is not one of your options" in out
    assert "There is no option 0" in out
    assert "already released" in out
    assert "Debrief" in out and "Questions for the debrief" in out
    record = GameRecord.from_json((tmp_path / "rep" / "record.json").read_text(encoding="utf-8"))
    assert [c["DPRK"] for c in record.choices] == ["export_munitions", "seek_china_trade", "missile_test",
                                                   "launch_satellite", "seek_china_trade", "engage_us", "hold", "hold"]
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
    record = GameRecord.from_json((report / "record.json").read_text(encoding="utf-8"))
    assert [c["RUS"] for c in record.choices] == ["buy_munitions", "court_china"]
