"""Streamlit pieces of the teaching game, shared by the Play and Classroom pages.

Everything the game computes comes from ``sim.game`` (a :class:`~sim.game.TurnView`, the
moves with their claims and whether each is possible now, the advisor's scorecard with each
move's cost, the :class:`~sim.game.Debrief`); this module only lays it out: briefings with
their claims' quotes, the state and posture of the player's actor and the world as band charts
(``dashboard.charts``), what the others did and why, the moves (those impossible now greyed,
with the reason), the advisor and the debrief with its downloads.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, data, evidence, story, ui
from sim.actors import ACTOR_CLASSES
from sim.scenario.evidence import load_claims
from sim.data import bundled_exercises
from sim.game.exercise import CLAIM_ID, Exercise, load_exercise
from sim.game.game import Advice, Band, Debrief, OptionInfo, RoleDebrief, TurnView, format_value, label
from sim.indicators import ACTOR_NAMES

_YM = re.compile(r"^(\d{4})-(\d{2})")


# -- months ----------------------------------------------------------------------------------------------
def add_months(ym: str, k: int) -> str:
    """``"2024-06"`` plus ``k`` months (``k`` may be negative)."""
    y, m = int(ym[:4]), int(ym[5:7])
    n = y * 12 + (m - 1) + k
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


def view_dates(view: TurnView) -> list[str] | None:
    """The ``YYYY-MM`` of each month of a view's series (the first month of the game to now).

    A :class:`TurnView` names the months of the coming turn (``"2024-09 to 2024-11"``); its
    series run from the start of the game to the start of that turn. None once the game is over.
    """
    match = _YM.match(view.months)
    series = view.own[0].series if view.own else ()
    if match is None or not series:
        return None
    now = match.group(0)
    k = len(series) - 1
    return [add_months(now, j - k) for j in range(k + 1)]


# -- claims ----------------------------------------------------------------------------------------------
def cited(text: str) -> list[str]:
    """The claim ids a Markdown text cites, in order, each once."""
    return list(dict.fromkeys(CLAIM_ID.findall(text or "")))


def with_claim_tooltips(text: str) -> str:
    """Markdown whose claim ids become ``<abbr>`` tags with the quote as the tooltip."""
    claims = load_claims()
    return CLAIM_ID.sub(lambda m: story.claim_tag(m.group(0)) if m.group(0) in claims else m.group(0), text or "")


def markdown_with_claims(text: str, *, where=st, quotes: bool = True, key: str = "") -> None:
    """A briefing or situation: Markdown with a tooltip on each claim id, and the quotes in an expander."""
    where.markdown(with_claim_tooltips(text), unsafe_allow_html=True)
    ids = cited(text)
    if quotes and ids:
        with where.expander(f"The {len(ids)} claims cited here, quoted from the articles", expanded=False):
            st.markdown(ui.claims_markdown(ids))


# -- a turn ------------------------------------------------------------------------------------------------
def turn_header(view: TurnView, *, where=st) -> None:
    """Progress through the game and the months of the coming turn."""
    done = min(view.turn, view.turns)
    where.progress(done / max(view.turns, 1),
                   text=(f"**Turn {view.turn + 1} of {view.turns}: {view.months}**" if not view.finished
                         else f"**All {view.turns} turns played**"))


def news_section(view: TurnView) -> None:
    """What happened in the last turn (events, injects) and injects released for the coming one."""
    for line in view.news:
        st.info(line, icon=":material/campaign:")


def others_section(view: TurnView, *, own_choice: bool = True) -> None:
    """What the other states did last turn, in how many worlds, and why the model believes they did it."""
    if not view.others:
        st.caption("Nothing has happened yet: the others move with you in the first turn.")
        return
    lines = []
    if own_choice and view.choices:
        last = view.choices[-1][1]
        lines.append(f"- <b style='color:{charts.ACTOR_COLOURS[view.role]}'>You</b> ({html.escape(view.title)}): "
                     + (html.escape(label(last)) if last else "the model's rule chose for you"))
    for move in view.others:
        if not move.sentence:
            continue
        head, _, rest = move.sentence.partition(": ")
        lines.append(f"- <b style='color:{charts.ACTOR_COLOURS[move.actor]}'>{html.escape(head)}</b>: "
                     f"{html.escape(rest)}")
    st.markdown("\n".join(lines), unsafe_allow_html=True)
    st.caption("Each state's main move of the turn (the move other than keeping its posture that it made most "
               "often; 'kept its posture' where it made none), in the share of worlds where it was the main move, and "
               "the reason most often behind it: the interest that drove it, 'no review due' (a state reviews its "
               "posture only every few months), or 'a close call' (another move scored a little higher, and the "
               "state's unpredictability tipped it).")


def interest_metrics(bands: Sequence[Band]) -> None:
    """The player's interests as metrics: median score now, and its change since the start."""
    cols = st.columns(len(bands))
    for col, b in zip(cols, bands, strict=True):
        start = b.series[0][0]
        delta = b.median - start
        col.metric(story.words(b.name), f"{b.median:.2f}",
                   delta=f"{delta:+.2f} since the start" if len(b.series) > 1 and abs(delta) >= 0.005 else None,
                   help=f"{b.description} Score from 0 to 1: median of the worlds (10-90%: {b.p10:.2f} to "
                        f"{b.p90:.2f}).")


def posture_metrics(view: TurnView) -> None:
    """The player's posture as metrics: each instrument's median level now (0 to 1), and its change since the start."""
    bands = tuple(getattr(view, "posture", ()) or ())
    if not bands:
        return
    st.markdown("**Your posture** (its instruments' levels, 0 to 1, median of the worlds)")
    cols = st.columns(max(len(bands), 4))
    for col, b in zip(cols, bands, strict=False):
        start = b.series[0][0]
        delta = b.median - start
        col.metric(story.words(b.name.partition(".")[2]), f"{b.median:.2f}",
                   delta=f"{delta:+.2f} since the start" if len(b.series) > 1 and abs(delta) >= 0.005 else None,
                   delta_color="off",
                   help=f"{b.description} Level from 0 to 1: median of the worlds (10-90%: {b.p10:.2f} to "
                        f"{b.p90:.2f}). Your moves step it up or down; it holds until you change it.")


def ensemble_of_view(view: TurnView, dates: list[str], label_text: str = "") -> data.Ensemble:
    """The bands a :class:`TurnView` carries, as a :class:`dashboard.data.Ensemble` for the band charts."""
    bands = {}
    for b in (*view.own, *view.world):
        s = np.asarray(b.series, dtype=float)  # (months + 1, 3): median, p10, p90
        bands[b.name] = np.stack([s[:, 1], s[:, 0], s[:, 2]])
    return data.Ensemble(label=label_text, dates=list(dates), members=0, bands=bands, shares={})


def start_table(view: TurnView) -> None:
    """Where things stand at the start (before any turn: nothing to chart yet)."""
    rows = [{"": "you" if b.name.startswith(f"{view.role}.") else "the world", "indicator": ui.short_name(b.name),
             "value": format_value(b.median, b.unit), "unit": b.unit, "what it is": b.description}
            for b in (*view.own, *view.world)]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def state_charts(view: TurnView, ens: data.Ensemble, *, key: str) -> None:
    """Band charts (median and 10-90% of the worlds) of the player's indicators and of the world, so far."""
    own = [b.name for b in view.own]
    world = [b.name for b in view.world]
    tabs = st.tabs([f"{view.title}: your indicators", "The world"], key=f"{key}_tabs", on_change="rerun")
    for tab, names, suffix in ((tabs[0], own, "own"), (tabs[1], world, "world")):
        if tab.open is False:  # only the open tab is drawn: a browser lays out one set of charts, not two
            continue
        with tab:
            fig = charts.bands_figure([ens], names, cols=4, panel_height=150, show_events=bool(ens.events))
            if len(ens.dates) <= 13:  # a few months: one tick a month (or two), not the same month written twice
                fig.update_xaxes(dtick="M1" if len(ens.dates) <= 7 else "M2")
            st.plotly_chart(fig, key=f"{key}_{suffix}", config={"displaylogo": False})
    if ens.events:
        st.markdown("**Events** (dotted lines)  \n" + charts.event_legend(ens.events))
    st.caption(f"From {ens.dates[0]} to now ({ens.dates[-1]}). Lines: median of the worlds; shaded: 10% to 90% of "
               "the worlds. Hover a line for its values.")


# -- the moves ---------------------------------------------------------------------------------------------
def _possible(o) -> float:
    """The share of worlds in which a move (an :class:`OptionInfo` or an ``OptionAdvice``) can be made now.

    1 where ``sim.game`` does not say (a move is then taken to be possible everywhere).
    """
    return float(getattr(o, "possible", 1.0))


def _why_not(o) -> str:
    """Why a move cannot be made now, where it is possible in no world ('' otherwise, or where sim.game does not say)."""
    return str(getattr(o, "reason", "") or "") if _possible(o) <= 0 else ""


def move_nature(role: str | None, o: OptionInfo) -> str:
    """What a move does to the posture, in words (``steps CHN.trade_level down``), or '' for an unknown role."""
    if role is None:
        return ""
    moves = ACTOR_CLASSES[role].options
    if not 0 <= o.index < len(moves) or moves[o.index].name != o.name:
        return ""
    return evidence.move_nature(moves[o.index])


def options_evidence(options: Sequence[OptionInfo], role: str | None = None) -> None:
    """Each move's description, what it does to the posture and the claims it cites, with their quotes."""
    with st.expander("The evidence behind each move (quotes from the articles)"):
        for o in options:
            nature = move_nature(role, o)
            st.markdown(f"**{o.index + 1}. {o.label}**" + (f" ({nature})" if nature else "") + f" — {o.description}")
            st.markdown(ui.claims_markdown([c.id for c in o.claims]) if o.claims else "_No claim cited._")


def option_radio(options: Sequence[OptionInfo], *, key: str, disabled: bool = False,
                 role: str | None = None) -> str | None:
    """The moves as a radio (label, with what it does, the description and the claims' ids under each).

    Moves impossible in every world this turn are not in the radio: they are listed under it,
    greyed, each with the reason. A move possible in some worlds only says in how many. Returns
    a move's name, or None.
    """
    able = [o for o in options if _possible(o) > 0]
    unable = [o for o in options if _possible(o) <= 0]
    by_name = {o.name: o for o in able}

    def caption(o: OptionInfo) -> str:
        nature = move_nature(role, o)
        text = (f"*{nature}* — " if nature else "") + o.description
        if o.claims:
            text += " — cites " + ", ".join(f"`{c.id}`" for c in o.claims)
        if _possible(o) < 1:
            text += (f" — possible in {_possible(o):.0%} of worlds now (in the others your state keeps its "
                     "posture)")
        return text

    if key in st.session_state and st.session_state[key] not in by_name:
        st.session_state[key] = None  # a move that became impossible (an inject) cannot stay selected
    choice = st.radio("Your move for this turn", [o.name for o in able], index=None, key=key,
                      disabled=disabled, format_func=lambda n: f"{by_name[n].index + 1}. {by_name[n].label}",
                      captions=[caption(o) for o in able],
                      help="Your move is made in the first month of the turn, in every world where it is possible; "
                           "your posture then holds for the rest of the turn (you keep it). 'Keep' changes nothing.")
    if unable:
        st.markdown("**Not possible now**\n\n" + "\n".join(
            f"- :gray[{o.index + 1}. {o.label}] — :gray[{ui.plain(_why_not(o) or 'not possible this turn')}]"
            for o in unable))
    return choice


def advice_section(advice: Advice) -> None:
    """The advisor: how the model's own rule scores each move now (with its cost, where sim.game gives it).

    "What drives it": the interests by which the move beats the average of the moves listed most.
    Moves impossible in every world come last, with the reason.
    """
    opts = list(advice.options)
    means = {k: float(np.mean([o.by_interest.get(k, 0.0) for o in opts])) for k in opts[0].by_interest} if opts \
        else {}
    with_cost = any(hasattr(o, "cost") for o in opts)
    rows = []
    for o in sorted(opts, key=lambda o: (_possible(o) <= 0, -o.score)):
        gains = sorted(((v - means[k], k) for k, v in o.by_interest.items()), reverse=True)[:2]
        row = {"move": o.label, "score": o.score}
        if with_cost:
            row["cost"] = float(getattr(o, "cost", 0.0))
        row["best in"] = o.best_share * 100
        row["what drives it"] = ", ".join(f"{story.words(k)} {d:+.3f}" for d, k in gains if d >= 5e-4) or "—"
        if _possible(o) <= 0:
            row["what drives it"] = "not possible now: " + (_why_not(o) or "in no world")
        elif _possible(o) < 1:
            row["what drives it"] += f" (possible in {_possible(o):.0%} of worlds)"
        rows.append(row)
    st.markdown(f"**Advisor: the model's scorecard for {advice.month}**")
    months = int(getattr(advice, "horizon", 1) or 1)
    config = {"score": st.column_config.NumberColumn(format="%.3f", help=(
                  f"The rule's weighted interests over the {months} projected month{'s' if months != 1 else ''} "
                  "(0 to 1), less the cost of the move.")),
              "best in": st.column_config.ProgressColumn("best in (% of worlds)", format="%.0f%%", min_value=0,
                                                         max_value=100, color="blue"),
              "what drives it": st.column_config.TextColumn(help="The interests by which the move scores above the "
                                                                 "average move most (before its cost).")}
    if with_cost:
        config["cost"] = st.column_config.NumberColumn(format="%.3f", help=(
            "What the move costs before its value: the switching cost for a change of posture, the cost of an act, "
            "nothing for keep."))
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", column_config=config)
    st.caption(advice.sentence)


# -- the debrief -------------------------------------------------------------------------------------------
def debrief_figure(rd: RoleDebrief, dates: Sequence[str]) -> go.Figure:
    """Per interest (and overall): the player's score month by month against the model's (median, 10-90%)."""
    names = [*(o.interest for o in rd.interests), "overall"]
    cols = min(3, len(names))
    domains, height = charts.grid(len(names), cols, panel_px=150, vgap_px=64)
    x = charts.month_axis(dates)
    colour = charts.ACTOR_COLOURS.get(rd.role, "#1565c0")
    traces, layout, annotations = [], {}, []
    for k, name in enumerate(names):
        xkey, xref, suffix = (("xaxis", "x", "") if k == 0 else (f"xaxis{k + 1}", f"x{k + 1}", str(k + 1)))
        yref = f"y{suffix}"
        for who, series, col, dash in (("the model", rd.model_series[name], "#6d6d6d", "dash"),
                                       ("you", rd.player_series[name], colour, "solid")):
            p10, p50, p90 = np.percentile(series, [10, 50, 90], axis=1)
            traces.append(dict(type="scatter", x=x + x[::-1], y=np.concatenate([p90, p10[::-1]]), xaxis=xref,
                               yaxis=yref, fill="toself", mode="lines", line=dict(width=0),
                               fillcolor=charts.rgba(col, 0.15), hoverinfo="skip", showlegend=False))
            traces.append(dict(type="scatter", x=x, y=p50, xaxis=xref, yaxis=yref, mode="lines", name=who,
                               legendgroup=who, showlegend=k == 0, line=dict(color=col, width=2, dash=dash),
                               hovertemplate=f"{who}, %{{x|%Y-%m}}: %{{y:.3f}}<extra></extra>"))
        xdom, ydom = domains[k]
        layout[xkey] = dict(domain=xdom, anchor=yref, type="date", tickformat="%Y-%m", nticks=4,
                            tickfont=dict(size=10), **({} if k == 0 else {"matches": "x"}))
        layout[f"yaxis{suffix}"] = dict(domain=ydom, anchor=xref, tickfont=dict(size=10),
                                        title=dict(text="score", font=dict(size=11)))
        (x0, x1), (_, y1) = domains[k]
        annotations.append(dict(text=f"<b>{story.words(name)}</b>", x=(x0 + x1) / 2, y=y1, xref="paper", yref="paper",
                                xanchor="center", yanchor="bottom", showarrow=False, font=dict(size=12), yshift=4))
    layout.update(height=int(height) + 40, margin=dict(l=10, r=10, t=40, b=10), font=charts.FONT,
                  annotations=annotations, hovermode="closest", showlegend=True,
                  legend=dict(orientation="h", x=0, y=1.0, yanchor="top", yref="container"))
    return go.Figure(data=traces, layout=layout)


def debrief_role(debrief: Debrief, role: str, *, key: str) -> None:
    """One role's debrief: sentences, the table against the model, charts, indicators and the timeline."""
    rd = debrief.roles[role]
    n = len(rd.interests)
    head, per_interest = rd.sentences[:len(rd.sentences) - n], rd.sentences[len(rd.sentences) - n:]
    st.markdown(f"#### {head[0]}")
    for s in head[1:]:
        st.markdown(s)
    rows = [{"interest": story.words(o.interest), "weight": o.weight, "you": o.player, "the model": o.model,
             "better": o.better * 100, "tied": o.tied * 100, "worse": o.worse * 100, "what it is": o.description}
            for o in [*rd.interests, rd.overall]]
    pct = {"format": "%.0f%%", "min_value": 0, "max_value": 100}
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key=f"{key}_table",
                 column_config={"weight": st.column_config.NumberColumn(format="%.2f"),
                                "you": st.column_config.NumberColumn(format="%.3f",
                                                                     help="Average score over the months played"),
                                "the model": st.column_config.NumberColumn(format="%.3f"),
                                "better": st.column_config.ProgressColumn("better (% of worlds)", color="green",
                                                                          **pct),
                                "tied": st.column_config.NumberColumn("tied", format="%.0f%%"),
                                "worse": st.column_config.ProgressColumn("worse (% of worlds)", color="red", **pct)})
    with st.expander("Interest by interest, in sentences"):
        st.markdown("\n".join(f"- {s}" for s in per_interest))
    dates = debrief.scenario.dates()[1:debrief.months + 1]
    st.plotly_chart(debrief_figure(rd, dates), key=f"{key}_fig", config={"displaylogo": False})
    st.caption(f"Each interest's score month by month: median of the {debrief.members} worlds and 10-90% band; you "
               "(solid) against the model's own play of the same state in the same worlds (dashed).")
    st.markdown("**Timeline**")
    tl = [{"turn": e.turn + 1, "months": e.months,
           "you chose": label(e.choice) if e.choice else f"(the model's rule) {label(e.played)}",
           "the model chose": f"{label(e.model_choice)} ({e.model_share:.0%} of worlds)",
           "news": "; ".join(e.news), "the others (main choice, share of worlds)": "; ".join(e.others)}
          for e in rd.timeline]
    st.dataframe(pd.DataFrame(tl), hide_index=True, width="stretch", key=f"{key}_timeline")
    st.markdown("**Your indicators at the end** (medians)")
    ind = [{"indicator": ui.short_name(r["indicator"]), "you": format_value(r["player_median"], r["unit"]),
            "the model": format_value(r["model_median"], r["unit"])} for r in rd.indicators]
    st.dataframe(pd.DataFrame(ind), hide_index=True, width=720, key=f"{key}_indicators")


def debrief_section(debrief: Debrief, roles: Sequence[str], *, key: str, file_stem: str) -> None:
    """The debrief of one or several roles, the exercise's questions and the downloads."""
    ex = debrief.exercise
    st.caption(f"{debrief.turns_played} of {ex.turns} turns ({debrief.months} months), {debrief.members} worlds, "
               f"seed {debrief.seed}. Each score is an interest's average over the months played, compared world by "
               "world with the model's own play of the same state (same worlds, same injects at the same months).")
    roles = list(roles)
    if len(roles) == 1:
        debrief_role(debrief, roles[0], key=f"{key}_{roles[0]}")
    else:
        tabs = st.tabs([f"{ACTOR_NAMES[r]} ({r})" for r in roles], key=f"{key}_roles", on_change="rerun")
        for tab, role in zip(tabs, roles, strict=True):
            if tab.open is False:
                continue
            with tab:
                debrief_role(debrief, role, key=f"{key}_{role}")
    if debrief.questions:
        st.subheader("Questions for the debrief")
        st.markdown("\n".join(f"{i}. {with_claim_tooltips(q)}" for i, q in enumerate(debrief.questions, 1)),
                    unsafe_allow_html=True)
    st.subheader("Downloads")
    c1, c2, c3 = st.columns(3)
    c1.download_button("Report (HTML)", data=lambda: debrief.to_html().encode("utf-8"),
                       file_name=f"{file_stem}-debrief.html", mime="text/html", key=f"{key}_html", on_click="ignore",
                       icon=":material/download:", help="Self-contained: opens in any browser, no files needed.")
    c2.download_button("Worlds, one by one (CSV)", data=lambda: debrief.to_csv().encode("utf-8"),
                       file_name=f"{file_stem}-debrief.csv", mime="text/csv", key=f"{key}_csv", on_click="ignore",
                       icon=":material/download:",
                       help="Member by member: role, member, interest, your score, the model's, the difference.")
    c3.download_button("Timeline (CSV)", data=lambda: debrief.timeline_csv().encode("utf-8"),
                       file_name=f"{file_stem}-timeline.csv", mime="text/csv", key=f"{key}_timeline_csv",
                       on_click="ignore", icon=":material/download:")


# -- a whole turn ------------------------------------------------------------------------------------------
def turn_body(view: TurnView, ens: data.Ensemble | None, *, key: str, you: bool = True) -> None:
    """What a player sees before choosing: the news, what the others did and why, and where things stand.

    ``you=False`` (the instructor's look at a role) titles the sections in the third person, smaller.
    """
    news_section(view)
    if you:
        st.subheader("Last turn")
    else:
        st.markdown("##### Last turn")
    others_section(view)
    if you:
        st.subheader("Where you stand")
    else:
        st.markdown(f"##### Where {view.title} stands")
    interest_metrics(view.interests)
    posture_metrics(view)
    if ens is None or len(ens.dates) < 2:
        st.caption("At the start of the game (the charts fill in as turns are played):")
        start_table(view)
    else:
        state_charts(view, ens, key=key)


# -- exercises -------------------------------------------------------------------------------------------
@st.cache_resource(show_spinner=False, max_entries=32)
def _load_exercise(path: str, mtime_ns: int) -> Exercise:
    return load_exercise(path)


def exercises() -> dict[str, Exercise]:
    """The bundled exercises by name (cached until their files change)."""
    return {p.stem: _load_exercise(str(p), p.stat().st_mtime_ns) for p in bundled_exercises()}


def exercise_label(ex: Exercise) -> str:
    """``Pyongyang's bargain (DPRK or CHN, 8 turns of 3 months)``."""
    return f"{ex.title or ex.name} ({' or '.join(ex.roles)}, {ex.turns} turns of {ex.turn_months} months)"


def role_label(role: str) -> str:
    """A role's label: the actor's name with its code, e.g. "North Korea (DPRK)"."""
    return f"{ACTOR_NAMES[role]} ({role})"


def flash(kind: str, text: str, *, key: str) -> None:
    """Keep a message for the next run of the page (callbacks run before the page draws)."""
    st.session_state.setdefault(key, []).append((kind, text))


def show_flash(*, key: str) -> None:
    """Show and forget the kept messages."""
    for kind, text in st.session_state.pop(key, []):
        {"error": st.error, "success": st.success, "info": st.info, "warning": st.warning}[kind](text)
