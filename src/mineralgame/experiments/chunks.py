"""Worker side of a sweep: evaluate one chunk of runs and commit its results atomically.

Workers evaluate each run in a ``try``: a run that raises is recorded as failed with its
traceback and the chunk goes on. Each chunk's results are written as Parquet parts
(temporary file, then ``os.replace``) and only a small report goes back to the driver.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from mineralgame.experiments.design import RunSpec, digest
from mineralgame.experiments.evaluate import Evaluator, RunOutput, normalize_series
from mineralgame.experiments.store import part_path, write_json_atomic, write_parquet_atomic


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
