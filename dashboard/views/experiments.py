"""Experiments: open a folder written by ``peninsula batch`` and show its outcomes, PRIM boxes and robust policies.

The numbers come from ``sim`` through :mod:`dashboard.data` (``sim.load_experiment``,
``sim.discover``, ``sim.robust``, cached by folder and manifest hash); this page reads the
widgets and draws.
"""

from __future__ import annotations

import math
from typing import NoReturn

import numpy as np
import pandas as pd
import plotly.colors
import plotly.graph_objects as go
import streamlit as st

from dashboard import data, ui
from sim.errors import PeninsulaError

STATISTICS = ("mean", "median", "p10", "p90")
RANK_BY = ("regret", "mean", "median", "p10", "p90", "satisficing")
OTHER, INTEREST = "#9aa5b1", "#d62728"


def policy_colours(policies: list[str]) -> dict[str, str]:
    """One distinct colour per policy, in design order (Plotly's ten, then the 26 of Alphabet)."""
    palette = plotly.colors.qualitative.Plotly if len(policies) <= 10 else plotly.colors.qualitative.Alphabet
    return {p: palette[i % len(palette)] for i, p in enumerate(policies)}


def plain_numbers(fig: go.Figure) -> go.Figure:
    """Tick labels as plain numbers with thousands separators (``5,000,000,000``), never ``5e+9`` or ``5B``."""
    return fig.update_xaxes(exponentformat="none", separatethousands=True).update_yaxes(
        exponentformat="none", separatethousands=True)


def short(path: str) -> str:
    """A factor's label for a crowded axis: ``params.rice_t_per_year`` -> ``rice_t_per_year``."""
    return path.removeprefix("params.")


def scatter(x: pd.Series, y: np.ndarray, policy: pd.Series | None, colours: dict[str, str], *, xtitle: str,
            ytitle: str) -> go.Figure:
    """Each design point's outcome against a factor, coloured by policy."""
    fig = go.Figure()
    groups = [(p, (policy == p).to_numpy()) for p in colours] if policy is not None else [("points", None)]
    for name, sel in groups:
        fig.add_trace(go.Scatter(x=x if sel is None else x[sel], y=y if sel is None else y[sel], mode="markers",
                                 name=name, marker={"size": 8, "color": colours.get(name, "#1f77b4")},
                                 hovertemplate=f"{name}<br>%{{x:,.4~r}}<br>%{{y:,.4~r}}<extra></extra>"))
    fig.update_layout(template="plotly_white", xaxis_title=xtitle, yaxis_title=ytitle, height=420,
                      legend_title_text="policy" if policy is not None else None, margin={"t": 30})
    return plain_numbers(fig)


def parallel(design: pd.DataFrame, factors: list[str], values: np.ndarray, outcome: str) -> go.Figure:
    """Parallel coordinates: the chosen factors and the outcome, each line a design point coloured by its outcome."""
    dims = [{"label": short(f), "values": design[f]} for f in factors] + [{"label": outcome, "values": values}]
    fig = go.Figure(go.Parcoords(dimensions=dims, line={"color": values, "colorscale": "Viridis", "showscale": True,
                                                        "colorbar": {"title": {"text": "outcome"}}}))
    fig.update_layout(height=420, margin={"l": 80, "r": 80, "t": 60})
    return fig


def box_scatter(found, box, xcol: str, ycol: str) -> go.Figure:
    """The design points over two factors (of interest in red) with the box's ranges as a rectangle."""
    cases = found.cases
    fig = go.Figure()
    for flag, name, colour in ((False, "other points", OTHER), (True, "of interest", INTEREST)):
        sel = cases[cases["interest"] == flag]
        fig.add_trace(go.Scatter(x=sel[xcol], y=sel[ycol], mode="markers", name=name,
                                 marker={"size": 8, "color": colour, "opacity": 0.8}, customdata=sel["outcome"],
                                 hovertemplate="%{x:,.4~r}, %{y:,.4~r}<br>outcome %{customdata:,.4~r}<extra></extra>"))
    if box is not None:
        lims = box.limits.set_index("factor")
        edges = []
        for col in (xcol, ycol):
            lo, hi = float(cases[col].min()), float(cases[col].max())
            if col in lims.index:
                lo = lo if math.isnan(lims.loc[col, "low"]) else float(lims.loc[col, "low"])
                hi = hi if math.isnan(lims.loc[col, "high"]) else float(lims.loc[col, "high"])
            edges.append((lo, hi))
        (x0, x1), (y0, y1) = edges
        fig.add_shape(type="rect", x0=x0, x1=x1, y0=y0, y1=y1, line={"color": "black", "width": 2},
                      fillcolor="rgba(0,0,0,0.04)")
    fig.update_layout(template="plotly_white", xaxis_title=xcol, yaxis_title=ycol, height=440, margin={"t": 30})
    return plain_numbers(fig)


def policies_over_scenarios(cells: pd.DataFrame, colours: dict[str, str], outcome: str, criterion) -> go.Figure:
    """Each policy's value in each scenario, a line per policy in its colour."""
    fig = go.Figure()
    for p, block in cells.groupby("policy", sort=False):
        block = block.sort_values("scenario")
        fig.add_trace(go.Scatter(x=block["scenario"].astype(str), y=block["value"], mode="lines+markers", name=str(p),
                                 line={"color": colours.get(str(p))}, customdata=block["regret"],
                                 hovertemplate=f"{p}<br>scenario %{{x}}<br>%{{y:,.4~r}} (regret %{{customdata:,.3~r}})"
                                               "<extra></extra>"))
    if criterion is not None:
        fig.add_hline(y=criterion.value, line_dash="dash", line_color="black",
                      annotation_text=f"satisficing {criterion.text}")
    fig.update_layout(template="plotly_white", xaxis_title="scenario", yaxis_title=outcome, height=420,
                      legend_title_text="policy", xaxis_type="category", margin={"t": 30})
    return plain_numbers(fig)


def stop_with(message: str) -> NoReturn:
    """Show the message as an error and end this run of the page."""
    st.error(message)
    st.stop()


# -- which experiment ------------------------------------------------------------------------------------------------
st.title("Experiments")
st.caption("A folder written by `peninsula batch` (or `sim.experiment(...).save(dir)`) under runs/: outcomes against "
           "the factors, the boxes of scenario discovery (PRIM), and the policies ranked by robustness.")

folder = ui.folder_picker(
    data.find_experiments(), noun="experiment", found_key="exp_found", query_key="experiment",
    placeholder="runs/policies", found_help="Folders under runs/ written by peninsula batch, newest first.",
    path_help="A folder under runs/ in the folder the dashboard was started from: its name, or its path, relative "
              "(runs/policies) or absolute. Nothing outside runs/ opens here.")
if not folder:
    st.info("No experiment folder yet. Make one with `peninsula batch baseline --policies 4 --scenarios 20 "
            "--members 20 --outcome DPRK.food_security@2026-06 --out runs/policies`, or type the path of a folder above.")
    st.stop()

try:
    path = data.resolve_run(folder)  # only under runs/: symlinks and .. resolved first
except PeninsulaError:
    stop_with("This page opens only experiment folders under runs/ in the folder the dashboard was started from: "
              "give an experiment's name there (policies) or its path (runs/policies).")
if not path.exists():
    stop_with(f"There is no experiment folder {ui.plain(folder)} under runs/. Make one with `peninsula batch "
              "<scenario> ... --out runs/<name>`, or pick one of the experiments found.")
try:
    exp = data.open_experiment(path)
except PeninsulaError as exc:
    stop_with(f"This folder cannot be opened as an experiment: {ui.plain(exc)}")
except Exception as exc:  # a damaged folder is a message, never a traceback  # noqa: BLE001
    stop_with(f"This experiment folder is damaged and cannot be read: {ui.plain(type(exc).__name__)}: "
              f"{ui.plain(exc)}")

st.subheader(f"{exp.scenario}: {exp.title}" if exp.title else exp.scenario)
cols = st.columns(5)
cols[0].metric("Design points", f"{exp.points:,}")
cols[1].metric("Members per point", f"{exp.members:,}")
cols[2].metric("Policies", f"{len(exp.policies) or 1:,}")
cols[3].metric("Scenarios", f"{exp.scenarios:,}")
cols[4].metric("Seed", f"{exp.seed}")
st.caption(f"Outcomes recorded: {', '.join(f'`{o}`' for o in exp.outcomes)}. Each design point's outcome is a "
           "statistic over its members.")

# -- which outcome ---------------------------------------------------------------------------------------------------
c1, c2 = st.columns([3, 1])
outcome = c1.selectbox("Outcome", exp.columns, key="outcome", bind="query-params", accept_new_options=True,
                       help="A recorded outcome column, or type IND or IND@YYYY-MM as for peninsula discover "
                            "--outcome (IND alone is its horizon).")
statistic = c2.selectbox("Over each point's members", STATISTICS, key="exp_statistic")
if not exp.factors:
    stop_with("No factor varies over this experiment's design points, so there is nothing to plot the outcome "
              "against; run a design that varies levers or uncertainties.")
try:
    column, values = data.outcome_values(exp.directory, exp.stamp, str(outcome or ""), statistic)
except PeninsulaError as exc:
    stop_with(f"This outcome cannot be shown: {ui.plain(exc.message)}")
colours = policy_colours(exp.policies)
policy = exp.design["policy"].astype(str) if exp.policies else None
ylabel = f"{column} ({statistic})"

# -- outcomes against the factors -----------------------------------------------------------------------------------
st.header("Outcomes against the factors", divider="gray")
left, right = st.columns(2)
with left:
    factor = st.selectbox("Factor", exp.factors, key="exp_factor")
    x = exp.design[factor]
    st.session_state["exp_scatter"] = {"factor": factor, "outcome": column, "x": x.to_list(), "y": values.tolist()}
    st.plotly_chart(scatter(x, values, policy, colours, xtitle=factor, ytitle=ylabel), key="exp_scatter_chart")
with right:
    chosen = st.multiselect("Factors on the parallel axes", exp.factors, default=exp.factors[:5], key="exp_parallel")
    if chosen:
        st.plotly_chart(parallel(exp.design, chosen, values, column), key="exp_parallel_chart")
    else:
        st.caption("Choose at least one factor.")

# -- scenario discovery ---------------------------------------------------------------------------------------------
st.header("Scenario discovery", divider="gray")
st.caption("Which ranges of the factors hold the design points where the outcome happens? `sim.discover` (as "
           "`peninsula discover`): coverage is the share of the points of interest inside the box, density the "
           "share of the box's points that are of interest, mass the box's share of all points.")
c1, c2, c3, c4 = st.columns(4)
rule = c1.segmented_control("Points of interest", ["where", "top", "bottom"], key="exp_rule", default="bottom",
                            help="where: the outcome meets a comparison (--where '< 0.6'); top / bottom: that share "
                                 "of the points with the highest / lowest outcome (--top 10%).")
rule = rule or "bottom"
if rule == "where":
    rule_value = c2.text_input("Condition", key="exp_where", placeholder="< 0.6",
                               help="An operator (<, <=, >, >=) and a number.")
else:
    rule_value = c2.text_input("Share of the points", key="exp_share", value="25%")
method = c3.selectbox("Method", ["prim", "cart"], key="exp_method",
                      format_func=lambda m: {"prim": "PRIM (EMA Workbench)", "cart": "CART (scikit-learn)"}[m])
scope = c4.selectbox("Points", ["all points", *exp.policies], key="exp_prim_policy",
                     help="All design points, or one policy's (where only the scenario factors vary).")
if not (rule_value or "").strip():
    st.info("Type the condition, such as `< 0.6`.")
else:
    try:
        found_boxes = data.discover(exp.directory, exp.stamp, column, rule, rule_value.strip(), statistic=statistic,
                                    policy=None if scope == "all points" else scope, method=method)
    except PeninsulaError as exc:
        found_boxes = None
        st.error(f"No discovery: {ui.plain(exc)}")
    if found_boxes is not None:
        st.markdown(ui.plain(found_boxes.title))
        rows = [{"box": b.number, "coverage": b.coverage, "density": b.density, "mass": b.mass, "points": b.points,
                 "of interest": b.of_interest, "restricted dimensions": b.describe()} for b in found_boxes.boxes]
        st.session_state["exp_boxes"] = rows
        if not rows:
            st.warning("No box found: no region of the factors is dense enough in points of interest.")
        else:
            st.dataframe(pd.DataFrame(rows), hide_index=True, key="exp_boxes_table",
                         column_config={c: st.column_config.NumberColumn(format="%.3f")
                                        for c in ("coverage", "density", "mass")})
        c1, c2, c3 = st.columns(3)
        number = c1.selectbox("Box", [b.number for b in found_boxes.boxes] or [None], key="exp_box",
                              disabled=not rows)
        box = next((b for b in found_boxes.boxes if b.number == number), None)
        dims = list(box.limits["factor"]) if box is not None else []
        axes = dims + [f for f in found_boxes.factors if f not in dims]
        sig = ",".join(dims)  # the axes start on the box's restricted dimensions whenever the box changes
        xcol = c2.selectbox("x", found_boxes.factors, index=found_boxes.factors.index(axes[0]), key=f"exp_box_x|{sig}")
        ycol = c3.selectbox("y", found_boxes.factors, index=found_boxes.factors.index(axes[1 if len(axes) > 1 else 0]),
                            key=f"exp_box_y|{sig}")
        st.plotly_chart(box_scatter(found_boxes, box, xcol, ycol), key="exp_box_chart")
        if box is not None:
            st.caption("Box " + str(box.number) + ": " + ui.plain(box.describe()) + ". Its ranges on the axes are the "
                       "rectangle (an axis the box does not restrict spans all the points).")
            st.dataframe(box.limits, hide_index=True, key="exp_box_limits")
        with st.expander("Peeling trajectory (coverage against density)" if method == "prim" else "Tree leaves"):
            st.plotly_chart(found_boxes.figures()[0], key="exp_trajectory_chart")

# -- robustness ------------------------------------------------------------------------------------------------------
st.header("Robustness of the policies", divider="gray")
st.caption("Each policy over the scenarios (`sim.robust`, as `peninsula robust`): mean, median, 10th and 90th "
           "percentile, maximum regret (how far below the best policy of each scenario it falls, at worst) and, "
           "with a criterion, the share of scenarios that meet it.")
if not exp.policies:
    st.caption("This design has no policies: it is one policy, `all`, whose scenarios are its points.")
c1, c2, c3 = st.columns(3)
direction = c1.segmented_control("Better is", ["maximise", "minimise"], key="exp_direction", default="maximise")
satisfice = c2.text_input("Satisficing criterion (optional)", key="exp_satisfice", placeholder=">= 0.7")
rank_by = c3.selectbox("Rank by", RANK_BY, key="exp_rank_by",
                       format_func=lambda r: "maximum regret" if r == "regret" else r)
try:
    rob = data.robust(exp.directory, exp.stamp, column, maximise=direction != "minimise",
                      satisfice=(satisfice or "").strip() or None, statistic=statistic, rank_by=rank_by)
except PeninsulaError as exc:
    st.error(f"No ranking: {ui.plain(exc)}")
else:
    st.session_state["exp_robust"] = rob.table
    st.markdown(ui.plain(rob.title))
    colours = {**colours, **policy_colours([p for p in rob.table["policy"] if p not in colours])}
    st.plotly_chart(policies_over_scenarios(rob.cells, colours, ylabel, rob.criterion), key="exp_robust_chart")
    styled = rob.table.style.map(lambda p: f"background-color: {colours.get(str(p), '')}; color: white",
                                 subset=["policy"])
    st.dataframe(styled, hide_index=True, key="exp_robust_table")
