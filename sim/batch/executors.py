"""Executors: in-process, local processes and Dask, side by side, behind one small interface.

The interface: ``run(fn, tasks, chunk_size)`` yields each task with its result as it
completes; ``close()``. ``tasks`` may be any iterable (a generator too): the local processes
and Dask keep only a few tasks in flight per worker, so a large experiment's tasks are never
all held at once.

Local worker processes die with the process that started them, even when it is killed with
SIGKILL (which nothing can catch): on Linux each worker asks the kernel for SIGKILL when its
parent dies (``prctl(PR_SET_PDEATHSIG)``), and on every platform a watchdog thread in the worker
exits when its parent is gone (its parent pid changes).
"""

from __future__ import annotations

import itertools
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator

import pyarrow as pa

from sim.errors import PeninsulaError

PR_SET_PDEATHSIG = 1
WATCHDOG_SECONDS = 0.5
IN_FLIGHT_PER_WORKER = 2


def _prctl():
    """The C library's ``prctl`` (Linux only), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl
    except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
        return None


def die_with_parent(parent: int, sig: int = signal.SIGKILL) -> Callable[[], None]:
    """A function to run in a new child process: ask for ``sig`` when its parent dies (Linux).

    For ``subprocess.Popen(preexec_fn=...)``: libc is loaded here, in the parent, so the child
    only makes the call. If the parent died before the call, the child exits at once.
    """
    prctl = _prctl()

    def arm() -> None:
        if prctl is not None:
            prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)

    return arm


def _watch_parent(parent: int) -> None:
    """Exit this process as soon as its parent is gone (it was re-parented)."""
    while True:
        time.sleep(WATCHDOG_SECONDS)
        if os.getppid() != parent:
            os._exit(1)


def worker_init(parent: int, pdeathsig: bool = True) -> None:
    """Initializer of every local worker process: die with ``parent``, the process that started the pool.

    ``pdeathsig``: also ask the kernel (Linux) for SIGKILL when the parent dies. The kernel sends it
    when the parent *thread* that started the worker ends (a pool starts its workers in the thread
    that submits), so :class:`Processes` asks for it only for pools made in the main thread, which
    are meant to be used there; the watchdog covers the rest (within :data:`WATCHDOG_SECONDS`).
    """
    if pdeathsig:
        die_with_parent(parent)()
    elif os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="peninsula-watch-parent", daemon=True).start()


class InProcess:
    """Runs partitions one after another in this process (the default)."""

    name = "in-process"

    def run(self, fn: Callable, tasks: Iterable[dict], chunk_size: int | None) -> Iterator[tuple[dict, pa.Table]]:
        """Each task's result, one after another."""
        for t in tasks:
            yield t, fn(t, chunk_size)

    def close(self) -> None:
        """Nothing to release: the work ran in this process."""


def _windowed(submit: Callable, wait_first: Callable, tasks: Iterable[dict], window: int):
    """Submit tasks keeping at most ``window`` in flight; yield (task, future) as each finishes."""
    pending: dict = {}
    it = iter(tasks)
    try:
        for t in itertools.islice(it, window):
            pending[submit(t)] = t
        while pending:
            for fut in wait_first(list(pending)):
                task = pending.pop(fut)
                for t in itertools.islice(it, 1):
                    pending[submit(t)] = t
                yield task, fut
    finally:
        for fut in pending:
            fut.cancel()


class Processes:
    """Local worker processes (``--jobs N``), which die with this process (see the module docstring)."""

    def __init__(self, jobs: int) -> None:
        """Start a pool of ``jobs`` spawned processes (lazily, at the first task)."""
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
            raise PeninsulaError(f"expected at least 1 worker process, got {jobs!r}", field="--jobs")
        self.name = f"processes:{jobs}"
        self.jobs = jobs
        main = threading.current_thread() is threading.main_thread()
        self.pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=worker_init, initargs=(os.getpid(), main))

    def run(self, fn, tasks, chunk_size):
        """Each task's result as its process finishes it."""
        from concurrent.futures import FIRST_COMPLETED, wait

        def wait_first(futures):
            return wait(futures, return_when=FIRST_COMPLETED).done

        for task, fut in _windowed(lambda t: self.pool.submit(fn, t, chunk_size), wait_first, tasks,
                                   self.jobs * IN_FLIGHT_PER_WORKER):
            yield task, fut.result()

    def close(self) -> None:
        """Stop the pool and its processes."""
        self.pool.shutdown(wait=True, cancel_futures=True)


class Dask:
    """A Dask cluster: ``local:N`` starts a LocalCluster of N workers; ``tcp://HOST:PORT`` joins one.

    Workers of an existing cluster must be able to ``import sim`` (install Peninsula there, the
    same version, Python, NumPy and pyarrow as here).
    """

    def __init__(self, address: str) -> None:
        """Start a LocalCluster (``local:N``) or connect to a scheduler (``tcp://HOST:PORT``)."""
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - dask is a dependency
            raise PeninsulaError("Dask is not installed (pip install 'dask[distributed]')", field="--dask") from None
        self.cluster = None
        if address.startswith("local:"):
            try:
                n = int(address.split(":", 1)[1])
            except ValueError:
                raise PeninsulaError(f"expected local:N with a number of workers, got {address!r}",
                                     field="--dask") from None
            if n < 1:
                raise PeninsulaError("local:N needs at least one worker", field="--dask")
            self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                                        dashboard_address=None)
            self.client = Client(self.cluster)
        else:
            if "://" not in address:
                raise PeninsulaError(f"expected local:N or tcp://HOST:PORT, got {address!r}", field="--dask")
            try:
                self.client = Client(address, timeout="5s")
            except (OSError, TimeoutError) as exc:
                raise PeninsulaError(f"cannot reach the Dask scheduler at {address} ({exc})", field="--dask") from None
        self.name = f"dask:{address}"

    def run(self, fn, tasks, chunk_size):
        """Each task's result as a worker finishes it."""
        from dask.distributed import wait

        def wait_first(futures):
            return wait(futures, return_when="FIRST_COMPLETED").done

        window = max(1, sum(self.client.nthreads().values())) * IN_FLIGHT_PER_WORKER
        for task, fut in _windowed(lambda t: self.client.submit(fn, t, chunk_size, pure=False), wait_first, tasks,
                                   window):
            yield task, fut.result()

    def close(self) -> None:
        """Disconnect, and stop the cluster if it was started here."""
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(jobs: int | None = None, dask: str | None = None):
    """The executor for ``--jobs`` / ``--dask`` (in-process when neither is given)."""
    if jobs and dask:
        raise PeninsulaError("give --jobs or --dask, not both", field="--jobs")
    if dask:
        return Dask(dask)
    if jobs and jobs > 1:
        return Processes(jobs)
    if jobs is not None and jobs < 1:
        raise PeninsulaError(f"expected at least 1 worker process, got {jobs}", field="--jobs")
    return InProcess()
