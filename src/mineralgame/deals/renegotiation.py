"""The obsolescing bargain: hosts renegotiate members' investment deals once built.

Each round every member investment deal that delivers faces a hazard

    h = h_role · n_host · (P_idx / P0)^s · (1 − a_e·e/0.49) · (1 − a_τ·τ/5)

(base hazard by the host's role, its resource-nationalism multiplier, high prices tempt, equity
and technology dependence protect). When it strikes, the parties bargain again over the offtake
terms only: the equity and technology are sunk, the duration is what remains, the host may
only cut the offtake and raise the price, and both reservation values are 0 (the host can
cancel the offtake and sell at spot; the investor can walk away). An agreement replaces the
terms; a breakdown terminates the offtake (the project stays in the host).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from mineralgame.config.negotiation import NegotiationConfig
from mineralgame.deals.book import Deal
from mineralgame.deals.context import RoundView
from mineralgame.deals.investment import InvestmentParams
from mineralgame.deals.spaces import annuity, columns, space

__all__ = ["base_hazard", "hazard", "renegotiation_terms", "with_new_terms"]

FloatArray = NDArray[np.float64]


def base_hazard(view: RoundView, cfg: NegotiationConfig) -> FloatArray:
    """Hazard per year of each country as a host, before price, equity and technology."""
    r = cfg.renegotiation
    if not r.enabled:
        return np.zeros(len(view.codes))
    base = {"supplier": r.hazard_supplier, "member": r.hazard_member}
    pairs = zip(view.codes, view.roles, strict=True)
    return np.array([base.get(role, 0.0) * r.nationalism.get(code, 1.0) for code, role in pairs])


def hazard(deal: Deal, view: RoundView, cfg: NegotiationConfig, base: FloatArray) -> float:
    """This round's renegotiation hazard of a deal."""
    r = cfg.renegotiation
    mv = view.minerals[deal.mineral]
    h = float(base[view.index(deal.seller)])
    h *= (mv.index_price / mv.base_price) ** r.price_sensitivity
    h *= 1.0 - r.equity_protection * min(1.0, deal.equity / 0.49)
    h *= 1.0 - r.tech_protection * deal.technology / 5.0
    return float(np.clip(h, 0.0, 1.0))


def _nearest(values: tuple[Any, ...], x: float) -> float:
    return float(min(values, key=lambda v: (abs(float(v) - x), float(v))))


def renegotiation_terms(
    deal: Deal, view: RoundView, cfg: NegotiationConfig, years_left: float
) -> tuple[InvestmentParams, FloatArray, FloatArray, NDArray[np.bool_]]:
    """Parameters, (investor, host) utilities over the investment space, and feasibility.

    U_i = q·K·A(d, r_i)·(σ_i·P_i + P_i − π·P_h),  U_h = q·K·A(d, r_h)·P_h·(π − 1 − φ),
    with P_h the host's refined producer price (the contract index).
    """
    mv = view.minerals[deal.mineral]
    i, h = view.index(deal.buyer), view.index(deal.seller)
    p = InvestmentParams(
        capacity=deal.capacity_t,
        capex=deal.capex_usd / 1e6,
        index_price=float(mv.seller_price[h]),
        investor_price=float(mv.node_price[i]),
        sigma=float(mv.sigma[i]),
        investor_rate=float(view.rates[i]),
        host_rate=float(view.rates[h]),
        hazard=0.0,
        gap=0.0,
        tech_allowed=0.0,
        budget=0.0,
    )
    cols = columns("investment")
    q, price, d = cols["offtake"], cols["price"], cols["duration"]
    ref = float(mv.seller_price[h])
    per_t = float(mv.sigma[i] + 1.0) * float(mv.node_price[i]) - price * ref
    u_i = q * deal.capacity_t * annuity(d, p.investor_rate) * per_t / 1e6
    margin = price - 1.0 - cfg.deals.flexibility_cost
    u_h = q * deal.capacity_t * annuity(d, p.host_rate) * ref * margin / 1e6
    values = {iss.name: iss.values for iss in space("investment").issues}
    ok = (
        (cols["equity"] == _nearest(values["equity"], deal.equity))
        & (cols["technology"] == _nearest(values["technology"], deal.technology))
        & (d == _nearest(values["duration"], years_left))
        & (q <= deal.offtake_share + 1e-9)
        & (price >= deal.price - 1e-9)
    )
    return p, np.asarray(u_i, np.float64), np.asarray(u_h, np.float64), np.asarray(ok)


def with_new_terms(deal: Deal, outcome: dict[str, Any], session_id: str) -> Deal:
    """The deal after a renegotiation agreement."""
    q = float(outcome["offtake"])
    return replace(
        deal,
        offtake_share=q,
        tonnes_per_year=q * deal.capacity_t,
        price=float(outcome["price"]),
        session_id=session_id,
        status="renegotiated",
    )
