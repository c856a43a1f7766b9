"""Run an experiment's design on Dask distributed (or serially), resumably.

* The driver expands the design, writes ``design.parquet`` and skips every run already
  committed in ``parts/runs`` (so running the same command again continues a sweep).
* Runs are grouped into chunks sized from a pilot wave (about ``chunk_target_seconds`` per
  task, at least four tasks per worker) and submitted through a ``concurrent.futures``
  executor: a Dask ``LocalCluster`` by default, an existing scheduler, any executor, or the
  in-process serial one. At most a few chunks per worker are in flight, so the driver's
  memory stays flat however long the sweep.
* Workers evaluate each run in a ``try``: a run that raises is recorded as failed with its
  traceback and the sweep goes on. They write each chunk's results as Parquet parts
  (temporary file, then ``os.replace``) and return only a small report. A worker that dies is
  replaced by its nanny and the task retried (Dask ``retries=`` and ``allowed-failures``).

The evaluator is any ``Callable[[RunSpec], RunOutput]``; the default runs the model through
``mineralgame.run``.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import functools
import importlib
import itertools
import math
import os
import socket
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mineralgame.config.load import Problem
from mineralgame.experiments.design import (
    RunSpec,
    build_design,
    canonical_json,
    digest,
    run_specs,
)
from mineralgame.experiments.spec import (
    MODEL_EVALUATOR,
    Execution,
    Experiment,
    ExperimentError,
    Outputs,
)
from mineralgame.experiments.store import (
    SERIES_KEYS,
    finished_run_ids,
    new_part_id,
    part_path,
    prepare_folder,
    record_invocation,
    sweep_lock,
    write_json_atomic,
    write_parquet_atomic,
)


@dataclass(frozen=True)
class RunOutput:
    """What one run returns.

    Attributes:
        scalars: Run scalars (outcomes) by name.
        series: Long series: ``table, round, [country, mineral, stage, region], variable,
            value``; None if none kept.
        events: The run's events table; None if not kept.
    """

    scalars: Mapping[str, float]
    series: pd.DataFrame | None = None
    events: pd.DataFrame | None = None


Evaluator = Callable[[RunSpec], RunOutput]
SUMMARY_METADATA = frozenset({"seed", "rounds", "round", "year"})
DASK_MESSAGE_LOG = 8


# ---------------------------------------------------------------------------------------------
# The default evaluator: the model


def evaluate_model(spec: RunSpec) -> RunOutput:
    """Run the mineralgame model for one run spec (imports the model lazily).

    When only run scalars are kept, the model is stepped and its summary read directly (what
    ``mineralgame.run`` does, without building and hashing the record's tables); otherwise
    ``mineralgame.run`` supplies the tables the series and events come from.
    """
    import mineralgame

    scenario = scenario_for(spec)
    if spec.outputs.series is None and not spec.outputs.events:
        return output_from_tables(run_summary(scenario, spec), {}, spec.outputs)
    result = mineralgame.run(scenario, strategy=spec.strategy, seed=spec.seed, rounds=spec.rounds)
    return output_from_tables(result.summary, result.tables, spec.outputs)


def run_summary(scenario: Any, spec: RunSpec) -> dict[str, Any]:
    """Step the model through the horizon; return its run scalars (no record tables)."""
    from mineralgame.model import MineralModel

    if spec.rounds is not None:
        scenario = scenario.model_copy(update={"rounds": int(spec.rounds)})
    model = MineralModel(scenario, strategy=spec.strategy, rng=spec.seed)
    for _ in range(scenario.rounds):
        model.step()
    return dict(model.summary())


def scenario_for(spec: RunSpec) -> Any:
    """The run's validated scenario: the cached parsed file with the run's overrides applied.

    Parsing the YAML costs tens of milliseconds, so each worker process parses a scenario
    file once (again if its modification time changes) and only validates per run.
    """
    from mineralgame.config.load import apply_overrides, scenario_from_raw

    if spec.scenario is None:
        raise ValueError("the mineralgame evaluator needs a scenario file")
    raw = _parsed_scenario(spec.scenario, os.stat(spec.scenario).st_mtime_ns)
    return scenario_from_raw(apply_overrides(raw, spec.overrides), spec.scenario)


@functools.lru_cache(maxsize=8)
def _parsed_scenario(path: str, mtime_ns: int) -> dict[str, Any]:
    from mineralgame.config.load import resolve_raw

    return resolve_raw(Path(path))


def output_from_tables(
    summary: Mapping[str, Any], tables: Mapping[str, pd.DataFrame], outputs: Outputs
) -> RunOutput:
    """Select the kept scalars, series and events from a run's summary and tables."""
    numeric = {
        k: float(v) for k, v in summary.items() if _is_number(v) and k not in SUMMARY_METADATA
    }
    if outputs.scalars:
        missing = [name for name in outputs.scalars if name not in numeric]
        if missing:
            have = ", ".join(sorted(numeric))
            raise KeyError(f"run scalars {missing} are not in the run summary (it has: {have})")
        numeric = {name: numeric[name] for name in outputs.scalars}
    series = long_series(tables, outputs) if outputs.series else None
    events = tables.get("events") if outputs.events else None
    return RunOutput(numeric, series, events)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def long_series(tables: Mapping[str, pd.DataFrame], outputs: Outputs) -> pd.DataFrame | None:
    """Melt the kept columns of run-record tables into the long series format."""
    cfg = outputs.series
    if cfg is None:
        return None
    frames = []
    for name, columns in cfg.tables.items():
        if name not in tables:
            raise KeyError(f"series table '{name}' is not in the run record ({sorted(tables)})")
        df = tables[name]
        last = df["round"].max()
        df = df[(df["round"] % cfg.every == 0) | (df["round"] == last)]
        keys = [k for k in SERIES_KEYS if k in df.columns]
        long = df.melt(["round", *keys], list(columns), var_name="variable", value_name="value")
        frames.append(long.assign(table=name))
    return normalize_series(pd.concat(frames, ignore_index=True)) if frames else None


def normalize_series(df: pd.DataFrame) -> pd.DataFrame:
    """Give a long series frame the fixed columns and types of the ``series`` table."""
    out = pd.DataFrame(
        {
            "table": df["table"].astype(str),
            "round": df["round"].astype("int64"),
        }
    )
    for key in SERIES_KEYS:
        values = df[key] if key in df.columns else pd.Series(None, index=df.index)
        out[key] = values.astype("string")
    out["variable"] = df["variable"].astype(str)
    out["value"] = df["value"].astype("float64")
    return out


def resolve_evaluator(name: str) -> Evaluator:
    """The evaluator an experiment names: 'mineralgame' or 'module:function'."""
    if name == MODEL_EVALUATOR:
        return evaluate_model
    module, _, attr = name.partition(":")
    try:
        fn = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        msg = f"cannot import '{name}' ({exc})"
        fix = "give an importable module:function"
        raise ExperimentError([Problem("<experiment>", "evaluator", msg, fix)]) from exc
    if not callable(fn):
        raise ExperimentError([Problem("<experiment>", "evaluator", f"{name} is not callable")])
    return fn  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------------------------
# Worker side: one chunk


@dataclass(frozen=True)
class ChunkReport:
    """What a task sends back: counts and timings, never results."""

    runs: int
    failed: int
    run_s: float
    worker: str


def worker_name() -> str:
    """Host and process id of this worker."""
    return f"{socket.gethostname()}:{os.getpid()}"


def run_chunk(evaluator: Evaluator, specs: Sequence[RunSpec], out: str) -> ChunkReport:
    """Evaluate a chunk of runs and commit their results as Parquet parts.

    The chunk's part name is a hash of its run ids, so a chunk that Dask recomputes (its
    worker died before the result was fetched) finds its committed part and returns at once,
    or, if it had failures, overwrites it: never a second copy.

    Args:
        evaluator: The run function.
        specs: The chunk's runs.
        out: The results folder (shared with the driver).

    Returns:
        Counts and timings of the chunk.
    """
    folder, part = Path(out), digest(sorted(spec.run_id for spec in specs))
    committed = _committed(folder, part)
    if committed is not None:
        return committed
    rows, series, events = [], [], []
    for spec in specs:
        row, output = _evaluate(evaluator, spec, folder)
        rows.append(row)
        if output is not None and output.series is not None and len(output.series):
            series.append(normalize_series(output.series).assign(run_id=spec.run_id))
        if output is not None and output.events is not None and len(output.events):
            events.append(output.events.assign(run_id=spec.run_id))
    for table, frames in (("series", series), ("events", events)):
        if frames:
            df = pd.concat(frames, ignore_index=True)
            df = df[["run_id", *[c for c in df.columns if c != "run_id"]]]
            write_parquet_atomic(df, part_path(folder, table, part))
    write_parquet_atomic(pd.DataFrame(rows), part_path(folder, "runs", part))
    failed = sum(row["status"] != "ok" for row in rows)
    return ChunkReport(len(rows), failed, sum(row["wall_s"] for row in rows), worker_name())


def _committed(folder: Path, part: str) -> ChunkReport | None:
    """The report of an already committed, fully successful chunk, else None."""
    path = part_path(folder, "runs", part)
    if not path.is_file():
        return None
    rows = pd.read_parquet(path, columns=["status", "wall_s"])
    if (rows["status"] != "ok").any():
        return None
    return ChunkReport(len(rows), 0, float(rows["wall_s"].sum()), worker_name())


def _evaluate(
    evaluator: Evaluator, spec: RunSpec, out: Path
) -> tuple[dict[str, Any], RunOutput | None]:
    start = time.perf_counter()
    try:
        output = evaluator(spec)
        scalars = {k: float(v) for k, v in output.scalars.items()}
        error_type, error, status = None, None, "ok"
    except Exception as exc:
        output, scalars, status = None, {}, "failed"
        error_type, error = type(exc).__name__, str(exc)[:500]
        record_failure(out, spec, error_type, error, traceback.format_exc())
    row = {
        "run_id": spec.run_id,
        "status": status,
        "error_type": error_type,
        "error": error,
        "wall_s": time.perf_counter() - start,
        "worker": worker_name(),
        "finished_at": time.time(),
        **scalars,
    }
    return row, output


def record_failure(out: Path, spec: RunSpec, error_type: str, error: str, tb: str) -> None:
    """Write ``failures/<run_id>.json``: what failed, its traceback and how to rerun it."""
    record = {
        "run_id": spec.run_id,
        "error_type": error_type,
        "error": error,
        "traceback": tb,
        "params": dict(spec.params),
        "seed": spec.seed,
        "replicate": spec.replicate,
        "strategy": spec.strategy,
        "overrides": dict(spec.overrides),
        "scenario": spec.scenario,
        "worker": worker_name(),
        "rerun": f"mineralgame sweep rerun {out} {spec.run_id} --out runs/{spec.run_id}",
    }
    write_json_atomic(record, out / "failures" / f"{spec.run_id}.json")


# ---------------------------------------------------------------------------------------------
# Driver side


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
        backend: 'serial', 'local', the scheduler address or 'executor'.
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


def scenario_base(exp: Experiment) -> dict[str, Any] | None:
    """The resolved scenario (defaults included) as a plain mapping, or None."""
    from mineralgame.config.load import scenario_from_raw

    path = exp.scenario_path()
    if path is None:
        return None
    raw = _parsed_scenario(str(path), os.stat(path).st_mtime_ns)
    return scenario_from_raw(raw, str(path)).model_dump(mode="json")


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
    base = scenario_base(exp)
    design = build_design(exp, base)
    fn = evaluator or resolve_evaluator(exp.evaluator)
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
        with open_executor(exp.execution, workers, scheduler, serial, executor) as (ex, n, name):
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
            workers=n,
            backend=name,
        )
        record_invocation(folder, invocation_entry(report, started))
    return report


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


@contextlib.contextmanager
def open_executor(
    execution: Execution,
    workers: int | None,
    scheduler: str | None,
    serial: bool,
    executor: cf.Executor | None,
) -> Iterator[tuple[cf.Executor, int, str]]:
    """Yield (executor, worker count, backend name); close what was opened here."""
    if executor is not None:
        yield executor, workers or os.cpu_count() or 1, "executor"
        return
    if serial:
        yield SerialExecutor(), 1, "serial"
        return
    import dask

    importlib.import_module("distributed")  # load its config defaults before overriding one
    # Dask keeps the last N messages of every batched stream for debugging; those messages
    # hold the tasks' run specs, so a long sweep would grow the driver by N tasks' worth.
    quiet_logs = {"distributed.admin.low-level-log-length": DASK_MESSAGE_LOG}
    with dask.config.set(quiet_logs), dask_client(workers, scheduler) as (client, n, name):
        yield client.get_executor(retries=execution.task_retries, pure=False), n, name


@contextlib.contextmanager
def dask_client(workers: int | None, scheduler: str | None) -> Iterator[tuple[Any, int, str]]:
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
        cluster = LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
        client, name = Client(cluster), "local"
    try:
        yield client, n, name
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


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
    raw = _parsed_scenario(str(path), os.stat(path).st_mtime_ns)
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
