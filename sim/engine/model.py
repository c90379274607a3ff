"""``PeninsulaModel``: the seven actors as Mesa agents in one vectorised ensemble.

A model holds ``members`` independent worlds in lockstep: every indicator is a NumPy array
with one entry per member. A month is one :meth:`PeninsulaModel.step`:

1. the scenario's events for the month apply;
2. every actor that reviews its posture this month projects its moves (one stacked
   look-ahead for all of them, :func:`sim.engine.choose.project`), and every actor chooses
   at once from the state at the start of the month (simultaneous moves:
   :meth:`sim.engine.choose.ActorAgent.decide`, no activation order);
3. :func:`sim.engine.rules.resolve` resolves all moves together;
4. the month is recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import reduce

import mesa
import numpy as np

from sim.actors import ACTOR_CLASSES
from sim.engine.choose import (REASON_EXTERNAL, REASON_SCRIPTED, ActorAgent, Projection, horizon, possible_moves,
                               project)
from sim.engine.memory import tune_allocator, zeros_group
from sim.engine.rng import MemberStreams, stream_id
from sim.engine.rules import resolve
from sim.engine.setup import Setup
from sim.indicators import FLOAT, INDEX, INDICATORS, NAMES
from sim.scenario import Scenario, check_path

WAR_STREAM = stream_id("shock:war")

ExternalChoice = Callable[["PeninsulaModel"], "int | np.ndarray | None"]


def output_specs(members: int, months: int, record: Sequence[str] | None = None) -> list[tuple[tuple[int, ...], type]]:
    """Shapes and dtypes of a run's outputs.

    The history (months + 1, indicators, members), in the model's single precision; then for
    each actor its choices and reasons (months, members) and its advantages (months,
    interests, members). With ``record`` (indicator names), only those indicators' history and
    no advantages: what a batch keeps (a quarter of the memory of a full run's outputs).
    """
    lean = record is not None
    return ([((months + 1, len(record) if lean else len(NAMES), members), FLOAT)]
            + [((months, members), np.int8) for _ in ACTOR_CLASSES]
            + [((months, members), np.int8) for _ in ACTOR_CLASSES]
            + ([] if lean else [((months, len(cls.interests), members), np.float32)
                                for cls in ACTOR_CLASSES.values()]))


class PeninsulaModel(mesa.Model):
    """A vectorised ensemble of Peninsula worlds, one Mesa agent per actor.

    Build it from a :class:`~sim.engine.setup.Setup` (callers outside the engine use
    :func:`~sim.engine.simulate.simulate` or :class:`~sim.engine.simulate.Simulation`). A
    scenario with ``members`` and ``seed`` (or Mesa's ``rng``) also works, so that
    ``mesa.batch_run`` can drive the model: it is turned into a Setup the same way.

    Args:
        setup: the resolved setup, or a scenario.
        members: with a scenario: how many members (ids 0..N-1) or the list of member ids.
        seed: with a scenario: the run's seed (default the scenario's).
        rng: Mesa's seed argument; used as ``seed`` when ``seed`` is not given.
        external: actor code -> callable(model) returning this month's option index (or
            array per member, or None to let the actor choose): choices from outside.
        outputs: arrays to record into, as :func:`output_specs` lists them (views of a
            larger run's arrays, members last, will do); default new zeroed arrays.
        record: only these indicators' history, and no advantages (see :func:`output_specs`).
    """

    def __init__(self, setup: Setup | Scenario, members: int | Sequence[int] | None = None,
                 seed: int | None = None, *, rng: int | None = None,
                 external: dict[str, ExternalChoice] | None = None,
                 outputs: Sequence[np.ndarray] | None = None, record: Sequence[str] | None = None) -> None:
        """Set up the worlds at the start of the scenario."""
        if not isinstance(setup, Setup):
            setup = Setup.build(setup, members, seed if seed is not None or rng is None else rng)
        super().__init__(rng=setup.seed)
        tune_allocator()  # large temporaries come from the heap (sim.engine.memory); results do not change
        self.setup = setup
        self.scenario = setup.scenario
        self.seed = setup.seed
        self.member_ids = setup.member_ids
        self.n_members = len(setup.member_ids)
        self.months = setup.scenario.months
        self.month_index = 0
        self.rng_streams = MemberStreams(self.seed, self.member_ids, self.months)
        self.external: dict[str, ExternalChoice] = dict(external or {})

        self.actors: dict[str, ActorAgent] = {code: ActorAgent(self, cls) for code, cls in ACTOR_CLASSES.items()}
        values = dict(setup.values)
        self.param_values = values
        self.params = {k[len("params."):]: v for k, v in values.items() if k.startswith("params.")}
        self.params.update({k: v for k, v in values.items() if k.startswith("initial.relations.")})
        self.params.update({k: v for k, v in values.items() if k.startswith("initial.")})
        self._refresh_actor_params()
        self.state = {name: np.broadcast_to(np.asarray(self.params[f"initial.{name}"], dtype=FLOAT),
                                            (self.n_members,)).copy() for name in NAMES}
        horizon(self.params)  # a horizon that is not a whole number of months fails here, not in month 1
        self.red_lines_before: dict[str, np.ndarray] = {}
        self.red_lines_now: dict[str, np.ndarray] = {}
        self.forced: dict[str, tuple] = {}
        self.review: dict[str, np.ndarray | bool] = {}
        self.projection = Projection({})
        self.possible: dict[str, np.ndarray] = {}
        self._events = {t: list(evs) for t, evs in setup.events.items()}
        self._scripted = setup.scripted

        # The outputs, time-major so that recording a month writes contiguous rows. One
        # recycled buffer holds them all (sim.engine.memory.zeros_group: the same zeros as np.zeros).
        self._record_names = None if record is None else tuple(record)
        specs = output_specs(self.n_members, self.months, record)
        if outputs is None:
            outputs = zeros_group(specs)
        elif [a.shape for a in outputs] != [shape for shape, _ in specs]:
            raise ValueError("outputs do not have the shapes of output_specs(members, months)")
        arrays = iter(outputs)
        self.history = next(arrays)
        self.choice_history = {c: next(arrays) for c in ACTOR_CLASSES}
        self.reason_history = {c: next(arrays) for c in ACTOR_CLASSES}
        self.advantage_history = None if record is not None else {c: next(arrays) for c in ACTOR_CLASSES}
        self.running = True

    def _refresh_actor_params(self) -> None:
        v = self.param_values
        self.unpredictability = {c: v[f"{c}.unpredictability"] for c in ACTOR_CLASSES}
        self.weights, self.weight_totals, self.weight_shares = {}, {}, {}
        for code, cls in ACTOR_CLASSES.items():
            ws = [np.asarray(v[f"{code}.weights.{i.name}"], dtype=np.float64) for i in cls.interests]
            ws = [w.reshape(1, -1) if w.ndim else w.reshape(1, 1) for w in ws]
            self.weights[code] = ws
            total = np.maximum(reduce(np.add, ws), 1e-12)
            self.weight_totals[code] = total
            # Each interest's share of the weight (weight / total), computed once rather than every month.
            self.weight_shares[code] = [(w / total).astype(FLOAT) for w in ws]

    # -- events and outside choices ---------------------------------------------------------------
    def add_event(self, t: int, event) -> None:
        """Schedule an event (a :class:`sim.scenario.Event`) at month index ``t``, after those already there.

        E.g. an instructor's inject released during a game.
        """
        self._events.setdefault(t, []).append(event)

    def apply_events(self, t: int) -> None:
        """Apply the events of month index ``t`` to the state and parameters (step() does this first)."""
        for ev in self._events.get(t, ()):
            for op, items in (("set", ev.set), ("shift", ev.shift)):
                for path, value in items.items():
                    kind, name = check_path(path, allow_indicator=True)
                    if kind == "indicator":
                        cur = self.state[name]
                        new = np.full_like(cur, value) if op == "set" else cur + value
                        lo, hi = INDICATORS[name].low, INDICATORS[name].high
                        self.state[name] = np.clip(new, -np.inf if lo is None else lo, np.inf if hi is None else hi)
                        continue
                    key = path
                    cur = self.param_values[key]
                    self.param_values[key] = value if op == "set" else cur + value
                    if kind == "param":
                        self.params[name] = self.param_values[key]
                    else:
                        self._refresh_actor_params()

    @contextmanager
    def preview(self) -> Iterator[PeninsulaModel]:
        """What-ifs on the month about to be played that leave the model as it was.

        Inside, apply events, resolve, score; on exit the state, the parameters and the status
        quo come back.
        """
        saved = (self.state, self.param_values, self.params)
        self.state, self.param_values, self.params = dict(self.state), dict(self.param_values), dict(self.params)
        try:
            yield self
        finally:
            self.state, self.param_values, self.params = saved
            self._refresh_actor_params()

    def forced_choice(self, code: str) -> tuple[int, np.ndarray | int] | None:
        """A choice this month from outside the rule: a player's, else the scenario's script."""
        ext = self.external.get(code)
        if ext is not None:
            chosen = ext(self)
            if chosen is not None:
                return REASON_EXTERNAL, chosen
        scripted = self._scripted.get(self.month_index, {}).get(code)
        if scripted is not None:
            return REASON_SCRIPTED, scripted
        return None

    # -- the month ---------------------------------------------------------------------------------
    def _record(self, t: int) -> None:
        row = self.history[t]
        if self._record_names is not None:
            for j, name in enumerate(self._record_names):
                row[j] = self.state[name]
            return
        for name, arr in self.state.items():
            row[INDEX[name]] = arr

    def step(self) -> None:
        """Advance every member by one month."""
        t = self.month_index
        if t >= self.months:
            self.running = False
            return
        event = bool(self._events.get(t))
        self.apply_events(t)
        self._record(t)
        self.red_lines_now = {}
        self.forced = {code: f for code in ACTOR_CLASSES if (f := self.forced_choice(code)) is not None}
        self.review = {code: actor.reviews(t, event) for code, actor in self.actors.items()}
        reviewing = [code for code, r in self.review.items()
                     if code not in self.forced and (r is True or (r is not False and r.any()))]
        self.possible = {code: possible_moves(code, self.state) for code in reviewing}
        # A move impossible in every world (a programme already at its most) is not projected.
        moves = {code: [j for j, ok in enumerate(self.possible[code].any(axis=1)) if ok] for code in reviewing}
        self.projection = project(self.state, self.params, t, reviewing, self.weight_shares, moves) if reviewing \
            else Projection({})
        self.agents.do("decide")
        self.red_lines_before = self.red_lines_now
        choices = {code: actor.choice for code, actor in self.actors.items()}
        shocks = {"war": self.rng_streams.shock(WAR_STREAM, t).astype(FLOAT)}
        new = resolve(self.state, choices, self.params, t, shocks)
        self.state = {name: new[name] for name in NAMES}
        for code, actor in self.actors.items():
            self.choice_history[code][t] = actor.choice
            self.reason_history[code][t] = actor.reason
            if self.advantage_history is not None:
                self.advantage_history[code][t] = actor.advantage
        self.month_index = t + 1
        if self.month_index == self.months:
            self._record(self.months)
            self.running = False

    def take_outputs(self) -> tuple[np.ndarray, dict, dict, dict]:
        """Hand over the outputs: (history, choice_history, reason_history, advantage_history).

        The model drops its own references, so the buffer holding them goes back to the
        pool (:mod:`sim.engine.memory`) as soon as the caller's last reference goes, not whenever
        the cyclic garbage collector gets to the model (its Mesa agents refer back to it).
        """
        out = self.history, self.choice_history, self.reason_history, self.advantage_history
        self.history = self.choice_history = self.reason_history = self.advantage_history = None
        return out

    def run_model(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Run to the horizon; ``progress(done, total)`` is called after each month."""
        while self.running:
            self.step()
            if progress:
                progress(self.month_index, self.months)

    def release(self, collect: bool | None = None) -> None:
        """Let the model's memory go once its results are taken.

        Mesa 3.3 keeps every model ever built as a key of the class attribute
        ``mesa.Agent._ids`` (per-model id counters), and a model and its agents refer to each
        other; without this, each run's history stays alive for the life of the process.
        """
        import gc

        self.remove_all_agents()
        self.actors = {}
        ids = getattr(mesa.Agent, "_ids", None)
        if isinstance(ids, dict):
            ids.pop(self, None)
        # Mesa's internals keep a few reference cycles to the model; a large model that still holds
        # its arrays is worth a collection now (~0.1 s) rather than whenever the collector next runs.
        # ``collect=False`` when the arrays were already taken (sim.run: take_outputs).
        if collect if collect is not None else self.n_members >= 2000:
            gc.collect()
