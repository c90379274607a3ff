"""Hostile outputs and newcomer CLI defects.

Resume and replay do not trust what is on disk: each part's SHA-256 and row count are
recorded in the batch manifest as parts complete, and checked on ``--resume`` (a part that
does not match is computed again) and on replay; both manifests are validated (bounds,
scenario hash, settings) and a bad one is a one-paragraph error naming the file, exit 2.
Every published file is fsynced before the rename that publishes it. The CLI refuses an
``--out`` it cannot write, ``--members`` that is not a whole number or is above the
maximum, and an existing output folder unless ``--overwrite``.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import sim
from sim.batch import Experiment, InProcess, make_design, parse_grid, parse_outcome, run_experiment
from sim.cli.main import main
from sim.data import SCENARIO_DIR

ROOT = Path(__file__).resolve().parents[2]
SHORT = "name: short\nextends: baseline\nmonths: 6\nmembers: 3\n"
GRID = "params.war_intensity_target=0.2,0.8"


def _main(capsys, *argv) -> tuple[int, str, str]:
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse's own exit
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_paragraph(err: str) -> None:
    assert err.strip(), "nothing on stderr"
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, f"not one paragraph: {err!r}"


def digest(folder: Path) -> dict[str, str]:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "manifest.json")
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture
def short(tmp_path) -> Path:
    path = tmp_path / "short.yaml"
    path.write_text(SHORT, encoding="utf-8")
    return path


def batch_args(short: Path, out: Path) -> list[str]:
    return ["batch", str(short), "--grid", GRID, "--members", "6", "--partition", "4", "--quiet",
            "--outcome", "DPRK.hard_currency_usd", "--out", str(out)]


@pytest.fixture
def batch(tmp_path, short, capsys) -> tuple[Path, Path]:
    """An untouched experiment (3 parts of 4 rows) and a copy to tamper with."""
    whole = tmp_path / "whole"
    assert _main(capsys, *batch_args(short, whole))[0] == 0
    copy = tmp_path / "copy"
    shutil.copytree(whole, copy)
    return whole, copy


class Replace:
    """An edit that replaces the whole manifest."""

    def __init__(self, value) -> None:
        self.value = value


def edit_json(path: Path, change) -> None:
    """Apply ``change`` to the JSON in ``path`` (in place; or a :class:`Replace` for another value)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    result = change(data)
    if isinstance(result, Replace):
        data = result.value
    path.write_text(json.dumps(data), encoding="utf-8")


# -- 3. resume checks each part against the manifest ----------------------------------------------------------------

def test_resume_recomputes_a_truncated_part(capsys, short, batch):
    whole, copy = batch
    part = copy / "results" / "part-00001.parquet"
    part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])
    code, _, err = _main(capsys, *batch_args(short, copy), "--resume")
    assert code == 0, err
    assert digest(copy) == digest(whole)


def test_resume_recomputes_a_part_replaced_by_a_copy_of_another(capsys, short, batch):
    whole, copy = batch
    shutil.copyfile(copy / "results" / "part-00000.parquet", copy / "results" / "part-00001.parquet")
    code, _, err = _main(capsys, *batch_args(short, copy), "--resume")
    assert code == 0, err
    assert (copy / "summary.csv").read_text() == (whole / "summary.csv").read_text()
    assert digest(copy) == digest(whole)


def test_the_manifest_records_each_part_as_it_completes(tmp_path):
    sc = sim.load_scenario_text(SHORT, "short.yaml", base_dir=SCENARIO_DIR)
    design = make_design(sc, grid=parse_grid([GRID], sc))
    exp = Experiment(sc, design, 6, 5, [parse_outcome("DPRK.hard_currency_usd", sc)], 4)
    out = tmp_path / "x"
    seen = []

    class Watching(InProcess):
        def run(self, fn, tasks, chunk_size):
            for task, table in super().run(fn, tasks, chunk_size):
                yield task, table
                # resumed once the part is written: the manifest on disk records it already
                seen.append(json.loads((out / "manifest.json").read_text())["parts"])

    run_experiment(exp, out, executor=Watching())
    assert [len(p) for p in seen] == [1, 2, 3]
    final = json.loads((out / "manifest.json").read_text())
    for k in range(3):
        name = f"results/part-{k:05d}.parquet"
        record = final["parts"][name]
        assert record["sha256"] == hashlib.sha256((out / name).read_bytes()).hexdigest()
        assert record["rows"] == pq.read_metadata(out / name).num_rows == 4


# -- 3. replay refuses an edited manifest ---------------------------------------------------------------------------

@pytest.fixture
def run_dir(tmp_path, short, capsys) -> Path:
    out = tmp_path / "run"
    assert _main(capsys, "run", short, "--members", 4, "--set", "params.war_intensity_target=0.4", "--out", out)[0] == 0
    return out


RUN_EDITS = {
    "scenario_hash": lambda m: m.update(scenario_hash="0" * 64),
    "scenario (not its hash)": lambda m: m["scenario"].update(description="edited"),
    "scenario param (not its hash)": lambda m: m["scenario"]["params"].update(war_intensity_target=0.9),
    "settings": lambda m: m.update(settings={"params.war_intensity_target": 0.1}),
    "months": lambda m: m.update(months=12),
}


@pytest.mark.parametrize("edit", list(RUN_EDITS), ids=list(RUN_EDITS))
def test_replay_refuses_an_edited_run_manifest(capsys, run_dir, edit):
    edit_json(run_dir / "manifest.json", RUN_EDITS[edit])
    code, out, err = _main(capsys, "replay", run_dir)
    assert code == 2, f"replayed an edited manifest: {out}"
    one_paragraph(err)
    assert "manifest.json" in err and "identical" not in out


BATCH_EDITS = {
    "scenario_hash": lambda m: m.update(scenario_hash="0" * 64),
    "scenario (not its hash)": lambda m: m["scenario"].update(description="edited"),
    "design_hash": lambda m: m.update(design_hash="0" * 64),
    "parts": lambda m: m.update(parts={}) if "parts" in m else m.update(rows=5),
}


@pytest.mark.parametrize("edit", list(BATCH_EDITS), ids=list(BATCH_EDITS))
def test_replay_refuses_an_edited_batch_manifest(capsys, batch, edit):
    _, copy = batch
    edit_json(copy / "manifest.json", BATCH_EDITS[edit])
    code, out, err = _main(capsys, "replay", copy)
    assert code == 2, f"replayed an edited manifest: {out}"
    one_paragraph(err)
    assert "manifest.json" in err and "identical" not in out


def test_replay_still_accepts_what_was_written(capsys, run_dir, batch):
    for folder in (run_dir, batch[1]):
        code, out, err = _main(capsys, "replay", folder)
        assert code == 0, err
        assert "identical" in out and "DIFFERENT" not in out


# -- 3. crafted manifests: a clear error, never a traceback, a memory error or a hang -------------------------------

def _limited() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


def replay_subprocess(folder: Path) -> tuple[int | None, str]:
    """``peninsula replay FOLDER`` in a child with at most 4 GB of address space and 120 s."""
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", "replay", str(folder)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_limited,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate(timeout=10)
        return None, err
    return proc.returncode, err


CRAFTED_RUN = {
    "ids up to 1e12 (int)": lambda m: m["members"].update(ids=[[0, 10**12]]),
    "ids up to 1e12 (float)": lambda m: m["members"].update(ids=[[0, 1e12]]),
    "ids beyond 2**63": lambda m: m["members"].update(ids=[[2**63 - 1, 2**64]]),
    "ids of 20 million members": lambda m: m["members"].update(ids=[[0, 19_999_999]]),
    "not an object": lambda m: Replace([]),
    "outputs a list": lambda m: m.update(outputs=["results.parquet"]),
    "members missing": lambda m: m.pop("members"),
    "seed a string": lambda m: m.update(seed="forty-two"),
}


@pytest.mark.parametrize("craft", list(CRAFTED_RUN), ids=list(CRAFTED_RUN))
def test_a_crafted_run_manifest_is_a_clear_error(run_dir, craft):
    edit_json(run_dir / "manifest.json", CRAFTED_RUN[craft])
    code, err = replay_subprocess(run_dir)
    assert code == 2 and "Traceback" not in err, f"exit {code}: {err[-2000:]}"
    assert "manifest.json" in err and len(err.strip().splitlines()) == 1, err


CRAFTED_BATCH = {
    "partition_rows 0": lambda m: m.update(partition_rows=0),
    "members_per_point 0": lambda m: m.update(members_per_point=0),
    "members_per_point 1e12": lambda m: m.update(members_per_point=10**12, rows=2 * 10**12),
    "outputs missing": lambda m: m.pop("outputs"),
    "scenario missing": lambda m: m.pop("scenario"),
    "seed a string": lambda m: m.update(seed="x"),
    "outcomes not indicators": lambda m: m.update(outcomes=["DPRK.nope"]),
    "not an object": lambda m: Replace([]),
}


@pytest.mark.parametrize("craft", list(CRAFTED_BATCH), ids=list(CRAFTED_BATCH))
def test_a_crafted_batch_manifest_is_a_clear_error(batch, craft):
    _, copy = batch
    edit_json(copy / "manifest.json", CRAFTED_BATCH[craft])
    code, err = replay_subprocess(copy)
    assert code == 2 and "Traceback" not in err, f"exit {code}: {err[-2000:]}"
    assert "manifest.json" in err and len(err.strip().splitlines()) == 1, err


def test_resume_of_a_crafted_manifest_is_a_clear_error(capsys, short, batch):
    _, copy = batch
    edit_json(copy / "manifest.json", CRAFTED_BATCH["partition_rows 0"])
    code, _, err = _main(capsys, *batch_args(short, copy), "--resume")
    assert code == 2
    one_paragraph(err)
    assert "manifest.json" in err


# -- 4. durability: fsync before the rename that publishes ----------------------------------------------------------

@pytest.fixture
def io_log(monkeypatch):
    """Record os.fsync (with the path of the descriptor) and os.replace, in order."""
    log: list[tuple] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        log.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        return real_fsync(fd)

    def replace(src, dst, *args, **kwargs):
        log.append(("replace", os.path.abspath(src), os.path.abspath(dst)))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    return log


def _synced_before(log, path: str, before: int) -> bool:
    return any(e[0] == "fsync" and e[1] == path for e in log[:before])


def test_a_run_is_fsynced_before_it_is_published(tmp_path, io_log):
    sc = sim.load_scenario_text(SHORT, "short.yaml", base_dir=SCENARIO_DIR)
    target = tmp_path / "run"
    sim.run(sc, members=3, seed=1).save(target)
    publish = next(i for i, e in enumerate(io_log) if e[0] == "replace" and e[2] == str(target))
    tmp = io_log[publish][1]
    for name in ("results.parquet", "choices.parquet", "manifest.json"):
        assert _synced_before(io_log, f"{tmp}/{name}", publish), f"{name} not fsynced before the rename: {io_log}"
    assert _synced_before(io_log, tmp, publish), "the folder's entries not fsynced before the rename"
    assert any(e == ("fsync", str(tmp_path)) for e in io_log[publish:]), "the rename itself not fsynced"


def test_batch_files_are_fsynced_before_they_are_published(tmp_path, io_log):
    sc = sim.load_scenario_text(SHORT, "short.yaml", base_dir=SCENARIO_DIR)
    design = make_design(sc, grid=parse_grid([GRID], sc))
    exp = Experiment(sc, design, 6, 5, [parse_outcome("DPRK.hard_currency_usd", sc)], 4)
    out = tmp_path / "x"
    run_experiment(exp, out)
    published = {e[2]: i for i, e in enumerate(io_log) if e[0] == "replace"}
    names = ["design.csv", "design.parquet", "summary.csv", "manifest.json",
             *(f"results/part-{k:05d}.parquet" for k in range(3))]
    for name in names:
        target = str(out / name)
        assert target in published, f"{name} not written by a rename"
        i = max(j for j, e in enumerate(io_log) if e[0] == "replace" and e[2] == target)
        src = io_log[i][1]
        assert _synced_before(io_log, src, i), f"{name} not fsynced before the rename"
        parent = str(Path(target).parent)
        assert any(e == ("fsync", parent) for e in io_log[i:]), f"{name}: the folder not fsynced after the rename"


# -- 5. newcomer CLI defects --------------------------------------------------------------------------------------

def _out_paths(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    return {"parent is a file": blocker / "out", "under /proc": Path("/proc/peninsula-no-such/out")}


@pytest.mark.parametrize("kind", ["parent is a file", "under /proc"])
@pytest.mark.parametrize("command", ["run", "batch", "sensitivity", "check", "play"])
def test_an_out_that_cannot_be_written_is_a_clear_error(capsys, tmp_path, short, kind, command):
    out = _out_paths(tmp_path)[kind]
    argv = {
        "run": ["run", short, "--members", 2, "--out", out],
        "batch": ["batch", short, "--members", 2, "--quiet", "--out", out],
        "sensitivity": ["sensitivity", short, "--method", "morris", "--samples", 2, "--members", 1, "--quiet",
                        "--outcome", "DPRK.food_security", "--out", out],
        "check": ["check", short, "--members", 2, "--out", out],
        "play": ["play", "pyongyang_bargain", "--members", 2, "--report", out],
    }[command]
    code, _, err = _main(capsys, *argv)
    assert code == 2
    one_paragraph(err)
    assert str(out.parent) in err or str(out) in err, err


MEMBERS_COMMANDS = {
    "run": ["run", "baseline"],
    "batch": ["batch", "baseline", "--quiet"],
    "sensitivity": ["sensitivity", "baseline", "--method", "sobol", "--outcome", "DPRK.food_security"],
    "check": ["check", "baseline"],
    "compare": ["compare", "baseline", "baseline"],
    "play": ["play", "pyongyang_bargain"],
}


@pytest.mark.parametrize("command", list(MEMBERS_COMMANDS))
@pytest.mark.parametrize("value", ["1e12", "2.5", "ten"])
def test_members_must_be_a_whole_number(capsys, tmp_path, command, value):
    code, _, err = _main(capsys, *MEMBERS_COMMANDS[command], "--members", value, *(
        ["--out", tmp_path / "o"] if command in ("run", "batch", "sensitivity") else []))
    assert code == 2
    one_paragraph(err)
    assert "whole number" in err and repr(value) in err and err.count("--members") == 1, err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("command", list(MEMBERS_COMMANDS))
def test_members_above_the_maximum_are_refused_before_anything_is_allocated(capsys, tmp_path, command):
    code, _, err = _main(capsys, *MEMBERS_COMMANDS[command], "--members", "1000000000000", *(
        ["--out", tmp_path / "o"] if command in ("run", "batch", "sensitivity") else []))
    assert code == 2
    one_paragraph(err)
    assert "10,000,000" in err and err.count("--members") == 1, err


# -- 6. an existing output folder is refused unless --overwrite ----------------------------------------------------

def test_run_refuses_an_earlier_run_unless_overwrite(capsys, tmp_path, short):
    out = tmp_path / "run"
    assert _main(capsys, "run", short, "--members", 3, "--out", out)[0] == 0
    code, _, err = _main(capsys, "run", short, "--members", 4, "--out", out)
    assert code == 2
    one_paragraph(err)
    assert "--overwrite" in err and str(out) in err
    assert json.loads((out / "manifest.json").read_text())["members"]["count"] == 3, "the earlier run was replaced"
    assert _main(capsys, "run", short, "--members", 4, "--out", out, "--overwrite")[0] == 0
    assert json.loads((out / "manifest.json").read_text())["members"]["count"] == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run", "short.yaml"]


def test_batch_overwrite_starts_afresh(capsys, tmp_path, short):
    out = tmp_path / "x"
    args = ["batch", short, "--members", 2, "--quiet", "--out", out]
    assert _main(capsys, *args)[0] == 0
    code, _, err = _main(capsys, *args, "--seed", 7)
    assert code == 2
    one_paragraph(err)
    assert "--overwrite" in err and "--resume" in err
    code, _, err = _main(capsys, *args, "--seed", 7, "--overwrite", "--resume")
    assert code == 2 and "not both" in err
    assert _main(capsys, *args, "--seed", 7, "--overwrite")[0] == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 7 and manifest["complete"]


def test_batch_overwrite_keeps_a_folder_of_something_else(capsys, tmp_path, short):
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    code, _, err = _main(capsys, "batch", short, "--members", 2, "--quiet", "--out", other, "--overwrite")
    assert code == 2 and "holds no Peninsula experiment" in err
    assert [p.name for p in other.iterdir()] == ["notes.txt"]


def test_sensitivity_refuses_an_earlier_experiment_unless_overwrite(capsys, tmp_path, short):
    out = tmp_path / "s"
    args = ["sensitivity", short, "--method", "morris", "--samples", 2, "--members", 1, "--quiet",
            "--outcome", "DPRK.food_security", "--out", out]
    assert _main(capsys, *args)[0] == 0
    code, _, err = _main(capsys, *args, "--seed", 3)
    assert code == 2
    one_paragraph(err)
    assert "--overwrite" in err
    assert _main(capsys, *args, "--seed", 3, "--overwrite")[0] == 0
    assert json.loads((out / "manifest.json").read_text())["seed"] == 3


# -- 7. one prefix per error; batch --members defaults to the scenario's --------------------------------------------

@pytest.mark.parametrize("argv, option", [
    (["batch", "baseline", "--jobs", "0"], "--jobs"),
    (["batch", "baseline", "--partition", "0"], "--partition"),
    (["batch", "baseline", "--chunk-size", "0"], "--chunk-size"),
    (["batch", "baseline", "--design", "lhs"], "--samples"),
    (["batch", "baseline", "--members", "0"], "--members"),
    (["batch", "baseline", "--members", "1e12"], "--members"),
    (["run", "baseline", "--members", "-3"], "--members"),
    (["run", "baseline", "--seed", "-1"], "--seed"),
    (["dashboard", "--port", "99999", "--no-browser"], "--port"),
])
def test_an_error_names_its_option_once(capsys, tmp_path, argv, option):
    code, _, err = _main(capsys, *argv, *(["--quiet", "--out", tmp_path / "o"] if argv[0] == "batch" else
                                          ["--out", tmp_path / "o"] if argv[0] == "run" else []))
    assert code == 2
    one_paragraph(err)
    assert err.count(option) == 1, err


def test_batch_members_default_to_the_scenarios(capsys, tmp_path, short):
    out = tmp_path / "x"
    assert _main(capsys, "batch", short, "--quiet", "--out", out)[0] == 0
    assert json.loads((out / "manifest.json").read_text())["members_per_point"] == 3  # short.yaml: members 3
    code, text, _ = _main(capsys, "batch", "--help")
    assert code == 0 and "default 1)" not in text and "scenario's" in text
