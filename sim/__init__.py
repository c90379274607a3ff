"""Peninsula: a stakeholder simulation of the Russia-DPRK partnership and the states around it.

The public API::

    import sim
    scenario = sim.load_scenario("scenarios/baseline.yaml")
    results = sim.run(scenario, members=1000, seed=42)
    results.indicator("DPRK.food_security")   # array (members, months + 1)
    results.choices("CHN")                     # option names (members, months)
    results.to_frame()                         # tidy: member, month, date, variable, value
    results.save("runs/baseline")              # results.parquet, choices.parquet, manifest.json
"""

from sim.classroom import Classroom
from sim.compare import Comparison, compare, compare_results
from sim.errors import PeninsulaError, ScenarioError
from sim.exercise import Exercise, load_exercise
from sim.expectations import ExpectationResult, check
from sim.game import Debrief, Game, GameRecord
from sim.indicators import ACTORS, INDICATORS, KEY_INDICATORS
from sim.model import PeninsulaModel
from sim.results import Results
from sim.runner import replay, run
from sim.scenario import Scenario, json_schema, load_scenario, load_scenario_text, with_settings

__version__ = "0.1.0"

__all__ = [
    "ACTORS", "Classroom", "Comparison", "Debrief", "Exercise", "Game", "GameRecord", "load_exercise", "ExpectationResult", "INDICATORS", "check", "compare", "compare_results", "KEY_INDICATORS", "PeninsulaError", "PeninsulaModel", "Results", "Scenario",
    "ScenarioError", "json_schema", "load_scenario", "load_scenario_text", "replay", "run", "with_settings",
]
