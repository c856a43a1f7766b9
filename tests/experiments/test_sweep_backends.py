"""Same results serially, on local processes and on a Dask cluster; crashes are survived.

The cluster is a scheduler and two workers started as separate processes on 127.0.0.1; the
driver of a sweep is killed with SIGKILL and run again; a worker dies in the middle of a task.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import write_experiment

from mineralgame.experiments.runner import run_experiment
from mineralgame.experiments.spec import Experiment
from mineralgame.experiments.store import open_results

pytestmark = pytest.mark.slow


def results_of(folder: Path) -> dict[str, pd.DataFrame]:
    """Outcome tables of a sweep, without timings and worker names, in a canonical order."""
    with open_results(folder) as res:
        runs = res.sql("SELECT run_id, status, seed, final, peak FROM runs ORDER BY run_id")
        series = res.sql("SELECT * FROM series ORDER BY run_id, round, country")
        events = res.sql("SELECT * FROM events ORDER BY run_id, round, actor")
    return {"runs": runs, "series": series, "events": events}


def test_identical_results_serial_local_and_cluster(
    tmp_path: Path, walk: dict[str, Any], dask_cluster: str
) -> None:
    exp = Experiment.model_validate({**walk, "design": {"sampler": "lhs", "n": 8}})
    serial = run_experiment(exp, tmp_path / "serial", serial=True, progress=False)
    local = run_experiment(exp, tmp_path / "local", workers=2, progress=False)
    address = json.loads(Path(dask_cluster).read_text())["address"]  # Client(address)
    cluster = run_experiment(exp, tmp_path / "cluster", scheduler=address, progress=False)
    assert serial.executed == local.executed == cluster.executed == 48
    assert (local.backend, cluster.workers) == ("local", 2)
    assert cluster.backend == address
    expected = results_of(tmp_path / "serial")
    assert len(expected["series"]) == 48 * 5 * 2
    for name in ("local", "cluster"):
        got = results_of(tmp_path / name)
        for table, frame in expected.items():
            pd.testing.assert_frame_equal(
                got[table], frame, check_exact=True, obj=f"{name}.{table}"
            )
    with open_results(tmp_path / "cluster") as res:
        assert res.runs()["worker"].nunique() == 2  # both workers took part


def test_worker_killed_mid_task_is_retried(
    tmp_path: Path, walk: dict[str, Any], dask_cluster: str
) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    constants = {"sigma": 1.0, "die_once_dir": str(markers), "die_once_rows": [0, 5]}
    raw = {**walk, "constants": constants, "execution": {"chunk_size": 3}}
    report = run_experiment(
        Experiment.model_validate(raw), tmp_path / "out", scheduler=dask_cluster, progress=False
    )
    assert (report.executed, report.failed) == (30, 0)
    killed = dict(p.read_text().split()[::-1] for p in markers.iterdir())  # run id -> pid
    assert len(killed) == 2  # one worker died in design row 0, one in row 5
    with open_results(tmp_path / "out") as res:
        st = res.status()
        runs = res.runs().set_index("run_id")
    assert (st.ok, st.failed, st.pending, st.duplicate_rows) == (30, 0, 0, 0)
    for run_id, pid in killed.items():
        assert not runs.loc[run_id, "worker"].endswith(f":{pid}")  # finished by a new process


def test_a_run_that_always_kills_its_worker_fails_alone(
    tmp_path: Path, walk: dict[str, Any], dask_cluster: str
) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    constants = {"sigma": 1.0, "die_once_dir": str(markers), "die_once_rows": [3]}
    constants["die_always"] = True
    raw = {**walk, "constants": constants, "execution": {"chunk_size": 3, "task_retries": 0}}
    report = run_experiment(
        Experiment.model_validate(raw), tmp_path / "out", scheduler=dask_cluster, progress=False
    )
    assert (report.executed, report.failed) == (30, 3)  # the chunk of design row 3
    with open_results(tmp_path / "out") as res:
        failed = res.runs(status="failed")
        records = res.failures()
    assert set(failed["design_row"]) == {3}
    assert {r["error_type"] for r in records} == {"KilledWorker"}


def _sweep_cmd(exp_file: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "mineralgame.cli",
        "sweep",
        str(exp_file),
        "--out",
        str(out),
        "--workers",
        "2",
        "--no-progress",
    ]


def test_sigkill_of_the_driver_then_resume_completes_exactly_the_rest(
    tmp_path: Path, walk: dict[str, Any]
) -> None:
    raw = {
        **walk,
        "constants": {"sigma": 1.0, "sleep_s": 0.05},
        "design": {"sampler": "lhs", "n": 20},
        "execution": {"chunk_size": 2},
    }
    exp_file = write_experiment(tmp_path, raw)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        _sweep_cmd(exp_file, out),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while len(list((out / "parts" / "runs").glob("*.parquet"))) < 5:
            assert proc.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline, "the sweep made no progress"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    time.sleep(1.0)  # the workers notice their parent is gone and exit
    _kill_leftovers(proc.pid)
    with open_results(out) as res:
        done = res.status().ok
    assert 0 < done < 120
    again = subprocess.run(_sweep_cmd(exp_file, out), capture_output=True, text=True, timeout=180)
    assert again.returncode == 0, again.stderr
    assert f"{120 - done} runs executed (0 failed), {done} already done, 0 pending" in again.stdout
    with open_results(out) as res:
        st = res.status()
        assert (st.total, st.ok, st.pending, st.duplicate_rows) == (120, 120, 0, 0)
        assert res.sql("SELECT count(*) AS n FROM runs_all")["n"].iloc[0] == 120
        assert len(res.series()) == 120 * 5 * 2


def _kill_leftovers(pgid: int) -> None:
    """Kill any process still in the killed sweep's process group (none is expected)."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        return


def test_driver_keeps_no_finished_run_specs(tmp_path: Path) -> None:
    """The driver's memory stays flat: finished tasks' run specs are not retained anywhere."""
    import gc

    from mineralgame.experiments.design import RunSpec, build_design, run_specs
    from mineralgame.experiments.executors import open_executor
    from mineralgame.experiments.runner import execute
    from mineralgame.experiments.toys import tiny

    exp = Experiment.model_validate(
        {
            "name": "flat",
            "evaluator": "mineralgame.experiments.toys:tiny",
            "root_seed": 1,
            "replicates": 200,
            "uncertainties": {"x": {"type": "real", "values": [1.0, 2.0, 3.0]}},
            "execution": {"chunk_size": 2},
        }
    )
    runs = build_design(exp).runs
    with open_executor(exp.execution, 2, None, False, None) as (ex, n, _):
        executed, _ = execute(ex, n, tiny, run_specs(exp, runs), len(runs), tmp_path, exp, False)
        gc.collect()
        alive = sum(isinstance(obj, RunSpec) for obj in gc.get_objects())
    assert executed == 600
    assert alive < 50  # 300 tasks went through; Dask's message logs would hold them all
