"""The dashboard's building blocks without Streamlit: bands, saved runs, charts, sentences, evidence marks."""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sim  # noqa: E402
from dashboard import charts, data, evidence, story, ui  # noqa: E402
from sim.actors import ACTOR_CLASSES  # noqa: E402
from sim.scenario.evidence import load_claims  # noqa: E402
from sim.indicators import ACTORS, INDICATORS, KEY_INDICATORS, NAMES  # noqa: E402


@pytest.fixture(scope="module")
def results():
    return sim.run("baseline", members=40, seed=11, settings={"params.war_intensity_target": 0.3})


@pytest.fixture(scope="module")
def ens(results):
    return data.ensemble_from_results(results)


def test_bands_are_numpy_percentiles(results, ens):
    for name in NAMES:
        # the model's single-precision values, interpolated in double precision
        expected = np.percentile(results.indicator(name).astype(np.float64), data.PERCENTILES, axis=0)
        np.testing.assert_allclose(ens.bands[name], expected, rtol=1e-12, atol=1e-9)
    assert ens.dates == results.dates and ens.members == 40
    assert ens.events == [(e.month, e.label) for e in results.scenario.events]
    for a in ACTORS:
        assert list(ens.shares[a]) == list(ACTOR_CLASSES[a].option_names())
        # the shares of every move (keep included) add up to every member, month by month
        np.testing.assert_allclose(np.sum(list(ens.shares[a].values()), axis=0), 1.0)
        assert ens.moves(a) == [m for m in ACTOR_CLASSES[a].option_names() if m != "keep"]


def test_reviews_are_counted_apart_from_the_keeps_between_them(results, ens):
    assert story.BETWEEN in sim.engine.REASON_LABELS.values() and data.BETWEEN == story.BETWEEN
    for a in ACTORS:
        reasons = results.reasons(a)  # (members, months)
        between = reasons == "between reviews"
        assert between.any() and not between.all(), a  # a cadence: some months reviewed, some not
        np.testing.assert_allclose(ens.reviewed[a], 1.0 - between.mean(axis=0))
        assert ens.review_months(a) == int((~between).any(axis=0).sum())
        # a month between reviews is a keep: the engine records no other move there
        assert (results.choices(a)[between] == "keep").all()
        # no move but keep in a month in which no member reviewed
        for m in ens.moves(a):
            assert (ens.shares[a][m][ens.reviewed[a] == 0] == 0).all()


def test_a_saved_run_reads_back_as_the_same_ensemble(results, ens, tmp_path):
    results.save(tmp_path / "run")
    saved = data.open_run(tmp_path / "run")
    assert saved.ensemble.dates == ens.dates and saved.ensemble.members == ens.members
    for name in NAMES:
        np.testing.assert_allclose(saved.ensemble.bands[name], ens.bands[name], rtol=1e-12, atol=1e-9)
    for a in ACTORS:
        for o, share in ens.shares[a].items():
            np.testing.assert_allclose(saved.ensemble.shares[a][o], share)
    for a in ACTORS:
        np.testing.assert_array_equal(saved.ensemble.reviewed[a], ens.reviewed[a])
    mine = data.member_record(results, 7)
    theirs = saved.member_record(7)
    for a in ACTORS:
        assert theirs[a]["move"] == mine[a]["move"]
        assert theirs[a]["reason"] == mine[a]["reason"]
        assert theirs[a]["scorecard"] is None and len(mine[a]["scorecard"]) == results.months
        assert set(theirs[a]["levels"]) == {i.indicator for i in ACTOR_CLASSES[a].instruments}
        for name, levels in theirs[a]["levels"].items():
            np.testing.assert_allclose(levels, mine[a]["levels"][name])
    assert saved.manifest["seed"] == 11 and saved.manifest["settings"] == {"params.war_intensity_target": 0.3}


def test_a_folder_that_is_not_a_run_is_a_clear_error(tmp_path):
    with pytest.raises(sim.PeninsulaError, match="not a Peninsula run folder"):
        data.open_run(tmp_path)
    (tmp_path / "manifest.json").write_text("{}")
    with pytest.raises(sim.PeninsulaError, match="not a valid run manifest"):
        data.open_run(tmp_path)


def test_every_chart_uses_the_actors_colours(ens):
    assert len(set(charts.ACTOR_COLOURS.values())) == len(charts.ACTOR_COLOURS)
    fig = charts.bands_figure([ens], list(KEY_INDICATORS))
    medians = [t for t in fig.data if t.mode == "lines" and t.fill is None]
    assert len(medians) == len(KEY_INDICATORS)
    for trace, name in zip(medians, KEY_INDICATORS, strict=True):
        assert trace.line.color == charts.colour_of(name)
    assert charts.colour_of("RUS.munitions_shortfall") == charts.ACTOR_COLOURS["RUS"]
    moves = charts.moves_figure(ens)
    assert [t.colorscale[-1][1] for t in moves.data] == [charts.ACTOR_COLOURS[a] for a in ACTORS]
    postures = charts.posture_figure(ens)
    lines = [t for t in postures.data if t.fill is None]
    assert [t.line.color for t in lines] == [charts.ACTOR_COLOURS[a] for a in ACTORS
                                             for _ in ACTOR_CLASSES[a].instruments]
    net = charts.network_figure(ens, ens.horizon)
    assert list(net.data[-1].marker.color) == [charts.ACTOR_COLOURS[a] for a in ACTORS]


def test_charts_label_their_axes_with_units(ens):
    names = ["RUS.payments_to_dprk_usd", "DPRK.food_security", "USA.regional_troops", "relations.RUS-DPRK"]
    fig = charts.bands_figure([ens], names)
    titles = [fig.layout[f"yaxis{'' if k == 0 else k + 1}"].title.text for k in range(len(names))]
    assert titles == ["USD bn", "%, 0 to 100", "soldiers", "alignment, -1 to 1"]
    # the events are marked on every panel
    assert len(fig.layout.shapes) == len(names) * len(ens.events)
    assert all(isinstance(t, go.Scatter) for t in fig.data)


AXIS_CASES = {  # indicator -> (range or "from 0", tick format, tick prefix)
    "DPRK.food_security": ((0, 1), ".0%", None),          # a share: 0 to 100%, ticks in percent
    "CHN.influence_over_dprk": ((0, 1), ".2~f", None),    # an index: 0 to 1
    "relations.RUS-DPRK": ((-1, 1), ".2~f", None),        # a relation: -1 to 1
    "DPRK.missile_tests": ("from 0", ",.2~f", None),      # a count: from 0, no exponent
    "USA.regional_troops": ("from 0", ",.3~s", None),      # 80k: SI prefixes on a narrow panel, no exponent
    "RUS.payments_to_dprk_usd": ("from 0", ",.3~f", "$"),  # money: from 0, in dollars
}


def yaxes(fig) -> list:
    return [fig.layout[f"yaxis{'' if k == 0 else k + 1}"] for k in range(len(fig.layout.annotations))
            if f"yaxis{'' if k == 0 else k + 1}" in fig.layout]


def test_axes_span_the_indicators_declared_range_not_the_data(ens):
    names = list(AXIS_CASES)
    fig = charts.bands_figure([ens], names)
    for k, name in enumerate(names):
        axis = fig.layout[f"yaxis{'' if k == 0 else k + 1}"]
        want, fmt, prefix = AXIS_CASES[name]
        assert axis.tickformat == fmt and axis.tickprefix == prefix, name
        assert fmt.strip(",.~0123456789") in {"%", "f", "s"}, name  # no exponent format ("e", "g")
        assert axis.autorange is False, name
        lo, hi = axis.range
        if want == "from 0":
            div, _ = charts.scale_of(name, ens.bands[name])
            top = float(ens.bands[name].max()) / div
            assert lo == 0 and (hi == pytest.approx(top * 1.05) if top > 0 else hi == 1.0), name
        else:
            assert (lo, hi) == want, name
        assert charts.ZOOM_MARK not in axis.title.text
    # a constant indicator (nothing moves) still draws on its own range, not on -1 to 1 around the constant
    flat = [n for n in NAMES if np.ptp(ens.bands[n]) == 0]
    assert flat, "the baseline has indicators that do not move"
    fig = charts.bands_figure([ens], flat[:4])
    for k, name in enumerate(flat[:4]):
        axis = fig.layout[f"yaxis{'' if k == 0 else k + 1}"]
        ind = INDICATORS[name]
        assert axis.range[0] == (ind.low if ind.low is not None else 0) and axis.range[1] > axis.range[0], name
        if ind.high is not None:
            assert axis.range[1] == ind.high, name


def test_zoom_to_data_fits_the_axes_and_says_so_on_each(ens):
    names = list(AXIS_CASES)
    fig = charts.bands_figure([ens], names, zoom=True)
    for k, name in enumerate(names):
        axis = fig.layout[f"yaxis{'' if k == 0 else k + 1}"]
        assert axis.autorange is True and axis.range is None, name
        assert axis.title.text.endswith(f"· {charts.ZOOM_MARK}"), name
    go.Figure(fig.to_dict())  # plotly accepts it


def test_hover_text_writes_numbers_with_their_units(ens):
    fig = charts.bands_figure([ens], ["DPRK.food_security", "RUS.payments_to_dprk_usd", "USA.regional_troops"])
    hovers = [t.hovertemplate for t in fig.data if t.hovertemplate]
    assert "median %{y:.1%}" in hovers[0]
    assert "median $%{y:,.3~r} bn" in hovers[1]
    assert "median %{y:,.0f} soldiers" in hovers[2]
    assert not any(re.search(r"%\{[^}]*:[^}]*[se]\}", h) for h in hovers)  # no SI or exponent formats


def test_the_small_multiples_have_fixed_margins(ens):
    # Streamlit's chart theme turns automargin on for every axis; each axis turns it off (the browser then lays the
    # 32 axes out once) and the figure keeps room for the first column's labels and the dates below
    fig = charts.bands_figure([ens], list(KEY_INDICATORS))
    axes = [k for k in fig.layout.to_plotly_json() if k.startswith(("xaxis", "yaxis"))]
    assert len(axes) == 2 * len(KEY_INDICATORS)
    assert all(fig.layout[k].automargin is False for k in axes)
    assert fig.layout.margin.l >= 50 and fig.layout.margin.b >= 20


def test_the_band_figures_pass_plotly_validation(ens):
    # bands_figure skips plotly.py's validation for speed: validating the same figure must give the same figure
    other = data.ensemble_from_results(sim.run("baseline", members=40, seed=12), "B")
    for variants, names, width in (([ens], list(KEY_INDICATORS), None), ([ens, other], list(NAMES), 900.5)):
        fig = charts.bands_figure(variants, names, width=width)
        checked = go.Figure(fig.to_dict())  # raises on any property plotly does not know
        assert json.loads(pio.to_json(fig, validate=False)) == json.loads(pio.to_json(checked, validate=False))
        assert fig.layout.width == width


def test_several_variants_overlay_with_their_own_line_styles(results, ens):
    other = data.ensemble_from_results(sim.run("baseline", members=40, seed=11), "B")
    fig = charts.bands_figure([ens, other], ["world.war_intensity"])
    dashes = [t.line.dash for t in fig.data if t.fill is None]
    assert dashes == ["solid", "dash"]
    assert fig.layout.showlegend


def test_the_posture_chart_shows_every_instrument_on_an_axis_from_0_to_1(results, ens):
    fig = charts.posture_figure(ens)
    go.Figure(fig.to_dict())  # plotly accepts it
    lines = [t for t in fig.data if t.fill is None]
    bands = [t for t in fig.data if t.fill == "toself"]
    instruments = [i for a in ACTORS for i in ACTOR_CLASSES[a].instruments]
    assert [t.name for t in lines] == [i.indicator for i in instruments] and len(bands) == len(lines)
    for line, band, ins in zip(lines, bands, instruments, strict=True):
        # the median and the 10-90% band of the instrument's level across members
        p10, p50, p90 = np.percentile(results.indicator(ins.indicator).astype(np.float64), [10, 50, 90], axis=0)
        np.testing.assert_allclose(line.y, p50, atol=1e-9)
        np.testing.assert_allclose(band.y, np.concatenate([p90, p10[::-1]]), atol=1e-9)
        axis = fig.layout["yaxis" + line.yaxis.removeprefix("y")]
        assert tuple(axis.range) == (ins.low, ins.high) == (0, 1)
    # one row per actor: an actor's instruments share a row, and no two actors do
    rows = {}
    for line in lines:
        top = fig.layout["yaxis" + line.yaxis.removeprefix("y")].domain[1]
        rows.setdefault(line.name.split(".")[0], set()).add(round(top, 9))
    assert all(len(tops) == 1 for tops in rows.values()) and len({min(t) for t in rows.values()}) == len(ACTORS)
    # a pick of actors shows only theirs
    picked = charts.posture_figure(ens, ["CHN", "UKR"])
    assert [t.name for t in picked.data if t.fill is None] == [i.indicator for a in ("CHN", "UKR")
                                                               for i in ACTOR_CLASSES[a].instruments]


def test_the_moves_chart_leaves_keep_out_and_greys_the_months_between_reviews(results, ens):
    fig = charts.moves_figure(ens)
    go.Figure(fig.to_dict())
    months = results.months
    for trace, a in zip(fig.data, ACTORS, strict=True):
        moves = [m for m in ACTOR_CLASSES[a].option_names() if m != "keep"]
        assert list(trace.y) == [story.words(m) for m in moves]
        z = np.asarray(trace.z, dtype=float)
        reviewed = (results.reasons(a) != "between reviews").any(axis=0)  # (months,)
        assert z.shape == (len(moves), months)
        assert np.isnan(z[:, ~reviewed]).all() and not np.isnan(z[:, reviewed]).any()
        made = np.stack([(results.choices(a) == m).mean(axis=0) for m in moves]) * 100
        np.testing.assert_allclose(z[:, reviewed], made[:, reviewed])
    titles = [an.text for an in fig.layout.annotations]
    for a, title in zip(ACTORS, titles, strict=True):
        n = int((results.reasons(a) != "between reviews").any(axis=0).sum())
        assert f"reviews in {n} of {months} months" in title
    assert fig.layout.plot_bgcolor == charts.BETWEEN_REVIEWS_COLOUR


def test_the_relation_colour_scale():
    assert charts.relation_colour(-1) == "rgb(178,24,43)"
    assert charts.relation_colour(0) == "rgb(187,187,187)"
    assert charts.relation_colour(1) == "rgb(33,102,172)"


def test_sentences_say_what_each_actor_did_with_its_posture_and_why(results):
    record = data.member_record(results, 3)
    lines = story.member_story(results.dates[:-1], record, ["CHN"])
    assert len(lines) == results.months
    chn = ACTOR_CLASSES["CHN"]
    for t, (ln, move, reason) in enumerate(zip(lines, record["CHN"]["move"], record["CHN"]["reason"], strict=True)):
        assert ln.move == move and ln.moved == (move != "keep")
        opt = chn.options[chn.option_index(move)]
        if move == "keep":
            assert ln.text.startswith(f"{ln.month} — China kept its posture")
        elif opt.changes:
            (ind, steps), = opt.changes.items()
            verb = "stepped up" if steps > 0 else "scaled back"
            level = results.indicator(ind)[3]
            assert ln.text.startswith(f"{ln.month} — China {verb} {story.instrument_phrase(ind)} "
                                      f"({level[t]:.2f} → {level[t + 1]:.2f})")
        else:
            assert ln.text.startswith(f"{ln.month} — China chose to {story.words(move)}")
        if reason == "between reviews":
            assert move == "keep" and ln.text == f"{ln.month} — China kept its posture between reviews"
        if reason in chn.interest_names():
            interest = next(i for i in chn.interests if i.name == reason)
            assert f"mostly for its {story.words(reason)}" in ln.text
            assert f"(claims {', '.join(interest.claims)})" in ln.text
    assert any(ln.reason == "between reviews" for ln in lines)
    influence = next(i for i in chn.interests if i.name == "influence")
    line = story.explain("CHN", "2025-03", "squeeze_trade", "influence")
    assert line.text == ("2025-03 — China scaled back its trade with the DPRK, mostly for its influence "
                         f"(claims {', '.join(influence.claims)})")
    assert "title=" in line.html and influence.claims[0] in line.html
    assert story.explain("RUS", "2024-07", "ship_more_rice", "scripted").text == \
        "2024-07 — Russia stepped up its rice programme, as the scenario scripts it"
    assert story.explain("CHN", "2024-08", "keep", "between reviews").text == \
        "2024-08 — China kept its posture between reviews"
    assert story.explain("CHN", "2024-08", "pressure_moscow", "player").text == \
        "2024-08 — China chose to pressure Moscow, as a player chose"
    assert story.words("shield_at_un") == "shield at UN" and story.words("request_us_presence") == \
        "request US presence"


def test_every_instrument_has_words_for_a_sentence():
    every = {i.indicator for cls in ACTOR_CLASSES.values() for i in cls.instruments}
    assert set(story.INSTRUMENT_PHRASES) == every  # a new instrument needs its words here
    assert story.instrument_phrase("XYZ.fuel_level") == "its fuel"


def test_a_level_changed_by_an_event_the_next_month_is_told_only_from_where_it_started():
    dates = ["2024-08", "2024-09", "2024-10"]
    record = {"DPRK": {"move": ["deploy_more", "deploy_more", "keep"], "reason": ["autonomy"] * 2 + ["between reviews"],
                       "scorecard": None, "events": {"DPRK.deployment_level": [2]},
                       "levels": {"DPRK.deployment_level": [0.0, 0.25, 0.25, 0.25]}}}
    lines = story.member_story(dates, record, ["DPRK"])
    assert [ln.text.split(",")[0] for ln in lines] == [
        "2024-08 — North Korea stepped up its troop deployment (0.00 → 0.25)",
        "2024-09 — North Korea stepped up its troop deployment (from 0.25)",  # the event of 2024-10 set it
        "2024-10 — North Korea kept its posture between reviews"]
    assert [ln.text for ln in story.member_story(dates, record, ["DPRK"], moves_only=True)] == \
        [ln.text for ln in lines[:2]]


def test_only_moves_keeps_the_months_with_a_move(results):
    record = data.member_record(results, 0)
    lines = story.member_story(results.dates[:-1], record, ["DPRK"], moves_only=True)
    moves = record["DPRK"]["move"]
    expected = [t for t in range(len(moves)) if moves[t] != "keep"]
    assert expected  # the DPRK makes some move in 48 months
    assert [results.dates.index(ln.month) for ln in lines] == expected
    assert all(ln.moved and "kept its posture" not in ln.text for ln in lines)


def test_moves_in_words_for_the_evidence_page():
    from sim.actors.base import Option, Requirement

    dprk = ACTOR_CLASSES["DPRK"]
    assert evidence.move_nature(dprk.options[0]) == "keeps the posture"
    for o in dprk.options[1:]:
        nature = evidence.move_nature(o)
        if o.is_act:
            assert nature == "a one-off act"
        else:
            assert all(f"steps {ind} {'up' if n > 0 else 'down'}" in nature for ind, n in o.changes.items())
    two = Option("both", "", (), changes={"A.x": 2, "A.y": -1})
    assert evidence.move_nature(two) == "steps A.x up (2 steps) and steps A.y down"
    assert evidence.requirement_text(Requirement("world.mutual_assistance", 0.5, "needs the treaty")) == \
        "world.mutual_assistance at least 0.5: needs the treaty"
    assert evidence.relations_text({}) == ""
    assert evidence.relations_text({"RUS-DPRK": 0.02}, per_level=True) == \
        " Relations: RUS-DPRK +0.02 (a month, per unit of level)."


def test_every_quote_is_marked_in_its_article():
    arts = evidence.articles()
    assert len(arts) == 5
    claims = load_claims()
    for source, art in arts.items():
        mine = [c for c in claims.values() if c.source == source]
        page = evidence.marked_html(art.text, mine)
        assert page.count("<mark") >= 1
        marked = " ".join(re.findall(r"<mark[^>]*>(.*?)</mark>", page))
        for c in mine:
            assert c.id in page
            assert html.escape(" ".join(c.quote.split())) in marked, c.id
        assert "<script" not in page
    assert evidence.find_quote("a  b\nc", "a b c") == (0, 6)


def test_values_are_shown_with_their_units():
    assert ui.fmt_value("RUS.payments_to_dprk_usd", 11.44e9) == "$11.4 bn"
    assert ui.fmt_value("RUS.monthly_payments_usd", 3.0e8) == "$300 m/month"
    assert ui.fmt_value("RUS.payments_to_dprk_usd", -2.5e9, signed=True) == "-$2.50 bn"
    assert ui.fmt_value("RUS.payments_to_dprk_usd", 1.476e8, signed=True) == "+$148 m"
    assert ui.fmt_value("DPRK.food_security", 0.6213) == "62%"
    assert ui.fmt_value("DPRK.food_security", 0.031, signed=True) == "+3.1 pp"
    assert ui.fmt_value("DPRK.food_security", -0.0004, signed=True) == "0.0 pp"
    assert ui.fmt_value("CHN.influence_over_dprk", 0.6123) == "0.612"
    assert ui.fmt_value("CHN.influence_over_dprk", 0.012, signed=True) == "+0.012"
    assert ui.fmt_value("USA.regional_troops", 82500) == "82,500 soldiers"
    assert ui.fmt_value("USA.regional_troops", 1e6) == "1,000,000 soldiers"
    assert ui.fmt_value("USA.regional_troops", -1200, signed=True) == "-1,200 soldiers"
    assert set(ui.HEADLINE) <= set(INDICATORS)
    for name in NAMES:  # no exponent anywhere, whatever the size
        for v in (0.0, 3e-7, 0.5, 1e6, 4.2e12):
            for text in (ui.fmt_value(name, v), ui.fmt_value(name, -v, signed=True)):
                assert not re.search(r"\de[+-]?\d", text), (name, v, text)


def test_lever_numbers_are_plain():
    assert [ui.number(v) for v in (1e6, 650000.0, 0.3, 0.30000000000000004, 0.0, -2.5)] == \
        ["1,000,000", "650,000", "0.3", "0.3", "0", "-2.5"]


def test_lever_values_from_a_link_are_checked_and_snapped():
    assert ui._parse_number("0.31", 0.0, 1.0, 0.05) == 0.3
    assert ui._parse_number("7", 0.0, 1.0, 0.05) is None
    assert ui._parse_number("nan", 0.0, 1.0, 0.05) is None
    assert ui._parse_number("many", 0.0, 1.0, 0.05) is None
    assert ui._parse_number("650000", 0.0, 1e6, 5e4) == 650000.0


def test_settings_keys_do_not_depend_on_order_or_float_noise():
    assert data.settings_key({"b": 1, "a": 0.30000000000000004}) == data.settings_key({"a": 0.3, "b": 1.0})
