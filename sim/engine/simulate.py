"""The engine's door: :func:`simulate` runs a whole horizon, :class:`Simulation` one month at a time.

:func:`simulate` runs a :class:`~sim.engine.setup.Setup` to its horizon, and
:class:`Simulation` steps one month at a time (the game and the classroom).

Nothing outside :mod:`sim.engine` builds a model, calls the world's rules or the choosing
rule: it builds a Setup and comes through here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from sim.actors import ACTOR_CLASSES
from sim.engine.choose import move_costs, possible_moves, project, score_moves, why_impossible
from sim.engine.memory import tune_allocator, zeros_group
from sim.engine.model import PeninsulaModel, output_specs
from sim.engine.results import Results
from sim.engine.rules import OPTION_INDEX, resolve
from sim.engine.setup import Setup
from sim.errors import PeninsulaError
from sim.indicators import NAMES
from sim.scenario import Event, Scenario

CHUNK_MEMBERS = 10_000
"""Members per vectorised pass; larger runs go chunk by chunk (results do not change). The one
chunk size of every run and batch: a pass holds its whole history, (months + 1) x indicators x
members in single precision, 78 MB for 10,000 members over 36 months, plus temporaries. Measured
on one core, 10,000 members of the baseline took 0.27 s in one pass and 0.34 s in two of 5,000;
a larger chunk was no faster."""


def check_finite(history: np.ndarray, setup: Setup, first: int = 0, month0: int = 0,
                 names: Sequence[str] | None = None) -> None:
    """Stop a run whose history holds a NaN or an infinity, naming the indicator and the month.

    ``history``: (months, indicators, members) of the setup's members ``first`` onwards, its
    first row month ``month0``. The scenario checks keep every value finite; this is the
    last guard, so that a run never hands on (and the CLI never writes) a non-finite value.
    Two passes of min and max (a NaN or an infinity carries into both): 5 ms for 10,000
    members over 36 months, against about a second for the run. ``names``: the indicators of
    ``history``'s rows where it holds only some (:func:`simulate_history`); default all, in order.
    """
    if history.size == 0 or (np.isfinite(history.min()) and np.isfinite(history.max())):
        return
    bad = ~np.isfinite(history)
    t = int(bad.any(axis=(1, 2)).argmax())
    i = int(bad[t].any(axis=1).argmax())
    j = int(bad[t, i].argmax())
    sc = setup.scenario
    month = sc.dates()[month0 + t] if month0 + t <= sc.months else str(month0 + t)
    value = float(history[t, i, j])
    raise PeninsulaError(
        f"the run went wrong: {(names or NAMES)[i]} became {value} in month {month} (member {int(setup.member_ids[first + j])}) "
        "and the run was stopped, nothing written; a value in the scenario is too extreme for the model, or this "
        "is a bug in the model (please report it with the scenario)", file=sc.source or sc.name)


Choice = int | np.ndarray | None
"""A choice from outside: an option index for every member, one per member, or None (the rule's)."""


def simulate(setup: Setup, members: slice | None = None, *, chunk_size: int | None = None,
             progress: Callable[[int, int], None] | None = None) -> Results:
    """Run a setup to its horizon: the one run loop.

    Args:
        setup: the resolved scenario and members (:meth:`Setup.build`).
        members: the positions of the setup's members to run (a slice); default all.
        chunk_size: members per vectorised pass (default :data:`CHUNK_MEMBERS`; results do not change).
        progress: called with (member-months done, member-months in all).

    Returns:
        :class:`Results` for those members, in the setup's order.
    """
    setup, outputs = _run(setup, members, chunk_size, progress, None)
    a = len(ACTOR_CLASSES)
    history, arrays = outputs[0], outputs[1:]
    choice, reason, adv = ({code: x for code, x in zip(ACTOR_CLASSES, arrays[j * a:(j + 1) * a], strict=True)}
                           for j in range(3))
    return Results(scenario=setup.scenario, seed=setup.seed, member_ids=setup.member_ids, history=history,
                   choice_index=choice, reason_index=reason, advantage=adv, settings=dict(setup.settings))


def simulate_history(setup: Setup, indicators: Sequence[str], members: slice | None = None, *,
                     chunk_size: int | None = None) -> np.ndarray:
    """Run a setup to its horizon keeping only some indicators' history: (months + 1, indicators, members).

    The same run as :func:`simulate` (the same numbers, bit for bit), for a batch that needs a few
    outcomes: it holds a quarter of the memory (no full history, no advantages).
    """
    names = tuple(indicators)
    unknown = [n for n in names if n not in NAMES]
    if unknown:
        raise ValueError(f"unknown indicators {unknown}")
    return _run(setup, members, chunk_size, None, names)[1][0]


def _run(setup: Setup, members: slice | None, chunk_size: int | None,
         progress: Callable[[int, int], None] | None, record: tuple[str, ...] | None) -> tuple[Setup, list]:
    """The loop of :func:`simulate` and :func:`simulate_history`: (the setup run, its outputs)."""
    if members is not None:
        start, stop, step = members.indices(setup.members)
        if step != 1:
            raise ValueError("members must be a contiguous slice")
        setup = setup.chunk(start, stop)
    chunk = max(1, chunk_size or CHUNK_MEMBERS)
    months = setup.scenario.months
    n = setup.members
    total = n * months
    tune_allocator()
    # Every chunk records straight into its members' columns of the run's outputs (one
    # recycled buffer, sim.engine.memory): no chunk keeps arrays of its own, nothing is concatenated.
    outputs = zeros_group(output_specs(n, months, record))
    done = 0
    for start in range(0, n, chunk):
        part = setup.chunk(start, start + chunk) if n > chunk else setup
        k = part.members
        model = PeninsulaModel(part, outputs=[a[..., start:start + k] for a in outputs], record=record)

        def tick(month, _months, _k=k, _base=done):
            if progress:
                progress(_base + month * _k, total)

        model.run_model(tick)
        model.take_outputs()  # the model lets go of them (see PeninsulaModel.take_outputs)
        model.release(collect=False)  # what is left is small: no garbage-collection pass
        check_finite(outputs[0][..., start:start + k], setup, start, names=record)
        done += k * months
    return setup, outputs


@dataclass(frozen=True)
class Scorecard:
    """What the choosing rule makes of an actor's moves this month, in every member.

    Attributes:
        actor: the actor's code.
        month: the month index it is about to play.
        options: the move names, in order (``keep`` first).
        interests: the interest names, in order.
        contributions: (interests, moves, members): each interest's utility over the look-ahead
            (discounted, with the terminal value) times its share of the weight.
        score: (moves, members): the sum over interests less the switching cost.
        best: (members,): the best possible move's index (the first on ties), before any noise.
        cost: (moves, members): what each move costs before its value (0 for ``keep``).
        possible: (moves, members): where each move is possible (its requirement met).
    """

    actor: str
    month: int
    options: tuple[str, ...]
    interests: tuple[str, ...]
    contributions: np.ndarray
    score: np.ndarray
    best: np.ndarray
    cost: np.ndarray
    possible: np.ndarray


class Simulation:
    """A run that advances one month at a time, with choices from outside (the game, the classroom).

    Args:
        setup: the resolved scenario and members (:meth:`Setup.build`).
    """

    def __init__(self, setup: Setup) -> None:
        """Start the worlds at the scenario's first month."""
        self.setup = setup
        self._choices: dict[str, Choice] = {}
        self._model = PeninsulaModel(setup, external={code: self._outside(code) for code in ACTOR_CLASSES})

    def _outside(self, code: str):
        def choose(model: PeninsulaModel) -> Choice:
            return self._choices.get(code)

        return choose

    # -- where the run stands ----------------------------------------------------------------
    @property
    def month(self) -> int:
        """The index of the month about to be played (0 for the first)."""
        return self._model.month_index

    @property
    def months(self) -> int:
        """The horizon, in months."""
        return self._model.months

    @property
    def finished(self) -> bool:
        """Whether every month has been played."""
        return self.month >= self.months

    @property
    def members(self) -> int:
        """How many members."""
        return self._model.n_members

    @property
    def params(self) -> Mapping[str, float | np.ndarray]:
        """The world's parameters as they stand now (events may have changed them)."""
        return self._model.params

    def weights(self, actor: str) -> tuple[list[np.ndarray], np.ndarray]:
        """An actor's interest weights as they stand now (one array each), and their total."""
        m = self._model
        return m.weights[actor], m.weight_totals[actor]

    # -- moves ----------------------------------------------------------------------------------
    def step(self, choices: Mapping[str, Choice | str] | None = None) -> None:
        """Play one month.

        ``choices``: actor -> option (index, name, or per-member indices); the actors left out,
        or given None, choose by the rule (or the scenario's script).
        """
        if self.finished:
            raise ValueError("the run is at its horizon")
        picked = {}
        for code, option in (choices or {}).items():
            picked[code] = OPTION_INDEX[code][option] if isinstance(option, str) else option
        self._choices = picked
        try:
            self._model.step()
        finally:
            self._choices = {}
        m = self._model
        if not all(np.isfinite(a).all() for a in m.state.values()):
            row = np.stack([np.broadcast_to(np.asarray(m.state[n], dtype=np.float64), (m.n_members,))
                            for n in NAMES])
            check_finite(row[None], self.setup, 0, m.month_index)

    def add_event(self, month: int, event: Event) -> None:
        """Schedule an event at a month index, after those already there (an instructor's inject)."""
        self._model.add_event(month, event)

    def advise(self, actor: str) -> Scorecard:
        """The choosing rule's scorecard of an actor's moves for the month about to be played.

        The month's events applied, each move projected over the look-ahead, the others keeping
        their postures. Nothing in the run changes.
        """
        m = self._model
        t = m.month_index
        with m.preview():
            m.apply_events(t)
            contrib = project(m.state, m.params, t, [actor], m.weight_shares).contributions[actor]
            possible = possible_moves(actor, m.state)
            score, best = score_moves(actor, contrib, m.params, possible)
            cost = np.broadcast_to(move_costs(actor, m.params), score.shape).copy()
        cls = ACTOR_CLASSES[actor]
        return Scorecard(actor, t, cls.option_names(), cls.interest_names(), contrib, score, best, cost, possible)

    def possible(self, actor: str) -> np.ndarray:
        """Where each of ``actor``'s moves is possible this month: bool (moves, members), no look-ahead run.

        The month's events applied; nothing in the run changes.
        """
        m = self._model
        with m.preview():
            m.apply_events(m.month_index)
            return possible_moves(actor, m.state)

    def impossible(self, actor: str) -> dict[str, str]:
        """The moves ``actor`` cannot make this month, with the reason, as seen in the first world.

        Move name -> reason ("needs space capability 0.5; it is 0.20"). The month's events
        applied; nothing in the run changes. (Whether a move is possible can differ between
        worlds; :attr:`Scorecard.possible` has it world by world.)
        """
        m = self._model
        with m.preview():
            m.apply_events(m.month_index)
            first = {name: float(np.asarray(v).reshape(-1)[0]) for name, v in m.state.items()}
        out = {}
        for name in ACTOR_CLASSES[actor].option_names():
            why = why_impossible(actor, name, first)
            if why is not None:
                out[name] = why
        return out

    def preview(self, actor: str, option: int | str) -> dict[str, np.ndarray]:
        """The state at the start of next month if ``actor`` makes the move ``option`` now: indicator -> (members,).

        The others keep their postures; no random shock.
        """
        m = self._model
        t = m.month_index
        k = OPTION_INDEX[actor][option] if isinstance(option, str) else int(option)
        with m.preview():
            m.apply_events(t)
            choices = {code: np.zeros(m.n_members, dtype=np.int64) for code in ACTOR_CLASSES}
            choices[actor] = np.full(m.n_members, k, dtype=np.int64)
            new = resolve(m.state, choices, m.params, t, None)
        return {name: new[name] for name in NAMES}

    # -- what happened ---------------------------------------------------------------------------
    def results(self, scenario: Scenario | None = None) -> Results:
        """Results of the months played so far (the last row of the history is the state now).

        ``scenario`` describes those months (default the setup's; a game passes one whose
        horizon is the months played).
        """
        m = self._model
        t = m.month_index
        history = np.empty((t + 1, len(NAMES), m.n_members), dtype=m.history.dtype)
        history[:t] = m.history[:t]
        history[t] = np.stack([m.state[n] for n in NAMES]) if t < m.months else m.history[t]
        return Results(scenario=scenario or self.setup.scenario, seed=m.seed, member_ids=m.member_ids.copy(),
                       history=history,
                       choice_index={c: a[:t].copy() for c, a in m.choice_history.items()},
                       reason_index={c: a[:t].copy() for c, a in m.reason_history.items()},
                       advantage={c: a[:t].copy() for c, a in m.advantage_history.items()},
                       settings=dict(self.setup.settings))
