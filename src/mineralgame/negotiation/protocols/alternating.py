"""Bilateral alternating offers (Rubinstein 1982; Ståhl 1972) with a deadline.

The first mover proposes; from then on each move the other party accepts, or rejects and
counter-offers. Each party may make at most ``n_rounds`` offers; the last offer can still be
accepted, after which the session times out. Options: per-move discount factors (held by the
negotiators), a per-move breakdown probability after every rejection, and a first mover that is
either named or drawn from the passed Generator (and always recorded).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mineralgame.negotiation.negotiator import Negotiator
from mineralgame.negotiation.protocols._trace import TraceLog, build_result, common_space
from mineralgame.negotiation.records import Action, EndReason, Offer, Response, SessionResult

__all__ = ["AlternatingOffersConfig", "alternating_offers"]

RANDOM = "random"
NAME = "alternating_offers"


@dataclass(frozen=True)
class AlternatingOffersConfig:
    """Settings of an alternating-offers session.

    Attributes:
        n_rounds: Deadline T: each party makes at most T offers (2T offer moves in all).
        breakdown_probability: Chance that talks break down after each rejection (0 = never).
        first_mover: ``"random"`` (drawn from the Generator) or the name of a party.
    """

    n_rounds: int = 40
    breakdown_probability: float = 0.0
    first_mover: str = RANDOM

    def __post_init__(self) -> None:
        if self.n_rounds < 1:
            raise ValueError(f"n_rounds must be at least 1, got {self.n_rounds}")
        p = self.breakdown_probability
        if not (math.isfinite(p) and 0.0 <= p < 1.0):
            raise ValueError(f"breakdown_probability must be in [0, 1), got {p}")


class _Side:
    """What one party has done and seen so far in a session (private, mutable)."""

    def __init__(self, negotiator: Negotiator):
        self.negotiator = negotiator
        self.targets: list[float] = []
        self.received: list[float] = []


def _first_mover(parties: Sequence[Negotiator], choice: str, rng: np.random.Generator) -> int:
    if choice == RANDOM:
        return int(rng.integers(2))
    names = [p.name for p in parties]
    if choice not in names:
        raise ValueError(f"first_mover must be 'random' or one of {names}, got {choice!r}")
    return names.index(choice)


def alternating_offers(
    parties: Sequence[Negotiator],
    rng: np.random.Generator,
    *,
    config: AlternatingOffersConfig | None = None,
    session_id: str = "",
) -> SessionResult:
    """Run one bilateral alternating-offers session.

    Args:
        parties: The two negotiators (their utility tables must share one outcome space).
        rng: The only source of randomness (first mover, random offers, breakdowns).
        config: Deadline, breakdown risk and first mover; defaults if None.
        session_id: Identifier copied into every trace row.

    Returns:
        The session result with the full trace of offers and responses.
    """
    cfg = config or AlternatingOffersConfig()
    space = common_space(parties, 2, 2)
    first = _first_mover(parties, cfg.first_mover, rng)
    sides = (_Side(parties[first]), _Side(parties[1 - first]))
    log = TraceLog(session_id, space, parties)
    n_steps = 2 * cfg.n_rounds
    first_name = sides[0].negotiator.name

    def finish(end: EndReason, agreed: Offer | None, step: int) -> SessionResult:
        index = None if agreed is None else agreed.outcome_index
        at = 0 if agreed is None else agreed.step
        return build_result(log, NAME, parties, first_name, end, index, step, agreed_at=at)

    opener = sides[0].negotiator
    offer = opener.propose(opener.view(0, n_steps), rng)
    sides[0].targets.append(offer.target)
    log.add(0, opener.name, sides[1].negotiator.name, Action.OFFER, offer.outcome_index)
    for step in range(1, n_steps + 1):
        proposer, responder = sides[(step - 1) % 2], sides[step % 2]
        offer_name, resp_name = proposer.negotiator.name, responder.negotiator.name
        response = _respond(responder, offer, step, n_steps, rng)
        if response.action is Action.ACCEPT:
            log.add(step, offer_name, resp_name, Action.ACCEPT, offer.outcome_index)
            return finish(EndReason.AGREEMENT, offer, step)
        broke = response.action is Action.COUNTER and cfg.breakdown_probability > 0.0
        if response.counter is None or (broke and rng.random() < cfg.breakdown_probability):
            log.add(step, offer_name, resp_name, Action.REJECT, offer.outcome_index)
            end = EndReason.TIMEOUT if response.counter is None else EndReason.BREAKDOWN
            log.add(step, offer_name, resp_name, Action(end.value), -1)
            return finish(end, None, step)
        offer = response.counter
        responder.targets.append(offer.target)
        log.add(step, resp_name, offer_name, Action.COUNTER, offer.outcome_index)
    raise AssertionError("unreachable: the last offer is always answered")  # pragma: no cover


def _respond(
    side: _Side, offer: Offer, step: int, n_steps: int, rng: np.random.Generator
) -> Response:
    negotiator = side.negotiator
    side.received.append(negotiator.utility(offer.outcome_index))
    view = negotiator.view(
        step, n_steps, tuple(side.targets), tuple(side.received), offer.outcome_index
    )
    return negotiator.respond(view, offer, rng, can_counter=step < n_steps)
