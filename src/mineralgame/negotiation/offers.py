"""Offer policies: which outcome to propose once the target utility is set.

The *band* is the set of outcomes whose utility is at least the target. Because a
:class:`~mineralgame.negotiation.utilities.UtilityTable` keeps its outcomes sorted best first,
the band is always a prefix of that order, and every policy works on a slice (no copies of the
outcome space, no Python loops). If the target is above the best utility the band is the best
outcome alone. Ties are broken by the table order: higher own utility, then lower index.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from mineralgame.negotiation.utilities import UtilityTable

__all__ = [
    "OFFER_POLICIES",
    "AtTarget",
    "BestOffer",
    "OfferPolicy",
    "RandomInBand",
    "Similarity",
    "make_offer_policy",
]


@runtime_checkable
class OfferPolicy(Protocol):
    """Chooses an outcome index whose utility meets the target."""

    def select(
        self,
        table: UtilityTable,
        target: float,
        opponent_last: int | None,
        rng: np.random.Generator,
    ) -> int:
        """Index of the outcome to propose."""
        ...


def _band(table: UtilityTable, target: float) -> int:
    return max(1, table.band_size(target))


@dataclass(frozen=True)
class BestOffer:
    """Always propose the own best outcome (ignores the target: a "hardheaded" bidder)."""

    def select(
        self,
        table: UtilityTable,
        target: float,
        opponent_last: int | None,
        rng: np.random.Generator,
    ) -> int:
        """The best outcome."""
        return table.best


@dataclass(frozen=True)
class AtTarget:
    """Propose the band outcome with the lowest utility, i.e. the one closest to the target.

    This is how NegMAS's time-based negotiators bid. Among outcomes with that utility, the lowest
    index is chosen.
    """

    def select(
        self,
        table: UtilityTable,
        target: float,
        opponent_last: int | None,
        rng: np.random.Generator,
    ) -> int:
        """The least-good outcome still at or above the target."""
        m = _band(table, target)
        worst = float(table.sorted_values[m - 1])
        first = table.band_size(float(np.nextafter(worst, np.inf)))  # outcomes strictly better
        return int(table.order[first:m].min())


@dataclass(frozen=True)
class RandomInBand:
    """Propose a uniformly random outcome from the band (drawn from the passed Generator)."""

    def select(
        self,
        table: UtilityTable,
        target: float,
        opponent_last: int | None,
        rng: np.random.Generator,
    ) -> int:
        """A random band outcome."""
        m = _band(table, target)
        return int(table.order[rng.integers(m)])


@dataclass(frozen=True)
class Similarity:
    """Faratin et al. (2002) trade-off: the outcome nearest the opponent's last offer among those
    on (or just above) the agent's iso-utility curve at its target.

    Candidates are the outcomes with target ≤ U < target + width·(u_max − u_min), so that the
    offer's own utility follows the concession curve (a wider window lets an agent drift to
    offers much better for itself); if that window is empty, the band outcome closest to the
    target is proposed. Distance is L1 over normalised issue coordinates. Before the opponent
    has offered anything, the own best outcome is proposed.

    Attributes:
        width: Width of the window above the target, as a share of the utility range; use
            ``math.inf`` for the whole band.
    """

    width: float = 0.1

    def __post_init__(self) -> None:
        if not self.width > 0:
            raise ValueError(f"Similarity window width must be positive, got {self.width}")

    def select(
        self,
        table: UtilityTable,
        target: float,
        opponent_last: int | None,
        rng: np.random.Generator,
    ) -> int:
        """The window outcome nearest the opponent's last offer."""
        if opponent_last is None:
            return table.best
        m = _band(table, target)
        lo = 0
        if math.isfinite(self.width):
            ceiling = target + self.width * (table.max - table.min)
            lo = min(table.band_size(np.nextafter(ceiling, -np.inf)), m - 1)
        point = table.space.normalised[opponent_last]
        distance = np.abs(table.sorted_points[:, lo:m] - point[:, None]).sum(axis=0)
        return int(table.order[lo + int(np.argmin(distance))])


OFFER_POLICIES: dict[str, Callable[..., OfferPolicy]] = {
    "best": BestOffer,
    "at_target": AtTarget,
    "random_in_band": RandomInBand,
    "similarity": Similarity,
}
"""Offer policies by name."""


def make_offer_policy(name: str, **params: Any) -> OfferPolicy:
    """Build a registered offer policy by name."""
    try:
        factory = OFFER_POLICIES[name]
    except KeyError:
        raise KeyError(
            f"Unknown offer policy {name!r}; choose one of {sorted(OFFER_POLICIES)}"
        ) from None
    return factory(**params)
