"""Serve the classroom with waitress (a production WSGI server), on 127.0.0.1 by default."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO


def serve(
    db: str | Path,
    host: str = "127.0.0.1",
    port: int = 8060,
    *,
    records_dir: Path | None = None,
    public_url: str | None = None,
    threads: int = 8,
    out: TextIO | None = None,
) -> None:
    """Serve the classroom until interrupted.

    Args:
        db: SQLite file or ``sqlite:///`` URL holding the sessions.
        host: Interface to bind (``0.0.0.0`` to let a classroom network in).
        port: TCP port.
        records_dir: Where finished sessions are saved as run records.
        public_url: Base URL shown to students (join link and QR code).
        threads: Waitress worker threads.
        out: Where to print the URLs (default standard output).
    """
    import waitress

    from mineralgame.classroom.app import create_app

    app = create_app(db, records_dir=records_dir, public_url=public_url)
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    base = public_url or f"http://{shown}:{port}"
    stream = out or sys.stdout
    stream.write(
        f"mineralgame classroom: facilitator {base}/facilitator  students {base}/  "
        f"(database {db}; Ctrl+C to stop)\n"
    )
    stream.flush()
    waitress.serve(
        app.server, host=host, port=port, threads=threads, ident="mineralgame", channel_timeout=60
    )
