"""Executors: in-process, local processes and Dask, side by side, behind one small interface.

The interface: ``run(fn, tasks, chunk_size)`` yields each task with its result as it
completes; ``close()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pyarrow as pa

from sim.errors import PeninsulaError


class InProcess:
    """Runs partitions one after another in this process (the default)."""

    name = "in-process"

    def run(self, fn: Callable, tasks: list[dict], chunk_size: int | None) -> Iterator[tuple[dict, pa.Table]]:
        """Each task's result, one after another."""
        for t in tasks:
            yield t, fn(t, chunk_size)

    def close(self) -> None:
        """Nothing to release: the work ran in this process."""


class Processes:
    """Local worker processes (``--jobs N``)."""

    def __init__(self, jobs: int) -> None:
        """Start a pool of ``jobs`` spawned processes (lazily, at the first task)."""
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        if jobs < 1:
            raise PeninsulaError(f"--jobs must be at least 1, got {jobs}", field="--jobs")
        self.name = f"processes:{jobs}"
        self.pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"))

    def run(self, fn, tasks, chunk_size):
        """Each task's result as its process finishes it."""
        from concurrent.futures import as_completed

        futures = {self.pool.submit(fn, t, chunk_size): t for t in tasks}
        try:
            for fut in as_completed(futures):
                yield futures[fut], fut.result()
        finally:
            for fut in futures:
                fut.cancel()

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
        from dask.distributed import as_completed

        futures = [self.client.submit(fn, t, chunk_size, pure=False) for t in tasks]
        owner = {f.key: t for f, t in zip(futures, tasks, strict=True)}
        try:
            for fut in as_completed(futures):
                yield owner[fut.key], fut.result()
        finally:
            for fut in futures:
                fut.cancel()

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
        raise PeninsulaError(f"--jobs must be at least 1, got {jobs}", field="--jobs")
    return InProcess()
