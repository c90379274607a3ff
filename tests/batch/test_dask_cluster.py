"""A real Dask cluster: `dask scheduler` and two `dask worker` processes started as commands of their own,
and `peninsula batch --dask tcp://127.0.0.1:PORT` gives the bytes of the in-process run."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import distributed  # noqa: F401  (a dependency, dask[distributed]: missing, this file must fail, not skip)

STARTUP_TIMEOUT = 30.0  # seconds: the scheduler listening, then both workers registered
RUN_TIMEOUT = 120
BATCH_ARGS = ["batch", "baseline", "--grid", "params.war_intensity_target=0.2,0.8", "--members", "30",
              "--partition", "15", "--seed", "7", "--outcome", "DPRK.food_security@2025-06",
              "--outcome", "RUS.munitions_shortfall", "--quiet"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log_tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class Cluster:
    """The scheduler and workers as subprocesses, each in a session (process group) of its own."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.procs: list[tuple[subprocess.Popen, Path]] = []

    def start(self, name: str, args: list[str]) -> subprocess.Popen:
        log = self.folder / f"{name}.log"
        # The venv's Python runs the `dask` command, so the workers import this installation of sim.
        proc = subprocess.Popen([sys.executable, "-m", "dask", *args], cwd=self.folder, stdin=subprocess.DEVNULL,
                                stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append((proc, log))
        return proc

    def logs(self) -> str:
        return "\n".join(f"--- {log.name} (exit {p.poll()}) ---\n{log_tail(log)}" for p, log in self.procs)

    def stop(self) -> None:
        """terminate, wait, kill: each process we started and its children (a worker's nanny starts one)."""
        for proc, _ in reversed(self.procs):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for proc, _ in reversed(self.procs):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # the group outlives its leader if a child lingers
            except ProcessLookupError:
                pass
            proc.wait(timeout=10)


def wait_listening(proc: subprocess.Popen, port: int, cluster: Cluster) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the scheduler exited ({proc.returncode}) before listening\n{cluster.logs()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)  # a poll interval, not a wait for readiness
    pytest.fail(f"the scheduler did not listen on port {port} within {STARTUP_TIMEOUT:g} s\n{cluster.logs()}")


def batch(out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim.cli", *BATCH_ARGS, "--out", str(out), *extra],
                          capture_output=True, text=True, timeout=RUN_TIMEOUT, stdin=subprocess.DEVNULL)


def outputs(folder: Path) -> dict[str, str]:
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["complete"]
    return {name: rec["sha256"] for name, rec in manifest["outputs"].items()}


def test_a_scheduler_and_two_workers_started_as_commands_give_the_same_bytes(tmp_path):
    from dask.distributed import Client

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    cluster = Cluster(tmp_path)
    try:
        scheduler = cluster.start("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", str(port),
                                                "--no-dashboard"])
        wait_listening(scheduler, port, cluster)
        for i in range(2):
            cluster.start(f"worker-{i}", ["worker", address, "--nthreads", "1", "--no-dashboard",
                                          "--name", f"peninsula-{i}", "--local-directory", str(tmp_path / f"w{i}"),
                                          "--death-timeout", "60"])
        with Client(address, timeout="10s") as client:
            try:
                client.wait_for_workers(2, timeout=STARTUP_TIMEOUT)
            except TimeoutError:
                pytest.fail(f"two workers did not register within {STARTUP_TIMEOUT:g} s\n{cluster.logs()}")
            assert len(client.nthreads()) == 2

        on_cluster = batch(tmp_path / "dask", "--dask", address)
        assert on_cluster.returncode == 0, on_cluster.stderr + "\n" + cluster.logs()
        assert "Traceback" not in on_cluster.stderr
    finally:
        cluster.stop()
    assert all(p.poll() is not None for p, _ in cluster.procs)

    here = batch(tmp_path / "here")
    assert here.returncode == 0, here.stderr
    manifest = json.loads((tmp_path / "dask" / "manifest.json").read_text())
    assert manifest["executor"] == f"dask:{address}" and manifest["partitions"] == 4
    dask_out, here_out = outputs(tmp_path / "dask"), outputs(tmp_path / "here")
    assert {"summary.csv", "results/part-00000.parquet", "results/part-00003.parquet"} <= set(dask_out)
    assert dask_out == here_out
    # ... and the files on disk are those bytes.
    for name, sha in dask_out.items():
        assert hashlib.sha256((tmp_path / "dask" / name).read_bytes()).hexdigest() == sha, name
