"""Price-responsive demand as steps of willingness to pay.

Demand at price p is ``q(p) = D * (ess + (1 - ess) * (p / P0) ** (e / (1 - ess)))``: an essential
share valued at the value of lost supply, and an elastic rest whose elasticity is chosen so the
whole curve has elasticity ``e`` at the base price ``P0``. It is cut into steps on a fixed price
grid so the clearing stays a linear programme; ``q(P0) == D`` exactly.
"""

from __future__ import annotations

import numpy as np

from mineralgame.market.problem import FloatArray

PRICE_GRID = (0.5, 0.7, 0.85, 1.0, 1.15, 1.35, 1.7, 2.2, 3.0)  # multiples of the base price
# Essential demand is cut into equal slices valued slightly above the value of lost supply,
# so a shortage is shared across buyers slice by slice instead of falling on whoever the
# solver picks among equally good allocations.
ESSENTIAL_SLICES = (1.0, 1.02, 1.04, 1.06, 1.08)


def demand_steps(
    requirement: FloatArray,
    base_price: float,
    elasticity: float,
    essential_share: float,
    lost_supply_multiple: float,
) -> tuple[FloatArray, FloatArray]:
    """Return ``(qty[N, S], wtp[S])`` demand steps for requirements ``D`` at base price ``P0``."""
    grid = np.array([g for g in PRICE_GRID if g < lost_supply_multiple])
    ess = min(essential_share, 0.999)
    e_rest = elasticity / (1.0 - ess)
    elastic = (1.0 - ess) * grid**e_rest  # share of D still demanded at each grid price
    step_share = np.append(elastic[:-1] - elastic[1:], elastic[-1])
    slices = np.full(len(ESSENTIAL_SLICES), ess / len(ESSENTIAL_SLICES))
    shares = np.concatenate([step_share, slices])
    wtp = np.concatenate([grid, lost_supply_multiple * np.array(ESSENTIAL_SLICES)]) * base_price
    qty = np.outer(np.asarray(requirement, dtype=float), shares)
    return qty, wtp


def demanded_at(qty: FloatArray, wtp: FloatArray, price: float) -> FloatArray:
    """Quantity each row demands at ``price`` (steps with wtp strictly above price, plus ties)."""
    return np.asarray(qty[:, wtp >= price].sum(axis=1), dtype=float)
