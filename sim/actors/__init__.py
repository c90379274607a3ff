"""The seven actors, one module each, in the fixed order of :data:`sim.indicators.ACTORS`."""

from __future__ import annotations

from sim.actors.base import Actor, Interest, Option
from sim.actors.chn import CHN
from sim.actors.dprk import DPRK
from sim.actors.jpn import JPN
from sim.actors.rok import ROK
from sim.actors.rus import RUS
from sim.actors.ukr import UKR
from sim.actors.usa import USA

ACTOR_CLASSES: dict[str, type[Actor]] = {c.code: c for c in (DPRK, RUS, CHN, USA, ROK, JPN, UKR)}

__all__ = ["ACTOR_CLASSES", "Actor", "Interest", "Option", "DPRK", "RUS", "CHN", "USA", "ROK", "JPN", "UKR"]
