"""Run an experiment's design (serially, on local processes or on Dask), resumably.

* The driver expands the design, writes ``design.parquet`` and skips every run already
  committed in ``parts/runs`` (so running the same command again continues a sweep).
* Runs are grouped into chunks sized from a pilot wave (about ``chunk_target_seconds`` per
  task, at least four tasks per worker) and submitted through a ``concurrent.futures``
  executor (``executors``): a Dask ``LocalCluster`` by default, an existing scheduler, any
  executor, or the in-process serial one. At most a few chunks per worker are in flight, so
  the driver's memory stays flat however long the sweep.
* Workers run ``chunks.run_chunk``: each run in a ``try`` (a run that raises is recorded with
  its traceback and the sweep goes on), results committed as Parquet parts.

The evaluator is any ``Callable[[RunSpec], RunOutput]`` (``evaluate``); the default runs the
model.
"""

from __future__ import annotations

import concurrent.futures as cf
import importlib.util
import itertools
import math
import os
import sys
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mineralgame.config.load import Problem
from mineralgame.experiments.chunks import ChunkReport, record_failure, run_chunk
from mineralgame.experiments.design import RunSpec, build_design, canonical_json, run_specs
from mineralgame.experiments.evaluate import (
    Evaluator,
    evaluate_model,
    parsed_scenario,
    resolve_evaluator,
    scenario_base,
)
from mineralgame.experiments.executors import open_executor, start_fork_server
from mineralgame.experiments.spec import MODEL_EVALUATOR, Execution, Experiment, ExperimentError
from mineralgame.experiments.store import (
    finished_run_ids,
    new_part_id,
    part_path,
    prepare_folder,
    record_invocation,
    sweep_lock,
    write_parquet_atomic,
)

MODEL_MODULES = ("mineralgame.api", "mineralgame.model")


@dataclass(frozen=True)
class SweepReport:
    """Outcome of one invocation of a sweep.

    Attributes:
        out: Results folder.
        total: Runs in the design.
        skipped: Runs already finished before this invocation.
        executed: Runs executed now.
        failed: Runs executed now that raised.
        pending: Runs still not finished (e.g. after ``max_runs``).
        wall_s: Wall time of the execution phase, from the first task submitted [s].
        startup_s: Time to start (or connect to) the workers [s].
        workers: Worker processes used.
        backend: 'serial', 'local', the scheduler address, 'executor', or 'none' when no
            run was left to do.
    """

    out: Path
    total: int
    skipped: int
    executed: int
    failed: int
    pending: int
    wall_s: float
    startup_s: float
    workers: int
    backend: str


@dataclass
class ChunkSizer:
    """Sizes chunks: single runs in a pilot wave, then about ``chunk_target_seconds`` of work
    per task, shrinking as the sweep nears its end so that no worker idles on a long tail."""

    execution: Execution
    workers: int
    run_s: list[float] = field(default_factory=list)

    def size(self, remaining: int) -> int:
        """Runs in the next chunk, given the runs not yet submitted."""
        if self.execution.chunk_size:
            return self.execution.chunk_size
        if not self.run_s:
            return 1
        per_run = max(sorted(self.run_s)[len(self.run_s) // 2], 1e-6)  # median
        target = round(self.execution.chunk_target_seconds / per_run)
        return max(1, min(target, math.ceil(remaining / (3 * self.workers))))

    def in_flight(self) -> int:
        """Chunks to keep submitted at once."""
        if not self.execution.chunk_size and not self.run_s:
            return self.workers
        return 2 * self.workers + 1

    def observe(self, report: ChunkReport) -> None:
        """Record a finished chunk's timing."""
        if report.runs:
            self.run_s.append(report.run_s / report.runs)


def run_experiment(
    exp: Experiment,
    out: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    serial: bool = False,
    executor: cf.Executor | None = None,
    max_runs: int | None = None,
    evaluator: Evaluator | None = None,
    progress: bool = True,
    retry_failed: bool = True,
) -> SweepReport:
    """Run (or continue) an experiment into a results folder.

    Args:
        exp: The experiment.
        out: Results folder; created if missing, continued if it holds this design.
        workers: Worker processes of the local cluster (default: all cores).
        scheduler: Address (tcp://host:port) or scheduler file of an existing Dask cluster.
        serial: Run in this process, without Dask.
        executor: Any ``concurrent.futures`` executor to use instead.
        max_runs: Execute at most this many pending runs now.
        evaluator: Run function; default: the one the experiment names.
        progress: Show a progress bar with ETA on standard error.
        retry_failed: Run again the runs whose last attempt failed.

    Returns:
        Counts and timings of this invocation.

    Raises:
        ExperimentError: if the folder holds another design or the parameters do not fit the
            scenario.
    """
    folder = Path(out)
    fn = evaluator or resolve_evaluator(exp.evaluator)
    preload = worker_preload(exp, fn)
    if executor is None and not serial and not scheduler:
        start_fork_server(preload)  # boots while the design is built and the folder prepared
    base = scenario_base(exp)
    design = build_design(exp, base)
    if exp.evaluator == MODEL_EVALUATOR and evaluator is None:
        check_overrides(exp, design.runs)
    with sweep_lock(folder):
        prepare_folder(folder, exp, design.runs, design.sample, base)
        done = finished_run_ids(folder, include_failed=not retry_failed)
        fail_fast = not finished_run_ids(folder) if retry_failed else not done
        todo = design.runs[~design.runs["run_id"].isin(done)]
        skipped = len(design.runs) - len(todo)
        if max_runs is not None:
            todo = todo.iloc[:max_runs]
        started = time.time()
        nothing_to_do = todo.empty  # a finished sweep run again starts no workers
        with open_executor(
            exp.execution, workers, scheduler, serial or nothing_to_do, executor, preload
        ) as (ex, n, name):
            ready = time.time()
            executed, failed = execute(
                ex, n, fn, run_specs(exp, todo), len(todo), folder, exp, progress, fail_fast
            )
            finished = time.time()
        report = SweepReport(
            out=folder,
            total=len(design.runs),
            skipped=skipped,
            executed=executed,
            failed=failed,
            pending=len(design.runs) - skipped - executed,
            wall_s=finished - ready,
            startup_s=ready - started,
            workers=0 if nothing_to_do else n,
            backend="none" if nothing_to_do else name,
        )
        record_invocation(folder, invocation_entry(report, started))
    return report


def worker_preload(exp: Experiment, evaluator: Evaluator) -> list[str]:
    """Modules a new local cluster's workers import while starting: the chunk runner and
    the evaluator's module (the model's for the default evaluator), when importable there."""
    names = ["mineralgame.experiments.chunks"]
    if exp.evaluator == MODEL_EVALUATOR and evaluator is evaluate_model:
        names += MODEL_MODULES
    else:
        names.append(getattr(evaluator, "__module__", None) or "__main__")
    return [name for name in names if name != "__main__" and _importable(name)]


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def invocation_entry(report: SweepReport, started: float) -> dict[str, Any]:
    """The manifest's record of one invocation."""
    rate = report.executed / report.wall_s if report.wall_s > 0 else 0.0
    return {
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "backend": report.backend,
        "workers": report.workers,
        "skipped": report.skipped,
        "executed": report.executed,
        "failed": report.failed,
        "pending": report.pending,
        "wall_s": round(report.wall_s, 3),
        "startup_s": round(report.startup_s, 3),
        "runs_per_s": round(rate, 3),
    }


def execute(
    ex: cf.Executor,
    workers: int,
    evaluator: Evaluator,
    specs: Iterator[RunSpec],
    todo: int,
    out: Path,
    exp: Experiment,
    progress: bool,
    fail_fast: bool = True,
) -> tuple[int, int]:
    """Submit chunks with bounded concurrency; return (runs executed, runs failed).

    With ``fail_fast`` (no run of the sweep has succeeded yet), stop with an ExperimentError
    when the first ``2 x workers`` runs all fail: the experiment is broken, not a few points.
    """
    from tqdm import tqdm

    sizer = ChunkSizer(exp.execution, workers)
    inflight: dict[cf.Future[ChunkReport], list[RunSpec]] = {}
    executed = failed = submitted = 0
    bar = tqdm(total=todo, unit="run", disable=not progress, smoothing=0.05, file=sys.stderr)
    try:
        while True:
            while len(inflight) < sizer.in_flight():
                chunk = list(itertools.islice(specs, sizer.size(todo - submitted)))
                if not chunk:
                    break
                submitted += len(chunk)
                inflight[ex.submit(run_chunk, evaluator, chunk, str(out))] = chunk
            if not inflight:
                break
            done, _ = cf.wait(inflight, return_when=cf.FIRST_COMPLETED)
            for future in done:
                chunk = inflight.pop(future)
                report = _collect(future, chunk, out)
                sizer.observe(report)
                executed, failed = executed + report.runs, failed + report.failed
                bar.update(report.runs)
                bar.set_postfix(failed=failed, refresh=False)
                if fail_fast and failed == executed >= min(2 * workers, todo):
                    raise ExperimentError([_first_failure(exp, out, chunk[0])])
    except BaseException:
        for future in inflight:
            future.cancel()
        raise
    finally:
        bar.close()
    return executed, failed


def _first_failure(exp: Experiment, out: Path, spec: RunSpec) -> Problem:
    """Stop-the-sweep problem when every run so far failed (a broken experiment)."""
    import json

    record = json.loads((out / "failures" / f"{spec.run_id}.json").read_text("utf-8"))
    msg = (
        f"every run so far failed, e.g. {spec.run_id}: {record['error_type']}: "
        f"{record['error']}; the sweep was stopped"
    )
    fix = f"see {out}/failures/ for tracebacks, fix the experiment and run again"
    return Problem(exp.file or "<experiment>", "", msg, fix)


def _collect(future: cf.Future[ChunkReport], chunk: list[RunSpec], out: Path) -> ChunkReport:
    """The chunk's report; if the task itself failed, record its runs as failed."""
    try:
        return future.result()
    except Exception as exc:
        tb = "".join(traceback.format_exception(exc))
        rows = []
        for spec in chunk:
            record_failure(out, spec, type(exc).__name__, str(exc)[:500], tb)
            rows.append(_failed_row(spec, exc))
        write_parquet_atomic(pd.DataFrame(rows), part_path(out, "runs", new_part_id()))
        return ChunkReport(len(chunk), len(chunk), 0.0, "driver")


def _failed_row(spec: RunSpec, exc: BaseException) -> dict[str, Any]:
    return {
        "run_id": spec.run_id,
        "status": "failed",
        "error_type": type(exc).__name__,
        "error": str(exc)[:500],
        "wall_s": 0.0,
        "worker": "driver",
        "finished_at": time.time(),
    }


def check_overrides(exp: Experiment, runs: pd.DataFrame) -> None:
    """Load the scenario with the overrides of a few telling runs; report what does not fit.

    Checks the first run of each policy and the runs at the extremes of every numeric
    uncertainty, so that a path, value or strategy the scenario rejects fails before the
    sweep starts rather than in every run.
    """
    from mineralgame.config.load import ScenarioError, apply_overrides, scenario_from_raw

    path = exp.scenario_path()
    if path is None or runs.empty:
        return
    raw = parsed_scenario(str(path), os.stat(path).st_mtime_ns)
    seen: set[str] = set()
    for spec in run_specs(exp, runs.iloc[telling_rows(exp, runs)]):
        key = canonical_json([spec.strategy, dict(spec.overrides)])
        if key in seen:
            continue
        seen.add(key)
        try:
            scenario = scenario_from_raw(apply_overrides(raw, spec.overrides), str(path))
        except ScenarioError as exc:
            raise ExperimentError(_override_problems(exp, spec, exc.problems)) from exc
        if spec.strategy is not None and spec.strategy not in scenario.strategies:
            known = ", ".join(sorted(scenario.strategies))
            msg = f"strategy '{spec.strategy}' is not defined in the scenario (it has: {known})"
            raise ExperimentError([Problem(exp.file or "<experiment>", "levers", msg, "")])


def telling_rows(exp: Experiment, runs: pd.DataFrame) -> list[int]:
    """Positions of the first run of each policy and of each numeric uncertainty's extremes."""
    picks = {int(rows[0]) for rows in runs.groupby("policy_id").indices.values()}
    for name, param in exp.uncertainties.items():
        values = pd.to_numeric(runs[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if param.type != "categorical" and not np.isnan(values).all():
            picks |= {int(np.nanargmin(values)), int(np.nanargmax(values))}
    return sorted(picks)


def _override_problems(exp: Experiment, spec: RunSpec, found: list[Problem]) -> list[Problem]:
    params = ", ".join(f"{k}={v}" for k, v in spec.params.items())
    return [
        Problem(
            exp.file or "<experiment>",
            p.path,
            f"with {params} the scenario is invalid: {p.message}",
            p.fix or "check the parameter's path and range",
        )
        for p in found
    ]
