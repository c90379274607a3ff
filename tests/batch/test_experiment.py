"""Experiments: policies x scenarios under common random numbers, whole-series outcomes, ``sim.experiment``
saved and loaded as exactly what ``peninsula batch`` writes, and bad input that writes nothing."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import sim
from sim.cli.main import main
from sim.data import SCENARIO_DIR
from sim.engine import Setup, simulate
from sim.errors import PeninsulaError

WAR, RICE = "params.war_intensity_target", "params.rice_t_per_year"
FOOD = "DPRK.food_security"
SHORT = "extends: {base}\nmonths: 6\nexpectations: []\n"


@pytest.fixture(scope="module")
def short() -> sim.Scenario:
    return sim.load_scenario_text(SHORT.format(base="baseline"), "short.yaml", base_dir=SCENARIO_DIR)


@pytest.fixture(scope="module")
def short_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sc") / "short.yaml"
    path.write_text(SHORT.format(base=SCENARIO_DIR / "baseline.yaml"), encoding="utf-8")
    return path


def digest(folder: Path, manifest: bool = True) -> dict[str, str]:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and (manifest or p.name != "manifest.json"))
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture(scope="module")
def twins(short):
    """Two identical hand-made policies, one that differs in one lever, and a sampled one, under 3 scenarios."""
    return sim.experiment(short, policies=1, scenarios=3, members=6, seed=4, outcomes=[FOOD, "RUS.munitions_shortfall"],
                          policy={"a": {WAR: 0.3}, "b": {WAR: 0.3}, "c": {WAR: 0.9}})


# -- common random numbers ----------------------------------------------------------------------------------------

def test_identical_policies_give_identical_outcomes(twins):
    d = twins.design
    food = twins.outcome(FOOD)
    a, b = d.index[d.policy == "a"], d.index[d.policy == "b"]
    assert np.array_equal(food[a], food[b])
    assert not np.array_equal(food[a][0], food[a][1])  # the scenarios differ (and so does the test)


def test_member_streams_depend_on_the_scenario_not_the_policy(twins):
    d = twins.design
    ids = {(r.policy, r.scenario): tuple(twins.member_ids(r.point)) for r in d.itertuples()}
    for s in range(3):
        assert len({ids[(p, s)] for p in ("p0", "a", "b", "c")}) == 1
        assert ids[("a", s)] == tuple(range(s * 6, s * 6 + 6))
    assert not set(ids[("a", 0)]) & set(ids[("a", 1)])


def test_a_difference_between_policies_comes_from_the_policy_alone(twins):
    """Policy c under scenario s is policy a's setup with c's lever: same members, same streams, same draws."""
    d = twins.design
    for s in range(3):
        pa = int(d.index[(d.policy == "a") & (d.scenario == s)][0])
        pc = int(d.index[(d.policy == "c") & (d.scenario == s)][0])
        base = twins.setup(pa)
        moved = Setup.build(twins.scenario, base.member_ids, base.seed,
                            overrides={**{p: float(d.loc[pa, p]) for p in twins.spec.paths}, WAR: 0.9})
        got = simulate(moved).indicator(FOOD)
        assert np.array_equal(got, twins.outcome(FOOD)[pc])
        assert not np.array_equal(got, twins.outcome(FOOD)[pa])


def test_the_setup_of_a_point_reruns_it(twins):
    for point in (0, 5, len(twins.design) - 1):
        res = simulate(twins.setup(point))
        assert np.array_equal(res.indicator(FOOD), twins.outcome(FOOD)[point])


def test_a_plain_design_keeps_member_r_for_replicate_r(short):
    exp = sim.experiment(short, grid={WAR: [0.2, 0.8]}, members=4, seed=3, outcomes=[f"{FOOD}@2024-03"])
    alone = sim.run(sim.with_settings(short, {WAR: 0.8}), members=4, seed=3)
    assert list(exp.member_ids(1)) == [0, 1, 2, 3]
    assert np.array_equal(exp.outcome(f"{FOOD}@2024-03")[1], alone.indicator(FOOD)[:, -1])


# -- whole-series outcomes ----------------------------------------------------------------------------------------

def test_series_outcomes_keep_every_month(twins, short):
    dates = short.dates()
    frame = twins.frame()
    assert [c for c in frame.columns if c.startswith(FOOD)] == [f"{FOOD}@{d}" for d in dates]
    assert len(frame) == len(twins.design) * 6
    series = twins.series()
    assert list(series.columns) == ["point", "policy", "scenario", "outcome", "month", "date", "mean", "median",
                                    "p10", "p90"]
    assert len(series) == len(twins.design) * 2 * len(dates)
    food = twins.outcome(FOOD)
    row = series[(series.point == 4) & (series.outcome == FOOD) & (series.month == 3)].iloc[0]
    assert row["date"] == dates[3]
    assert row["median"] == pytest.approx(np.median(food[4, :, 3]))
    assert row["p10"] == pytest.approx(np.percentile(food[4, :, 3], 10))
    assert row["mean"] == pytest.approx(food[4, :, 3].mean())
    tidy = twins.to_frame()
    assert list(tidy.columns) == ["point", "replicate", "indicator", "month", "date", "value"]
    assert len(tidy) == len(frame) * 2 * len(dates)


# -- save, load, and the same files as peninsula batch -------------------------------------------------------------

def test_save_writes_what_peninsula_batch_writes(tmp_path, short_file, capsys):
    args = ["batch", str(short_file), "--policies", "2", "--scenarios", "2", "--members", "3", "--seed", "8",
            "--policy", f"low={WAR}:0.1,{RICE}:0", "--outcome", FOOD, "--outcome", "RUS.munitions_shortfall@2024-01",
            "--partition", "5", "--quiet", "--out", str(tmp_path / "cli")]
    assert main(args) == 0
    res = sim.experiment(sim.load_scenario(short_file), policies=2, scenarios=2, members=3, seed=8,
                         policy={"low": {WAR: 0.1, RICE: 0}}, outcomes=[FOOD, "RUS.munitions_shortfall@2024-01"],
                         partition=5)
    res.save(tmp_path / "api")
    assert digest(tmp_path / "api") == digest(tmp_path / "cli")
    assert sorted(digest(tmp_path / "api")) == sorted([*res.files()])
    back = sim.load_experiment(tmp_path / "api")
    assert back.design.equals(res.design)
    assert np.array_equal(back.outcome(FOOD), res.outcome(FOOD))
    capsys.readouterr()
    assert main(["replay", str(tmp_path / "cli")]) == 0
    assert "DIFFERENT" not in capsys.readouterr().out
    with pytest.raises(PeninsulaError, match="not empty"):
        res.save(tmp_path / "cli")
    res.save(tmp_path / "cli", overwrite=True)


def test_resume_continues_a_policies_x_scenarios_experiment(tmp_path, short_file, capsys):
    args = ["batch", str(short_file), "--policies", "2", "--scenarios", "2", "--members", "3", "--outcome", FOOD,
            "--partition", "4", "--quiet"]
    assert main([*args, "--out", str(tmp_path / "whole")]) == 0
    assert main([*args, "--out", str(tmp_path / "cut")]) == 0
    (tmp_path / "cut" / "results" / "part-00001.parquet").unlink()
    (tmp_path / "cut" / "summary.csv").unlink()
    assert main([*args, "--out", str(tmp_path / "cut"), "--resume"]) == 0
    assert digest(tmp_path / "cut") == digest(tmp_path / "whole")
    manifest = json.loads((tmp_path / "whole" / "manifest.json").read_text())
    assert manifest["format"] == "peninsula-batch/2" and "series.csv" in manifest["outputs"]
    assert manifest["design_spec"]["policies"] == 2 and manifest["design_spec"]["scenarios"] == 2


def test_a_design_file_runs_and_records_policies(tmp_path, short_file, capsys):
    src = tmp_path / "design.csv"
    src.write_text(f"policy,scenario,{WAR}\nlow,0,0.1\nhigh,0,0.9\nlow,1,0.1\nhigh,1,0.9\n")
    out = tmp_path / "out"
    assert main(["batch", str(short_file), "--design-file", str(src), "--members", "2", "--quiet",
                 "--outcome", f"{FOOD}@2024-03", "--out", str(out)]) == 0
    design = pd.read_csv(out / "design.csv")
    assert list(design.columns) == ["point", "policy", "scenario", WAR]
    parts = pq.read_table(out / "results" / "part-00000.parquet").to_pandas()
    assert list(parts.columns) == ["point", "replicate", f"{FOOD}@2024-03"]
    res = sim.load_experiment(out)
    assert list(res.member_ids(3)) == [2, 3]  # scenario 1, members 2 per point


def test_load_refuses_a_folder_that_is_not_an_experiment(tmp_path):
    with pytest.raises(PeninsulaError, match="not an experiment"):
        sim.load_experiment(tmp_path)


# -- bad input: one paragraph naming the flag, exit 2, nothing written -------------------------------------------

BARE = "name: bare\nstart: 2023-09\nmonths: 3\n"


@pytest.mark.parametrize("extra, flag, words", [
    (["--policies", "2"], "--policies", "declares no levers"),
    (["--scenarios", "2"], "--scenarios", "declares no uncertainties"),
    (["--outcome", "DPRK.food"], "--outcome", "DPRK.food_security"),
    (["--design-file", "{dir}/unknown.csv"], "--design-file", "params.bogus"),
    (["--design-file", "{dir}/range.csv"], "--design-file", "outside the range"),
    (["--design-file", "{dir}/missing.csv"], "--design-file", "no parameter column"),
    (["--design-file", "{dir}/bad.parquet"], "--design-file", "cannot read"),
    (["--design-file", "{dir}/range.csv", "--policies", "2"], "--design-file", "leave out --policies"),
    (["--policies", "2", "--design", "lhs", "--samples", "4"], "--policies", "leave out --design"),
    (["--factors", "params.nope", "--design", "lhs", "--samples", "4"], "--factors", "params.war_intensity_target"),
])
def test_bad_input_writes_nothing(tmp_path, short_file, capsys, extra, flag, words):
    (tmp_path / "unknown.csv").write_text(f"{WAR},params.bogus\n0.1,1\n")
    (tmp_path / "range.csv").write_text(f"{WAR}\n1.5\n")
    (tmp_path / "missing.csv").write_text("policy\na\n")
    (tmp_path / "bad.parquet").write_bytes(b"\x00garbage")
    (tmp_path / "bare.yaml").write_text(BARE)
    scenario = str(tmp_path / "bare.yaml") if extra[0] in ("--policies", "--scenarios") and len(extra) == 2 \
        else str(short_file)
    out = tmp_path / "out"
    args = ["batch", scenario, *[a.format(dir=tmp_path) for a in extra], "--members", "2", "--quiet",
            "--out", str(out)]
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and len(err.strip().splitlines()) == 1, err
    assert flag in err and words in err, err
    assert not out.exists()


def test_the_readme_experiment_example_runs(tmp_path):
    import re

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", readme, flags=re.S) if "sim.experiment(" in b)
    block = block.replace("members=50", "members=3").replace("scenarios=10", "scenarios=2") \
        .replace('"runs/policies"', repr(str(tmp_path / "policies")))
    ns: dict = {}
    exec(compile(block, "README.md", "exec"), ns)  # noqa: S102 - the README's own example
    exp = ns["exp"]
    assert list(exp.design.columns[:3]) == ["point", "policy", "scenario"]
    assert list(exp.design["policy"].unique()) == ["p0", "p1", "p2", "p3", "no_rice"]
    months = exp.scenario.months
    assert exp.outcome("DPRK.food_security").shape == (10, 3, months + 1)
    assert exp.outcome("RUS.munitions_shortfall@2025-06").shape == (10, 3)
    assert (tmp_path / "policies" / "series.csv").is_file()
