"""Deal C: the economics of a pact, as utilities over its terms and as a cost game.

For a member set S and terms (months μ, floor f, preference p, ESG flag g, fund share u), in $m
per year, with V_i the value of i's exposed imports (Σ_m X·requirement·P), s̄_i its mean
security premium over them, Q_j,m the value of producer j's refined output:

* joint stockpile: S holds μ months of its members' exposed imports in one pooled stock; by the
  square-root law its cost is c(S) = F + h·μ/12·√((1 − ρ)·ΣV_i² + ρ·(ΣV_i)²) (a
  :class:`~mineralgame.negotiation.PooledStockpile`); the holding cost is split by Shapley
  values (or in proportion to V, or equally) and the facility's fixed cost F in the same
  proportions. Member i gains μ/12·s̄_i·V_i and pays its share;
* price floor: producers gain put(f)·Q_j (the floor as a one-year put on the index), consumers
  pay the expected transfers Σ put(f)·Q in proportion to their cost shares;
* member preference: producers commit p of their output to members, losing (φ − ψ)·p·Q_j;
  consumers gain the security value Σ_m σ_i,m·(their pro-rata part of p·Q_m);
* ESG standard: consumers gain g·w_esg·pref_i·V_i, producers below the minimum rating pay
  g·c_esg·(esg_min − esg_j)·Q_j;
* joint fund: members pay u·budget_i and get it back as co-finance worth (1 + s̄_i) per $.

Outsiders enjoy a spillover share of the stockpile's security value in proportion to the pact's
weight and pay the outsider penalty. With no terms (all zero) every utility is 0, which is each
member's reservation value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from mineralgame.config.negotiation import NegotiationConfig
from mineralgame.deals.context import RoundView
from mineralgame.deals.pact_view import PactTerms, floor_put
from mineralgame.deals.spaces import PACT_ISSUES, columns
from mineralgame.negotiation import CoalitionGame, PooledStockpile, shapley

__all__ = ["Economy", "cost_game", "cost_shares", "economy", "payoffs", "term_utilities"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Economy:
    """Per-country quantities a pact's utilities need this round (arrays over countries).

    Attributes:
        exposed: V_i, value of exposed imports [$m/yr].
        security: s̄_i, mean security premium over exposed imports [-].
        output: Q_j,m, value of refined output by mineral (countries × minerals) [$m/yr].
        secure_value: σ_i,m·P_m per t of preferred supply, times requirement share [-].
        need: X_i,m·requirement_i,m·P_m, exposed import value by mineral [$m/yr].
        put: put(f) per floor value and mineral (floor levels × minerals) [-].
        budget: Deal capital [$m].
        esg: ESG rating [-].
        esg_preference: ESG weight [-].
    """

    exposed: FloatArray
    security: FloatArray
    output: FloatArray
    sigma: FloatArray
    need: FloatArray
    put: FloatArray
    budget: FloatArray
    esg: FloatArray
    esg_preference: FloatArray


def economy(view: RoundView, cfg: NegotiationConfig) -> Economy:
    """The quantities of :class:`Economy` from this round's view."""
    mvs = list(view.minerals.values())
    need = np.column_stack([mv.exposure * mv.requirement * mv.index_price / 1e6 for mv in mvs])
    sigma = np.column_stack([mv.sigma for mv in mvs])
    output = np.column_stack([mv.refined_output * mv.index_price / 1e6 for mv in mvs])
    exposed = need.sum(axis=1)
    security = np.divide(
        (sigma * need).sum(axis=1), exposed, out=np.zeros_like(exposed), where=exposed > 0
    )
    floors = PACT_ISSUES["floor"]
    vol = cfg.pacts.floor_volatility
    put = np.array(
        [[floor_put(f, mv.index_price / mv.base_price, vol) for mv in mvs] for f in floors]
    )
    return Economy(
        exposed,
        security,
        output,
        sigma,
        need,
        put,
        view.budget.copy(),
        view.esg,
        view.esg_preference,
    )


def cost_game(members: Sequence[int], econ: Economy, cfg: NegotiationConfig) -> CoalitionGame:
    """Pooled-stockpile cost game of one month of cover among ``members`` (no fixed cost)."""
    sd = tuple(float(econ.exposed[i]) / 12.0 for i in members)
    pool = PooledStockpile(sd, cfg.pacts.correlation, 1.0, 0.0, cfg.pacts.holding_cost)
    return pool.game([str(i) for i in members])


def cost_shares(
    members: Sequence[int], econ: Economy, cfg: NegotiationConfig, rng: np.random.Generator
) -> FloatArray:
    """Each member's cost of one month of pooled cover [$m/yr], by the pact's cost rule."""
    if not members:
        return np.zeros(0)
    game = cost_game(members, econ, cfg)
    rule = cfg.pacts.cost_rule
    if rule == "shapley":
        p = cfg.pacts
        return shapley(
            game, rng, n_permutations=p.shapley_samples, exact_limit=p.shapley_exact_limit
        )
    total = game.coalition_cost(game.players)
    if rule == "equal":
        return np.full(len(members), total / len(members))
    weights = econ.exposed[list(members)]
    weights = (
        weights / weights.sum() if weights.sum() > 0 else np.full(len(members), 1 / len(members))
    )
    return total * weights


def _parts(
    members: Sequence[int], shares: FloatArray, econ: Economy, cfg: NegotiationConfig
) -> dict[str, FloatArray]:
    """Per-member coefficients of each term (rows follow ``members``)."""
    idx = list(members)
    n = len(idx)
    weight = shares / shares.sum() if shares.sum() > 0 else np.full(n, 1.0 / max(n, 1))
    need = econ.need[idx]
    pool_out = econ.output[idx].sum(axis=0)  # value of the pact's refined output by mineral
    need_total = need.sum(axis=0)
    part = np.divide(need, need_total, out=np.zeros_like(need), where=need_total > 0)
    prod = econ.output[idx]
    p = cfg.pacts
    d = cfg.deals
    return {
        "stock": econ.security[idx] * econ.exposed[idx] / 12.0 - shares,
        "fixed": p.fixed_cost * weight,
        "floor_gain": prod,  # × put(f) by mineral
        "floor_cost": weight[:, None] * pool_out[None, :],  # × put(f) by mineral
        "preference": (econ.sigma[idx] * part * pool_out).sum(axis=1)
        - (d.flexibility_cost - d.stable_buyer_value) * prod.sum(axis=1),
        "esg": d.esg_weight * econ.esg_preference[idx] * econ.exposed[idx]
        - p.esg_compliance_cost * np.maximum(0.0, d.esg_min - econ.esg[idx]) * prod.sum(axis=1),
        "fund": econ.budget[idx] * econ.security[idx],
    }


def term_utilities(
    members: Sequence[int], shares: FloatArray, econ: Economy, cfg: NegotiationConfig
) -> FloatArray:
    """Utility of every member (rows) for every outcome of the pact space (columns) [$m/yr]."""
    cols = columns("pact")
    parts = _parts(members, shares, econ, cfg)
    months, pref, esg, fund = cols["stock_months"], cols["preference"], cols["esg"], cols["fund"]
    floor_k = np.searchsorted(np.asarray(PACT_ISSUES["floor"]), cols["floor"])
    put = econ.put[floor_k]  # (outcomes, minerals)
    floor = (parts["floor_gain"] - parts["floor_cost"]) @ put.T  # (members, outcomes)
    u = parts["stock"][:, None] * months[None, :] - parts["fixed"][:, None] * (months > 0)
    u = u + floor + parts["preference"][:, None] * pref[None, :]
    return np.asarray(u + parts["esg"][:, None] * esg + parts["fund"][:, None] * fund)


def terms_index(terms: PactTerms) -> int:
    """Index of pact terms in the pact space."""
    from mineralgame.deals.spaces import space

    return space("pact").index_of(
        {
            "stock_months": terms.stock_months,
            "floor": terms.floor,
            "preference": terms.preference,
            "esg": terms.esg,
            "fund": terms.fund,
        }
    )


def payoffs(
    players: Sequence[int],
    members: Sequence[int],
    terms: PactTerms,
    econ: Economy,
    cfg: NegotiationConfig,
    rng: np.random.Generator,
) -> dict[int, float]:
    """Every player's payoff [$m/yr] when ``members`` form the pact under ``terms``."""
    out = {i: 0.0 for i in players}
    if len(members) >= 2:
        shares = cost_shares(members, econ, cfg, rng)
        u = term_utilities(members, shares, econ, cfg)[:, terms_index(terms)]
        out.update({i: float(v) for i, v in zip(members, u, strict=True)})
    weight = econ.exposed[list(members)].sum() / max(econ.exposed[list(players)].sum(), 1e-12)
    p = cfg.pacts
    for i in players:
        if i not in members:
            spill = p.spillover * weight * terms.stock_months * econ.security[i] * econ.exposed[i]
            out[i] = spill / 12.0 - p.outsider_penalty * econ.exposed[i]
    return out
