"""Batch experiments: reproducible across executors and chunk sizes, resumable after SIGKILL,
replayable, with designs that repeat and sensitivity indices that find the factor that matters."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import sim
from sim.batch import Experiment, Processes, make_design, parse_grid, parse_outcome, replay_experiment, \
    run_experiment
from sim.cli.main import main
from sim.data import SCENARIO_DIR
from sim.batch.sensitivity import sensitivity

ROOT = Path(__file__).resolve().parents[2]


def digest(folder: Path) -> dict[str, str]:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "manifest.json")
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture(scope="module")
def short():
    # extends: validated like a file (the baseline's events after the twelfth month never come)
    sc = sim.load_scenario_text("extends: baseline\nmonths: 12\n", "short.yaml", base_dir=SCENARIO_DIR)
    assert sc.months == 12 and not sc.expectations
    return sc


def experiment(sc, members=30, partition=25):
    design = make_design(sc, grid=parse_grid(["params.war_intensity_target=0.1,0.9"], sc))
    outcomes = [parse_outcome("DPRK.hard_currency_usd@2024-09", sc), parse_outcome("RUS.munitions_shortfall@2024-03", sc)]
    return Experiment(sc, design, members, 5, outcomes, partition)


def test_outputs_are_readable_without_peninsula(tmp_path, short):
    exp = experiment(short)
    run_experiment(exp, tmp_path / "x")
    frame = pq.read_table(tmp_path / "x" / "results").to_pandas()  # a partitioned dataset
    assert len(frame) == 60 and set(frame["point"]) == {0, 1}
    assert list(frame.columns) == ["point", "replicate", "DPRK.hard_currency_usd@2024-09",
                                   "RUS.munitions_shortfall@2024-03"]
    summary = pd.read_csv(tmp_path / "x" / "summary.csv")
    low = frame.query("point == 0")["DPRK.hard_currency_usd@2024-09"]
    assert summary.loc[0, "DPRK.hard_currency_usd@2024-09:median"] == pytest.approx(float(np.median(low)))
    manifest = json.loads((tmp_path / "x" / "manifest.json").read_text())
    assert manifest["complete"] and manifest["executor"] == "in-process"
    assert set(manifest["outputs"]) == {"design.csv", "design.parquet", "summary.csv", "results/part-00000.parquet",
                                        "results/part-00001.parquet", "results/part-00002.parquet"}


def test_member_of_a_batch_equals_a_plain_run(tmp_path, short):
    """Replicate r of a design point is member r of sim.run with that point's settings."""
    exp = experiment(short, members=10, partition=7)
    run_experiment(exp, tmp_path / "x")
    frame = pq.read_table(tmp_path / "x" / "results").to_pandas()
    alone = sim.run(sim.with_settings(short, {"params.war_intensity_target": 0.9}), members=10, seed=5)
    got = frame.query("point == 1").sort_values("replicate")["DPRK.hard_currency_usd@2024-09"].to_numpy()
    assert np.array_equal(got, alone.indicator("DPRK.hard_currency_usd")[:, -1])


def test_same_bytes_for_every_executor_and_chunk_size(tmp_path, short):
    exp = experiment(short)
    run_experiment(exp, tmp_path / "a", chunk_size=10_000)
    run_experiment(exp, tmp_path / "b", chunk_size=4)
    pool = Processes(2)
    try:
        run_experiment(exp, tmp_path / "c", executor=pool, chunk_size=9)
    finally:
        pool.close()
    assert digest(tmp_path / "a") == digest(tmp_path / "b") == digest(tmp_path / "c")


def test_same_bytes_on_a_two_worker_dask_local_cluster(tmp_path, short):
    from sim.batch import Dask

    exp = experiment(short)
    run_experiment(exp, tmp_path / "a")
    cluster = Dask("local:2")
    try:
        assert len(cluster.client.scheduler_info()["workers"]) == 2
        run_experiment(exp, tmp_path / "d", executor=cluster, chunk_size=13)
    finally:
        cluster.close()
    assert digest(tmp_path / "a") == digest(tmp_path / "d")


def test_replay_verifies_every_output(tmp_path, short):
    exp = experiment(short)
    run_experiment(exp, tmp_path / "x")
    assert all(replay_experiment(tmp_path / "x").values())
    part = tmp_path / "x" / "results" / "part-00001.parquet"
    table = pq.read_table(part)
    pq.write_table(table.slice(0, 5), part)
    verdict = replay_experiment(tmp_path / "x")
    assert verdict["results/part-00001.parquet"] is False and verdict["design.csv"] is True


def test_designs_repeat_with_the_seed(short):
    a = make_design(short, design="lhs", samples=8, seed=3)
    b = make_design(short, design="lhs", samples=8, seed=3)
    c = make_design(short, design="lhs", samples=8, seed=4)
    assert a.equals(b) and not a.equals(c)
    paths = [lv.path for lv in short.levers] + [u.path for u in short.uncertainties]
    assert list(a.columns) == ["point", *paths]
    for lv in short.levers:
        assert a[lv.path].between(lv.min, lv.max).all()
    sob = make_design(short, design="sobol", samples=4, seed=1)
    assert len(sob) == 4 * (len(paths) + 2)
    crossed = make_design(short, grid={"params.cash_share": [0.5, 0.7]}, design="lhs", samples=3, seed=1)
    assert len(crossed) == 6


def test_resume_after_sigkill_is_byte_identical(tmp_path):
    """Kill a batch with SIGKILL mid-way, resume it, and get the bytes of an uninterrupted run."""
    # 30 partitions of 12 rows, about 1.5 s in all: time enough to kill it after 3 even on a busy machine
    args = ["batch", "baseline", "--grid", "params.war_intensity_target=0.1,0.5,0.9", "--members", "120",
            "--partition", "12", "--chunk-size", "12", "--quiet", "--outcome", "DPRK.hard_currency_usd"]
    whole = tmp_path / "whole"
    assert main([*args, "--out", str(whole)]) == 0
    cut = tmp_path / "cut"
    cmd = [sys.executable, "-m", "sim.cli", *args, "--out", str(cut)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    parts = cut / "results"
    while time.monotonic() < deadline:
        done = list(parts.glob("part-*.parquet")) if parts.exists() else []
        if len(done) >= 3 or proc.poll() is not None:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the batch finished before it could be killed; give it more partitions"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    assert not json.loads((cut / "manifest.json").read_text())["complete"]
    n_before = len(list(parts.glob("part-*.parquet")))
    assert 3 <= n_before < 30
    # without --resume the folder is refused; with it, the run completes
    assert main([*args, "--out", str(cut)]) == 2
    assert main([*args, "--out", str(cut), "--resume"]) == 0
    assert digest(cut) == digest(whole)
    assert json.loads((cut / "manifest.json").read_text())["outputs"] == \
        json.loads((whole / "manifest.json").read_text())["outputs"]


def test_resume_refuses_another_experiment(tmp_path, capsys):
    base = ["batch", "baseline", "--members", "3", "--quiet", "--out", str(tmp_path / "x")]
    assert main(base) == 0
    assert main([*base, "--seed", "9", "--resume"]) == 2
    assert "differs in: seed" in capsys.readouterr().err


@pytest.mark.parametrize("args, words", [
    (["--grid", "params.nope=1,2"], "unknown parameter path 'params.nope'"),
    (["--grid", "params.war_intensity_target=0.5,1.5"], "outside the range"),
    (["--grid", "params.war_intensity_target"], "expected PATH=v1,v2"),
    (["--design", "lhs"], "--design needs --samples"),
    (["--members", "0"], "at least 1"),
    (["--outcome", "DPRK.nope"], "is not an indicator"),
    (["--outcome", "DPRK.food_security@2031-01"], "is not in the run"),
    (["--dask", "tcp://127.0.0.1:9"], "cannot reach the Dask scheduler"),
    (["--jobs", "2", "--dask", "local:2"], "not both"),
])
def test_bad_input_exits_2_and_writes_nothing(tmp_path, capsys, args, words):
    out = tmp_path / "x"
    assert main(["batch", "baseline", "--quiet", "--out", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert not out.exists()


def test_a_design_needs_ranges(tmp_path, capsys):
    bare = tmp_path / "bare.yaml"
    bare.write_text("name: bare\nmonths: 6\n", encoding="utf-8")
    assert main(["batch", str(bare), "--design", "lhs", "--samples", "4", "--out", str(tmp_path / "o")]) == 2
    assert "needs ranges" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_a_folder_of_something_else_is_refused(tmp_path, capsys):
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    assert main(["batch", "baseline", "--members", "2", "--out", str(other), "--quiet"]) == 2
    assert "holds no Peninsula experiment" in capsys.readouterr().err
    assert [p.name for p in other.iterdir()] == ["notes.txt"]


def test_sensitivity_ranks_the_only_factor_that_matters_first(tmp_path):
    """Food security a year in (2024-09) depends on grain output, not on US reinforcements or lobbying."""
    path = tmp_path / "sens.yaml"
    path.write_text(
        "name: sens\nextends: baseline\nmonths: 13\n"
        "uncertainties:\n"
        "  - {path: params.grain_production_t, dist: uniform, low: 3000000, high: 4500000}\n"
        "  - {path: params.reinforce_batch, dist: uniform, low: 1000, high: 9000}\n"
        "  - {path: params.lobby_gain, dist: uniform, low: 0.0, high: 0.1}\n", encoding="utf-8")
    sc = sim.load_scenario(path)
    sc = sc.model_copy(update={"levers": []})
    outcome = [parse_outcome("DPRK.food_security@2024-09", sc)]
    for method, samples in (("sobol", 16), ("morris", 8)):
        design = make_design(sc, design=method, samples=samples, seed=1)
        exp = Experiment(sc, design, 3, 1, outcome, 1000, {"design": method})
        table = sensitivity(exp, tmp_path / method, method)
        first = table.query("rank == 1").iloc[0]
        assert first["factor"] == "params.grain_production_t", table
        again = sensitivity(exp, tmp_path / f"{method}-again", method)
        assert table.equals(again)  # seeded design and analysis: repeatable indices


def test_outputs_read_with_polars_and_duckdb(tmp_path, short):
    """The batch outputs are plain Parquet and CSV that other tools read without Peninsula."""
    import duckdb
    import polars as pl

    exp = experiment(short)
    run_experiment(exp, tmp_path / "x")
    pattern = str(tmp_path / "x" / "results" / "*.parquet")
    frame = pl.read_parquet(pattern)
    assert frame.height == 60 and frame["point"].n_unique() == 2
    total = duckdb.sql(f"select count(*), count(distinct point) from '{pattern}'").fetchall()[0]
    assert total == (60, 2)
    summary = duckdb.sql(f"select * from read_csv_auto('{tmp_path / 'x' / 'summary.csv'}')").fetchall()
    assert len(summary) == 2
