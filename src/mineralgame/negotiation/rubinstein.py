"""Rubinstein (1982) alternating-offers bargaining over a pie of size 1.

Two players with per-period discount factors δ_1, δ_2 alternate proposals, player 1 first. The
unique subgame-perfect equilibrium gives the first proposer x* = (1 − δ_2)/(1 − δ_1δ_2), agreed
at once. :func:`solve_rubinstein` finds it independently, by backward induction on a finite
horizon long enough for the truncation error to fall below a tolerance, and
:func:`spe_negotiators` builds two negotiators that play the equilibrium in the
alternating-offers protocol on a discretised pie.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from mineralgame.negotiation.acceptance import ACConst
from mineralgame.negotiation.negotiator import Negotiator
from mineralgame.negotiation.offers import AtTarget
from mineralgame.negotiation.outcomes import Issue, OutcomeSpace
from mineralgame.negotiation.strategies import FixedTarget
from mineralgame.negotiation.utilities import UtilityTable

__all__ = [
    "RubinsteinSolution",
    "backward_induction_shares",
    "pie_space",
    "rubinstein_share",
    "solve_rubinstein",
    "spe_negotiators",
]


def _check_discounts(d1: float, d2: float) -> None:
    for d in (d1, d2):
        if not (math.isfinite(d) and 0.0 <= d < 1.0):
            raise ValueError(f"Discount factors must be in [0, 1), got {d}")


def rubinstein_share(d1: float, d2: float) -> float:
    """Closed-form SPE share of the first proposer, (1 − δ_2)/(1 − δ_1δ_2)."""
    _check_discounts(d1, d2)
    return (1.0 - d2) / (1.0 - d1 * d2)


def backward_induction_shares(d1: float, d2: float, n_periods: int) -> NDArray[np.float64]:
    """Proposer's SPE share in each period of the game truncated after ``n_periods`` offers.

    Player 1 proposes in even periods, player 2 in odd ones. In the last period the proposer
    takes the whole pie (the responder's alternative is 0); earlier, the proposer offers the
    responder exactly the discounted value of proposing next period: x_t = 1 − δ_resp·x_{t+1}.
    """
    _check_discounts(d1, d2)
    if n_periods < 1:
        raise ValueError(f"n_periods must be at least 1, got {n_periods}")
    shares = np.empty(n_periods)
    shares[-1] = 1.0
    for t in range(n_periods - 2, -1, -1):
        responder_discount = d2 if t % 2 == 0 else d1
        shares[t] = 1.0 - responder_discount * shares[t + 1]
    return shares


@dataclass(frozen=True)
class RubinsteinSolution:
    """SPE of the infinite-horizon game, found by backward induction.

    Attributes:
        first_share: Player 1's share when it proposes (and is agreed at once).
        second_share: Player 2's share when it proposes.
        horizon: Number of periods of the truncated game used.
    """

    first_share: float
    second_share: float
    horizon: int


def solve_rubinstein(d1: float, d2: float, tol: float = 1e-12) -> RubinsteinSolution:
    """Backward induction on a horizon long enough that truncation changes shares by < tol.

    The truncation error of the period-0 share is at most (δ_1δ_2)^(H/2), so the horizon H is
    chosen to make that bound smaller than ``tol``.
    """
    _check_discounts(d1, d2)
    if not 0.0 < tol < 1.0:
        raise ValueError(f"tol must be in (0, 1), got {tol}")
    product = d1 * d2
    pairs = 1 if product == 0.0 else math.ceil(math.log(tol) / math.log(product)) + 1
    horizon = 2 * pairs + 2
    shares = backward_induction_shares(d1, d2, horizon)
    return RubinsteinSolution(float(shares[0]), float(shares[1]), horizon)


def pie_space(n_grid: int) -> OutcomeSpace:
    """A pie split on a grid: one issue ``share_first`` in {0, 1/n, …, 1}."""
    if n_grid < 1:
        raise ValueError(f"n_grid must be at least 1, got {n_grid}")
    return OutcomeSpace((Issue("share_first", tuple(k / n_grid for k in range(n_grid + 1))),))


def spe_negotiators(
    n_grid: int, d1: float, d2: float, names: tuple[str, str] = ("first", "second")
) -> tuple[Negotiator, Negotiator]:
    """Two negotiators playing the Rubinstein SPE on a grid pie (player 1 = ``names[0]``).

    Player i proposes the largest grid share for itself that leaves the other at least δ_j·x_j*
    (what the other would get by proposing next period), and accepts any offer worth at least
    δ_i·x_i*. Shares are on :func:`pie_space`, where outcome k gives player 1 k/n_grid. Run them
    with ``first_mover=names[0]`` to reproduce :func:`rubinstein_share` within one grid step.
    """
    space = pie_space(n_grid)
    share = np.arange(n_grid + 1) / n_grid
    solution = (rubinstein_share(d1, d2), rubinstein_share(d2, d1))
    discounts = (d1, d2)
    accept_at = tuple(discounts[i] * solution[i] - 1e-9 for i in range(2))
    out = []
    for i, utilities in enumerate((share, 1.0 - share)):
        demand = math.floor((1.0 - accept_at[1 - i]) * n_grid + 1e-9) / n_grid
        out.append(
            Negotiator(
                name=names[i],
                utility=UtilityTable(space, utilities, reservation=0.0),
                strategy=FixedTarget(level=max(0.0, demand - 1e-12)),
                offering=AtTarget(),
                acceptance=ACConst(c=max(0.0, accept_at[i])),
                discount=max(discounts[i], 1e-12),
            )
        )
    return out[0], out[1]
