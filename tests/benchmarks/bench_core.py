"""Benchmark: baseline run time and per-round cost vs number of countries (not a test).

Run: ``.venv/bin/python tests/benchmarks/bench_core.py``. The synthetic scaling scenario
splits every non-dominant country of the baseline into k clones with 1/k of its endowment
(same region and rules), so world totals stay fixed while the number of agents grows.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np

import mineralgame
from mineralgame.config.schema import Scenario
from mineralgame.model import MineralModel

ROOT = Path(__file__).resolve().parents[2]


def scaled(scenario: Scenario, k: int) -> Scenario:
    """Each non-dominant country becomes k clones with 1/k of every quantity."""
    if k == 1:
        return scenario
    countries = {}
    groups = {g: list(m) for g, m in scenario.groups.items()}
    for code, spec in scenario.countries.items():
        if code == scenario.dominant:
            countries[code] = spec
            continue
        minerals = {
            m: cm.model_copy(
                update={
                    f: getattr(cm, f) / k
                    for f in (
                        "reserves_t",
                        "mine_output_t",
                        "refining_output_t",
                        "demand_t",
                        "stockpile_t",
                    )
                    if getattr(cm, f) is not None
                }
                | {
                    f: (getattr(cm, f) / k if getattr(cm, f) is not None else None)
                    for f in ("mine_capacity_t", "refining_capacity_t")
                }
            )
            for m, cm in spec.minerals.items()
        }
        clone_spec = spec.model_copy(
            update={"minerals": minerals, "budget_usd_per_round": spec.budget_usd_per_round / k}
        )
        for j in range(k):
            name = code if j == 0 else f"{code}{j}"
            countries[name] = clone_spec
            for members in groups.values():
                if code in members and name not in members:
                    members.append(name)
    return scenario.model_copy(
        update={"countries": countries, "groups": {g: tuple(m) for g, m in groups.items()}}
    )


def time_rounds(scenario: Scenario, strategy: str, rounds: int) -> list[float]:
    model = MineralModel(scenario, strategy=strategy, rng=0)
    out = []
    for _ in range(rounds):
        t = time.perf_counter()
        model.step()
        out.append(time.perf_counter() - t)
    return out


def baseline_times(scenario: Scenario, label: str) -> None:
    for strategy in ("bau", "derisk", "decouple"):
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            mineralgame.run(scenario, strategy=strategy, seed=0)
            runs.append(time.perf_counter() - t)
        print(
            f"baseline run ({label}, 16 rounds, {len(scenario.countries)} countries, {strategy},"
            f" incl. record): median {statistics.median(runs):.2f} s over 3"
        )


def scaling(base: Scenario, label: str) -> None:
    for strategy in ("bau", "derisk"):
        sizes, costs = [], []
        for k in (1, 4, 16):
            sc = scaled(base, k)
            per_round = statistics.median(time_rounds(sc, strategy, 4))
            sizes.append(len(sc.countries))
            costs.append(per_round)
            print(
                f"{label} {strategy}: {len(sc.countries):4d} countries: "
                f"{per_round * 1000:8.1f} ms/round"
            )
        slope = np.polyfit(np.log(sizes), np.log(costs), 1)[0]
        print(f"{label} {strategy}: cost grows as N^{slope:.2f}")


def main() -> None:
    path = ROOT / "configs" / "baseline.yaml"
    core = mineralgame.load_scenario(path, {"negotiation.enabled": False})
    full = mineralgame.load_scenario(path)
    baseline_times(core, "negotiation off")
    baseline_times(full, "negotiation on")
    scaling(core, "negotiation off,")


if __name__ == "__main__":
    main()
