"""A negotiator: preferences plus swappable bidding, offering and acceptance components (BOA)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from mineralgame.negotiation.acceptance import (
    AcceptanceContext,
    AcceptancePolicy,
    ACCombi,
    accepts,
)
from mineralgame.negotiation.offers import OfferPolicy, Similarity
from mineralgame.negotiation.records import Action, NegotiationView, Offer, Response
from mineralgame.negotiation.strategies import Strategy, TimeDependent
from mineralgame.negotiation.utilities import UtilityTable

__all__ = ["Negotiator"]


@dataclass(frozen=True)
class Negotiator:
    """One party of a negotiation, in the BOA architecture of Baarslag et al. (2014).

    Attributes:
        name: Party name, unique within a session.
        utility: The party's utility table over the session's outcome space, with its
            reservation value.
        strategy: Bidding strategy (target utility over time).
        offering: Offer policy (which outcome meets the target).
        acceptance: Acceptance condition (the reservation guard is always added).
        discount: Discount factor per move in (0, 1]; 1 means no discounting.
    """

    name: str
    utility: UtilityTable
    strategy: Strategy = field(default_factory=TimeDependent)
    offering: OfferPolicy = field(default_factory=Similarity)
    acceptance: AcceptancePolicy = field(default_factory=ACCombi)
    discount: float = 1.0

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"Negotiator name must be a non-empty string, got {self.name!r}")
        if not isinstance(self.utility, UtilityTable):
            raise TypeError(f"Negotiator {self.name!r}: utility must be a UtilityTable")
        if not (math.isfinite(self.discount) and 0.0 < self.discount <= 1.0):
            raise ValueError(
                f"Negotiator {self.name!r}: discount must be in (0, 1], got {self.discount}"
            )

    @property
    def reservation(self) -> float:
        """The party's reservation value."""
        return self.utility.reservation

    def view(
        self,
        step: int,
        n_steps: int,
        own_targets: tuple[float, ...] = (),
        received: tuple[float, ...] = (),
        opponent_last: int | None = None,
    ) -> NegotiationView:
        """Build this negotiator's view of the session at ``step``."""
        return NegotiationView(
            step=step,
            n_steps=n_steps,
            reservation=self.utility.reservation,
            u_max=self.utility.max,
            own_targets=own_targets,
            received=received,
            opponent_last=opponent_last,
            discount=self.discount,
        )

    def propose(self, view: NegotiationView, rng: np.random.Generator) -> Offer:
        """Set a target with the strategy and pick an outcome with the offer policy."""
        target = self.strategy.target(view)
        index = self.offering.select(self.utility, target, view.opponent_last, rng)
        return Offer(self.name, view.step, index, target)

    def respond(
        self,
        view: NegotiationView,
        offer: Offer,
        rng: np.random.Generator,
        can_counter: bool = True,
    ) -> Response:
        """Accept ``offer``, or reject it with a counter-offer (or without, at the deadline).

        ``view.received`` must already include the utility of ``offer``.
        """
        planned = self.propose(view, rng)
        ctx = AcceptanceContext(
            offer_utility=self.utility(offer.outcome_index),
            next_utility=self.utility(planned.outcome_index),
            time=view.time,
            received=view.received[:-1],
            reservation=self.utility.reservation,
            u_max=self.utility.max,
            discount=self.discount,
        )
        if accepts(self.acceptance, ctx):
            return Response(self.name, view.step, Action.ACCEPT)
        if not can_counter:
            return Response(self.name, view.step, Action.REJECT)
        return Response(self.name, view.step, Action.COUNTER, planned)
