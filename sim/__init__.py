"""Peninsula: a stakeholder simulation of the Russia-DPRK partnership and the states around it.

The public API::

    import sim
    scenario = sim.load_scenario("scenarios/baseline.yaml")
    results = sim.run(scenario, members=1000, seed=42)
    results.indicator("DPRK.food_security")   # array (members, months + 1)
    results.choices("CHN")                     # move names (members, months)
    results.to_frame()                         # tidy: member, month, date, variable, value
    results.save("runs/baseline")              # results.parquet, choices.parquet, manifest.json
    sim.Results.load("runs/baseline")          # and back
    exp = sim.experiment(scenario, policies=8, scenarios=20, members=50, seed=1)   # policies x scenarios
    exp.design, exp.summary, exp.outcome("DPRK.food_security@2026-09")           # (points, members)
    exp.save("runs/exp"); sim.load_experiment("runs/exp")                      # what 'peninsula batch' writes
    found = sim.discover("runs/exp", outcome="DPRK.food_security@2026-09", where="< 0.6")  # PRIM (or method="cart")
    found.boxes, found.trajectory, found.to_frame(); found.save("runs/exp/discover")
    sim.robust("runs/exp", outcome="DPRK.food_security@2026-09", satisfice=">= 0.7").table   # policies ranked

The parts, each a subpackage that imports only those below it (a test checks)::

    indicators, params, errors, data   vocabulary and bundled files
    actors, scenario                   what the actors are and want; scenario files
    engine                             Setup, simulate, Simulation: the only door to the model
    run                                run, replay, compare, check
    batch, game                        experiments; the teaching game and classroom
    cli                                the peninsula command

(``sim.run`` is the function; its subpackage is ``sim.run.runner`` and friends.)
"""

from sim.batch import ExperimentResults, experiment, load_experiment
from sim.batch.discover import Discovery, discover
from sim.batch.robust import Robustness, robust
from sim.engine import Results, Setup, Simulation, simulate
from sim.errors import PeninsulaError, ScenarioError
from sim.game import Classroom, Debrief, Exercise, Game, GameRecord, load_exercise
from sim.indicators import ACTORS, INDICATORS, KEY_INDICATORS
from sim.run import Comparison, ExpectationResult, Explanation, check, compare, compare_results, explain, replay, run
from sim.scenario import Scenario, json_schema, load_scenario, load_scenario_text, with_settings

__version__ = "0.1.0"

__all__ = [
    "ACTORS", "INDICATORS", "KEY_INDICATORS", "Classroom", "Comparison", "Debrief", "Discovery", "Exercise",
    "ExpectationResult", "Robustness", "discover", "robust",
    "ExperimentResults", "Explanation", "Game", "GameRecord", "PeninsulaError", "Results", "Scenario", "ScenarioError",
    "Setup", "Simulation", "check", "compare", "compare_results", "experiment", "explain", "json_schema",
    "load_exercise", "load_experiment", "load_scenario", "load_scenario_text", "replay", "run", "simulate",
    "with_settings",
]
