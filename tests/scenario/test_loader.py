"""Scenario files: loading, ``extends``, the JSON Schema, settings, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

import sim
from sim.params import PARAMS
from sim.data import SCENARIO_DIR
from sim.scenario import MAX_FILE_BYTES

ROOT = Path(__file__).resolve().parents[2]

PARENT = """\
name: parent
start: 2024-06
months: 12
params:
  cash_share: 0.6
  shell_price_usd: 900
actors:
  CHN:
    unpredictability: 0.01
    weights: {buffer: 4, influence: 1}
events:
  - month: 2024-07
    label: parent event
    shift: {world.war_intensity: -0.1}
levers:
  - path: params.war_intensity_target
    label: war
    min: 0
    max: 1
  - path: params.rice_t_per_year
    label: rice
    min: 0
    max: 1000000
"""

CHILD = """\
extends: parent
params:
  cash_share: 0.5
actors:
  CHN:
    weights: {influence: 3}
events:
  - month: 2024-09
    label: child event
    set: {world.war_intensity: 0.2}
levers:
  - path: params.rice_t_per_year
    label: rice, narrower
    min: 100000
    max: 900000
    value: 650000
  - path: params.cash_share
    label: cash
    min: 0.2
    max: 0.9
"""


def test_load_baseline(baseline):
    assert baseline.name == "baseline"
    # from the Vostochny summit (September 2023), four years: the dates are each month's start and the end
    assert baseline.start == "2023-09" and baseline.months == 48
    assert baseline.dates()[0] == "2023-09" and baseline.dates()[-1] == "2027-09"
    assert len(baseline.dates()) == 49
    assert sim.load_scenario("baseline") == baseline  # a bare name finds the bundled file


def test_every_bundled_scenario_loads():
    files = sorted(SCENARIO_DIR.glob("*.yaml"))
    assert files
    for f in files:
        sc = sim.load_scenario(f)
        assert sc.name == f.stem and sc.title.strip(), f
        res = sim.run(sc, members=1, seed=0)  # and it runs to its horizon
        assert res.months == sc.months and np.isfinite(res.history).all(), f


def test_extends_merges(tmp_path, write):
    write(tmp_path, PARENT, "parent.yaml")
    child = sim.load_scenario(write(tmp_path, CHILD, "child.yaml"))
    assert child.months == 12 and child.start == "2024-06"
    assert child.params == {"cash_share": 0.5, "shell_price_usd": 900}  # override one, keep the other
    assert child.actors["CHN"].unpredictability == 0.01
    assert child.actors["CHN"].weights == {"buffer": 4, "influence": 3}
    assert [e.label for e in child.events] == ["parent event", "child event"]  # concatenated
    levers = {lv.path: lv for lv in child.levers}
    assert [lv.path for lv in child.levers].count("params.rice_t_per_year") == 1
    assert set(levers) == {"params.war_intensity_target", "params.rice_t_per_year", "params.cash_share"}
    assert levers["params.rice_t_per_year"].label == "rice, narrower"  # merged by path: child wins
    assert levers["params.rice_t_per_year"].min == 100000
    assert levers["params.war_intensity_target"].label == "war"
    assert child.extends is None or child.extends == "parent"


def test_child_without_name_is_named_after_its_file(tmp_path, write):
    """A child that sets no ``name`` must not take its parent's: the name picks the default
    output folder (runs/NAME), so ``peninsula run ceasefire.yaml`` (extends baseline) would
    otherwise overwrite runs/baseline, and its manifest would call it 'baseline'."""
    write(tmp_path, PARENT, "parent.yaml")
    child = sim.load_scenario(write(tmp_path, CHILD, "child.yaml"))
    assert child.name == "child"


def test_extends_chain_and_baseline(tmp_path, write):
    write(tmp_path, "extends: baseline\nmonths: 12\nparams: {cash_share: 0.4}\n", "mid.yaml")
    sc = sim.load_scenario(write(tmp_path, "extends: mid\nseed: 9\n", "leaf.yaml"))
    assert sc.months == 12 and sc.seed == 9
    assert sc.params["cash_share"] == 0.4
    assert sc.params["grain_production_t"] == 4.0e6  # from the baseline, two levels up
    assert len(sc.levers) == 5
    # the baseline's events inside the twelve months are inherited; the later ones never come and are left out
    baseline = sim.load_scenario("baseline")
    inside = [e for e in baseline.events if baseline.month_index(e.month) < 12]
    assert len(inside) < len(baseline.events)
    assert sc.events == inside


def test_a_shorter_child_leaves_out_only_inherited_events_after_its_end(tmp_path, write):
    write(tmp_path, PARENT.replace("months: 12", "months: 24").replace(
        "    shift: {world.war_intensity: -0.1}\n",
        "    shift: {world.war_intensity: -0.1}\n  - month: 2025-12\n    set: {world.war_intensity: 0.5}\n"),
        "parent.yaml")
    assert len(sim.load_scenario(tmp_path / "parent.yaml").events) == 2
    child = sim.load_scenario(write(tmp_path, "extends: parent\nmonths: 6\n", "child.yaml"))
    assert [e.month for e in child.events] == ["2024-07"]
    assert sim.run(child, members=2, seed=1).months == 6
    own = write(tmp_path, "extends: parent\nmonths: 6\nevents:\n  - month: 2025-01\n"
                          "    set: {world.war_intensity: 0.2}\n", "own.yaml")
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario(own)
    _check_error(info.value, own, "events[1].month", 4, "outside the run")


def test_error_in_parent_names_the_parent(tmp_path, write):
    write(tmp_path, "months: 12\nparams:\n  cash_share: 7\n", "parent.yaml")
    child = write(tmp_path, "extends: parent\nseed: 3\n", "child.yaml")
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario(child)
    assert "parent.yaml" in str(info.value)
    assert info.value.line == 3
    assert "params.cash_share" in str(info.value)


def test_json_schema():
    schema = sim.json_schema()
    props = schema["properties"]
    for key in ("start", "months", "seed", "members", "extends", "params", "actors", "initial", "relations",
                "events", "scripted", "levers", "uncertainties"):
        assert key in props, f"schema lacks {key!r}"
    assert json.loads(json.dumps(schema)) == schema
    assert schema.get("additionalProperties") is False


def test_with_settings(baseline):
    sc = sim.with_settings(baseline, {"params.war_intensity_target": 0.2})
    assert sc.params["war_intensity_target"] == 0.2
    assert baseline.params["war_intensity_target"] == 0.8  # the original is unchanged
    assert sc.content_hash() != baseline.content_hash()
    sc = sim.with_settings(baseline, {"CHN.weights.influence": 5, "initial.relations.DPRK-RUS": 0.9})
    assert sc.actors["CHN"].weights["influence"] == 5
    assert sim.run(sc, members=1, seed=1).indicator("relations.RUS-DPRK")[0, 0] == pytest.approx(1.0)  # + event


def test_with_settings_lever_range(baseline):
    with pytest.raises(sim.ScenarioError) as info:
        sim.with_settings(baseline, {"params.rice_t_per_year": 1_500_000})  # lever max is 1,000,000
    assert "params.rice_t_per_year" in str(info.value)
    # inside the parameter's range (up to 2e6) but outside the lever's: still refused
    assert PARAMS["rice_t_per_year"].high >= 1_500_000


@pytest.mark.parametrize("settings", [{"params.nope": 1}, {"params.cash_share": 2}, {"DPRK.weights.golf": 1}])
def test_with_settings_errors(baseline, settings):
    with pytest.raises(sim.ScenarioError) as info:
        sim.with_settings(baseline, settings)
    assert next(iter(settings)) in str(info.value)


# ---------------------------------------------------------------------------------------------
# Errors: (file text, field path or None, line or None, words the message must contain)

ERRORS = {
    "malformed_yaml": ("start: 2024-06\nmonths: [1, 2\n", None, None, "YAML"),
    "unknown_top_level_key": ("months: 12\nfoo: 1\n", "foo", 2, "unknown field"),
    "wrong_type": ("start: 2024-06\nmonths: soon\n", "months", 2, "number"),
    "out_of_range": ("months: 12\nparams:\n  cash_share: 2\n", "params.cash_share", 3, "between 0 and 1"),
    "unknown_actor": ("months: 12\nactors:\n  XYZ:\n    unpredictability: 0.1\n", "actors.XYZ", 3, "DPRK"),
    "unknown_weight": ("months: 12\nactors:\n  DPRK:\n    weights:\n      golf: 1\n",
                       "actors.DPRK.weights.golf", 5, "regime_survival"),
    "unknown_scripted_option": ("months: 12\nscripted:\n  - actor: DPRK\n    option: dance\n"
                                "    from: 2024-06\n    to: 2024-08\n", "scripted[0].option", 4, "export_more"),
    "unknown_initial_indicator": ("months: 12\ninitial:\n  DPRK.happiness: 0.5\n", "initial.DPRK.happiness", 3,
                                  "indicator"),
    "event_outside_horizon": ("months: 12\nevents:\n  - month: 2030-01\n    set: {world.war_intensity: 0.1}\n",
                              "events[0].month", 3, "2025-05"),
    "unknown_lever_path": ("months: 12\nlevers:\n  - path: params.nope\n    label: x\n    min: 0\n    max: 1\n",
                           "levers[0].path", 3, "war_intensity_target"),
    "lever_min_not_below_max": ("months: 12\nlevers:\n  - path: params.cash_share\n    label: x\n"
                                "    min: 0.8\n    max: 0.2\n", "levers[0]", 3, "below"),
    "uncertainty_missing_parameters": ("months: 12\nuncertainties:\n  - path: params.cash_share\n"
                                       "    dist: uniform\n    low: 0.1\n", "uncertainties[0]", 3, "'high'"),
    "missing_extends_target": ("extends: nowhere_to_be_found\nmonths: 12\n", "extends", 1, "nowhere_to_be_found"),
    "object_tag": ('months: !!python/object/apply:os.system ["echo hi"]\n', None, 1, "not allowed"),
    "empty_file": ("", None, None, "empty"),
    "top_level_list": ("- months\n- 12\n", None, None, "mapping"),
    "scalar_document": ("just words\n", None, None, "mapping"),
    "event_changes_nothing": ("months: 12\nevents:\n  - month: 2024-07\n", "events[0]", 3, "set"),
    "scripted_to_before_from": ("months: 12\nscripted:\n  - actor: DPRK\n    option: keep\n"
                                "    from: 2024-09\n    to: 2024-07\n", "scripted[0].to", 6, "before"),
    "bad_start_month": ("start: 2024-13\n", "start", 1, "YYYY-MM"),
    "relation_not_a_pair": ("months: 12\nrelations:\n  RUS-RUS: 0.5\n", "relations.RUS-RUS", 3, "pair"),
    "relation_out_of_range": ("months: 12\nrelations:\n  DPRK-RUS: 1.5\n", "relations.DPRK-RUS", 3, "-1 and 1"),
}


def _check_error(exc: sim.ScenarioError, path: Path, field, line, words) -> None:
    msg = str(exc)
    assert str(path) in msg, f"message does not name the file: {msg}"
    assert words in msg, f"message does not say {words!r}: {msg}"
    assert "\n" not in msg.strip(), f"message is not one paragraph: {msg!r}"
    assert "Traceback" not in msg
    if field is not None:
        assert exc.field == field, msg
        assert f"'{field}'" in msg, msg
    if line is not None:
        assert exc.line == line, msg
        assert f"line {line}" in msg, msg


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_bad_input_is_a_clear_scenario_error(tmp_path, write, case):
    text, field, line, words = ERRORS[case]
    path = write(tmp_path, text, f"{case}.yaml")
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario(path)
    _check_error(info.value, path, field, line, words)


def test_malformed_yaml_names_a_line(tmp_path, write):
    path = write(tmp_path, "months: 12\nparams:\n  cash_share: [0.1\nseed: 4\n", "broken.yaml")
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario(path)
    assert info.value.line is not None and 3 <= info.value.line <= 5, str(info.value)


def test_object_tag_is_not_executed(tmp_path, write):
    marker = tmp_path / "pwned"
    path = write(tmp_path, f'months: !!python/object/apply:os.system ["touch {marker}"]\n', "tag.yaml")
    with pytest.raises(sim.ScenarioError):
        sim.load_scenario(path)
    assert not marker.exists(), "a YAML tag ran a command"
    with pytest.raises(sim.ScenarioError):
        sim.load_scenario_text(f'seed: !!python/object/apply:os.system ["touch {marker}"]\n', "up.yaml")
    assert not marker.exists()


def test_circular_extends(tmp_path, write):
    a = write(tmp_path, "extends: b\nmonths: 12\n", "a.yaml")
    write(tmp_path, "extends: a\nmonths: 12\n", "b.yaml")
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario(a)
    msg = str(info.value)
    assert "circular" in msg and "a.yaml" in msg and "b.yaml" in msg
    assert info.value.field == "extends"


def test_self_extends(tmp_path, write):
    a = write(tmp_path, "extends: a\nmonths: 12\n", "a.yaml")
    with pytest.raises(sim.ScenarioError, match="circular"):
        sim.load_scenario(a)


def test_file_over_a_million_bytes(tmp_path, write):
    text = "months: 12\n# " + "x" * MAX_FILE_BYTES + "\n"
    path = write(tmp_path, text, "big.yaml")
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario(path)
    assert str(path) in str(info.value) and "1,000,000" in str(info.value)
    with pytest.raises(sim.ScenarioError):
        sim.load_scenario_text(text, "big-upload.yaml")


def test_billion_laughs_is_refused(tmp_path, write):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    path = write(tmp_path, "\n".join(lines) + "\n", "laughs.yaml")
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario(path)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario(path)
    assert str(path) in str(info.value)


def test_not_utf8(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario(path)
    assert str(path) in str(info.value)


def test_scripted_months_must_be_a_list(tmp_path, write):
    """``months: 5`` under a script is a mistake in the file: a ScenarioError, not a TypeError."""
    path = write(tmp_path, "months: 12\nscripted:\n  - actor: DPRK\n    option: keep\n    months: 5\n",
                 "script.yaml")
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario(path)
    _check_error(info.value, path, "scripted[0].months", 5, "YYYY-MM")


@pytest.mark.parametrize("ref", ["a\0b", "x" * 300])
def test_unusable_extends_name(tmp_path, write, ref):
    """An ``extends`` value that no file system can hold is a ScenarioError, not an OSError/ValueError."""
    path = write(tmp_path, yaml.safe_dump({"extends": ref, "months": 12}), "ext.yaml")
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario(path)
    assert str(path) in str(info.value) and info.value.field == "extends"


def test_event_shift_by_nan_is_refused(tmp_path, write):
    """A NaN shift would poison every later month of the state; the file is wrong, say so."""
    path = write(tmp_path, "months: 12\nevents:\n  - month: 2024-07\n    shift: {world.war_intensity: .nan}\n",
                 "nan.yaml")
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario(path)
    assert "events[0].shift.world.war_intensity" in str(info.value)


def test_errors_from_uploaded_text_name_the_upload():
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario_text("months: soon\n", "my-upload.yaml")
    assert str(info.value).startswith("my-upload.yaml, line 1, field 'months'")


def test_to_yaml_round_trips(baseline, tmp_path, write):
    path = write(tmp_path, baseline.to_yaml(), "resolved.yaml")
    again = sim.load_scenario(path)
    assert again.content_hash() == baseline.content_hash()


def test_event_shifting_a_parameter_out_of_its_range_is_refused(tmp_path, write):
    """``set`` is range-checked; a ``shift`` that takes a parameter outside its valid range
    (cash_share 0.7 + 3 = 3.7, valid 0 to 1) must be refused too, not run silently."""
    path = write(tmp_path, "extends: baseline\nmonths: 12\nevents:\n  - month: 2024-07\n"
                           "    shift: {params.cash_share: 3}\n", "shift.yaml")
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario(path)
    assert "params.cash_share" in str(info.value)
