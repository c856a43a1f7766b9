"""Plain-data input and output of one mineral's two-stage market clearing in one round.

Quantities are tonnes per round, costs and prices USD per tonne. Arrays are indexed by
country in the order of ``MarketInput.countries``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class MarketInput:
    """Everything the clearing needs for one mineral and round (contracts already served).

    Restrictions:
        ore_export_cap / ref_export_cap: total exports of a country at that stage [t]
            (``inf`` = none; 0 = export ban at that stage).
        ore_pair_ban: (origin, destination) pairs with no ore trade.
        ref_pair_share: (origin, destination, share): refined flow origin→destination is at
            most share × the destination's requirement (licensing; share 0 is a ban).
        ref_tariff: (origin, destination, USD/t) specific tariffs on refined imports.
        soft_cap: (destination, origin, share, levy USD/t): refined flow origin→destination
            above share × the destination's purchases pays the levy (security premium).
    """

    countries: tuple[str, ...]
    region: IntArray
    transport_ore: FloatArray  # (R, R) USD/t between regions (0 on the diagonal)
    transport_ref: FloatArray
    mine_cap_lo: FloatArray
    mine_cost_lo: FloatArray
    mine_cap_hi: FloatArray
    mine_cost_hi: FloatArray
    ref_cap_lo: FloatArray  # refined t
    ref_cost_lo: FloatArray  # conversion cost per refined t
    ref_cap_hi: FloatArray
    ref_cost_hi: FloatArray
    ref_yield: FloatArray  # refined t per ore t
    secondary: FloatArray  # recycled refined supply [t], zero cost
    requirement: FloatArray  # demand at base price [t]
    demand_qty: FloatArray  # (N, S) consumption segments [t]
    demand_wtp: FloatArray  # (S,) willingness to pay per segment [USD/t]
    refill_qty: FloatArray  # (N,) stock refill wanted [t]
    refill_wtp: FloatArray  # (N,) highest price paid to refill [USD/t]
    ore_export_cap: FloatArray
    ref_export_cap: FloatArray
    ore_pair_ban: tuple[tuple[int, int], ...] = ()
    ref_pair_share: tuple[tuple[int, int, float], ...] = ()
    ref_tariff: tuple[tuple[int, int, float], ...] = ()
    soft_cap: tuple[tuple[int, int, float, float], ...] = ()

    @property
    def n(self) -> int:
        """Number of countries."""
        return len(self.countries)


@dataclass(frozen=True)
class MarketResult:
    """Outcome of a clearing, per country (and per country pair for flows)."""

    mine_output: FloatArray
    refined_output: FloatArray
    secondary_used: FloatArray
    ore_input: FloatArray
    consumption: FloatArray  # consumption segments accepted [t]
    refill: FloatArray  # stock refill bought [t]
    ore_price: FloatArray  # price refiners pay for ore at the node [USD/t]
    ref_price: FloatArray  # price users pay for refined product at the node [USD/t]
    ore_producer_price: FloatArray  # price miners receive (export parity) [USD/t]
    ref_producer_price: FloatArray  # price refiners receive (export parity) [USD/t]
    ore_flows: Flows  # origin → destination, origin == destination for domestic use
    ref_flows: Flows
    welfare: float  # objective: gross value − production, freight, tariff and levy costs [USD]


@dataclass(frozen=True)
class Flows:
    """Sparse country-to-country flows (origin index, destination index, tonnes)."""

    origin: IntArray
    destination: IntArray
    tonnes: FloatArray

    def dense(self, n: int) -> FloatArray:
        """The flows as an (n, n) matrix (for tests and small problems)."""
        out = np.zeros((n, n))
        np.add.at(out, (self.origin, self.destination), self.tonnes)
        return out
