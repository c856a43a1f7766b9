"""Policy phase: strategies turn into trade rules, stock targets and investment orders.

Derisking and decoupling are parameter sets (``StrategyParams``), not code paths: a dependence
cap tightening over ``cap_phase_in_rounds`` with a security levy above it, banned
counterparties phased out over ``phase_out_rounds``, a stockpile target and an investment
share of the budget. The dominant processor retaliates against decouplers (export licensing)
and undercuts new entrants (a refining cost cut) once their capacity grows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mineralgame.config.schema import Scenario, StrategyParams
from mineralgame.shocks import MineralRules, event_row, resolve
from mineralgame.state import WorldState

DEFAULT_STRATEGY = StrategyParams()


@dataclass(frozen=True)
class StockOrder:
    """What a country wants to add to its stockpile this round."""

    qty: float
    wtp: float
    release_threshold: float


def strategy_of(code: str, scenario: Scenario, run_strategy: str) -> tuple[str, StrategyParams]:
    """Name and parameters of a country's strategy (members only; others get no levers)."""
    spec = scenario.countries[code]
    if spec.role != "member":
        return "none", DEFAULT_STRATEGY
    name = spec.strategy or run_strategy
    return name, scenario.strategies.get(name, DEFAULT_STRATEGY)


def phase(rnd: int, rounds: int) -> float:
    """Share of a phase-in completed by round ``rnd`` (reaches 1 after ``rounds`` rounds)."""
    return min(1.0, (rnd + 1) / rounds)


def apply_strategy(
    rnd: int,
    member: int,
    params: StrategyParams,
    scenario: Scenario,
    state: WorldState,
    rules: dict[str, MineralRules],
) -> None:
    """Write a member's dependence cap and bans into every mineral's rules."""
    banned = {state.index(c) for c in resolve(params.banned_counterparties, scenario)}
    banned.discard(member)
    cap = 1.0 - (1.0 - params.dependence_cap) * phase(rnd, params.cap_phase_in_rounds)
    remaining = 1.0 - phase(rnd, params.phase_out_rounds)
    for m, r in rules.items():
        ms = state.minerals[m]
        levy = params.security_premium * scenario.minerals[m].refined_price_usd_per_t
        world = max(float(ms.ref_capacity.sum()), 1e-9)
        big = np.flatnonzero(ms.ref_capacity / world > min(cap, 0.999) * 0.5)
        for big_origin in big.tolist():
            if big_origin != member and cap < 1.0:
                r.soft_cap[(member, big_origin)] = (cap, levy)
        for banned_origin in sorted(banned):
            r.limit_pair(banned_origin, member, remaining)


def stock_order(
    member: int,
    target_days: float,
    params: StrategyParams,
    price: float,
    requirement: float,
    stock: float,
) -> StockOrder:
    """Refill towards the target over about three rounds, at most at the refill price."""
    target = target_days / 365.0 * requirement
    qty = max(0.0, min(target - stock, target / 3.0))
    return StockOrder(qty, params.refill_price_multiple * price, params.stockpile_release_threshold)


def retaliate(
    rnd: int,
    scenario: Scenario,
    state: WorldState,
    rules: dict[str, MineralRules],
    decouplers: list[int],
) -> list[dict[str, Any]]:
    """The dominant processor licenses exports to members that decouple from it."""
    policy = scenario.dominant_policy
    if not policy.retaliation or not decouplers:
        return []
    minerals = list(policy.retaliation_minerals) or list(rules)
    for m in minerals:
        if m in rules:
            for member in decouplers:
                rules[m].limit_pair(state.dominant, member, policy.retaliation_licence_share)
    if rnd != 0:
        return []
    return [
        event_row(
            rnd,
            scenario,
            kind="export_licensing",
            actor=state.codes[state.dominant],
            target=",".join(state.codes[i] for i in decouplers),
            mineral=",".join(minerals),
            stage="refined",
            magnitude=policy.retaliation_licence_share,
            description="retaliation against decoupling: exports licensed",
            source="retaliation",
        )
    ]


def undercut(
    rnd: int, scenario: Scenario, state: WorldState, rules: dict[str, MineralRules]
) -> list[dict[str, Any]]:
    """Cut the dominant's refining cost where non-dominant capacity has grown enough."""
    policy = scenario.dominant_policy
    rows: list[dict[str, Any]] = []
    if not policy.undercut:
        return rows
    for m, r in rules.items():
        ms = state.minerals[m]
        others = float(ms.ref_capacity.sum() - ms.ref_capacity[state.dominant])
        base_others = ms.base_ref_capacity_world - ms.base_dominant_capacity
        growth = (others - base_others) / max(ms.base_ref_capacity_world, 1e-9)
        if growth > policy.undercut_trigger_share:
            r.dominant_cost_cut = policy.undercut_cost_cut
            if not ms.undercutting:
                ms.undercutting = True
                rows.append(
                    event_row(
                        rnd,
                        scenario,
                        kind="undercut",
                        actor=state.codes[state.dominant],
                        mineral=m,
                        stage="refined",
                        magnitude=policy.undercut_cost_cut,
                        description="price undercutting of new entrants",
                        source="undercut",
                    )
                )
    return rows
