"""Pact terms and what bilateral deals see of the pacts in force.

A pact's terms (deal C) are stockpile months, a price floor for member producers, a member
preference share, an ESG standard flag and a joint-fund share. Bilateral deals between two
members of the same pact see its floor (valued as a put option on the index), its preference
share (a bonus in partner choice) and, for investors, its ESG standard (hosts below the
minimum rating are excluded).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["PactTerms", "PactView", "floor_put"]


@dataclass(frozen=True)
class PactTerms:
    """Terms of one pact (see ``deals.spaces.PACT_ISSUES``).

    Attributes:
        stock_months: Months of the members' exposed imports held as a joint stockpile.
        floor: Price floor for member producers, multiple of the base price (0 = none).
        preference: Share of member producers' refined output offered to members first.
        esg: 1 if members' investments must meet the ESG standard, else 0.
        fund: Share of members' deal budgets paid into the joint fund.
    """

    stock_months: float = 0.0
    floor: float = 0.0
    preference: float = 0.0
    esg: float = 0.0
    fund: float = 0.0


def _normal_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def floor_put(floor: float, price_ratio: float, volatility: float) -> float:
    """E[max(0, f − X)] for X lognormal with mean ``price_ratio`` and log-sd ``volatility``.

    The value, per unit of base-price output and year, of a price floor at ``floor`` × base
    price (a one-year put on the index; Black 1976 with zero rates).
    """
    if floor <= 0.0 or price_ratio <= 0.0:
        return 0.0
    if volatility <= 0.0:
        return max(0.0, floor - price_ratio)
    d1 = (math.log(price_ratio / floor) + 0.5 * volatility**2) / volatility
    d2 = d1 - volatility
    return floor * _normal_cdf(-d2) - price_ratio * _normal_cdf(-d1)


@dataclass(frozen=True)
class PactView:
    """The pacts in force this round: (name, member indices, terms), in name order."""

    pacts: tuple[tuple[str, frozenset[int], PactTerms], ...] = ()

    def shared(self, i: int, j: int) -> list[PactTerms]:
        """Terms of the pacts that both i and j belong to."""
        return [t for _, members, t in self.pacts if i in members and j in members]

    def floor(self, i: int, j: int) -> float:
        """Highest price floor of a pact shared by i and j (0 if none)."""
        return max((t.floor for t in self.shared(i, j)), default=0.0)

    def preference(self, i: int, j: int) -> float:
        """Highest member-preference share of a pact shared by i and j (0 if none)."""
        return max((t.preference for t in self.shared(i, j)), default=0.0)

    def esg_required(self, i: int) -> bool:
        """Whether i belongs to a pact with the ESG standard on."""
        return any(t.esg > 0 for _, members, t in self.pacts if i in members)

    def members_of(self, i: int) -> list[str]:
        """Names of the pacts i belongs to."""
        return [name for name, members, _ in self.pacts if i in members]
