"""``PeninsulaModel``: the seven actors as Mesa agents in one vectorised ensemble.

A model holds ``members`` independent worlds in lockstep: every indicator is a NumPy array
with one entry per member. A month is one :meth:`PeninsulaModel.step`:

1. the scenario's events for the month apply;
2. every actor chooses at once from the state at the start of the month (simultaneous
   moves: :meth:`sim.actors.base.Actor.decide`, no activation order);
3. :func:`sim.world.resolve` resolves all choices together;
4. the month is recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache, reduce

import mesa
import numpy as np

from sim.actors import ACTOR_CLASSES
from sim.actors.base import REASON_EXTERNAL, REASON_SCRIPTED, Actor
from sim.indicators import FLOAT, INDEX, INDICATORS, NAMES
from sim.memory import tune_allocator, zeros_group
from sim.params import PARAMS
from sim.rng import MemberStreams, stream_id
from sim.scenario import Scenario, check_path, scenario_value
from sim.world import OPTION_INDEX, Plan, resolve, status_quo_plan

WAR_STREAM = stream_id("shock:war")

ExternalChoice = Callable[["PeninsulaModel"], "int | np.ndarray | None"]


@cache
def _status_quo_plan() -> Plan:
    """The status-quo resolve of a month: only what the actors' projections copy from it."""
    return status_quo_plan(k for cls in ACTOR_CLASSES.values() for k in cls.projection_plan().copy)


def sample_uncertainty(unc, streams: MemberStreams) -> np.ndarray:
    """Draw one value per member from an uncertainty's distribution (member-own streams)."""
    stream = stream_id(f"uncertainty:{unc.path}")
    u = streams.uniform(stream, np.array([0]))[0]
    if unc.dist == "uniform":
        return unc.low + (unc.high - unc.low) * u
    if unc.dist == "normal":
        return unc.mean + unc.sd * streams.normal(stream, 1)
    if unc.dist == "triangular":
        a, c, b = unc.low, unc.mode, unc.high
        f = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
        return np.where(u < f, left, right)
    values = np.asarray(unc.values, dtype=np.float64)
    return values[np.minimum((u * len(values)).astype(np.int64), len(values) - 1)]


def output_specs(members: int, months: int) -> list[tuple[tuple[int, ...], type]]:
    """Shapes and dtypes of a run's outputs: the history (months + 1, indicators, members), in
    the model's single precision; then for each actor its choices and reasons (months,
    members) and its advantages (months, interests, members)."""
    return ([((months + 1, len(NAMES), members), FLOAT)]
            + [((months, members), np.int8) for _ in ACTOR_CLASSES]
            + [((months, members), np.int8) for _ in ACTOR_CLASSES]
            + [((months, len(cls.interests), members), np.float32) for cls in ACTOR_CLASSES.values()])


class PeninsulaModel(mesa.Model):
    """A vectorised ensemble of Peninsula worlds.

    Args:
        scenario: the validated scenario.
        members: how many members (ids 0..N-1) or the list of member ids to run.
        seed: the run's seed (default: the scenario's). Member ``i`` draws only from its
            own stream, seeded from ``(seed, i)``.
        rng: Mesa's seed argument; used as ``seed`` when ``seed`` is not given (so that
            ``mesa.batch_run`` can drive the model).
        overrides: parameter path -> value or per-member array (a design table's columns),
            applied after the uncertainties.
        external: actor code -> callable(model) returning this month's option index (or
            array per member, or None to let the actor choose): choices from outside,
            e.g. a human player.
        outputs: arrays to record into, as :func:`output_specs` lists them (views of a
            larger run's arrays, members last, will do); default new zeroed arrays.
    """

    def __init__(self, scenario: Scenario, members: int | Sequence[int] = 1, seed: int | None = None, *,
                 rng: int | None = None, overrides: dict[str, float | np.ndarray] | None = None,
                 external: dict[str, ExternalChoice] | None = None,
                 outputs: Sequence[np.ndarray] | None = None) -> None:
        if seed is None:
            seed = scenario.seed if rng is None else int(rng)
        super().__init__(rng=int(seed))
        tune_allocator()  # large temporaries come from the heap (sim.memory); results do not change
        self.scenario = scenario
        self.seed = int(seed)
        ids = np.arange(members, dtype=np.int64) if isinstance(members, int | np.integer) else \
            np.asarray(list(members), dtype=np.int64)
        if ids.ndim != 1 or len(ids) == 0 or (ids < 0).any():
            raise ValueError("members must be a positive count or a non-empty list of non-negative ids")
        self.member_ids = ids
        self.n_members = len(ids)
        self.months = scenario.months
        self.month_index = 0
        self.rng_streams = MemberStreams(self.seed, ids, self.months)
        self.external: dict[str, ExternalChoice] = dict(external or {})

        self.actors: dict[str, Actor] = {code: cls(self) for code, cls in ACTOR_CLASSES.items()}
        self._build_params(overrides or {})
        self.state = {name: np.broadcast_to(np.asarray(self.params[f"initial.{name}"], dtype=FLOAT),
                                            (self.n_members,)).copy() for name in NAMES}
        self.last_choices = {code: np.full(self.n_members, OPTION_INDEX[code][cls.status_quo], dtype=np.int64)
                             for code, cls in ACTOR_CLASSES.items()}
        self._events = {}
        for ev in scenario.events:
            self._events.setdefault(scenario.month_index(ev.month), []).append(ev)
        self._scripted: dict[int, dict[str, int]] = {}
        for sp in scenario.scripted:
            if sp.months is not None:
                ks = [scenario.month_index(m) for m in sp.months]
            else:
                ks = range(scenario.month_index(sp.from_), scenario.month_index(sp.to) + 1)
            for k in ks:
                self._scripted.setdefault(k, {})[sp.actor] = OPTION_INDEX[sp.actor][sp.option]

        # The outputs, time-major so that recording a month writes contiguous rows. One
        # recycled buffer holds them all (sim.memory.zeros_group: the same zeros as np.zeros).
        specs = output_specs(self.n_members, self.months)
        if outputs is None:
            outputs = zeros_group(specs)
        elif [a.shape for a in outputs] != [shape for shape, _ in specs]:
            raise ValueError("outputs do not have the shapes of output_specs(members, months)")
        arrays = iter(outputs)
        self.history = next(arrays)
        self.choice_history = {c: next(arrays) for c in ACTOR_CLASSES}
        self.reason_history = {c: next(arrays) for c in ACTOR_CLASSES}
        self.advantage_history = {c: next(arrays) for c in ACTOR_CLASSES}
        self.running = True

    # -- parameters -----------------------------------------------------------------------------
    def _build_params(self, overrides: dict) -> None:
        sc = self.scenario
        values: dict[str, float | np.ndarray] = {}
        for name in PARAMS:
            values[f"params.{name}"] = scenario_value(sc, f"params.{name}")
        for name in NAMES:
            values[f"initial.{name}"] = scenario_value(sc, f"initial.{name}")
        for code, cls in ACTOR_CLASSES.items():
            values[f"{code}.unpredictability"] = scenario_value(sc, f"{code}.unpredictability")
            for i in cls.interests:
                values[f"{code}.weights.{i.name}"] = scenario_value(sc, f"{code}.weights.{i.name}")
        for unc in sc.uncertainties:
            values[unc.path] = sample_uncertainty(unc, self.rng_streams)
        for path, value in overrides.items():
            kind, name = check_path(path)
            key = path if kind != "initial" else f"initial.{name}"
            arr = np.asarray(value, dtype=np.float64)
            if arr.ndim == 1 and len(arr) != self.n_members:
                raise ValueError(f"override {path}: {len(arr)} values for {self.n_members} members")
            values[key] = arr if arr.ndim else float(arr)
        for key, value in list(values.items()):  # keep values inside their valid ranges
            if isinstance(value, np.ndarray):
                name = key[len("initial."):] if key.startswith("initial.") else None
                lo, hi = ((INDICATORS[name].low, INDICATORS[name].high) if name else
                          (PARAMS[key[7:]].low, PARAMS[key[7:]].high) if key.startswith("params.") else (0.0, None))
                values[key] = np.clip(value, lo if lo is not None else -np.inf,
                                      hi if hi is not None else np.inf).astype(FLOAT)
        self.param_values = values
        self.params = {k[len("params."):]: v for k, v in values.items() if k.startswith("params.")}
        self.params.update({k: v for k, v in values.items() if k.startswith("initial.relations.")})
        self.params.update({k: v for k, v in values.items() if k.startswith("initial.")})
        self._refresh_actor_params()

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
        """Schedule an event (a :class:`sim.scenario.Event`) at month index ``t``, after those already
        there: e.g. an instructor's inject released during a game."""
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
        """What-ifs on the month about to be played that leave the model as it was: inside, apply
        events, resolve, score; on exit the state, the parameters and the status quo come back."""
        saved = (self.state, self.param_values, self.params, getattr(self, "status_quo", None))
        self.state, self.param_values, self.params = dict(self.state), dict(self.param_values), dict(self.params)
        try:
            yield self
        finally:
            self.state, self.param_values, self.params, self.status_quo = saved
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
        for name, arr in self.state.items():
            row[INDEX[name]] = arr

    def step(self) -> None:
        """Advance every member by one month."""
        t = self.month_index
        if t >= self.months:
            self.running = False
            return
        self.apply_events(t)
        self._record(t)
        self.status_quo = resolve(self.state, self.last_choices, self.params, t, None, plan=_status_quo_plan())
        self.agents.do("decide")
        choices = {code: actor.choice for code, actor in self.actors.items()}
        shocks = {"war": self.rng_streams.shock(WAR_STREAM, t).astype(FLOAT)}
        new = resolve(self.state, choices, self.params, t, shocks)
        self.state = {name: new[name] for name in NAMES}
        for code, actor in self.actors.items():
            self.choice_history[code][t] = actor.choice
            self.reason_history[code][t] = actor.reason
            self.advantage_history[code][t] = actor.advantage
        self.last_choices = choices
        self.month_index = t + 1
        if self.month_index == self.months:
            self._record(self.months)
            self.running = False

    def take_outputs(self) -> tuple[np.ndarray, dict, dict, dict]:
        """Hand over the outputs: (history, choice_history, reason_history, advantage_history).

        The model drops its own references, so the buffer holding them goes back to the
        pool (:mod:`sim.memory`) as soon as the caller's last reference goes, not whenever
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
