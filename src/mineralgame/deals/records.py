"""Rows of the run record's negotiation tables (see docs/RECORD.md).

* ``negotiation_sessions``: one row per session (bilateral deals, posted rival offers, human
  offers, renegotiations, pact terms), with both parties' reservation values and utilities;
* ``negotiation_offers``: one row per move (offer, counter, accept, reject, vote, pending,
  timeout, breakdown) with both parties' utilities *and reservation values*, the technology
  level τ offered and the terms as JSON in the vocabulary of ``decisions.DealTerms``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mineralgame.negotiation import SessionResult

__all__ = ["OFFER_COLUMNS", "SESSION_COLUMNS", "RowLog", "SessionInfo", "TermsFn"]

SESSION_COLUMNS = (
    "round",
    "session_id",
    "deal_type",
    "mineral",
    "protocol",
    "proposer",
    "responder",
    "proposer_strategy",
    "responder_strategy",
    "parties",
    "first_mover",
    "end_reason",
    "agreed",
    "n_steps",
    "proposer_reservation",
    "responder_reservation",
    "proposer_utility",
    "responder_utility",
    "expected_surplus",
    "deal_id",
    "terms",
)
OFFER_COLUMNS = (
    "round",
    "session_id",
    "deal_type",
    "mineral",
    "step",
    "proposer",
    "responder",
    "action",
    "status",
    "outcome_index",
    "technology",
    "proposer_utility",
    "responder_utility",
    "proposer_reservation",
    "responder_reservation",
    "terms",
)
STATUS = {
    "offer": "made",
    "counter": "made",
    "accept": "accepted",
    "reject": "rejected",
    "timeout": "timeout",
    "breakdown": "breakdown",
    "pending": "pending",
}

TermsFn = Callable[[int, Mapping[str, Any] | None], tuple[dict[str, Any], float]]
"""Maps an outcome index (and its ``{issue: value}`` if known) to (terms in the DealTerms
vocabulary, technology level τ or NaN)."""


@dataclass(frozen=True)
class SessionInfo:
    """What the record says about a session besides the protocol's result.

    Attributes:
        round: Round.
        session_id: Session id.
        deal_type: ``investment``, ``offtake``, ``tech``, ``rival``, ``human``,
            ``renegotiation`` or ``pact``.
        mineral: Mineral ("" for pacts).
        proposer: Party that opened it ("mediator" for pacts).
        responder: Other party ("" for pacts).
        reservations: Reservation value of every party [$m].
        expected_surplus: Partner-choice score [$m] (NaN if none).
        terms: Outcome index → terms and technology level.
        strategies: (proposer, responder) strategy names ("" if none).
    """

    round: int
    session_id: str
    deal_type: str
    mineral: str
    proposer: str
    responder: str
    reservations: Mapping[str, float]
    expected_surplus: float
    terms: TermsFn
    strategies: tuple[str, str] = ("", "")


def _json(terms: Mapping[str, Any]) -> str:
    return json.dumps(terms, sort_keys=True, default=float)


def _nan(x: float | None) -> float:
    return math.nan if x is None else float(x)


@dataclass
class RowLog:
    """Session and offer rows collected during a round (mutable).

    ``keep=False`` (a run that keeps only its scalars) logs nothing: no rows are built.
    """

    sessions: list[dict[str, Any]] = field(default_factory=list)
    offers: list[dict[str, Any]] = field(default_factory=list)
    keep: bool = True

    def _terms(
        self,
        info: SessionInfo,
        index: int,
        cache: dict[int, tuple[str, float]],
        outcome: Mapping[str, Any] | None = None,
    ) -> tuple[str, float]:
        if index < 0:
            return "", math.nan
        if index not in cache:
            terms, tau = info.terms(index, outcome)
            cache[index] = (_json(terms), tau)
        return cache[index]

    def session(
        self,
        info: SessionInfo,
        result: SessionResult | None,
        deal_id: str = "",
        end_reason: str | None = None,
        protocol: str | None = None,
    ) -> None:
        """Log a session and its moves (``result`` None: not played, e.g. no ZOPA)."""
        if not self.keep:
            return
        cache: dict[int, tuple[str, float]] = {}
        if result is not None:
            for row in result.trace:
                self.move(
                    info,
                    row.step,
                    row.proposer,
                    row.responder,
                    str(row.action),
                    row.outcome_index,
                    row.proposer_utility,
                    row.responder_utility,
                    cache,
                    outcome=row.outcome,
                )
        agreed = result is not None and result.agreed
        index = result.agreement_index if agreed and result is not None else -1
        utilities = dict(result.utilities) if result is not None else {}
        parties = result.parties if result is not None else (info.proposer, info.responder)
        self.sessions.append(
            {
                "round": info.round,
                "session_id": info.session_id,
                "deal_type": info.deal_type,
                "mineral": info.mineral,
                "protocol": protocol or (result.protocol if result is not None else "none"),
                "proposer": info.proposer,
                "responder": info.responder,
                "proposer_strategy": info.strategies[0],
                "responder_strategy": info.strategies[1],
                "parties": ",".join(parties),
                "first_mover": result.first_mover if result is not None else "",
                "end_reason": end_reason or (str(result.end_reason) if result else "no_zopa"),
                "agreed": bool(agreed),
                "n_steps": int(result.n_steps) if result is not None else 0,
                "proposer_reservation": _nan(info.reservations.get(info.proposer)),
                "responder_reservation": _nan(info.reservations.get(info.responder)),
                "proposer_utility": _nan(utilities.get(info.proposer)),
                "responder_utility": _nan(utilities.get(info.responder)),
                "expected_surplus": float(info.expected_surplus),
                "deal_id": deal_id,
                "terms": self._terms(info, index if index is not None else -1, cache)[0],
            }
        )

    def move(
        self,
        info: SessionInfo,
        step: int,
        proposer: str,
        responder: str,
        action: str,
        index: int,
        u_proposer: float,
        u_responder: float,
        cache: dict[int, tuple[str, float]] | None = None,
        status: str | None = None,
        outcome: Mapping[str, Any] | None = None,
    ) -> None:
        """Log one move of a session (``status`` overrides the one implied by the action)."""
        if not self.keep:
            return
        terms, tau = self._terms(info, index, {} if cache is None else cache, outcome)
        self.offers.append(
            {
                "round": info.round,
                "session_id": info.session_id,
                "deal_type": info.deal_type,
                "mineral": info.mineral,
                "step": int(step),
                "proposer": proposer,
                "responder": responder,
                "action": action,
                "status": status or STATUS.get(action, action),
                "outcome_index": int(index),
                "technology": float(tau),
                "proposer_utility": float(u_proposer),
                "responder_utility": float(u_responder),
                "proposer_reservation": _nan(info.reservations.get(proposer)),
                "responder_reservation": _nan(info.reservations.get(responder)),
                "terms": terms,
            }
        )

    def posted(
        self,
        info: SessionInfo,
        accepted: bool,
        deal_id: str,
        utilities: tuple[float, float],
        index: int = -1,
        protocol: str = "posted",
        end_reason: str | None = None,
    ) -> None:
        """Log a session that is a single posted (take-it-or-leave-it) offer."""
        if not self.keep:
            return
        terms = self._terms(info, index, {})[0] if accepted else ""
        self.sessions.append(
            {
                "round": info.round,
                "session_id": info.session_id,
                "deal_type": info.deal_type,
                "mineral": info.mineral,
                "protocol": protocol,
                "proposer": info.proposer,
                "responder": info.responder,
                "proposer_strategy": info.strategies[0],
                "responder_strategy": info.strategies[1],
                "parties": f"{info.proposer},{info.responder}",
                "first_mover": info.proposer,
                "end_reason": end_reason or ("agreement" if accepted else "rejected"),
                "agreed": bool(accepted),
                "n_steps": 1,
                "proposer_reservation": _nan(info.reservations.get(info.proposer)),
                "responder_reservation": _nan(info.reservations.get(info.responder)),
                "proposer_utility": float(utilities[0])
                if accepted
                else _nan(info.reservations.get(info.proposer)),
                "responder_utility": float(utilities[1])
                if accepted
                else _nan(info.reservations.get(info.responder)),
                "expected_surplus": float(info.expected_surplus),
                "deal_id": deal_id,
                "terms": terms,
            }
        )
