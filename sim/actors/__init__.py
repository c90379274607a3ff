"""The seven actors, one module each, in the fixed order of :data:`sim.indicators.ACTORS`.

An actor is data: its instruments and moves, its interests, its red lines (each a scoring function of a state) and the
claims they cite. The engine turns them into Mesa agents and makes them choose
(:mod:`sim.engine.choose`). May import only the vocabulary (``sim.indicators``, ``sim.params``,
``sim.errors``) and NumPy: nothing of the scenario, the engine or anything above.
"""

from __future__ import annotations

from sim.actors.base import Actor, Instrument, Interest, Move, Option, RedLine, Requirement
from sim.actors.chn import CHN
from sim.actors.dprk import DPRK
from sim.actors.jpn import JPN
from sim.actors.rok import ROK
from sim.actors.rus import RUS
from sim.actors.ukr import UKR
from sim.actors.usa import USA

ACTOR_CLASSES: dict[str, type[Actor]] = {c.code: c for c in (DPRK, RUS, CHN, USA, ROK, JPN, UKR)}

__all__ = ["ACTOR_CLASSES", "Actor", "Instrument", "Interest", "Move", "Option", "RedLine", "Requirement", "DPRK", "RUS", "CHN", "USA", "ROK", "JPN", "UKR"]
