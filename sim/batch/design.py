"""Designs of batch experiments, as one table of design points.

The factors a scenario lets vary (levers and uncertainties), outcomes (an indicator at a
month, or its whole monthly series), grids, SALib samples, policies x scenarios and design
files.

*Policies x scenarios* (EMA Workbench's words): a policy is a setting of the levers, a
scenario a setting of the uncertainties. :func:`policy_scenario_design` samples K policies
(Latin hypercube, uniform over the levers' ranges) and N scenarios (Latin hypercube through
each uncertainty's declared distribution), adds hand-made policies, and crosses them: the
design table has the columns ``point``, ``policy`` (a name), ``scenario`` (an index from 0)
and one column per varied path. Points run policy by policy, each over every scenario.

SALib samples the unit hypercube (Latin hypercube, Saltelli's Sobol' scheme, Morris
trajectories); each column then goes through its factor's inverse CDF: a lever is uniform
over [min, max], an uncertainty follows its declared distribution (uniform, triangular,
normal, choice), so a design's points are distributed as the members' draws are.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import PeninsulaError
from sim.indicators import INDICATORS, KEY_INDICATORS, canonical_indicator
from sim.scenario import Scenario, check_path, path_range, scenario_value

POLICY = "policy"
SCENARIO = "scenario"
LABELS = ("point", POLICY, SCENARIO)
"""The design table's columns that are not parameter paths."""


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
    """An indicator at a month, or (``month`` None) its whole monthly series, from the start to the horizon."""

    indicator: str
    month: str | None

    @property
    def column(self) -> str:
        """The outcome as named: ``INDICATOR@YYYY-MM``, or ``INDICATOR`` for the whole series."""
        return f"{self.indicator}@{self.month}" if self.month else self.indicator

    @property
    def series(self) -> bool:
        """True for the whole monthly series."""
        return self.month is None

    def columns(self, dates: Sequence[str]) -> list[str]:
        """The result columns it makes: ``INDICATOR@YYYY-MM`` for its month, or for every month of ``dates``."""
        return [f"{self.indicator}@{d}" for d in (dates if self.month is None else [self.month])]


def _indicator_choices() -> str:
    names = [n for n in INDICATORS if not n.startswith("relations.")]
    return ", ".join(names) + ", and relations.A-B for two actors"


def parse_outcome(text: str, scenario: Scenario, *, series: bool = True) -> Outcome:
    """``"DPRK.food_security@2026-06"`` -> Outcome; a clear error otherwise.

    Without ``@MONTH``: the whole monthly series, or (``series`` False) the horizon.
    """
    name, _, month = text.partition("@")
    canon = canonical_indicator(name.strip())
    if canon is None:
        close = difflib.get_close_matches(name.strip(), list(INDICATORS), n=3)
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        raise PeninsulaError(f"{name.strip()!r} is not an indicator; {hint}expected INDICATOR or INDICATOR@YYYY-MM "
                             f"with one of: {_indicator_choices()} (see 'peninsula indicators')", field="--outcome")
    if month:
        month = month.strip()
        if month not in scenario.dates():
            raise PeninsulaError(f"month {month!r} is not in the run ({scenario.dates()[0]} to "
                                 f"{scenario.dates()[-1]}, YYYY-MM)", field="--outcome")
    elif not series:
        month = scenario.dates()[-1]
    return Outcome(canon, month or None)


def outcome_columns(outcomes: Iterable[Outcome], scenario: Scenario) -> list[str]:
    """Every result column of the outcomes, in order; an outcome that repeats another's column is refused."""
    dates = scenario.dates()
    seen: dict[str, str] = {}
    for o in outcomes:
        for c in o.columns(dates):
            if c in seen:
                raise PeninsulaError(f"{o.column!r} repeats {c!r}, which {seen[c]!r} records already; give each "
                                     "indicator once, as a whole series (INDICATOR) or at months (INDICATOR@YYYY-MM)",
                                     field="--outcome")
            seen[c] = o.column
    return list(seen)


def _unknown_path(path: str, scenario: Scenario, flag: str) -> PeninsulaError:
    valid = [f.path for f in factors(scenario)]
    return PeninsulaError(
        f"unknown parameter path {path!r}. This scenario's levers and uncertainties: {', '.join(valid) or 'none'}; "
        "any params.NAME, ACTOR.unpredictability, ACTOR.weights.INTEREST or initial.INDICATOR also works "
        "(see 'peninsula schema')", field=flag)


def value_range(path: str, scenario: Scenario) -> tuple[float, float, str]:
    """The range a design may give a path, and what it is: a lever's, a declared uncertainty's, else the path's."""
    for f in factors(scenario):
        if f.path == path:
            what = f"the lever '{f.label}'" if f.kind == "lever" else f"the uncertainty '{f.label}'"
            return f.low, f.high, what
    lo, hi = path_range(path)
    return lo, hi, path


def lever_default(scenario: Scenario, path: str) -> float:
    """Where a lever stands when a policy does not name it: its ``value``, else the scenario's value of the path."""
    lv = next(lv for lv in scenario.levers if lv.path == path)
    return float(lv.value) if lv.value is not None else scenario_value(scenario, path)


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
            raise _unknown_path(path, scenario, "--grid") from None
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


def parse_factors(text: str | Sequence[str] | None, scenario: Scenario) -> list[str] | None:
    """``"PATH,PATH"`` (``--factors``) -> those paths, each one of the scenario's levers or uncertainties."""
    if text is None:
        return None
    items = text.split(",") if isinstance(text, str) else list(text)
    paths = [p.strip() for p in items if p.strip()]
    valid = [f.path for f in factors(scenario)]
    if not paths:
        raise PeninsulaError(f"expected PATH,PATH,... naming some of this scenario's levers and uncertainties: "
                             f"{', '.join(valid) or 'none'}", field="--factors")
    for p in paths:
        if p not in valid:
            raise PeninsulaError(f"{p!r} is not one of this scenario's levers or uncertainties; expected some of: "
                                 f"{', '.join(valid) or 'none (the scenario declares none)'}", field="--factors")
    if len(set(paths)) != len(paths):
        raise PeninsulaError("a path is named twice", field="--factors")
    return paths


_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,63}$")


def parse_policy(text: str, scenario: Scenario) -> tuple[str, dict[str, float]]:
    """``"NAME=PATH:VALUE,PATH:VALUE"`` (``--policy``) -> (name, {lever path: value}), checked."""
    levers = {lv.path: lv for lv in scenario.levers}
    form = "expected NAME=PATH:VALUE,PATH:VALUE,... with lever paths"
    if not levers:
        raise PeninsulaError("this scenario declares no levers, so there is no policy to set (add 'levers:' to the "
                             "scenario, or vary parameters with --grid)", field="--policy")
    name, eq, body = text.partition("=")
    name = name.strip()
    if not eq or not _NAME.match(name):
        raise PeninsulaError(f"{form} (NAME: letters, digits, '_', '.', '+', '-'), got {text!r}", field="--policy")
    values: dict[str, float] = {}
    for item in (i for i in body.split(",") if i.strip()):
        path, colon, num = item.rpartition(":")
        path = path.strip()
        if not colon or path not in levers:
            raise PeninsulaError(f"{form}; {item.strip()!r} does not name one of this scenario's levers: "
                                 f"{', '.join(levers)}", field=f"--policy {name}")
        try:
            v = float(num)
        except ValueError:
            raise PeninsulaError(f"expected a number after '{path}:', got {num!r}", field=f"--policy {name}") from None
        lv = levers[path]
        if not lv.min <= v <= lv.max:
            raise PeninsulaError(f"{v:g} is outside the range of the lever '{lv.label}' ({lv.min:g} to {lv.max:g})",
                                 field=f"--policy {name}")
        values[path] = v
    if not values:
        raise PeninsulaError(f"{form}; policy {name!r} sets no lever", field="--policy")
    return name, values


def make_design(scenario: Scenario, *, grid: dict[str, list[float]] | None = None, design: str | None = None,
                samples: int | None = None, seed: int = 0, only: Sequence[str] | None = None) -> pd.DataFrame:
    """The design table: one row per point, one column per varied path (plus ``point``).

    ``grid`` gives a full factorial; ``design`` (lhs, sobol, morris) samples the scenario's
    levers (uniform over their ranges) and uncertainties (as declared: uniform, triangular,
    normal, choice) with SALib, seeded; ``only`` (``--factors``) samples those paths alone, the
    other levers staying where the scenario puts them and the other uncertainties drawn per
    member as in a run. Both together: every sampled point crossed with every grid
    combination. Neither: one point, nothing varied.
    """
    frames = []
    if grid:
        keys = list(grid)
        rows = list(itertools.product(*(grid[k] for k in keys)))
        frames.append(pd.DataFrame(rows, columns=keys))
    if design:
        fs = [f for f in factors(scenario) if (not grid or f.path not in grid) and (only is None or f.path in only)]
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
    return [Outcome(name, scenario.dates()[-1]) for name in KEY_INDICATORS]


def _count(value, flag: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not 1 <= value <= 1_000_000:
        raise PeninsulaError(f"expected a whole number from 1 to 1,000,000, got {value!r}", field=flag)
    return int(value)


def _lhs(fs: list[Factor], n: int, seed: int, stream: int) -> np.ndarray:
    """A Latin hypercube of ``n`` rows over ``fs`` through their inverse CDFs, from its own stream of the seed."""
    from SALib.sample import latin

    problem = {"num_vars": len(fs), "names": [f.path for f in fs], "bounds": [[0.0, 1.0]] * len(fs)}
    unit = latin.sample(problem, n, seed=np.random.default_rng([int(seed), stream]))
    return np.column_stack([f.values(unit[:, j]) for j, f in enumerate(fs)])


def policy_scenario_design(scenario: Scenario, *, policies: int | None = None, scenarios: int | None = None,
                           hand: Mapping[str, Mapping[str, float]] | None = None, only: Sequence[str] | None = None,
                           seed: int = 0) -> pd.DataFrame:
    """Policies x scenarios: every policy (sampled or hand-made) under every scenario.

    ``policies`` K samples K lever settings (a Latin hypercube, uniform over the levers' ranges),
    named ``p0`` .. ``pK-1``; ``hand`` adds named policies (levers they do not name stand at
    their defaults, :func:`lever_default`). ``scenarios`` N samples N uncertainty settings (a
    Latin hypercube through each declared distribution), numbered 0 .. N-1; without it there is
    one scenario, 0, whose uncertainties are drawn per member as in a run. ``only``
    (``--factors``) restricts both samples to those paths. Policies and scenarios come from
    their own streams of ``seed``: adding policies does not move the scenarios, and back.

    Raises:
        PeninsulaError: naming ``--policies``, ``--scenarios`` or ``--factors``, for a scenario
            without levers (uncertainties) to sample, or a count that is not a whole number.
    """
    k, n = _count(policies, "--policies"), _count(scenarios, "--scenarios")
    hand = dict(hand or {})
    fs = [f for f in factors(scenario) if only is None or f.path in only]
    levers = [f for f in fs if f.kind == "lever"]
    uncs = [f for f in fs if f.kind == "uncertainty"]
    if k and not levers:
        if not scenario.levers:
            raise PeninsulaError("this scenario declares no levers, so there are no policies to sample: a policy is "
                                 "a setting of the levers. Add 'levers:' to the scenario (each a path, min, max and "
                                 "label), sample its uncertainties alone with --scenarios N, or vary parameters with "
                                 "--grid PATH=v1,v2", field="--policies")
        raise PeninsulaError(f"--factors names none of the scenario's levers, so there are no policies to sample; "
                             f"add some of {', '.join(lv.path for lv in scenario.levers)} to --factors",
                             field="--policies")
    if n and not uncs:
        if not scenario.uncertainties:
            raise PeninsulaError("this scenario declares no uncertainties, so there are no scenarios to sample: a "
                                 "scenario is a setting of the uncertainties. Add 'uncertainties:' to the scenario, "
                                 "or sample its levers alone with --policies K", field="--scenarios")
        raise PeninsulaError(f"--factors names none of the scenario's uncertainties, so there are no scenarios to "
                             f"sample; add some of {', '.join(u.path for u in scenario.uncertainties)} to --factors",
                             field="--scenarios")
    if not (k or n or hand):
        raise PeninsulaError("give --policies K, --scenarios N or --policy NAME=PATH:VALUE", field="--policies")
    names = [f"p{i}" for i in range(k or 0)]
    taken = sorted(set(names) & set(hand))
    if taken:
        raise PeninsulaError(f"the name {taken[0]!r} is taken by a sampled policy (p0 .. p{k - 1}); choose another",
                             field="--policy")
    lever_paths = [lv.path for lv in scenario.levers
                   if (k and any(f.path == lv.path for f in levers)) or any(lv.path in h for h in hand.values())]
    pol = pd.DataFrame({p: [lever_default(scenario, p)] * (len(names) + len(hand)) for p in lever_paths},
                       index=range(len(names) + len(hand)))
    if k:
        drawn = _lhs(levers, k, seed, 1)
        for j, f in enumerate(levers):
            pol.loc[: k - 1, f.path] = drawn[:, j]
    for i, values in enumerate(hand.values()):
        for p, v in values.items():
            pol.loc[len(names) + i, p] = float(v)
    if not names and not hand:
        names = ["default"]
        pol = pd.DataFrame(index=range(1))
    pol.insert(0, POLICY, pd.array(names + list(hand), dtype=object))
    scen = pd.DataFrame(_lhs(uncs, n, seed, 2), columns=[f.path for f in uncs]) if n else pd.DataFrame(index=range(1))
    scen.insert(0, SCENARIO, np.arange(len(scen), dtype=np.int64))
    table = pol.merge(scen, how="cross")
    table.insert(0, "point", np.arange(len(table), dtype=np.int64))
    return table[["point", POLICY, SCENARIO, *[c for c in table.columns if c not in LABELS]]].reset_index(drop=True)


def _file_error(path: Path, message: str) -> PeninsulaError:
    return PeninsulaError(f"{message}. Expected a .csv or .parquet table with one column per parameter path "
                          "(a lever, an uncertainty, params.NAME, ACTOR.unpredictability, ACTOR.weights.INTEREST or "
                          "initial.INDICATOR), optional 'policy' (a name) and 'scenario' (an index from 0) columns, "
                          "and one row per design point", file=str(path), field="--design-file")


def _numbering(frame: pd.DataFrame) -> np.ndarray:
    """Each row's distinct combination of values, numbered from 0 in order of first appearance."""
    if frame.shape[1] == 0:
        return np.zeros(len(frame), dtype=np.int64)
    codes = frame.groupby(list(frame.columns), sort=False, dropna=False).ngroup()
    return codes.to_numpy(dtype=np.int64)


def read_design_file(path: str | Path, scenario: Scenario) -> pd.DataFrame:
    """A design table from a CSV or Parquet file (``--design-file``), checked; the same table as the built-in designs.

    One column per parameter path, each value finite and inside the path's range (a lever's, a
    declared uncertainty's, else the parameter's). Optional ``policy`` (names) and ``scenario``
    (indices from 0) columns make a policies x scenarios design; when only one of them is given,
    the other numbers the distinct settings of the levers (``p0``, ``p1``, ...) or of the other
    paths (0, 1, ...). Rows of one policy must agree on every lever, rows of one scenario on
    every other path (each scenario's members share their random streams across policies). An
    optional ``point`` column must number the rows 0, 1, ...

    Raises:
        PeninsulaError: naming the file and ``--design-file``, for a file that cannot be read,
            has unknown, duplicate or missing columns, empty cells, or values out of range.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet", ".pq"):
        raise _file_error(path, f"the file name ends in {path.suffix or 'nothing'!r}, not .csv or .parquet")
    if not path.is_file():
        raise _file_error(path, "no such file")
    try:
        if suffix == ".csv":
            raw = pd.read_csv(path, dtype={POLICY: str})
        else:
            import pyarrow.parquet as pq

            raw = pq.read_table(path).to_pandas()
    except Exception as exc:  # noqa: BLE001 - pandas and pyarrow raise many types for a bad file
        raise _file_error(path, f"cannot read it ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") \
            from None
    raw.columns = [str(c).strip() for c in raw.columns]
    if len(set(raw.columns)) != len(raw.columns):
        raise _file_error(path, "a column is named twice")
    if len(raw) == 0:
        raise _file_error(path, "it has no rows")
    paths = [c for c in raw.columns if c not in LABELS]
    for c in paths:
        try:
            check_path(c)
        except ValueError:
            valid = [f.path for f in factors(scenario)]
            raise _file_error(path, f"column {c!r} is not a parameter path (this scenario's levers and "
                                    f"uncertainties: {', '.join(valid) or 'none'})") from None
    if not paths:
        raise _file_error(path, "it has no parameter column (missing columns)")
    table = pd.DataFrame({"point": np.arange(len(raw), dtype=np.int64)})
    if "point" in raw.columns and not np.array_equal(pd.to_numeric(raw["point"], errors="coerce").to_numpy(),
                                                     np.arange(len(raw))):
        raise _file_error(path, "column 'point' must number the rows 0, 1, 2, ... (or leave it out)")
    values = {}
    for c in paths:
        col = pd.to_numeric(raw[c], errors="coerce").to_numpy(dtype=np.float64)
        bad = np.flatnonzero(~np.isfinite(col))
        if len(bad):
            raise _file_error(path, f"column {c!r}, row {bad[0] + 1}: expected a number, got "
                                    f"{str(raw[c].iloc[bad[0]])[:30]!r} (empty cells are missing values)")
        lo, hi, what = value_range(c, scenario)
        out = np.flatnonzero((col < lo) | (col > hi))
        if len(out):
            raise _file_error(path, f"column {c!r}, row {out[0] + 1}: {col[out[0]]:g} is outside the range of {what} "
                                    f"({lo:g} to {hi:g})")
        values[c] = col
    lever_cols = [c for c in paths if any(lv.path == c for lv in scenario.levers)]
    other_cols = [c for c in paths if c not in lever_cols]
    has_p, has_s = POLICY in raw.columns, SCENARIO in raw.columns
    if has_p or has_s:
        if has_p:
            pol = raw[POLICY]
            if pol.isna().any() or (pol.astype(str).str.strip() == "").any():
                raise _file_error(path, "column 'policy' has an empty cell; give every row a policy name")
            pol = pol.astype(str).str.strip().to_numpy(dtype=object)
        else:
            pol = np.array([f"p{i}" for i in _numbering(pd.DataFrame({c: values[c] for c in lever_cols}))],
                           dtype=object)
        if has_s:
            sc = pd.to_numeric(raw[SCENARIO], errors="coerce").to_numpy(dtype=np.float64)
            if not np.isfinite(sc).all() or (sc < 0).any() or (sc != np.floor(sc)).any() or (sc >= 2**53).any():
                raise _file_error(path, "column 'scenario' must hold whole numbers from 0 (an index per scenario)")
            sc = sc.astype(np.int64)
        else:
            sc = _numbering(pd.DataFrame({c: values[c] for c in other_cols}))
        for key, ids, cols, what in ((POLICY, pol, lever_cols, "lever"), (SCENARIO, sc, other_cols, "uncertainty")):
            for c in cols:
                spread = pd.Series(values[c]).groupby(ids).nunique()
                if (spread > 1).any():
                    raise _file_error(path, f"the rows of {key} {spread.index[spread.to_numpy() > 1][0]!r} give "
                                            f"different values of the {what} column {c!r}; rows of one {key} must "
                                            "agree on it")
        table[POLICY] = pd.array(pol, dtype=object)
        table[SCENARIO] = sc
    for c in paths:
        table[c] = values[c]
    return table
