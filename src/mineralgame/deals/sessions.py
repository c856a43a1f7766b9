"""Running one bilateral session of the model with the negotiation core.

Utilities are evaluated on the deal kind's full outcome space (vectorised), infeasible outcomes
masked to −inf, and the protocol chosen in the scenario (alternating offers or the Nash
shortcut) is run with each party's strategy, the scenario's acceptance rule and offer policy,
and the model's negotiation Generator. A session without any outcome acceptable to both
(no zone of possible agreement) is not played: it ends at once as ``no_zopa``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from mineralgame.config.negotiation import NegotiationConfig
from mineralgame.negotiation import (
    AlternatingOffersConfig,
    EndReason,
    Negotiator,
    SessionResult,
    Strategy,
    UtilityTable,
    alternating_offers,
    make_acceptance,
    make_offer_policy,
    nash_bargaining,
)
from mineralgame.negotiation.acceptance import AcceptancePolicy
from mineralgame.negotiation.offers import OfferPolicy
from mineralgame.negotiation.outcomes import OutcomeSpace

__all__ = ["Bargain", "acceptance_policy", "offer_policy", "play", "space_kind"]

FloatArray = NDArray[np.float64]
TIME_RULES = ("ac_time", "ac_combi")


def space_kind(kind: str) -> str:
    """Outcome-space name of a deal kind (renegotiations use the investment space)."""
    return {"renegotiation": "investment", "human": "investment"}.get(kind, kind)


@dataclass(frozen=True, eq=False)
class Bargain:
    """A bilateral session ready to play.

    Attributes:
        session_id: Session id.
        space: The outcome space.
        names: (opener, responder) codes.
        utilities: (opener, responder) utility of every outcome [$m].
        feasible: Outcomes allowed by both parties' constraints.
        reservations: (opener, responder) reservation values [$m].
        strategies: (opener, responder) bidding strategies.
    """

    session_id: str
    space: OutcomeSpace
    names: tuple[str, str]
    utilities: tuple[FloatArray, FloatArray]
    feasible: NDArray[np.bool_]
    reservations: tuple[float, float]
    strategies: tuple[Strategy, Strategy]

    def zopa(self) -> NDArray[np.bool_]:
        """Outcomes feasible and at least both reservation values."""
        (u_o, u_r), (r_o, r_r) = self.utilities, self.reservations
        return np.asarray(self.feasible & (u_o >= r_o) & (u_r >= r_r))


def acceptance_policy(cfg: NegotiationConfig) -> AcceptancePolicy:
    """The scenario's acceptance rule (the reservation guard is always added)."""
    if cfg.acceptance in TIME_RULES:
        return make_acceptance(cfg.acceptance, t_accept=cfg.acceptance_time)
    return make_acceptance(cfg.acceptance)


def offer_policy(cfg: NegotiationConfig) -> OfferPolicy:
    """The scenario's offer-selection rule."""
    return make_offer_policy(cfg.offer_policy)


def _table(bargain: Bargain, k: int) -> UtilityTable:
    values = np.where(bargain.feasible, bargain.utilities[k], -np.inf)
    return UtilityTable(bargain.space, values, bargain.reservations[k])


def _first_mover(cfg: NegotiationConfig, names: tuple[str, str]) -> str:
    return {"opener": names[0], "responder": names[1]}.get(cfg.first_mover, "random")


def play(
    bargain: Bargain,
    cfg: NegotiationConfig,
    rng: np.random.Generator,
    policies: tuple[AcceptancePolicy, OfferPolicy] | None = None,
) -> SessionResult | None:
    """Run the session; None if there is no zone of possible agreement (not played)."""
    if not bargain.zopa().any():
        return None
    accept, offering = policies or (acceptance_policy(cfg), offer_policy(cfg))
    parties = [
        Negotiator(
            bargain.names[k],
            _table(bargain, k),
            bargain.strategies[k],
            offering,
            accept,
            cfg.discount,
        )
        for k in (0, 1)
    ]
    if cfg.protocol == "nash":
        return nash_bargaining(parties, rng, session_id=bargain.session_id)
    config = AlternatingOffersConfig(
        n_rounds=cfg.deadline_rounds,
        breakdown_probability=cfg.breakdown_probability,
        first_mover=_first_mover(cfg, bargain.names),
    )
    return alternating_offers(parties, rng, config=config, session_id=bargain.session_id)


def agreed_index(result: SessionResult | None) -> int | None:
    """The agreed outcome index, or None."""
    if result is None or result.end_reason is not EndReason.AGREEMENT:
        return None
    return result.agreement_index


def describe(result: SessionResult | None) -> dict[str, Any]:
    """Protocol, first mover, end reason and moves of a (possibly unplayed) session."""
    if result is None:
        return {"first_mover": "", "end_reason": "no_zopa", "n_steps": 0}
    return {
        "first_mover": result.first_mover,
        "end_reason": str(result.end_reason),
        "n_steps": result.n_steps,
    }
