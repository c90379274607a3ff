"""``sim.explain``: why an actor made its move in one month of one world, move by move.

Replays one member of a scenario to the month (member ``i`` alone is member ``i`` of any run
with the same seed), asks the engine for the actor's scorecard of moves at that month
(:meth:`sim.engine.Simulation.advise`: the same look-ahead as the rule's), and plays the month
to see what the actor did and why. ``peninsula explain`` prints it; the README's worked example
is its output.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sim.actors import ACTOR_CLASSES
from sim.engine import Setup, Simulation, check_seed
from sim.errors import PeninsulaError
from sim.indicators import ACTOR_NAMES, ACTORS
from sim.scenario import Scenario, load_scenario


@dataclass(frozen=True)
class MoveScore:
    """One move in the scorecard of one world."""

    name: str
    possible: bool
    why_not: str
    """Why the move is impossible ("" where it is possible)."""
    value: float
    """The move's value: its interests' utilities over the look-ahead, weighted, in [0, 1]."""
    cost: float
    """What the move costs before its value (switching or act cost; 0 for keep)."""
    score: float
    """value - cost: what the rule ranks (before noise)."""
    contributions: dict[str, float]
    """Interest -> its weighted contribution to the value."""


@dataclass(frozen=True)
class Explanation:
    """An actor's scorecard of moves in one month of one world, and what it did."""

    scenario: str
    seed: int
    member: int
    actor: str
    month: str
    posture: dict[str, float]
    """Instrument -> level at the start of the month."""
    moves: tuple[MoveScore, ...]
    best: str
    """The best possible move by the scores (before noise)."""
    chosen: str
    reason: str

    def text(self) -> str:
        """The explanation as a table and two sentences (what ``peninsula explain`` prints)."""
        cls = ACTOR_CLASSES[self.actor]
        names = cls.interest_names()
        keep = next(m for m in self.moves if m.name == "keep")
        lines = [f"{ACTOR_NAMES[self.actor]} ({self.actor}) in {self.month}, world {self.member} of "
                 f"{self.scenario} (seed {self.seed})",
                 "posture: " + ", ".join(f"{k} {v:.2f}" for k, v in self.posture.items()) if self.posture
                 else "posture: (no instruments)",
                 "",
                 "scores against keep, in thousandths of a month's weighted interests (score = value - cost):",
                 f"  {'move':20s} {'score':>7s} {'cost':>5s} " + " ".join(f"{n[:10]:>10s}" for n in names)]
        for m in sorted(self.moves, key=lambda m: (not m.possible, -m.score)):
            if not m.possible:
                lines.append(f"  {m.name:20s} impossible: {m.why_not}")
                continue
            diffs = " ".join(f"{1000 * (m.contributions[n] - keep.contributions[n]):+10.2f}" for n in names)
            lines.append(f"  {m.name:20s} {1000 * (m.score - keep.score):+7.2f} {1000 * m.cost:5.2f} {diffs}")
        lines.append("")
        how = {"between reviews": "it did not review its posture this month",
               "unpredictability": f"noise overturned the best move ({self.best})",
               "scripted": "the scenario scripted it", "player": "a player chose it"}
        why = how.get(self.reason, f"the best move by its interests; the interest that most favoured it over "
                                   f"the average move: {self.reason}")
        lines.append(f"move made: {self.chosen} ({why}).")
        return "\n".join(lines)


def explain(scenario: Scenario | str | Path, actor: str, month: str, member: int = 0,
            seed: int | None = None) -> Explanation:
    """Why ``actor`` made its move in ``month`` (YYYY-MM) in world ``member`` of ``scenario``.

    Raises:
        PeninsulaError: for an unknown actor, a month outside the run or a bad member or seed.
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if actor not in ACTOR_CLASSES:
        raise PeninsulaError(f"unknown actor {actor!r}; the actors are {', '.join(ACTORS)}", field="actor")
    dates = sc.dates()
    if month not in dates[:-1]:
        raise PeninsulaError(f"month {month!r} is not a month of the run: {dates[0]} to {dates[-2]} (YYYY-MM)",
                             field="month")
    if not isinstance(member, int) or member < 0:
        raise PeninsulaError(f"a world is named by its id, a whole number from 0; got {member!r}", field="member")
    seed = sc.seed if seed is None else check_seed(seed)
    run = Simulation(Setup.build(sc, [member], seed))
    t = dates.index(month)
    for _ in range(t):
        run.step()
    card = run.advise(actor)
    impossible = run.impossible(actor)
    cls = ACTOR_CLASSES[actor]
    now = run.results()  # its last row is the state at the start of the month
    posture = {i.indicator: float(now.indicator(i.indicator)[0, -1]) for i in cls.instruments}
    moves = tuple(
        MoveScore(name, bool(card.possible[j, 0]), impossible.get(name, ""),
                  float(card.contributions[:, j, 0].sum()), float(card.cost[j, 0]), float(card.score[j, 0]),
                  {n: float(card.contributions[k, j, 0]) for k, n in enumerate(card.interests)})
        for j, name in enumerate(card.options))
    run.step()
    res = run.results()
    return Explanation(sc.name, seed, member, actor, month, posture, moves, card.options[int(card.best[0])],
                       str(res.choices(actor)[0, t]), str(res.reasons(actor)[0, t]))
