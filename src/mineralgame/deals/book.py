"""The deal book: every signed deal of a run, and what it delivers.

A :class:`Deal` is a frozen record; the book replaces it when a deal is renegotiated or
terminated. From the book come the offtake contracts served before the market each round
(with force majeure when the seller's refined exports to the buyer are restricted), the supply
each country has secured per mineral, the dominant processor's equity in hosts, and the
technology gains waiting to take effect.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from mineralgame.shocks import MineralRules
from mineralgame.trade import Contract

__all__ = ["Deal", "DealBook", "PendingTech"]

FloatArray = NDArray[np.float64]
DELIVERING = ("investment", "rival", "offtake")


@dataclass(frozen=True)
class Deal:
    """One signed deal.

    Attributes:
        deal_id: Unique id (also the contract id and the project's source).
        kind: ``investment``, ``rival`` (the dominant's offer taken), ``offtake`` or
            ``tech_transfer``.
        mineral: Mineral.
        buyer: Investor, offtaker or licensee (ISO3).
        seller: Host, refiner or licensor (ISO3).
        signed_round: Round of signature.
        start_round: First round of delivery (a project's online round).
        end_round: First round without delivery.
        tonnes_per_year: Offtake delivered to the buyer at full utilisation [t/yr].
        offtake_share: Share q of the project's output (investment deals) [-].
        capacity_t: Project capacity K (investment deals) [t/yr].
        price: Contract price, multiple of the index [-].
        equity: Buyer's equity share [-].
        technology: Technology level τ (0..5) [-].
        capex_usd: Project capex [USD].
        fee_usd: Licence fee [USD].
        local_content: Local-content share of a licence [-].
        project_id: Project created, or "".
        session_id: Session that signed it (or renegotiated it last).
        status: ``active``, ``renegotiated`` or ``terminated``.
    """

    deal_id: str
    kind: str
    mineral: str
    buyer: str
    seller: str
    signed_round: int
    start_round: int
    end_round: int
    tonnes_per_year: float = 0.0
    offtake_share: float = 0.0
    capacity_t: float = 0.0
    price: float = 1.0
    equity: float = 0.0
    technology: float = 0.0
    capex_usd: float = 0.0
    fee_usd: float = 0.0
    local_content: float = 0.0
    project_id: str = ""
    session_id: str = ""
    status: str = "active"

    def delivers(self, rnd: int) -> bool:
        """Whether the deal delivers offtake in round ``rnd``."""
        return (
            self.kind in DELIVERING
            and self.status != "terminated"
            and self.start_round <= rnd < self.end_round
            and self.tonnes_per_year > 0
        )

    def in_force(self, rnd: int) -> bool:
        """Whether the deal is signed and not yet over (delivering or being built)."""
        return self.status != "terminated" and rnd < self.end_round


@dataclass(frozen=True)
class PendingTech:
    """A technology gain that takes effect in a later round (never beyond ``ceiling``, the
    licensor's level when it signed)."""

    effective_round: int
    country: int
    mineral: str
    gain: float
    deal_id: str
    ceiling: float = 1.0


@dataclass
class DealBook:
    """Signed deals and the negotiation layer's memory between rounds (mutable)."""

    deals: dict[str, Deal] = field(default_factory=dict)
    pending_tech: list[PendingTech] = field(default_factory=list)
    cooldown: dict[tuple[str, int, int, str], int] = field(default_factory=dict)
    withheld_until: dict[int, int] = field(default_factory=dict)
    serial: int = 0

    def next_id(self, rnd: int, prefix: str = "D") -> str:
        """A new deal id, e.g. ``D03-007``."""
        self.serial += 1
        return f"{prefix}{rnd:02d}-{self.serial:03d}"

    def add(self, deal: Deal) -> None:
        """Record a signed deal."""
        self.deals[deal.deal_id] = deal

    def update(self, deal_id: str, **changes: object) -> Deal:
        """Replace a deal by a copy with ``changes``; returns the new record."""
        new = replace(self.deals[deal_id], **changes)  # type: ignore[arg-type]
        self.deals[deal_id] = new
        return new

    def active(self, rnd: int) -> list[Deal]:
        """Deals in force in round ``rnd``, in id order."""
        return [d for _, d in sorted(self.deals.items()) if d.in_force(rnd)]

    def contracts(
        self,
        mineral: str,
        rnd: int,
        codes: tuple[str, ...],
        rules: MineralRules,
        years_per_round: float,
        utilisation: float,
        seller_price: FloatArray,
    ) -> list[Contract]:
        """Offtake contracts of ``mineral`` delivering in ``rnd`` (force majeure applied).

        The price is the agreed multiple of the seller's refined producer price last round.
        """
        out = []
        for d in self.active(rnd):
            if d.mineral != mineral or not d.delivers(rnd):
                continue
            seller, buyer = codes.index(d.seller), codes.index(d.buyer)
            share = min(1.0, rules.ref_pair_share.get((seller, buyer), 1.0))
            util = utilisation if d.kind in ("investment", "rival") else 1.0
            tonnes = d.tonnes_per_year * util * years_per_round * max(share, 0.0)
            if tonnes > 0:
                price = d.price * float(seller_price[seller])
                out.append(Contract(d.deal_id, seller, buyer, tonnes, price))
        return out

    def secured(self, mineral: str, rnd: int, codes: tuple[str, ...]) -> FloatArray:
        """Refined t/yr each country has secured under deals in force (built or building)."""
        out = np.zeros(len(codes))
        for d in self.active(rnd):
            if d.mineral == mineral and d.kind in DELIVERING:
                out[codes.index(d.buyer)] += d.tonnes_per_year
        return out

    def dominant_equity(self, mineral: str, rnd: int, dominant: str) -> dict[str, float]:
        """Largest equity the dominant holds in a project of ``mineral``, by host."""
        out: dict[str, float] = {}
        for d in self.active(rnd):
            if d.mineral == mineral and d.buyer == dominant and d.kind == "rival":
                out[d.seller] = max(out.get(d.seller, 0.0), d.equity)
        return out

    def member_deals_in(self, host: str, rnd: int, dominant: str) -> int:
        """Investment deals in force that members (not the dominant) hold in ``host``."""
        return sum(
            1
            for d in self.active(rnd)
            if d.seller == host and d.kind == "investment" and d.buyer != dominant
        )

    def due_tech(self, rnd: int) -> list[PendingTech]:
        """Remove and return the technology gains taking effect by ``rnd``."""
        due = [p for p in self.pending_tech if p.effective_round <= rnd]
        self.pending_tech = [p for p in self.pending_tech if p.effective_round > rnd]
        return due

    def cooling(self, key: tuple[str, int, int, str], rnd: int) -> bool:
        """Whether a (kind, opener, responder, mineral) pair is in its cooldown."""
        return self.cooldown.get(key, -1) > rnd
