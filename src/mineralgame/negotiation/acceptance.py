"""Acceptance conditions (Baarslag, Hindriks & Jonker 2014), behind a reservation-value guard.

Each condition sees an :class:`AcceptanceContext` and says whether it would accept. The guard in
:func:`accepts` is applied on top of every condition and cannot be switched off: an offer worth
less than the reservation value is never accepted.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "ACCEPTANCE",
    "ACCombi",
    "ACConst",
    "ACNext",
    "ACTime",
    "AcceptanceContext",
    "AcceptancePolicy",
    "accepts",
    "make_acceptance",
]


@dataclass(frozen=True, slots=True)
class AcceptanceContext:
    """What an acceptance condition may look at.

    Attributes:
        offer_utility: Own utility U(x) of the offer on the table.
        next_utility: Own utility U(x′) of the offer the negotiator would make instead.
        time: Relative time in [0, 1].
        received: Own utilities of the offers received *before* this one, oldest first.
        reservation: Own reservation value r.
        u_max: Own best utility over the space.
        discount: Own discount factor per move (1 = none).
    """

    offer_utility: float
    next_utility: float
    time: float
    received: tuple[float, ...]
    reservation: float
    u_max: float
    discount: float = 1.0

    @property
    def discounted_next(self) -> float:
        """Value now of the planned offer, agreed one move later at the earliest."""
        return self.reservation + self.discount * (self.next_utility - self.reservation)


@runtime_checkable
class AcceptancePolicy(Protocol):
    """An acceptance condition (without the reservation guard, which :func:`accepts` adds)."""

    def __call__(self, ctx: AcceptanceContext) -> bool:
        """True if the offer should be accepted."""
        ...


@dataclass(frozen=True)
class ACNext:
    """AC_next(α, β): accept if α·U(x) + β ≥ U(x′) (x′ discounted by one move if discounting).

    Attributes:
        alpha: Multiplier on the offer's utility.
        beta: Constant added to it.
    """

    alpha: float = 1.0
    beta: float = 0.0

    def __call__(self, ctx: AcceptanceContext) -> bool:
        """α·U(x) + β ≥ U(x′)."""
        return self.alpha * ctx.offer_utility + self.beta >= ctx.discounted_next


@dataclass(frozen=True)
class ACConst:
    """AC_const(c): accept if U(x) ≥ r + c·(u_max − r), with c in [0, 1].

    The level is a share of the way from the reservation value up to the best outcome, so that
    one parameter works for utilities in any unit. With r = 0 and u_max = 1 it is the paper's
    U(x) ≥ c.

    Attributes:
        c: Acceptance level in [0, 1].
    """

    c: float = 0.9

    def __post_init__(self) -> None:
        if not 0.0 <= self.c <= 1.0:
            raise ValueError(f"AC_const level c must be in [0, 1], got {self.c}")

    def __call__(self, ctx: AcceptanceContext) -> bool:
        """U(x) ≥ r + c·(u_max − r)."""
        return ctx.offer_utility >= ctx.reservation + self.c * (ctx.u_max - ctx.reservation)


@dataclass(frozen=True)
class ACTime:
    """AC_time(T′): accept anything (above r, by the guard) once t ≥ T′.

    Attributes:
        t_accept: Relative time T′ in [0, 1] from which every rational offer is accepted.
    """

    t_accept: float = 0.95

    def __post_init__(self) -> None:
        if not 0.0 <= self.t_accept <= 1.0:
            raise ValueError(f"AC_time threshold must be in [0, 1], got {self.t_accept}")

    def __call__(self, ctx: AcceptanceContext) -> bool:
        """t ≥ T′."""
        return ctx.time >= self.t_accept


@dataclass(frozen=True)
class ACCombi:
    """AC_combi(T′, W): AC_next, or, once t ≥ T′, accept if U(x) ≥ the best of the last W offers.

    Attributes:
        t_accept: Relative time T′ from which the late condition applies.
        window: How many previous offers to compare with (None = all).
        alpha: AC_next multiplier.
        beta: AC_next constant.
    """

    t_accept: float = 0.95
    window: int | None = None
    alpha: float = 1.0
    beta: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.t_accept <= 1.0:
            raise ValueError(f"AC_combi threshold must be in [0, 1], got {self.t_accept}")
        if self.window is not None and self.window < 1:
            raise ValueError(f"AC_combi window must be at least 1 (or None), got {self.window}")

    def __call__(self, ctx: AcceptanceContext) -> bool:
        """AC_next, or late acceptance of an offer at least as good as the best recent one."""
        if self.alpha * ctx.offer_utility + self.beta >= ctx.discounted_next:  # AC_next
            return True
        if ctx.time < self.t_accept:
            return False
        recent = ctx.received if self.window is None else ctx.received[-self.window :]
        return ctx.offer_utility >= max(recent, default=-math.inf)


def accepts(policy: AcceptancePolicy, ctx: AcceptanceContext) -> bool:
    """Apply ``policy`` behind the hard guard: never accept below the reservation value."""
    if not ctx.offer_utility >= ctx.reservation:  # also rejects -inf (infeasible) outcomes
        return False
    return bool(policy(ctx))


ACCEPTANCE: dict[str, Callable[..., AcceptancePolicy]] = {
    "ac_next": ACNext,
    "ac_const": ACConst,
    "ac_time": ACTime,
    "ac_combi": ACCombi,
}
"""Acceptance conditions by name."""


def make_acceptance(name: str, **params: Any) -> AcceptancePolicy:
    """Build a registered acceptance condition by name."""
    try:
        factory = ACCEPTANCE[name]
    except KeyError:
        raise KeyError(
            f"Unknown acceptance condition {name!r}; choose one of {sorted(ACCEPTANCE)}"
        ) from None
    return factory(**params)
