"""Data access for the dashboard: list run records in one folder and load them by id.

Records are addressed by id only: the manifest's ``run_id`` or, when it is missing, invalid or
taken, a stable hash of the folder name. The browser never sends a path. An id is checked
against :data:`RECORD_ID_RE` and then looked up in the listing, so ``../``, absolute or encoded
paths cannot reach the file system. Tables are read with pyarrow through pandas (Parquet only,
nothing is unpickled). A corrupt or foreign entry is listed as unreadable with a reason; the rest
of the folder keeps working.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from dashboard.frames import RecordFrames

RECORD_ID_RE = re.compile(r"^[0-9a-f]{12}$")
TABLE_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MANIFEST = "manifest.json"
SCHEMA_VERSION = 1
REQUIRED_TABLES = ("country_mineral",)
MAX_MANIFEST_BYTES = 50_000_000
RESCAN_SECONDS = 2.0


class RecordError(Exception):
    """Base class for record access errors (the message is safe to show in the browser)."""


class UnknownRecordError(RecordError, KeyError):
    """The id is malformed or not in the listing."""


class UnreadableRecordError(RecordError):
    """The record is listed but cannot be read."""


@dataclass(frozen=True)
class RecordEntry:
    """One entry of the records folder, readable or not.

    Attributes:
        record_id: Id used by the browser.
        name: Folder or file name (display only; never used to open anything from the browser).
        readable: Whether the manifest and tables passed the checks.
        reason: Why it is unreadable ("" when readable).
        manifest: The parsed manifest (empty when unreadable).
    """

    record_id: str
    name: str
    readable: bool
    reason: str = ""
    manifest: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Record:
    """A loaded record: manifest, tables and precomputed per-round frames."""

    entry: RecordEntry
    tables: dict[str, pd.DataFrame]
    frames: RecordFrames

    @property
    def record_id(self) -> str:
        """The record's id."""
        return self.entry.record_id

    @property
    def manifest(self) -> dict[str, Any]:
        """The record's manifest."""
        return self.entry.manifest


def name_hash(name: str) -> str:
    """Return the stable 12-hex-character id of a folder name."""
    return hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:12]


def is_valid_id(record_id: object) -> bool:
    """Return whether a value has the form of a record id (says nothing of existence)."""
    return isinstance(record_id, str) and bool(RECORD_ID_RE.fullmatch(record_id))


def _read_manifest(folder: Path) -> dict[str, Any]:
    """Read and check a manifest; raise UnreadableRecordError with a reason."""
    path = folder / MANIFEST
    if not path.is_file():
        raise UnreadableRecordError("no manifest.json: not a run record folder")
    if path.stat().st_size > MAX_MANIFEST_BYTES:
        raise UnreadableRecordError("manifest.json is too large")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        reason = f"manifest.json is not valid JSON ({exc.__class__.__name__})"
        raise UnreadableRecordError(reason) from None
    if not isinstance(manifest, dict):
        raise UnreadableRecordError("manifest.json is not a JSON object")
    version = manifest.get("schema_version")
    if version != SCHEMA_VERSION:
        raise UnreadableRecordError(f"unsupported schema_version {version!r} (want 1)")
    tables = manifest.get("tables")
    if not isinstance(tables, list) or not all(isinstance(t, str) for t in tables):
        raise UnreadableRecordError("manifest 'tables' is not a list of table names")
    bad = [t for t in tables if not TABLE_NAME_RE.fullmatch(t)]
    if bad:
        raise UnreadableRecordError(f"manifest lists invalid table names: {bad[:3]}")
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise UnreadableRecordError(f"missing required tables: {missing}")
    return manifest


def _check_tables(folder: Path, tables: list[str]) -> None:
    """Check that every listed table is a readable Parquet file (footer only)."""
    for table in tables:
        path = folder / f"{table}.parquet"
        if path.is_symlink() and not path.resolve().is_relative_to(folder.resolve()):
            raise UnreadableRecordError(f"table {table}.parquet points outside the record")
        if not path.is_file():
            raise UnreadableRecordError(f"table {table}.parquet is missing")
        try:
            pq.read_metadata(path)
        except Exception as exc:
            raise UnreadableRecordError(
                f"table {table}.parquet is not valid Parquet ({exc.__class__.__name__})"
            ) from None


def _inspect(folder: Path, root: Path) -> tuple[dict[str, Any], str]:
    """Return (manifest, "") for a good record folder, or ({}, reason)."""
    try:
        if folder.is_symlink() or not folder.resolve().is_relative_to(root):
            return {}, "outside the records folder (symbolic link)"
        if not folder.is_dir():
            return {}, "not a run record folder (a file)"
        manifest = _read_manifest(folder)
        _check_tables(folder, manifest["tables"])
    except UnreadableRecordError as exc:
        return {}, str(exc)
    except OSError as exc:
        return {}, f"cannot be read ({exc.__class__.__name__})"
    return manifest, ""


class RecordStore:
    """Run records in one folder, listed by id, loaded through a small LRU cache.

    Args:
        root: The records folder; a folder that is itself a record is served as one record.
        cache_size: How many loaded records to keep in memory.
    """

    def __init__(self, root: Path, cache_size: int = 8) -> None:
        self.root = Path(root).resolve()
        self.cache_size = cache_size
        self._lock = threading.RLock()
        self._entries: dict[str, RecordEntry] = {}
        self._folders: dict[str, Path] = {}
        self._cache: OrderedDict[str, Record] = OrderedDict()
        self._failed: dict[str, str] = {}
        self._scanned_at: float | None = None
        self._inspected: dict[Path, tuple[tuple[int, int, int], dict[str, Any], str]] = {}

    def _candidates(self) -> list[Path]:
        """Folders and files to list (hidden names skipped)."""
        if (self.root / MANIFEST).is_file():
            return [self.root]
        if not self.root.is_dir():
            return []
        return sorted(p for p in self.root.iterdir() if not p.name.startswith("."))

    def refresh(self) -> list[RecordEntry]:
        """Rescan the folder and return every entry, in folder-name order.

        A folder whose manifest changed since the last scan is inspected again, and forgets
        an earlier load failure.
        """
        entries: dict[str, RecordEntry] = {}
        folders: dict[str, Path] = {}
        for path in self._candidates():
            manifest, reason, fresh = self._inspect_cached(path)
            run_id = manifest.get("run_id")
            ok = isinstance(run_id, str) and is_valid_id(run_id) and run_id not in entries
            rid = run_id if ok and isinstance(run_id, str) else name_hash(path.name)
            if fresh:
                self._failed.pop(rid, None)
            reason = reason or self._failed.get(rid, "")
            entries[rid] = RecordEntry(rid, path.name, not reason, reason, manifest)
            folders[rid] = path
        with self._lock:
            self._entries, self._folders = entries, folders
            self._scanned_at = time.monotonic()
            for rid in [r for r in self._cache if r not in entries]:
                del self._cache[rid]
        return list(entries.values())

    def _inspect_cached(self, path: Path) -> tuple[dict[str, Any], str, bool]:
        """Inspect a folder, reusing the last result while it and its manifest are unchanged.

        Returns:
            ``(manifest, reason, fresh)``; ``fresh`` is False when the cached result was used.
        """
        try:
            st = (path / MANIFEST).stat()
            stamp = (path.lstat().st_mtime_ns, st.st_mtime_ns, st.st_size)
        except OSError:
            return (*_inspect(path, self.root), True)
        cached = self._inspected.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1], cached[2], False
        manifest, reason = _inspect(path, self.root)
        self._inspected[path] = (stamp, manifest, reason)
        return manifest, reason, True

    def entries(self) -> list[RecordEntry]:
        """Return the listing (scanning once if never scanned)."""
        if self._scanned_at is None:
            with self._lock:
                if self._scanned_at is None:
                    self.refresh()
        return list(self._entries.values())

    def readable(self) -> list[RecordEntry]:
        """Return the readable entries."""
        return [e for e in self.entries() if e.readable]

    def entry(self, record_id: object) -> RecordEntry:
        """Return the entry of an id.

        Raises:
            UnknownRecordError: The id is malformed or not in the listing.
        """
        if not is_valid_id(record_id):
            raise UnknownRecordError("malformed record id")
        assert isinstance(record_id, str)
        self.entries()
        found = self._entries.get(record_id)
        stale = self._scanned_at is None or time.monotonic() - self._scanned_at > RESCAN_SECONDS
        if found is None and stale:
            self.refresh()
            found = self._entries.get(record_id)
        if found is None:
            raise UnknownRecordError(f"no record with id {record_id}")
        return found

    def load(self, record_id: object) -> Record:
        """Load a record (tables and frames), from the cache when possible.

        Raises:
            UnknownRecordError: The id is malformed or not listed.
            UnreadableRecordError: The record is listed as unreadable or fails to load.
        """
        entry = self.entry(record_id)
        with self._lock:
            if entry.record_id in self._cache:
                self._cache.move_to_end(entry.record_id)
                return self._cache[entry.record_id]
        if not entry.readable:
            raise UnreadableRecordError(entry.reason)
        record = self._load_entry(entry)
        with self._lock:
            self._cache[entry.record_id] = record
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return record

    def warm(self, limit: int | None = None) -> int:
        """Load up to ``limit`` readable records (default: as many as the cache holds).

        Returns:
            How many records were loaded; unreadable ones are skipped (and marked).
        """
        loaded = 0
        for entry in self.readable()[: self.cache_size if limit is None else limit]:
            try:
                self.load(entry.record_id)
            except RecordError:
                continue
            loaded += 1
        return loaded

    def _load_entry(self, entry: RecordEntry) -> Record:
        """Read the tables of a listed, readable entry and precompute its frames."""
        folder = self._folders[entry.record_id]
        tables: dict[str, pd.DataFrame] = {}
        try:
            for table in entry.manifest["tables"]:
                tables[table] = pd.read_parquet(folder / f"{table}.parquet", engine="pyarrow")
            frames = RecordFrames.build(entry.manifest, tables)
        except Exception as exc:
            reason = f"cannot be loaded ({exc.__class__.__name__}: {str(exc)[:120]})"
            self._mark_unreadable(entry, reason)
            raise UnreadableRecordError(reason) from None
        return Record(entry, tables, frames)

    def _mark_unreadable(self, entry: RecordEntry, reason: str) -> None:
        """Remember that a record failed to load so the listing shows it."""
        with self._lock:
            self._failed[entry.record_id] = reason
            self._entries[entry.record_id] = RecordEntry(
                entry.record_id, entry.name, False, reason, entry.manifest
            )
