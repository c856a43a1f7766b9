"""Mutable world state: per-mineral arrays over countries, built from a Scenario.

Agents read and set their levers; mechanisms take these arrays as plain data. Country order
is the sorted order of codes, fixed for the whole run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mineralgame.config.schema import Scenario
from mineralgame.market.problem import FloatArray, IntArray


@dataclass
class MineralState:
    """State of one mineral across countries (t, t/yr, days as named)."""

    reserves: FloatArray
    mine_nominal: FloatArray  # low-cost mine capacity [t/yr]
    mine_capacity: FloatArray  # total mine capacity [t/yr]
    ref_nominal: FloatArray
    ref_capacity: FloatArray
    technology: FloatArray
    base_demand: FloatArray  # base-year requirement [t/yr]
    stock: FloatArray
    cost_factor: FloatArray
    last_consumption: FloatArray
    pipeline_mine: dict[int, FloatArray] = field(default_factory=dict)  # round -> added t/yr
    pipeline_ref: dict[int, FloatArray] = field(default_factory=dict)
    base_ref_capacity_world: float = 0.0
    base_dominant_capacity: float = 0.0
    undercutting: bool = False


@dataclass
class WorldState:
    """All minerals' states plus fixed country facts."""

    codes: tuple[str, ...]
    roles: tuple[str, ...]
    region: IntArray
    regions: tuple[str, ...]
    dominant: int
    minerals: dict[str, MineralState]

    def index(self, code: str) -> int:
        """Index of a country code."""
        return self.codes.index(code)


def build_state(scenario: Scenario) -> WorldState:
    """Initial world state from a validated scenario."""
    codes = tuple(sorted(scenario.countries))
    regions = tuple(sorted({c.region for c in scenario.countries.values()}))
    region = np.array([regions.index(scenario.countries[c].region) for c in codes], dtype=np.int64)
    util = scenario.utilisation
    minerals: dict[str, MineralState] = {}
    for name in sorted(scenario.minerals):
        rows = [scenario.countries[c].minerals.get(name) for c in codes]

        def col(attr: str, rows: list = rows) -> FloatArray:  # type: ignore[type-arg]
            return np.array([getattr(r, attr) if r is not None else 0.0 for r in rows], float)

        mine_nom, ref_nom = col("mine_output_t"), col("refining_output_t")
        mine_cap = np.array(
            [
                (r.mine_capacity_t if r.mine_capacity_t is not None else r.mine_output_t / util)
                if r is not None
                else 0.0
                for r in rows
            ]
        )
        ref_cap = np.array(
            [
                (
                    r.refining_capacity_t
                    if r.refining_capacity_t is not None
                    else r.refining_output_t / util
                )
                if r is not None
                else 0.0
                for r in rows
            ]
        )
        tech = np.array([r.technology if r is not None else 0.5 for r in rows])
        demand = col("demand_t")
        minerals[name] = MineralState(
            reserves=col("reserves_t"),
            mine_nominal=mine_nom,
            mine_capacity=np.maximum(mine_cap, mine_nom),
            ref_nominal=ref_nom,
            ref_capacity=np.maximum(ref_cap, ref_nom),
            technology=tech,
            base_demand=demand,
            stock=col("stockpile_t"),
            cost_factor=np.array([r.cost_factor if r is not None else 1.0 for r in rows]),
            last_consumption=demand.copy(),
            base_ref_capacity_world=float(np.maximum(ref_cap, ref_nom).sum()),
        )
    dominant = codes.index(scenario.dominant)
    for ms in minerals.values():
        ms.base_dominant_capacity = float(ms.ref_capacity[dominant])
    roles = tuple(scenario.countries[c].role for c in codes)
    return WorldState(codes, roles, region, regions, dominant, minerals)
