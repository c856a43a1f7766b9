"""Benchmark of the negotiation layer inside the model (not a test; nothing is asserted).

Run from the repository root:

    .venv/bin/python tests/benchmarks/bench_negotiation_model.py [--repeats 3] [--scales 1 2 4]

Reports, in one process:

* the baseline run (16 rounds, all countries, negotiation on) per strategy: CPU and wall time
  (median over repeats), with the negotiation phase's share, against negotiation off;
* per-session time (median and p95, CPU and wall) of the sessions played inside the model,
  for the 8,640-outcome offtake-for-investment deal and for the other deal types;
* agreement rates per deal type and strategy;
* scaling: sessions per round and negotiation time per round when every non-dominant country
  is split into k clones (``bench_core.scaled``), so the cost's growth with N can be read off.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import mineralgame
from mineralgame.config.load import apply_overrides, scenario_from_raw
from mineralgame.config.schema import Scenario
from mineralgame.deals import phase, sessions
from mineralgame.model import MineralModel

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_core import scaled  # noqa: E402

STRATEGIES = ("bau", "derisk", "decouple")
SESSION_TIMES: dict[str, list[tuple[float, float]]] = defaultdict(list)


def _timed_play(original: Callable[..., Any]) -> Callable[..., Any]:
    def play(bargain: sessions.Bargain, *args: Any, **kwargs: Any) -> Any:
        start = time.process_time(), time.perf_counter()
        out = original(bargain, *args, **kwargs)
        size = bargain.space.size
        kind = "investment (8,640)" if size == 8640 else f"{size} outcomes"
        SESSION_TIMES[kind].append((time.process_time() - start[0], time.perf_counter() - start[1]))
        return out

    return play


def _with_negotiation(scenario: Scenario, enabled: bool) -> Scenario:
    raw = apply_overrides(scenario.model_dump(mode="json"), {"negotiation.enabled": enabled})
    return scenario_from_raw(raw)


def _run(scenario: Scenario, strategy: str) -> tuple[float, float, float, Any]:
    """CPU, wall and negotiation-phase CPU seconds of one full run, and its record tables."""
    model = MineralModel(scenario, strategy=strategy, rng=0)
    spent = 0.0
    run_phase = model.phase_negotiation

    def timed() -> None:
        nonlocal spent
        t = time.process_time()
        run_phase()
        spent += time.process_time() - t

    model.phase_negotiation = timed  # type: ignore[method-assign]
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(scenario.rounds):
        model.step()
    tables = model.recorder.tables()
    return time.process_time() - cpu, time.perf_counter() - wall, spent, tables


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def report_runs(base: Scenario, repeats: int) -> dict[str, Any]:
    off = _with_negotiation(base, False)
    last = {}
    n = len(base.countries)
    print(f"\nBaseline run: {base.rounds} rounds, {n} countries (median of {repeats})")
    for strategy in STRATEGIES:
        on = [_run(base, strategy) for _ in range(repeats)]
        without = [_run(off, strategy)[:2] for _ in range(repeats)]
        cpu, wall = (statistics.median(r[k] for r in on) for k in (0, 1))
        neg = statistics.median(r[2] for r in on)
        cpu0, wall0 = (statistics.median(r[k] for r in without) for k in (0, 1))
        print(
            f"  {strategy:9s} negotiation on: CPU {cpu:5.2f} s, wall {wall:5.2f} s "
            f"(negotiation phase CPU {neg:4.2f} s) | off: CPU {cpu0:5.2f} s, wall {wall0:5.2f} s"
        )
        last[strategy] = on[-1][3]
    return last


def report_sessions() -> None:
    print("\nPer-session time inside the model (all strategies and repeats):")
    for kind, times in sorted(SESSION_TIMES.items()):
        ms = 1000 * np.asarray(times)
        print(
            f"  {kind:20s} n={len(ms):5d}  CPU median {np.median(ms[:, 0]):5.2f} ms  "
            f"p95 {_pct(list(ms[:, 0]), 95):5.2f} ms | wall median {np.median(ms[:, 1]):5.2f} ms"
            f"  p95 {_pct(list(ms[:, 1]), 95):5.2f} ms"
        )


def report_agreements(tables: dict[str, Any]) -> None:
    print("\nAgreement rates per deal type (sessions opened, agreed share):")
    for strategy, t in tables.items():
        s = t["negotiation_sessions"]
        parts = []
        for kind, rows in s.groupby("deal_type"):
            parts.append(f"{kind} {len(rows)}/{rows['agreed'].mean():.2f}")
        print(f"  {strategy:9s} " + ", ".join(parts))


def report_scaling(base: Scenario, scales: list[int]) -> None:
    print("\nScaling (derisk, 4 rounds): every non-dominant country split into k clones")
    sizes, costs = [], []
    for k in scales:
        sc = scaled(base, k).model_copy(update={"rounds": 4})
        _, _, neg, tables = _run(sc, "derisk")
        n_sessions = len(tables["negotiation_sessions"]) / sc.rounds
        sizes.append(len(sc.countries))
        costs.append(neg / sc.rounds)
        print(
            f"  k={k:2d}: {len(sc.countries):4d} countries, {n_sessions:6.1f} sessions/round, "
            f"negotiation {1000 * neg / sc.rounds:7.1f} ms/round"
        )
    if len(sizes) > 1:
        slope = np.polyfit(np.log(sizes), np.log(costs), 1)[0]
        print(f"  negotiation cost grows as N^{slope:.2f}")


def main() -> None:
    """Run the benchmark and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per strategy")
    parser.add_argument("--scales", type=int, nargs="*", default=[1, 2, 4], help="clone factors")
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    phase.play = _timed_play(phase.play)  # type: ignore[attr-defined]
    base = mineralgame.load_scenario(ROOT / "configs" / "baseline.yaml")
    mineralgame.run(base, seed=0, rounds=1)  # warm imports and caches
    SESSION_TIMES.clear()
    tables = report_runs(base, args.repeats)
    report_sessions()
    report_agreements(tables)
    report_scaling(base, args.scales)


if __name__ == "__main__":
    main()
