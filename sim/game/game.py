"""The teaching game: play a state against the model, turn by turn, over an ensemble of worlds.

A :class:`Game` runs an exercise (:mod:`sim.game.exercise`) on ``members`` worlds in lockstep,
through the engine's stepping door, :class:`~sim.engine.Simulation`. A player sets the role's
*posture* (its instruments' levels, which persist) with the same moves the model uses: the move
chosen for a turn enters the engine exactly where the model's own move would, in the turn's
*first* month, in every world; in the turn's other months the role keeps its posture (the move
``keep``: the model does not review it mid-turn). A move impossible in every world (a launch
without the space capability, an instrument already at its end) is refused; a move possible in
some worlds only is made there, and the role keeps its posture in the others. The other actors
play by the model's rule. The debrief compares the player's outcome with the model's own play of
the same actor in the same worlds (common random numbers: same seed, members and injects at the
same months).

API (for the terminal game in :mod:`sim.cli.play`, the classroom in :mod:`sim.game.classroom`
and the dashboard's Play page)::

    from sim.game.game import Game
    game = Game("pyongyang_bargain", role="DPRK", members=200, seed=42)
    game.turn, game.turns, game.finished     # turn index (from 0), number of turns, over?
    game.options()                           # tuple[OptionInfo]: the moves: name, description, cited
                                             #   claims, and whether each is possible this turn
    game.impossible()                        # {move: reason} for the moves impossible in every world
    game.view()                              # TurnView: your state, posture and the world (medians
                                             #   and 10-90% bands so far), what the others did last
                                             #   turn and why, the news, advice if the advisor is on
    game.advisor()                           # Advice: the model's scorecard of each move now
    game.release("ceasefire_talks")          # an instructor inject: takes effect at the start
                                             #   of the turn about to be played
    game.play("export_more")                 # one turn (name or index; None = the model's rule)
    game.play({"DPRK": "keep", "CHN": None}) # several roles at once (a classroom)
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
months, other players' recorded moves, each made in its turn's first month where possible and
the posture kept in the turn's other months) with that role playing by the model's rule
(reviewing its posture on its own cadence).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.actors import ACTOR_CLASSES
from sim.actors.base import KEEP
from sim.engine import Results, Scorecard, Setup, Simulation, reason_labels
from sim.errors import PeninsulaError
from sim.game.debrief import Debrief, InterestOutcome, RoleDebrief, TimelineEntry, role_debrief
from sim.game.exercise import Exercise, load_exercise
from sim.game.scoring import EPS, GameError, interest_series, label, main_choice, most_common, option_name
from sim.indicators import ACTOR_NAMES, INDEX, INDICATORS, KEY_INDICATORS, NAMES, format_value
from sim.scenario import Scenario

MAX_MEMBERS = 100_000


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
    """A claim from ``seeds/evidence.yaml`` that a move cites."""

    id: str
    quote: str
    source: str


@dataclass(frozen=True)
class OptionInfo:
    """One move of a role: its index, name, label, description and cited claims.

    ``possible``: the share of worlds in which the move can be made this turn (1 when the game is
    over); ``reason``: why it cannot, where it is possible in no world (else empty).
    """

    index: int
    name: str
    label: str
    description: str
    claims: tuple[ClaimRef, ...]
    possible: float = 1.0
    reason: str = ""


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
        """The median with its 10-90% band, formatted in the unit."""
        return (f"{format_value(self.median, self.unit)} (10-90%: {format_value(self.p10, self.unit)} to "
                f"{format_value(self.p90, self.unit)})")


@dataclass(frozen=True)
class Move:
    """What another actor did in the last turn, across the worlds.

    ``shares``: move -> share of worlds in which it was the actor's main move of the turn (the
    move other than ``keep`` it made most often, ties to the later; ``keep`` where it made no
    other: :func:`sim.game.scoring.main_choice`). ``reasons``: move -> the most common reason for
    it (an interest, 'between reviews', 'unpredictability', 'scripted' or 'player'). ``ever``:
    move -> share of worlds in which the actor made it at least once so far.
    """

    actor: str
    title: str
    shares: dict[str, float]
    reasons: dict[str, str]
    ever: dict[str, float]
    sentence: str


@dataclass(frozen=True)
class OptionAdvice:
    """The model's scorecard for one move: means over the worlds where it is possible (over all if none).

    ``score`` is the move's value less its ``cost``; ``by_interest`` splits the value (before
    the cost) by interest, so ``sum(by_interest.values()) - cost == score``. ``possible``: the
    share of worlds where the move can be made; ``reason``: why it cannot, where it is possible
    in no world (else empty).
    """

    option: str
    label: str
    score: float
    best_share: float
    by_interest: dict[str, float]
    cost: float = 0.0
    possible: float = 1.0
    reason: str = ""


@dataclass(frozen=True)
class Advice:
    """What the model's own rule makes of each move at the start of this turn.

    Scores are those of the rule (:meth:`sim.engine.Simulation.advise`): each move's weighted
    interests projected ``horizon`` months ahead with the others keeping their postures
    (discounted, with the last month held as the terminal value), less the cost of the move
    (the switching cost for a change of posture, the act cost for an act, nothing for
    ``keep``). ``best_share`` is the share of worlds in which the move is the best possible one
    (before the rule's small random noise).
    """

    role: str
    month: str
    options: tuple[OptionAdvice, ...]
    pick: str
    sentence: str
    horizon: int = 1


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
    posture: tuple[Band, ...] = ()
    """The role's posture: its instruments' levels (described as instruments), also among ``own``."""
    autoplayed: Move | None = None
    """What the model's rule chose for the role in the last turn, where its player made no move (else None).

    Its ``sentence`` (also in ``sentences``, after the heading) tells the player, e.g. "No move from
    you last turn: the model chose ship_more_rice (dprk_alignment)."
    """

    def to_dict(self) -> dict:
        """The view as plain nested dicts and tuples."""
        return dataclasses.asdict(self)


@dataclass
class GameRecord:
    """Everything needed to rebuild a game: what a classroom stores.

    ``choices``: one mapping per played turn, role -> move name (None: the model's rule).
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
        """The record as JSON text (sorted keys)."""
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> GameRecord:
        """A record from :meth:`to_json` text."""
        data = json.loads(text)
        data["releases"] = [tuple(r) for r in data.get("releases", [])]
        return cls(**data)


# --------------------------------------------------------------------------------------------
# Helpers


def _why(reason: str) -> str:
    return {"between reviews": "no review due", "unpredictability": "a close call",
            "scripted": "scripted by the scenario", "player": "a player's choice"}.get(reason, f"for its {label(reason)}")


def _doing(name: str) -> str:
    """A move as a verb phrase: ``keep`` -> ``keep its posture``, ``export_more`` -> ``export more``."""
    return "keep its posture" if name == KEEP else label(name)


def _done(name: str) -> str:
    """A move made, for a sentence about the last turn: ``keep`` -> ``kept its posture``."""
    return "kept its posture" if name == KEEP else label(name)


def horizon_months(run: Simulation) -> int:
    """How many months ahead the model's rule looks (``params.horizon_months``)."""
    return int(round(float(np.asarray(run.params["horizon_months"]).reshape(-1)[0])))


def always_possible(role: str, move: str | int) -> bool:
    """Whether a role's move (name or index) is possible in every state: no requirement, no instrument to push."""
    cls = ACTOR_CLASSES[role]
    o = cls.options[cls.option_index(move) if isinstance(move, str) else move]
    return o.requires is None and not o.changes


def step_turn(run: Simulation, chosen: Mapping[str, str | None], months: int) -> None:
    """Play one turn of ``months`` months on ``run``: each role's move in the first month, ``keep`` after.

    ``chosen``: role -> move name, or None (the model's rule, every month of the turn). In each
    world the engine makes a move only where it is possible; in the other worlds the role keeps
    its posture. The game and its counterfactuals play through here.
    """
    run.step({role: None if name is None else ACTOR_CLASSES[role].option_index(name)
              for role, name in chosen.items()})
    rest = {role: None if name is None else KEEP for role, name in chosen.items()}
    for _ in range(months - 1):
        run.step(rest)


def _claim_refs(ids: Sequence[str]) -> tuple[ClaimRef, ...]:
    from sim.scenario.evidence import load_claims

    claims = load_claims()
    return tuple(ClaimRef(cid, claims[cid].quote if cid in claims else "", claims[cid].source if cid in claims else "")
                 for cid in ids)


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
        """Check the roles, worlds and seed, and set up the ensemble at the start of the first turn."""
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
        # A game is played on a count of worlds, at most MAX_MEMBERS; the rest is Setup's one check.
        if isinstance(members, bool) or not isinstance(members, int | np.integer) or members > MAX_MEMBERS:
            raise GameError(f"members must be a whole number from 1 to {MAX_MEMBERS:,}, got {members!r}",
                            field="members")
        seed = (ex.seed if ex.seed is not None else ex.scenario.seed) if seed is None else seed
        try:
            setup = Setup.build(ex.game_scenario(), int(members), seed)
        except PeninsulaError as exc:
            raise GameError(exc.message, field=exc.field) from None
        self.members = setup.members
        self.seed = setup.seed
        self.advisor_on = ex.advisor if advisor is None else bool(advisor)
        self._released: list[tuple[str, int]] = []
        self._choices: list[dict[str, str | None]] = []
        self._cache: dict[tuple, Any] = {}
        self.sim = Simulation(setup)

    # -- state ---------------------------------------------------------------------------------
    @property
    def turn(self) -> int:
        """Index of the turn about to be played (0 for the first); equals turns when over."""
        return len(self._choices)

    @property
    def turns(self) -> int:
        """Number of turns in the exercise."""
        return self.exercise.turns

    @property
    def finished(self) -> bool:
        """Whether every turn has been played."""
        return self.turn >= self.turns

    @property
    def months_played(self) -> int:
        """Months played so far."""
        return self.sim.month

    @property
    def released(self) -> tuple[tuple[str, int], ...]:
        """Injects released so far: (id, turn index at whose start they take effect)."""
        return tuple(self._released)

    @property
    def scenario(self) -> Scenario:
        """The scenario this game runs: the game's months, with the injects released so far as events."""
        return self.exercise.game_scenario(self._released)

    def role_of(self, role: str | None) -> str:
        """The role meant: ``role`` if played in this game, or the only role if None; else a GameError."""
        if role is None:
            if len(self.roles) != 1:
                raise GameError(f"this game has several roles ({', '.join(self.roles)}); name one", field="role")
            return self.roles[0]
        if role not in self.roles:
            raise GameError(f"{role!r} is not played in this game; played: {', '.join(self.roles)}", field="role")
        return role

    def options(self, role: str | None = None) -> tuple[OptionInfo, ...]:
        """The role's moves, with descriptions, the claims they cite, and whether each is possible this turn."""
        role = self.role_of(role)
        cls = ACTOR_CLASSES[role]
        if self.finished:
            return tuple(OptionInfo(i, o.name, label(o.name), o.description, _claim_refs(o.claims))
                         for i, o in enumerate(cls.options))
        possible = self._possible(role)
        impossible = self.impossible(role)
        return tuple(OptionInfo(i, o.name, label(o.name), o.description, _claim_refs(o.claims),
                                float(possible[i].mean()), impossible.get(o.name, ""))
                     for i, o in enumerate(cls.options))

    def option_name(self, role: str, option: str | int | None) -> str | None:
        """Normalise a choice: an index or a name (case and spaces forgiven) -> the move's name."""
        return None if option is None else option_name(role, option)

    def impossible(self, role: str | None = None) -> dict[str, str]:
        """The moves the role cannot make this turn in any world: move -> why (as in the first world).

        A move possible in some worlds only is not listed: :meth:`play` makes it where it is
        possible (:attr:`OptionInfo.possible` gives the share of worlds). Empty once the game is over.
        """
        role = self.role_of(role)
        if self.finished:
            return {}
        key = ("impossible", role)
        if key not in self._cache:
            names = ACTOR_CLASSES[role].option_names()
            nowhere = [name for name, ok in zip(names, self._possible(role), strict=True) if not ok.any()]
            why = self.sim.impossible(role) if nowhere else {}
            # Impossible in every world, so in the first one too: the engine has its reason.
            self._cache[key] = {name: why.get(name, "it is possible in no world") for name in nowhere}
        return dict(self._cache[key])

    def _possible(self, role: str) -> np.ndarray:
        """Where each of the role's moves is possible this turn: bool (moves, worlds), cached for the turn."""
        key = ("possible", role)
        if key not in self._cache:
            self._cache[key] = self.sim.possible(role)
        return self._cache[key]

    def _scorecard(self, role: str) -> Scorecard:
        """The model's scorecard of the role's moves for the month about to be played (cached for the turn)."""
        key = ("scorecard", role)
        if key not in self._cache:
            self._cache[key] = self.sim.advise(role)
        return self._cache[key]

    # -- moves -----------------------------------------------------------------------------------
    def play(self, option: str | int | None | Mapping[str, str | int | None] = None, *, strict: bool = True) -> None:
        """Play one turn: the role's move in the turn's first month, its posture kept for the rest.

        The move is a name or an index; None leaves the role to the model's rule for the whole
        turn. With several roles, give a mapping role -> move (roles left out play by the rule).
        A move possible in some worlds only is made there; the role keeps its posture in the others.

        Raises:
            GameError: the game is over, a role or move is unknown, or (``strict``, the default) a
                move is possible in no world ("launch_satellite is not possible now: needs space
                capability 0.5; it is 0.20"). Nothing changes. Replaying a record is not strict
                (an inject released after a choice may have ruled the move out: the role keeps).
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
        if strict:
            for r, name in chosen.items():
                if name is None or always_possible(r, name):
                    continue
                why = self.impossible(r).get(name)
                if why is not None:
                    who = f"{r}: " if len(self.roles) > 1 else ""
                    raise GameError(f"{who}{name} is not possible now: {why}", field="option")
        step_turn(self.sim, chosen, self.exercise.turn_months)
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
        self.sim.add_event(k, inj.event(ex.month_label(k)))
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
                self.play(dict(record.choices[turn]), strict=False)
        if pending:
            raise GameError("the record releases an inject before a turn that was already played")

    # -- what the player sees ---------------------------------------------------------------------
    def results(self) -> Results:
        """:class:`sim.Results` of the months played so far (the last row is the state now)."""
        t = self.months_played
        return self.sim.results(self.exercise.game_scenario(self._released, months=t))

    def advisor(self, role: str | None = None) -> Advice:
        """The model's own scorecard of the role's moves at the start of this turn.

        The same computation as the rule's (:meth:`sim.engine.Simulation.advise`): the coming
        month's events applied, each move projected ``params.horizon_months`` months ahead with
        the others keeping their postures, less the cost of the move. Nothing in the game changes.
        """
        role = self.role_of(role)
        if self.finished:
            raise GameError("the game is over: there is nothing more to advise")
        key = ("advice", role)
        if key in self._cache:
            return self._cache[key]
        card = self._scorecard(role)
        impossible = self.impossible(role)
        cls = ACTOR_CLASSES[role]
        opts = []
        for k, o in enumerate(cls.options):
            ok = card.possible[k]
            where = ok if ok.any() else np.ones_like(ok)
            opts.append(OptionAdvice(o.name, label(o.name), float(card.score[k][where].mean()),
                                     float((card.best == k).mean()),
                                     {it.name: float(c[k][where].mean())
                                      for it, c in zip(cls.interests, card.contributions, strict=True)},
                                     float(card.cost[k][where].mean()), float(ok.mean()), impossible.get(o.name, "")))
        ranked = sorted(opts, key=lambda a: (-a.best_share, -a.score))
        pick = ranked[0]
        runner = max((a for a in opts if a.option != pick.option and a.possible > 0), key=lambda a: a.score,
                     default=None)
        months = horizon_months(self.sim)
        sentence = (f"Reviewing its posture now and looking {months} month{'s' if months != 1 else ''} ahead, the "
                    f"model's {ACTOR_NAMES[role]} would {_doing(pick.option)} in {pick.best_share:.0%} of worlds "
                    f"(average score {pick.score:.3f}, less the cost of the move"
                    + (f"; next best {_doing(runner.option)}, {runner.score:.3f})." if runner else ")."))
        if impossible:
            sentence += f" Not possible now: {', '.join(label(n) for n in impossible)}."
        advice = Advice(role, self.exercise.month_label(card.month), tuple(opts), pick.option, sentence, months)
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

        def bands(names, descriptions=None):
            idx = [INDEX[n] for n in names]
            q = np.percentile(hist[:, idx, :], [10, 50, 90], axis=2)  # (3, t + 1, k)
            about = descriptions or [INDICATORS[n].description for n in names]
            return tuple(Band(n, INDICATORS[n].unit, about[j], float(q[1, -1, j]),
                              float(q[0, -1, j]), float(q[2, -1, j]),
                              tuple((float(q[1, s, j]), float(q[0, s, j]), float(q[2, s, j])) for s in range(t + 1)))
                         for j, n in enumerate(names))

        series = interest_series(role, hist, self.sim.params)
        interests = []
        for it in ACTOR_CLASSES[role].interests:
            q = np.percentile(series[it.name], [10, 50, 90], axis=1)  # (3, t + 1)
            interests.append(Band(it.name, "score", it.description, float(q[1, -1]), float(q[0, -1]), float(q[2, -1]),
                                  tuple((float(q[1, s]), float(q[0, s]), float(q[2, s])) for s in range(t + 1))))

        instruments = ACTOR_CLASSES[role].instruments
        posture = bands([i.indicator for i in instruments], [i.description for i in instruments])
        others = tuple(self._moves(res, role))
        autoplayed = self._autoplayed(res, role)
        news = tuple(self._news())
        show_advice = self.advisor_on if advice is None else advice
        adv = self.advisor(role) if show_advice and not self.finished else None
        choices = tuple((i, c.get(role)) for i, c in enumerate(self._choices))
        head = (f"The game is over: {self.turns} turns played ({ex.month_label(0)} to {ex.month_label(t - 1)})."
                if self.finished else f"Turn {self.turn + 1} of {self.turns}: {ex.turn_label(self.turn)}.")
        sentences = [head, *([autoplayed.sentence] if autoplayed else []), *news]
        if posture:
            sentences.append("Your posture (medians across worlds): " + "; ".join(
                f"{b.name.split('.', 1)[1].replace('_', ' ')} {format_value(b.median, b.unit)}" for b in posture) + ".")
        sentences += [m.sentence for m in others if m.sentence]
        if adv is not None:
            sentences.append(adv.sentence)
        return TurnView(role, ACTOR_NAMES[role], self.turn, self.turns, self.finished,
                        "game over" if self.finished else ex.turn_label(self.turn), bands(own_names),
                        bands(world_names), tuple(interests), others, news, choices, adv, tuple(sentences), posture,
                        autoplayed)

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
        if self.turn == 0:
            return []
        return [self._move(res, code) for code in ACTOR_CLASSES if code != role]

    def _move(self, res: Results, code: str) -> Move:
        """What ``code`` did in the last turn across the worlds (its main moves and their reasons)."""
        ex = self.exercise
        cls = ACTOR_CLASSES[code]
        a, b = ex.turn_start(self.turn - 1), ex.turn_start(self.turn)
        names = cls.option_names()
        ch = res.choice_index[code]
        block = ch[a:b]
        main = main_choice(block, len(names))
        labels = reason_labels(code)
        rs = res.reason_index[code][a:b].astype(np.int64) % len(labels)
        shares, reasons = {}, {}
        for k, name in enumerate(names):
            sel = main == k
            shares[name] = float(sel.mean())
            if sel.any():
                mask = (block == k) & sel[None, :]
                reasons[name] = labels[most_common(rs[mask], len(labels))]
        ever = {name: float((ch == k).any(axis=0).mean()) for k, name in enumerate(names)}
        top = sorted((s, n) for n, s in shares.items() if s >= 0.1)[::-1][:3]
        parts = [f"{_done(n)} in {s:.0%} of worlds ({_why(reasons[n])})" for s, n in top]
        sentence = f"{ACTOR_NAMES[code]}: " + "; ".join(parts) + "." if parts else ""
        notable = [(ever[n], n) for n in names if n != cls.status_quo and n not in {x for _, x in top}
                   and ever[n] >= 0.2]
        if notable:
            e, n = max(notable)
            sentence += (f" Since {ex.month_label(0)} it has chosen {label(n)} at least once in "
                         f"{e:.0%} of worlds.")
        return Move(code, ACTOR_NAMES[code], shares, reasons, ever, sentence)

    def _autoplayed(self, res: Results, role: str) -> Move | None:
        """What the model's rule chose for ``role`` in the last turn, if the role had no move from its player.

        Its ``sentence`` tells the player so: ``"No move from you last turn: the model kept your
        posture (between reviews)"``, or the moves it chose (with the share of worlds and the reason
        where they differ across worlds).
        """
        if self.turn == 0 or self._choices[-1].get(role) is not None:
            return None
        move = self._move(res, role)
        top = sorted(((s, n) for n, s in move.shares.items() if s > 0), reverse=True)
        major = [(s, n) for s, n in top if s >= 0.1] or top[:1]

        def what(n: str) -> str:
            return "kept your posture" if n == KEEP else f"chose {n}"

        if len(major) == 1 and major[0][0] == 1.0:
            s, n = major[0]
            text = f"{what(n)} ({move.reasons[n]})"
        else:
            text = "; ".join(f"{what(n)} in {s:.0%} of worlds ({move.reasons[n]})" for s, n in major)
        return dataclasses.replace(move, sentence=f"No move from you last turn: the model {text}.")

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
        played = self.sim.results(scenario)
        out = {}
        for role in roles:
            mine = [c.get(role) for c in self._choices]
            if all(c is None for c in mine):
                cf_run, cf = self.sim, played
            else:
                cf_run = self._counterfactual(role, scenario)
                cf = cf_run.results(scenario)
            out[role] = role_debrief(self.exercise, self._choices, role, played, self.sim, cf, cf_run)
        return Debrief(self.exercise, self.members, self.seed, self.turn, t, self.finished, scenario, played,
                       out, self.record())

    def _counterfactual(self, role: str, scenario: Scenario) -> Simulation:
        """The same game with ``role`` played by the model's rule: same worlds, injects and other players.

        The other players' moves are made as in the game (:func:`step_turn`): in the turn's first
        month, where possible in this run's worlds, and the posture kept for the rest of the turn.
        """
        run = Simulation(Setup.build(scenario, self.members, self.seed))
        for chosen in self._choices:
            step_turn(run, {r: c for r, c in chosen.items() if r != role}, self.exercise.turn_months)
        return run


__all__ = ["EPS", "Advice", "Band", "ClaimRef", "Debrief", "Game", "GameError", "GameRecord", "InterestOutcome",
           "Move", "OptionAdvice", "OptionInfo", "RoleDebrief", "TimelineEntry", "TurnView", "format_value",
           "always_possible", "horizon_months", "instructor_inject", "interest_series", "label", "option_name",
           "step_turn"]
