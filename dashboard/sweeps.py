"""Data access for sweep results: a folder of sweep result folders, addressed by id only.

Each sub-folder written by ``mineralgame sweep --out`` is one sweep. The browser only sends
ids: a sweep's id is a stable hash of its folder name (12 hex characters, like record ids) and a
run's id is checked against the sweep's design, so ``../``, absolute or made-up values never
reach the file system. Results are read through :func:`mineralgame.experiments.store.open_results`
(DuckDB over Parquet, nothing is unpickled). A folder that cannot be read is listed as unreadable
with a reason; the rest keeps working.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard.store import is_valid_id, name_hash

RUN_ID_RE = re.compile(r"^[0-9a-f]{16}$")
RECORD_PREFIX = "sweep"


class SweepError(Exception):
    """Base class for sweep access errors (the message is safe to show in the browser)."""


class UnknownSweepError(SweepError, KeyError):
    """The sweep or run id is malformed or not listed."""


class UnreadableSweepError(SweepError):
    """The sweep is listed but cannot be read."""


@dataclass(frozen=True)
class SweepEntry:
    """One sub-folder of the sweeps folder, readable or not.

    Attributes:
        sweep_id: Id used by the browser.
        name: Folder name (display only; never used to open anything from the browser).
        readable: Whether the folder opened as sweep results.
        reason: Why it is unreadable ("" when readable).
        experiment: The experiment's name.
        evaluator: The experiment's evaluator (reruns need the model evaluator).
        total: Runs in the design.
        ok: Runs finished without error.
        failed: Runs whose latest attempt failed.
    """

    sweep_id: str
    name: str
    readable: bool
    reason: str = ""
    experiment: str = ""
    evaluator: str = ""
    total: int = 0
    ok: int = 0
    failed: int = 0


@dataclass(frozen=True)
class SweepData:
    """The runs of one sweep, ready for the Experiments page.

    Attributes:
        entry: The sweep's entry.
        runs: One row per finished run (ok or failed): ids, ``policy`` label, status,
            parameters and outcomes.
        outcomes: Names of the numeric run scalars.
        parameters: Names of the uncertainty and lever columns.
    """

    entry: SweepEntry
    runs: pd.DataFrame = field(repr=False)
    outcomes: list[str]
    parameters: list[str]


def _inspect(folder: Path, root: Path) -> SweepEntry:
    """Open a sweep folder and count its runs; an unreadable entry carries the reason."""
    from mineralgame.experiments.store import open_results

    sid = name_hash(folder.name)
    try:
        if folder.is_symlink() or not folder.resolve().is_relative_to(root):
            return SweepEntry(sid, folder.name, False, "outside the sweeps folder (symbolic link)")
        if not folder.is_dir():
            return SweepEntry(sid, folder.name, False, "not a sweep results folder (a file)")
        with open_results(folder) as res:
            status = res.status()
            exp = res.experiment()
    except FileNotFoundError:
        return SweepEntry(sid, folder.name, False, "no design.parquet: not a sweep results folder")
    except Exception as exc:
        reason = f"cannot be read ({exc.__class__.__name__}: {str(exc)[:120]})"
        return SweepEntry(sid, folder.name, False, reason)
    return SweepEntry(
        sid,
        folder.name,
        True,
        experiment=exp.name,
        evaluator=exp.evaluator,
        total=status.total,
        ok=status.ok,
        failed=status.failed,
    )


def policy_labels(runs: pd.DataFrame, levers: list[str]) -> pd.Series:
    """A readable label per run for its lever combination (``policy_id`` when there are none)."""
    present = [lv for lv in levers if lv in runs.columns]
    if not present:
        return "policy " + runs["policy_id"].astype(str)
    if len(present) == 1:
        return runs[present[0]].astype(str)
    parts = [lv + "=" + runs[lv].astype(str) for lv in present]
    label = parts[0]
    for part in parts[1:]:
        label = label + ", " + part
    return label


def record_folder_name(sweep_id: str, run_id: str) -> str:
    """The deterministic folder name of a rebuilt run's record."""
    return f"{RECORD_PREFIX}_{sweep_id}_{run_id}"


class SweepStore:
    """Sweep result folders in one folder, listed by id.

    Args:
        root: The sweeps folder (one sub-folder per sweep); a folder that is itself a sweep
            is served as one sweep. ``None`` or a missing folder lists nothing.
    """

    def __init__(self, root: Path | None) -> None:
        self.root = Path(root).resolve() if root is not None else None
        self._lock = threading.RLock()
        self._entries: dict[str, SweepEntry] = {}
        self._folders: dict[str, Path] = {}
        self._scanned = False

    def _candidates(self) -> list[Path]:
        if self.root is None or not self.root.is_dir():
            return []
        if (self.root / "design.parquet").is_file():
            return [self.root]
        return sorted(p for p in self.root.iterdir() if not p.name.startswith("."))

    def refresh(self) -> list[SweepEntry]:
        """Rescan the folder and return every entry, in folder-name order."""
        entries: dict[str, SweepEntry] = {}
        folders: dict[str, Path] = {}
        for path in self._candidates():
            entry = _inspect(path, self.root or path.resolve())
            entries[entry.sweep_id] = entry
            folders[entry.sweep_id] = path
        with self._lock:
            self._entries, self._folders, self._scanned = entries, folders, True
        return list(entries.values())

    def entries(self) -> list[SweepEntry]:
        """Return the listing (scanning once if never scanned)."""
        if not self._scanned:
            self.refresh()
        return list(self._entries.values())

    def entry(self, sweep_id: object) -> SweepEntry:
        """Return the entry of an id.

        Raises:
            UnknownSweepError: The id is malformed or not listed.
        """
        if not is_valid_id(sweep_id):
            raise UnknownSweepError("malformed sweep id")
        assert isinstance(sweep_id, str)
        self.entries()
        found = self._entries.get(sweep_id)
        if found is None:
            self.refresh()
            found = self._entries.get(sweep_id)
        if found is None:
            raise UnknownSweepError(f"no sweep with id {sweep_id}")
        return found

    def _readable(self, sweep_id: object) -> tuple[SweepEntry, Path]:
        entry = self.entry(sweep_id)
        if not entry.readable:
            raise UnreadableSweepError(entry.reason)
        return entry, self._folders[entry.sweep_id]

    def load(self, sweep_id: object) -> SweepData:
        """Read a sweep's finished runs, their parameters and outcomes.

        Raises:
            UnknownSweepError: The id is malformed or not listed.
            UnreadableSweepError: The sweep is unreadable or fails to load.
        """
        from mineralgame.experiments.store import open_results

        entry, folder = self._readable(sweep_id)
        try:
            with open_results(folder) as res:
                runs = res.runs(status=None)
                outcomes = res.outcomes()
                parameters = res.parameters()
                levers = list(res.experiment().levers)
        except Exception as exc:
            raise UnreadableSweepError(
                f"cannot be loaded ({exc.__class__.__name__}: {str(exc)[:120]})"
            ) from None
        runs = runs.copy()
        runs.insert(1, "policy", policy_labels(runs, levers) if len(runs) else [])
        return SweepData(entry, runs.reset_index(drop=True), outcomes, parameters)

    def check_run(self, sweep_id: object, run_id: object) -> tuple[SweepEntry, Path, str]:
        """Check that a run id is in a sweep's design; return the entry, folder and run id.

        Raises:
            UnknownSweepError: Either id is malformed or not listed.
        """
        from mineralgame.experiments.store import open_results

        entry, folder = self._readable(sweep_id)
        if not isinstance(run_id, str) or not RUN_ID_RE.fullmatch(run_id):
            raise UnknownSweepError("malformed run id")
        with open_results(folder) as res:
            found = res.sql("SELECT count(*) AS n FROM design WHERE run_id = ?", [run_id])
        if int(found["n"].iloc[0]) == 0:
            raise UnknownSweepError(f"no run {run_id} in sweep {entry.name}")
        return entry, folder, run_id

    def rebuild(self, sweep_id: object, run_id: object, records_root: Path) -> tuple[Path, bool]:
        """Rebuild a run into a full run record under ``records_root`` (once).

        Args:
            sweep_id: The sweep's id.
            run_id: The run's id (checked against the sweep's design).
            records_root: The dashboard's records folder.

        Returns:
            ``(record folder, rebuilt)``; ``rebuilt`` is False when the record already existed.

        Raises:
            UnknownSweepError: Either id is malformed or not listed.
            UnreadableSweepError: The sweep is unreadable or the rerun failed.
        """
        from mineralgame.experiments.rerun import rerun

        entry, folder, rid = self.check_run(sweep_id, run_id)
        target = Path(records_root) / record_folder_name(entry.sweep_id, rid)
        with self._lock:
            if (target / "manifest.json").is_file():
                return target, False
            try:
                rerun(folder, rid, target)
            except Exception as exc:
                raise UnreadableSweepError(
                    f"rerun failed ({exc.__class__.__name__}: {str(exc)[:200]})"
                ) from None
        return target, True


def describe(entry: SweepEntry) -> dict[str, Any]:
    """One row of the sweeps table."""
    return {
        "id": entry.sweep_id,
        "open": f"[{entry.name}](/experiments?sweep={entry.sweep_id})",
        "experiment": entry.experiment,
        "ok": entry.ok,
        "failed": entry.failed,
        "total": entry.total,
    }
