"""SQLite persistence of classroom sessions (stdlib ``sqlite3``; WAL; durable commits).

Every change runs in one ``BEGIN IMMEDIATE`` transaction and is committed (with
``synchronous=FULL``) before the caller acknowledges it, so a killed server loses nothing that a
student saw acknowledged. Each thread has its own connection; the write lock of SQLite
serialises writers, also across processes. The database holds digests of secrets, never the
secrets themselves.

This module holds the schema, the connections and the transactions; the queries that run inside
a transaction are in :mod:`mineralgame.classroom.queries`.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions(
    code TEXT PRIMARY KEY, secret_digest TEXT NOT NULL, config TEXT NOT NULL,
    phase TEXT NOT NULL, round INTEGER NOT NULL, humans TEXT NOT NULL,
    ends_at REAL, paused_remaining REAL, version INTEGER NOT NULL,
    created_at REAL NOT NULL, broadcast TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS seats(
    id INTEGER PRIMARY KEY, code TEXT NOT NULL, country TEXT NOT NULL, name TEXT NOT NULL,
    token_digest TEXT NOT NULL UNIQUE, joined_at REAL NOT NULL, last_seen REAL NOT NULL);
CREATE TABLE IF NOT EXISTS submissions(
    id INTEGER PRIMARY KEY, code TEXT NOT NULL, round INTEGER NOT NULL, country TEXT NOT NULL,
    seat_id INTEGER, payload TEXT NOT NULL, submitted_at REAL NOT NULL,
    timed_out INTEGER NOT NULL DEFAULT 0, reopened INTEGER NOT NULL DEFAULT 0,
    voided INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS offers(
    id INTEGER PRIMARY KEY, code TEXT NOT NULL, round INTEGER NOT NULL, proposer TEXT NOT NULL,
    responder TEXT NOT NULL, kind TEXT NOT NULL, terms TEXT NOT NULL, status TEXT NOT NULL,
    created_at REAL NOT NULL, seat_id INTEGER, parent_id INTEGER, origin TEXT NOT NULL,
    voided INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS events(
    id INTEGER PRIMARY KEY, code TEXT NOT NULL, round INTEGER NOT NULL, event TEXT NOT NULL,
    created_at REAL NOT NULL, voided INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS rounds(
    code TEXT NOT NULL, round INTEGER NOT NULL, status TEXT NOT NULL,
    content_hash TEXT NOT NULL, decisions_hash TEXT NOT NULL, resolved_at REAL NOT NULL,
    seconds REAL NOT NULL, PRIMARY KEY(code, round));
CREATE TABLE IF NOT EXISTS messages(
    id INTEGER PRIMARY KEY, code TEXT NOT NULL, text TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS log(
    id INTEGER PRIMARY KEY, code TEXT NOT NULL, at REAL NOT NULL, actor TEXT NOT NULL,
    action TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS seats_code ON seats(code);
CREATE INDEX IF NOT EXISTS submissions_code ON submissions(code, round, country);
CREATE INDEX IF NOT EXISTS offers_code ON offers(code, round);
"""


def sqlite_path(db: str | Path) -> Path:
    """Return the file of a ``--db`` value: a path or a ``sqlite:///path`` URL.

    Raises:
        ValueError: For another database URL (only SQLite is supported).
    """
    text = str(db)
    if "://" not in text:
        return Path(text)
    url = urlparse(text)
    if url.scheme != "sqlite":
        raise ValueError(
            f"database URL {text!r}: only SQLite is supported (sqlite:///path/to/file.db or a "
            "plain path)"
        )
    path = unquote(url.path)
    if text.startswith("sqlite:////"):
        return Path(path)
    return Path(path.lstrip("/") if path.startswith("/") else path)


class Store:
    """The classroom database.

    Args:
        db: A file path or ``sqlite:///path`` URL; created with its tables when missing.
    """

    def __init__(self, db: str | Path) -> None:
        self.path = sqlite_path(db)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._connection().executescript(SCHEMA)

    def _connection(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            con.row_factory = sqlite3.Row
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=FULL")
            con.execute("PRAGMA busy_timeout=30000")
            self._local.con = con
        return con

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, committed durably on exit (rolled back on an exception)."""
        con = self._connection()
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent read snapshot."""
        con = self._connection()
        con.execute("BEGIN")
        try:
            yield con
        finally:
            con.execute("COMMIT")

    # --- meta -------------------------------------------------------------------------------

    def meta(self, key: str, default: str) -> str:
        """Return a setting, storing ``default`` the first time (e.g. the cookie-signing key)."""
        with self.write() as con:
            row = con.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
            if row is not None:
                return str(row["value"])
            con.execute("INSERT INTO meta(key, value) VALUES(?, ?)", (key, default))
            return default
