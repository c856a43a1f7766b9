"""Bidding strategies: how a negotiator's target utility moves over a session.

A strategy maps the negotiator's :class:`~mineralgame.negotiation.records.NegotiationView` to a
*target utility*; the offer policy then picks an outcome at or above it (BOA split, Baarslag et
al. 2014). Strategies are frozen and stateless: everything they remember is in the view.

Time-dependent concession follows Faratin, Sierra & Jennings (1998) written with NegMAS's
exponent ``e = 1/β``: u*(t) = u_max − α(t)·(u_max − r), α(t) = κ + (1 − κ)·t^e. ``e > 1`` is
Boulware (concedes late), ``e = 1`` linear, ``e < 1`` conceder.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol, runtime_checkable

from mineralgame.negotiation.records import NegotiationView

__all__ = [
    "BOULWARE_EXPONENT",
    "CONCEDER_EXPONENT",
    "STRATEGIES",
    "Aspiration",
    "FixedTarget",
    "Strategy",
    "TimeDependent",
    "TitForTat",
    "make_strategy",
]

BOULWARE_EXPONENT = 5.0
"""Default Boulware exponent (β = 0.2 in Faratin's notation)."""
CONCEDER_EXPONENT = 0.2
"""Default conceder exponent (β = 5)."""


@runtime_checkable
class Strategy(Protocol):
    """Maps what a negotiator sees to the utility it aims for on its next offer."""

    def target(self, view: NegotiationView) -> float:
        """Target utility for the offer about to be made."""
        ...


def _check_exponent(exponent: float) -> None:
    if not (math.isfinite(exponent) and exponent > 0):
        raise ValueError(f"Concession exponent must be a positive number, got {exponent}")


@dataclass(frozen=True)
class TimeDependent:
    """Faratin time-dependent concession from u_max down to the reservation value.

    Attributes:
        exponent: e in α(t) = κ + (1 − κ)·t^e; > 1 Boulware, 1 linear, < 1 conceder.
        kappa: Initial concession κ in [0, 1).
    """

    exponent: float = 1.0
    kappa: float = 0.0

    def __post_init__(self) -> None:
        _check_exponent(self.exponent)
        if not 0.0 <= self.kappa < 1.0:
            raise ValueError(f"Initial concession kappa must be in [0, 1), got {self.kappa}")

    @classmethod
    def from_beta(cls, beta: float, kappa: float = 0.0) -> TimeDependent:
        """Build from Faratin's β (exponent = 1/β; β < 1 Boulware, β > 1 conceder)."""
        _check_exponent(beta)
        return cls(exponent=1.0 / beta, kappa=kappa)

    def concession(self, time: float) -> float:
        """α(t): the share of the way from u_max to r conceded at relative time t."""
        return self.kappa + (1.0 - self.kappa) * time**self.exponent

    def target(self, view: NegotiationView) -> float:
        """u_max − α(t)·(u_max − r), never below r."""
        gap = view.u_max - view.reservation
        return max(view.reservation, view.u_max - self.concession(view.time) * gap)


@dataclass(frozen=True)
class TitForTat:
    """Tit-for-tat in own-utility terms, with a time-dependent safety net (on by default).

    The negotiator concedes, in its own utility, what the opponent's last offer improved on the
    one before (Faratin et al. 1998, imitative tactics). Pure tit-for-tat deadlocks when both
    sides open at their best outcome and wait; the floor (Baarslag et al. 2013, "nice
    tit-for-tat" safety net) caps the target at a Boulware curve so the session converges.

    Attributes:
        floor: Time-dependent curve the target may not exceed, or None for pure tit-for-tat.
    """

    floor: TimeDependent | None = field(default_factory=lambda: TimeDependent(BOULWARE_EXPONENT))

    def target(self, view: NegotiationView) -> float:
        """Last target minus the opponent's last concession, capped by the floor curve."""
        last = view.own_targets[-1] if view.own_targets else view.u_max
        concession = 0.0
        if len(view.received) >= 2:
            concession = max(0.0, view.received[-1] - view.received[-2])
        target = last - concession
        if self.floor is not None:
            target = min(target, self.floor.target(view))
        return max(view.reservation, target)


@dataclass(frozen=True)
class Aspiration:
    """Adaptive aspiration: concede from u_max towards the best offer received so far.

    Unlike :class:`TimeDependent`, the level it concedes towards is the best utility the
    opponent has already offered (or the reservation value, if higher), so a generous opponent
    is never asked for less than it has already given.

    Attributes:
        exponent: Shape of the concession towards the anchor (as in :class:`TimeDependent`).
    """

    exponent: float = 2.0

    def __post_init__(self) -> None:
        _check_exponent(self.exponent)

    def target(self, view: NegotiationView) -> float:
        """anchor + (u_max − anchor)·(1 − t^e), anchor = max(r, best received)."""
        anchor = max([view.reservation, *view.received])
        anchor = min(anchor, view.u_max)
        return max(
            view.reservation, anchor + (view.u_max - anchor) * (1.0 - view.time**self.exponent)
        )


@dataclass(frozen=True)
class FixedTarget:
    """A constant target, as a share of the way from r up to u_max ("hardheaded" at 1).

    Attributes:
        level: Target = r + level·(u_max − r), level in [0, 1].
    """

    level: float = 1.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.level <= 1.0:
            raise ValueError(f"FixedTarget level must be in [0, 1], got {self.level}")

    def target(self, view: NegotiationView) -> float:
        """r + level·(u_max − r)."""
        return max(
            view.reservation, view.reservation + self.level * (view.u_max - view.reservation)
        )


STRATEGIES: dict[str, Callable[..., Strategy]] = {
    "boulware": partial(TimeDependent, exponent=BOULWARE_EXPONENT),
    "linear": partial(TimeDependent, exponent=1.0),
    "conceder": partial(TimeDependent, exponent=CONCEDER_EXPONENT),
    "time_dependent": TimeDependent,
    "tit_for_tat": TitForTat,
    "aspiration": Aspiration,
    "hardheaded": partial(FixedTarget, level=1.0),
    "fixed": FixedTarget,
}
"""Strategy factories by name; keyword arguments override the defaults."""


def make_strategy(name: str, **params: Any) -> Strategy:
    """Build a registered strategy, e.g. ``make_strategy("boulware", exponent=4)``."""
    try:
        factory = STRATEGIES[name]
    except KeyError:
        raise KeyError(f"Unknown strategy {name!r}; choose one of {sorted(STRATEGIES)}") from None
    return factory(**params)
