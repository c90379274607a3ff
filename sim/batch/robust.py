"""Robustness of policies over scenarios: which policy holds up whatever the world does?

A policies x scenarios experiment (:mod:`~sim.batch.design`) runs every policy (a setting of the
levers) in every scenario (a setting of the uncertainties), each point with the same members (common
random numbers). Here each (policy, scenario) cell has one value: a statistic of the outcome over the
point's members (the mean by default), and each policy is scored over the scenarios by

- the **mean**, **median**, **10th** and **90th percentile** of its values;
- its **maximum regret**: in each scenario, how far it falls short of the best policy *in that
  scenario* (``best - value`` when maximising, ``value - best`` when minimising), the largest over
  the scenarios (Savage's minimax regret: small means never far from the best choice, whatever comes);
- with ``satisfice`` (``">= 0.7"``), the **share of scenarios** where its value meets the criterion.

Policies are ranked by maximum regret (least first; ties by the mean) or by another score
(``rank_by``). The scenarios of a point are its ``scenario`` column; a design without one but with
a ``policy`` column pairs the k-th point of every policy; a design without policies is one policy,
``all``, whose scenarios are its points (its regret is then 0).

:meth:`Robustness.save` writes ``robustness.csv`` (the ranked table), ``scenarios.csv`` (every cell:
value, regret, and whether it meets the criterion), ``robustness.html`` (Plotly) and
``robustness.png`` (matplotlib), all written before any is renamed into place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.batch.discover import ID_COLUMNS, STATISTICS, Criterion, ExperimentData, _html_page, _png, as_experiment, \
    parse_criterion, write_files
from sim.errors import PeninsulaError

RANK_BY = ("regret", "mean", "median", "p10", "p90", "satisficing")
ONE_POLICY = "all"
"""The name of the one policy of a design without a ``policy`` column."""


def robustness(values: pd.DataFrame, *, maximise: bool = True, satisfice: str | Criterion | None = None,
               rank_by: str = "regret") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score policies over scenarios from one value per (policy, scenario).

    Args:
        values: columns ``policy``, ``scenario`` and ``value``; every policy must have a value in
            every scenario, once.
        maximise: more is better (else less is).
        satisfice: a criterion such as ``">= 0.7"``: the share of scenarios that meet it is scored.
        rank_by: ``regret`` (least maximum regret first), ``mean``, ``median``, ``p10``, ``p90``
            (best first in the direction of ``maximise``) or ``satisficing`` (highest share first).

    Returns:
        The ranked table (``rank``, ``policy``, ``scenarios``, ``mean``, ``median``, ``p10``,
        ``p90``, ``max_regret``, ``mean_regret`` and, with ``satisfice``, ``satisficing``) and the
        cells (``policy``, ``scenario``, ``value``, ``best``, ``regret`` and ``meets``).

    Raises:
        PeninsulaError: for an unknown ``rank_by``, a criterion that does not parse, or policies
            that do not all meet the same scenarios.
    """
    if rank_by not in RANK_BY:
        raise PeninsulaError(f"unknown ranking {rank_by!r}; expected one of {', '.join(RANK_BY)}", field="--rank-by")
    crit = parse_criterion(satisfice, "--satisfice") if isinstance(satisfice, str) else satisfice
    if rank_by == "satisficing" and crit is None:
        raise PeninsulaError("ranking by satisficing needs a criterion, such as --satisfice '>= 0.7'",
                             field="--rank-by")
    cells = values[["policy", "scenario", "value"]].copy()
    if cells.duplicated(["policy", "scenario"]).any():
        p, s = cells.loc[cells.duplicated(["policy", "scenario"]), ["policy", "scenario"]].iloc[0]
        raise PeninsulaError(f"policy {p!r} has more than one point in scenario {s!r}; robustness needs one value "
                             "per policy and scenario (a policies x scenarios design)", field="--design")
    grid = cells.pivot(index="scenario", columns="policy", values="value")
    if grid.isna().any().any():
        p = grid.columns[grid.isna().any()].tolist()[0]
        raise PeninsulaError(f"policy {p!r} does not meet every scenario that the others meet; robustness compares "
                             "policies scenario by scenario (a policies x scenarios design)", field="--design")
    best = grid.max(axis=1) if maximise else grid.min(axis=1)
    regret = (best.to_numpy()[:, None] - grid.to_numpy()) if maximise else (grid.to_numpy() - best.to_numpy()[:, None])
    regret = pd.DataFrame(regret, index=grid.index, columns=grid.columns)
    cells["best"] = cells["scenario"].map(best)
    cells["regret"] = [regret.at[s, p] for p, s in zip(cells["policy"], cells["scenario"], strict=True)]
    if crit is not None:
        cells["meets"] = crit.mask(cells["value"].to_numpy())
    order = list(dict.fromkeys(cells["policy"]))
    rows = []
    for p in order:
        v = grid[p].to_numpy()
        row = {"policy": p, "scenarios": len(v), "mean": float(v.mean()), "median": float(np.median(v)),
               "p10": float(np.percentile(v, 10)), "p90": float(np.percentile(v, 90)),
               "max_regret": float(regret[p].max()), "mean_regret": float(regret[p].mean())}
        if crit is not None:
            row["satisficing"] = float(crit.mask(v).mean())
        rows.append(row)
    table = pd.DataFrame(rows)
    sign = -1.0 if maximise else 1.0  # sort keys: smaller is better
    keys = {"regret": table["max_regret"], "satisficing": -table.get("satisficing", 0.0)}
    for stat in ("mean", "median", "p10", "p90"):
        keys[stat] = sign * table[stat]
    key = pd.DataFrame({"a": keys[rank_by], "b": table["max_regret"], "c": sign * table["mean"],
                        "d": np.arange(len(table))})
    ranked = table.loc[key.sort_values(["a", "b", "c", "d"]).index].reset_index(drop=True)
    ranked.insert(0, "rank", np.arange(1, len(ranked) + 1))
    return ranked, cells.reset_index(drop=True)


@dataclass
class Robustness:
    """Policies ranked over scenarios (see the module docstring); ``table`` is ranked, ``cells`` every cell."""

    outcome: str
    statistic: str
    maximise: bool
    criterion: Criterion | None
    rank_by: str
    table: pd.DataFrame
    cells: pd.DataFrame
    source: str = ""

    @property
    def title(self) -> str:
        """What was asked, in words."""
        crit = f", satisficing {self.criterion.text}" if self.criterion else ""
        return (f"Policies on {self.outcome} ({self.statistic} over members), "
                f"{'maximising' if self.maximise else 'minimising'}{crit}: {len(self.table)} policies x "
                f"{int(self.table['scenarios'].iloc[0]) if len(self.table) else 0} scenarios, ranked by "
                f"{'maximum regret' if self.rank_by == 'regret' else self.rank_by}")

    def to_frame(self) -> pd.DataFrame:
        """The ranked table (a copy)."""
        return self.table.copy()

    def figures(self):
        """A Plotly figure: each policy's values over the scenarios (box plots) and its maximum regret."""
        import plotly.colors
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        colors = plotly.colors.qualitative.Plotly
        fig = make_subplots(rows=1, cols=2, column_widths=[0.6, 0.4], horizontal_spacing=0.12,
                            subplot_titles=(f"{self.outcome} over scenarios", "maximum regret"))
        for i, p in enumerate(self.table["policy"]):
            c = colors[i % len(colors)]
            v = self.cells.loc[self.cells["policy"] == p, "value"]
            fig.add_trace(go.Box(x=v, name=str(p), marker_color=c, boxpoints="outliers", legendgroup=str(p),
                                 showlegend=False, orientation="h"), row=1, col=1)
            fig.add_trace(go.Bar(x=[self.table["max_regret"].iloc[i]], y=[str(p)], orientation="h", marker_color=c,
                                 name=str(p), legendgroup=str(p), showlegend=False), row=1, col=2)
        order = [str(p) for p in self.table["policy"]][::-1]
        fig.update_yaxes(categoryorder="array", categoryarray=order)
        if self.criterion is not None:
            fig.add_vline(x=self.criterion.value, line_dash="dash", line_color="black", row=1, col=1)
        fig.update_layout(title=self.title, template="plotly_white", height=max(360, 60 + 28 * len(self.table)))
        return fig

    def png(self) -> bytes:
        """The same chart as PNG (matplotlib)."""
        from matplotlib.figure import Figure

        import plotly.colors

        colors = plotly.colors.qualitative.Plotly
        n = len(self.table)
        fig = Figure(figsize=(10, max(3.5, 1 + 0.35 * n)), dpi=100)
        left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]}, sharey=True)
        names = [str(p) for p in self.table["policy"]]
        data = [self.cells.loc[self.cells["policy"] == p, "value"].to_numpy() for p in self.table["policy"]]
        pos = np.arange(n)[::-1]
        parts = left.boxplot(data, positions=pos, orientation="horizontal", widths=0.6, patch_artist=True)
        for i, patch in enumerate(parts["boxes"]):
            patch.set_facecolor(colors[i % len(colors)])
            patch.set_alpha(0.7)
        if self.criterion is not None:
            left.axvline(self.criterion.value, color="black", ls="--", lw=1)
        left.set_yticks(pos, names)
        left.set_xlabel(f"{self.outcome} ({self.statistic})")
        right.barh(pos, self.table["max_regret"], color=[colors[i % len(colors)] for i in range(n)])
        right.set_xlabel("maximum regret")
        fig.suptitle(self.title, fontsize=9)
        return _png(fig)

    def files(self) -> dict[str, bytes]:
        """Every output file by name, as bytes (nothing is written)."""
        return {"robustness.csv": self.table.to_csv(index=False).encode(),
                "scenarios.csv": self.cells.to_csv(index=False).encode(),
                "robustness.html": _html_page(self.title, [self.figures()]).encode(),
                "robustness.png": self.png()}

    def save(self, out: str | Path) -> list[Path]:
        """Write the outputs into the folder ``out`` (made if need be), all or nothing."""
        return write_files(out, self.files())


def policy_cells(data: ExperimentData, values: np.ndarray) -> tuple[pd.DataFrame, list[str]]:
    """(policy, scenario, value) per design point, and the lever columns that tell the policies apart."""
    design = data.design
    if "policy" in design.columns:
        policy = design["policy"].astype(str)
    else:
        policy = pd.Series(ONE_POLICY, index=design.index)
    if "scenario" in design.columns:
        scenario = design["scenario"]
    elif "policy" in design.columns:
        scenario = policy.groupby(policy, sort=False).cumcount()
    else:
        scenario = design["point"]
    cells = pd.DataFrame({"policy": policy.to_numpy(), "scenario": scenario.to_numpy(), "value": values})
    levers = []
    if "policy" in design.columns:
        for c in design.columns:
            if c in ID_COLUMNS or not pd.api.types.is_numeric_dtype(design[c]):
                continue
            per = design.groupby(policy, sort=False)[c].nunique()
            if (per == 1).all() and design[c].nunique() > 1:
                levers.append(c)
    return cells, levers


def robust(source, outcome: str, *, maximise: bool = True,
           satisfice: str | Criterion | None = None, statistic: str = "mean", rank_by: str = "regret") -> Robustness:
    """Rank an experiment's policies over its scenarios by an outcome (see :func:`robustness`).

    Args:
        source: an experiment folder written by ``peninsula batch``, an experiment (``sim.experiment(...)``,
            ``sim.load_experiment(...)``), or one read (:class:`ExperimentData`).
        outcome: ``IND`` or ``IND@YYYY-MM``, an outcome the experiment recorded.
        maximise: more of the outcome is better (else less is).
        satisfice: a criterion such as ``">= 0.7"``; the share of scenarios meeting it is scored.
        statistic: each point's value over its members: ``mean``, ``median``, ``p10`` or ``p90``.
        rank_by: see :func:`robustness`.

    Raises:
        PeninsulaError: naming the option or file, for a folder that is not an experiment, an outcome
            it did not record, a criterion that does not parse, or policies that do not meet the same scenarios.
    """
    crit = parse_criterion(satisfice, "--satisfice") if isinstance(satisfice, str) else satisfice
    if rank_by not in RANK_BY:
        raise PeninsulaError(f"unknown ranking {rank_by!r}; expected one of {', '.join(RANK_BY)}", field="--rank-by")
    if rank_by == "satisficing" and crit is None:
        raise PeninsulaError("ranking by satisficing needs a criterion, such as --satisfice '>= 0.7'",
                             field="--rank-by")
    if statistic not in STATISTICS:
        raise PeninsulaError(f"unknown statistic {statistic!r}; expected one of {', '.join(STATISTICS)}",
                             field="--statistic")
    data = as_experiment(source)
    column = data.resolve_outcome(outcome)
    cells, levers = policy_cells(data, data.point_values(column, statistic))
    try:
        table, cells = robustness(cells, maximise=maximise, satisfice=crit, rank_by=rank_by)
    except PeninsulaError as exc:
        raise PeninsulaError(exc.message, file=str(data.directory)) from None
    if levers:
        design = data.design.assign(policy=data.design["policy"].astype(str))
        settings = design.groupby("policy", sort=False)[levers].first()
        table = table.merge(settings, left_on="policy", right_index=True, how="left")
    return Robustness(column, statistic, maximise, crit, rank_by, table, cells, str(data.directory))

