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
        assert set(ens.shares[a]) == set(ACTOR_CLASSES[a].option_names())


def test_a_saved_run_reads_back_as_the_same_ensemble(results, ens, tmp_path):
    results.save(tmp_path / "run")
    saved = data.open_run(tmp_path / "run")
    assert saved.ensemble.dates == ens.dates and saved.ensemble.members == ens.members
    for name in NAMES:
        np.testing.assert_allclose(saved.ensemble.bands[name], ens.bands[name], rtol=1e-12, atol=1e-9)
    for a in ACTORS:
        for o, share in ens.shares[a].items():
            np.testing.assert_allclose(saved.ensemble.shares[a][o], share)
    mine = data.member_record(results, 7)
    theirs = saved.member_record(7)
    for a in ACTORS:
        assert theirs[a]["option"] == mine[a]["option"]
        assert theirs[a]["reason"] == mine[a]["reason"]
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
    shares = charts.shares_figure(ens)
    assert [t.colorscale[-1][1] for t in shares.data] == [charts.ACTOR_COLOURS[a] for a in ACTORS]
    net = charts.network_figure(ens, ens.horizon)
    assert list(net.data[-1].marker.color) == [charts.ACTOR_COLOURS[a] for a in ACTORS]


def test_charts_label_their_axes_with_units(ens):
    names = ["RUS.payments_to_dprk_usd", "DPRK.food_security", "USA.regional_troops", "relations.RUS-DPRK"]
    fig = charts.bands_figure([ens], names)
    titles = [fig.layout[f"yaxis{'' if k == 0 else k + 1}"].title.text for k in range(len(names))]
    assert titles == ["USD bn", "share, 0 to 1", "soldiers", "alignment, -1 to 1"]
    # the events are marked on every panel
    assert len(fig.layout.shapes) == len(names) * len(ens.events)
    assert all(isinstance(t, go.Scatter) for t in fig.data)


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


def test_the_relation_colour_scale():
    assert charts.relation_colour(-1) == "rgb(178,24,43)"
    assert charts.relation_colour(0) == "rgb(187,187,187)"
    assert charts.relation_colour(1) == "rgb(33,102,172)"


def test_sentences_say_who_chose_what_and_why(results):
    record = data.member_record(results, 3)
    lines = story.member_story(results.dates[:-1], record, ["CHN"])
    assert len(lines) == results.months
    for ln, option, reason in zip(lines, record["CHN"]["option"], record["CHN"]["reason"], strict=True):
        assert ln.text.startswith(f"{ln.month} — China chose {story.words(option)}")
        if reason in ACTOR_CLASSES["CHN"].interest_names():
            interest = next(i for i in ACTOR_CLASSES["CHN"].interests if i.name == reason)
            assert f"mostly for its {story.words(reason)}" in ln.text
            assert f"(claims {', '.join(interest.claims)})" in ln.text
    line = story.explain("CHN", "2025-03", "squeeze_trade", "influence")
    assert line.text == ("2025-03 — China chose squeeze trade, mostly for its influence "
                         "(claims s003-reduce-influence, s002-china-dissatisfied)")
    assert "title=" in line.html and "s003-reduce-influence" in line.html
    assert story.explain("RUS", "2024-07", "ship_food", "scripted").text == \
        "2024-07 — Russia chose ship food, as the scenario scripts it"
    assert story.words("shield_at_un") == "shield at UN" and story.words("request_us_presence") == \
        "request US presence"


def test_only_changes_keeps_the_first_month_and_the_switches(results):
    record = data.member_record(results, 0)
    lines = story.member_story(results.dates[:-1], record, ["DPRK"], changes_only=True)
    opts = record["DPRK"]["option"]
    expected = [0] + [t for t in range(1, len(opts)) if opts[t] != opts[t - 1]]
    assert [results.dates.index(ln.month) for ln in lines] == expected


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
    assert ui.fmt_value("RUS.payments_to_dprk_usd", 11.7e9) == "$11.70 bn"
    assert ui.fmt_value("RUS.monthly_payments_usd", 3.0e8) == "$300.00 m/month"
    assert ui.fmt_value("RUS.payments_to_dprk_usd", -2.5e9, signed=True) == "-$2.50 bn"
    assert ui.fmt_value("DPRK.food_security", 0.8412) == "0.841"
    assert ui.fmt_value("DPRK.food_security", 0.01, signed=True) == "+0.010"
    assert ui.fmt_value("USA.regional_troops", 82500) == "82,500 soldiers"
    assert set(ui.HEADLINE) <= set(INDICATORS)


def test_lever_values_from_a_link_are_checked_and_snapped():
    assert ui._parse_number("0.31", 0.0, 1.0, 0.05) == 0.3
    assert ui._parse_number("7", 0.0, 1.0, 0.05) is None
    assert ui._parse_number("nan", 0.0, 1.0, 0.05) is None
    assert ui._parse_number("many", 0.0, 1.0, 0.05) is None
    assert ui._parse_number("650000", 0.0, 1e6, 5e4) == 650000.0


def test_settings_keys_do_not_depend_on_order_or_float_noise():
    assert data.settings_key({"b": 1, "a": 0.30000000000000004}) == data.settings_key({"a": 0.3, "b": 1.0})
