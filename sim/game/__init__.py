"""The teaching game: exercises, the game played turn by turn, its debrief and report, classrooms.

Exercises (:mod:`~sim.game.exercise`), the game played turn by turn
(:mod:`~sim.game.game`), its debrief and report (:mod:`~sim.game.debrief`, :mod:`~sim.game.report`),
and classrooms of seats in SQLite (:mod:`~sim.game.classroom`).

Plays the model only through the engine's stepping door (``Setup``, ``Simulation``); imports
nothing of ``sim.batch`` or ``sim.cli``.
"""

from sim.game.classroom import Classroom
from sim.game.debrief import Debrief, RoleDebrief
from sim.game.exercise import Exercise, load_exercise, load_exercise_text
from sim.game.game import Game, GameRecord, TurnView
from sim.game.scoring import GameError, label, option_name

__all__ = ["Classroom", "Debrief", "Exercise", "Game", "GameError", "GameRecord", "RoleDebrief", "TurnView", "label",
           "load_exercise", "load_exercise_text", "option_name"]
