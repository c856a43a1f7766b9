"""Capacity changes: the market's own investment pipeline and strategy-driven projects.

* Market pipeline: producers order new capacity to keep pace with expected demand growth
  (IEA STEPS path) plus a price response, delivered after the mine or refinery lead time;
  orders committed before the start fill the first lead-time rounds.
* Projects: a member invests part of its budget in integrated mine-and-refinery capacity
  hosted by a friendly country with reserves; it takes an offtake share of the output as a
  contract served before the market clears.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from mineralgame.config.schema import MineralSpec, Scenario
from mineralgame.market.problem import FloatArray
from mineralgame.state import MineralState, WorldState

PRICE_RESPONSE = 0.3  # capacity ordered per unit of price above 1.05 × base [share/yr]


@dataclass(frozen=True)
class Project:
    """An investment in new integrated capacity (refined t/yr)."""

    project_id: str
    owner: str
    host: str
    mineral: str
    capacity_t: float
    capex_usd: float
    start_round: int
    online_round: int
    offtake_share: float
    source: str = "strategy"

    @property
    def stage(self) -> str:
        """Projects are integrated: mine plus refinery."""
        return "mine+refinery"

    def online(self, rnd: int) -> bool:
        """Whether the project produces in round ``rnd``."""
        return rnd >= self.online_round


def growth_multiple(spec: MineralSpec, year: float, start_year: int) -> float:
    """Demand multiple of ``year`` relative to the start year (linear interpolation)."""
    if not spec.demand_growth:
        return 1.0
    years = np.array(sorted(spec.demand_growth), dtype=float)
    values = np.array([spec.demand_growth[int(y)] for y in years])
    return float(np.interp(year, years, values) / np.interp(start_year, years, values))


def refinery_lead(spec: MineralSpec, technology: float) -> int:
    """Refinery lead time, longer for countries behind the technology frontier."""
    return round(spec.refinery_lead_time_rounds * (1.0 + max(0.0, 1.0 - technology)))


def seed_pipeline(scenario: Scenario, state: WorldState) -> None:
    """Capacity already committed at the start, following demand growth for the lead time."""
    for m, ms in state.minerals.items():
        spec = scenario.minerals[m]
        for lead, order in _pipelines(spec):
            for rnd in range(1, lead):
                order(ms, rnd, _order_rate(spec, scenario, rnd, 0.0))


def _step_growth(spec: MineralSpec, scenario: Scenario, rnd: int) -> float:
    yr = scenario.start_year + rnd * scenario.years_per_round
    prev = growth_multiple(spec, yr - scenario.years_per_round, scenario.start_year)
    return max(0.0, growth_multiple(spec, yr, scenario.start_year) / prev - 1.0)


def _order_rate(spec: MineralSpec, scenario: Scenario, online: int, price_signal: float) -> float:
    """Capacity ordered for delivery in round ``online``, as a share of today's capacity."""
    return _step_growth(spec, scenario, online) + PRICE_RESPONSE * price_signal


def _add_order(pipeline: dict[int, FloatArray], online: int, add: FloatArray) -> None:
    pipeline[online] = pipeline.get(online, np.zeros_like(add)) + add


def _order_mine(ms: MineralState, online: int, rate: float) -> None:
    room = ms.reserves > 10.0 * ms.mine_nominal  # only where reserves last a decade or more
    _add_order(ms.pipeline_mine, online, np.where(room, ms.mine_capacity * rate, 0.0))


def _order_refining(ms: MineralState, online: int, rate: float) -> None:
    _add_order(ms.pipeline_ref, online, ms.ref_capacity * rate)


OrderFn = Callable[[MineralState, int, float], None]


def _pipelines(spec: MineralSpec) -> tuple[tuple[int, OrderFn], ...]:
    """(lead time in rounds, at least 1; how to order) of mines, then refineries."""
    return (
        (max(spec.mine_lead_time_rounds, 1), _order_mine),
        (max(spec.refinery_lead_time_rounds, 1), _order_refining),
    )


def order_capacity(
    rnd: int, scenario: Scenario, state: WorldState, price_ratio: dict[str, float]
) -> None:
    """Producers order capacity for delivery after the lead time."""
    for m, ms in state.minerals.items():
        spec = scenario.minerals[m]
        signal = max(0.0, price_ratio.get(m, 1.0) - 1.05)
        for lead, order in _pipelines(spec):
            order(ms, rnd + lead, _order_rate(spec, scenario, rnd + lead, signal))


def _add_capacity(capacity: FloatArray, nominal: FloatArray, add: FloatArray) -> None:
    """Grow ``capacity`` in place; ``nominal`` grows at its current share of it (1 where none)."""
    ratio = np.divide(nominal, capacity, out=np.ones_like(add), where=capacity > 0)
    capacity += add
    nominal += add * ratio


def commission(rnd: int, state: WorldState, projects: list[Project], scenario: Scenario) -> None:
    """Add the capacity that comes online this round (pipeline and projects)."""
    for ms in state.minerals.values():
        add_m = ms.pipeline_mine.pop(rnd, None)
        if add_m is not None:
            _add_capacity(ms.mine_capacity, ms.mine_nominal, add_m)
        add_r = ms.pipeline_ref.pop(rnd, None)
        if add_r is not None:
            _add_capacity(ms.ref_capacity, ms.ref_nominal, add_r)
    for p in projects:
        if p.online_round == rnd:
            ms = state.minerals[p.mineral]
            host = state.index(p.host)
            ore = p.capacity_t / scenario.minerals[p.mineral].refined_per_ore
            ms.mine_capacity[host] += ore
            ms.mine_nominal[host] += ore
            ms.ref_capacity[host] += p.capacity_t
            ms.ref_nominal[host] += p.capacity_t


def choose_host(mineral: str, owner: str, candidates: list[str], state: WorldState) -> str | None:
    """The candidate with the most untapped reserves (reserves per tonne mined), by code."""
    ms = state.minerals[mineral]
    best: tuple[float, str] | None = None
    for code in sorted(candidates):
        i = state.index(code)
        if i == state.dominant or ms.reserves[i] <= 0:
            continue
        score = ms.reserves[i] / (ms.mine_nominal[i] + 1.0)
        if best is None or score > best[0]:
            best = (score, code)
    del owner
    return best[1] if best else None


def plan_project(
    rnd: int,
    owner: str,
    mineral: str,
    host: str,
    budget: float,
    offtake: float,
    scenario: Scenario,
    state: WorldState,
    serial: int,
) -> Project | None:
    """An integrated project of the size the budget buys."""
    spec = scenario.minerals[mineral]
    unit_capex = (
        spec.refinery_capex_usd_per_tpy + spec.mine_capex_usd_per_tpy / spec.refined_per_ore
    )
    capacity = budget / unit_capex
    if capacity <= 0:
        return None
    tech = float(state.minerals[mineral].technology[state.index(host)])
    lead = max(spec.mine_lead_time_rounds, refinery_lead(spec, tech))
    return Project(
        project_id=f"P{rnd:02d}-{owner}-{mineral}-{serial}",
        owner=owner,
        host=host,
        mineral=mineral,
        capacity_t=capacity * scenario.years_per_round,
        capex_usd=budget,
        start_round=rnd,
        online_round=rnd + max(lead, 1),
        offtake_share=offtake,
    )


def with_source(project: Project, source: str) -> Project:
    """A copy of the project credited to ``source`` (e.g. a deal id)."""
    return replace(project, source=source)
