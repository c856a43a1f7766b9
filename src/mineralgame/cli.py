"""The ``mineralgame`` command line: a thin shell over the Python API.

Each subcommand lives in ``mineralgame.commands.<name>`` with ``add_parser(subparsers)`` and
``run(args) -> int``; heavy imports happen inside ``run``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from mineralgame import __version__

COMMANDS = ("run", "validate", "demo", "dashboard", "sweep", "classroom")


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every available subcommand."""
    parser = argparse.ArgumentParser(
        prog="mineralgame",
        description=(
            "Multi-agent negotiation game of critical-minerals supply chains: does derisking or "
            "decoupling buy more supply security, at what cost, and when?"
        ),
    )
    parser.add_argument("--version", action="version", version=f"mineralgame {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"mineralgame.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"mineralgame.commands.{name}":
                raise
            continue
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        code: int = args.handler(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":
    raise SystemExit(main())
