"""``mineralgame classroom``: serve classroom play (facilitator, students, projector, debrief).

Binds 127.0.0.1 unless ``--host`` says otherwise, keeps every session in SQLite (``--db``) so a
restart loses nothing, and serves with waitress.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_DB = Path("classroom.db")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``classroom`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "classroom",
        help="run a classroom session in the browser (facilitator, students, projector)",
        description=(
            "Serve classroom play: the facilitator creates a session at /facilitator and shows "
            "the join code and QR code on the projector; student delegations join from their "
            "browsers and play countries; bots play the rest. Sessions live in a SQLite "
            "database, so stopping and restarting the server loses nothing. See "
            "docs/facilitator-guide.md."
        ),
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface to bind (default 127.0.0.1; use 0.0.0.0 to let the classroom in)",
    )
    parser.add_argument("--port", type=int, default=8060, help="TCP port (default: 8060)")
    parser.add_argument(
        "--db",
        default=str(DEFAULT_DB),
        metavar="PATH",
        help="SQLite file or sqlite:///PATH URL holding the sessions (default: ./classroom.db)",
    )
    parser.add_argument(
        "--records",
        type=Path,
        default=None,
        metavar="DIR",
        help="where finished sessions are saved as run records (default: next to the database)",
    )
    parser.add_argument(
        "--public-url",
        default=None,
        metavar="URL",
        help="base URL students use, for the join link and QR (e.g. http://192.168.1.20:8060)",
    )
    parser.add_argument("--threads", type=int, default=8, help="server threads (default: 8)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Serve the classroom until interrupted; return the exit code."""
    if not 0 < args.port < 65536:
        sys.stderr.write(f"error: --port {args.port} is not a TCP port (1-65535).\n")
        return 2
    from mineralgame.classroom.persistence import sqlite_path

    try:
        sqlite_path(args.db)
    except ValueError as exc:
        sys.stderr.write(f"error: --db: {exc}\n")
        return 2
    from mineralgame.classroom.server import serve

    serve(
        args.db,
        args.host,
        args.port,
        records_dir=args.records,
        public_url=args.public_url,
        threads=args.threads,
    )
    return 0
