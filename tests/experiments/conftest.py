"""Fixtures for the experiments tests: toy experiment files and a Dask cluster of processes."""

from __future__ import annotations

import contextlib
import copy
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DASK = Path(sys.executable).parent / "dask"

# A seeded random walk with series and events: 5 drifts x 2 plans x 3 replicates = 30 runs.
WALK: dict[str, Any] = {
    "name": "walk",
    "evaluator": "mineralgame.experiments.toys:random_walk",
    "root_seed": 11,
    "replicates": 3,
    "rounds": 8,
    "constants": {"sigma": 1.0},
    "uncertainties": {"drift": {"type": "real", "low": -0.5, "high": 0.5}},
    "levers": {"plan": {"type": "categorical", "values": ["a", "b"]}},
    "design": {"sampler": "full_factorial", "levels": 5},
    "outputs": {"series": {"every": 2}, "events": True},
}


def write_experiment(folder: Path, raw: dict[str, Any], name: str = "exp.yaml") -> Path:
    """Write an experiment mapping as YAML; return its path."""
    path = folder / name
    path.write_text(yaml.safe_dump(raw, sort_keys=False), "utf-8")
    return path


@pytest.fixture
def walk() -> dict[str, Any]:
    """A fresh copy of the random-walk experiment mapping."""
    return copy.deepcopy(WALK)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A scheduler and two single-thread workers started as separate processes on 127.0.0.1.

    Yields the scheduler file; every process is stopped at teardown.
    """
    folder = tmp_path_factory.mktemp("cluster")
    sched_file = folder / "scheduler.json"
    scheduler = [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0"]
    scheduler += ["--no-dashboard", "--scheduler-file", str(sched_file)]
    worker = [str(DASK), "worker", "--scheduler-file", str(sched_file), "--nthreads", "1"]
    worker += ["--nworkers", "1", "--no-dashboard", "--host", "127.0.0.1"]
    procs: list[subprocess.Popen[bytes]] = []
    with contextlib.ExitStack() as stack:
        try:
            procs.append(_start(stack, scheduler, folder / "scheduler.log"))
            _wait_for(sched_file.exists, 60, "scheduler file")
            for i in range(2):
                where = ["--local-directory", str(folder / f"w{i}")]
                procs.append(_start(stack, [*worker, *where], folder / f"worker{i}.log"))
            yield str(sched_file)
        finally:
            for proc in reversed(procs):
                _stop(proc)


def _start(stack: contextlib.ExitStack, cmd: list[str], log: Path) -> subprocess.Popen[bytes]:
    handle = stack.enter_context(log.open("wb"))
    return subprocess.Popen(
        cmd, cwd=log.parent, start_new_session=True, stdout=subprocess.DEVNULL, stderr=handle
    )


def _wait_for(check: Any, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not check():
        if time.monotonic() > end:
            raise TimeoutError(f"{what} did not appear within {timeout} s")
        time.sleep(0.1)


def dask_available() -> bool:
    """Whether the ``dask`` command line is installed next to this Python."""
    return DASK.exists() or shutil.which("dask") is not None
