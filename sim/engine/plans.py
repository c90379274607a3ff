"""Projection plans: the speed trick that lets every actor project its options every month.

Projections are fast because each rule knows (by tracing, once at import) which actors'
choices it depends on: when actor A projects its options, a rule that does not depend on
A's choice gives exactly what it gave in the month's *status-quo* resolve (everyone
repeating last month's choice), so :func:`~sim.engine.rules.resolve` copies that result instead of
computing it again, and it skips rules whose results A's interests never read. (The
status-quo resolve itself runs only the rules that some projection copies.)

A rule that does depend on A's choice often cannot tell some of A's options apart: the
DPRK's exports are the same whether it tests a missile or courts Beijing. Tracing also
records *how* each rule reads a choice (which options ``_is`` tests, which per-option
tables ``_per_option`` looks up), so a projection runs each rule once per class of
options that differ in what the rule reads (the options themselves, and the classes of
the rule's inputs), and gives every option its class's row at the end. Each number is
computed by the same operations on the same inputs as with one row per option, so the
results are the same to the last bit; about half the rows are never computed.

The rules are traced once, at import: each is run on a one-member state with a tracing
dict that notes the indicators and choices it reads and how (:func:`_trace_rules`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from sim.actors import ACTOR_CLASSES
from sim.engine.rules import OPTION_INDEX, RULES, Rule, State
from sim.indicators import FLOAT, NAMES


class _Tracer(dict):
    """A dict that notes the keys read (and how often).

    As choices, it also notes how :func:`_is` and :func:`_per_option` use them.
    """

    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.read: set[str] = set()
        self.count: dict[str, int] = {}
        self.uses: dict[str, list] = {}

    def __getitem__(self, key):
        self.read.add(key)
        self.count[key] = self.count.get(key, 0) + 1
        return super().__getitem__(key)


def _trace_rules() -> None:
    from sim.indicators import INDICATORS
    from sim.params import PARAMS

    s = {name: np.full(1, INDICATORS[name].initial, dtype=FLOAT) for name in NAMES}
    p = {k: v.default for k, v in PARAMS.items()}
    p.update({f"initial.{k}": v.initial for k, v in INDICATORS.items()})
    produced_by: dict[str, Rule] = {}
    n = _Tracer()
    for r in RULES:
        C = _Tracer({code: np.zeros(1, dtype=np.int64) for code in ACTOR_CLASSES})
        n.read = set()
        before = set(n)
        r.fn(s, C, p, 0, {"war": np.zeros(1, dtype=FLOAT)}, n)
        r.outputs = tuple(k for k in n if k not in before)
        if any(np.ndim(n[k]) > 1 for k in r.outputs):  # projections add the options' axis in front
            raise RuntimeError(f"rule {r.fn.__name__} must give one value per member")
        wide = [k for k in r.outputs if np.asarray(n[k]).dtype != FLOAT]
        if wide:  # e.g. a NumPy float64 scalar (np.maximum of two Python floats) in the formula
            raise RuntimeError(f"rule {r.fn.__name__} gives {wide} in {np.asarray(n[wide[0]]).dtype}, "
                               f"not the model's {np.dtype(FLOAT)}")
        r.reads = frozenset(k for k in n.read if k not in r.outputs)
        actors = set(C.read)
        r.choice_uses = {a: tuple(C.uses.get(a, ())) if C.count[a] == len(C.uses.get(a, ())) else None
                         for a in C.read}
        for key in r.reads:
            actors |= produced_by[key].actors
        r.actors = frozenset(actors)
        for k in r.outputs:
            produced_by[k] = r
    missing = set(NAMES) - set(produced_by)
    if missing:
        raise RuntimeError(f"no rule sets the indicators {sorted(missing)}")
    _PRODUCED_BY.update(produced_by)


_PRODUCED_BY: dict[str, Rule] = {}
_trace_rules()


def trace_reads(fn: Callable[[State, dict], np.ndarray]) -> frozenset[str]:
    """The indicators an interest's score function reads."""
    from sim.indicators import INDICATORS
    from sim.params import PARAMS

    s = _Tracer({name: np.full(1, INDICATORS[name].initial, dtype=FLOAT) for name in NAMES})
    out = fn(s, {k: v.default for k, v in PARAMS.items()})
    if np.asarray(out).dtype != FLOAT:
        raise RuntimeError(f"{getattr(fn, '__qualname__', fn)} gives {np.asarray(out).dtype}, "
                           f"not the model's {np.dtype(FLOAT)}")
    return frozenset(s.read)


@dataclass(frozen=True)
class Step:
    """One rule of a plan.

    In a projection, ``options`` (a column) gives the projecting actor's choice: one option
    for each class of options the rule cannot tell apart (None if the rule does not read that
    choice); ``rows`` re-indexes inputs computed earlier in the projection: key -> the input's
    row for each of this rule's classes.
    """

    rule: Rule
    options: np.ndarray | None = None
    rows: tuple[tuple[str, np.ndarray], ...] = ()


@dataclass(frozen=True)
class Plan:
    """What :func:`resolve` runs: rules to compute again, and what to copy from the status quo.

    ``actor`` is the projecting actor (None for the status quo); ``expand`` gives the
    indicators that the actor's interests read a row for every option: key -> the row of
    each option.
    """

    actor: str | None
    compute: tuple[Rule, ...]
    copy: tuple[str, ...]
    steps: tuple[Step, ...]
    expand: tuple[tuple[str, np.ndarray], ...] = ()


def _closure(needed: Iterable[str]) -> list[Rule]:
    """The rules that give ``needed`` and everything they read, in order."""
    want: set[int] = set()
    stack = [_PRODUCED_BY[k] for k in needed]
    while stack:
        r = stack.pop()
        if id(r) in want:
            continue
        want.add(id(r))
        stack.extend(_PRODUCED_BY[k] for k in r.reads)
    return [r for r in RULES if id(r) in want]


def _direct(r: Rule, actor: str, option: int) -> tuple:
    """What rule ``r`` reads of ``actor``'s choice when it is ``option``."""
    uses = r.choice_uses.get(actor, ())
    if uses is None:
        return (option,)
    return tuple(option == x if kind == "is" else x[option].tobytes() for kind, x in uses)


def projection_plan(actor: str, needed: Iterable[str]) -> Plan:
    """The rules an actor's projection must run to give the indicators ``needed``.

    Each rule runs once per class of the actor's options that differ in what the rule
    reads: its own reading of the choice, and the class of each input computed earlier in
    the projection (see the module docstring).
    """
    needed = tuple(needed)
    ordered = _closure(needed)
    compute = tuple(r for r in ordered if actor in r.actors)
    copy = tuple(k for r in ordered if actor not in r.actors for k in r.outputs)
    n_options = len(OPTION_INDEX[actor])
    classes: dict[str, tuple[int, ...]] = {}  # key computed so far -> class of each option
    steps = []
    for r in compute:
        inputs = sorted(k for k in r.reads if k in classes)
        signature = [(_direct(r, actor, o),) + tuple(classes[k][o] for k in inputs) for o in range(n_options)]
        ids: dict[tuple, int] = {}
        of = tuple(ids.setdefault(sig, len(ids)) for sig in signature)
        first = [of.index(c) for c in range(len(ids))]  # one option per class: the first
        rows = []
        for k in inputs:
            idx = [classes[k][o] for o in first]
            if max(classes[k]) > 0 and idx != list(range(max(classes[k]) + 1)):
                rows.append((k, np.array(idx, dtype=np.intp)))
        options = np.array(first, dtype=np.int64)[:, None] if actor in r.choice_uses else None
        steps.append(Step(r, options, tuple(rows)))
        for k in r.outputs:
            classes[k] = of
    expand = tuple((k, np.array(classes[k], dtype=np.intp)) for k in needed
                   if k in classes and classes[k] != tuple(range(n_options)))
    return Plan(actor, compute, copy, tuple(steps), expand)


def status_quo_plan(copied: Iterable[str]) -> Plan:
    """The status-quo resolve for projections.

    The rules that give ``copied`` (what the actors' projections copy) and everything they read.
    """
    ordered = tuple(_closure(copied))
    return Plan(None, ordered, (), tuple(Step(r) for r in ordered))
