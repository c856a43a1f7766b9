"""``mineralgame dashboard``: serve the Dash dashboard over a folder of run records.

Binds 127.0.0.1 unless ``--host`` says otherwise, serves with waitress and prints the URL.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_RECORDS = Path("records")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``dashboard`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "dashboard",
        help="replay and compare run records in the browser",
        description=(
            "Serve the dashboard for a folder of run records: a Records table, a round-by-round "
            "Replay (map, network, prices, shortfall, events, country panels) and a Compare "
            "view (side by side, differences, mean with a 5-95%% band across seeds), and an "
            "Experiments view of sweep results (outcomes by policy; click a run to replay it). "
            "Works offline; binds 127.0.0.1 unless --host is given."
        ),
    )
    parser.add_argument(
        "--records",
        type=Path,
        default=DEFAULT_RECORDS,
        metavar="DIR",
        help="folder of run records, one sub-folder per run (default: ./records)",
    )
    parser.add_argument(
        "--sweeps",
        type=Path,
        default=None,
        metavar="DIR",
        help=(
            "folder of sweep results folders for the Experiments page (default: sweeps/ "
            "next to the records folder, if it exists)"
        ),
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1, local only)"
    )
    parser.add_argument("--port", type=int, default=8050, help="TCP port (default: 8050)")
    parser.add_argument(
        "--open",
        dest="open_page",
        choices=("records", "compare", "experiments"),
        default="records",
        help="page whose URL is printed (default: records)",
    )
    parser.add_argument(
        "--debug", action="store_true", help="use Dash's debug server (development only)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Serve the dashboard until interrupted; return the exit code."""
    records: Path = args.records
    if not records.is_dir():
        sys.stderr.write(
            f"error: records folder {records} does not exist. Fix: run 'mineralgame demo "
            "--no-serve' or 'mineralgame run ...' first, or pass --records DIR.\n"
        )
        return 2
    if not 0 < args.port < 65536:
        sys.stderr.write(f"error: --port {args.port} is not a TCP port (1-65535).\n")
        return 2
    sweeps: Path | None = args.sweeps
    if sweeps is not None and not sweeps.is_dir():
        sys.stderr.write(
            f"error: sweeps folder {sweeps} does not exist. Fix: pass the folder holding "
            "'mineralgame sweep --out' folders, or leave --sweeps out.\n"
        )
        return 2
    from dashboard import serve

    serve(
        records,
        args.host,
        args.port,
        open_page=args.open_page,
        debug=args.debug,
        sweeps_dir=sweeps,
    )
    return 0
