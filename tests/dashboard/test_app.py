"""The dashboard under Streamlit's AppTest: every page runs, and shows what it should after a change.

Runs are kept small (50 members) so that the suite stays fast; the browser tests in
tests/browser/ drive the same app in a real Chromium.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import sim
from sim.actors import ACTOR_CLASSES
from sim.scenario import scenario_value
from sim.scenario.evidence import load_claims

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
MEMBERS = 50
WAR = "lever|baseline|params.war_intensity_target"
"""Key of the war-intensity slider of the baseline on the Explore page."""
BASELINE = sim.load_scenario("baseline")
WAR_DEFAULT = scenario_value(BASELINE, "params.war_intensity_target")
"""Where the war lever starts: the baseline's own value."""
START = BASELINE.dates()[0]
"""The baseline's first month."""


def open_app(**query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update({"members": str(MEMBERS), **query})
    return at.run()


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


# -- Explore -------------------------------------------------------------------------------------------------
def test_explore_opens_on_the_baseline():
    at = ok(open_app())
    assert at.title[0].value.startswith("Baseline")
    assert not at.error
    assert len(at.metric) == 6
    assert at.slider(key=WAR).value == pytest.approx(WAR_DEFAULT)
    assert at.number_input(key="members").value == MEMBERS
    medians = at.session_state["explore_medians"]
    expected = sim.run("baseline", members=MEMBERS, seed=42).summary(["RUS.payments_to_dprk_usd"])[0]["median"]
    assert medians["RUS.payments_to_dprk_usd"] == pytest.approx(expected)
    # one slider per lever, labelled as in the scenario
    labels = {s.label for s in at.slider}
    assert {lv.label for lv in sim.load_scenario("baseline").levers} <= labels
    # the URL holds the view
    assert at.query_params["scenario"] == "baseline" and at.query_params["members"] == str(MEMBERS)


def test_the_app_hides_the_imported_heap_from_the_collector_once(monkeypatch):
    # Streamlit collects garbage after every run; walking the imported modules' objects took 110-150 ms per redraw
    import gc

    import dashboard

    calls, freeze = [], gc.freeze
    monkeypatch.setattr(dashboard, "_frozen", False)
    monkeypatch.setattr(gc, "freeze", lambda: (calls.append(1), freeze()))
    gc.unfreeze()
    try:
        ok(open_app())
        assert gc.get_freeze_count() > 50_000  # Streamlit, NumPy, pandas, Plotly and sim: far more than that
        ok(open_app(seed="7"))
        assert calls == [1]  # once per process, not again on later runs
    finally:
        # let the rest of the test session collect as usual (frozen extension objects, DuckDB's, are
        # otherwise reported as leaked when the interpreter exits)
        gc.unfreeze()


def horizon_median(results: sim.Results, name: str) -> float:
    return float(np.median(results.indicator(name)[:, -1]))


def test_moving_the_war_lever_changes_what_is_shown():
    at = ok(open_app())
    before = dict(at.session_state["explore_medians"])
    shown_before = [m.value for m in at.metric]
    at.slider(key=WAR).set_value(0.0).run()
    ok(at)
    after = at.session_state["explore_medians"]
    # the same numbers as sim itself, for both settings
    base = sim.run("baseline", members=MEMBERS, seed=42)
    direct = sim.run("baseline", members=MEMBERS, seed=42, settings={"params.war_intensity_target": 0.0})
    for name in ("RUS.munitions_shortfall", "RUS.payments_to_dprk_usd", "world.war_intensity"):
        assert before[name] == pytest.approx(horizon_median(base, name))
        assert after[name] == pytest.approx(horizon_median(direct, name))
    assert after["world.war_intensity"] != pytest.approx(before["world.war_intensity"])
    assert [m.value for m in at.metric] != shown_before
    # metrics show the change from the scenario's own settings, with its sign
    paid = next(m for m in at.metric if m.label == "RUS paid to DPRK")
    change = horizon_median(direct, "RUS.payments_to_dprk_usd") - horizon_median(base, "RUS.payments_to_dprk_usd")
    assert change != 0 and paid.delta and paid.delta.startswith("-$" if change < 0 else "+$")
    assert "Levers moved: Intensity the war in Ukraine heads to" in texts(at.caption)
    # moving back gives the first numbers again (from the cache)
    at.slider(key=WAR).set_value(WAR_DEFAULT).run()
    assert ok(at).session_state["explore_medians"] == pytest.approx(before)


def test_the_indicators_chart_is_cached_and_takes_the_width_the_browser_reported(monkeypatch):
    from dashboard import charts

    built = []
    real = charts.bands_figure
    monkeypatch.setattr(charts, "bands_figure", lambda *a, **k: built.append(k.get("width")) or real(*a, **k))
    at = ok(open_app())
    first = at.get("plotly_chart")[0].proto.spec
    layout = json.loads(first)["layout"]
    # no width until a browser reports one (AppTest runs no JavaScript); margins fixed, automargin off
    assert "width" not in layout
    assert all(v["automargin"] is False for k, v in layout.items() if k.startswith(("xaxis", "yaxis")))
    at.slider(key=WAR).set_value(0.3).run()
    assert ok(at).get("plotly_chart")[0].proto.spec != first
    n = len(built)
    at.slider(key=WAR).set_value(WAR_DEFAULT).run()
    assert ok(at).get("plotly_chart")[0].proto.spec == first
    assert len(built) == n  # moving back: the same figure from the cache, not built again
    # once the browser has reported the chart's width, the figure is made at that width
    at.session_state["explore_chart_width"] = 812.5
    at.run()
    assert json.loads(ok(at).get("plotly_chart")[0].proto.spec)["layout"]["width"] == 812.5
    assert built[-1] == 812.5


def test_the_indicators_axes_take_the_declared_ranges_until_zoomed_to_the_data():
    from dashboard import charts, ui
    from sim.indicators import INDICATORS, KEY_INDICATORS

    shown = ui.by_actor(list(KEY_INDICATORS))  # every group, the key indicators: the default pick
    at = ok(open_app())
    assert at.toggle(key="explore_zoom").value is False  # off by default

    def axes(at) -> list[dict]:
        layout = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
        return [layout[f"yaxis{'' if k == 0 else k + 1}"] for k in range(len(shown))]

    for name, axis in zip(shown, axes(at), strict=True):
        ind = INDICATORS[name]
        assert charts.ZOOM_MARK not in axis["title"]["text"], name
        if ind.high is not None:
            assert axis["range"] == [ind.low, ind.high], name
        else:
            assert axis["range"][0] == 0, name
        if ind.unit == "share":
            assert axis["tickformat"] == ".0%" and axis["title"]["text"] == "%, 0 to 100", name
        assert axis["tickformat"].strip(",.~0123456789") in {"%", "f", "s"}, name  # never an exponent
    # the metrics read like numbers: a share in percent, money in $ bn or m, no exponent
    values = {m.label: m.value for m in at.metric}
    assert re.fullmatch(r"\d{1,3}(\.\d)?%", values["DPRK food security"])
    assert re.fullmatch(r"\$\d[\d,.]* (bn|m)", values["RUS paid to DPRK"])
    assert not any(re.search(r"\de[+-]?\d", v) for v in values.values())

    at.toggle(key="explore_zoom").set_value(True).run()
    for name, axis in zip(shown, axes(ok(at)), strict=True):
        assert axis["autorange"] is True and "range" not in axis, name
        assert axis["title"]["text"].endswith(charts.ZOOM_MARK), name
    assert "Axes zoomed to the data" in texts(at.caption)
    # a change of a share shows in percentage points
    at.toggle(key="explore_zoom").set_value(False)
    at.slider(key=WAR).set_value(0.0).run()
    delta = next(m for m in ok(at).metric if m.label == "RUS shell shortfall").delta
    assert delta and re.fullmatch(r"[+-]\d+\.\d pp", delta)


def test_switching_scenarios_brings_their_levers_and_keeps_each_ones_settings():
    at = ok(open_app())
    at.slider(key=WAR).set_value(0.3).run()
    at.selectbox(key="scenario").set_value("ceasefire").run()
    ok(at)
    ceasefire = sim.load_scenario("ceasefire")
    assert at.title[0].value == ceasefire.title
    assert at.query_params["scenario"] == "ceasefire"
    assert "params.war_intensity_target" not in at.query_params
    assert {s.label for s in at.slider} >= {lv.label for lv in ceasefire.levers}
    direct = sim.run(ceasefire, members=MEMBERS, seed=42)
    assert at.session_state["explore_medians"]["RUS.payments_to_dprk_usd"] == pytest.approx(
        float(np.median(direct.indicator("RUS.payments_to_dprk_usd")[:, -1])))
    at.selectbox(key="scenario").set_value("baseline").run()
    assert ok(at).slider(key=WAR).value == pytest.approx(0.3)


def test_a_link_sets_the_levers():
    at = ok(open_app(**{"params.war_intensity_target": "0", "seed": "7"}))
    assert at.slider(key=WAR).value == 0.0
    assert at.number_input(key="seed").value == 7
    direct = sim.run("baseline", members=MEMBERS, seed=7, settings={"params.war_intensity_target": 0.0})
    assert at.session_state["explore_medians"]["RUS.payments_to_dprk_usd"] == pytest.approx(
        float(np.median(direct.indicator("RUS.payments_to_dprk_usd")[:, -1])))


def test_a_bad_value_in_a_link_is_refused_with_a_warning():
    at = ok(open_app(**{"params.war_intensity_target": "7"}))
    assert at.slider(key=WAR).value == pytest.approx(WAR_DEFAULT)
    assert "params.war_intensity_target" in texts(at.warning)


@pytest.mark.parametrize("bad", [
    "name: bad\nmonths: -3\n",
    "name: bad\nlevers:\n  - path: params.nope\n    label: x\n    min: 0\n    max: 1\n",
    "name: [unclosed\n",
])
def test_a_bad_upload_shows_the_cli_error_and_the_app_keeps_working(bad):
    at = ok(open_app())
    at.file_uploader(key="upload").upload("bad.yaml", bad.encode(), "application/x-yaml").run()
    ok(at)
    with pytest.raises(sim.ScenarioError) as exc:
        sim.load_scenario_text(bad, name="bad.yaml")
    shown = texts(at.error)
    assert str(exc.value) in shown
    assert "bad.yaml" in shown
    if exc.value.field:
        assert f"field '{exc.value.field}'" in shown
    # the bundled scenario is still shown, with its charts and metrics
    assert at.title[0].value.startswith("Baseline") and len(at.metric) == 6
    at.slider(key=WAR).set_value(0.0).run()
    direct = sim.run("baseline", members=MEMBERS, seed=42, settings={"params.war_intensity_target": 0.0})
    assert ok(at).session_state["explore_medians"]["world.war_intensity"] == pytest.approx(
        horizon_median(direct, "world.war_intensity"))


def test_an_uploaded_scenario_is_used():
    text = ("name: uploaded_test\nextends: baseline\ntitle: An uploaded what-if\n"
            "params:\n  war_intensity_target: 0.1\n")
    at = ok(open_app())
    at.file_uploader(key="upload").upload("mine.yaml", text.encode(), "application/x-yaml").run()
    ok(at)
    assert not at.error
    assert at.title[0].value == "An uploaded what-if"
    sc = sim.load_scenario_text(text, name="mine.yaml")
    direct = sim.run(sc, members=MEMBERS, seed=42)
    assert at.session_state["explore_medians"]["RUS.munitions_shortfall"] == pytest.approx(
        float(np.median(direct.indicator("RUS.munitions_shortfall")[:, -1])))
    assert at.query_params["scenario"] == "upload"


STORY_LINE = re.compile(r"^\d{4}-\d{2} — (?P<who>[A-Z][A-Za-z ]+?) (?P<did>kept its posture|stepped up its |"
                        r"scaled back its |chose to )")


def test_every_view_of_explore_renders():
    at = ok(open_app())
    assert len(at.get("plotly_chart")) == 1  # only the open tab is built
    for view in ("Choices", "Relations", "What happened", "Indicators"):
        at.session_state["explore_view"] = view
        ok(at.run())
        if view == "Choices":
            assert len(at.get("plotly_chart")) == 2  # the postures and the moves
        elif view != "What happened":
            assert at.get("plotly_chart"), view
    at.session_state["explore_view"] = "What happened"
    ok(at.run())
    moves_only = at.session_state["explore_story"]
    at.toggle(key="explore_changes").set_value(False)
    ok(at.run())
    story = at.session_state["explore_story"]
    months = BASELINE.months
    assert len(story) == months * len(sim.ACTORS)
    assert all(STORY_LINE.match(s) for s in story), [s for s in story if not STORY_LINE.match(s)][:3]
    assert any(re.search(r"mostly for its .+ \(claims s\d{3}-", s) for s in story)
    assert any(s.endswith("kept its posture between reviews") for s in story)
    assert story[0].startswith(f"{START} — North Korea ")
    # "only moves": the months in which an actor changed its posture or made an act, nothing else
    assert moves_only and set(moves_only) < set(story)
    assert all("kept its posture" not in s for s in moves_only)
    assert [s for s in story if "kept its posture" not in s] == moves_only
    # the same member's moves as sim's own run
    direct = sim.run("baseline", members=MEMBERS, seed=42)
    made = sum(int((direct.choices(a)[0] != "keep").sum()) for a in sim.ACTORS)
    assert len(moves_only) == made


def test_the_choices_view_shows_postures_and_moves_counting_reviews():
    at = ok(open_app())
    at.session_state["explore_view"] = "Choices"
    ok(at.run())
    direct = sim.run("baseline", members=MEMBERS, seed=42)
    review_months = {a: int((direct.reasons(a) != "between reviews").any(axis=0).sum()) for a in sim.ACTORS}
    assert at.session_state["explore_review_months"] == review_months
    caption = texts(at.caption)
    for a, n in review_months.items():
        assert f"{sim.indicators.ACTOR_NAMES[a]} {direct.months - n}" in caption
    postures, moves = (json.loads(c.proto.spec) for c in at.get("plotly_chart"))
    assert [t["name"] for t in postures["data"] if t.get("fill") != "toself"] == [
        i.indicator for a in sim.ACTORS for i in ACTOR_CLASSES[a].instruments]
    assert [len(t["y"]) for t in moves["data"]] == [len(ACTOR_CLASSES[a].options) - 1 for a in sim.ACTORS]
    # a pick of actors
    at.pills(key="explore_choice_actors").set_value(["CHN"]).run()
    postures, moves = (json.loads(c.proto.spec) for c in ok(at).get("plotly_chart"))
    assert len(moves["data"]) == 1 and "China" in moves["layout"]["annotations"][0]["text"]
    assert at.session_state["explore_review_months"] == {"CHN": review_months["CHN"]}


def test_the_relations_view_follows_the_month_slider():
    at = ok(open_app())
    at.session_state["explore_view"] = "Relations"
    ok(at.run())
    at.select_slider(key="explore_month").set_value(START).run()
    ok(at)
    table = at.dataframe[0].value
    assert len(table) == len(sim.indicators.PAIRS)
    assert (table["change"] == 0).all()  # at the start nothing has changed yet


# -- the other pages -----------------------------------------------------------------------------------------
def test_the_evidence_page_shows_the_articles_with_quotes_marked():
    at = ok(open_app())
    at.switch_page("views/evidence.py").run()
    ok(at)
    claim = load_claims()["s000-bolder"]
    article = texts(at.get("html"))
    assert "<mark" in article and claim.quote in article
    shown = texts(at.markdown)
    assert claim.quote in shown and claim.used_by and f"`{claim.used_by[0]}`" in shown
    at.selectbox(key="evidence_article").set_value("003_b0add6af65230c12.txt").run()
    quote = next(c.quote for c in load_claims().values() if c.source.startswith("003"))
    assert quote in texts(ok(at).get("html"))
    assert [b.label for b in at.get("download_button")] == ["Claims (CSV)"]


def test_the_evidence_page_lists_each_actors_instruments_moves_and_red_lines():
    from dashboard import evidence

    at = ok(open_app())
    at.switch_page("views/evidence.py").run()
    shown = texts(ok(at).markdown)
    for code, cls in ACTOR_CLASSES.items():
        assert f"Reviews its posture every {cls.review_months} month" in shown, code
        for ins in cls.instruments:
            assert f"(`{ins.indicator}`, {ins.low:g} to {ins.high:g})" in shown
            assert html.escape(ins.description) in shown
        assert f"**Moves** ({len(cls.options)})" in shown
        for o in cls.options:
            assert f"**{evidence.words(o.name)}** · <i>{evidence.move_nature(o)}</i>" in shown, (code, o.name)
            if o.requires is not None:
                assert f"<i>needs {evidence.requirement_text(o.requires)}</i>" in shown
            for cid in o.claims:
                assert f">{cid}</abbr>" in shown
        for line in cls.red_lines:
            assert f"**{evidence.words(line.name)}**: {html.escape(line.description)}" in shown
    assert "**Red lines**" in shown


def test_the_evidence_page_lists_every_assumption_with_its_live_value():
    from sim.scenario.evidence import assumptions

    at = ok(open_app())
    at.switch_page("views/evidence.py").run()
    ok(at)
    table = next(d.value for d in at.dataframe if "reasoning" in d.value.columns)
    expected = assumptions()
    assert len(expected) > 10 and table["path"].tolist() == [a.path for a in expected]
    param = next(a for a in expected if a.path.startswith("params."))
    row = table[table["path"] == param.path].iloc[0]
    live = sim.params.PARAMS[param.path.removeprefix("params.")].default
    assert row["default"] == sim.indicators.format_value(live, param.unit) and row["reasoning"] == param.reasoning


def test_the_results_page_opens_a_saved_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the page opens only folders under runs/ where the dashboard runs
    results = sim.run("baseline", members=30, seed=3, settings={"params.war_intensity_target": 0.2})
    results.save(tmp_path / "runs" / "run")
    at = ok(open_app())
    at.switch_page("views/results.py").run()
    at.text_input(key="run").input(str(tmp_path / "runs" / "run")).run()
    ok(at)
    assert not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Members"] == "30" and metrics["Seed"] == "3"
    shown = at.session_state["results_medians"]
    for name in shown:
        assert shown[name] == pytest.approx(float(np.median(results.indicator(name)[:, -1])))
    assert "params.war_intensity_target" in at.dataframe[0].value["path"].tolist()
    for view in ("Choices", "Relations", "What happened"):
        at.session_state["results_view"] = view
        ok(at.run())
    story = at.session_state["results_story"]
    assert story and all(STORY_LINE.match(s) for s in story)
    pos = int(np.flatnonzero(results.member_ids == at.selectbox(key="results_member").value)[0])
    made = [(results.dates[t], sim.indicators.ACTOR_NAMES[a]) for t in range(results.months) for a in sim.ACTORS
            if results.choices(a)[pos, t] != "keep"]  # "only moves" is on: month by month, actor by actor
    assert [re.match(r"^(\S+) — (.+?) (?:kept|stepped|scaled|chose)", s).groups() for s in story] == made


def test_the_results_page_says_when_a_folder_is_not_a_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs" / "empty").mkdir(parents=True)
    at = ok(open_app())
    at.switch_page("views/results.py").run()
    at.text_input(key="run").input("runs/empty").run()
    assert "not a Peninsula run folder" in texts(ok(at).error)


def horizon_difference(a: str, b: str, name: str, settings_b: dict | None = None) -> float:
    """The median over members of B - A at the horizon, from sim itself (same members and seed)."""
    run_a = sim.run(a, members=MEMBERS, seed=42)
    run_b = sim.run(b, members=MEMBERS, seed=42, settings=settings_b or {})
    return float(np.median(run_b.indicator(name)[:, -1] - run_a.indicator(name)[:, -1]))


def test_the_compare_page_shows_differences():
    at = ok(open_app())
    at.switch_page("views/compare.py").run()
    at.number_input(key="cmp_members").set_value(MEMBERS).run()
    ok(at)
    horizon = at.session_state["compare_horizon"]
    want = horizon_difference("baseline", "ceasefire", "world.war_intensity")
    assert want != 0 and horizon["world.war_intensity"]["median"] == pytest.approx(want, abs=1e-6)
    assert at.get("plotly_chart")
    # the same scenario on both sides differs by nothing until a lever of B moves
    at.selectbox(key="cmp_b").set_value("baseline").run()
    assert ok(at).session_state["compare_horizon"]["RUS.payments_to_dprk_usd"]["median"] == 0
    at.slider(key="b.params.war_intensity_target").set_value(0.0).run()
    want = horizon_difference("baseline", "baseline", "RUS.payments_to_dprk_usd", {"params.war_intensity_target": 0})
    assert want != 0
    assert ok(at).session_state["compare_horizon"]["RUS.payments_to_dprk_usd"]["median"] == pytest.approx(want)


def test_compare_takes_up_to_four_variants():
    at = ok(open_app())
    at.switch_page("views/compare.py").run()
    at.number_input(key="cmp_members").set_value(MEMBERS).run()
    assert set(ok(at).session_state["compare_horizons"]) == {"B"}
    at.segmented_control(key="cmp_n").set_value(4).run()
    horizons = ok(at).session_state["compare_horizons"]
    assert set(horizons) == {"B", "C", "D"}
    names = [sb.value for sb in at.selectbox]
    assert names == ["baseline", "ceasefire", "china_squeeze", "rice_deal"]
    # each difference is from A (the baseline), as sim gives it
    for tag, name, indicator in (("B", "ceasefire", "world.war_intensity"),
                                 ("C", "china_squeeze", "DPRK.hard_currency_usd"),
                                 ("D", "rice_deal", "DPRK.food_security")):
        assert horizons[tag][indicator]["median"] == pytest.approx(horizon_difference("baseline", name, indicator),
                                                                   rel=1e-6, abs=1e-6)
    runs = {tag: sim.run(name, members=MEMBERS, seed=42) for tag, name in zip("ABCD", names, strict=True)}
    # the postures at the horizon: every instrument's median level in each variant, and the change from A
    postures = at.session_state["compare_postures"]
    assert list(postures["indicator"]) == [i.indicator for cls in ACTOR_CLASSES.values() for i in cls.instruments]
    for tag, res in runs.items():
        np.testing.assert_allclose(postures[tag], [horizon_median(res, n) for n in postures["indicator"]], atol=1e-6)
    np.testing.assert_allclose(postures["D − A"], postures["D"] - postures["A"])
    # the moves: of each actor's reviews, the share on each move (keep at a review included): they add up to 1
    moves = at.session_state["compare_moves"]
    assert {"A", "B", "C", "D", "B − A", "C − A", "D − A"} <= set(moves.columns)
    assert moves[["A", "B", "C", "D"]].sum().round(6).eq(len(sim.indicators.ACTORS)).all()
    for tag, res in runs.items():
        for code in ("CHN", "RUS"):
            reviewed = res.reasons(code) != "between reviews"
            for move in ("keep", ACTOR_CLASSES[code].option_names()[1]):
                row = moves[(moves["actor"] == code) & (moves["move"] == move.replace("_", " "))]
                want = ((res.choices(code) == move) & reviewed).sum() / reviewed.sum()
                assert float(row[tag].iloc[0]) == pytest.approx(want), (tag, code, move)
    assert at.dataframe[-1].value.columns[:2].tolist() == ["actor", "move"]
    # the differences tab shows the chosen variant against A
    at.segmented_control(key="cmp_diff").set_value("D").run()
    assert any("D − A (median)" in df.value.columns for df in ok(at).dataframe)


def test_the_expectations_page_gives_verdicts():
    at = ok(open_app())
    at.switch_page("views/expectations.py").run()
    at.number_input(key="exp_members").set_value(MEMBERS).run()
    rows = ok(at).session_state["expectations"]
    assert rows and {r["scenario"] for r in rows} == {"baseline"}
    assert all(0 <= r["held in"] <= 1 for r in rows)
    assert {m.label for m in at.metric} == {"Expectations", "As declared", "Not as declared"}
    assert [b.label for b in at.get("download_button")] == ["Expectations (CSV)", "Scenario (YAML)"]
