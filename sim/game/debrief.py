"""The debrief: each role's play against the model's own play of it, in the same worlds.

The same worlds are common random numbers; the comparison goes interest by interest and
turn by turn.

Honest statistics (documented choice): world by world, the player did *better*, *worse* or
*tied* (within :data:`~sim.game.scoring.EPS`), and all three shares are reported. The verdict
on an interest is "about the same" when the difference of the average scores is no larger than
the spread across worlds: the standard deviation of the scores across worlds (the larger of the
player's and the model's). Only a larger difference is called better or worse.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.actors import ACTOR_CLASSES
from sim.engine import Results, Simulation
from sim.engine.results import write_text_atomic
from sim.errors import PeninsulaError
from sim.game.exercise import Exercise
from sim.game.report import csv_text, html_report
from sim.game.scoring import EPS, interest_series, label, main_choice, most_common, overall_series
from sim.indicators import ACTOR_NAMES, INDEX, INDICATORS, NAMES
from sim.scenario import Scenario

if TYPE_CHECKING:  # pragma: no cover
    from sim.game.game import GameRecord


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
    spread: float = 0.0
    verdict: str = "about the same"
    """``"better"``, ``"worse"`` or ``"about the same"`` (see :func:`verdict`)."""


ABOUT_THE_SAME = "about the same"


def verdict(mine: np.ndarray, theirs: np.ndarray) -> tuple[str, float]:
    """The verdict on per-world scores (player, model) and the spread it was judged against.

    "about the same" when the difference of the averages is no larger than the spread across
    worlds (the larger standard deviation of the two sets of scores), else "better" or "worse".
    """
    diff = float(np.mean(mine) - np.mean(theirs))
    spread = float(max(np.std(mine), np.std(theirs)))
    if abs(diff) <= max(spread, EPS):
        return ABOUT_THE_SAME, spread
    return ("better" if diff > 0 else "worse"), spread


def shares_text(better: float, tied: float, worse: float) -> str:
    """``"better in 10% of worlds, tied in 30%, worse in 60%"``: the three shares, ties included."""
    return f"better in {better:.0%} of worlds, tied in {tied:.0%}, worse in {worse:.0%}"


@dataclass(frozen=True)
class TimelineEntry:
    """One turn of a role: its move, the model's main move in its place, what followed.

    ``choice``: the player's move (None: the model's rule played the role); ``choice_share``: the
    share of worlds in which it was made (where it was impossible the role kept its posture).
    ``played`` and ``model_choice``: the most common main move of the turn across worlds
    (:func:`sim.game.scoring.main_choice`) in the game and in the model's run, with their shares.
    ``others``: each other actor's main moves of the turn (those of at least a tenth of the worlds).
    """

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
    choice_share: float = 1.0


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
    word, spread = verdict(mine, theirs)
    if tied == 1.0:
        sentence = f"On {what} you and the model's {title} tied in every world: about the same."
    else:
        how = {"better": "better than", "worse": "worse than"}.get(word, "about the same as")
        than = "smaller than" if word == ABOUT_THE_SAME else "larger than"
        sentence = (f"On {what} you did {how} the model's {title}: average score {mine.mean():.3f} against "
                    f"{theirs.mean():.3f}, a difference {than} the spread across worlds ({spread:.3f}); "
                    f"{shares_text(better, tied, worse)}.")
    return InterestOutcome(name, description, weight, float(mine.mean()), float(theirs.mean()), better, tied, worse,
                           float(d.mean()), sentence, spread, word)


def role_debrief(ex: Exercise, choices: Sequence[dict[str, str | None]], role: str, played: Results,
                 run: Simulation, cf: Results, cf_run: Simulation) -> RoleDebrief:
    """One role's debrief: its play (``choices``, turn by turn) against the model's.

    Interest by interest and turn by turn.
    """
    cls = ACTOR_CLASSES[role]
    title = ACTOR_NAMES[role]
    mine_series = interest_series(role, played.history[1:], run.params)
    theirs_series = interest_series(role, cf.history[1:], cf_run.params)
    mine_series["overall"] = overall_series(role, mine_series, run)
    theirs_series["overall"] = overall_series(role, theirs_series, cf_run)
    mine = {k: v.mean(axis=0) for k, v in mine_series.items()}
    theirs = {k: v.mean(axis=0) for k, v in theirs_series.items()}
    weights, total = run.weights(role)
    interests = [_outcome(it.name, it.description, float(np.mean(w)), mine[it.name], theirs[it.name], title)
                 for it, w in zip(cls.interests, weights, strict=True)]
    overall = _outcome("overall", "Its interests weighed as the scenario weighs them.",
                       float(np.mean(total)), mine["overall"], theirs["overall"], title)
    won = [label(o.interest) for o in interests if o.verdict == "better"]
    lost = [label(o.interest) for o in interests if o.verdict == "worse"]
    if overall.tied == 1.0:
        headline = f"You played as the model's {title} would: every world ends the same (tied in 100% of worlds)."
    else:
        how = {"better": "better than", "worse": "worse than"}.get(overall.verdict, "about the same as")
        headline = (f"Over {played.months} months in {played.members} worlds you did {how} the model's {title} on "
                    f"its interests as a whole ({shares_text(overall.better, overall.tied, overall.worse)}).")
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
    for turn, chosen in enumerate(c.get(role) for c in choices):
        a, b = turn * tm, (turn + 1) * tm
        main_p = main_choice(played.choice_index[role][a:b], len(names))
        main_m = main_choice(cf.choice_index[role][a:b], len(names))
        kp, km = most_common(main_p, len(names)), most_common(main_m, len(names))
        news = tuple(f"{ev.month}: {texts.get(ev.label, ev.label)}"
                     for ev in sorted(scenario.events, key=lambda ev: scenario.month_index(ev.month))
                     if a <= scenario.month_index(ev.month) < b)
        others = []
        for code, ocls in ACTOR_CLASSES.items():
            if code == role:
                continue
            n_moves = len(ocls.options)
            mc = main_choice(played.choice_index[code][a:b], n_moves)
            shares = np.bincount(mc, minlength=n_moves) / len(mc)
            top = [k for k in np.argsort(-shares, kind="stable")[:3] if shares[k] >= 0.1] or [most_common(mc, n_moves)]
            others.append(f"{ACTOR_NAMES[code]}: "
                          + ", ".join(f"{label(ocls.options[k].name)} ({shares[k]:.0%})" for k in top))
        inds = {n: (float(np.median(played.history[b, INDEX[n]])), float(np.median(cf.history[b, INDEX[n]])))
                for n in key_own}
        made = 1.0 if chosen is None else float((played.choice_index[role][a] == names.index(chosen)).mean())
        timeline.append(TimelineEntry(turn, ex.turn_label(turn), chosen, names[kp], float((main_p == kp).mean()),
                                      names[km], float((main_m == km).mean()), news, tuple(others), inds, made))
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
        """The debrief questions of the roles in this debrief (each once, in order of the roles)."""
        return list(dict.fromkeys(q for r in self.roles for q in self.exercise.questions(r)))

    def questions_for(self, role: str) -> list[str]:
        """The debrief questions of one role: the exercise's questions for every role, then its own."""
        return self.exercise.questions(role)

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
                          "timeline": [dataclasses.asdict(e) for e in d.timeline], "indicators": d.indicators,
                          "questions": self.questions_for(r)}
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

    def outcome_rows(self) -> list[dict]:
        """Interest by interest for each role: averages, difference, spread, the shares (ties included), the verdict."""
        return [{"role": r, "interest": o.interest, "player_score": o.player, "model_score": o.model,
                 "difference": o.mean_difference, "spread": o.spread, "better": round(o.better, 4),
                 "tied": round(o.tied, 4), "worse": round(o.worse, 4), "verdict": o.verdict, "sentence": o.sentence}
                for r, d in self.roles.items() for o in [*d.interests, d.overall]]

    def timeline_rows(self) -> list[dict]:
        """Turn by turn for each role: the moves played and the model's, the news and the indicators."""
        rows = []
        for r, d in self.roles.items():
            for e in d.timeline:
                row = {"role": r, "turn": e.turn + 1, "months": e.months,
                       "your_choice": e.choice or "(the model's rule)",
                       "your_choice_share": round(e.choice_share, 4), "played": e.played,
                       "played_share": round(e.played_share, 4), "model_choice": e.model_choice,
                       "model_share": round(e.model_share, 4), "news": " | ".join(e.news)}
                for n, (p, m) in e.indicators.items():
                    row[f"{n} (you)"] = p
                    row[f"{n} (model)"] = m
                rows.append(row)
        return rows

    def to_csv(self) -> str:
        """The member-by-member table as CSV text."""
        return csv_text(self.member_rows())

    def outcomes_csv(self) -> str:
        """The interest-by-interest verdicts as CSV text."""
        return csv_text(self.outcome_rows())

    def timeline_csv(self) -> str:
        """The turn-by-turn table as CSV text."""
        return csv_text(self.timeline_rows())

    def to_html(self) -> str:
        """A self-contained HTML report (inline CSS and SVG; no external assets)."""
        return html_report(self)

    def write(self, directory: str | Path) -> dict[str, Path]:
        """Write the report: ``debrief.html``, ``debrief.csv``, ``outcomes.csv``, ``timeline.csv``, ``record.json``.

        ``debrief.csv`` is member by member; ``outcomes.csv`` interest by interest (shares and
        verdict); ``record.json`` is the :class:`GameRecord`, from which ``Game.replay`` rebuilds
        the game.
        """
        target = Path(directory)
        if target.exists() and not target.is_dir():
            raise PeninsulaError("exists and is not a folder; choose another report folder", file=str(target))
        target.mkdir(parents=True, exist_ok=True)
        out = {"html": target / "debrief.html", "csv": target / "debrief.csv", "outcomes": target / "outcomes.csv",
               "timeline": target / "timeline.csv"}
        texts = {"html": self.to_html(), "csv": self.to_csv(), "outcomes": self.outcomes_csv(),
                 "timeline": self.timeline_csv()}
        if self.record is not None:
            out["record"] = target / "record.json"
            texts["record"] = self.record.to_json() + "\n"
        for key, text in texts.items():
            write_text_atomic(out[key], text)
        return out
