"""Plain, frozen records of a negotiation: views, offers, responses, trace rows and results.

Every protocol returns a :class:`SessionResult` whose :meth:`SessionResult.rows` are plain
dicts, one per move, ready for ``pandas.DataFrame(rows)`` and the run record.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from mineralgame.negotiation.outcomes import IssueValue

__all__ = [
    "TRACE_COLUMNS",
    "Action",
    "EndReason",
    "NegotiationView",
    "Offer",
    "Response",
    "SessionResult",
    "TraceRow",
]


class Action(StrEnum):
    """What happened at one move of a negotiation."""

    OFFER = "offer"
    ACCEPT = "accept"
    REJECT = "reject"
    COUNTER = "counter"
    BREAKDOWN = "breakdown"
    TIMEOUT = "timeout"


class EndReason(StrEnum):
    """How a session ended."""

    AGREEMENT = "agreement"
    TIMEOUT = "timeout"
    BREAKDOWN = "breakdown"
    NO_ZOPA = "no_zopa"


@dataclass(frozen=True, slots=True)
class NegotiationView:
    """The read-only view a negotiator gets when it must move.

    Attributes:
        step: Index of the current move (0-based, over both parties).
        n_steps: Number of offer moves before the deadline (2 × rounds in a bilateral session).
        reservation: The negotiator's own reservation value.
        u_max: The negotiator's best utility over the space.
        own_targets: Target utilities the negotiator used on its previous offers.
        received: The negotiator's utility of each offer it received, oldest first.
        opponent_last: Index of the opponent's last offer, or None before the first one.
        discount: The negotiator's discount factor per move (1 = none).
    """

    step: int
    n_steps: int
    reservation: float
    u_max: float
    own_targets: tuple[float, ...] = ()
    received: tuple[float, ...] = ()
    opponent_last: int | None = None
    discount: float = 1.0

    def __post_init__(self) -> None:
        if self.n_steps < 1:
            raise ValueError(f"n_steps must be at least 1, got {self.n_steps}")
        if self.step < 0:
            raise ValueError(f"step must be non-negative, got {self.step}")

    @property
    def time(self) -> float:
        """Relative time t = step / (n_steps − 1) in [0, 1] (1 at and after the last offer)."""
        if self.n_steps == 1:
            return 1.0
        return min(1.0, self.step / (self.n_steps - 1))


@dataclass(frozen=True, slots=True)
class Offer:
    """A proposal of one outcome.

    Attributes:
        proposer: Name of the proposing party.
        step: Move index at which it is made.
        outcome_index: Index of the proposed outcome in the outcome space.
        target: The proposer's target utility when it chose the offer.
    """

    proposer: str
    step: int
    outcome_index: int
    target: float


@dataclass(frozen=True, slots=True)
class Response:
    """A reply to an offer.

    Attributes:
        responder: Name of the responding party.
        step: Move index of the reply.
        action: ACCEPT, REJECT, or COUNTER (reject and propose ``counter``).
        counter: The counter-offer when ``action`` is COUNTER.
    """

    responder: str
    step: int
    action: Action
    counter: Offer | None = None

    def __post_init__(self) -> None:
        if self.action not in (Action.ACCEPT, Action.REJECT, Action.COUNTER):
            raise ValueError(f"A response is accept, reject or counter, not {self.action!r}")
        if (self.action is Action.COUNTER) != (self.counter is not None):
            raise ValueError("A counter-offer is required for COUNTER and only for COUNTER")


TRACE_COLUMNS = (
    "session_id",
    "step",
    "proposer",
    "responder",
    "action",
    "outcome_index",
    "outcome",
    "proposer_utility",
    "responder_utility",
)
"""Column order of :meth:`SessionResult.rows`."""


@dataclass(frozen=True, slots=True)
class TraceRow:
    """One logged move.

    Attributes:
        session_id: Identifier of the session.
        step: Move index.
        proposer: Party whose offer the row is about (``"mediator"`` in mediated protocols).
        responder: Party responding to it (empty for a plain offer made to all).
        action: What happened.
        outcome_index: Index of the outcome concerned, or -1 for none (timeout, breakdown).
        outcome: ``{issue: value}`` of the outcome, or None.
        proposer_utility: Proposer's utility of the outcome (NaN if not applicable).
        responder_utility: Responder's utility of the outcome (NaN if not applicable).
    """

    session_id: str
    step: int
    proposer: str
    responder: str
    action: Action
    outcome_index: int
    outcome: Mapping[str, IssueValue] | None
    proposer_utility: float
    responder_utility: float

    def as_dict(self) -> dict[str, Any]:
        """The row as a plain dict (action as a string, outcome as a fresh dict)."""
        row = asdict(self)
        row["action"] = str(self.action)
        row["outcome"] = None if self.outcome is None else dict(self.outcome)
        return row


@dataclass(frozen=True)
class SessionResult:
    """Everything a protocol reports about one negotiation session.

    Attributes:
        session_id: Identifier of the session.
        protocol: Registry name of the protocol that produced it.
        parties: Party names in the order they were passed.
        first_mover: Name of the party (or ``"mediator"``) that moved first.
        end_reason: How the session ended.
        agreement_index: Index of the agreed outcome, or None.
        agreement: The agreed outcome as ``{issue: value}``, or None.
        n_steps: Number of moves used.
        utilities: Per party, the undiscounted utility of the agreement, or its reservation value.
        payoffs: Per party, the realised payoff: reservation + discount^steps × surplus.
        reservations: Per party reservation value.
        trace: Every move, in order.
    """

    session_id: str
    protocol: str
    parties: tuple[str, ...]
    first_mover: str
    end_reason: EndReason
    agreement_index: int | None
    agreement: Mapping[str, IssueValue] | None
    n_steps: int
    utilities: Mapping[str, float]
    payoffs: Mapping[str, float]
    reservations: Mapping[str, float]
    trace: tuple[TraceRow, ...] = field(repr=False, default=())

    def __post_init__(self) -> None:
        if (self.agreement_index is None) != (self.end_reason is not EndReason.AGREEMENT):
            raise ValueError("An agreement index is required exactly when the session agreed")
        for name in (*self.utilities, *self.payoffs, *self.reservations):
            if name not in self.parties:
                raise ValueError(f"Unknown party {name!r} in session {self.session_id!r}")
        if any(math.isnan(v) for v in self.utilities.values()):
            raise ValueError("Session utilities must not be NaN")

    @property
    def agreed(self) -> bool:
        """True if the session ended in agreement."""
        return self.end_reason is EndReason.AGREEMENT

    def rows(self) -> list[dict[str, Any]]:
        """The trace as plain dicts with the columns of :data:`TRACE_COLUMNS`."""
        return [row.as_dict() for row in self.trace]

    def surplus(self, party: str) -> float:
        """Utility of the outcome over the party's reservation value (0 without agreement)."""
        return self.utilities[party] - self.reservations[party]
