"""The classroom tables' queries, one function each, and their rows as entity records.

Every function takes an open connection from ``Store.read()`` or ``Store.write()`` (see
:mod:`mineralgame.classroom.persistence`), so a caller groups several queries into one
transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any, cast

from mineralgame.classroom.entities import (
    InjectedEvent,
    Message,
    Offer,
    OfferKind,
    OfferStatus,
    RoundResult,
    Seat,
    Session,
    SessionConfig,
    Submission,
    as_phase,
)


def _loads(text: str) -> Any:
    return json.loads(text)


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _session(row: sqlite3.Row) -> Session:
    return Session(
        code=row["code"],
        config=SessionConfig.from_json(row["config"]),
        phase=as_phase(row["phase"]),
        round=int(row["round"]),
        humans=tuple(_loads(row["humans"])),
        ends_at=row["ends_at"],
        paused_remaining=row["paused_remaining"],
        version=int(row["version"]),
        created_at=float(row["created_at"]),
        broadcast=row["broadcast"],
    )


def _seat(row: sqlite3.Row) -> Seat:
    return Seat(
        id=int(row["id"]),
        code=row["code"],
        country=row["country"],
        name=row["name"],
        joined_at=float(row["joined_at"]),
        last_seen=float(row["last_seen"]),
    )


def _submission(row: sqlite3.Row) -> Submission:
    return Submission(
        id=int(row["id"]),
        code=row["code"],
        round=int(row["round"]),
        country=row["country"],
        seat_id=row["seat_id"],
        payload=_loads(row["payload"]),
        submitted_at=float(row["submitted_at"]),
        timed_out=bool(row["timed_out"]),
        reopened=bool(row["reopened"]),
    )


def _offer(row: sqlite3.Row) -> Offer:
    return Offer(
        id=int(row["id"]),
        code=row["code"],
        round=int(row["round"]),
        proposer=row["proposer"],
        responder=row["responder"],
        kind=cast(OfferKind, row["kind"]),
        terms=_loads(row["terms"]),
        status=cast(OfferStatus, row["status"]),
        created_at=float(row["created_at"]),
        seat_id=row["seat_id"],
        parent_id=row["parent_id"],
        origin="bot" if row["origin"] == "bot" else "human",
    )


# --- sessions ---------------------------------------------------------------------------


def insert_session(
    con: sqlite3.Connection, code: str, secret_digest: str, config: SessionConfig, at: float
) -> None:
    """Create a session in the lobby."""
    con.execute(
        "INSERT INTO sessions(code, secret_digest, config, phase, round, humans, ends_at,"
        " paused_remaining, version, created_at) VALUES(?,?,?,?,?,?,?,?,?,?)",
        (code, secret_digest, config.to_json(), "lobby", 0, "[]", None, None, 1, at),
    )


def session(con: sqlite3.Connection, code: str) -> Session | None:
    """Return a session, or None."""
    row = con.execute("SELECT * FROM sessions WHERE code=?", (code,)).fetchone()
    return _session(row) if row else None


def secret_digest(con: sqlite3.Connection, code: str) -> str | None:
    """Return the facilitator secret's digest of a session."""
    row = con.execute("SELECT secret_digest FROM sessions WHERE code=?", (code,)).fetchone()
    return str(row["secret_digest"]) if row else None


def update_session(con: sqlite3.Connection, code: str, **fields: Any) -> None:
    """Change session fields and bump its version."""
    allowed = {"phase", "round", "humans", "ends_at", "paused_remaining", "broadcast"}
    bad = set(fields) - allowed
    if bad:
        raise ValueError(f"cannot update {sorted(bad)}")
    values = {k: (_dumps(list(v)) if k == "humans" else v) for k, v in fields.items()}
    sets = "".join(f"{k}=?, " for k in values)
    con.execute(
        f"UPDATE sessions SET {sets}version=version+1 WHERE code=?", (*values.values(), code)
    )


def bump(con: sqlite3.Connection, code: str) -> None:
    """Bump a session's version (something its pages show changed)."""
    con.execute("UPDATE sessions SET version=version+1 WHERE code=?", (code,))


def session_codes(con: sqlite3.Connection) -> list[str]:
    """Every session's code, newest first."""
    rows = con.execute("SELECT code FROM sessions ORDER BY created_at DESC").fetchall()
    return [str(r["code"]) for r in rows]


# --- seats ------------------------------------------------------------------------------


def insert_seat(
    con: sqlite3.Connection, code: str, country: str, name: str, token_digest: str, at: float
) -> int:
    """Add a seat; return its id."""
    cur = con.execute(
        "INSERT INTO seats(code, country, name, token_digest, joined_at, last_seen)"
        " VALUES(?,?,?,?,?,?)",
        (code, country, name, token_digest, at, at),
    )
    return int(cur.lastrowid or 0)


def seat_by_token(con: sqlite3.Connection, code: str, token_digest: str) -> Seat | None:
    """Return the seat holding a token in a session, or None."""
    row = con.execute(
        "SELECT * FROM seats WHERE code=? AND token_digest=?", (code, token_digest)
    ).fetchone()
    return _seat(row) if row else None


def seats(con: sqlite3.Connection, code: str) -> list[Seat]:
    """Every seat of a session in joining order."""
    rows = con.execute("SELECT * FROM seats WHERE code=? ORDER BY id", (code,)).fetchall()
    return [_seat(r) for r in rows]


def touch_seat(con: sqlite3.Connection, seat_id: int, at: float) -> None:
    """Record that a seat was seen."""
    con.execute("UPDATE seats SET last_seen=? WHERE id=?", (at, seat_id))


# --- submissions ------------------------------------------------------------------------


def insert_submission(
    con: sqlite3.Connection,
    code: str,
    rnd: int,
    country: str,
    seat_id: int | None,
    payload: Mapping[str, Any],
    at: float,
    *,
    timed_out: bool = False,
) -> int:
    """Store a delegation's decision, replacing (voiding) its earlier one for the round."""
    con.execute(
        "UPDATE submissions SET voided=1 WHERE code=? AND round=? AND country=? AND voided=0",
        (code, rnd, country),
    )
    cur = con.execute(
        "INSERT INTO submissions(code, round, country, seat_id, payload, submitted_at,"
        " timed_out) VALUES(?,?,?,?,?,?,?)",
        (code, rnd, country, seat_id, _dumps(payload), at, int(timed_out)),
    )
    return int(cur.lastrowid or 0)


def submissions(con: sqlite3.Connection, code: str, rnd: int | None = None) -> list[Submission]:
    """Active submissions of a session (one round, or all), by round and country."""
    sql = "SELECT * FROM submissions WHERE code=? AND voided=0"
    args: tuple[Any, ...] = (code,)
    if rnd is not None:
        sql += " AND round=?"
        args += (rnd,)
    rows = con.execute(sql + " ORDER BY round, country", args).fetchall()
    return [_submission(r) for r in rows]


def reopen_round(con: sqlite3.Connection, code: str, rnd: int) -> None:
    """Undo: void the round's timed-out submissions and reopen the others."""
    con.execute(
        "UPDATE submissions SET voided=1 WHERE code=? AND round=? AND timed_out=1 AND voided=0",
        (code, rnd),
    )
    con.execute(
        "UPDATE submissions SET reopened=1 WHERE code=? AND round=? AND voided=0", (code, rnd)
    )


def void_after(con: sqlite3.Connection, code: str, rnd: int) -> None:
    """Undo: void everything done after a round."""
    for table in ("submissions", "offers", "events"):
        con.execute(f"UPDATE {table} SET voided=1 WHERE code=? AND round>?", (code, rnd))


# --- offers -----------------------------------------------------------------------------


def insert_offer(con: sqlite3.Connection, offer: Offer) -> int:
    """Store an offer; return its id (the record's ``id`` is ignored)."""
    cur = con.execute(
        "INSERT INTO offers(code, round, proposer, responder, kind, terms, status,"
        " created_at, seat_id, parent_id, origin) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
        (
            offer.code,
            offer.round,
            offer.proposer,
            offer.responder,
            offer.kind,
            _dumps(dict(offer.terms)),
            offer.status,
            offer.created_at,
            offer.seat_id,
            offer.parent_id,
            offer.origin,
        ),
    )
    return int(cur.lastrowid or 0)


def offer(con: sqlite3.Connection, code: str, offer_id: int) -> Offer | None:
    """Return an active offer of a session, or None."""
    row = con.execute(
        "SELECT * FROM offers WHERE code=? AND id=? AND voided=0", (code, offer_id)
    ).fetchone()
    return _offer(row) if row else None


def offers(con: sqlite3.Connection, code: str, rnd: int | None = None) -> list[Offer]:
    """Active offers of a session (one round or all), oldest first."""
    sql = "SELECT * FROM offers WHERE code=? AND voided=0"
    args: tuple[Any, ...] = (code,)
    if rnd is not None:
        sql += " AND round=?"
        args += (rnd,)
    return [_offer(r) for r in con.execute(sql + " ORDER BY id", args).fetchall()]


def set_offer_status(con: sqlite3.Connection, offer_id: int, status: OfferStatus) -> None:
    """Change an offer's status."""
    con.execute("UPDATE offers SET status=? WHERE id=?", (status, offer_id))


def expire_offers(con: sqlite3.Connection, code: str, rnd: int) -> None:
    """Open offers of a round that nobody answered expire when it resolves."""
    con.execute(
        "UPDATE offers SET status='expired' WHERE code=? AND round=? AND status='open'"
        " AND voided=0",
        (code, rnd),
    )


def reopen_offers(con: sqlite3.Connection, code: str, rnd: int) -> None:
    """Undo: offers that expired at resolution are open again."""
    con.execute(
        "UPDATE offers SET status='open' WHERE code=? AND round=? AND status='expired'",
        (code, rnd),
    )


# --- events, messages, rounds, log ------------------------------------------------------


def insert_event(
    con: sqlite3.Connection, code: str, rnd: int, event: Mapping[str, Any], at: float
) -> int:
    """Store an injected event."""
    cur = con.execute(
        "INSERT INTO events(code, round, event, created_at) VALUES(?,?,?,?)",
        (code, rnd, _dumps(dict(event)), at),
    )
    return int(cur.lastrowid or 0)


def events(con: sqlite3.Connection, code: str) -> list[InjectedEvent]:
    """Active injected events, oldest first."""
    rows = con.execute(
        "SELECT * FROM events WHERE code=? AND voided=0 ORDER BY id", (code,)
    ).fetchall()
    return [
        InjectedEvent(
            id=int(r["id"]),
            code=r["code"],
            round=int(r["round"]),
            event=_loads(r["event"]),
            created_at=float(r["created_at"]),
        )
        for r in rows
    ]


def insert_message(con: sqlite3.Connection, code: str, text: str, at: float) -> None:
    """Store a broadcast message."""
    con.execute("INSERT INTO messages(code, text, at) VALUES(?,?,?)", (code, text, at))


def messages(con: sqlite3.Connection, code: str) -> list[Message]:
    """Broadcast messages, oldest first."""
    rows = con.execute("SELECT * FROM messages WHERE code=? ORDER BY id", (code,)).fetchall()
    return [Message(int(r["id"]), r["code"], r["text"], float(r["at"])) for r in rows]


def put_round(con: sqlite3.Connection, result: RoundResult) -> None:
    """Store (or replace) a resolved round."""
    con.execute(
        "INSERT OR REPLACE INTO rounds(code, round, status, content_hash, decisions_hash,"
        " resolved_at, seconds) VALUES(?,?,?,?,?,?,?)",
        (
            result.code,
            result.round,
            result.status,
            result.content_hash,
            result.decisions_hash,
            result.resolved_at,
            result.seconds,
        ),
    )


def delete_round(con: sqlite3.Connection, code: str, rnd: int) -> None:
    """Remove a resolved round (undo)."""
    con.execute("DELETE FROM rounds WHERE code=? AND round=?", (code, rnd))


def rounds(con: sqlite3.Connection, code: str) -> list[RoundResult]:
    """Resolved rounds, oldest first."""
    rows = con.execute("SELECT * FROM rounds WHERE code=? ORDER BY round", (code,)).fetchall()
    return [
        RoundResult(
            code=r["code"],
            round=int(r["round"]),
            status="published" if r["status"] == "published" else "preview",
            content_hash=r["content_hash"],
            decisions_hash=r["decisions_hash"],
            resolved_at=float(r["resolved_at"]),
            seconds=float(r["seconds"]),
        )
        for r in rows
    ]


def log(
    con: sqlite3.Connection, code: str, at: float, actor: str, action: str, detail: Any = ""
) -> None:
    """Append to the session's audit log."""
    con.execute(
        "INSERT INTO log(code, at, actor, action, detail) VALUES(?,?,?,?,?)",
        (code, at, actor, action, _dumps(detail)),
    )


def log_rows(con: sqlite3.Connection, code: str) -> list[dict[str, Any]]:
    """The audit log of a session."""
    rows = con.execute("SELECT * FROM log WHERE code=? ORDER BY id", (code,)).fetchall()
    return [dict(r) for r in rows]
