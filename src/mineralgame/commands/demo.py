"""``mineralgame demo``: derisk vs decouple on the baseline, served in the dashboard."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from mineralgame.commands.common import format_summary, progress_bar

STRATEGIES = ("bau", "derisk", "decouple")


def add_parser(sub: Any) -> None:
    """Register the subcommand."""
    p = sub.add_parser(
        "demo",
        help="run the derisk-vs-decouple demo and open it in the dashboard",
        description="Run the baseline under bau, derisk and decouple for several seeds into a "
        "records folder, print the comparison, and serve the dashboard on the compare view.",
    )
    p.add_argument("--config", default=None, help="scenario (default: the shipped baseline)")
    p.add_argument("--seeds", type=int, default=3, help="seeds per strategy (default 3)")
    p.add_argument("--records", default="records/demo", help="records folder")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8050, help="port (default 8050)")
    p.add_argument("--no-serve", action="store_true", help="run and print only")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run every strategy × seed, save records, print the comparison, serve."""
    import mineralgame
    from mineralgame.config import ScenarioError
    from mineralgame.config.shipped import shipped_config

    config = Path(args.config) if args.config else shipped_config("baseline.yaml")
    try:
        scenario = mineralgame.load_scenario(config)
    except ScenarioError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    records = Path(args.records)
    rows = []
    jobs = [(s, seed) for s in STRATEGIES for seed in range(args.seeds)]
    with progress_bar(len(jobs), "demo runs") as bar:
        for strategy, seed in jobs:
            record = mineralgame.run(scenario, strategy=strategy, seed=seed)
            record.manifest["scenario_file"] = str(config)
            record.save(records / f"{scenario.name}-{strategy}-seed{seed}")
            rows.append(record.summary)
            bar.update(1)
    print(format_summary(rows))
    print(f"{len(rows)} records in {records}")
    if args.no_serve:
        return 0
    import dashboard

    dashboard.serve(records, host=args.host, port=args.port, open_page="compare")
    return 0
