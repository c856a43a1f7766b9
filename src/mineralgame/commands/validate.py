"""``mineralgame validate FILE [FILE...]``: check scenario files without running them.

Prints ``FILE: OK`` for each valid file, or every problem as
``file: field.path: what is wrong. Fix: how`` on standard error. The exit code is 2 if any
file fails, 0 otherwise. No input ever produces a Python traceback: an unexpected error
becomes a one-line internal-error problem.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from mineralgame.config.load import Problem, ScenarioError, load_scenario

EXIT_INVALID = 2


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``validate`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "validate",
        help="check scenario files and explain every problem",
        description=(
            "Check scenario files (YAML): schema, units and ranges, and that every country, "
            "mineral, group and strategy a field names is defined. Prints 'FILE: OK' or each "
            "problem as 'file: field.path: what is wrong. Fix: how'. Exit code 2 if any fails."
        ),
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="scenario file(s) to check")
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print only problems, not the OK lines"
    )
    parser.set_defaults(handler=run)


def validate_file(name: str) -> list[Problem]:
    """Return every problem in scenario file ``name`` (empty if it is valid); never raise."""
    try:
        load_scenario(name)
    except ScenarioError as exc:
        return exc.problems or [Problem(name, "", "is not a valid scenario", "")]
    except Exception as exc:  # an internal error must still not print a traceback
        detail = " ".join(str(exc).split())[:200]
        msg = f"internal error while validating ({type(exc).__name__}: {detail})"
        return [Problem(name, "", msg, "please report this, with the file")]
    return []


def _emit(stream: TextIO, line: str) -> None:
    stream.write(line + "\n")


def run(args: argparse.Namespace) -> int:
    """Validate each file in ``args.files``; return 2 if any has a problem, else 0."""
    failed = 0
    for name in args.files:
        problems = validate_file(name)
        if not problems:
            if not args.quiet:
                _emit(sys.stdout, f"{name}: OK")
            continue
        failed += 1
        for problem in problems:
            _emit(sys.stderr, str(problem))
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        _emit(sys.stderr, f"{name}: FAILED ({count})")
    sys.stdout.flush()
    return EXIT_INVALID if failed else 0
