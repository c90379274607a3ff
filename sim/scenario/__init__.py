"""Scenario files: the schema, the loader, the checks, parameter paths, and the evidence.

The loader reads YAML, applies ``extends`` and keeps line numbers; the evidence is what the
model's declarations cite.

May import the vocabulary (``sim.indicators``, ``sim.params``, ``sim.errors``), ``sim.data``
and ``sim.actors`` (to check actor and interest names); nothing of the engine.
"""

from sim.scenario.files import MAX_FILE_BYTES, resolve_parent
from sim.scenario.loader import load_scenario, load_scenario_text, with_settings
from sim.scenario.paths import check_path, path_range, scenario_value
from sim.scenario.schema import (
    ActorSpec,
    Event,
    Expectation,
    Lever,
    Scenario,
    Scripted,
    Uncertainty,
    json_schema,
    month_label,
    parse_month,
)

__all__ = ["MAX_FILE_BYTES", "ActorSpec", "Event", "Expectation", "Lever", "Scenario", "Scripted", "Uncertainty",
           "check_path", "json_schema", "load_scenario", "load_scenario_text", "month_label", "parse_month",
           "path_range", "resolve_parent", "scenario_value", "with_settings"]
