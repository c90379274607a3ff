"""Robustness: regret computed by hand on a tiny table, a dominated policy ranked last, satisficing shares,
and the command on a real policies x scenarios experiment; bad input writes nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.batch.robust import robustness
from sim.cli.main import main
from sim.errors import PeninsulaError

OUTCOME = "DPRK.food_security@2026-06"


def table(cells: dict[str, list[float]]) -> pd.DataFrame:
    """{policy: [value in scenario 0, 1, ...]} -> the (policy, scenario, value) cells."""
    return pd.DataFrame([{"policy": p, "scenario": s, "value": v} for p, vs in cells.items() for s, v in enumerate(vs)])


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_regret_by_hand():
    # scenario:        0    1    2
    cells = table({"A": [5.0, 1.0, 3.0],
                   "B": [2.0, 4.0, 3.5],
                   "C": [1.0, 0.5, 2.0]})  # C is dominated by A and by B
    ranked, per = robustness(cells, maximise=True, satisfice=">= 3")
    # best per scenario: 5, 4, 3.5 -> regrets A: 0, 3, 0.5; B: 3, 0, 0; C: 4, 3.5, 1.5
    reg = per.set_index(["policy", "scenario"])["regret"]
    assert reg[("A", 0)] == 0 and reg[("A", 1)] == 3 and reg[("A", 2)] == 0.5
    assert reg[("B", 0)] == 3 and reg[("B", 1)] == 0 and reg[("B", 2)] == 0
    assert reg[("C", 0)] == 4 and reg[("C", 1)] == 3.5 and reg[("C", 2)] == 1.5
    rows = ranked.set_index("policy")
    assert rows.loc["A", "max_regret"] == 3 and rows.loc["B", "max_regret"] == 3 and rows.loc["C", "max_regret"] == 4
    assert rows.loc["A", "mean_regret"] == pytest.approx(3.5 / 3)
    assert list(ranked["policy"]) == ["B", "A", "C"]  # A and B tie on regret; B's mean (3.17) beats A's (3)
    assert rows.loc["B", "mean"] == pytest.approx(9.5 / 3) and rows.loc["A", "mean"] == 3
    assert list(ranked["rank"]) == [1, 2, 3]
    assert rows.loc["A", "median"] == 3 and rows.loc["C", "p10"] == pytest.approx(np.percentile([1, 0.5, 2], 10))
    assert rows.loc["A", "satisficing"] == pytest.approx(2 / 3) and rows.loc["B", "satisficing"] == pytest.approx(2 / 3)
    assert rows.loc["C", "satisficing"] == 0
    assert per.set_index(["policy", "scenario"])["meets"][("B", 0)] == np.False_


def test_ties_on_regret_go_to_the_better_mean():
    ranked, _ = robustness(table({"A": [5.0, 1.0, 3.0], "B": [2.0, 4.0, 3.5]}))
    assert ranked["max_regret"].tolist() == [3, 3]
    assert ranked["policy"].tolist() == ["B", "A"]  # B's mean 3.17 beats A's 3.0


def test_minimising_turns_regret_around():
    cells = table({"low": [1.0, 2.0], "high": [3.0, 5.0], "mixed": [0.5, 4.0]})
    ranked, per = robustness(cells, maximise=False)
    # best (least) per scenario: 0.5, 2 -> regrets low: 0.5, 0; high: 2.5, 3; mixed: 0, 2
    rows = ranked.set_index("policy")
    assert rows["max_regret"].to_dict() == {"low": 0.5, "high": 3.0, "mixed": 2.0}
    assert ranked["policy"].tolist() == ["low", "mixed", "high"]
    assert (per["regret"] >= 0).all()
    by_mean, _ = robustness(cells, maximise=False, rank_by="mean")
    assert by_mean["policy"].tolist() == ["low", "mixed", "high"]
    by_mean_max, _ = robustness(cells, maximise=True, rank_by="mean")
    assert by_mean_max["policy"].iloc[0] == "high"


@pytest.mark.parametrize("seed", range(5))
def test_a_dominated_policy_ranks_last_on_every_score(seed):
    rng = np.random.default_rng(seed)
    good = rng.random((3, 12))
    worse = good.min(axis=0) - rng.random(12) * 0.1 - 0.01  # below every other policy in every scenario
    cells = table({"p0": good[0], "p1": good[1], "p2": good[2], "dominated": worse})
    for rank_by in ("regret", "mean", "median", "p10", "p90"):
        ranked, _ = robustness(cells, rank_by=rank_by)
        assert ranked["policy"].iloc[-1] == "dominated", rank_by


def test_cells_must_pair_policies_and_scenarios():
    with pytest.raises(PeninsulaError, match="every scenario"):
        robustness(table({"A": [1.0, 2.0], "B": [1.0]}))
    dup = pd.concat([table({"A": [1.0], "B": [2.0]}), table({"A": [3.0]})])
    with pytest.raises(PeninsulaError, match="more than one point"):
        robustness(dup)
    with pytest.raises(PeninsulaError, match="--satisfice") as exc:
        robustness(table({"A": [1.0]}), satisfice="at least 3")
    assert exc.value.field == "--satisfice"
    with pytest.raises(PeninsulaError, match="needs a criterion"):
        robustness(table({"A": [1.0]}), rank_by="satisficing")


# -- on a real policies x scenarios experiment -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def experiment(tmp_path_factory):
    folder = tmp_path_factory.mktemp("robust") / "ps"
    code = main(["batch", "harvest_failure", "--policies", "3", "--scenarios", "6", "--members", "3", "--seed", "7",
                 "--outcome", OUTCOME, "--out", str(folder), "--quiet"])
    assert code == 0
    return folder


def test_the_command_ranks_the_policies_of_an_experiment(experiment, tmp_path, capsys):
    before = digest(experiment)
    out = tmp_path / "r"
    assert main(["robust", str(experiment), "--outcome", OUTCOME, "--satisfice", ">= 0.8", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "max regret" in text and "share >= 0.8" in text
    assert sorted(p.name for p in out.iterdir()) == ["robustness.csv", "robustness.html", "robustness.png",
                                                    "scenarios.csv"]
    assert (out / "robustness.png").read_bytes()[:4] == b"\x89PNG" and "Plotly.newPlot" in \
        (out / "robustness.html").read_text()
    ranked = pd.read_csv(out / "robustness.csv", dtype={"policy": str})
    cells = pd.read_csv(out / "scenarios.csv", dtype={"policy": str})
    assert len(ranked) == 3 and ranked["rank"].tolist() == [1, 2, 3] and (ranked["scenarios"] == 6).all()
    assert (cells.groupby("scenario")["regret"].min() == 0).all()  # the best policy of each scenario has none
    # the values are the means over members that 'peninsula batch' summarised
    summary = pd.read_csv(experiment / "summary.csv", dtype={"policy": str})
    means = summary.groupby("policy")[f"{OUTCOME}:mean"].mean()
    for row in ranked.itertuples():
        assert row.mean == pytest.approx(means[row.policy], rel=1e-12)
    assert ranked["max_regret"].is_monotonic_increasing
    assert digest(experiment) == before


def test_the_api_reads_an_experiment_and_a_one_policy_design(experiment, tmp_path):
    res = sim.robust(experiment, OUTCOME, maximise=False)
    assert len(res.table) == 3 and not res.maximise
    lever_cols = [c for c in res.table.columns if c.startswith(("params.", "CHN.", "USA."))]
    assert lever_cols, "the lever settings that tell the policies apart are in the table"
    # a design without policies is one policy, 'all', over its points; its regret is 0
    folder = tmp_path / "lhs"
    assert main(["batch", "harvest_failure", "--design", "lhs", "--samples", "8", "--members", "2", "--outcome",
                 OUTCOME, "--out", str(folder), "--quiet"]) == 0
    one = sim.robust(folder, OUTCOME, satisfice="> 0")
    assert one.table["policy"].tolist() == ["all"] and one.table["scenarios"].iloc[0] == 8
    assert one.table["max_regret"].iloc[0] == 0 and one.table["satisficing"].iloc[0] == 1.0


@pytest.mark.parametrize("args, option, words", [
    (["--satisfice", "more than 0.7"], "--satisfice", "operator"),
    (["--outcome", "food"], "--outcome", "is not an indicator"),
    (["--outcome", "RUS.munitions_shortfall@2026-06"], "--outcome", "was not recorded"),
    (["--rank-by", "satisficing"], "--rank-by", "needs a criterion"),
])
def test_bad_input_is_refused_and_nothing_is_written(experiment, tmp_path, capsys, args, option, words):
    before = digest(experiment)
    if "--outcome" not in args:
        args = [*args, "--outcome", OUTCOME]
    assert main(["robust", str(experiment), *args, "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert option in err and words in err and "Traceback" not in err, err
    assert not (tmp_path / "o").exists() and digest(experiment) == before
