"""The dashboard served by ``streamlit run`` on a free local port, for the browser tests and ``bench/redraw.py``.

One place for starting the server (bound to 127.0.0.1, headless, no usage statistics, no file
watcher), waiting until ``/_stcore/health`` answers ``ok``, and stopping it: the server runs in
a process group of its own, which is ended as a whole (SIGTERM, then SIGKILL after 10 s), so no
child of it outlives the tests or the benchmark.

Importable from the browser tests (pytest puts this folder on ``sys.path`` for its conftest) and
from the benchmarks (``bench/redraw.py`` adds this folder to ``sys.path``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard" / "app.py"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")


def find_chromium() -> str | None:
    """Debian's Chromium, if installed (never one downloaded by ``playwright install``)."""
    for c in CHROMIUM_CANDIDATES:
        path = c if os.path.isabs(c) else shutil.which(c)
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StreamlitServer:
    """``streamlit run APP`` on 127.0.0.1: start (waiting for health), stop, start again on the same port.

    Args:
        log: file that receives the server's output (appended to, one header per start).
        port: the port; a free one by default.
        env: extra environment variables for the server.
        app: the script to serve (the dashboard by default).
    """

    def __init__(self, log: Path, *, port: int | None = None, env: Mapping[str, str] | None = None,
                 app: Path = APP) -> None:
        self.log_path = Path(log)
        self.port = port or free_port()
        self.env = dict(env or {})
        self.app = Path(app)
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self._log = None

    def command(self) -> list[str]:
        return [sys.executable, "-m", "streamlit", "run", str(self.app), "--server.headless", "true",
                "--server.port", str(self.port), "--server.address", "127.0.0.1",
                "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]

    def start(self, timeout: float = 60.0) -> str:
        """Start the server and wait until ``/_stcore/health`` answers ``ok``. Returns its URL."""
        self.starts += 1
        self._log = open(self.log_path, "a", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self._log.write(f"\n--- server start {self.starts}: port {self.port} ---\n")
        self._log.flush()
        self.proc = subprocess.Popen(self.command(), cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT,
                                     env={**os.environ, **self.env}, start_new_session=True)
        deadline = time.monotonic() + timeout
        try:
            while True:
                if self.proc.poll() is not None:
                    self._log.flush()
                    raise RuntimeError(f"the Streamlit server exited with {self.proc.returncode}; see "
                                       f"{self.log_path}:\n" + self.log_path.read_text()[-2000:])
                with contextlib.suppress(OSError):
                    with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                        if r.read().decode().strip() == "ok":
                            return self.url
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the Streamlit server did not answer /_stcore/health within {timeout:g} s")
                time.sleep(0.2)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """End the server's process group: SIGTERM, and SIGKILL if it is still there after 10 s."""
        proc, self.proc = self.proc, None
        if proc is not None:
            self._signal(proc, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                self._signal(proc, signal.SIGKILL)
                proc.wait(10)
        if self._log is not None:
            self._log.close()
            self._log = None

    @staticmethod
    def _signal(proc: subprocess.Popen, sig: int) -> None:
        # start_new_session=True made the server the leader of its own group: the group id is its pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)

    def __enter__(self) -> StreamlitServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
