"""Produce-and-trade phase for one mineral: contracts first, then the market, then stocks.

Builds the clearing input from the world state and this round's rules, clears it, draws
stockpiles on shortfall, depletes reserves, and returns every quantity the record needs as
plain arrays. Tonnes balance exactly per country and stage (tests check it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mineralgame.config.schema import MineralSpec
from mineralgame.market.clearing import clear_market
from mineralgame.market.demand import demand_steps
from mineralgame.market.problem import FloatArray, MarketInput, MarketResult
from mineralgame.shocks import MineralRules
from mineralgame.state import MineralState, WorldState


@dataclass(frozen=True)
class Contract:
    """An offtake delivery served before the market (refined t this round)."""

    contract_id: str
    seller: int
    buyer: int
    tonnes: float
    price: float


@dataclass(frozen=True)
class TradeOutcome:
    """Everything produced, traded, consumed and stored for one mineral in one round."""

    requirement: FloatArray
    market: MarketResult
    contracts: tuple[Contract, ...]
    contract_ore: FloatArray  # ore mined and refined at home for contracts (by seller)
    contract_out: FloatArray  # refined delivered under contracts (by seller)
    contract_in: FloatArray  # refined received under contracts (by buyer)
    stock_draw: FloatArray
    consumption: FloatArray  # total: market + contracts + stock draw
    mine_input: MarketInput
    transport_ref: FloatArray  # (N, N) USD/t
    tariff: dict[tuple[int, int], float]


def serve_contracts(
    offers: list[Contract],
    mine_av: FloatArray,
    ref_av: FloatArray,
    need: FloatArray,
    per_ore: float,
) -> tuple[list[Contract], FloatArray, FloatArray, FloatArray]:
    """Deliver contracts in order within the seller's capacity and the buyer's need."""
    n = len(need)
    ore, out, into = np.zeros(n), np.zeros(n), np.zeros(n)
    served = []
    for c in sorted(offers, key=lambda c: c.contract_id):
        q = min(
            c.tonnes,
            ref_av[c.seller] - out[c.seller],
            need[c.buyer] - into[c.buyer],
            (mine_av[c.seller] - ore[c.seller]) * per_ore,
        )
        if q <= 1e-9:
            continue
        ore[c.seller] += q / per_ore
        out[c.seller] += q
        into[c.buyer] += q
        served.append(Contract(c.contract_id, c.seller, c.buyer, q, c.price))
    return served, ore, out, into


def freight(state: WorldState, spec: MineralSpec, value: float) -> FloatArray:
    """Region-to-region freight [USD/t]: a share of the value between regions, 0 within."""
    r = len(state.regions)
    out = np.full((r, r), spec.transport_inter_share * value)
    np.fill_diagonal(out, 0.0)
    return out


def market_input(
    state: WorldState,
    ms: MineralState,
    spec: MineralSpec,
    rules: MineralRules,
    mine_av: FloatArray,
    mine_cap_av: FloatArray,
    ref_av: FloatArray,
    ref_cap_av: FloatArray,
    need: FloatArray,
    refill: tuple[FloatArray, FloatArray],
    rpr: float,
) -> MarketInput:
    """The clearing problem for what is left after contracts."""
    p0 = spec.refined_price_usd_per_t
    ore_price = spec.ore_price_share * p0 * spec.refined_per_ore
    tech_cost = 1.0 + 0.5 * np.maximum(0.0, 1.0 - ms.technology)
    ref_cost = spec.refining_cost_share * p0 * tech_cost
    ref_cost[state.dominant] *= 1.0 - rules.dominant_cost_cut
    ref_hi = np.maximum(ref_cost, spec.headroom_cost_multiple * p0 - spec.ore_price_share * p0)
    qty, wtp = demand_steps(
        need, p0, spec.demand_elasticity, spec.essential_share, spec.value_of_lost_supply_multiple
    )
    return MarketInput(
        countries=state.codes,
        region=state.region,
        transport_ore=freight(state, spec, ore_price),
        transport_ref=freight(state, spec, p0),
        mine_cap_lo=mine_av,
        mine_cost_lo=spec.mining_cost_share * ore_price * ms.cost_factor,
        mine_cap_hi=np.maximum(0.0, mine_cap_av - mine_av),
        mine_cost_hi=np.full(len(need), spec.headroom_cost_multiple * ore_price),
        ref_cap_lo=ref_av,
        ref_cost_lo=ref_cost,
        ref_cap_hi=np.maximum(0.0, ref_cap_av - ref_av),
        ref_cost_hi=ref_hi,
        ref_yield=np.full(len(need), spec.refined_per_ore),
        secondary=spec.recycling_rate * ms.last_consumption * rpr,
        requirement=need,
        demand_qty=qty,
        demand_wtp=wtp,
        refill_qty=refill[0],
        refill_wtp=refill[1],
        ore_export_cap=rules.ore_export_cap.copy(),
        ref_export_cap=rules.ref_export_cap.copy(),
        ore_pair_ban=tuple(sorted(rules.ore_pair_ban)),
        ref_pair_share=tuple(sorted((o, d, s) for (o, d), s in rules.ref_pair_share.items())),
        ref_tariff=tuple(sorted((o, d, t) for (o, d), t in rules.ref_tariff.items())),
        soft_cap=tuple(sorted((d, o, s, lv) for (d, o), (s, lv) in rules.soft_cap.items())),
    )


def produce_and_trade(
    state: WorldState,
    mineral: str,
    spec: MineralSpec,
    rules: MineralRules,
    requirement: FloatArray,
    refill: tuple[FloatArray, FloatArray],
    release: FloatArray,
    contracts: list[Contract],
    rpr: float,
) -> TradeOutcome:
    """Serve contracts, clear the market, draw stocks; update reserves, stocks, consumption."""
    ms = state.minerals[mineral]
    keep = 1.0 - rules.capacity_loss
    reserve_cap = ms.reserves
    mine_cap_av = np.minimum(ms.mine_capacity * keep * rpr, reserve_cap)
    mine_av = np.minimum(ms.mine_nominal * keep * rpr, mine_cap_av)
    ref_av, ref_cap_av = ms.ref_nominal * rpr, ms.ref_capacity * rpr
    served, c_ore, c_out, c_in = serve_contracts(
        contracts, mine_av, ref_av, requirement, spec.refined_per_ore
    )
    mine_av, mine_cap_av = mine_av - c_ore, mine_cap_av - c_ore
    ref_av, ref_cap_av = ref_av - c_out, ref_cap_av - c_out
    need = np.maximum(requirement - c_in, 0.0)
    mi = market_input(
        state,
        ms,
        spec,
        rules,
        np.maximum(mine_av, 0.0),
        np.maximum(mine_cap_av, 0.0),
        np.maximum(ref_av, 0.0),
        np.maximum(ref_cap_av, 0.0),
        need,
        refill,
        rpr,
    )
    res = clear_market(mi)
    shortfall = np.maximum(need - res.consumption, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(requirement > 0, shortfall / requirement, 0.0)
    draw = np.where(share > release, np.minimum(ms.stock, shortfall), 0.0)
    ms.stock = ms.stock - draw + res.refill
    mined = res.mine_output + c_ore
    proven = np.where(ms.reserves > mined, spec.reserve_replacement * mined, 0.0)
    ms.reserves = np.maximum(ms.reserves - mined, 0.0) + proven
    consumption = res.consumption + c_in + draw
    ms.last_consumption = consumption / rpr
    return TradeOutcome(
        requirement=requirement,
        market=res,
        contracts=tuple(served),
        contract_ore=c_ore,
        contract_out=c_out,
        contract_in=c_in,
        stock_draw=draw,
        consumption=consumption,
        mine_input=mi,
        transport_ref=mi.transport_ref[np.ix_(state.region, state.region)],
        tariff={(o, d): t for o, d, t in mi.ref_tariff},
    )
