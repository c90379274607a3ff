"""Streamlit pieces the pages share: the scenario picker, lever sliders, the result views, downloads.

Widget values live in ``st.session_state`` under explicit keys (kept across pages with
``persist_state="session"``); the Explore page mirrors the scenario, lever values,
members and seed in the URL (``st.query_params``) so that a link reproduces a view.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import sim
from dashboard import charts, data, story
from sim.errors import PeninsulaError
from sim.scenario.evidence import load_claims
from sim.indicators import ACTOR_NAMES, ACTORS, INDICATORS, KEY_INDICATORS, PAIRS, format_change, format_value

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>~$:&|@^])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+(?=[.)]))", re.MULTILINE)
_MD_WWW = re.compile(r"(www)\.", re.IGNORECASE)


def plain(text: object) -> str:
    """A user's string (a name, a code, a path, a message that quotes one) made safe to put in Markdown.

    Every character Markdown, GitHub's extensions or Streamlit's own (``:red[...]``,
    ``:material/icon:``, ``$math$``, emoji shortcodes) would act on is backslash-escaped, so the
    browser shows the string exactly as written: no image, link, HTML, emphasis, heading or list.
    Letters, digits, spaces, quotes, commas and most punctuation are left as they are.
    """
    out = _MD_SPECIAL.sub(r"\\\1", str(text))
    out = _MD_WWW.sub(r"\1\\.", out)  # no autolink of www.example.com
    return _MD_LINE_START.sub(lambda m: m.group(1) + (m.group(2) + "\\" if m.group(2)[0].isdigit()
                                                      else "\\" + m.group(2)), out)


HEADLINE: dict[str, str] = {
    "RUS.munitions_shortfall": "RUS shell shortfall",
    "RUS.payments_to_dprk_usd": "RUS paid to DPRK",
    "DPRK.food_security": "DPRK food security",
    "DPRK.hard_currency_usd": "DPRK hard currency",
    "CHN.influence_over_dprk": "CHN influence",
    "ROK.threat_perception": "ROK threat felt",
}
"""Indicators shown as metrics at the top of Explore and Results (median at the horizon), with short labels."""

GROUPS: dict[str, str] = {"world": "World", **{a: a for a in ACTORS}, "relations": "Relations"}
"""The indicator groups of the Indicators view: the world, each actor, the relations."""

OWNER_ORDER = ("world",) + ACTORS + ("relations",)

VIEWS = ("Indicators", "Choices", "Relations", "What happened")

MAX_MEMBERS = 10_000
"""The largest ensemble the dashboard runs (about 3 s and 200 MB); larger ones belong to ``peninsula run``."""


# -- formatting ------------------------------------------------------------------------------------------
def fmt_value(name: str, value: float, *, signed: bool = False) -> str:
    """An indicator's value with its unit: ``$11.9 bn``, ``62%``, ``82,500 soldiers``, ``0.041``.

    With ``signed``, a change in it (``+3.1 pp`` for a share, ``-$148 m``). Written by
    :func:`sim.indicators.format_value` and :func:`sim.indicators.format_change`, the one place numbers are written.
    """
    unit = INDICATORS[name].unit
    return format_change(value, unit) if signed else format_value(value, unit)


def number(value: float) -> str:
    """A plain number (a lever's value or bounds): ``1,000,000``, ``0.3``; never ``1e+06``."""
    text = f"{float(value):,.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def short_name(name: str) -> str:
    """``RUS.munitions_shortfall`` -> ``Russia · munitions shortfall``."""
    head, _, rest = name.partition(".")
    if head == "relations":
        return f"{rest} relations"
    return f"{ACTOR_NAMES.get(head, 'World')} · {story.words(rest.removesuffix('_usd'))}"


def by_actor(names) -> list[str]:
    """Indicators ordered by the actor they belong to (world, DPRK, ..., UKR, relations)."""
    def rank(n):
        head = n.split(".", 1)[0]
        return OWNER_ORDER.index(head) if head in OWNER_ORDER else len(OWNER_ORDER)
    return sorted(names, key=lambda n: (rank(n), list(INDICATORS).index(n)))


def claims_text(ids) -> str:
    """Plain text quoting claims, for a widget's ``help`` tooltip."""
    claims = load_claims()
    parts = []
    for cid in ids:
        c = claims.get(cid)
        parts.append(f"{cid}: “{c.quote}” ({c.source})" if c else cid)
    return "\n\n".join(parts)


def claims_markdown(ids, *, notes: bool = False) -> str:
    """Markdown quoting claims with their sources (and notes)."""
    claims = load_claims()
    out = []
    for cid in ids:
        c = claims.get(cid)
        if c is None:
            out.append(f"- `{cid}` (not in seeds/evidence.yaml)")
            continue
        line = f"- `{cid}` — “{c.quote}” — *{c.source}*"
        if notes and c.note:
            line += f"  \n  {c.note}"
        out.append(line)
    return "\n".join(out)


# -- the scenario and its levers -------------------------------------------------------------------------
def _parse_number(text, lo: float, hi: float, step: float | None) -> float | None:
    try:
        v = float(text)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(v) or not lo <= v <= hi:
        return None
    if step:
        v = lo + round((v - lo) / step) * step
    return float(f"{min(hi, max(lo, v)):.10g}")


def folder_picker(found: list[str], *, noun: str, found_key: str, query_key: str, placeholder: str,
                  found_help: str, path_help: str) -> str:
    """A folder under runs/: one of those found, or a path typed (bound to the URL); "" if neither.

    The one picker of the Results and Experiments pages; each page resolves and opens the folder.
    """
    c1, c2 = st.columns([2, 3])
    picked = c1.selectbox(f"{noun.capitalize()}s found in runs/", found or ["(none yet)"], key=found_key,
                          persist_state="session", disabled=not found, help=found_help)
    typed = c2.text_input(f"…or the path of a{'n' if noun[0] in 'aeiou' else ''} {noun} folder under runs/",
                          key=query_key, bind="query-params", placeholder=placeholder, help=path_help)
    return (typed or "").strip() or (picked if found else "")


def scenario_picker(prefix: str = "", *, where=st.sidebar, allow_upload: bool = True,
                    url: bool = False, titles: bool = False) -> tuple[sim.Scenario, str]:
    """Pick a bundled scenario or upload one. Returns (scenario, id for widget keys).

    A bad upload shows the same error as ``peninsula validate`` on the page and the
    bundled choice stays in use, so the app keeps working.
    """
    names = data.bundled_scenarios()
    titles_of = data.bundled_titles()

    def label(n: str) -> str:
        return f"{n} — {titles_of[n]}" if titles_of.get(n) else n

    key = f"{prefix}scenario"
    index = 0
    if url and key not in st.session_state and "scenario" in st.query_params:
        wanted = st.query_params["scenario"]
        if wanted in names:
            index = names.index(wanted)
        elif wanted != "upload":
            st.warning(f"The link names a scenario {wanted!r} that is not bundled; showing {names[0]!r}.")
    name = where.selectbox("Scenario", names, index=index, key=key, persist_state="session",
                           format_func=label if titles else str,
                           help="The bundled scenarios (scenarios/*.yaml):\n\n"
                                + "\n".join(f"- {label(n)}" for n in names))
    scenario, sid = data.load_bundled(name), name
    if allow_upload:
        up = where.file_uploader("…or upload a scenario file (YAML)", type=["yaml", "yml"], key=f"{prefix}upload",
                                 help="A scenario file like scenarios/baseline.yaml; 'peninsula schema' "
                                      "gives its JSON Schema.")
        if up is not None:
            try:
                text = up.getvalue().decode("utf-8")
            except UnicodeDecodeError:
                st.error(f"{plain(up.name)}: the file is not UTF-8 text. Showing the bundled scenario '{name}'.")
            else:
                try:
                    uploaded = data.load_uploaded(text, up.name)
                    uploaded_sid = f"upload-{uploaded.content_hash()[:10]}"
                    _check_text(uploaded, up.name)
                except PeninsulaError as exc:
                    st.error(f"The uploaded scenario cannot be used: {exc}\n\nShowing the bundled scenario "
                             f"'{name}' instead.", icon="⚠️")
                except Exception as exc:  # noqa: BLE001 - a user's file: a message, never a traceback
                    st.error(f"The uploaded scenario cannot be used: {plain(up.name)}: {_upload_problem(exc)}"
                             f"\n\nShowing the bundled scenario '{name}' instead.", icon="⚠️")
                else:
                    scenario, sid = uploaded, uploaded_sid
                    where.caption(f"Using the uploaded file **{plain(up.name)}**. Remove it to go back to '{name}'.")
    return scenario, sid


def _check_text(scenario: sim.Scenario, file: str) -> None:
    """Raise if a scenario's words cannot be shown (a lone surrogate from a YAML escape cannot be sent as UTF-8)."""
    try:
        scenario.model_dump_json().encode("utf-8")
    except (ValueError, UnicodeError):
        raise PeninsulaError("the file holds text that is not valid Unicode (a lone surrogate such as \\ud800?)",
                             file=file) from None


def _upload_problem(exc: BaseException) -> str:
    """What went wrong with an uploaded file, in words (for errors the loader does not word itself)."""
    if isinstance(exc, RecursionError):
        return "the file is nested too deeply to be a scenario"
    if isinstance(exc, UnicodeError):
        return f"the file holds text that is not valid Unicode ({plain(exc)})"
    return f"the file could not be read as a scenario ({plain(type(exc).__name__)}: {plain(exc)})"


def lever_key(prefix: str, sid: str, path: str) -> str:
    """The session-state key of a lever slider."""
    return f"{prefix}lever|{sid}|{path}"


def lever_sliders(scenario: sim.Scenario, sid: str, *, prefix: str = "", where=st.sidebar,
                  url: bool = False, bind: str | None = None) -> dict[str, float]:
    """One slider per lever of the scenario, labelled, with the evidence as its tooltip.

    ``url``: read lever values from the query parameters named by lever path (Explore,
    with :func:`sync_url`). ``bind``: instead, bind each slider to the query parameter
    ``bind + path`` (Streamlit's ``bind="query-params"``; absent while at its default).

    Returns:
        lever path -> value.
    """
    settings = {}
    url_ok = url and st.query_params.get("scenario", "baseline") == sid
    for lv in scenario.levers:
        key = lever_key(prefix, sid, lv.path) if bind is None else f"{bind}{lv.path}"
        lo, hi = float(lv.min), float(lv.max)
        step = float(lv.step) if lv.step else (hi - lo) / 100.0
        value = data.lever_default(scenario, lv)
        if url_ok and key not in st.session_state and lv.path in st.query_params:
            parsed = _parse_number(st.query_params[lv.path], lo, hi, step)
            if parsed is None:
                st.warning(f"The link sets {lv.path} to {st.query_params[lv.path]!r}, outside "
                           f"{number(lo)} to {number(hi)}; using {number(value)}.")
            else:
                value = parsed
        integral = all(float(v).is_integer() for v in (lo, hi, step))
        tip = "\n\n".join(x for x in (lv.description, f"`{lv.path}`, {number(lo)} to {number(hi)}; "
                                      f"the scenario's value is {number(data.lever_default(scenario, lv))}.",
                                      "Evidence:\n\n" + claims_text(lv.claims) if lv.claims else "") if x)
        settings[lv.path] = where.slider(lv.label, min_value=lo, max_value=hi, value=float(value), step=step,
                                         format="%.0f" if integral else "%.2f", key=key, help=tip,
                                         persist_state="session", bind="query-params" if bind else None)
    return settings


def ensemble_inputs(scenario: sim.Scenario, *, prefix: str = "", where=st.sidebar,
                    url: bool = False, bind: bool = False) -> tuple[int, int]:
    """Members and seed inputs (defaults: the scenario's). Returns (members, seed).

    ``url``: read them from the query parameters ``members`` and ``seed`` (Explore, with
    :func:`sync_url`); ``bind``: bind them to the query parameters named by their keys.
    """
    values = {}
    for name, default, lo, hi, step, tip in (
            ("members", min(scenario.members, MAX_MEMBERS), 1, MAX_MEMBERS, 50,
             "How many members (independent worlds) the ensemble runs; the bands are their 10-90%."),
            ("seed", scenario.seed, 0, 2**31 - 1, 1, "The run's seed: the same seed gives the same members.")):
        key = f"{prefix}{name}"
        value = default
        if url and key not in st.session_state and name in st.query_params:
            parsed = _parse_number(st.query_params[name], lo, hi, 1)
            value = int(parsed) if parsed is not None else default
        values[name] = int(where.number_input(name.capitalize(), min_value=lo, max_value=hi, value=int(value),
                                              step=step, key=key, help=tip, persist_state="session",
                                              bind="query-params" if bind else None))
    return values["members"], values["seed"]


def sync_url(scenario: sim.Scenario, sid: str, settings: dict[str, float], members: int, seed: int) -> None:
    """Write the view into the URL: scenario, lever values that differ from the scenario's, members, seed."""
    own = {"scenario", "members", "seed"} | {k for k in st.query_params if "." in k}
    desired = {"members": str(members), "seed": str(seed)}
    if sid.startswith("upload-"):
        desired["scenario"] = "upload"  # a link cannot carry the file itself
    else:
        desired["scenario"] = sid
        defaults = data.default_settings(scenario)
        for path, v in settings.items():
            if not math.isclose(v, defaults[path], rel_tol=1e-12, abs_tol=1e-12):
                desired[path] = f"{v:.10g}"
    for k in own - set(desired):
        if k in st.query_params:
            del st.query_params[k]
    for k, v in desired.items():
        if st.query_params.get(k) != v:
            st.query_params[k] = v


# -- the result views ----------------------------------------------------------------------------------
def headline(ens: data.Ensemble, ref: data.Ensemble | None, names: dict[str, str] = HEADLINE) -> None:
    """Metrics: medians at the horizon, with the change from the reference (the scenario's own settings)."""
    cols = st.columns(len(names))
    for col, (name, label) in zip(cols, names.items(), strict=True):
        v = ens.median(name)
        delta = None
        if ref is not None:
            d = v - ref.median(name)
            delta = fmt_value(name, d, signed=True) if abs(d) > 1e-12 else None
        col.metric(label, fmt_value(name, v), delta=delta, delta_color="off",
                   help=f"{sim.indicators.unit_label(name)}: {INDICATORS[name].description} "
                        f"Median of {ens.members:,} members in {ens.dates[-1]} (the horizon)"
                        + ("; the change is from the scenario's own lever settings." if ref is not None else "."))


def pick_indicators(*, key: str) -> tuple[list[str], bool]:
    """Indicator picker: groups (world, actors, relations), key-only or all, ordered by actor; zoom to data.

    The "Zoom to data" toggle is off by default: each axis spans the indicator's declared range.
    Returns (names, zoom).
    """
    c1, c2, c3 = st.columns([4, 1, 1], vertical_alignment="bottom")
    groups = c1.pills("Show", list(GROUPS), selection_mode="multi", default=list(GROUPS), key=f"{key}_groups",
                      format_func=lambda g: GROUPS[g], persist_state="session",
                      help="Indicators are grouped by the actor they belong to.")
    every = c2.toggle("All indicators", value=False, key=f"{key}_all", persist_state="session",
                      help="Off: the key indicators only. On: every indicator the model records.")
    zoom = c3.toggle("Zoom to data", value=False, key=f"{key}_zoom", persist_state="session",
                     help="Off: each axis spans the indicator's full range (shares 0 to 100%, indices 0 to 1, "
                          "relations -1 to 1, counts and money from 0), so that a small change looks small. "
                          "On: each axis fits the values shown, and its title says 'zoomed to data'.")
    pool = INDICATORS if every else KEY_INDICATORS
    return by_actor([n for n in pool if n.split(".", 1)[0] in (groups or [])]), bool(zoom)


@st.cache_resource(show_spinner=False, max_entries=32)
def bands_chart(digests: tuple[str, ...], names: tuple[str, ...], width: float | None,
                _variants: list[data.Ensemble], zoom: bool = False) -> go.Figure:
    """:func:`charts.bands_figure`, cached by the variants' content, the indicators, the width and the zoom.

    The content is keyed by :attr:`data.Ensemble.digest`: moving back to an earlier setting sends the
    same figure without building it. One shared object per key (``st.plotly_chart`` copies it, it is
    never changed).
    """
    return charts.bands_figure(_variants, names, width=width, zoom=zoom)


_WIDTH_PROBE = st.components.v2.component("peninsula_chart_width", html="<span></span>", js="""
export default function (component) {
    // Reports the width of the element container it is mounted in (as wide as the chart below it) when it differs
    // from the width last sent: at once, and after a resize has stopped. State kept on the container across calls
    // (`probe`): the width last sent (at first the width Python already has, data.width), the observer and timer.
    const { parentElement, setStateValue, data } = component;
    const host = parentElement.host ?? parentElement;  // a shadow root when the styles are isolated
    const box = host.closest('[data-testid="stElementContainer"]') ?? host;
    const probe = (box.__peninsulaWidthProbe ??= { sent: data?.width ?? null, timer: null, observer: null });
    probe.setStateValue = setStateValue;
    const report = () => {
        probe.timer = null;
        const width = box.getBoundingClientRect().width;
        if (width > 0 && width !== probe.sent) {
            probe.sent = width;
            probe.setStateValue("width", width);
        }
    };
    // one observer at a time: this call's replaces the one before (whatever the order of calls and clean-ups)
    probe.observer?.disconnect();
    if (probe.timer !== null) clearTimeout(probe.timer);
    probe.timer = null;
    const observer = new ResizeObserver(() => {
        if (probe.timer !== null) clearTimeout(probe.timer);
        probe.timer = setTimeout(report, 250);
    });
    observer.observe(box);
    probe.observer = observer;
    report();
    return () => {
        observer.disconnect();
        if (probe.observer === observer) {
            probe.observer = null;
            if (probe.timer !== null) clearTimeout(probe.timer);
            probe.timer = null;
        }
    };
}""")


def chart_width(*, key: str) -> float | None:
    """The width (px) that the browser last reported for a full-width chart placed right after this call.

    A Plotly chart is mounted anew whenever its figure changes; Streamlit then draws it
    once hidden, without a width, and again once it has measured its container, so the
    new chart shows only after two complete draws. A figure that already has the
    container's width is drawn once and shows at once. A small component measures the
    container and reports its width (one more run when it first reports, or after a
    resize); it is kept in ``st.session_state[key]`` across pages and tabs. ``None``
    until reported (and under ``AppTest``, which runs no JavaScript).
    """
    known = st.session_state.get(key)
    reported = _WIDTH_PROBE(key=f"{key}_probe", data={"width": known}, default={"width": None},
                            on_width_change=lambda: None).width
    if reported:
        st.session_state[key] = known = float(reported)
    return known


def indicators_view(variants: list[data.Ensemble], *, key: str) -> None:
    """Small multiples of indicators (median and 10-90% band), events marked and listed."""
    ens = variants[0]
    names, zoom = pick_indicators(key=key)
    if not names:
        st.info("Pick at least one group.")
        return
    with st.container(gap=None):  # the width probe and the chart, with no space between them
        width = chart_width(key=f"{key}_chart_width")
        fig = bands_chart(tuple(v.digest for v in variants), tuple(names), width, variants, zoom)
        st.plotly_chart(fig, key=f"{key}_bands", config={"displaylogo": False})
    if ens.events:
        st.markdown("**Events** (dotted lines)  \n" + charts.event_legend(ens.events))
    scale = ("Axes zoomed to the data (each axis title says so): small changes look large." if zoom else
             "Axes span each indicator's full range: shares 0 to 100%, indices 0 to 1, relations -1 to 1, counts "
             "and money from 0. 'Zoom to data' fits them to the values.")
    st.caption(f"Lines: median of {ens.members:,} members; shaded: 10% to 90% of members. {scale} "
               "Hover a line for its values.")


def choices_view(ens: data.Ensemble, *, key: str) -> None:
    """Each actor's posture over time (its instruments' levels) and the moves made, month by month."""
    actors = st.pills("Actors", list(ACTORS), selection_mode="multi", default=list(ACTORS), key=f"{key}_choice_actors",
                      format_func=lambda a: ACTOR_NAMES[a], persist_state="session")
    if not actors:
        st.info("Pick at least one actor.")
        return
    st.markdown("**Postures**: each actor's instruments, the standing policies its moves set")
    st.plotly_chart(charts.posture_figure(ens, actors), key=f"{key}_postures", config={"displaylogo": False})
    st.caption(f"Each panel is one instrument of an actor, a level from 0 to 1 that holds until the actor changes it. "
               f"Line: median of {ens.members:,} members; shaded: 10% to 90% of members.")
    st.markdown("**Moves**: what the actors did with their postures")
    st.plotly_chart(charts.moves_figure(ens, actors), key=f"{key}_shares", config={"displaylogo": False})
    months = len(ens.dates) - 1
    between = "; ".join(f"{ACTOR_NAMES[a]} {months - ens.review_months(a)}" for a in actors)
    st.session_state[f"{key}_review_months"] = {a: ens.review_months(a) for a in actors}
    st.caption("Each row is a move of the actor (keeping the posture is left out); the darker the cell, the more "
               "worlds made the move that month. An actor reviews its posture every few months (and at once when an "
               "event or a red line fires); grey months are those in which no world reviewed it: every world kept "
               f"its posture between reviews. Months between reviews, of {months}: {between}. "
               "The moves' meaning and evidence are on the Evidence page.")


def relations_view(ens: data.Ensemble, *, key: str) -> None:
    """The relations network at a chosen month, and the table of all relations."""
    month = st.select_slider("Month", options=ens.dates, value=ens.dates[-1], key=f"{key}_month",
                             persist_state="session",
                             help="Relations at the start of this month (the last is the end of the run).")
    t = ens.dates.index(month)
    left, right = st.columns([3, 2])
    left.plotly_chart(charts.network_figure(ens, t), key=f"{key}_network", config={"displaylogo": False})
    rows = [{"relation": f"{p.split('-')[0]} – {p.split('-')[1]}",
             f"{ens.dates[0]}": ens.median(f"relations.{p}", 0),
             f"{month}": ens.median(f"relations.{p}", t),
             "change": ens.median(f"relations.{p}", t) - ens.median(f"relations.{p}", 0)} for p in PAIRS]
    df = pd.DataFrame(rows).sort_values("change")
    right.dataframe(df, hide_index=True, height=520,
                    column_config={c: st.column_config.NumberColumn(format="%+.2f" if c == "change" else "%.2f")
                                   for c in df.columns if c != "relation"})
    st.caption("Alignment from -1 (hostile) to 1 (aligned): median of the members. Edge colour: red hostile, "
               "grey indifferent, blue aligned; width: strength either way.")


def story_view(ens: data.Ensemble, member_ids: np.ndarray, record_of: Callable[[int], dict], *, key: str,
               with_scores: bool = True) -> None:
    """'What happened' to one member: month by month, what each actor did with its posture and why."""
    c1, c2, c3 = st.columns([1, 3, 1])
    ids = [int(i) for i in member_ids]
    member = c1.selectbox("Member", ids, key=f"{key}_member", persist_state="session",
                          help="Each member is one world of the ensemble, with its own draws.")
    actors = c2.pills("Actors", list(ACTORS), selection_mode="multi", default=list(ACTORS), key=f"{key}_actors",
                      format_func=lambda a: ACTOR_NAMES[a], persist_state="session")
    moves_only = c3.toggle("Only moves", value=True, key=f"{key}_changes", persist_state="session",
                           help="Show a month for an actor only when it changed its posture or made a one-off act; "
                                "off, also the months in which it kept its posture (at a review or between reviews).")
    if not actors:
        st.info("Pick at least one actor.")
        return
    record = record_of(member)
    lines = story.member_story(ens.dates[:-1], record, actors, moves_only=moves_only, colours=charts.ACTOR_COLOURS)
    st.session_state[f"{key}_story"] = [ln.text for ln in lines]
    box = st.container(height=460)
    parts, current = [], None
    for ln in lines:
        if ln.month != current:
            current = ln.month
            parts.append(f"\n**{ln.month}**\n")
        parts.append("- " + ln.html)
    box.markdown("\n".join(parts) or "No moves to show: every actor kept its posture.", unsafe_allow_html=True)
    note = ("Why: the interest that favoured the move most over the average move "
            "(the actor's scorecard); 'also' names the next interests it served.") if with_scores else \
        "Why: the interest that favoured the move most (a saved run keeps no scorecards)."
    st.caption(note + " 'Between reviews': the actor did not review its posture that month and kept it. A change "
               "of posture gives the instrument's level before and after, from 0 to 1. Hover a move or an interest "
               "for what it means, a claim id for its quote.")


def result_views(variant: data.Ensemble, *, key: str, member_ids: np.ndarray | None = None,
                 record_of: Callable[[int], dict] | None = None, with_scores: bool = True) -> None:
    """The four views of a run in tabs; only the open tab is built (``on_change="rerun"``)."""
    tabs = st.tabs(list(VIEWS), key=f"{key}_view", on_change="rerun")
    for tab, view in zip(tabs, VIEWS, strict=True):
        if tab.open is False:
            continue
        with tab:
            if view == "Indicators":
                indicators_view([variant], key=key)
            elif view == "Choices":
                choices_view(variant, key=key)
            elif view == "Relations":
                relations_view(variant, key=key)
            elif record_of is not None and member_ids is not None:
                story_view(variant, member_ids, record_of, key=key, with_scores=with_scores)


def downloads(*, csv: Callable[[], bytes], yaml_text: Callable[[], str], name: str, key: str, where=st) -> None:
    """Download buttons: the tidy results as CSV and the scenario as YAML (both made on click)."""
    c1, c2 = where.columns(2)
    c1.download_button("Results (CSV)", data=csv, file_name=f"{name}-results.csv", mime="text/csv",
                       key=f"{key}_csv", on_click="ignore", icon=":material/download:",
                       help="Tidy table: member, month, date, variable, value.")
    c2.download_button("Scenario (YAML)", data=lambda: yaml_text().encode("utf-8"), file_name=f"{name}.yaml",
                       mime="application/x-yaml", key=f"{key}_yaml", on_click="ignore",
                       icon=":material/download:", help="The scenario with these lever values, resolved.")
