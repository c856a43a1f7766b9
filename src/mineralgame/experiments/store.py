"""The results folder of a sweep: layout, atomic writes and a DuckDB query layer.

Layout of ``OUT/``::

    manifest.json        experiment, hashes, versions, every invocation's throughput
    experiment.yaml      the experiment as run (scenario path made absolute)
    design.parquet       one row per run: ids, seed, parameters, overrides (JSON)
    sample.parquet       unit-cube sample of the sampled points (for SALib)
    parts/runs/part-<chunk>.parquet     one row per run: status, timings, run scalars
    parts/series/part-<chunk>.parquet   long series: run_id, table, round, keys, variable, value
    parts/events/part-<chunk>.parquet   the runs' events
    failures/<run_id>.json              traceback, parameters and seed of a failed run
    analysis/                           tables and figures written by ``analyze``

Workers write each chunk's parts as a temporary file renamed into place (``os.replace``), the
``runs`` part last: it commits the chunk. Readers only see ``*.parquet``, and take series and
events only from committed chunks, so a killed task leaves nothing half-visible. A chunk
recomputed after a worker died may commit twice; the views keep one copy per run id.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tarfile
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mineralgame.config.load import Problem
from mineralgame.experiments.design import digest
from mineralgame.experiments.spec import Experiment, ExperimentError

TABLES = ("runs", "series", "events")
SERIES_KEYS = ("country", "mineral", "stage", "region")
META_COLUMNS = (
    "run_id",
    "status",
    "error_type",
    "error",
    "wall_s",
    "worker",
    "finished_at",
    "part",
)
PART_RE = r"part-([0-9a-f]+)\.parquet$"


# ---------------------------------------------------------------------------------------------
# Layout and atomic writes


def new_part_id() -> str:
    """A fresh chunk id (shared by the chunk's parts in every table)."""
    return uuid.uuid4().hex[:16]


def part_path(out: Path, table: str, part_id: str) -> Path:
    """Final path of a chunk's part in ``table``."""
    return out / "parts" / table / f"part-{part_id}.parquet"


def write_parquet_atomic(df: pd.DataFrame, path: Path) -> Path:
    """Write ``df`` to ``path`` through a temporary file renamed into place."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), tmp, compression="zstd")
    os.replace(tmp, path)
    return path


def write_json_atomic(obj: Any, path: Path) -> Path:
    """Write ``obj`` as indented JSON through a temporary file renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n", "utf-8")
    os.replace(tmp, path)
    return path


def stale_temporaries(out: Path) -> list[Path]:
    """Temporary files left by killed writers (invisible to readers)."""
    return sorted(p for p in out.glob("**/.*.tmp") if p.is_file())


def read_manifest(out: Path) -> dict[str, Any]:
    """The manifest of a results folder (empty if there is none yet)."""
    path = out / "manifest.json"
    return dict(json.loads(path.read_text("utf-8"))) if path.is_file() else {}


def _glob(out: Path, table: str) -> str:
    return str(out / "parts" / table / "*.parquet").replace("'", "''")


def _has_parts(out: Path, table: str) -> bool:
    return any((out / "parts" / table).glob("*.parquet"))


def finished_run_ids(out: Path, include_failed: bool = False) -> set[str]:
    """Run ids with a committed row (status ok, or any status with ``include_failed``)."""
    import duckdb

    if not _has_parts(out, "runs"):
        return set()
    cond = "" if include_failed else "WHERE status = 'ok'"
    query = f"SELECT DISTINCT run_id FROM read_parquet('{_glob(out, 'runs')}') {cond}"
    with duckdb.connect() as con:
        return {row[0] for row in con.sql(query).fetchall()}


# ---------------------------------------------------------------------------------------------
# Preparing the folder (driver side)


@contextlib.contextmanager
def sweep_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on the folder so that two sweeps never write it at once."""
    import fcntl

    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            msg = "another sweep is writing to this folder"
            fix = "wait for it to finish, or use another --out"
            raise ExperimentError([Problem(str(folder), "", msg, fix)]) from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def prepare_folder(
    folder: Path,
    exp: Experiment,
    runs: pd.DataFrame,
    sample: pd.DataFrame,
    base: Mapping[str, Any] | None,
) -> None:
    """Check the folder holds this design (or none); write design, sample, spec, manifest."""
    import yaml

    design_file = folder / "design.parquet"
    if design_file.is_file():
        old = set(pd.read_parquet(design_file, columns=["run_id"])["run_id"])
        stray = old - set(runs["run_id"])
        if stray:
            msg = (
                f"holds {len(stray)} runs that are not in this experiment's design (the "
                "experiment, its scenario file or a setting changed)"
            )
            fix = "use another --out, or delete the folder to start over"
            raise ExperimentError([Problem(str(folder), "", msg, fix)])
    for tmp in stale_temporaries(folder):
        tmp.unlink(missing_ok=True)
    write_parquet_atomic(runs, design_file)
    write_parquet_atomic(sample, folder / "sample.parquet")
    frozen = exp.model_dump(mode="json")
    scenario = exp.scenario_path()
    frozen["scenario"] = str(scenario) if scenario else None
    (folder / "experiment.yaml").write_text(yaml.safe_dump(frozen, sort_keys=False), "utf-8")
    manifest = read_manifest(folder)
    manifest.update(
        {
            "schema_version": 1,
            "experiment": exp.name,
            "description": exp.description,
            "experiment_file": exp.file,
            "experiment_hash": digest(frozen),
            "scenario_file": frozen["scenario"],
            "scenario_hash": digest(base) if base is not None else None,
            "evaluator": exp.evaluator,
            "root_seed": exp.root_seed,
            "n_runs": len(runs),
            "design_hash": digest(sorted(runs["run_id"])),
            "versions": versions(),
            "git_sha": git_sha(),
        }
    )
    manifest.setdefault("created_at", time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    manifest.setdefault("invocations", [])
    write_json_atomic(manifest, folder / "manifest.json")


def record_invocation(folder: Path, entry: Mapping[str, Any]) -> None:
    """Append one invocation's counts and throughput to the manifest."""
    manifest = read_manifest(folder)
    manifest.setdefault("invocations", []).append(dict(entry))
    write_json_atomic(manifest, folder / "manifest.json")


def versions() -> dict[str, str]:
    """Versions of the packages that shape results."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": sys.version.split()[0]}
    for pkg in ("mineralgame", "mesa", "numpy", "pandas", "pyarrow", "dask", "distributed"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "missing"
    out["SALib"] = version("SALib")
    return out


def git_sha() -> str | None:
    """Commit of the source tree, if it is a git checkout."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


# ---------------------------------------------------------------------------------------------
# Query layer


@dataclass(frozen=True)
class SweepStatus:
    """Progress of a sweep.

    Attributes:
        total: Runs in the design.
        ok: Runs finished without error.
        failed: Runs whose latest attempt raised.
        pending: Runs not finished yet.
        duplicate_rows: Committed run rows beyond one per run id (recomputed chunks).
        stale_temporaries: Temporary files left by killed writers.
        mean_run_s: Mean wall time of a finished run [s].
    """

    total: int
    ok: int
    failed: int
    pending: int
    duplicate_rows: int
    stale_temporaries: int
    mean_run_s: float


class Results:
    """A sweep's results, queried with DuckDB over the Parquet files (nothing is copied).

    Views: ``design``; ``runs`` (one row per finished run, its parameters joined); ``series``
    and ``events`` (rows of the committed copy of each run); ``runs_all`` (every committed
    row, duplicates included).

    Example::

        res = open_results("results/derisk_vs_decouple")
        res.runs().groupby("strategy")["cumulative_shortfall_share"].mean()
        res.sql("SELECT strategy, avg(welfare_usd) FROM runs GROUP BY ALL")
    """

    def __init__(self, path: str | Path) -> None:
        import duckdb

        self.path = Path(path)
        if not (self.path / "design.parquet").is_file():
            raise FileNotFoundError(f"{self.path} holds no sweep results (no design.parquet)")
        self.con = duckdb.connect()
        self._create_views()

    def __enter__(self) -> Results:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the DuckDB connection."""
        self.con.close()

    def _create_views(self) -> None:
        design = str(self.path / "design.parquet").replace("'", "''")
        self.con.execute(f"CREATE VIEW design AS SELECT * FROM read_parquet('{design}')")
        if _has_parts(self.path, "runs"):
            src = f"read_parquet('{_glob(self.path, 'runs')}', filename=true, union_by_name=true)"
            self.con.execute(
                f"CREATE VIEW runs_all AS SELECT * EXCLUDE (filename), "
                f"regexp_extract(filename, '{PART_RE}', 1) AS part FROM {src}"
            )
        else:
            self.con.execute(
                "CREATE VIEW runs_all AS SELECT NULL::VARCHAR AS run_id, NULL::VARCHAR AS status, "
                "NULL::VARCHAR AS error_type, NULL::VARCHAR AS error, NULL::DOUBLE AS wall_s, "
                "NULL::VARCHAR AS worker, NULL::DOUBLE AS finished_at, NULL::VARCHAR AS part "
                "WHERE false"
            )
        self.con.execute(
            "CREATE VIEW runs_latest AS SELECT * EXCLUDE (_rk) FROM (SELECT *, row_number() OVER "
            "(PARTITION BY run_id ORDER BY (status = 'ok') DESC, finished_at DESC, part) AS _rk "
            "FROM runs_all) WHERE _rk = 1"
        )
        self.con.execute(
            "CREATE VIEW runs AS SELECT d.* EXCLUDE (overrides), r.* EXCLUDE (run_id) "
            "FROM design d JOIN runs_latest r USING (run_id)"
        )
        for table in ("series", "events"):
            self._create_part_view(table)

    def _create_part_view(self, table: str) -> None:
        if not _has_parts(self.path, table):
            self.con.execute(f"CREATE VIEW {table} AS SELECT NULL::VARCHAR AS run_id WHERE false")
            return
        src = f"read_parquet('{_glob(self.path, table)}', filename=true, union_by_name=true)"
        self.con.execute(
            f"CREATE VIEW {table} AS SELECT t.* EXCLUDE (filename) FROM {src} t "
            f"JOIN runs_latest r ON t.run_id = r.run_id "
            f"AND regexp_extract(t.filename, '{PART_RE}', 1) = r.part"
        )

    def experiment(self) -> Experiment:
        """The experiment as run (from ``experiment.yaml``)."""
        import yaml

        raw = yaml.safe_load((self.path / "experiment.yaml").read_text("utf-8"))
        return Experiment.model_validate(raw)

    def sql(self, query: str, params: list[Any] | None = None) -> pd.DataFrame:
        """Run a SQL query over the views; return a DataFrame."""
        return self.con.execute(query, params or []).df()

    def design(self) -> pd.DataFrame:
        """The design: one row per run (finished or not)."""
        return self.sql("SELECT * FROM design ORDER BY design_row, replicate")

    def runs(self, where: str | None = None, status: str | None = "ok") -> pd.DataFrame:
        """Finished runs with their parameters, ordered by design row and replicate.

        Args:
            where: Optional SQL condition over the ``runs`` view.
            status: Keep only runs with this status ('ok' or 'failed'); None keeps both.
        """
        conds = [c for c in (where, f"status = '{status}'" if status else None) if c]
        clause = f"WHERE {' AND '.join(f'({c})' for c in conds)}" if conds else ""
        return self.sql(f"SELECT * FROM runs {clause} ORDER BY design_row, replicate")

    def series(self, where: str | None = None) -> pd.DataFrame:
        """Kept series in long format (run_id, table, round, keys, variable, value)."""
        clause = f"WHERE {where}" if where else ""
        return self.sql(f"SELECT * FROM series {clause}")

    def events(self, where: str | None = None) -> pd.DataFrame:
        """Kept events of the runs."""
        clause = f"WHERE {where}" if where else ""
        return self.sql(f"SELECT * FROM events {clause}")

    def parameters(self) -> list[str]:
        """Names of the uncertainty and lever columns."""
        skip = {"run_id", "design_row", "scenario_id", "scenario_name", "policy_id"}
        skip |= {"replicate", "seed", "overrides"}
        return [c for c in self._columns("design") if c not in skip]

    def outcomes(self) -> list[str]:
        """Names of the numeric run scalars stored."""
        types = self.con.execute("DESCRIBE runs_all").fetchall()
        numeric = ("DOUBLE", "FLOAT", "BIGINT", "INTEGER", "DECIMAL", "HUGEINT", "SMALLINT")
        return [n for n, t, *_ in types if n not in META_COLUMNS and str(t).startswith(numeric)]

    def _columns(self, view: str) -> list[str]:
        return [row[0] for row in self.con.execute(f"DESCRIBE {view}").fetchall()]

    def status(self) -> SweepStatus:
        """Counts of finished, failed and pending runs."""
        total, ok, failed, mean = self.con.execute(
            "SELECT (SELECT count(*) FROM design), count(*) FILTER (status = 'ok'), "
            "count(*) FILTER (status <> 'ok'), coalesce(avg(wall_s), 0) FROM runs"
        ).fetchone() or (0, 0, 0, 0.0)
        dup = self.con.execute(
            "SELECT count(*) - count(DISTINCT run_id) FROM runs_all"
        ).fetchone() or (0,)
        return SweepStatus(
            total=int(total),
            ok=int(ok),
            failed=int(failed),
            pending=int(total) - int(ok) - int(failed),
            duplicate_rows=int(dup[0]),
            stale_temporaries=len(stale_temporaries(self.path)),
            mean_run_s=float(mean),
        )

    def failures(self) -> list[dict[str, Any]]:
        """Failure records (traceback, parameters, seed) of the runs whose latest attempt failed."""
        ids = self.sql("SELECT run_id FROM runs WHERE status <> 'ok' ORDER BY design_row")
        out = []
        for run_id in ids["run_id"]:
            path = self.path / "failures" / f"{run_id}.json"
            if path.is_file():
                out.append(json.loads(path.read_text("utf-8")))
        return out

    def to_csv(self, folder: str | Path) -> list[Path]:
        """Export design, runs, series and events to CSV files in ``folder``."""
        target = Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        written = []
        for view in ("design", "runs", "series", "events"):
            path = target / f"{view}.csv"
            escaped = str(path).replace("'", "''")
            self.con.execute(f"COPY (SELECT * FROM {view}) TO '{escaped}' (HEADER, DELIMITER ',')")
            written.append(path)
        return written

    def to_ema(
        self, outcomes: list[str] | None = None
    ) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
        """Results in EMA Workbench's ``(experiments, outcomes)`` form (ok runs only).

        ``experiments`` holds the uncertainty and lever columns plus ``scenario``, ``policy``
        and ``model`` as EMA does (and ``replicate``, ``seed``, ``run_id``); ``outcomes`` maps
        each run scalar to a 1-D array aligned with the rows. Feed them to
        ``ema_workbench.analysis`` (PRIM, feature scoring, ...) directly.
        """
        runs = self.runs()
        names = outcomes or self.outcomes()
        experiments = runs[self.parameters()].copy()
        named = runs["scenario_name"].astype(str)
        experiments["scenario"] = named.where(named != "", runs["scenario_id"].astype(str))
        experiments["policy"] = runs["policy_id"].astype(str)
        experiments["model"] = read_manifest(self.path).get("experiment", "mineralgame")
        for col in ("replicate", "seed", "run_id"):
            experiments[col] = runs[col]
        data = {name: runs[name].to_numpy(dtype=float) for name in names}
        return experiments.reset_index(drop=True), data

    def save_ema(self, path: str | Path, outcomes: list[str] | None = None) -> Path:
        """Write an EMA Workbench results archive (``load_results`` reads it)."""
        experiments, data = self.to_ema(outcomes)
        for col in experiments.columns:
            if experiments[col].dtype == object or str(experiments[col].dtype) == "str":
                experiments[col] = experiments[col].astype("category")
        target = Path(path)
        meta = {
            "version": 0.1,
            "outcomes": [["ScalarOutcome", name, f"{name}.csv"] for name in data],
            "experiments": {k: v.name for k, v in experiments.dtypes.to_dict().items()},
        }
        with tarfile.open(target, "w:gz") as archive:
            _add(archive, "experiments.csv", experiments.to_csv(index=False))
            for name, values in data.items():
                _add(archive, f"{name}.csv", pd.DataFrame(values).to_csv(header=False, index=False))
            _add(archive, "metadata.json", json.dumps(meta))
        return target


def _add(archive: tarfile.TarFile, name: str, text: str) -> None:
    data = text.encode("utf-8")
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, BytesIO(data))


def open_results(path: str | Path) -> Results:
    """Open a sweep's results folder for querying.

    Args:
        path: The folder given to ``mineralgame sweep --out``.

    Returns:
        A ``Results`` over DuckDB views of the folder's Parquet files.
    """
    return Results(path)


def iter_rows(df: pd.DataFrame) -> Iterator[Mapping[str, Any]]:
    """Rows of a DataFrame as plain mappings."""
    cols = list(df.columns)
    for values in df.itertuples(index=False, name=None):
        yield dict(zip(cols, values, strict=True))
