"""Example deal: offtake-for-investment between a member state and a supplier state.

The utilities follow §3.3 of the negotiation research notes (present values in $ million) on a
5-issue grid of 6 × 8 × 5 × 6 × 6 = 8,640 outcomes. The parameter defaults are the notes'
illustrative prototype values, not a calibration; the simulation model supplies prices, rates
and reservation values from the market each round.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from mineralgame.negotiation.outcomes import IssueValue, OutcomeSpace
from mineralgame.negotiation.utilities import FunctionUtility, UtilityTable, tabulate

__all__ = ["INVESTMENT_ISSUES", "InvestmentDeal", "investment_deal", "investment_space"]

INVESTMENT_ISSUES: dict[str, tuple[IssueValue, ...]] = {
    "offtake": (0.1, 0.2, 0.3, 0.4, 0.5, 0.6),
    "price": (0.85, 0.90, 0.95, 1.00, 1.05, 1.10, 1.15, 1.20),
    "duration": (5, 8, 10, 15, 20),
    "equity": (0.0, 0.1, 0.2, 0.3, 0.4, 0.49),
    "technology": (0, 1, 2, 3, 4, 5),
}
"""Offtake share q, price π as a multiple of the index, duration d (years), investor equity e
(capped at 49%), technology level τ (0 none … 5 full know-how with local R&D)."""

Columns = Mapping[str, NDArray[np.generic]]
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


def investment_space() -> OutcomeSpace:
    """The 8,640-outcome offtake-for-investment space."""
    return OutcomeSpace.from_dict(INVESTMENT_ISSUES)


def _annuity(duration: NDArray[np.float64], rate: float) -> NDArray[np.float64]:
    return (1.0 - (1.0 + rate) ** -duration) / rate


@dataclass(frozen=True)
class InvestmentDeal:
    """Parameters of the offtake-for-investment deal (money in $ million).

    Attributes:
        output: Project output K (t/yr).
        spot_price: Index price P (USD/t).
        capex: Project capex C ($m).
        investor_rate: Investor's discount rate r_i.
        host_rate: Host's discount rate r_h (> r_i: cheap finance has value).
        project_return: Project return ρ on equity.
        security_premium: Investor's security value σ_i per unit of secured supply value.
        flexibility_cost: Host's lost option value φ_h of committed output.
        sovereignty_cost: Host's cost s_h·C ($m) of foreign equity, applied as s_h·C·e².
        holdup_loss: Investor's expected hold-up loss λ_i·H_h per unit of equity capex.
        tech_cost: Investor's cost c_i(τ) of transferring each technology level ($m).
        tech_value: Host's value v_h(τ) of each technology level ($m).
        investor_reservation: Investor's BATNA utility (buying at spot = 0).
        host_reservation: Host's BATNA utility (status quo 0, or a rival offer's value).
    """

    output: float = 50_000.0
    spot_price: float = 15_000.0
    capex: float = 1_500.0
    investor_rate: float = 0.04
    host_rate: float = 0.10
    project_return: float = 0.12
    security_premium: float = 0.20
    flexibility_cost: float = 0.08
    sovereignty_cost: float = 1_200.0
    holdup_loss: float = 0.0
    tech_cost: tuple[float, ...] = (0.0, 60.0, 120.0, 180.0, 290.0, 400.0)
    tech_value: tuple[float, ...] = (0.0, 80.0, 165.0, 250.0, 375.0, 500.0)
    investor_reservation: float = 0.0
    host_reservation: float = 0.0

    def __post_init__(self) -> None:
        n_tech = len(INVESTMENT_ISSUES["technology"])
        if len(self.tech_cost) != n_tech or len(self.tech_value) != n_tech:
            raise ValueError(f"tech_cost and tech_value need {n_tech} entries (one per level)")
        if min(self.investor_rate, self.host_rate) <= 0:
            raise ValueError("Discount rates must be positive")
        if min(self.output, self.spot_price, self.capex) <= 0:
            raise ValueError("output, spot_price and capex must be positive")

    @property
    def annual_value(self) -> float:
        """K·P in $m per year."""
        return self.output * self.spot_price / 1e6

    def investor(self, cols: Columns) -> NDArray[np.float64]:
        """Investor utility of every outcome: security − premium + equity return − costs."""
        q, price, d, e, tau = _unpack(cols)
        a = _annuity(d, self.investor_rate)
        supply = q * self.annual_value * a * (self.security_premium - (price - 1.0))
        equity = e * self.capex * (self.project_return - self.investor_rate) * a
        tech = np.asarray(self.tech_cost)[tau]
        return supply + equity - tech - self.holdup_loss * e * self.capex

    def host(self, cols: Columns) -> NDArray[np.float64]:
        """Host utility: premium − lost flexibility + cheap capital + technology − sovereignty."""
        q, price, d, e, tau = _unpack(cols)
        a = _annuity(d, self.host_rate)
        supply = q * self.annual_value * a * ((price - 1.0) - self.flexibility_cost)
        finance = e * self.capex * (self.host_rate - self.investor_rate) * a
        tech = np.asarray(self.tech_value)[tau]
        return supply + finance + tech - self.sovereignty_cost * e**2


def _unpack(cols: Columns) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, IntArray]:
    q, price, d, e = (_floats(cols[k]) for k in ("offtake", "price", "duration", "equity"))
    return q, price, d, e, np.asarray(cols["technology"]).astype(np.intp)


def _floats(values: NDArray[np.generic]) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def investment_deal(
    params: InvestmentDeal | None = None,
) -> tuple[OutcomeSpace, UtilityTable, UtilityTable]:
    """The space and the (investor, host) utility tables of an offtake-for-investment deal."""
    p = params or InvestmentDeal()
    space = investment_space()
    investor = tabulate(FunctionUtility(p.investor, p.investor_reservation), space)
    host = tabulate(FunctionUtility(p.host, p.host_reservation), space)
    return space, investor, host
