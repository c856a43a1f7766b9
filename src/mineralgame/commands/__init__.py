"""Subcommands of the ``mineralgame`` command line.

Each module ``mineralgame.commands.<name>`` provides ``add_parser(subparsers)``, which adds its
parser and sets ``handler=run``, and ``run(args) -> int``, which returns the exit code.
"""
