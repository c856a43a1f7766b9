"""Offtake contracts: a member buys a share of a refiner's output, served before the market.

Issues: volume v (share of the seller's refined output Q_s), price π (multiple of the index),
duration d [yr]. With Q = v·Q_s [t/yr], in $m:

    U_b = Q·A(d, r_b)·(σ_b·P_b + P_b − π·P_idx)
    U_s = Q·A(d, r_s)·P_idx·(π − 1 − φ + ψ) − R_s

Both reservation values are 0 (buy / sell at spot). Volumes above ``offtake_max_share`` of the
buyer's requirement are infeasible. Functions broadcast like :mod:`.investment`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from mineralgame.config.negotiation import DealEconomics
from mineralgame.deals.spaces import Columns, annuity

__all__ = ["OfftakeParams", "buyer_utility", "feasible", "seller_utility"]

Arr = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class OfftakeParams:
    """Parameters of one or many candidate offtake contracts (scalars or column vectors).

    Attributes:
        seller_output: Q_s, the seller's refined output [t/yr].
        index_price: P_idx [USD/t].
        buyer_price: P_b, the price the buyer paid [USD/t].
        sigma: Buyer's security premium [-].
        buyer_rate: r_b [1/yr].
        seller_rate: r_s [1/yr].
        max_tonnes: Largest volume the buyer takes [t/yr].
        seller_constant: Constant term of U_s (minus retaliation) [$m].
    """

    seller_output: Arr | float
    index_price: Arr | float
    buyer_price: Arr | float
    sigma: Arr | float
    buyer_rate: Arr | float
    seller_rate: Arr | float
    max_tonnes: Arr | float
    seller_constant: Arr | float = 0.0


def buyer_utility(p: OfftakeParams, cols: Columns, econ: DealEconomics) -> Arr:
    """U_b of every outcome [$m]."""
    tonnes = cols["volume"] * p.seller_output
    per_t = np.multiply(p.sigma, p.buyer_price) + p.buyer_price - cols["price"] * p.index_price
    value = tonnes * annuity(cols["duration"], p.buyer_rate) * per_t / 1e6
    del econ
    return np.asarray(value, dtype=np.float64)


def seller_utility(p: OfftakeParams, cols: Columns, econ: DealEconomics) -> Arr:
    """U_s of every outcome [$m]."""
    tonnes = cols["volume"] * p.seller_output
    margin = cols["price"] - 1.0 - econ.flexibility_cost + econ.stable_buyer_value
    value = tonnes * annuity(cols["duration"], p.seller_rate) * np.multiply(p.index_price, margin)
    return np.asarray(value / 1e6 + p.seller_constant, dtype=np.float64)


def feasible(p: OfftakeParams, cols: Columns) -> NDArray[np.bool_]:
    """Volumes the buyer can take."""
    return np.asarray(cols["volume"] * p.seller_output <= np.asarray(p.max_tonnes) + 1e-9)
