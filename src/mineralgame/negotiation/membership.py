"""Pact membership: internal/external stability and revision with hysteresis.

A pact is one coalition S among the players; everyone else stays outside (the single-coalition
games of d'Aspremont et al. 1983 and Barrett 1994). A *payoff function* maps the member tuple to
every player's payoff, so outsiders can enjoy spillovers or pay penalties. Coalitions are always
tuples in the order of ``players`` (never sets), which keeps every loop deterministic.

* S is *internally stable* if no member gains more than ``hysteresis`` by leaving, and
  *externally stable* if no outsider gains more than ``hysteresis`` by joining.
* :func:`revise_membership` lets one randomly drawn player at a time join or leave when that
  gains it more than the hysteresis (Axelrod & Bennett 1993), optionally with logit noise.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

__all__ = [
    "MembershipMove",
    "Move",
    "PayoffFunction",
    "StabilityReport",
    "is_externally_stable",
    "is_internally_stable",
    "revise_membership",
    "stability",
    "stable_coalitions",
]

PayoffFunction = Callable[[tuple[str, ...]], Mapping[str, float]]
"""Maps the members of the pact to the payoff of every player."""


def _canonical(players: Sequence[str], members: Sequence[str]) -> tuple[str, ...]:
    if len(set(players)) != len(players):
        raise ValueError(f"Player names must be unique, got {list(players)}")
    unknown = [m for m in members if m not in players]
    if unknown:
        raise KeyError(f"Members {unknown} are not players {list(players)}")
    wanted = set(members)
    return tuple(p for p in players if p in wanted)


def _switched(players: Sequence[str], pact: tuple[str, ...], player: str) -> tuple[str, ...]:
    """The pact after ``player`` changes side."""
    if player in pact:
        return tuple(m for m in pact if m != player)
    return _canonical(players, (*pact, player))


def _gain(
    players: Sequence[str], members: tuple[str, ...], player: str, payoff: PayoffFunction
) -> float:
    """Payoff change for ``player`` if it switched side (left if a member, joined if not)."""
    other = _switched(players, members, player)
    return float(payoff(other)[player]) - float(payoff(members)[player])


@dataclass(frozen=True)
class StabilityReport:
    """Stability of one pact.

    Attributes:
        members: The pact's members.
        internal: No member gains more than the hysteresis by leaving.
        external: No outsider gains more than the hysteresis by joining.
        leavers: Members that would leave.
        joiners: Outsiders that would join.
    """

    members: tuple[str, ...]
    internal: bool
    external: bool
    leavers: tuple[str, ...]
    joiners: tuple[str, ...]

    @property
    def stable(self) -> bool:
        """Internally and externally stable."""
        return self.internal and self.external


def stability(
    players: Sequence[str],
    members: Sequence[str],
    payoff: PayoffFunction,
    hysteresis: float = 0.0,
) -> StabilityReport:
    """Check the internal and external stability of the pact ``members``."""
    if hysteresis < 0:
        raise ValueError(f"hysteresis must be non-negative, got {hysteresis}")
    pact = _canonical(players, members)
    switchers = [p for p in players if _gain(players, pact, p, payoff) > hysteresis]
    leavers = tuple(p for p in switchers if p in pact)
    joiners = tuple(p for p in switchers if p not in pact)
    return StabilityReport(pact, not leavers, not joiners, leavers, joiners)


def is_internally_stable(
    players: Sequence[str], members: Sequence[str], payoff: PayoffFunction, hysteresis: float = 0.0
) -> bool:
    """No member gains more than ``hysteresis`` by leaving."""
    return stability(players, members, payoff, hysteresis).internal


def is_externally_stable(
    players: Sequence[str], members: Sequence[str], payoff: PayoffFunction, hysteresis: float = 0.0
) -> bool:
    """No outsider gains more than ``hysteresis`` by joining."""
    return stability(players, members, payoff, hysteresis).external


def stable_coalitions(
    players: Sequence[str], payoff: PayoffFunction, min_size: int = 2, limit: int = 15
) -> list[tuple[str, ...]]:
    """Every internally and externally stable pact of at least ``min_size`` members."""
    n = len(players)
    if n > limit:
        raise ValueError(f"{n} players is too many to enumerate (limit {limit})")
    found = []
    for mask in range(2**n):
        pact = tuple(p for i, p in enumerate(players) if mask >> i & 1)
        if len(pact) >= min_size and stability(players, pact, payoff).stable:
            found.append(pact)
    return found


class Move(StrEnum):
    """What a revising player did."""

    JOIN = "join"
    LEAVE = "leave"
    STAY = "stay"


@dataclass(frozen=True)
class MembershipMove:
    """One revision opportunity.

    Attributes:
        revision: Index of the revision opportunity.
        player: The player drawn to revise.
        move: What it did.
        gain: Its payoff gain from switching side (whether or not it switched).
    """

    revision: int
    player: str
    move: Move
    gain: float


def revise_membership(
    players: Sequence[str],
    members: Sequence[str],
    payoff: PayoffFunction,
    rng: np.random.Generator,
    *,
    hysteresis: float = 0.0,
    logit_lambda: float | None = None,
    n_revisions: int = 1,
) -> tuple[tuple[str, ...], tuple[MembershipMove, ...]]:
    """Asynchronous myopic revisions: one random player at a time may join or leave.

    Args:
        players: All players, in canonical order.
        members: Current pact members.
        payoff: Payoff of every player given the members.
        rng: Draws the revising player (and the logit choice).
        hysteresis: A player switches only if that gains it more than this.
        logit_lambda: If set, switch with probability 1 / (1 + exp(−λ·(gain − hysteresis)))
            instead of deterministically.
        n_revisions: Number of revision opportunities.

    Returns:
        The new members and a record of every revision opportunity.
    """
    if hysteresis < 0:
        raise ValueError(f"hysteresis must be non-negative, got {hysteresis}")
    if logit_lambda is not None and not (math.isfinite(logit_lambda) and logit_lambda >= 0):
        raise ValueError(f"logit_lambda must be a non-negative number, got {logit_lambda}")
    pact = _canonical(players, members)
    moves = []
    for k in range(n_revisions):
        player = players[int(rng.integers(len(players)))]
        gain = _gain(players, pact, player, payoff)
        if logit_lambda is None:
            switch = gain > hysteresis
        else:
            z = float(np.clip(logit_lambda * (gain - hysteresis), -700.0, 700.0))
            switch = bool(rng.random() < 1.0 / (1.0 + math.exp(-z)))
        move = Move.STAY
        if switch:
            move = Move.LEAVE if player in pact else Move.JOIN
            pact = _switched(players, pact, player)
        moves.append(MembershipMove(k, player, move, gain))
    return pact, tuple(moves)
