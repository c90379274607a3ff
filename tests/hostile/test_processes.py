"""Hostile process handling: signals to ``peninsula dashboard`` reach Streamlit, a killed
``peninsula batch --jobs 2`` takes its workers with it, and the dashboard refuses a taken
port or a bad address before starting Streamlit.

Every test here starts real processes (``python -m sim.cli``) on 127.0.0.1 only, bounds every
wait with a timeout, and kills whatever it started (by pid) when it ends.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")


# -- the process table, from /proc ---------------------------------------------------------------------------------

def _stat(pid: int) -> tuple[str, int] | None:
    """(state, ppid) of a process, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = text[text.rindex(")") + 2:].split()  # after "pid (comm) "
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    """True while the process exists and is not a zombie (a dead child nobody reaped yet)."""
    st = _stat(pid)
    return st is not None and st[0] not in ("Z", "X")


def children(parent: int) -> list[int]:
    """Pids of the live processes whose parent is ``parent``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            st = _stat(int(entry.name))
            if st is not None and st[1] == parent and st[0] not in ("Z", "X"):
                found.append(int(entry.name))
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def wait_until(predicate, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def kill_all(pids) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(args: list[str], tmp_path: Path, timeout: float = 60.0) -> tuple[int | None, str]:
    """Run ``python -m sim.cli ARGS`` in its own session; (exit code or None on timeout, stderr+stdout)."""
    env = dict(os.environ, HOME=str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", *args], cwd=tmp_path, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, text=True)
    try:
        text, _ = proc.communicate(timeout=timeout)
        return proc.returncode, text
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        text, _ = proc.communicate(timeout=10)
        return None, text


# -- 1. a signal to the dashboard stops Streamlit too ---------------------------------------------------------------

@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_to_the_dashboard_stops_streamlit(tmp_path, signum):
    port = free_port()
    log = open(tmp_path / "dashboard.log", "w")  # noqa: SIM115 - closed in finally
    env = dict(os.environ, HOME=str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", "dashboard", "--port", str(port), "--no-browser"],
                            cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    kids: list[int] = []
    try:
        def up() -> bool:
            if proc.poll() is not None:
                return True
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    return r.read().strip() == b"ok"
            except OSError:
                return False

        assert wait_until(up, 90, 0.3) and proc.poll() is None, (tmp_path / "dashboard.log").read_text()
        kids = children(proc.pid)
        assert kids, "the dashboard has no child process (Streamlit)"
        os.kill(proc.pid, signum)  # to the parent only, as `kill PID` or a service manager would
        gone = wait_until(lambda: proc.poll() is not None and not any(alive(k) for k in kids), 15)
        left = [f"{k}: {cmdline(k)}" for k in kids if alive(k)]
        assert gone, f"after {signum.name}: parent exit code {proc.poll()}, still running: {left}"
    finally:
        kill_all([k for k in kids if alive(k)])
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        log.close()


# -- 2. SIGKILL to a batch takes its worker processes with it -------------------------------------------------------

def test_sigkill_to_a_batch_kills_its_workers(tmp_path):
    grid = ",".join(f"{v / 10:g}" for v in range(1, 10))
    cmd = [sys.executable, "-m", "sim.cli", "batch", "baseline", "--grid", f"params.war_intensity_target={grid}",
           "--members", "50000", "--partition", "5000", "--jobs", "2", "--quiet",
           "--outcome", "DPRK.hard_currency_usd", "--out", str(tmp_path / "out")]
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=dict(os.environ, HOME=str(tmp_path)), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    workers: list[int] = []
    all_kids: list[int] = []
    try:
        def two_workers() -> bool:
            nonlocal workers
            workers = [k for k in children(proc.pid) if "spawn_main" in cmdline(k)]
            return len(workers) >= 2 or proc.poll() is not None

        assert wait_until(two_workers, 60, 0.05) and proc.poll() is None, \
            proc.stderr.read().decode() if proc.poll() is not None else "no workers appeared"
        all_kids[:] = children(proc.pid)  # the workers and multiprocessing's resource tracker
        time.sleep(1.0)  # let the workers start their first partitions
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        gone = wait_until(lambda: not any(alive(k) for k in all_kids), 10)
        left = [f"{k}: {cmdline(k)}" for k in all_kids if alive(k)]
        assert gone, f"orphans of the killed batch still running after 10 s: {left}"
    finally:
        kill_all([k for k in {*children(proc.pid), *workers, *all_kids} if alive(k)])
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        proc.stderr.close()


# -- 5. the dashboard's port and address are checked before Streamlit starts ----------------------------------------

def test_dashboard_on_a_port_already_in_use(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, text = run_cli(["dashboard", "--port", str(port), "--no-browser"], tmp_path, timeout=60)
    assert code == 2, f"exit code {code}: {text}"
    assert "Traceback" not in text
    assert f"port {port}" in text and "in use" in text, text
    assert "Streamlit" not in text and "You can now view" not in text, "Streamlit was started"


@pytest.mark.parametrize("address", ["999.1.1.1", "example.invalid", "not an address"])
def test_dashboard_with_a_bad_address(tmp_path, address):
    code, text = run_cli(["dashboard", "--address", address, "--port", str(free_port()), "--no-browser"], tmp_path,
                         timeout=60)
    assert code == 2, f"exit code {code}: {text}"
    assert "Traceback" not in text
    assert "--address" in text and address in text, text
    assert len([ln for ln in text.splitlines() if ln.strip()]) == 1, text
