"""The ``peninsula`` command line: exit codes, outputs, and one-paragraph errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main as cli
from sim.indicators import KEY_INDICATORS
from sim.engine.results import CHOICES_FILE, MANIFEST_FILE, RESULTS_FILE

ROOT = Path(__file__).resolve().parents[2]
OUTPUTS = {RESULTS_FILE, CHOICES_FILE, MANIFEST_FILE}
BAD = "start: 2024-06\nmonths: soon\n"


def _main(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _one_paragraph_error(err: str) -> None:
    assert err.strip(), "nothing on stderr"
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, f"not one paragraph: {err!r}"


@pytest.fixture(scope="module")
def saved_run(tmp_path_factory):
    """One small run made with the CLI: (folder, stdout)."""
    out = tmp_path_factory.mktemp("cli") / "run"
    code = cli.main(["run", "baseline", "--members", "20", "--out", str(out)])
    assert code == 0
    return out


def test_run_writes_outputs_and_prints_key_indicators(capsys, tmp_path):
    out = tmp_path / "run"
    code, stdout, stderr = _main(capsys, "run", "baseline", "--members", 20, "--out", out)
    assert code == 0, stderr
    assert {p.name for p in out.iterdir()} == OUTPUTS
    for name in KEY_INDICATORS:
        assert name in stdout, f"{name} missing from the table"
    assert "median" in stdout
    manifest = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert manifest["members"]["count"] == 20


def test_run_with_seed_is_reproducible(capsys, tmp_path):
    for d in ("a", "b"):
        assert _main(capsys, "run", "baseline", "--members", 5, "--seed", 3, "--out", tmp_path / d)[0] == 0
    for name in (RESULTS_FILE, CHOICES_FILE):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_run_broken_file(capsys, tmp_path, write):
    bad = write(tmp_path, BAD, "broken.yaml")
    out = tmp_path / "never"
    code, stdout, stderr = _main(capsys, "run", bad, "--members", 20, "--out", out)
    assert code == 2
    _one_paragraph_error(stderr)
    assert "broken.yaml" in stderr and "months" in stderr and "line 2" in stderr
    assert not out.exists(), "an output folder was created for a broken scenario"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.yaml"]


def test_run_with_set(capsys, tmp_path):
    out = tmp_path / "run"
    code, _, stderr = _main(capsys, "run", "baseline", "--members", 5, "--out", out,
                            "--set", "params.war_intensity_target=0.1")
    assert code == 0, stderr
    manifest = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert manifest["settings"] == {"params.war_intensity_target": 0.1}
    assert manifest["scenario"]["params"]["war_intensity_target"] == 0.1


def test_run_with_unknown_parameter(capsys, tmp_path):
    out = tmp_path / "run"
    code, _, stderr = _main(capsys, "run", "baseline", "--members", 5, "--out", out, "--set", "params.nope=1")
    assert code == 2
    _one_paragraph_error(stderr)
    assert "nope" in stderr
    assert "war_intensity_target" in stderr and "cash_share" in stderr  # lists the known parameters
    assert not out.exists()


@pytest.mark.parametrize("item", ["x", "params.cash_share=lots", "params.cash_share=5"])
def test_run_with_bad_set(capsys, tmp_path, item):
    out = tmp_path / "run"
    code, _, stderr = _main(capsys, "run", "baseline", "--members", 5, "--out", out, "--set", item)
    assert code == 2
    _one_paragraph_error(stderr)
    assert not out.exists()


def test_run_refuses_a_folder_that_is_not_a_run(capsys, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    code, _, stderr = _main(capsys, "run", "baseline", "--members", 5, "--out", folder)
    assert code == 2
    _one_paragraph_error(stderr)
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"], "temporary folders left behind"


def test_run_replaces_an_earlier_run(capsys, tmp_path):
    out = tmp_path / "run"
    assert _main(capsys, "run", "baseline", "--members", 3, "--out", out)[0] == 0
    assert _main(capsys, "run", "baseline", "--members", 4, "--out", out, "--overwrite")[0] == 0
    assert json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))["members"]["count"] == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_run_missing_scenario(capsys, tmp_path):
    missing = tmp_path / "no_such_scenario.yaml"
    code, _, stderr = _main(capsys, "run", missing, "--members", 5, "--out", tmp_path / "run")
    assert code == 2
    _one_paragraph_error(stderr)
    assert "no_such_scenario.yaml" in stderr
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("args", [["--members", "0"], ["--seed", "-1"]])
def test_run_bad_numbers(capsys, tmp_path, args):
    code, _, stderr = _main(capsys, "run", "baseline", *args, "--out", tmp_path / "run")
    assert code == 2
    _one_paragraph_error(stderr)
    assert not (tmp_path / "run").exists()


def test_validate(capsys, tmp_path, write):
    good = write(tmp_path, "extends: baseline\nmonths: 12\n", "good.yaml")
    code, stdout, _ = _main(capsys, "validate", good)
    assert code == 0
    assert "good.yaml" in stdout
    bad = write(tmp_path, BAD, "bad.yaml")
    code, _, stderr = _main(capsys, "validate", bad)
    assert code == 2
    assert "bad.yaml" in stderr and "months" in stderr and "Traceback" not in stderr
    code, _, _ = _main(capsys, "validate", good, bad)
    assert code == 2


def test_schema(capsys):
    code, stdout, _ = _main(capsys, "schema")
    assert code == 0
    schema = json.loads(stdout)
    assert "months" in schema["properties"]


def test_indicators(capsys):
    code, stdout, _ = _main(capsys, "indicators")
    assert code == 0
    assert "DPRK.food_security" in stdout
    assert "relations.RUS-DPRK" in stdout


def test_replay_unchanged(capsys, saved_run):
    code, stdout, _ = _main(capsys, "replay", saved_run)
    assert code == 0
    assert RESULTS_FILE in stdout and CHOICES_FILE in stdout


def test_replay_detects_an_altered_results_file(capsys, tmp_path):
    out = tmp_path / "run"
    assert _main(capsys, "run", "baseline", "--members", 5, "--out", out)[0] == 0
    with open(out / RESULTS_FILE, "ab") as fh:
        fh.write(b"tampered")
    code, _, stderr = _main(capsys, "replay", out)
    assert code == 1, "replay did not notice that results.parquet was altered"


def test_replay_of_a_folder_that_is_not_a_run(capsys, tmp_path):
    code, _, stderr = _main(capsys, "replay", tmp_path)
    assert code == 2
    _one_paragraph_error(stderr)


def test_subprocess_exit_codes_and_no_traceback(tmp_path, write):
    bad = write(tmp_path, BAD, "broken.yaml")
    out = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "sim.cli", "run", str(bad), "--members", "5", "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "broken.yaml" in proc.stderr and "months" in proc.stderr
    assert not out.exists()


def test_dashboard_starts_for_a_first_time_user_without_a_terminal(tmp_path):
    """`peninsula dashboard` (the README's first command) on a machine where Streamlit has never run: no
    e-mail prompt on the terminal (stdin closed here), the server answers, the browser is opened ($BROWSER)."""
    import os
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    opened = tmp_path / "opened"
    env = dict(os.environ, HOME=str(tmp_path), BROWSER=f"{sys.executable} -c \"import sys; "
               f"open(r'{opened}', 'w').write(sys.argv[1])\" %s")
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", "dashboard", "--port", str(port)], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        health = None
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    health = r.read()
                    break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.5)
        assert health == b"ok", proc.stdout.read().decode() if proc.poll() is not None else "no answer"
        for _ in range(40):
            if opened.exists() and opened.read_text():
                break
            time.sleep(0.25)
        assert opened.read_text() == f"http://127.0.0.1:{port}"
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=20)
