"""Benchmark of the negotiation core on the 8,640-outcome offtake-for-investment deal.

Not a test. Run from the repository root:

    .venv/bin/python tests/benchmarks/bench_negotiation.py [--seeds 20] [--rounds 40]

Reports the per-session CPU and wall time (median and p95) of bilateral alternating offers over
every ordered pair of strategies and seeds, the time of the Nash shortcut, and per strategy pair the
agreement rate, mean moves and mean Pareto/Nash distances, without and with breakdown risk.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Sequence

import numpy as np

from mineralgame.negotiation import (
    AlternatingOffersConfig,
    DealGeometry,
    Negotiator,
    Strategy,
    TitForTat,
    UtilityTable,
    alternating_offers,
    investment_deal,
    make_strategy,
    nash_bargaining,
    session_metrics,
)

STRATEGY_NAMES = ("boulware", "linear", "conceder", "tit_for_tat", "aspiration", "tft_no_floor")


def _strategy(name: str) -> Strategy:
    return TitForTat(floor=None) if name == "tft_no_floor" else make_strategy(name)


def _run_pairs(
    inv: UtilityTable,
    host: UtilityTable,
    seeds: int,
    config: AlternatingOffersConfig,
) -> tuple[list[tuple[float, float]], dict[tuple[str, str], list[tuple[bool, int, float, float]]]]:
    geometry = DealGeometry.of(inv, host)
    times: list[tuple[float, float]] = []
    stats: dict[tuple[str, str], list[tuple[bool, int, float, float]]] = {}
    for sa in STRATEGY_NAMES:
        for sb in STRATEGY_NAMES:
            parties = [
                Negotiator("JPN", inv, _strategy(sa)),
                Negotiator("IDN", host, _strategy(sb)),
            ]
            rows = stats.setdefault((sa, sb), [])
            for seed in range(seeds):
                rng = np.random.default_rng(seed)
                start = time.process_time(), time.perf_counter()
                result = alternating_offers(
                    parties, rng, config=config, session_id=f"{sa}-{sb}-{seed}"
                )
                times.append((time.process_time() - start[0], time.perf_counter() - start[1]))
                m = session_metrics(result, geometry)
                rows.append((m.agreed, m.n_steps, m.pareto_distance, m.nash_distance))
    return times, stats


def _print_pairs(
    title: str, stats: dict[tuple[str, str], list[tuple[bool, int, float, float]]]
) -> None:
    print(f"\n{title}")
    header = ("investor (JPN)", "host (IDN)", "agree", "moves", "pareto", "nash")
    print("{:<14} {:<14} {:>6} {:>6} {:>7} {:>6}".format(*header))
    for (sa, sb), rows in stats.items():
        agreed = [r for r in rows if r[0]]
        rate = len(agreed) / len(rows)
        moves = np.mean([r[1] for r in agreed]) if agreed else float("nan")
        pareto = np.mean([r[2] for r in agreed]) if agreed else float("nan")
        nash = np.mean([r[3] for r in agreed]) if agreed else float("nan")
        print(f"{sa:<14} {sb:<14} {rate:>6.2f} {moves:>6.1f} {pareto:>7.3f} {nash:>6.3f}")
    overall = [r[0] for rows in stats.values() for r in rows]
    print(f"overall agreement rate: {np.mean(overall):.3f} over {len(overall)} sessions")


def _print_times(label: str, times: Sequence[tuple[float, float]]) -> None:
    ms = 1000 * np.asarray(times)
    cpu, wall = ms[:, 0], ms[:, 1]
    print(
        f"{label} n={len(ms):5d}  CPU median {np.median(cpu):5.2f} ms  p95 "
        f"{np.percentile(cpu, 95):5.2f} ms | wall median {np.median(wall):5.2f} ms  p95 "
        f"{np.percentile(wall, 95):5.2f} ms"
    )


def main() -> None:
    """Run the benchmark and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="sessions per strategy pair")
    parser.add_argument("--rounds", type=int, default=40, help="deadline T (offers per party)")
    args = parser.parse_args()

    space, inv, host = investment_deal()
    print(f"Python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    print(f"deal: {space.size} outcomes, issues {space.names}, deadline T={args.rounds} rounds")
    parties = [Negotiator("JPN", inv, make_strategy("boulware")), Negotiator("IDN", host)]
    alternating_offers(parties, np.random.default_rng(0))  # warm caches (sorted points etc.)

    base = AlternatingOffersConfig(n_rounds=args.rounds)
    times, stats = _run_pairs(inv, host, args.seeds, base)
    risky = AlternatingOffersConfig(n_rounds=args.rounds, breakdown_probability=0.02)
    risky_times, risky_stats = _run_pairs(inv, host, args.seeds, risky)

    nash_times = []
    for seed in range(200):
        start = time.process_time(), time.perf_counter()
        nash_bargaining(parties, np.random.default_rng(seed))
        nash_times.append((time.process_time() - start[0], time.perf_counter() - start[1]))

    print("\nPer-session time (similarity offers, AC_combi, random first mover):")
    _print_times("alternating offers, no breakdown risk", times)
    _print_times("alternating offers, breakdown p=0.02 ", risky_times)
    _print_times("alternating offers, all sessions     ", [*times, *risky_times])
    _print_times("Nash shortcut                        ", nash_times)
    _print_pairs("Strategy pairs, no breakdown risk:", stats)
    _print_pairs("Strategy pairs, breakdown probability 0.02 per rejection:", risky_stats)


if __name__ == "__main__":
    main()
