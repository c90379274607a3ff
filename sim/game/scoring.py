"""What the game and its debrief share: labels, interest scores over a history, and the most common choice.

Scoring (documented choice): an interest's score for the game is its average over the
months played, each month's value computed by the actor's ``Interest.score`` on the state
recorded for that month, with the parameters as they stand at the end. The overall score
weighs the interests as the scenario weighs them (the actor's own objective). A world
counts as *better* when the player's score beats the model's by more than :data:`EPS`,
*worse* when it falls short by more, and *tied* otherwise.
"""

from __future__ import annotations

import numpy as np

from sim.actors import ACTOR_CLASSES
from sim.engine import Simulation
from sim.errors import PeninsulaError
from sim.indicators import INDEX, NAMES

EPS = 1e-9
"""Score differences within this are ties."""


class GameError(PeninsulaError):
    """A request the game cannot carry out: an unknown or impossible move, an unknown inject, a game that is over, ..."""


_WORDS = {"dprk": "DPRK", "us": "US", "un": "UN", "china": "China", "moscow": "Moscow", "pyongyang": "Pyongyang",
          "ukraine": "Ukraine", "russia": "Russia"}


def label(name: str) -> str:
    """``court_china`` -> ``court China``."""
    return " ".join(_WORDS.get(w, w) for w in name.split("_"))


def option_name(role: str, option: str | int) -> str:
    """A move of a role given by index or name (case, spaces and hyphens forgiven) -> its name.

    Raises:
        GameError: the role has no such move.
    """
    names = ACTOR_CLASSES[role].option_names()
    if isinstance(option, int | np.integer) and not isinstance(option, bool):
        if 0 <= option < len(names):
            return names[int(option)]
    elif isinstance(option, str):
        key = option.strip().lower().replace(" ", "_").replace("-", "_")
        if key in names:
            return key
    raise GameError(f"{role} has no move {option!r}; its moves: {', '.join(names)}", field="option")


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


def overall_series(code: str, series: dict[str, np.ndarray], run: Simulation) -> np.ndarray:
    """The interests weighed as the scenario weighs them (the actor's own objective), month by month."""
    cls = ACTOR_CLASSES[code]
    weights, total = run.weights(code)
    total = np.ravel(total)
    acc = np.zeros_like(next(iter(series.values())))
    for it, w in zip(cls.interests, weights, strict=True):
        acc = acc + np.ravel(w) * series[it.name]
    return acc / total


def main_choice(choices: np.ndarray, n_options: int) -> np.ndarray:
    """Per member, the main move of a block of months (months, members): what the actor did in it.

    ``keep`` (move 0) fills most months (a player's posture holds after the turn's first month; the
    model reviews a posture every few months), so the main move is the move other than ``keep`` made
    most often in the block (ties: the one made latest), and ``keep`` only where no other was made.
    """
    months = len(choices)
    score = np.zeros((n_options, choices.shape[1]))
    for k in range(1, n_options):
        hit = choices == k
        last = np.where(hit.any(axis=0), months - 1 - hit[::-1].argmax(axis=0), -1)  # the latest month made
        score[k] = hit.sum(axis=0) + (last + 1) / (months + 1)  # the fraction only breaks ties
    return score.argmax(axis=0)  # all zero where only keep was made: move 0


def most_common(values: np.ndarray, n: int) -> int:
    """The most common of the values 0..n-1 (the smallest on ties)."""
    return int(np.argmax(np.bincount(values, minlength=n)))
