"""Where a sweep's chunks run: in this process, any ``concurrent.futures`` executor, a new
Dask ``LocalCluster`` or an existing Dask scheduler.

A local cluster's workers are forked from a fork server that has imported Dask and the
evaluator's modules once, rather than spawned as fresh interpreters that each import them
(and that take over a second each to shut down); they import the evaluator's module before
their first task (Dask ``preload``) and do not run Dask's statistical profiler, which samples
the task thread's stack every 10 ms for a dashboard nobody watches in a sweep.
A worker that dies is replaced by its nanny and the task retried (Dask ``retries=`` and
``allowed-failures``).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import importlib
import multiprocessing
import multiprocessing.forkserver
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from mineralgame.experiments.spec import Execution

# Dask keeps the last N messages of every batched stream for debugging; those messages hold
# the tasks' run specs, so a long sweep would grow the driver by N tasks' worth.
DASK_MESSAGE_LOG = 8
SWEEP_DASK_CONFIG = {
    "distributed.admin.low-level-log-length": DASK_MESSAGE_LOG,
    "distributed.worker.profile.enabled": False,
    "distributed.worker.multiprocessing-method": "forkserver",
    "distributed.admin.tick.interval": "1s",  # event-loop health checks (default 20 ms)
}
WORKER_SETUP = "mineralgame.experiments.worker_setup"


class SerialExecutor(cf.Executor):
    """Runs each task in the calling process when it is submitted (tests, pdb)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        """Run ``fn(*args, **kwargs)`` now; return a finished future."""
        future: cf.Future[Any] = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


@contextlib.contextmanager
def open_executor(
    execution: Execution,
    workers: int | None,
    scheduler: str | None,
    serial: bool,
    executor: cf.Executor | None,
    preload: Sequence[str] = (),
) -> Iterator[tuple[cf.Executor, int, str]]:
    """Yield (executor, worker count, backend name); close what was opened here.

    Args:
        execution: The experiment's execution settings (task retries).
        workers: Worker processes of a new local cluster (default: all cores).
        scheduler: Address or scheduler file of an existing Dask cluster.
        serial: Run tasks in this process.
        executor: An executor to use as it is.
        preload: Modules a new local cluster's workers import while they start.
    """
    if executor is not None:
        yield executor, workers or os.cpu_count() or 1, "executor"
        return
    if serial:
        yield SerialExecutor(), 1, "serial"
        return
    import dask

    importlib.import_module("distributed")  # load its config defaults before overriding them
    with (
        dask.config.set(SWEEP_DASK_CONFIG),
        dask_client(workers, scheduler, preload) as (client, n, name),
    ):
        yield client.get_executor(retries=execution.task_retries, pure=False), n, name


@contextlib.contextmanager
def dask_client(
    workers: int | None, scheduler: str | None, preload: Sequence[str] = ()
) -> Iterator[tuple[Any, int, str]]:
    """Yield (client, worker threads, backend name) of a new local cluster or a scheduler."""
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler:
        is_file = Path(scheduler).is_file()
        client = Client(scheduler_file=scheduler) if is_file else Client(scheduler)
        client.wait_for_workers(1, timeout=120)
        n = sum(w["nthreads"] for w in client.scheduler_info()["workers"].values())
        name = str(client.scheduler.address) if client.scheduler else scheduler
    else:
        n = workers or os.cpu_count() or 1
        preload_fork_server(preload)
        cluster = LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            preload=[WORKER_SETUP, *preload],
        )
        client, name = Client(cluster), "local"
    try:
        yield client, n, name
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def preload_fork_server(modules: Sequence[str]) -> None:
    """Have the fork server import Dask and ``modules`` before it forks workers.

    Takes effect when the fork server starts (the first local cluster of this process, or
    ``start_fork_server``); a module that fails to import there is skipped by
    ``multiprocessing``. Dask's own fork-server set-up (``distributed.utils.get_mp_context``)
    then finds the server running and changes nothing.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["distributed", WORKER_SETUP, *modules])


def start_fork_server(modules: Sequence[str]) -> None:
    """Start the fork server now, so that it imports Dask and ``modules`` while this process
    imports Dask itself and prepares the sweep (a local cluster forks its workers from it)."""
    preload_fork_server(modules)
    multiprocessing.forkserver.ensure_running()
