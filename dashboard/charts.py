"""Plotly figures for the pages, with one colour per actor (:data:`ACTOR_COLOURS`) in every chart.

The functions take an :class:`~dashboard.data.Ensemble` (bands and shares already
computed) and return a ``plotly.graph_objects.Figure``. They hold no model logic and
do no heavy work: one trace per band or line, shapes for events, so that a redraw of
a 1,000-member run stays well under a second.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dashboard.data import Ensemble
from dashboard.story import words
from sim.actors import ACTOR_CLASSES
from sim.indicators import ACTOR_NAMES, ACTORS, INDICATORS, PAIRS, PERCENT_UNITS

# -- the palette: one colour per actor, everywhere (Okabe-Ito, colour-blind safe) ------------------
ACTOR_COLOURS: dict[str, str] = {
    "DPRK": "#D55E00",  # vermillion
    "RUS": "#0072B2",   # blue
    "CHN": "#E69F00",   # orange
    "USA": "#CC79A7",   # reddish purple
    "ROK": "#009E73",   # bluish green
    "JPN": "#56B4E9",   # sky blue
    "UKR": "#A08C00",   # dark yellow (Okabe-Ito yellow darkened to read on white)
    "world": "#555555",  # the world (war, sanctions): grey
}
"""Colour of each actor (and of ``world.*`` indicators)."""

RELATION_SCALE = [[0.0, "#B2182B"], [0.5, "#BBBBBB"], [1.0, "#2166AC"]]
"""Alignment -1 (hostile, red) .. 0 (grey) .. 1 (aligned, blue)."""

VARIANT_DASHES = ("solid", "dash", "dot", "dashdot")
"""Line styles that tell the variants of the Compare page apart (colours stay the actors')."""

FONT = dict(family="sans-serif", size=12)

MARGIN = dict(l=58, r=10, t=10, b=24)
"""Fixed margins of the small multiples: the first column's tick labels and axis title on the left, the dates
below. Their axes set ``automargin=False``: Streamlit's chart theme turns ``automargin`` on for every axis, and
with 32 axes plotly.js then measures every label and lays the figure out again until the margins settle, which
took about half of the browser's drawing time of the 16-panel chart."""


def owner(name: str) -> str:
    """The actor an indicator belongs to (``world`` for world.*, the first actor for relations)."""
    head = name.split(".", 1)[0]
    if head == "relations":
        return name.split(".", 1)[1].split("-")[0]
    return head


def colour_of(name: str) -> str:
    """The colour of an indicator: its actor's."""
    return ACTOR_COLOURS.get(owner(name), ACTOR_COLOURS["world"])


def rgba(hex_colour: str, alpha: float) -> str:
    """``#RRGGBB`` -> ``rgba(r,g,b,alpha)``."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def month_axis(dates: Sequence[str]) -> list[str]:
    """``YYYY-MM`` labels -> ISO dates (first of the month) for a Plotly date axis."""
    return [f"{d}-01" for d in dates]


def scale_of(name: str, values: np.ndarray) -> tuple[float, str]:
    """How to show an indicator: (divisor, unit text). Dollars in millions or billions, shares in percent."""
    unit = INDICATORS[name].unit
    if unit.startswith("USD"):
        top = float(np.nanmax(np.abs(values))) if values.size else 0.0
        div, word = (1e9, "bn") if top >= 1e9 else (1e6, "m") if top >= 1e6 else (1.0, "")
        rest = unit[3:]  # "" or "/month"
        return div, f"USD {word}{rest}".replace("  ", " ").strip() if word else unit
    if unit in PERCENT_UNITS:
        return 1.0, "%"
    return 1.0, unit


ZOOM_MARK = "zoomed to data"
"""Written in the axis title of every panel drawn with "zoom to data" on (the axis is not the indicator's range)."""


def axis_title(name: str, unit_text: str, *, zoom: bool = False) -> str:
    """Axis title with the unit and the range shown: ``%, 0 to 100``, ``alignment, -1 to 1``, ``USD bn``.

    With ``zoom``, ``… · zoomed to data``: the axis follows the data instead.
    """
    ind = INDICATORS[name]
    if zoom:
        return f"{unit_text} · {ZOOM_MARK}"
    if ind.low is not None and ind.high is not None:
        scale = 100.0 if ind.unit in PERCENT_UNITS else 1.0
        return f"{unit_text}, {ind.low * scale:g} to {ind.high * scale:g}"
    return unit_text


def value_axis(name: str, values: np.ndarray, *, zoom: bool = False) -> tuple[float, dict, tuple[str, str, str]]:
    """The y axis of an indicator's panel: (divisor of the values, axis properties, hover format).

    The range is the indicator's declared one (shares 0 to 100%, indices 0 to 1, relations -1 to 1); counts and
    money start at 0 and reach a little above the largest value shown (0 to 1 when all are 0). ``zoom``: the
    axis follows the data (Plotly's autorange) and its title says so. Tick labels never use exponents
    (``1,000,000``, ``$11.4``, ``62%``). The hover format is (prefix, d3 format, suffix) of a value.
    """
    ind = INDICATORS[name]
    div, unit_text = scale_of(name, values)
    axis: dict = dict(title=dict(text=axis_title(name, unit_text, zoom=zoom), font=dict(size=11)))
    if ind.unit in PERCENT_UNITS:
        axis.update(tickformat=".0%" if not zoom else ".3~%")
        hover = ("", ".1%", "")
    elif ind.unit.startswith("USD"):
        axis.update(tickformat=",.3~f", tickprefix="$")
        word = unit_text[4:] if unit_text.startswith("USD ") else ""
        hover = ("$", ",.3~r" if div > 1 else ",.0f", f" {word}".rstrip() if word else ind.unit[3:])
    elif ind.low is not None and ind.high is not None:
        axis.update(tickformat=".2~f" if not zoom else ",.4~f")
        hover = ("", ".3f", "")
    else:  # counts: 0.5, 2, 5,000; 82.5k from 10,000 on (the panels are narrow), never an exponent
        top = float(np.nanmax(np.abs(values))) if values.size else 0.0
        axis.update(tickformat=",.3~s" if top >= 1e4 else ",.2~f")
        hover = ("", ",.0f", f" {ind.unit}")
    if zoom:
        axis.update(autorange=True)
    elif ind.low is not None and ind.high is not None:
        axis.update(range=[ind.low, ind.high], autorange=False)
    else:
        finite = values[np.isfinite(values)] / div
        top = float(finite.max()) if finite.size else 0.0
        bottom = min(0.0, float(finite.min())) if finite.size else 0.0  # from 0 (lower only if a value is)
        axis.update(range=[bottom, top * 1.05 if top > 0 else 1.0], autorange=False)
    return div, axis, hover


def panel_title(name: str) -> str:
    """Subplot title: the actor in its colour, then the indicator's name."""
    who = owner(name)
    head, _, rest = name.partition(".")
    if head == "relations":
        a, b = rest.split("-")
        return (f"<span style='color:{ACTOR_COLOURS[a]}'><b>{a}</b></span>–"
                f"<span style='color:{ACTOR_COLOURS[b]}'><b>{b}</b></span> relations")
    label = ACTOR_NAMES.get(who, "World")
    return f"<span style='color:{colour_of(name)}'><b>{label}</b></span> · {words(rest.removesuffix('_usd'))}"


def grid(n: int, cols: int, *, hgap: float = 0.06, vgap_px: float = 70, panel_px: float = 210,
         row_px: Sequence[float] | None = None) -> tuple[list[tuple[list[float], list[float]]], float]:
    """Domains of ``n`` panels in a grid, row by row: ([x0, x1], [y0, y1]) each, and the height in px.

    Plotly's ``make_subplots`` does the same, but building a figure through it costs
    about 0.4 s for 16 panels; plain layout dicts cost a tenth of that.
    """
    rows = max(1, math.ceil(n / cols))
    heights = list(row_px) if row_px is not None else [panel_px] * rows
    total = sum(heights) + vgap_px * rows
    width = (1.0 - hgap * (cols - 1)) / cols
    out = []
    for k in range(n):
        r, c = divmod(k, cols)
        top = 1.0 - (sum(heights[:r]) + vgap_px * (r + 1) - vgap_px * 0.55) / total
        bottom = top - heights[r] / total
        x0 = c * (width + hgap)
        out.append(([x0, x0 + width], [max(0.0, bottom), min(1.0, top)]))
    return out, total


def _axes(k: int) -> tuple[str, str, str]:
    """Layout keys and trace references of panel ``k``: ("xaxis2", "x2", "2")."""
    suffix = "" if k == 0 else str(k + 1)
    return f"xaxis{suffix}", f"x{suffix}", suffix


def _title(text: str, domain: tuple[list[float], list[float]]) -> dict:
    (x0, x1), (_, y1) = domain
    return dict(text=text, x=(x0 + x1) / 2, y=y1, xref="paper", yref="paper", xanchor="center", yanchor="bottom",
                showarrow=False, font=dict(size=12), yshift=4)


def bands_figure(variants: Sequence[Ensemble], names: Sequence[str], *, cols: int = 4,
                 panel_height: int = 190, show_events: bool = True, width: float | None = None,
                 zoom: bool = False) -> go.Figure:
    """Small multiples: per indicator, the median and the 10-90% band of each variant.

    One variant is the usual view (Explore, Results); several overlay on the same panels
    (Compare), told apart by line style. Scheduled events are dotted vertical lines,
    numbered as in :func:`event_legend`. ``width`` (px) fixes the figure's width; by
    default it fills its container. Each y axis spans the indicator's declared range
    (:func:`value_axis`); ``zoom`` fits it to the data instead, and every axis title says so.

    The figure is built from plain dicts and handed to ``go.Figure`` without plotly.py's
    validation, which took 40 of the 50 ms that building it cost; the tests validate
    the same figures (``tests/test_dashboard_parts.py``).
    """
    names = list(names)
    cols = max(1, min(cols, len(names)))
    domains, height = grid(len(names), cols, panel_px=panel_height, vgap_px=44)
    first = variants[0]
    x = month_axis(first.dates)
    data: list[dict] = []
    layout: dict = {}
    shapes, annotations = [], []
    many = len(variants) > 1
    for k, name in enumerate(names):
        xkey, xref, suffix = _axes(k)
        yref = f"y{suffix}"
        colour = colour_of(name)
        div, yaxis, (pre, fmt, post) = value_axis(name, np.concatenate([v.bands[name].ravel() for v in variants]),
                                                  zoom=zoom)
        for j, ens in enumerate(variants):
            p10, p50, p90 = ens.bands[name] / div
            xv = month_axis(ens.dates)
            tag = f"{ens.label}: " if many else ""
            data.append(dict(type="scatter", x=xv + xv[::-1], y=np.concatenate([p90, p10[::-1]]), xaxis=xref,
                             yaxis=yref, fill="toself", mode="lines", line=dict(width=0),
                             fillcolor=rgba(colour, 0.10 if many else 0.2), hoverinfo="skip", showlegend=False))
            data.append(dict(type="scatter", x=xv, y=p50, xaxis=xref, yaxis=yref, mode="lines",
                             line=dict(color=colour, width=2, dash=VARIANT_DASHES[j % len(VARIANT_DASHES)]),
                             customdata=np.stack([p10, p90], axis=1), showlegend=many and k == 0,
                             legendgroup=f"v{j}", name=ens.label or "median",
                             hovertemplate=(f"{tag}%{{x|%Y-%m}}<br>median {pre}%{{y:{fmt}}}{post}"
                                            f"<br>10-90%: {pre}%{{customdata[0]:{fmt}}}{post} to "
                                            f"{pre}%{{customdata[1]:{fmt}}}{post}<extra></extra>")))
        xdom, ydom = domains[k]
        # one time axis for all panels (zoom one, zoom all); dates written under the bottom panels only
        layout[xkey] = dict(domain=xdom, anchor=yref, type="date", tickformat="%Y-%m", nticks=5,
                            tickfont=dict(size=10), showticklabels=k + cols >= len(names), automargin=False,
                            **({"range": [x[0], x[-1]]} if k == 0 else {"matches": "x"}))
        layout[f"yaxis{suffix}"] = dict(domain=ydom, anchor=xref, automargin=False, tickfont=dict(size=10), **yaxis)
        annotations.append(_title(panel_title(name), domains[k]))
        if show_events:
            for e, (month, _label) in enumerate(first.events, start=1):
                shapes.append(dict(type="line", xref=xref, yref=f"{yref} domain", x0=f"{month}-01", x1=f"{month}-01",
                                   y0=0, y1=1, line=dict(color="#777", width=1, dash="dot")))
                if k < cols:  # numbered on the top row (fewer labels for the browser to lay out)
                    annotations.append(dict(xref=xref, yref=f"{yref} domain", x=f"{month}-01", y=1.0, text=str(e),
                                            showarrow=False, xanchor="left", yanchor="top",
                                            font=dict(size=10, color="#555")))
    layout.update(height=int(height) + (40 if many else 10) + MARGIN["b"],
                  margin=dict(MARGIN, t=40 if many else 10), font=FONT, shapes=shapes, annotations=annotations,
                  hovermode="closest", showlegend=many,
                  legend=dict(orientation="h", x=0, y=1.0, yanchor="top", yref="container", font=dict(size=12)))
    if width:
        layout["width"] = width
    return go.Figure(data=data, layout=layout, _validate=False)


def event_legend(events: Sequence[tuple[str, str]]) -> str:
    """Markdown list of the numbered events shown on the time axes."""
    return "  \n".join(f"**{i}** · {month} — {label or '(unnamed event)'}"
                       for i, (month, label) in enumerate(events, start=1))


def posture_figure(ens: Ensemble, actors: Sequence[str] = ACTORS, *, cols: int = 4,
                   panel_height: int = 120) -> go.Figure:
    """Each actor's posture over time: per instrument, the median level and the 10-90% band, on an axis 0 to 1.

    One row per actor, one panel per instrument (``Actor.instruments``), in the actor's colour;
    scheduled events are dotted vertical lines as in :func:`bands_figure`.
    """
    actors = [a for a in actors if ACTOR_CLASSES[a].instruments]
    cols = max(1, min(cols, max((len(ACTOR_CLASSES[a].instruments) for a in actors), default=1)))
    domains, height = grid(max(1, len(actors)) * cols, cols, hgap=0.05, panel_px=panel_height, vgap_px=40)
    x = month_axis(ens.dates)
    data: list[dict] = []
    layout: dict = {}
    shapes, annotations = [], []
    k = 0
    for r, a in enumerate(actors):
        colour = ACTOR_COLOURS[a]
        instruments = ACTOR_CLASSES[a].instruments[:cols]
        for c, ins in enumerate(instruments):
            xkey, xref, suffix = _axes(k)
            yref = f"y{suffix}"
            p10, p50, p90 = ens.bands[ins.indicator]
            data.append(dict(type="scatter", x=x + x[::-1], y=np.concatenate([p90, p10[::-1]]), xaxis=xref,
                             yaxis=yref, fill="toself", mode="lines", line=dict(width=0), fillcolor=rgba(colour, 0.2),
                             hoverinfo="skip", showlegend=False))
            data.append(dict(type="scatter", x=x, y=p50, xaxis=xref, yaxis=yref, mode="lines",
                             line=dict(color=colour, width=2), customdata=np.stack([p10, p90], axis=1),
                             showlegend=False, name=ins.indicator,
                             hovertemplate=(f"{ACTOR_NAMES[a]} · {words(ins.indicator.partition('.')[2])}, "
                                            "%{x|%Y-%m}<br>median level %{y:.2f}<br>10-90%: %{customdata[0]:.2f} "
                                            "to %{customdata[1]:.2f}<extra></extra>")))
            xdom, ydom = domains[r * cols + c]
            last_row = r == len(actors) - 1
            layout[xkey] = dict(domain=xdom, anchor=yref, type="date", tickformat="%Y-%m", nticks=5,
                                tickfont=dict(size=10), showticklabels=last_row, automargin=False,
                                **({"range": [x[0], x[-1]]} if k == 0 else {"matches": "x"}))
            layout[f"yaxis{suffix}"] = dict(domain=ydom, anchor=xref, automargin=False, range=[ins.low, ins.high],
                                            tickvals=[ins.low, (ins.low + ins.high) / 2, ins.high],
                                            tickfont=dict(size=10),
                                            title=dict(text=f"level, {ins.low:g} to {ins.high:g}" if c == 0 else "",
                                                       font=dict(size=11)))
            annotations.append(_title(panel_title(ins.indicator), domains[r * cols + c]))
            for e, (month, _label) in enumerate(ens.events, start=1):
                shapes.append(dict(type="line", xref=xref, yref=f"{yref} domain", x0=f"{month}-01", x1=f"{month}-01",
                                   y0=0, y1=1, line=dict(color="#777", width=1, dash="dot")))
                if r == 0:
                    annotations.append(dict(xref=xref, yref=f"{yref} domain", x=f"{month}-01", y=1.0, text=str(e),
                                            showarrow=False, xanchor="left", yanchor="top",
                                            font=dict(size=10, color="#555")))
            k += 1
    layout.update(height=int(height) + 10 + MARGIN["b"], margin=dict(MARGIN), font=FONT, shapes=shapes,
                  annotations=annotations, hovermode="closest", showlegend=False)
    return go.Figure(data=data, layout=layout)


BETWEEN_REVIEWS_COLOUR = "#E4E4E4"
"""The grey of a month in which no world reviewed the actor's posture (the moves chart's background)."""


def moves_figure(ens: Ensemble, actors: Sequence[str] = ACTORS, *, cols: int = 2) -> go.Figure:
    """Heatmaps: for each actor, the share of worlds making each move month by month, ``keep`` left out.

    Each cell is the share of all the worlds that made the move that month, from white (none) to
    the actor's colour (all). A month in which no world reviewed the actor's posture (every
    world kept it "between reviews") is left empty, so it shows grey; the hover text gives the
    share of worlds that reviewed, and each panel's title in how many months any did.
    """
    actors = list(actors)
    rows = max(1, math.ceil(len(actors) / cols))
    n_moves = [len(ens.moves(a)) for a in actors]
    row_px = [22 * max(1, *n_moves[r * cols:(r + 1) * cols]) for r in range(rows)]
    domains, height = grid(len(actors), cols, hgap=0.19, vgap_px=78, row_px=row_px)
    x = month_axis(ens.dates[:-1])
    data, layout, annotations = [], {}, []
    for k, a in enumerate(actors):
        xkey, xref, suffix = _axes(k)
        yref = f"y{suffix}"
        moves = ens.moves(a)
        reviewed = ens.reviewed.get(a)
        if reviewed is None:  # nothing says which months were reviews: every month counts
            reviewed = np.ones(len(x))
        z = np.stack([ens.shares[a][m] for m in moves]) * 100.0 if moves else np.zeros((0, len(x)))
        z = np.where(reviewed[None, :] > 0, z, np.nan)
        custom = np.broadcast_to(reviewed[None, :] * 100.0, z.shape)
        data.append(dict(type="heatmap", x=x, y=[words(m) for m in moves], z=z, zmin=0, zmax=100,
                         xaxis=xref, yaxis=yref, colorscale=[[0, "#FFFFFF"], [1, ACTOR_COLOURS[a]]],
                         showscale=False, xgap=1, ygap=1, customdata=custom, hoverongaps=False,
                         hovertemplate=(f"{ACTOR_NAMES[a]}, %{{x|%Y-%m}}<br>%{{y}}: %{{z:.0f}}% of worlds"
                                        "<br>(reviewed its posture in %{customdata:.0f}% of worlds)<extra></extra>")))
        xdom, ydom = domains[k]
        layout[xkey] = dict(domain=xdom, anchor=yref, type="date", tickformat="%Y-%m", nticks=6,
                            tickfont=dict(size=10), showgrid=False)
        layout[f"yaxis{suffix}"] = dict(domain=ydom, anchor=xref, autorange="reversed", tickfont=dict(size=11),
                                        showgrid=False)
        n = len(x)
        annotations.append(_title(f"<span style='color:{ACTOR_COLOURS[a]}'><b>{ACTOR_NAMES[a]}</b></span>"
                                  " · % of worlds making each move<br><span style='font-size:11px;color:#666'>"
                                  f"reviews in {ens.review_months(a)} of {n} months; grey: between reviews</span>",
                                  domains[k]))
    layout.update(height=int(height) + 10, margin=dict(l=10, r=10, t=10, b=10), font=FONT, annotations=annotations,
                  plot_bgcolor=BETWEEN_REVIEWS_COLOUR)
    return go.Figure(data=data, layout=layout)


NODE_POS: dict[str, tuple[float, float]] = {
    a: (math.cos(math.pi / 2 + 2 * math.pi * i / len(ACTORS)), math.sin(math.pi / 2 + 2 * math.pi * i / len(ACTORS)))
    for i, a in enumerate(ACTORS)
}
"""Fixed places of the seven actors on a circle (same place in every month, so changes show)."""


def relation_colour(value: float) -> str:
    """Colour of an alignment in [-1, 1] on :data:`RELATION_SCALE`."""
    t = min(1.0, max(0.0, (value + 1.0) / 2.0))
    (a0, c0), (a1, c1) = (RELATION_SCALE[0], RELATION_SCALE[1]) if t <= 0.5 else (RELATION_SCALE[1], RELATION_SCALE[2])
    f = (t - a0) / (a1 - a0)
    rgb0 = [int(c0[i:i + 2], 16) for i in (1, 3, 5)]
    rgb1 = [int(c1[i:i + 2], 16) for i in (1, 3, 5)]
    r, g, b = (round(u + (v - u) * f) for u, v in zip(rgb0, rgb1, strict=True))
    return f"rgb({r},{g},{b})"


def network_figure(ens: Ensemble, month: int, *, start_month: int | None = 0) -> go.Figure:
    """The relations between the actors at a month: median alignment of the members.

    Edges are coloured from red (hostile) to blue (aligned) and drawn thicker the
    stronger the alignment either way; hovering an edge's midpoint gives the value and
    its change since ``start_month``.
    """
    fig = go.Figure()
    mid_x, mid_y, mid_text, mid_col = [], [], [], []
    for pair in PAIRS:
        a, b = pair.split("-")
        v = float(ens.bands[f"relations.{pair}"][1, month])
        v0 = float(ens.bands[f"relations.{pair}"][1, start_month]) if start_month is not None else None
        (xa, ya), (xb, yb) = NODE_POS[a], NODE_POS[b]
        fig.add_trace(go.Scatter(x=[xa, xb], y=[ya, yb], mode="lines", hoverinfo="skip", showlegend=False,
                                 line=dict(color=relation_colour(v), width=1 + 9 * abs(v))))
        mid_x.append((xa + xb) / 2)
        mid_y.append((ya + yb) / 2)
        change = f"<br>change since {ens.dates[start_month]}: {v - v0:+.2f}" if v0 is not None else ""
        mid_text.append(f"{ACTOR_NAMES[a]} – {ACTOR_NAMES[b]}<br>alignment {v:+.2f} (-1 hostile, 1 aligned){change}")
        mid_col.append(v)
    fig.add_trace(go.Scatter(x=mid_x, y=mid_y, mode="markers", hovertext=mid_text, hoverinfo="text",
                             showlegend=False, marker=dict(size=9, color=mid_col, cmin=-1, cmax=1,
                                                           colorscale=RELATION_SCALE, line=dict(width=0),
                                                           colorbar=dict(title=dict(text="alignment<br>(-1 to 1)"),
                                                                         thickness=12, len=0.6))))
    xs, ys = zip(*(NODE_POS[a] for a in ACTORS), strict=True)
    fig.add_trace(go.Scatter(
        x=xs, y=ys, mode="markers+text", text=[f"<b>{a}</b>" for a in ACTORS], textposition="middle center",
        textfont=dict(color="white", size=12), hovertext=[ACTOR_NAMES[a] for a in ACTORS], hoverinfo="text",
        marker=dict(size=46, color=[ACTOR_COLOURS[a] for a in ACTORS], line=dict(color="white", width=2)),
        showlegend=False))
    fig.update_xaxes(visible=False, range=[-1.35, 1.35])
    fig.update_yaxes(visible=False, range=[-1.25, 1.25], scaleanchor="x", scaleratio=1)
    fig.update_layout(height=520, margin=dict(l=10, r=10, t=40, b=10), font=FONT, plot_bgcolor="white",
                      title=dict(text=f"Relations in {ens.dates[month]} (median of {ens.members:,} members)",
                                 font=dict(size=14)))
    return fig
