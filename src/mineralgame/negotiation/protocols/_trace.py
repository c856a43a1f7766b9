"""Private helpers shared by the protocols: a trace builder and result assembly."""

from __future__ import annotations

import math
from collections.abc import Sequence

from mineralgame.negotiation.negotiator import Negotiator
from mineralgame.negotiation.outcomes import IssueValue, OutcomeSpace
from mineralgame.negotiation.records import Action, EndReason, SessionResult, TraceRow

MEDIATOR = "mediator"
"""Proposer name used for mediated proposals and axiomatic solutions."""


def common_space(parties: Sequence[Negotiator], minimum: int, maximum: int | None) -> OutcomeSpace:
    """Check the party count, unique names and a shared outcome space; return the space."""
    n = len(parties)
    if n < minimum or (maximum is not None and n > maximum):
        wanted = f"exactly {minimum}" if maximum == minimum else f"at least {minimum}"
        raise ValueError(f"This protocol needs {wanted} parties, got {n}")
    names = [p.name for p in parties]
    if len(set(names)) != n:
        raise ValueError(f"Party names must be unique, got {names}")
    if MEDIATOR in names:
        raise ValueError(f"{MEDIATOR!r} is reserved for the mediator")
    space = parties[0].utility.space
    for p in parties[1:]:
        if p.utility.space != space:
            raise ValueError(f"Party {p.name!r} has a utility over a different outcome space")
    return space


class TraceLog:
    """Collects trace rows for one session (mutable; private to a protocol run)."""

    def __init__(self, session_id: str, space: OutcomeSpace, parties: Sequence[Negotiator]):
        self.session_id = session_id
        self.space = space
        self.tables = {p.name: p.utility for p in parties}
        self.rows: list[TraceRow] = []
        self._outcomes: dict[int, dict[str, IssueValue]] = {}

    def _utility(self, name: str, index: int) -> float:
        table = self.tables.get(name)
        return math.nan if table is None or index < 0 else table(index)

    def _outcome(self, index: int) -> dict[str, IssueValue] | None:
        if index < 0:
            return None
        if index not in self._outcomes:
            self._outcomes[index] = self.space.outcome(index)
        return self._outcomes[index]

    def add(self, step: int, proposer: str, responder: str, action: Action, index: int) -> None:
        """Log one move; ``index`` is -1 when no outcome is concerned."""
        self.rows.append(
            TraceRow(
                session_id=self.session_id,
                step=step,
                proposer=proposer,
                responder=responder,
                action=action,
                outcome_index=index,
                outcome=self._outcome(index),
                proposer_utility=self._utility(proposer, index),
                responder_utility=self._utility(responder, index),
            )
        )


def build_result(
    log: TraceLog,
    protocol: str,
    parties: Sequence[Negotiator],
    first_mover: str,
    end: EndReason,
    agreement: int | None,
    n_steps: int,
    agreed_at: int = 0,
) -> SessionResult:
    """Assemble a :class:`SessionResult`; payoffs discount the surplus by δ^agreed_at."""
    utilities: dict[str, float] = {}
    payoffs: dict[str, float] = {}
    for p in parties:
        r = p.reservation
        if agreement is None:
            utilities[p.name] = payoffs[p.name] = r
        else:
            u = p.utility(agreement)
            utilities[p.name] = u
            payoffs[p.name] = r + p.discount**agreed_at * (u - r)
    return SessionResult(
        session_id=log.session_id,
        protocol=protocol,
        parties=tuple(p.name for p in parties),
        first_mover=first_mover,
        end_reason=end,
        agreement_index=agreement,
        agreement=None if agreement is None else log.space.outcome(agreement),
        n_steps=n_steps,
        utilities=utilities,
        payoffs=payoffs,
        reservations={p.name: p.reservation for p in parties},
        trace=tuple(log.rows),
    )


QUOTAS = {"unanimity": 1.0, "two_thirds": 2.0 / 3.0, "majority": 0.5}
"""Named voting rules as shares of the members (majority means more than half)."""


def quota_count(quota: str | int, n_members: int) -> int:
    """Number of yes-votes needed among ``n_members`` under a named rule or a fixed count."""
    if isinstance(quota, bool):
        raise TypeError("quota must be a rule name or an int, not a bool")
    if isinstance(quota, int):
        if not 1 <= quota <= n_members:
            raise ValueError(f"A quota of {quota} votes is impossible with {n_members} members")
        return quota
    if quota not in QUOTAS:
        raise ValueError(f"Unknown quota {quota!r}; use an int or one of {sorted(QUOTAS)}")
    if quota == "majority":
        return n_members // 2 + 1
    return max(1, math.ceil(QUOTAS[quota] * n_members - 1e-12))
