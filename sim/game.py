"""The teaching game: play a state against the model, turn by turn, over an ensemble of worlds.

A :class:`Game` runs an exercise (:mod:`sim.exercise`) on ``members`` worlds in lockstep.
The player's choice for a turn enters the engine through
:class:`~sim.model.PeninsulaModel`'s ``external`` mechanism, exactly where the model's own
choice would (``forced_choice``), and holds for every month of the turn in every world; the
other actors play by the model's rule. The debrief compares the player's outcome with the
model's own play of the same actor in the same worlds (common random numbers: same seed,
members and injects at the same months).

API (for the terminal game in :mod:`sim.play_cli`, the classroom in :mod:`sim.classroom`
and the dashboard's Play page)::

    from sim.game import Game
    game = Game("pyongyang_bargain", role="DPRK", members=200, seed=42)
    game.turn, game.turns, game.finished     # turn index (from 0), number of turns, over?
    game.options()                           # tuple[OptionInfo]: name, description, cited claims
    game.view()                              # TurnView: your state and the world (medians and
                                             #   10-90% bands so far), what the others did last
                                             #   turn and why, the news, advice if the advisor is on
    game.advisor()                           # Advice: the model's scorecard of each option now
    game.release("ceasefire_talks")          # an instructor inject: takes effect at the start
                                             #   of the turn about to be played
    game.play("export_munitions")            # one turn (name or index; None = the model's rule)
    game.play({"DPRK": "hold", "CHN": None}) # several roles at once (a classroom)
    game.results()                           # sim.Results of the months played so far
    debrief = game.debrief()                 # Debrief: you against the model, world by world
    debrief.sentences("DPRK"); debrief.to_html(); debrief.write("report/")
    record = game.record()                   # GameRecord: all that is needed to rebuild the game
    Game.replay(record)                      # the same game, recomputed (bit-identical)

Scoring (documented choice): an interest's score for the game is its average over the
months played, each month's value computed by the actor's ``Interest.score`` on the state
recorded for that month (months 1..T), with the parameters as they stand at the end. The
average rewards the whole game, not a last-turn grab. The overall score weighs the
interests as the scenario weighs them (the actor's own objective). A world counts as
*better* when the player's score beats the model's by more than 1e-9, *worse* when it
falls short by more, and *tied* otherwise (the same choices give exactly the same world).

The counterfactual for a role is the same game (same worlds, same injects at the same
months, other players' recorded choices) with that role playing by the model's rule.
"""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.actors import ACTOR_CLASSES
from sim.actors.base import REASON_LABELS, first_argmax
from sim.errors import PeninsulaError
from sim.exercise import Exercise, load_exercise
from sim.indicators import ACTOR_NAMES, INDEX, INDICATORS, KEY_INDICATORS, NAMES, format_value
from sim.model import PeninsulaModel
from sim.results import Results
from sim.scenario import Scenario
from sim.world import OPTION_INDEX, resolve

EPS = 1e-9
"""Score differences within this are ties."""

MAX_MEMBERS = 100_000


class GameError(PeninsulaError):
    """A move the game cannot make: an unknown option or inject, a game that is over, ..."""


def instructor_inject(ex: Exercise, inject_id: str):
    """The inject an instructor may release; GameError if there is none by that id, or it comes on its own."""
    try:
        inj = ex.inject(inject_id)
    except KeyError:
        known = ", ".join(i.id for i in ex.injects if i.release) or "none"
        raise GameError(f"no inject {inject_id!r} in this exercise; the instructor's injects: {known}",
                        field="inject") from None
    if inj.release is None:
        raise GameError(f"the inject {inject_id!r} comes on its own in {inj.month}; only injects marked "
                        "'release: instructor' can be released", field="inject")
    return inj


# --------------------------------------------------------------------------------------------
# What the player sees


@dataclass(frozen=True)
class ClaimRef:
    """A claim from ``seeds/evidence.yaml`` that an option cites."""

    id: str
    quote: str
    source: str


@dataclass(frozen=True)
class OptionInfo:
    """One option of a role: its index, name, label, description and cited claims."""

    index: int
    name: str
    label: str
    description: str
    claims: tuple[ClaimRef, ...]


@dataclass(frozen=True)
class Band:
    """An indicator (or interest score) across the worlds: median and 10-90% band now.

    ``series`` gives the same month by month so far: one (median, p10, p90) per month from the start.
    """

    name: str
    unit: str
    description: str
    median: float
    p10: float
    p90: float
    series: tuple[tuple[float, float, float], ...]

    @property
    def text(self) -> str:
        return (f"{format_value(self.median, self.unit)} (10-90%: {format_value(self.p10, self.unit)} to "
                f"{format_value(self.p90, self.unit)})")


@dataclass(frozen=True)
class Move:
    """What another actor did in the last turn, across the worlds.

    ``shares``: option -> share of worlds in which it was the actor's main choice of the turn
    (the option it took most often; ties go to the later month). ``reasons``: option -> the
    most common reason for it (an interest, 'unpredictability', 'scripted' or 'player').
    ``ever``: option -> share of worlds in which the actor took it at least once so far.
    """

    actor: str
    title: str
    shares: dict[str, float]
    reasons: dict[str, str]
    ever: dict[str, float]
    sentence: str


@dataclass(frozen=True)
class OptionAdvice:
    """The model's scorecard for one option (means over the worlds)."""

    option: str
    label: str
    score: float
    best_share: float
    by_interest: dict[str, float]


@dataclass(frozen=True)
class Advice:
    """What the model's own rule makes of each option at the start of this turn.

    Scores are those of the rule (weighted interests of the projected next month, in
    [0, 1]); ``best_share`` is the share of worlds in which the option scores best (before
    the rule's small random noise).
    """

    role: str
    month: str
    options: tuple[OptionAdvice, ...]
    pick: str
    sentence: str


@dataclass(frozen=True)
class TurnView:
    """What a player of ``role`` sees before a turn (or at the end)."""

    role: str
    title: str
    turn: int
    turns: int
    finished: bool
    months: str
    own: tuple[Band, ...]
    world: tuple[Band, ...]
    interests: tuple[Band, ...]
    others: tuple[Move, ...]
    news: tuple[str, ...]
    choices: tuple[tuple[int, str | None], ...]
    advice: Advice | None
    sentences: tuple[str, ...]

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass
class GameRecord:
    """Everything needed to rebuild a game: what a classroom stores.

    ``choices``: one mapping per played turn, role -> option name (None: the model's rule).
    ``releases``: (inject id, turn index at whose start it took effect), in release order.
    """

    exercise: dict
    roles: list[str]
    members: int
    seed: int
    advisor: bool = False
    choices: list[dict[str, str | None]] = field(default_factory=list)
    releases: list[tuple[str, int]] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> GameRecord:
        data = json.loads(text)
        data["releases"] = [tuple(r) for r in data.get("releases", [])]
        return cls(**data)


# --------------------------------------------------------------------------------------------
# Helpers


_WORDS = {"dprk": "DPRK", "us": "US", "un": "UN", "china": "China", "moscow": "Moscow", "pyongyang": "Pyongyang",
          "ukraine": "Ukraine", "russia": "Russia"}


def label(name: str) -> str:
    """``seek_china_trade`` -> ``seek China trade``."""
    return " ".join(_WORDS.get(w, w) for w in name.split("_"))


def option_name(role: str, option: str | int) -> str:
    """An option of a role given by index or name (case, spaces and hyphens forgiven) -> its name.

    Raises:
        GameError: the role has no such option.
    """
    names = ACTOR_CLASSES[role].option_names()
    if isinstance(option, int | np.integer) and not isinstance(option, bool):
        if 0 <= option < len(names):
            return names[int(option)]
    elif isinstance(option, str):
        key = option.strip().lower().replace(" ", "_").replace("-", "_")
        if key in names:
            return key
    raise GameError(f"{role} has no option {option!r}; its options: {', '.join(names)}", field="option")


def _reason_labels(code: str) -> list[str]:
    cls = ACTOR_CLASSES[code]
    return list(cls.interest_names()) + [REASON_LABELS[c] for c in (-3, -2, -1)]


def _why(reason: str) -> str:
    return {"unpredictability": "a close call", "scripted": "scripted by the scenario",
            "player": "a player's choice"}.get(reason, f"for its {label(reason)}")


def _claim_refs(ids: Sequence[str]) -> tuple[ClaimRef, ...]:
    from sim.evidence import load_claims

    claims = load_claims()
    return tuple(ClaimRef(cid, claims[cid].quote if cid in claims else "", claims[cid].source if cid in claims else "")
                 for cid in ids)


def _results_of(model: PeninsulaModel, scenario: Scenario, months: int) -> Results:
    """Results of a model's first ``months`` months (row ``months`` is the state now)."""
    t = months
    history = np.empty((t + 1, len(NAMES), model.n_members), dtype=model.history.dtype)
    history[:t] = model.history[:t]
    history[t] = np.stack([model.state[n] for n in NAMES]) if t == model.month_index else model.history[t]
    return Results(scenario=scenario, seed=model.seed, member_ids=model.member_ids.copy(), history=history,
                   choice_index={c: a[:t].copy() for c, a in model.choice_history.items()},
                   reason_index={c: a[:t].copy() for c, a in model.reason_history.items()},
                   advantage={c: a[:t].copy() for c, a in model.advantage_history.items()}, settings={})


def interest_series(code: str, history: np.ndarray, params: dict) -> dict[str, np.ndarray]:
    """Each interest of an actor scored on every recorded state: name -> array (rows, members).

    ``history`` is (rows, indicators, members) as in :attr:`sim.Results.history`.
    """
    rows, _, m = history.shape
    state = {name: history[:, INDEX[name], :] for name in NAMES}
    out = {}
    for it in ACTOR_CLASSES[code].interests:
        out[it.name] = np.broadcast_to(np.asarray(it.score(state, params), dtype=np.float64), (rows, m)).copy()
    return out


def _overall(code: str, series: dict[str, np.ndarray], model: PeninsulaModel) -> np.ndarray:
    cls = ACTOR_CLASSES[code]
    total = np.ravel(model.weight_totals[code])
    acc = np.zeros_like(next(iter(series.values())))
    for it, w in zip(cls.interests, model.weights[code], strict=True):
        acc = acc + np.ravel(w) * series[it.name]
    return acc / total


def _main_choice(choices: np.ndarray, n_options: int) -> np.ndarray:
    """Per member, the option taken most often in a block of months (ties: the later month)."""
    counts = np.stack([(choices == k).sum(axis=0) + 0.5 * (choices[-1] == k) for k in range(n_options)])
    return first_argmax(counts)


def _most_common(values: np.ndarray, n: int) -> int:
    return int(np.argmax(np.bincount(values, minlength=n)))


# --------------------------------------------------------------------------------------------
# The game


class Game:
    """One exercise played on an ensemble, turn by turn.

    Args:
        exercise: an :class:`Exercise`, the path or bundled name of an exercise file, or
            :meth:`Exercise.to_dict` data.
        role: the role (actor code) the player takes, or several (a classroom); default all
            the exercise's roles (a role with no choice in a turn plays by the model's rule).
        members: worlds in the ensemble (default the exercise's, 200).
        seed: default the exercise's seed, else its scenario's.
        advisor: whether :meth:`view` includes the model's scorecard (default the exercise's).
    """

    def __init__(self, exercise: Exercise | str | Path | dict, role: str | Sequence[str] | None = None, *,
                 members: int | None = None, seed: int | None = None, advisor: bool | None = None) -> None:
        if isinstance(exercise, dict):
            exercise = Exercise.from_dict(exercise)
        elif not isinstance(exercise, Exercise):
            exercise = load_exercise(exercise)
        self.exercise = ex = exercise
        roles = list(ex.roles) if role is None else [role] if isinstance(role, str) else list(role)
        if not roles:
            raise GameError("name at least one role", field="role")
        for r in roles:
            if r not in ex.roles:
                raise GameError(f"{r!r} is not a role in '{ex.name}'; its roles: {', '.join(ex.roles)}", field="role")
        if len(set(roles)) != len(roles):
            raise GameError("a role is named twice", field="role")
        self.roles: tuple[str, ...] = tuple(roles)
        members = ex.members if members is None else members
        if isinstance(members, bool) or not isinstance(members, int | np.integer) or not 1 <= members <= MAX_MEMBERS:
            raise GameError(f"members must be a whole number from 1 to {MAX_MEMBERS:,}, got {members!r}",
                            field="members")
        self.members = int(members)
        seed = (ex.seed if ex.seed is not None else ex.scenario.seed) if seed is None else seed
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not 0 <= seed < 2**63:
            raise GameError(f"the seed must be a non-negative integer below 2**63, got {seed!r}", field="seed")
        self.seed = int(seed)
        self.advisor_on = ex.advisor if advisor is None else bool(advisor)
        self._released: list[tuple[str, int]] = []
        self._choices: list[dict[str, str | None]] = []
        self._current: dict[str, int | None] = {}
        self._cache: dict[tuple, Any] = {}
        self.model = PeninsulaModel(ex.game_scenario(), self.members, self.seed,
                                    external={r: self._external(r) for r in self.roles})

    def _external(self, role: str):
        def choose(model: PeninsulaModel) -> int | None:
            return self._current.get(role)

        return choose

    # -- state ---------------------------------------------------------------------------------
    @property
    def turn(self) -> int:
        """Index of the turn about to be played (0 for the first); equals turns when over."""
        return len(self._choices)

    @property
    def turns(self) -> int:
        return self.exercise.turns

    @property
    def finished(self) -> bool:
        return self.turn >= self.turns

    @property
    def months_played(self) -> int:
        return self.model.month_index

    @property
    def released(self) -> tuple[tuple[str, int], ...]:
        """Injects released so far: (id, turn index at whose start they take effect)."""
        return tuple(self._released)

    @property
    def scenario(self) -> Scenario:
        """The scenario this game runs: the game's months, with the injects released so far as events."""
        return self.exercise.game_scenario(self._released)

    def role_of(self, role: str | None) -> str:
        if role is None:
            if len(self.roles) != 1:
                raise GameError(f"this game has several roles ({', '.join(self.roles)}); name one", field="role")
            return self.roles[0]
        if role not in self.roles:
            raise GameError(f"{role!r} is not played in this game; played: {', '.join(self.roles)}", field="role")
        return role

    def options(self, role: str | None = None) -> tuple[OptionInfo, ...]:
        """The role's options, with descriptions and the claims they cite."""
        cls = ACTOR_CLASSES[self.role_of(role)]
        return tuple(OptionInfo(i, o.name, label(o.name), o.description, _claim_refs(o.claims))
                     for i, o in enumerate(cls.options))

    def option_name(self, role: str, option: str | int | None) -> str | None:
        """Normalise a choice: an index or a name (case and spaces forgiven) -> the option's name."""
        return None if option is None else option_name(role, option)

    # -- moves -----------------------------------------------------------------------------------
    def play(self, option: str | int | None | Mapping[str, str | int | None] = None) -> None:
        """Play one turn: the role's option holds for every month of the turn, in every world.

        The option is a name or an index; None leaves it to the model's rule. With several
        roles, give a mapping role -> option (roles left out play by the rule).
        """
        if self.finished:
            raise GameError(f"the game is over: all {self.turns} turns are played; see the debrief")
        if isinstance(option, Mapping):
            unknown = [r for r in option if r not in self.roles]
            if unknown:
                raise GameError(f"{unknown[0]!r} is not played in this game; played: {', '.join(self.roles)}",
                                field="role")
            wanted = {r: option.get(r) for r in self.roles}
        else:
            wanted = {self.role_of(None): option}
            wanted.update({r: None for r in self.roles if r not in wanted})
        chosen = {r: self.option_name(r, o) for r, o in wanted.items()}
        self._current = {r: (None if n is None else OPTION_INDEX[r][n]) for r, n in chosen.items()}
        try:
            for _ in range(self.exercise.turn_months):
                self.model.step()
        finally:
            self._current = {}
        self._choices.append(chosen)
        self._cache.clear()

    def release(self, inject_id: str) -> None:
        """Release an instructor inject: it takes effect at the start of the turn about to be played."""
        ex = self.exercise
        inj = instructor_inject(ex, inject_id)
        if any(i == inject_id for i, _ in self._released):
            turn = next(t for i, t in self._released if i == inject_id)
            raise GameError(f"the inject {inject_id!r} was already released (turn {turn + 1})", field="inject")
        if self.finished:
            raise GameError("the game is over: nothing more can be released")
        k = ex.turn_start(self.turn)
        # The model applies a month's events at the start of that month: a released inject
        # joins the events of the coming turn's first month (after the scheduled ones).
        self.model.add_event(k, inj.event(ex.month_label(k)))
        self._released.append((inject_id, self.turn))
        self._cache.clear()

    # -- records -----------------------------------------------------------------------------------
    def record(self) -> GameRecord:
        """What rebuilds this game with :meth:`replay`."""
        return GameRecord(exercise=self.exercise.to_dict(), roles=list(self.roles), members=self.members,
                          seed=self.seed, advisor=self.advisor_on, choices=[dict(c) for c in self._choices],
                          releases=[tuple(r) for r in self._released])

    @classmethod
    def replay(cls, record: GameRecord) -> Game:
        """Rebuild a game from its record: the same worlds, bit for bit."""
        game = cls(record.exercise, record.roles, members=record.members, seed=record.seed, advisor=record.advisor)
        game.advance_to(record)
        return game

    def advance_to(self, record: GameRecord) -> None:
        """Catch up with a record that continues this game (more turns, more releases).

        Raises:
            GameError: if the record does not continue this game.
        """
        n = len(self._choices)
        mine = [tuple(r) for r in self._released]
        theirs = [tuple(r) for r in record.releases]
        if (record.roles != list(self.roles) or record.members != self.members or record.seed != self.seed
                or [dict(c) for c in record.choices[:n]] != self._choices or theirs[:len(mine)] != mine):
            raise GameError("the record does not continue this game")
        if len(record.choices) > self.turns:
            raise GameError(f"the record has {len(record.choices)} turns; the exercise has {self.turns}")
        if any(t > len(record.choices) for _, t in theirs) or [t for _, t in theirs] != sorted(t for _, t in theirs):
            raise GameError("the record's releases are not in turn order")
        pending = theirs[len(mine):]
        for turn in range(n, len(record.choices) + 1):
            while pending and pending[0][1] == turn:
                self.release(pending.pop(0)[0])
            if turn < len(record.choices):
                self.play(dict(record.choices[turn]))
        if pending:
            raise GameError("the record releases an inject before a turn that was already played")

    # -- what the player sees ---------------------------------------------------------------------
    def results(self) -> Results:
        """:class:`sim.Results` of the months played so far (the last row is the state now)."""
        t = self.months_played
        return _results_of(self.model, self.exercise.game_scenario(self._released, months=t), t)

    def advisor(self, role: str | None = None) -> Advice:
        """The model's own scorecard of the role's options at the start of this turn.

        The same computation as the rule's (:meth:`sim.actors.base.Actor.scorecard`): the
        coming month's events applied, each option projected one month ahead with the others
        repeating last month's choice. Nothing in the game changes.
        """
        role = self.role_of(role)
        if self.finished:
            raise GameError("the game is over: there is nothing more to advise")
        key = ("advice", role, self.turn, len(self._released))
        if key in self._cache:
            return self._cache[key]
        m = self.model
        t = m.month_index
        with m.preview():
            m.apply_events(t)
            m.status_quo = resolve(m.state, m.last_choices, m.params, t, None)
            contrib = m.actors[role].scorecard()
        cls = ACTOR_CLASSES[role]
        score = sum(contrib[1:], contrib[0].copy())
        best = first_argmax(score)
        opts = []
        for k, o in enumerate(cls.options):
            opts.append(OptionAdvice(o.name, label(o.name), float(score[k].mean()), float((best == k).mean()),
                                     {it.name: float(c[k].mean()) for it, c in zip(cls.interests, contrib,
                                                                                      strict=True)}))
        ranked = sorted(opts, key=lambda a: (-a.best_share, -a.score))
        pick = ranked[0]
        runner = max((a for a in opts if a.option != pick.option), key=lambda a: a.score, default=None)
        sentence = (f"The model's {ACTOR_NAMES[role]} would {pick.label} in {pick.best_share:.0%} of worlds "
                    f"(average score {pick.score:.3f}"
                    + (f"; next best {runner.label}, {runner.score:.3f})." if runner else ")."))
        advice = Advice(role, self.exercise.month_label(t), tuple(opts), pick.option, sentence)
        self._cache[key] = advice
        return advice

    def view(self, role: str | None = None, *, advice: bool | None = None) -> TurnView:
        """What the player of ``role`` sees now: see :class:`TurnView`.

        Args:
            role: the role (default: the game's only role).
            advice: include the advisor's scorecard (default: the game's advisor setting).
        """
        role = self.role_of(role)
        ex = self.exercise
        t = self.months_played
        res = self.results()
        hist = res.history
        own_names = [n for n in NAMES if n.startswith(f"{role}.")]
        world_names = [n for n in KEY_INDICATORS if not n.startswith(f"{role}.")]

        def bands(names):
            idx = [INDEX[n] for n in names]
            q = np.percentile(hist[:, idx, :], [10, 50, 90], axis=2)  # (3, t + 1, k)
            return tuple(Band(n, INDICATORS[n].unit, INDICATORS[n].description, float(q[1, -1, j]),
                              float(q[0, -1, j]), float(q[2, -1, j]),
                              tuple((float(q[1, s, j]), float(q[0, s, j]), float(q[2, s, j])) for s in range(t + 1)))
                         for j, n in enumerate(names))

        series = interest_series(role, hist, self.model.params)
        interests = []
        for it in ACTOR_CLASSES[role].interests:
            q = np.percentile(series[it.name], [10, 50, 90], axis=1)  # (3, t + 1)
            interests.append(Band(it.name, "score", it.description, float(q[1, -1]), float(q[0, -1]), float(q[2, -1]),
                                  tuple((float(q[1, s]), float(q[0, s]), float(q[2, s])) for s in range(t + 1))))

        others = tuple(self._moves(res, role))
        news = tuple(self._news())
        show_advice = self.advisor_on if advice is None else advice
        adv = self.advisor(role) if show_advice and not self.finished else None
        choices = tuple((i, c.get(role)) for i, c in enumerate(self._choices))
        head = (f"The game is over: {self.turns} turns played ({ex.month_label(0)} to {ex.month_label(t - 1)})."
                if self.finished else f"Turn {self.turn + 1} of {self.turns}: {ex.turn_label(self.turn)}.")
        sentences = [head, *news, *(m.sentence for m in others if m.sentence)]
        if adv is not None:
            sentences.append(adv.sentence)
        return TurnView(role, ACTOR_NAMES[role], self.turn, self.turns, self.finished,
                        "game over" if self.finished else ex.turn_label(self.turn), bands(own_names),
                        bands(world_names), tuple(interests), others, news, choices, adv, tuple(sentences))

    def _news(self) -> list[str]:
        """Events of the last turn (scenario events and injects) and injects released for the coming one."""
        ex = self.exercise
        out = []
        if self.turn > 0:
            a, b = ex.turn_start(self.turn - 1), ex.turn_start(self.turn)
            sc = self.scenario
            texts = {inj.label: inj.text for inj in ex.injects}
            for ev in sorted(sc.events, key=lambda ev: sc.month_index(ev.month)):
                if a <= sc.month_index(ev.month) < b:
                    text = texts.get(ev.label, ev.label)
                    out.append(f"{ev.month}: {text}")
        for inject_id, turn in self._released:
            if turn == self.turn and not self.finished:
                out.append(f"Now, from {ex.month_label(ex.turn_start(turn))}: {ex.inject(inject_id).text}")
        return out

    def _moves(self, res: Results, role: str) -> list[Move]:
        ex = self.exercise
        if self.turn == 0:
            return []
        a, b = ex.turn_start(self.turn - 1), ex.turn_start(self.turn)
        out = []
        for code, cls in ACTOR_CLASSES.items():
            if code == role:
                continue
            names = cls.option_names()
            ch = res.choice_index[code]
            block = ch[a:b]
            main = _main_choice(block, len(names))
            labels = _reason_labels(code)
            rs = res.reason_index[code][a:b].astype(np.int64) % len(labels)
            shares, reasons = {}, {}
            for k, name in enumerate(names):
                sel = main == k
                shares[name] = float(sel.mean())
                if sel.any():
                    mask = (block == k) & sel[None, :]
                    reasons[name] = labels[_most_common(rs[mask], len(labels))]
            ever = {name: float((ch == k).any(axis=0).mean()) for k, name in enumerate(names)}
            top = sorted((s, n) for n, s in shares.items() if s >= 0.1)[::-1][:3]
            parts = [f"{label(n)} in {s:.0%} of worlds ({_why(reasons[n])})" for s, n in top]
            sentence = f"{ACTOR_NAMES[code]}: " + "; ".join(parts) + "." if parts else ""
            notable = [(ever[n], n) for n in names if n != cls.status_quo and n not in {x for _, x in top}
                       and ever[n] >= 0.2]
            if notable:
                e, n = max(notable)
                sentence += (f" Since {ex.month_label(0)} it has chosen {label(n)} at least once in "
                             f"{e:.0%} of worlds.")
            out.append(Move(code, ACTOR_NAMES[code], shares, reasons, ever, sentence))
        return out

    # -- the debrief ---------------------------------------------------------------------------------
    def debrief(self, roles: Sequence[str] | None = None) -> Debrief:
        """Compare each role's play with the model's own play of it in the same worlds.

        Before the last turn, it compares the months played so far.
        """
        t = self.months_played
        if t == 0:
            raise GameError("no turn has been played yet: there is nothing to debrief")
        roles = list(self.roles) if roles is None else [self.role_of(r) for r in roles]
        scenario = self.exercise.game_scenario(self._released, months=t)
        played = _results_of(self.model, scenario, t)
        out = {}
        for role in roles:
            mine = [c.get(role) for c in self._choices]
            if all(c is None for c in mine):
                cf_model, cf = self.model, played
            else:
                cf_model = self._counterfactual(role, scenario)
                cf = _results_of(cf_model, scenario, t)
            out[role] = _role_debrief(self, role, played, self.model, cf, cf_model)
        return Debrief(self.exercise, self.members, self.seed, self.turn, t, self.finished, scenario, played,
                       out, self.record())

    def _counterfactual(self, role: str, scenario: Scenario) -> PeninsulaModel:
        tm = self.exercise.turn_months
        external = {}
        for r in self.roles:
            if r == role:
                continue
            sched = [None if c.get(r) is None else OPTION_INDEX[r][c[r]] for c in self._choices for _ in range(tm)]
            if any(s is not None for s in sched):
                external[r] = lambda m, s=sched: s[m.month_index]
        model = PeninsulaModel(scenario, self.members, self.seed, external=external)
        model.run_model()
        return model


# --------------------------------------------------------------------------------------------
# The debrief


@dataclass(frozen=True)
class InterestOutcome:
    """One interest (or ``overall``): the player's game score against the model's, world by world."""

    interest: str
    description: str
    weight: float
    player: float
    model: float
    better: float
    tied: float
    worse: float
    mean_difference: float
    sentence: str


@dataclass(frozen=True)
class TimelineEntry:
    """One turn of a role: what it chose, what the model would have chosen, what followed."""

    turn: int
    months: str
    choice: str | None
    played: str
    played_share: float
    model_choice: str
    model_share: float
    news: tuple[str, ...]
    others: tuple[str, ...]
    indicators: dict[str, tuple[float, float]]


@dataclass
class RoleDebrief:
    """The debrief of one role. Score arrays are per member (game averages); series are (months, members)."""

    role: str
    title: str
    interests: list[InterestOutcome]
    overall: InterestOutcome
    timeline: list[TimelineEntry]
    indicators: list[dict]
    player_scores: dict[str, np.ndarray]
    model_scores: dict[str, np.ndarray]
    player_series: dict[str, np.ndarray]
    model_series: dict[str, np.ndarray]
    model: Results
    sentences: list[str]


def _outcome(name: str, description: str, weight: float, mine: np.ndarray, theirs: np.ndarray, title: str
             ) -> InterestOutcome:
    d = mine - theirs
    better, worse, tied = float((d > EPS).mean()), float((d < -EPS).mean()), float((np.abs(d) <= EPS).mean())
    what = "its interests as a whole" if name == "overall" else label(name)
    if tied == 1.0:
        sentence = f"On {what} you and the model's {title} tied in every world."
    else:
        sentence = (f"On {what} you beat the model's {title} in {better:.0%} of worlds and did worse in {worse:.0%}"
                    f" (average score {mine.mean():.3f} against {theirs.mean():.3f}).")
    return InterestOutcome(name, description, weight, float(mine.mean()), float(theirs.mean()), better, tied, worse,
                           float(d.mean()), sentence)


def _role_debrief(game: Game, role: str, played: Results, model: PeninsulaModel, cf: Results,
                  cf_model: PeninsulaModel) -> RoleDebrief:
    ex = game.exercise
    cls = ACTOR_CLASSES[role]
    title = ACTOR_NAMES[role]
    mine_series = interest_series(role, played.history[1:], model.params)
    theirs_series = interest_series(role, cf.history[1:], cf_model.params)
    mine_series["overall"] = _overall(role, mine_series, model)
    theirs_series["overall"] = _overall(role, theirs_series, cf_model)
    mine = {k: v.mean(axis=0) for k, v in mine_series.items()}
    theirs = {k: v.mean(axis=0) for k, v in theirs_series.items()}
    interests = [_outcome(it.name, it.description, float(np.mean(w)), mine[it.name], theirs[it.name], title)
                 for it, w in zip(cls.interests, model.weights[role], strict=True)]
    overall = _outcome("overall", "Its interests weighed as the scenario weighs them.",
                       float(np.mean(model.weight_totals[role])), mine["overall"], theirs["overall"], title)
    won = [label(o.interest) for o in interests if o.better > o.worse]
    lost = [label(o.interest) for o in interests if o.worse > o.better]
    if overall.tied == 1.0:
        headline = f"You played as the model's {title} would: every world ends the same."
    else:
        headline = (f"Over {played.months} months in {played.members} worlds you beat the model's {title} on its "
                    f"interests as a whole in {overall.better:.0%} of worlds (worse in {overall.worse:.0%}).")
    summary = ""
    if won:
        summary = f"You did better than the model on {', '.join(won)}"
        summary += f", and worse on {', '.join(lost)}." if lost else "."
    elif lost:
        summary = f"The model did better than you on {', '.join(lost)}."
    sentences = [headline] + ([summary] if summary else []) + [o.sentence for o in interests]

    own = [n for n in NAMES if n.startswith(f"{role}.")]
    key_own = [n for n in own if INDICATORS[n].key] or own[:4]
    tm = ex.turn_months
    timeline = []
    scenario = played.scenario
    texts = {inj.label: inj.text for inj in ex.injects}
    names = cls.option_names()
    for turn, chosen in enumerate(c.get(role) for c in game._choices):
        a, b = turn * tm, (turn + 1) * tm
        main_p = _main_choice(played.choice_index[role][a:b], len(names))
        main_m = _main_choice(cf.choice_index[role][a:b], len(names))
        kp, km = _most_common(main_p, len(names)), _most_common(main_m, len(names))
        news = tuple(f"{ev.month}: {texts.get(ev.label, ev.label)}"
                     for ev in sorted(scenario.events, key=lambda ev: scenario.month_index(ev.month))
                     if a <= scenario.month_index(ev.month) < b)
        others = []
        for code, ocls in ACTOR_CLASSES.items():
            if code == role:
                continue
            mc = _main_choice(played.choice_index[code][a:b], len(ocls.options))
            k = _most_common(mc, len(ocls.options))
            others.append(f"{ACTOR_NAMES[code]}: {label(ocls.options[k].name)} ({(mc == k).mean():.0%})")
        inds = {n: (float(np.median(played.history[b, INDEX[n]])), float(np.median(cf.history[b, INDEX[n]])))
                for n in key_own}
        timeline.append(TimelineEntry(turn, ex.turn_label(turn), chosen, names[kp], float((main_p == kp).mean()),
                                      names[km], float((main_m == km).mean()), news, tuple(others), inds))
    indicators = [{"indicator": n, "unit": INDICATORS[n].unit,
                   "player_median": float(np.median(played.history[-1, INDEX[n]])),
                   "model_median": float(np.median(cf.history[-1, INDEX[n]]))} for n in own]
    return RoleDebrief(role, title, interests, overall, timeline, indicators, mine, theirs, mine_series,
                       theirs_series, cf, sentences)


@dataclass
class Debrief:
    """The end of a game (or of the turns played so far): each role against the model.

    Attributes:
        exercise: the exercise played.
        members, seed: the ensemble.
        turns_played, months: how far the game went; ``finished``: whether it reached the end.
        scenario: the scenario of the months played (injects as events): ``sim.run`` on it
            with the same members and seed reproduces both runs.
        played: the player's run (all roles as played).
        roles: role -> :class:`RoleDebrief` (the model's counterfactual run is in ``.model``).
        record: the :class:`GameRecord` that rebuilds the game (None in a student's copy
            from a classroom: the record holds every role's private briefing).
    """

    exercise: Exercise
    members: int
    seed: int
    turns_played: int
    months: int
    finished: bool
    scenario: Scenario
    played: Results
    roles: dict[str, RoleDebrief]
    record: GameRecord | None

    @property
    def questions(self) -> list[str]:
        return list(self.exercise.debrief)

    def sentences(self, role: str | None = None) -> list[str]:
        """The debrief in sentences for one role (default: the only, or the first, role)."""
        role = role or next(iter(self.roles))
        return list(self.roles[role].sentences)

    def summary(self) -> dict:
        """The numbers of the debrief as plain JSON-able data (no per-member arrays)."""
        return {
            "exercise": self.exercise.name, "title": self.exercise.title, "members": self.members,
            "seed": self.seed, "turns_played": self.turns_played, "turns": self.exercise.turns,
            "months": self.months, "finished": self.finished,
            "roles": {r: {"interests": [dataclasses.asdict(o) for o in d.interests],
                          "overall": dataclasses.asdict(d.overall), "sentences": list(d.sentences),
                          "timeline": [dataclasses.asdict(e) for e in d.timeline], "indicators": d.indicators}
                      for r, d in self.roles.items()},
            "questions": self.questions,
        }

    # -- exports -----------------------------------------------------------------------------------
    def member_rows(self) -> list[dict]:
        """Member by member: role, member, interest, player score, model score, difference, result."""
        rows = []
        for r, d in self.roles.items():
            for name in [*(o.interest for o in d.interests), "overall"]:
                mine, theirs = d.player_scores[name], d.model_scores[name]
                for j, member in enumerate(self.played.member_ids.tolist()):
                    diff = float(mine[j] - theirs[j])
                    rows.append({"role": r, "member": member, "interest": name, "player_score": float(mine[j]),
                                 "model_score": float(theirs[j]), "difference": diff,
                                 "result": "better" if diff > EPS else "worse" if diff < -EPS else "tied"})
        return rows

    def timeline_rows(self) -> list[dict]:
        rows = []
        for r, d in self.roles.items():
            for e in d.timeline:
                row = {"role": r, "turn": e.turn + 1, "months": e.months,
                       "your_choice": e.choice or "(the model's rule)", "played": e.played,
                       "played_share": round(e.played_share, 4), "model_choice": e.model_choice,
                       "model_share": round(e.model_share, 4), "news": " | ".join(e.news)}
                for n, (p, m) in e.indicators.items():
                    row[f"{n} (you)"] = p
                    row[f"{n} (model)"] = m
                rows.append(row)
        return rows

    def to_csv(self) -> str:
        """The member-by-member table as CSV text."""
        return _csv(self.member_rows())

    def timeline_csv(self) -> str:
        return _csv(self.timeline_rows())

    def to_html(self) -> str:
        """A self-contained HTML report (inline CSS and SVG; no external assets)."""
        return _html(self)

    def write(self, directory: str | Path) -> dict[str, Path]:
        """Write the report: ``debrief.html``, ``debrief.csv``, ``timeline.csv``, ``record.json``.

        ``debrief.csv`` is member by member; ``record.json`` is the :class:`GameRecord`, from
        which ``Game.replay`` rebuilds the game.
        """
        target = Path(directory)
        if target.exists() and not target.is_dir():
            raise PeninsulaError("exists and is not a folder; choose another report folder", file=str(target))
        target.mkdir(parents=True, exist_ok=True)
        out = {"html": target / "debrief.html", "csv": target / "debrief.csv", "timeline": target / "timeline.csv"}
        texts = {"html": self.to_html(), "csv": self.to_csv(), "timeline": self.timeline_csv()}
        if self.record is not None:
            out["record"] = target / "record.json"
            texts["record"] = self.record.to_json() + "\n"
        for key, text in texts.items():
            tmp = out[key].with_name(f".{out[key].name}.tmp")
            tmp.write_text(text, encoding="utf-8", newline="")
            tmp.replace(out[key])
        return out


def _csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    if rows:
        cols = list(dict.fromkeys(k for r in rows for k in r))
        w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return buf.getvalue()


# --------------------------------------------------------------------------------------------
# HTML


_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;max-width:60rem;
color:#1d232b;line-height:1.45;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:2px solid #dde3ea;padding-bottom:.2rem}
.meta{color:#5a6573;font-size:.9rem}.headline{font-size:1.1rem;font-weight:600}
table{border-collapse:collapse;margin:.8rem 0;font-size:.9rem;width:100%}
th,td{border-bottom:1px solid #e4e8ee;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f5f8}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.bar{display:flex;height:.8rem;width:12rem;border-radius:3px;overflow:hidden;background:#eee}
.bar span{display:block;height:100%}.b{background:#2e7d32}.t{background:#b0b7c3}.w{background:#c62828}
.charts{display:flex;flex-wrap:wrap;gap:1rem}.chart{flex:1 1 18rem}
.chart h4{margin:.2rem 0;font-size:.9rem}svg{width:100%;height:auto;background:#fafbfc;border:1px solid #e4e8ee}
.legend{font-size:.8rem;color:#5a6573}.you{color:#1565c0}.mod{color:#6d6d6d}
details pre{white-space:pre-wrap;word-break:break-all;font-size:.7rem;background:#f6f8fa;padding:.5rem}
"""


def _svg_chart(you: np.ndarray, model: np.ndarray, dates: list[str]) -> str:
    """Median and 10-90% band over the months, player (blue) against model (grey dashed)."""
    w, h, pad_l, pad_r, pad_t, pad_b = 360, 150, 38, 8, 8, 22
    qs_y = np.percentile(you, [10, 50, 90], axis=1)
    qs_m = np.percentile(model, [10, 50, 90], axis=1)
    lo = float(min(qs_y.min(), qs_m.min()))
    hi = float(max(qs_y.max(), qs_m.max()))
    if hi - lo < 1e-6:
        lo, hi = lo - 0.05, hi + 0.05
    n = you.shape[0]

    def x(i):
        return pad_l + (w - pad_l - pad_r) * (i / max(n - 1, 1))

    def y(v):
        return pad_t + (h - pad_t - pad_b) * (1 - (v - lo) / (hi - lo))

    def line(vals):
        return " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(vals))

    def band(q):
        pts = [f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(q[2])]
        pts += [f"{x(i):.1f},{y(v):.1f}" for i, v in reversed(list(enumerate(q[0])))]
        return " ".join(pts)

    parts = [f'<svg viewBox="0 0 {w} {h}" role="img">',
             f'<polygon points="{band(qs_m)}" fill="#9e9e9e" fill-opacity="0.18"/>',
             f'<polygon points="{band(qs_y)}" fill="#1565c0" fill-opacity="0.18"/>',
             (f'<polyline points="{line(qs_m[1])}" fill="none" stroke="#6d6d6d" stroke-width="1.6" '
              'stroke-dasharray="4 3"/>'),
             f'<polyline points="{line(qs_y[1])}" fill="none" stroke="#1565c0" stroke-width="2"/>',
             f'<text x="2" y="{pad_t + 8}" font-size="9" fill="#5a6573">{hi:.2f}</text>',
             f'<text x="2" y="{h - pad_b}" font-size="9" fill="#5a6573">{lo:.2f}</text>',
             f'<text x="{pad_l}" y="{h - 6}" font-size="9" fill="#5a6573">{html.escape(dates[0])}</text>',
             (f'<text x="{w - pad_r}" y="{h - 6}" font-size="9" fill="#5a6573" text-anchor="end">'
              f'{html.escape(dates[-1])}</text>'), "</svg>"]
    return "".join(parts)


def _pct_bar(o: InterestOutcome) -> str:
    return (f'<div class="bar" title="better {o.better:.0%}, tied {o.tied:.0%}, worse {o.worse:.0%}">'
            f'<span class="b" style="width:{o.better * 100:.1f}%"></span>'
            f'<span class="t" style="width:{o.tied * 100:.1f}%"></span>'
            f'<span class="w" style="width:{o.worse * 100:.1f}%"></span></div>')


def _html(d: Debrief) -> str:
    from sim import __version__

    e = html.escape
    ex = d.exercise
    dates = d.scenario.dates()[1:d.months + 1]
    out = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>Debrief: {e(ex.title or ex.name)}</title><style>{_CSS}</style></head><body>",
           f"<h1>Debrief: {e(ex.title or ex.name)}</h1>",
           (f'<p class="meta">{d.turns_played} of {ex.turns} turns of {ex.turn_months} month(s) '
            f"({e(d.scenario.dates()[0])} to {e(d.scenario.dates()[d.months - 1])}), {d.members} worlds, "
            f"seed {d.seed}, scenario '{e(d.scenario.name)}'. Each score is an interest's average over the months "
            "played, compared world by world with the model's own play of the same state in the same worlds "
            "(same seed, same injects at the same months).</p>")]
    for role, rd in d.roles.items():
        out.append(f"<h2>{e(rd.title)} ({e(role)})</h2>")
        out.append(f'<p class="headline">{e(rd.sentences[0])}</p>')
        out += [f"<p>{e(s)}</p>" for s in rd.sentences[1:2]]
        out.append("<table><tr><th>interest</th><th>weight</th><th>you</th><th>model</th><th>better</th>"
                   "<th>tied</th><th>worse</th><th>worlds</th></tr>")
        for o in [*rd.interests, rd.overall]:
            out.append(f"<tr><td>{e(label(o.interest))}<br><small>{e(o.description)}</small></td>"
                       f'<td class="n">{o.weight:.2f}</td><td class="n">{o.player:.3f}</td>'
                       f'<td class="n">{o.model:.3f}</td><td class="n">{o.better:.0%}</td>'
                       f'<td class="n">{o.tied:.0%}</td><td class="n">{o.worse:.0%}</td><td>{_pct_bar(o)}</td></tr>')
        out.append("</table>")
        out.append('<p class="legend">Charts: median and 10-90% band across worlds, month by month. '
                   '<span class="you">&#9644; you</span> &nbsp; <span class="mod">- - the model</span></p>'
                   '<div class="charts">')
        for name in [*(o.interest for o in rd.interests), "overall"]:
            out.append(f'<div class="chart"><h4>{e(label(name))}</h4>'
                       f"{_svg_chart(rd.player_series[name], rd.model_series[name], dates)}</div>")
        out.append("</div><h3>Indicators at the end (medians)</h3>"
                   "<table><tr><th>indicator</th><th>you</th><th>model</th></tr>")
        for row in rd.indicators:
            out.append(f"<tr><td>{e(row['indicator'])}</td>"
                       f'<td class="n">{e(format_value(row["player_median"], row["unit"]))}</td>'
                       f'<td class="n">{e(format_value(row["model_median"], row["unit"]))}</td></tr>')
        out.append("</table><h3>Timeline</h3><table><tr><th>turn</th><th>you chose</th><th>the model chose</th>"
                   "<th>what followed</th></tr>")
        for t in rd.timeline:
            chose = label(t.choice) if t.choice else (f"(the model's rule) mostly {label(t.played)} "
                                                      f"({t.played_share:.0%})")
            follow = "".join(f"<div><b>{e(n)}</b></div>" for n in t.news)
            follow += "<div>" + e("; ".join(t.others)) + "</div>"
            follow += "<div><small>" + e("; ".join(
                f"{n}: {format_value(p, INDICATORS[n].unit)} (model {format_value(m, INDICATORS[n].unit)})"
                for n, (p, m) in t.indicators.items())) + "</small></div>"
            out.append(f"<tr><td>{t.turn + 1}<br><small>{e(t.months)}</small></td><td>{e(chose)}</td>"
                       f"<td>{e(label(t.model_choice))} ({t.model_share:.0%})</td><td>{follow}</td></tr>")
        out.append("</table>")
    if d.questions:
        out.append("<h2>Questions</h2><ol>" + "".join(f"<li>{e(q)}</li>" for q in d.questions) + "</ol>")
    if d.record is not None:
        out.append("<h2>Reproduce</h2><p class=\"meta\">This game is rebuilt exactly by "
                   "<code>sim.game.Game.replay(GameRecord.from_json(...))</code> with the record below.</p>"
                   f"<details><summary>Game record (JSON)</summary><pre>{e(d.record.to_json())}</pre></details>")
    out.append(f'<p class="meta">Peninsula {e(__version__)}.</p></body></html>')
    return "\n".join(out)
