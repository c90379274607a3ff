"""EMA Workbench: a scenario as an ``ema_workbench.Model`` (the ``[ema]`` extra).

``model(scenario, outcomes=[...], members=..., seed=...)`` returns an EMA ``Model`` whose
levers and uncertainties are the scenario's, and whose function runs :func:`sim.run` for one
point (a lever and uncertainty setting) over ``members`` members and returns the outcomes::

    from ema_workbench import perform_experiments
    import sim.ema

    m = sim.ema.model("baseline", outcomes=["DPRK.food_security@2026-06"], members=100, seed=42)
    experiments, outcomes = perform_experiments(m, scenarios=200, policies=200, combine="zipover")
    design = sim.ema.design_table(experiments, m)      # the same points as a Peninsula design table

The numbers are those of ``peninsula batch`` on the same design, members and seed: a point's
member ``r`` is member id ``r`` of that seed (the batch's replicate ``r``), and the point's values
reach the engine as the batch gives them (one value per member, in the model's precision).

Names. EMA wants Python identifiers, so a parameter path is named with its dots as
underscores and ``params.`` left out (``params.grain_production_t`` -> ``grain_production_t``,
``CHN.weights.influence`` -> ``CHN_weights_influence``); each EMA parameter's ``variable_name``
is the path itself. An outcome ``IND@YYYY-MM`` is a ``ScalarOutcome`` named
``IND_YYYY_MM`` (dots and dashes as underscores): the mean over the members at that month. An
outcome ``IND`` without a month is an ``ArrayOutcome``: the mean over the members of every month,
from the start (``months + 1`` values).

Distributions. Levers and uniform uncertainties are ``RealParameter`` over their ranges; a
``choice`` uncertainty is a ``CategoricalParameter`` of its values (each listed value one
category, so a value listed twice keeps its double weight). EMA has no triangular or normal
parameter type, but its samplers draw every parameter through its frozen SciPy distribution's
inverse CDF, and ``RealParameter.from_dist`` takes one: a triangular uncertainty is
``scipy.stats.triang`` with the declared low, mode and high, so EMA samples it as declared; a
normal one is ``scipy.stats.truncnorm`` truncated to the bounds that Peninsula's designs use
(mean +- 4 sd, within the parameter's valid range), where Peninsula's own designs clip instead
(they differ on 0.006% of the draws, in the far tails). An uncertainty that cannot vary (sd 0,
or one distinct value) is left out: every member takes its value anyway.

A parameter that EMA does not set for a point (levers when ``policies`` is not given) keeps the
scenario's value, and an uncertainty is then drawn per member, as in a run.

The function is a picklable object, so EMA's multiprocessing evaluator can send it to workers.
``ema_workbench`` is imported only when :func:`model` is called: ``import sim`` does not need it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.batch.design import Factor, default_outcomes, factors, parse_outcome
from sim.engine import check_seed, member_ids
from sim.errors import PeninsulaError
from sim.run import run
from sim.scenario import Scenario, load_scenario

__all__ = ["PointRun", "design_table", "model", "outcome_name", "parameter_name"]


def parameter_name(path: str) -> str:
    """The EMA name of a parameter path: a Python identifier (``CHN.weights.influence`` -> ``CHN_weights_influence``)."""
    name = path[len("params."):] if path.startswith("params.") else path
    return re.sub(r"\W", "_", name)


def outcome_name(column: str) -> str:
    """The EMA name of an outcome column (``DPRK.food_security@2026-06`` -> ``DPRK_food_security_2026_06``)."""
    return re.sub(r"\W", "_", column)


@dataclass(frozen=True)
class PointRun:
    """The EMA model's function: one point (parameter path -> value) over the members, the outcomes back.

    Attributes:
        scenario: the scenario to run.
        members: how many members (ids ``0..members-1``: the batch's replicate ids).
        seed: the run's seed.
        outcomes: (EMA name, indicator, month index or None for the whole series).
    """

    scenario: Scenario
    members: int
    seed: int
    outcomes: tuple[tuple[str, str, int | None], ...]

    def __call__(self, **values: float) -> dict[str, float | np.ndarray]:
        """Run the point: ``values`` are parameter paths (EMA's ``variable_name``) and their values."""
        # One value per member, as a batch's design table gives them (the engine keeps them in its precision).
        overrides = {path: np.full(self.members, float(v), dtype=np.float64) for path, v in values.items()}
        results = run(self.scenario, members=self.members, seed=self.seed, overrides=overrides)
        out: dict[str, float | np.ndarray] = {}
        for name, indicator, month in self.outcomes:
            series = results.indicator(indicator)
            if month is None:
                out[name] = series.astype(np.float64).mean(axis=0)
            else:  # the members' values at that month, contiguous, as a batch's part holds them
                out[name] = float(np.array(series[:, month], dtype=np.float64).mean())
        return out


def _uncertainty(ema, f: Factor, name: str):
    """The EMA parameter for an uncertainty, or None when it cannot vary (see the module docstring)."""
    from scipy import stats

    if f.dist == "uniform":
        return ema.RealParameter(name, f.low, f.high, variable_name=f.path)
    if f.dist == "triangular":
        a, c, b = f.spec
        return ema.RealParameter.from_dist(name, stats.triang((c - a) / (b - a), loc=a, scale=b - a),
                                           variable_name=f.path)
    if f.dist == "normal":
        mean, sd = f.spec
        if sd == 0:
            return None
        dist = stats.truncnorm((f.low - mean) / sd, (f.high - mean) / sd, loc=mean, scale=sd)
        return ema.RealParameter.from_dist(name, dist, variable_name=f.path)
    values = list(f.spec)
    if len(set(values)) < 2:
        return None
    unique = len(set(values)) == len(values)
    cats = [ema.em_framework.parameters.Category(f"{v:g}" if unique else f"{v:g}#{i}", v)
            for i, v in enumerate(values)]
    return ema.CategoricalParameter(name, cats, variable_name=f.path)


def model(scenario: Scenario | str | Path, outcomes: Sequence[str] | None = None, members: int | None = None,
          seed: int | None = None, *, name: str | None = None):
    """A scenario as an ``ema_workbench.Model`` (see the module docstring).

    Args:
        scenario: a :class:`~sim.scenario.Scenario`, or the path (or bundled name) of a scenario file.
        outcomes: ``IND@YYYY-MM`` (the mean over members at that month) or ``IND`` (the mean series);
            default the key indicators at the horizon.
        members: members per point (ids ``0..members-1``); default the scenario's.
        seed: default the scenario's.
        name: the EMA model's name (letters and digits); default the scenario's name without the rest.

    Returns:
        an ``ema_workbench.Model``; its function is a :class:`PointRun`.

    Raises:
        PeninsulaError: ``ema_workbench`` is not installed; a bad outcome, member count or seed.
    """
    try:
        import ema_workbench as ema
    except ImportError:
        raise PeninsulaError("EMA Workbench is not installed (pip install 'peninsula-sim[ema]', "
                             "or pip install ema-workbench)") from None
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    members = len(member_ids(scenario.members if members is None else members))
    seed = check_seed(scenario.seed if seed is None else seed)
    if outcomes is None:
        outcomes = [f"{o.indicator}@{scenario.dates()[-1]}" for o in default_outcomes(scenario)]
    dates = scenario.dates()
    specs, ema_outcomes = [], []
    for text in outcomes:
        try:
            o = parse_outcome(text, scenario)
        except PeninsulaError as exc:
            raise PeninsulaError(exc.message, field="outcomes") from None
        oname = outcome_name(o.column)
        if any(oname == s[0] for s in specs):
            raise PeninsulaError(f"outcome {text!r} is given twice", field="outcomes")
        if o.month is None:
            specs.append((oname, o.indicator, None))
            ema_outcomes.append(ema.ArrayOutcome(oname))
        else:
            specs.append((oname, o.indicator, dates.index(o.month)))
            ema_outcomes.append(ema.ScalarOutcome(oname))
    if not specs:
        raise PeninsulaError("give at least one outcome", field="outcomes")

    levers, uncertainties, seen = [], [], {}
    for f in factors(scenario):
        pname = parameter_name(f.path)
        if seen.setdefault(pname, f.path) != f.path:
            raise PeninsulaError(f"{f.path!r} and {seen[pname]!r} would both be named {pname!r} in EMA Workbench",
                                 field=f.path)
        if f.kind == "lever":
            levers.append(ema.RealParameter(pname, f.low, f.high, variable_name=f.path))
        else:
            p = _uncertainty(ema, f, pname)
            if p is not None:
                uncertainties.append(p)

    mname = name or ("".join(ch for ch in scenario.name if ch.isalnum()) or "peninsula")
    m = ema.Model(mname, function=PointRun(scenario, members, seed, tuple(specs)))
    m.levers = levers
    m.uncertainties = uncertainties
    m.outcomes = ema_outcomes
    return m


def design_table(experiments: pd.DataFrame, model) -> pd.DataFrame:
    """EMA's experiments (``perform_experiments``' first result) as a Peninsula design table.

    One row per experiment, in EMA's order: ``point`` (0, 1, ...) and one column per parameter path
    that the experiments set (levers and uncertainties of ``model``), as float64: the table that
    ``sim.batch.Experiment`` and ``peninsula batch --design-file`` take.
    """
    columns = {}
    for p in [*model.levers, *model.uncertainties]:
        if p.name in experiments.columns:
            path = p.variable_name[0]
            columns[path] = pd.to_numeric(pd.Series(np.asarray(experiments[p.name], dtype=object)),
                                          errors="raise").astype(np.float64).to_numpy()
    table = pd.DataFrame(columns)
    table.insert(0, "point", np.arange(len(experiments), dtype=np.int64))
    return table
