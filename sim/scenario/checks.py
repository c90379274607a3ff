"""Checks of a scenario beyond its types: known names, values in range, months inside the run.

Errors name the file, the line and the field.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import ValidationError

from sim.actors import ACTOR_CLASSES
from sim.errors import ScenarioError
from sim.indicators import ACTORS, INDICATORS, canonical_indicator, canonical_relation
from sim.params import PARAMS
from sim.scenario.files import fmt_loc, resolve_bundled, resolve_parent
from sim.scenario.paths import capped_range, check_path, in_range, path_range, range_text, scenario_value
from sim.scenario.schema import NAME_PATTERN, Scenario

__all__ = ["check_changes", "check_semantics", "describe_pydantic", "fail_at", "fmt_loc", "validate", "where"]

_NAME = re.compile(NAME_PATTERN)


def where(origins: dict, loc: tuple, default_file: str) -> tuple[str, int | None]:
    """The file and line a field path came from (the nearest enclosing field that is known)."""
    for n in range(len(loc), -1, -1):
        if loc[:n] in origins:
            return origins[loc[:n]]
    return default_file, None


def describe_pydantic(err: dict) -> str:
    """One pydantic error in plain words: what was expected, and what was found."""
    typ, msg, inp = err["type"], err["msg"], err.get("input")
    shown = repr(inp) if not isinstance(inp, dict | list) else type(inp).__name__
    if typ == "extra_forbidden":
        return "unknown field (check the spelling; 'peninsula schema' lists the fields)"
    if typ == "missing":
        return "this field is required"
    if typ in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, got {shown}"
    if typ.startswith("float") and ("parsing" in typ or "type" in typ):
        return f"expected a number, got {shown}"
    if typ == "finite_number":
        return f"expected a finite number, got {shown}"
    if typ in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"{msg.lower()}, got {shown}"
    if typ == "literal_error":
        return f"{msg.lower()}, got {shown}"
    if typ == "value_error":
        return msg.removeprefix("Value error, ")
    return f"{msg.lower()}, got {shown}" if inp is not None else msg.lower()


def _inherited(efile: str, file: str) -> str:
    """Words to add when a problem lies in a scenario that the file loaded extends."""
    return "" if efile == file else f" (in a scenario that {file} extends)"


def validate(data: dict, origins: dict, file: str, source: str | None = None, *,
             bundled_only: bool = False) -> Scenario:
    """Validate merged scenario data into a :class:`Scenario`; ScenarioError at the first problem.

    ``bundled_only``: an expectation's ``than`` may name only a bundled scenario (text from
    outside, see :func:`sim.scenario.loader.load_scenario_text`).
    """
    try:
        sc = Scenario.model_validate(data)
        sc.source = source
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple("from" if p == "from_" else p for p in err["loc"])
        efile, line = where(origins, loc, file)
        more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
        raise ScenarioError(describe_pydantic(err) + more + _inherited(efile, file), file=efile, line=line,
                            field=fmt_loc(loc)) from None
    sc, origins = _drop_inherited_after_end(sc, origins, file)
    check_semantics(sc, origins, file, bundled_only=bundled_only)
    return sc


def _drop_inherited_after_end(sc: Scenario, origins: dict, file: str) -> tuple[Scenario, dict]:
    """Leave out the events and scripts that a shorter scenario inherits for months after its end.

    They never come in the run (a child that shortens the baseline's horizon does not carry its
    later events); the scenario's own must lie inside the run, as before. The origins of the
    items kept are renumbered, so that errors still point at the right line.
    """
    last = sc.months - 1

    def after_end(item, key: str) -> bool:
        month = getattr(item, "month", None) or getattr(item, "from_", None) or (item.months or [None])[0]
        return month is not None and sc.month_index(month) > last

    update, new_origins = {}, {k: v for k, v in origins.items() if k[:1] not in (("events",), ("scripted",))}
    for key in ("events", "scripted"):
        kept = []
        for i, item in enumerate(getattr(sc, key)):
            inherited = where(origins, (key, i), file)[0] != file
            if inherited and after_end(item, key):
                continue
            if inherited and key == "scripted":  # cut an inherited script at the end of the run
                end = sc.dates()[last]
                if item.months is not None and any(sc.month_index(m) > last for m in item.months):
                    item = item.model_copy(update={"months": [m for m in item.months if sc.month_index(m) <= last]})
                elif item.to is not None and sc.month_index(item.to) > last:
                    item = item.model_copy(update={"to": end})
            for loc, v in origins.items():
                if loc[:2] == (key, i):
                    new_origins[(key, len(kept)) + loc[2:]] = v
            kept.append(item)
        if (key,) in origins:
            new_origins[(key,)] = origins[(key,)]
        if kept != list(getattr(sc, key)):
            update[key] = kept
    if not update:
        return sc, origins
    out = sc.model_copy(update=update)
    out.source = sc.source
    return out, new_origins


def fail_at(msg: str, loc: tuple, origins: dict, file: str):
    """Raise a ScenarioError for a field path, with the file and line it came from."""
    efile, line = where(origins, loc, file)
    raise ScenarioError(msg + _inherited(efile, file), file=efile, line=line, field=fmt_loc(loc))


def check_semantics(sc: Scenario, origins: dict, file: str, *, bundled_only: bool = False) -> None:
    """Check what the types cannot: the name, known names, values in range, months inside the run."""
    def fail(msg, *loc):
        fail_at(msg, loc, origins, file)

    if not _NAME.fullmatch(sc.name):
        shown = repr(sc.name[:40]) + ("..." if len(sc.name) > 40 else "")
        fail(f"expected a short name matching [a-z0-9_-]{{1,64}} (lower-case letters, digits, '_' and '-'; it names "
             f"the output folder runs/NAME), got {shown}", "name")

    for name, value in sc.params.items():
        if name not in PARAMS:
            fail(f"unknown world parameter; known: {', '.join(PARAMS)}", "params", name)
        p = PARAMS[name]
        if not in_range(value, p.low, p.high):
            fail(f"expected a value {range_text(p.low, p.high)} ({p.unit}), got {value:g}", "params", name)
        if p.whole and value != int(value):
            fail(f"expected a whole number {range_text(p.low, p.high)} ({p.unit}), got {value:g}", "params", name)
    for code, spec in sc.actors.items():
        if code not in ACTOR_CLASSES:
            fail(f"unknown actor; the actors are {', '.join(ACTORS)}", "actors", code)
        names = ACTOR_CLASSES[code].interest_names()
        for w in spec.weights:
            if w not in names:
                fail(f"{code} has no interest {w!r}; its interests: {', '.join(names)}",
                     "actors", code, "weights", w)
    for key, value in sc.initial.items():
        ind = canonical_indicator(key)
        if ind is None:
            fail("unknown indicator (see 'peninsula indicators')", "initial", key)
        lo, hi = capped_range(INDICATORS[ind].low, INDICATORS[ind].high, INDICATORS[ind].unit)
        if not in_range(value, lo, hi):
            fail(f"expected a value {range_text(lo, hi)} ({INDICATORS[ind].unit}), got {value:g}", "initial", key)
    for key, value in sc.relations.items():
        if canonical_relation(key) is None:
            fail(f"expected a pair of actors A-B from {', '.join(ACTORS)}", "relations", key)
        if not -1 <= value <= 1:
            fail(f"expected an alignment between -1 and 1, got {value:g}", "relations", key)

    last = sc.months - 1

    def month_ok(m: str, *loc):
        k = sc.month_index(m)
        if not 0 <= k <= last:
            fail(f"month {m} lies outside the run ({sc.dates()[0]} to {sc.dates()[last]})", *loc)

    for i, ev in enumerate(sc.events):
        month_ok(ev.month, "events", i, "month")
        check_changes(ev, ("events", i), "an event", fail)
    # A parameter that events set and shift must stay in its range at every step.
    values: dict[str, float] = {}
    for i, ev in sorted(enumerate(sc.events), key=lambda item: sc.month_index(item[1].month)):
        for kind in ("set", "shift"):
            for path, value in getattr(ev, kind).items():
                what, _ = check_path(path, allow_indicator=True)
                if what == "indicator":
                    continue
                lo, hi = path_range(path)
                new = value if kind == "set" else values.get(path, scenario_value(sc, path)) + value
                if not in_range(new, lo, hi):
                    fail(f"this {kind} takes {path} to {new:g}, outside its range ({range_text(lo, hi)})",
                         "events", i, kind, path)
                values[path] = new
    for i, sp in enumerate(sc.scripted):
        if sp.actor not in ACTOR_CLASSES:
            fail(f"unknown actor; the actors are {', '.join(ACTORS)}", "scripted", i, "actor")
        opts = ACTOR_CLASSES[sp.actor].option_names()
        if sp.option not in opts:
            fail(f"{sp.actor} has no move {sp.option!r}; its moves: {', '.join(opts)}", "scripted", i, "option")
        if sp.months is not None:
            for j, m in enumerate(sp.months):
                month_ok(m, "scripted", i, "months", j)
        else:
            month_ok(sp.from_, "scripted", i, "from")
            month_ok(sp.to, "scripted", i, "to")
            if sc.month_index(sp.to) < sc.month_index(sp.from_):
                fail("'to' comes before 'from'", "scripted", i, "to")
    for i, ex in enumerate(sc.expectations):
        if ex.indicator is not None and canonical_indicator(ex.indicator) is None:
            fail("unknown indicator (see 'peninsula indicators')", "expectations", i, "indicator")
        if ex.actor is not None:
            if ex.actor not in ACTOR_CLASSES:
                fail(f"unknown actor; the actors are {', '.join(ACTORS)}", "expectations", i, "actor")
            opts = ACTOR_CLASSES[ex.actor].option_names()
            if ex.option not in opts:
                fail(f"{ex.actor} has no move {ex.option!r}; its moves: {', '.join(opts)}",
                     "expectations", i, "option")
        for key in ("at", "by", "from_", "to"):
            m = getattr(ex, key)
            if m is not None:
                k = sc.month_index(m)
                top = sc.months if key in ("at", "to", "by") else sc.months - 1
                if not 0 <= k <= top:
                    fail(f"month {m} lies outside the run ({sc.dates()[0]} to {sc.dates()[top]})",
                         "expectations", i, "from" if key == "from_" else key)
        if ex.from_ is not None and ex.to is not None and sc.month_index(ex.to) < sc.month_index(ex.from_):
            fail("'to' comes before 'from'", "expectations", i, "to")
        if ex.than is not None:
            efile, line = where(origins, ("expectations", i, "than"), file)
            if bundled_only:
                resolve_bundled(ex.than, efile, line, field=f"expectations[{i}].than")
            else:
                here = Path(sc.source).resolve().parent if sc.source else None
                resolve_parent(ex.than, here, efile, line, field=f"expectations[{i}].than")

    seen: set[str] = set()
    for group in ("levers", "uncertainties"):
        for i, item in enumerate(getattr(sc, group)):
            try:
                kind, _ = check_path(item.path)
            except ValueError as exc:
                fail(str(exc), group, i, "path")
            if item.path in seen:
                fail("this path is already a lever or an uncertainty; a path can be only one", group, i, "path")
            seen.add(item.path)
            if group == "uncertainties" and kind == "param" and PARAMS[item.path.split(".", 1)[1]].whole:
                fail(f"{item.path} is the same in every member (a whole number): it cannot be sampled; make it "
                     "a lever or set it in params", group, i, "path")
            lo, hi = path_range(item.path)
            a, b = (item.min, item.max) if group == "levers" else item.bounds()
            if not (in_range(a, lo, hi) and in_range(b, lo, hi)):
                fail(f"the range {a:g} to {b:g} leaves the valid range of {item.path} "
                     f"({range_text(lo, hi)})", group, i)
            if group == "levers" and item.value is None:
                current = scenario_value(sc, item.path)
                if not item.min <= current <= item.max:
                    fail(f"the scenario's value {current:g} lies outside the lever's range; give 'value'",
                         group, i)


def check_changes(item, loc: tuple, noun: str, fail) -> None:
    """Check the ``set`` and ``shift`` paths of an event or inject.

    Known paths of the running state (not ``initial.*``), and values inside their range for
    ``set``. ``fail(msg, *loc)`` reports.
    """
    if not item.set and not item.shift:
        fail(f"{noun} must 'set' or 'shift' at least one path", *loc)
    for kind in ("set", "shift"):
        for path, value in getattr(item, kind).items():
            try:
                what, _ = check_path(path, allow_indicator=True)
            except ValueError as exc:
                fail(str(exc), *loc, kind, path)
            if what == "initial":
                fail(f"{noun} changes the running state; name the indicator itself, not initial.*", *loc, kind, path)
            lo, hi = path_range(path)
            if kind == "set" and not in_range(value, lo, hi):
                fail(f"expected a value {range_text(lo, hi)}, got {value:g}", *loc, kind, path)
            if kind == "shift" and not abs(value) <= hi - lo:
                fail(f"a shift of {value:g} is larger than the whole range of {path} ({range_text(lo, hi)})",
                     *loc, kind, path)
