"""Designs of batch experiments, as one table of design points.

The factors a scenario lets vary (levers and uncertainties), outcomes (an indicator at a
month), grids and SALib samples.

SALib samples the unit hypercube (Latin hypercube, Saltelli's Sobol' scheme, Morris
trajectories); each column then goes through its factor's inverse CDF: a lever is uniform
over [min, max], an uncertainty follows its declared distribution (uniform, triangular,
normal, choice), so a design's points are distributed as the members' draws are.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.errors import PeninsulaError
from sim.indicators import KEY_INDICATORS, canonical_indicator
from sim.scenario import Scenario, check_path, path_range


@dataclass(frozen=True)
class Factor:
    """A parameter an experiment varies, with its range and distribution.

    ``dist`` and ``spec`` say how a unit sample maps to a value (:meth:`values`): ``uniform``
    over (low, high) (levers, uniform uncertainties), ``triangular`` (low, mode, high),
    ``normal`` (mean, sd) or ``choice`` (the values, in declared order).
    """

    path: str
    low: float
    high: float
    label: str
    kind: str  # "lever" or "uncertainty"
    dist: str = "uniform"
    spec: tuple[float, ...] = ()

    def values(self, u: np.ndarray) -> np.ndarray:
        """Unit samples ``u`` in [0, 1] -> values by the inverse CDF, clipped to [low, high]."""
        u = np.asarray(u, dtype=np.float64)
        if self.dist == "uniform":
            a, b = self.spec or (self.low, self.high)
            x = a + (b - a) * u
        elif self.dist == "triangular":
            a, c, b = self.spec
            f = (c - a) / (b - a)
            left = a + np.sqrt(u * (b - a) * (c - a))
            right = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
            x = np.where(u < f, left, right)
        elif self.dist == "normal":
            mean, sd = self.spec
            if sd == 0:
                x = np.full_like(u, mean)
            else:
                from scipy.stats import norm

                x = mean + sd * norm.ppf(u)  # u = 0 or 1 (Morris' end levels): -+inf, clipped to mean -+ 4 sd
        elif self.dist == "choice":
            vals = np.asarray(self.spec, dtype=np.float64)
            x = vals[np.minimum(np.floor(u * len(vals)).astype(np.int64), len(vals) - 1)]
        else:
            raise ValueError(f"unknown distribution {self.dist!r}")
        return np.clip(x, self.low, self.high)


def _spec(u) -> tuple[float, ...]:
    """An uncertainty's distribution parameters, in the order :meth:`Factor.values` reads them."""
    if u.dist == "uniform":
        return (u.low, u.high)
    if u.dist == "triangular":
        return (u.low, u.mode, u.high)
    if u.dist == "normal":
        return (u.mean, u.sd)
    return tuple(float(v) for v in u.values)


def factors(scenario: Scenario) -> list[Factor]:
    """The scenario's levers and uncertainties with their ranges (uncertainties: their bounds) and distributions."""
    out = [Factor(lv.path, lv.min, lv.max, lv.label, "lever") for lv in scenario.levers]
    for u in scenario.uncertainties:
        lo, hi = u.bounds()
        plo, phi = path_range(u.path)
        lo = lo if plo is None else max(lo, plo)
        hi = hi if phi is None else min(hi, phi)
        out.append(Factor(u.path, lo, hi, u.label or u.path, "uncertainty", u.dist, _spec(u)))
    return out


@dataclass(frozen=True)
class Outcome:
    """An indicator at a month (None: the horizon)."""

    indicator: str
    month: str | None

    @property
    def column(self) -> str:
        """The outcome's column name: ``INDICATOR`` or ``INDICATOR@YYYY-MM``."""
        return f"{self.indicator}@{self.month}" if self.month else self.indicator


def parse_outcome(text: str, scenario: Scenario) -> Outcome:
    """``"DPRK.food_security@2026-06"`` -> Outcome; a clear error otherwise."""
    name, _, month = text.partition("@")
    canon = canonical_indicator(name.strip())
    if canon is None:
        raise PeninsulaError(f"unknown indicator {name!r} (see 'peninsula indicators')", field="--outcome")
    if month:
        month = month.strip()
        if month not in scenario.dates():
            raise PeninsulaError(f"month {month!r} is not in the run ({scenario.dates()[0]} to "
                                 f"{scenario.dates()[-1]}, YYYY-MM)", field="--outcome")
    return Outcome(canon, month or None)


def parse_grid(items: Iterable[str], scenario: Scenario) -> dict[str, list[float]]:
    """``["params.x=1,2,3"]`` -> {"params.x": [1, 2, 3]}, each value checked against its range."""
    grid: dict[str, list[float]] = {}
    levers = {lv.path: lv for lv in scenario.levers}
    for item in items:
        if "=" not in item:
            raise PeninsulaError(f"expected PATH=v1,v2,..., got {item!r}", field="--grid")
        path, _, text = item.partition("=")
        path = path.strip()
        try:
            check_path(path)
        except ValueError:
            valid = [f.path for f in factors(scenario)]
            raise PeninsulaError(
                f"unknown parameter path {path!r}. This scenario's levers and uncertainties: "
                f"{', '.join(valid) or 'none'}; any params.NAME, ACTOR.unpredictability, ACTOR.weights.INTEREST "
                "or initial.INDICATOR also works (see 'peninsula schema')", field="--grid") from None
        try:
            values = [float(v) for v in text.split(",") if v.strip()]
        except ValueError:
            raise PeninsulaError(f"expected numbers separated by commas, got {text!r}", field=f"--grid {path}") from None
        if not values:
            raise PeninsulaError("no values given", field=f"--grid {path}")
        lo, hi = (levers[path].min, levers[path].max) if path in levers else path_range(path)
        for v in values:
            if (lo is not None and v < lo) or (hi is not None and v > hi):
                what = f"the lever '{levers[path].label}'" if path in levers else path
                raise PeninsulaError(f"{v:g} is outside the range of {what} ({lo:g} to {hi:g})",
                                     field=f"--grid {path}")
        grid[path] = values
    return grid


def make_design(scenario: Scenario, *, grid: dict[str, list[float]] | None = None, design: str | None = None,
                samples: int | None = None, seed: int = 0) -> pd.DataFrame:
    """The design table: one row per point, one column per varied path (plus ``point``).

    ``grid`` gives a full factorial; ``design`` (lhs, sobol, morris) samples the scenario's
    levers (uniform over their ranges) and uncertainties (as declared: uniform, triangular,
    normal, choice) with SALib, seeded. Both together: every
    sampled point crossed with every grid combination. Neither: one point, nothing varied.
    """
    frames = []
    if grid:
        keys = list(grid)
        rows = list(itertools.product(*(grid[k] for k in keys)))
        frames.append(pd.DataFrame(rows, columns=keys))
    if design:
        fs = [f for f in factors(scenario) if not grid or f.path not in grid]
        if not fs:
            raise PeninsulaError(f"a {design} design needs ranges, and this scenario declares no levers or "
                                 "uncertainties (add some, or use --grid)", field="--design")
        if not samples or samples < 1:
            raise PeninsulaError("give --samples K (at least 1) with --design", field="--samples")
        frames.append(pd.DataFrame(sample(design, fs, samples, seed), columns=[f.path for f in fs]))
    if not frames:
        table = pd.DataFrame(index=range(1))
    elif len(frames) == 1:
        table = frames[0]
    else:
        table = frames[1].merge(frames[0], how="cross")
    table.insert(0, "point", np.arange(len(table), dtype=np.int64))
    return table.reset_index(drop=True)


def unit_sample(method: str, n_factors: int, samples: int, seed: int) -> np.ndarray:
    """SALib's samples (rows, factors) of the unit hypercube for a method, seeded."""
    problem = {"num_vars": n_factors, "names": [f"x{i}" for i in range(n_factors)],
               "bounds": [[0.0, 1.0]] * n_factors}
    if method == "lhs":
        from SALib.sample import latin

        return latin.sample(problem, samples, seed=seed)
    if method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, samples, calc_second_order=False, seed=seed)
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, samples, num_levels=4, seed=seed)
    raise PeninsulaError(f"unknown design {method!r}; expected lhs, sobol or morris", field="--design")


def sample(method: str, fs: list[Factor], samples: int, seed: int) -> np.ndarray:
    """Samples (rows, factors) for a method, seeded: SALib's unit samples through each factor's inverse CDF.

    Levers and uniform uncertainties come out as SALib scaling them to their ranges itself
    would give them, bit for bit; triangular, normal and choice uncertainties as declared.
    """
    unit = unit_sample(method, len(fs), samples, seed)
    return np.column_stack([f.values(unit[:, j]) for j, f in enumerate(fs)]) if fs else unit


def default_outcomes(scenario: Scenario) -> list[Outcome]:
    """The key indicators at the horizon."""
    return [Outcome(name, None) for name in KEY_INDICATORS]
