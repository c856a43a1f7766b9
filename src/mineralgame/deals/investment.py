"""Deal A, offtake for investment: utilities from the model's state, rival values, candidates.

A member state (investor i) and a host h negotiate over a new integrated project of capacity
K [t/yr] and capex C [$m] for mineral m, on the 8,640-outcome space (offtake q, price π as a
multiple of the index, duration d [yr], equity e, technology level τ). In $m:

    U_i = q·K·A(d, r_i)·(σ_i·P_i + P_i − π·P_idx) + e·C·(ρ − r_i)·A(d, r_i)
          − c(τ)·C − λ·(1 − (1 − h_h)^d)·e·C + esg_i
    U_h = q·K·A(d, r_h)·P_idx·(π − 1 − φ) + e·C·(r_h − r_i)·A(d, r_h)
          + v(τ)·C·min(1, gap/gap_ref) − s_h·e²·C + K·P_idx·A(d, r_h)·put(f) − R_h

P_i is the price the investor paid last round (spot, its reservation: U_i = 0), P_idx the
index, σ_i its security premium, h_h the host's renegotiation hazard, put(f) the value of a pact
price floor, R_h the host's expected retaliation by the dominant when the investor bans it; a
pact's joint fund may pay a share s of the equity (U_i gains s·e·C, the capital needed is
(1 − s)·e·C).
Outcomes whose equity exceeds the investor's capital, or with technology the investor cannot
transfer (no gap, or a technology-export ban), are infeasible. All functions broadcast: pass
column vectors (n, 1) of parameters and row vectors (1, p) of issue columns to value n
candidates on p outcomes at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from mineralgame.config.negotiation import DealEconomics, RivalOffers
from mineralgame.deals.spaces import Columns, annuity

__all__ = [
    "InvestmentParams",
    "feasible",
    "host_utility",
    "investor_utility",
    "rival_terms",
    "rival_value",
]

Arr = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class InvestmentParams:
    """Parameters of one or many candidate investment deals (scalars or column vectors).

    Attributes:
        capacity: Project capacity K [refined t/yr].
        capex: Project capex C [$m].
        index_price: P_idx [USD/t].
        investor_price: P_i, the price the investor paid [USD/t].
        sigma: Investor's security premium σ_i [-].
        investor_rate: r_i [1/yr].
        host_rate: r_h [1/yr].
        hazard: Host's renegotiation hazard h_h per year [1/yr].
        gap: Technology gap investor − host, floored at 0 [-].
        tech_allowed: 1 if the investor may transfer technology, else 0.
        budget: Investor's capital available [$m].
        floor_put: Value of a pact price floor per $ of output and year [-].
        host_constant: Constant term of U_h (minus retaliation) [$m].
        investor_constant: Constant term of U_i (ESG) [$m].
        subsidy: Share of the investor's equity a pact's joint fund pays [-].
    """

    capacity: Arr | float
    capex: Arr | float
    index_price: Arr | float
    investor_price: Arr | float
    sigma: Arr | float
    investor_rate: Arr | float
    host_rate: Arr | float
    hazard: Arr | float
    gap: Arr | float
    tech_allowed: Arr | float
    budget: Arr | float
    floor_put: Arr | float = 0.0
    host_constant: Arr | float = 0.0
    investor_constant: Arr | float = 0.0
    subsidy: Arr | float = 0.0


def _levels(shares: tuple[float, ...], tau: Arr) -> Arr:
    return np.asarray(shares, dtype=np.float64)[tau.astype(np.intp)]


def investor_utility(p: InvestmentParams, cols: Columns, econ: DealEconomics) -> Arr:
    """U_i of every outcome [$m]."""
    q, price, d, e, tau = (
        cols[k] for k in ("offtake", "price", "duration", "equity", "technology")
    )
    a = annuity(d, p.investor_rate)
    per_t = np.multiply(p.sigma, p.investor_price) + p.investor_price - price * p.index_price
    supply = q * np.multiply(p.capacity, a) * per_t / 1e6
    equity = e * np.multiply(p.capex, econ.project_return - np.asarray(p.investor_rate)) * a
    equity = equity + e * np.multiply(p.capex, p.subsidy)
    tech = _levels(econ.tech_cost_shares, tau) * p.capex
    holdup = econ.holdup_loss * (1.0 - (1.0 - np.asarray(p.hazard)) ** d) * e * p.capex
    return np.asarray(supply + equity - tech - holdup + p.investor_constant, dtype=np.float64)


def host_utility(p: InvestmentParams, cols: Columns, econ: DealEconomics) -> Arr:
    """U_h of every outcome [$m]."""
    q, price, d, e, tau = (
        cols[k] for k in ("offtake", "price", "duration", "equity", "technology")
    )
    a = annuity(d, p.host_rate)
    value = np.multiply(p.capacity, p.index_price) * a / 1e6  # K·P_idx·A [$m]
    supply = q * value * (price - 1.0 - econ.flexibility_cost)
    spread = np.asarray(p.host_rate) - np.asarray(p.investor_rate)
    finance = e * np.multiply(p.capex, spread) * a
    scale = np.minimum(1.0, np.asarray(p.gap) / econ.tech_gap_reference)
    tech = _levels(econ.tech_value_shares, tau) * np.multiply(p.capex, scale)
    sovereignty = econ.sovereignty_cost * e**2 * p.capex
    floor = value * p.floor_put
    return np.asarray(supply + finance + tech - sovereignty + floor + p.host_constant, np.float64)


def feasible(p: InvestmentParams, cols: Columns) -> NDArray[np.bool_]:
    """Outcomes within the investor's capital and its right to transfer technology."""
    e, tau = cols["equity"], cols["technology"]
    within = e * np.multiply(p.capex, 1.0 - np.asarray(p.subsidy)) <= np.asarray(p.budget) + 1e-9
    tech_ok = (tau == 0) | (np.asarray(p.tech_allowed) > 0)
    return np.asarray(within & tech_ok, dtype=bool)


def rival_terms(rival: RivalOffers, price: float) -> Columns:
    """The dominant's posted offer as issue columns (one outcome, τ = 0)."""
    return {
        "offtake": np.array(rival.offtake),
        "price": np.array(price),
        "duration": np.array(float(rival.duration_years)),
        "equity": np.array(rival.equity),
        "technology": np.array(0.0),
    }


def rival_value(p: InvestmentParams, rival: RivalOffers, price: float, econ: DealEconomics) -> Arr:
    """The host's utility of the dominant's offer for the same project (cheap capital, no
    technology, no pact floor, no retaliation)."""
    dominant = InvestmentParams(
        capacity=p.capacity,
        capex=p.capex,
        index_price=p.index_price,
        investor_price=p.index_price,
        sigma=0.0,
        investor_rate=econ.dominant_rate,
        host_rate=p.host_rate,
        hazard=0.0,
        gap=0.0,
        tech_allowed=0.0,
        budget=np.inf,
    )
    return host_utility(dominant, rival_terms(rival, price), econ)
