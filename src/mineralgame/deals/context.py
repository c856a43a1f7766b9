"""What negotiators see each round: a frozen snapshot of the market and of every country.

Built from the model at the start of the negotiation phase, after the shocks and policy phases,
so it carries this round's export controls and technology bans and last round's prices, flows,
dependence and shortfalls. Reservation values and deal utilities are computed from this view
only, which is how the geopolitics moves the bargaining.

Exposure of member i to mineral m:  X = max(0, min(1, dependence on the dominant + shortfall
share) − secured share), where the secured share is the refined t/yr already secured under
deals over the requirement.
Security premium:  σ = σ0·X·(1 + γ) + μ·max(0, X − cap) + κ·withheld,
with γ the doctrine's security weight, μ and cap the strategy's levy and dependence cap, and
*withheld* the share of the dominant's refined exports to i blocked this round.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from mineralgame.config.negotiation import NegotiationConfig
from mineralgame.shocks import resolve

if TYPE_CHECKING:
    from mineralgame.model import MineralModel

__all__ = ["MineralView", "RoundView", "round_view"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class MineralView:
    """One mineral as negotiators see it (arrays over countries, model order).

    Attributes:
        name: Mineral name.
        base_price: P0 [USD/t].
        index_price: Last round's consumption-weighted mean refined price [USD/t].
        node_price: Refined price each country paid last round [USD/t].
        seller_price: Refined price each country's refiners received last round (export
            parity; the mean index where that is not positive): the index of contracts it
            sells under [USD/t].
        requirement: This round's requirement [t/yr].
        exposure: X per country [-].
        withheld: Share of the dominant's refined exports to each country blocked [-].
        sigma: Security premium σ per country [-].
        refined_output: Last round's refined output [t/yr].
        ref_capacity: Refining capacity [t/yr].
        technology: Refining technology level [-].
        reserves: Reserves [t ore].
        unit_capex: Capex of integrated capacity [USD per refined t/yr].
        refined_per_ore: Refined t per ore t [-].
        refining_cost: Conversion cost at technology 1 [USD/t].
        freight: Freight of refined product between regions (0 within) [USD/t].
        world_share: Each country's share of world refining capacity [-].
        tech_ban: Indices of countries banning technology exports of this mineral.
        dominant_exports: Value of each country's exports to the dominant last round [$m/yr].
    """

    name: str
    base_price: float
    index_price: float
    node_price: FloatArray
    seller_price: FloatArray
    requirement: FloatArray
    exposure: FloatArray
    withheld: FloatArray
    sigma: FloatArray
    refined_output: FloatArray
    ref_capacity: FloatArray
    technology: FloatArray
    reserves: FloatArray
    unit_capex: float
    refined_per_ore: float
    refining_cost: float
    freight: float
    world_share: FloatArray
    tech_ban: frozenset[int]
    dominant_exports: FloatArray


@dataclass(frozen=True, eq=False)
class RoundView:
    """Countries and minerals as negotiators see them in one round.

    Attributes:
        round: Round index.
        codes: Country codes (model order).
        roles: Role of each country.
        strategies: Strategy name of each country ("none" for non-members).
        dominant: Index of the dominant processor.
        region: Region index of each country.
        rates: Discount rate of each country [1/yr].
        budget: Deal capital of each country this round [$m].
        esg: ESG rating of each country's projects [-].
        esg_preference: Weight each country puts on ESG [-].
        banned: Per country, the indices it never deals with.
        rival_bloc: Countries targeted by the dominant's bloc controls.
        minerals: Views by mineral name.
    """

    round: int
    codes: tuple[str, ...]
    roles: tuple[str, ...]
    strategies: tuple[str, ...]
    dominant: int
    region: NDArray[np.int64]
    rates: FloatArray
    budget: FloatArray
    esg: FloatArray
    esg_preference: FloatArray
    banned: tuple[frozenset[int], ...]
    rival_bloc: frozenset[int]
    minerals: dict[str, MineralView]

    def index(self, code: str) -> int:
        """Index of a country code."""
        return self.codes.index(code)

    @property
    def members(self) -> list[int]:
        """Indices of member states."""
        return [i for i, r in enumerate(self.roles) if r == "member"]

    def freight(self, mineral: str, origin: int, destination: int) -> float:
        """Freight of a refined tonne from origin to destination [USD/t]."""
        if self.region[origin] == self.region[destination]:
            return 0.0
        return self.minerals[mineral].freight

    @cached_property
    def dominant_exports(self) -> FloatArray:
        """Value of each country's exports to the dominant last round, all minerals [$m/yr]."""
        return np.sum([mv.dominant_exports for mv in self.minerals.values()], axis=0)

    def bans_dominant(self, i: int) -> bool:
        """Whether country i bans the dominant processor."""
        return self.dominant in self.banned[i]


def _rates(model: MineralModel, cfg: NegotiationConfig) -> FloatArray:
    by_role = {"member": cfg.deals.member_rate, "dominant": cfg.deals.dominant_rate}
    return np.array([by_role.get(r, cfg.deals.supplier_rate) for r in model.state.roles])


def _budget(model: MineralModel, cfg: NegotiationConfig) -> FloatArray:
    out = np.zeros(len(model.state.codes))
    for a in model.countries:
        if a.role not in ("member", "dominant"):
            continue
        share = cfg.doctrine(a.strategy).deal_budget_share if a.role == "member" else 1.0
        left = a.budget_usd - float(model.investment_spend[a.index])
        out[a.index] = max(0.0, min(share * a.budget_usd, left)) / 1e6
    return out


def _last_round(
    model: MineralModel, m: str
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Node and seller prices, shortfall shares and refined output of last round."""
    spec = model.cfg.minerals[m]
    ms = model.state.minerals[m]
    out = model.outcomes.get(m)
    if out is None:
        n = len(model.state.codes)
        base = np.full(n, spec.refined_price_usd_per_t)
        return base, base.copy(), np.zeros(n), ms.ref_nominal.copy()
    req = out.requirement
    short = np.maximum(req - out.consumption, 0.0)
    share = np.divide(short, req, out=np.zeros_like(req), where=req > 0)
    refined = (out.market.refined_output + out.contract_out) / model.rpr
    node = np.asarray(out.market.ref_price, dtype=float)
    return node, np.asarray(out.market.ref_producer_price, dtype=float), share, refined


def _dominant_exports(model: MineralModel, m: str, price: float) -> FloatArray:
    """Value of last round's ore and refined flows from each country to the dominant [$m/yr]."""
    n, dom = len(model.state.codes), model.state.dominant
    out = model.outcomes.get(m)
    value = np.zeros(n)
    if out is None:
        return value
    spec = model.cfg.minerals[m]
    ore_price = spec.ore_price_share * price * spec.refined_per_ore
    for flows, unit in ((out.market.ore_flows, ore_price), (out.market.ref_flows, price)):
        to_dom = (flows.destination == dom) & (flows.origin != dom)
        np.add.at(value, flows.origin[to_dom], flows.tonnes[to_dom] * unit)
    return value / model.rpr / 1e6


def _withheld(model: MineralModel, m: str) -> FloatArray:
    rules = model.rules[m]
    dom = model.state.dominant
    n = len(model.state.codes)
    licensed = np.array([rules.ref_pair_share.get((dom, i), 1.0) for i in range(n)])
    withheld = 1.0 - np.clip(licensed, 0.0, 1.0)
    withheld[dom] = 0.0
    return withheld


def _sigma(
    model: MineralModel, cfg: NegotiationConfig, exposure: FloatArray, withheld: FloatArray
) -> FloatArray:
    d = cfg.deals
    sigma = d.base_security_premium * exposure + d.control_premium * withheld
    for a in model.members:
        x = exposure[a.index]
        gamma = cfg.doctrine(a.strategy).security_weight
        above = max(0.0, x - a.params.dependence_cap)
        sigma[a.index] += d.base_security_premium * x * gamma
        sigma[a.index] += a.params.security_premium * above
    return sigma


def _mineral_view(
    model: MineralModel, cfg: NegotiationConfig, m: str, secured: FloatArray | None
) -> MineralView:
    spec = model.cfg.minerals[m]
    ms = model.state.minerals[m]
    p0 = spec.refined_price_usd_per_t
    index = p0 * model.price_ratio.get(m, 1.0)
    node, seller, short_share, refined = _last_round(model, m)
    seller = np.where(seller > 0, seller, index)  # idle nodes can have no positive price
    dom = model.state.dominant
    world = max(float(ms.ref_capacity.sum()), 1e-9)
    dep = model.dependence.get(m)
    if dep is None:
        dep = np.full(len(model.state.codes), float(ms.ref_capacity[dom]) / world)
    requirement = np.asarray(model._requirement(m), dtype=float) / model.rpr
    done = np.zeros_like(requirement) if secured is None else secured
    covered = np.clip(
        np.divide(done, requirement, out=np.ones_like(done), where=requirement > 0), 0, 1
    )
    exposure = np.maximum(
        0.0, np.minimum(1.0, np.asarray(dep, dtype=float) + short_share) - covered
    )
    withheld = _withheld(model, m) * (1.0 - covered)
    return MineralView(
        name=m,
        base_price=p0,
        index_price=index,
        node_price=node,
        seller_price=seller,
        requirement=requirement,
        exposure=exposure,
        withheld=withheld,
        sigma=_sigma(model, cfg, exposure, withheld),
        refined_output=refined,
        ref_capacity=ms.ref_capacity.copy(),
        technology=ms.technology.copy(),
        reserves=ms.reserves.copy(),
        unit_capex=spec.refinery_capex_usd_per_tpy
        + spec.mine_capex_usd_per_tpy / spec.refined_per_ore,
        refined_per_ore=spec.refined_per_ore,
        refining_cost=spec.refining_cost_share * p0,
        freight=spec.transport_inter_share * p0,
        world_share=ms.ref_capacity / world,
        tech_ban=frozenset(model.rules[m].tech_export_ban),
        dominant_exports=_dominant_exports(model, m, index),
    )


def round_view(model: MineralModel, secured: dict[str, FloatArray] | None = None) -> RoundView:
    """The snapshot negotiators use this round.

    Args:
        model: The model, after this round's shocks and policy phases.
        secured: Per mineral, refined t/yr each country has already secured under deals
            (pending or delivering); it lowers exposure and the control premium pro rata.
    """
    secured = secured or {}
    cfg = model.cfg.negotiation
    st = model.state
    banned = []
    for a in model.countries:
        names = resolve(a.params.banned_counterparties, model.cfg) if a.role == "member" else []
        banned.append(frozenset(st.index(c) for c in names if c != a.code))
    return RoundView(
        round=model.round,
        codes=st.codes,
        roles=st.roles,
        strategies=tuple(a.strategy for a in model.countries),
        dominant=st.dominant,
        region=np.asarray(st.region, dtype=np.int64),
        rates=_rates(model, cfg),
        budget=_budget(model, cfg),
        esg=np.array([a.spec.esg_rating for a in model.countries]),
        esg_preference=np.array([a.spec.preferences.esg for a in model.countries]),
        banned=tuple(banned),
        rival_bloc=frozenset(st.index(c) for c in resolve(model.cfg.rival_bloc, model.cfg)),
        minerals={m: _mineral_view(model, cfg, m, secured.get(m)) for m in sorted(st.minerals)},
    )
