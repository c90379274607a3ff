"""Fuzzing scenario files (Hypothesis): 2,000 generated files with arbitrary YAML values in
every field, at every depth (strings, numbers huge, NaN and infinite, booleans, null, lists,
mappings, nesting), some extending a bundled scenario, some with hostile text appended
(a duplicate key, a recursive alias, deep nesting).

Each file either loads, and then the engine can set a run up from it, or gives one
ScenarioError: one paragraph naming the file; ``peninsula validate`` then exits with 2 and no
traceback. Derandomized, so CI sees the same 2,000 files every time.
"""

from __future__ import annotations

import math
import traceback
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.actors import ACTOR_CLASSES
from sim.cli.main import main
from sim.data import SCENARIO_DIR
from sim.indicators import INDICATORS
from sim.params import PARAMS

EXAMPLES = 2000

# -- values -----------------------------------------------------------------------------------

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
_hostile_numbers = st.one_of(
    st.integers(-(10**7), 10**7), st.integers(-(10**40), 10**40), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([-1, 1e15, 1e16, 1e300, -1e300, 3.4e38, 5e-324, math.inf, -math.inf, math.nan]),
)
_tokens = st.sampled_from([
    "2024-06", "2024-07", "2025-01", "2027-06", "2024-13", "1999-01", "0000-00", "DPRK", "RUS", "CHN", "USA", "XYZ",
    "keep", "ship_more_rice", "hold", "dance", "params.cash_share", "params.nope", "world.war_intensity",
    "initial.DPRK.hard_currency_usd", "DPRK.hard_currency_usd", "relations.RUS-DPRK", "RUS-DPRK", "baseline",
    "../baseline", "/etc/passwd", "uniform", "normal", "triangular", "choice", "below", "mostly", "lower_than", "",
    "~", "null", "true", "1e400", "NaN", ".inf", "a\x1bb", "two\nlines", "x" * 300, "My Name", "ok_name",
])
_scalars = st.one_of(st.none(), st.booleans(), _hostile_numbers, _text, _tokens)
_keys = st.one_of(_text, _tokens, st.integers(-5, 5), st.booleans(), st.none())
_anything = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_keys, inner, max_size=3)),
    max_leaves=8,
)
"""Any YAML value: strings, numbers (huge, NaN, infinite), booleans, null, lists, mappings, nested."""

# -- plausible scenarios (the base that mutations then break) ---------------------------------

_share = st.one_of(st.floats(0, 1), st.sampled_from([0, 1, 0.5]))
_month = st.sampled_from(["2023-09", "2023-12", "2024-06", "2024-07", "2024-08", "2024-09", "2025-01", "2031-01"])
_params = st.sampled_from(list(PARAMS))
_indicators = st.sampled_from(list(INDICATORS))
_actors = st.sampled_from(list(ACTOR_CLASSES))
_paths = st.one_of(st.builds(lambda p: f"params.{p}", _params), st.builds(lambda i: f"initial.{i}", _indicators),
                   _indicators, st.builds(lambda a: f"{a}.unpredictability", _actors),
                   st.builds(lambda a: f"{a}.weights.{ACTOR_CLASSES[a].interest_names()[0]}", _actors))
_claims = st.lists(st.sampled_from(["s001-rice", "s004-shell-shortage", "nope"]), max_size=2)


def _record(required: dict, **optional) -> st.SearchStrategy:
    """A mapping with the ``required`` fields and any subset of the ``optional`` ones."""
    return st.fixed_dictionaries(required, optional=optional)


_share_paths = st.one_of(st.sampled_from(["params.cash_share", "params.war_intensity_target", "params.rice_deal",
                                          "initial.DPRK.food_security", "CHN.unpredictability"]), _paths)

FIELDS = {
    "name": st.sampled_from(["fuzz", "a-b_1", "x"]),
    "title": _text,
    "description": _text,
    "extends": st.sampled_from(["baseline"] * 6 + ["ceasefire", "nowhere", "../x", "/etc/passwd", "case"]),
    "start": _month,
    "months": st.integers(1, 40),
    "seed": st.integers(0, 2**63 - 1),
    "members": st.integers(1, 1000),
    "params": st.dictionaries(_params, _share, max_size=3),
    "actors": st.dictionaries(_actors, _record({}, unpredictability=_share,
                                               weights=st.dictionaries(st.sampled_from(["buffer", "food"]),
                                                                       st.integers(0, 5), max_size=2)), max_size=2),
    "initial": st.dictionaries(_indicators, _share, max_size=3),
    "relations": st.dictionaries(st.sampled_from(["RUS-DPRK", "DPRK-RUS", "CHN-USA"]), _share, max_size=2),
    "events": st.lists(_record({"month": _month, "set": st.dictionaries(_share_paths, _share, min_size=1,
                                                                        max_size=2)},
                               label=_text, shift=st.dictionaries(_paths, st.floats(-0.1, 0.1), max_size=2),
                               claims=_claims), max_size=3),
    "scripted": st.lists(_record({"actor": _actors, "option": st.sampled_from(["keep", "keep", "ship_more_rice", "squeeze_trade", "hold"]),
                                  "from": _month, "to": _month}, note=_text), max_size=2),
    "levers": st.lists(_record({"path": _share_paths, "label": _text, "min": st.just(0),
                                "max": st.sampled_from([0.5, 1])},
                               step=st.sampled_from([0.1, 0.25]), value=_share, claims=_claims), max_size=3),
    "uncertainties": st.lists(st.one_of(
        _record({"path": _share_paths, "dist": st.just("uniform"), "low": st.just(0.1), "high": st.just(0.9)},
                label=_text),
        _record({"path": _share_paths, "dist": st.just("normal"), "mean": st.just(0.5), "sd": st.just(0.05)}),
        _record({"path": _share_paths, "dist": st.just("triangular"), "low": st.just(0.1), "mode": st.just(0.5),
                 "high": st.just(0.9)}),
        _record({"path": _share_paths, "dist": st.just("choice"), "values": st.lists(_share, min_size=1,
                                                                                     max_size=3)}),
    ), max_size=2),
    "expectations": st.lists(st.one_of(
        _record({"says": _text, "test": st.sampled_from(["below", "above"]), "indicator": _indicators,
                 "value": _share}, at=_month, share=_share),
        _record({"says": _text, "test": st.just("mostly"), "actor": _actors,
                 "option": st.sampled_from(["keep", "test_more", "hold"])}),
        _record({"says": _text, "test": st.just("lower_than"), "indicator": _indicators,
                 "than": st.sampled_from(["baseline", "nowhere"])}),
    ), max_size=2),
}


@st.composite
def plausible(draw) -> dict:
    """A scenario mapping that often loads: each field present or not."""
    out = {}
    for key, strategy in FIELDS.items():
        odds = 9 if key == "months" else 3 if key == "extends" else 5
        if draw(st.integers(0, 9)) < odds:
            out[key] = draw(strategy)
    return out


def _paths_in(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths_in(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths_in(v, prefix + (i,))


@st.composite
def scenarios(draw) -> dict:
    """A plausible scenario with zero to four of its values replaced by anything at all (at any
    depth, in any field), or a field dropped, or a stray field added."""
    data = draw(plausible())
    for _ in range(draw(st.sampled_from([0, 1, 1, 1, 2, 2, 3, 4]))):
        paths = [p for p in _paths_in(data) if p]
        op = draw(st.sampled_from(["replace"] * 6 + ["drop", "add"]))
        if op == "add" or not paths:
            target = data if not paths else draw(st.sampled_from([data] + [
                v for v in (_get(data, p) for p in paths) if isinstance(v, dict)]))
            target[draw(st.one_of(st.sampled_from(list(FIELDS)), _keys))] = draw(_anything)
            continue
        path = draw(st.sampled_from(paths))
        parent = _get(data, path[:-1])
        if op == "drop":
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(_anything)
    return data


def _get(node, path):
    for p in path:
        node = node[p]
    return node


TAILS = st.sampled_from([""] * 40 + [
    "\nmonths: 3\n",                                  # a duplicate key (when the file has months)
    "\nalias: &x [*x]\n",                             # a recursive alias
    "\ndeep: " + "[" * 200 + "]" * 200 + "\n",        # too deep
    "\nself: &y {a: *y}\n",
    "\nlaughs: &l0 [a, a, a, a, a, a, a, a, a, a]\n",
    "\n- not a mapping\n",
    "\n\x07bell: 1\n",
])


def _text_of(data: dict, tail: str) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True) + tail


# -- the test ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _cli_validate(path: Path, capsys) -> tuple[object, str]:
    try:
        code: object = main(["validate", str(path)])
    except BaseException:  # noqa: BLE001 - what escapes is the failure
        code, tb = "raised", traceback.format_exc()
    else:
        tb = ""
    return code, capsys.readouterr().err + tb


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(data=scenarios(), tail=TAILS, cli=st.integers(0, 3))
def test_generated_scenario_files_load_or_fail_clearly(case_dir, capsys, data, tail, cli):
    path = case_dir / "case.yaml"
    path.write_text(_text_of(data, tail), encoding="utf-8")
    try:
        sc = sim.load_scenario(path)
    except sim.ScenarioError as exc:
        msg = str(exc)
        assert msg.strip() and "\n" not in msg and "\r" not in msg, f"not one paragraph: {msg!r}"
        assert "Traceback" not in msg
        assert str(path) in msg, f"the file is not named: {msg}"
        assert exc.file == str(path) or Path(exc.file).parent == SCENARIO_DIR, msg
        if cli:  # one file in four also goes through the command line (the loader is the same)
            return
        code, err = _cli_validate(path, capsys)
        assert code == 2, f"validate exited {code}: {err}"
        assert "Traceback" not in err, err
        return
    # what loads is a scenario the engine can set a run up from
    setup = sim.Setup.build(sc, 1, 0)
    assert setup.members == 1 and setup.scenario.months == sc.months
