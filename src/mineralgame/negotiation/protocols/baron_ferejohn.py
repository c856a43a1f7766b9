"""Baron–Ferejohn (1989) legislative bargaining over pact terms.

Each round a proposer is recognised at random (probability ∝ weight) and tables a full text; it
passes if at least the quota of members (the proposer included) vote yes, otherwise the next
round starts and every member's surplus shrinks by its discount factor. Play follows the
stationary subgame-perfect equilibrium: member j votes yes iff U_j(x) ≥ c_j = r_j + δ_j·(V_j −
r_j), where V is the expected utility at the start of a round; the proposer tables the text it
likes best among those that enough members accept. V is a fixed point, found by damped
iteration in :func:`baron_ferejohn_values`. When several texts are equally good for the
proposer, it mixes uniformly over them (as in the equilibrium), drawing from the Generator.

For the classic split-a-pie game with n members, equal weights, common δ and a q-vote rule this
gives the proposer 1 − δ(q − 1)/n and each coalition partner δ/n.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from mineralgame.negotiation.negotiator import Negotiator
from mineralgame.negotiation.protocols._trace import (
    TraceLog,
    build_result,
    common_space,
    quota_count,
)
from mineralgame.negotiation.records import Action, EndReason, SessionResult

__all__ = ["BaronFerejohnConfig", "BaronFerejohnValues", "baron_ferejohn", "baron_ferejohn_values"]

NAME = "baron_ferejohn"
FloatArray = NDArray[np.float64]
VOTE_TOL = 1e-9
"""Rounding slack on the voting threshold (never on the reservation guard)."""


def _votes_yes(
    u: FloatArray, thresholds: FloatArray, reservations: FloatArray
) -> NDArray[np.bool_]:
    """Member-by-outcome mask of yes-votes: U ≥ c − slack and U ≥ r."""
    slack = VOTE_TOL * np.maximum(1.0, np.abs(thresholds))
    return (u >= (thresholds - slack)[:, None]) & (u >= reservations[:, None])


@dataclass(frozen=True)
class BaronFerejohnConfig:
    """Settings of a Baron–Ferejohn session.

    Attributes:
        n_rounds: Maximum number of proposal rounds.
        quota: Votes needed (proposer included): rule name or number of members.
        weights: Recognition weights per member (None = equal).
        max_iter: Iterations allowed for the value fixed point.
        tol: Convergence tolerance of the fixed point (max absolute change).
    """

    n_rounds: int = 10
    quota: str | int = "majority"
    weights: tuple[float, ...] | None = None
    max_iter: int = 1000
    tol: float = 1e-10

    def __post_init__(self) -> None:
        if self.n_rounds < 1:
            raise ValueError(f"n_rounds must be at least 1, got {self.n_rounds}")
        if self.weights is not None:
            w = np.asarray(self.weights, dtype=float)
            if not (np.all(np.isfinite(w)) and np.all(w >= 0) and w.sum() > 0):
                raise ValueError(
                    f"weights must be non-negative with a positive sum: {self.weights}"
                )


@dataclass(frozen=True, eq=False)
class BaronFerejohnValues:
    """Stationary equilibrium of a Baron–Ferejohn game.

    Attributes:
        values: V_j, expected utility of each member at the start of a round.
        thresholds: c_j, the least utility member j votes for.
        proposals: For each member as proposer, the indices of its optimal texts (empty if no
            text can pass).
        converged: Whether the fixed point met the tolerance.
    """

    values: FloatArray
    thresholds: FloatArray
    proposals: tuple[NDArray[np.intp], ...]
    converged: bool


def _proposals(
    u: FloatArray, r: FloatArray, c: FloatArray, need: int
) -> tuple[NDArray[np.intp], ...]:
    yes = _votes_yes(u, c, r)
    out = []
    for p in range(u.shape[0]):
        support = yes.sum(axis=0) - yes[p] + (u[p] >= r[p])
        ok = np.flatnonzero((support >= need) & (u[p] >= r[p]) & np.isfinite(u[p]))
        if ok.size:
            best = u[p, ok].max()
            ok = ok[u[p, ok] == best]
        out.append(ok)
    return tuple(out)


def baron_ferejohn_values(
    utilities: FloatArray,
    reservations: FloatArray,
    discounts: FloatArray,
    weights: FloatArray,
    need: int,
    max_iter: int = 1000,
    tol: float = 1e-10,
) -> BaronFerejohnValues:
    """Solve the stationary Baron–Ferejohn equilibrium by damped fixed-point iteration.

    Args:
        utilities: (members, outcomes) utility matrix; ``-inf`` = infeasible for that member.
        reservations: r_j per member.
        discounts: δ_j per member and round.
        weights: Recognition probabilities (normalised here).
        need: Yes-votes required, proposer included.
        max_iter: Iteration cap.
        tol: Convergence tolerance.

    Returns:
        Values, voting thresholds, optimal proposals and a convergence flag. A member left with
        an infeasible text is valued at its reservation value (it would exit).
    """
    w = np.asarray(weights, dtype=float) / np.sum(weights)
    payoff = np.where(np.isfinite(utilities), utilities, reservations[:, None])
    values = reservations.astype(float).copy()
    converged = False
    for _ in range(max_iter):
        c = reservations + discounts * (values - reservations)
        props = _proposals(utilities, reservations, c, need)
        outcome = np.stack([payoff[:, ix].mean(axis=1) if ix.size else c for ix in props])
        new = 0.5 * values + 0.5 * (w @ outcome)
        if np.max(np.abs(new - values)) < tol:
            values, converged = new, True
            break
        values = new
    c = reservations + discounts * (values - reservations)
    return BaronFerejohnValues(values, c, _proposals(utilities, reservations, c, need), converged)


def baron_ferejohn(
    parties: Sequence[Negotiator],
    rng: np.random.Generator,
    *,
    config: BaronFerejohnConfig | None = None,
    session_id: str = "",
) -> SessionResult:
    """Play a Baron–Ferejohn session with equilibrium proposals and votes.

    Args:
        parties: The members; their ``discount`` is the per-round discount factor.
        rng: Source of the recognised proposers and of mixing among equally good texts.
        config: Rounds, quota, recognition weights and solver settings.
        session_id: Identifier copied into every trace row.

    Returns:
        The result; per round the trace has the proposer's offer and one vote per other member.
    """
    cfg = config or BaronFerejohnConfig()
    space = common_space(parties, 2, None)
    n = len(parties)
    need = quota_count(cfg.quota, n)
    weights = np.ones(n) if cfg.weights is None else np.asarray(cfg.weights, dtype=float)
    if weights.shape != (n,):
        raise ValueError(f"Expected {n} recognition weights, got {weights.shape[0]}")
    u = np.stack([p.utility.values for p in parties])
    r = np.array([p.reservation for p in parties])
    eq = baron_ferejohn_values(
        u, r, np.array([p.discount for p in parties]), weights, need, cfg.max_iter, cfg.tol
    )
    log = TraceLog(session_id, space, parties)
    first = ""
    for k in range(cfg.n_rounds):
        p = int(rng.choice(n, p=weights / weights.sum()))
        first = first or parties[p].name
        options = eq.proposals[p]
        text = int(options[rng.integers(options.size)]) if options.size else parties[p].utility.best
        if _vote(log, parties, p, text, eq.thresholds, k) >= need:
            return build_result(log, NAME, parties, first, EndReason.AGREEMENT, text, k + 1, k)
    log.add(cfg.n_rounds - 1, first, "", Action.TIMEOUT, -1)
    return build_result(log, NAME, parties, first, EndReason.TIMEOUT, None, cfg.n_rounds)


def _vote(
    log: TraceLog,
    parties: Sequence[Negotiator],
    proposer: int,
    text: int,
    thresholds: FloatArray,
    step: int,
) -> int:
    name = parties[proposer].name
    log.add(step, name, "", Action.OFFER, text)
    yes = int(parties[proposer].utility(text) >= parties[proposer].reservation)
    for j, member in enumerate(parties):
        if j == proposer:
            continue
        column = np.array([[member.utility(text)]])
        vote = bool(_votes_yes(column, thresholds[j : j + 1], np.array([member.reservation]))[0, 0])
        yes += int(vote)
        log.add(step, name, member.name, Action.ACCEPT if vote else Action.REJECT, text)
    return yes
