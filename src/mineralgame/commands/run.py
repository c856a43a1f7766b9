"""``mineralgame run CONFIG``: run one scenario, write its record, print a summary table."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from mineralgame.commands.common import format_summary, progress_bar


def add_parser(sub: Any) -> None:
    """Register the subcommand."""
    p = sub.add_parser(
        "run",
        help="run one scenario and write its run record",
        description="Run a scenario for one strategy and seed; write the run record (manifest "
        "and Parquet tables) to --out and print the run's summary measures.",
    )
    p.add_argument("config", help="scenario YAML file, e.g. configs/baseline.yaml")
    p.add_argument("--strategy", default=None, help="member strategy (bau, derisk, decouple)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--rounds", type=int, default=None, help="override the number of rounds")
    p.add_argument(
        "--out", default=None, help="record folder (default runs/<scenario>-<strategy>-<seed>)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run and save; exit 2 on a bad scenario."""
    import mineralgame
    from mineralgame.config import ScenarioError

    try:
        scenario = mineralgame.load_scenario(args.config)
    except ScenarioError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    strategy = args.strategy or scenario.default_strategy
    if strategy not in scenario.strategies:
        known = ", ".join(sorted(scenario.strategies))
        print(
            f"{args.config}: unknown strategy '{strategy}'. Fix: use one of {known}",
            file=sys.stderr,
        )
        return 2
    rounds = args.rounds or scenario.rounds
    with progress_bar(rounds, f"{scenario.name}/{strategy}", disable=args.quiet) as bar:
        record = mineralgame.run(
            scenario,
            strategy=strategy,
            seed=args.seed,
            rounds=args.rounds,
            progress=lambda done, total: bar.update(1),
        )
    out = Path(args.out or f"runs/{scenario.name}-{strategy}-{args.seed}")
    record.manifest["scenario_file"] = str(args.config)
    record.save(out)
    print(format_summary([record.summary]))
    print(f"record written to {out}")
    return 0
