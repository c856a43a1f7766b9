"""Standard negotiation metrics (ANAC / GENIUS / NegMAS vocabulary).

Array-level functions take utilities of every outcome as numpy arrays; :class:`DealGeometry`
precomputes a bilateral deal's normalised utility points, Pareto frontier, Nash and
Kalai–Smorodinsky points once, and :func:`session_metrics` scores one session against it.
Distances are Euclidean in per-party normalised utility (0 = worst, 1 = best jointly feasible
outcome), as in the literature.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from mineralgame.negotiation.records import SessionResult
from mineralgame.negotiation.utilities import UtilityTable

__all__ = [
    "DealGeometry",
    "SessionMetrics",
    "agreement_rate",
    "kalai_index",
    "mean_steps",
    "nash_index",
    "normalise",
    "pareto_distance",
    "pareto_mask",
    "session_metrics",
    "surplus",
    "welfare",
]

FloatArray = NDArray[np.float64]


def agreement_rate(results: Iterable[SessionResult]) -> float:
    """Share of sessions that ended in agreement (NaN for no sessions)."""
    flags = [r.agreed for r in results]
    return float(np.mean(flags)) if flags else math.nan


def mean_steps(results: Iterable[SessionResult], agreed_only: bool = True) -> float:
    """Mean number of moves per session (over agreed sessions by default; NaN if none)."""
    steps = [r.n_steps for r in results if r.agreed or not agreed_only]
    return float(np.mean(steps)) if steps else math.nan


def surplus(utility: float, reservation: float) -> float:
    """Advantage over the reservation value, U − r."""
    return utility - reservation


def welfare(utilities: Sequence[float]) -> tuple[float, float]:
    """Utilitarian (sum) and egalitarian (min) social welfare."""
    if not utilities:
        raise ValueError("welfare needs at least one utility")
    return float(sum(utilities)), float(min(utilities))


def normalise(values: ArrayLike, lo: float, hi: float) -> FloatArray:
    """Map utilities linearly so that ``lo`` → 0 and ``hi`` → 1 (all zeros if hi == lo)."""
    arr = np.asarray(values, dtype=np.float64)
    if hi == lo:
        return np.zeros_like(arr)
    return (arr - lo) / (hi - lo)


def pareto_mask(points: ArrayLike) -> NDArray[np.bool_]:
    """Mask of Pareto-optimal rows of ``points`` (n × k, larger is better for every column).

    A row is dominated if another row is at least as good in every column and strictly better
    in one; exact duplicates do not dominate each other.
    """
    pts = np.asarray(points, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[0] == 0:
        raise ValueError(f"points must be a non-empty (n, k) array, got shape {pts.shape}")
    if pts.shape[1] == 2:
        return _pareto_mask_2d(pts)
    return _pareto_mask_nd(pts)


def _pareto_mask_2d(pts: FloatArray) -> NDArray[np.bool_]:
    order = np.lexsort((-pts[:, 1], -pts[:, 0]))  # by x desc, then y desc
    x, y = pts[order, 0], pts[order, 1]
    new_group = np.r_[True, x[1:] != x[:-1]]
    group_id = np.cumsum(new_group) - 1
    group_best_y = y[new_group]  # first of each group has the group's max y
    best_before = np.r_[-np.inf, np.maximum.accumulate(group_best_y)[:-1]]
    dominated = (best_before[group_id] >= y) | (group_best_y[group_id] > y)
    mask = np.empty(len(pts), dtype=bool)
    mask[order] = ~dominated
    return mask


def _pareto_mask_nd(pts: FloatArray) -> NDArray[np.bool_]:
    order = np.lexsort(tuple(-pts[:, j] for j in reversed(range(pts.shape[1]))))
    frontier: list[int] = []
    mask = np.zeros(len(pts), dtype=bool)
    for i in order:
        if frontier:
            f = pts[frontier]
            if (np.all(f >= pts[i], axis=1) & np.any(f > pts[i], axis=1)).any():
                continue
        frontier.append(int(i))
        mask[i] = True
    return mask


def pareto_distance(point: ArrayLike, frontier: ArrayLike) -> float:
    """Euclidean distance from ``point`` to the nearest frontier point."""
    f = np.atleast_2d(np.asarray(frontier, dtype=np.float64))
    return float(np.sqrt(((f - np.asarray(point, dtype=np.float64)) ** 2).sum(axis=1)).min())


def _rational(ua: FloatArray, ub: FloatArray, da: float, db: float) -> NDArray[np.intp]:
    ok = np.isfinite(ua) & np.isfinite(ub) & (ua >= da) & (ub >= db)
    return np.flatnonzero(ok)


def nash_index(
    ua: ArrayLike, ub: ArrayLike, da: float, db: float, power: float = 0.5
) -> int | None:
    """Outcome maximising the (asymmetric) Nash product, or None if no outcome is rational.

    Maximises (U_a − d_a)^θ (U_b − d_b)^(1−θ) over outcomes with U_a ≥ d_a and U_b ≥ d_b; the
    symmetric case θ = 0.5 maximises the plain product. Ties go to the lowest index.
    """
    if not 0.0 < power < 1.0:
        raise ValueError(f"Bargaining power must be in (0, 1), got {power}")
    a, b = np.asarray(ua, dtype=np.float64), np.asarray(ub, dtype=np.float64)
    idx = _rational(a, b, da, db)
    if idx.size == 0:
        return None
    sa, sb = a[idx] - da, b[idx] - db
    product = sa * sb if power == 0.5 else sa**power * sb ** (1.0 - power)
    return int(idx[int(np.argmax(product))])


def kalai_index(ua: ArrayLike, ub: ArrayLike, da: float, db: float) -> int | None:
    """Discrete Kalai–Smorodinsky point: maximise the smaller relative gain.

    Each party's gain is divided by its ideal gain over the rational set (its best rational
    utility minus its disagreement value). Ties go to the larger sum of relative gains, then to
    the lowest index. None if no outcome is rational.
    """
    a, b = np.asarray(ua, dtype=np.float64), np.asarray(ub, dtype=np.float64)
    idx = _rational(a, b, da, db)
    if idx.size == 0:
        return None
    ga, gb = a[idx] - da, b[idx] - db
    ga = ga / ga.max() if ga.max() > 0 else np.ones_like(ga)
    gb = gb / gb.max() if gb.max() > 0 else np.ones_like(gb)
    best = np.lexsort((idx, -(ga + gb), -np.minimum(ga, gb)))[0]
    return int(idx[best])


@dataclass(frozen=True, eq=False)
class DealGeometry:
    """Normalised utility geometry of a bilateral deal, computed once per pair of tables.

    Attributes:
        ua: Party A's utility table.
        ub: Party B's utility table.
        lo: Per party, the worst utility over jointly feasible outcomes (normalises to 0).
        hi: Per party, the best utility over jointly feasible outcomes (normalises to 1).
        frontier: Normalised utility points of the Pareto-optimal outcomes.
        nash: Index of the Nash bargaining outcome (d = reservation values), or None.
        kalai: Index of the Kalai–Smorodinsky outcome, or None.
    """

    ua: UtilityTable
    ub: UtilityTable
    lo: tuple[float, float]
    hi: tuple[float, float]
    frontier: FloatArray
    nash: int | None
    kalai: int | None

    @classmethod
    def of(cls, ua: UtilityTable, ub: UtilityTable) -> DealGeometry:
        """Compute the geometry of a deal between tables over the same space."""
        if ua.space != ub.space:
            raise ValueError("Both utility tables must be defined over the same outcome space")
        both = np.isfinite(ua.values) & np.isfinite(ub.values)
        if not both.any():
            raise ValueError("No outcome is feasible for both parties")
        a, b = ua.values[both], ub.values[both]
        lo = (float(a.min()), float(b.min()))
        hi = (float(a.max()), float(b.max()))
        points = np.column_stack([normalise(a, lo[0], hi[0]), normalise(b, lo[1], hi[1])])
        frontier = points[pareto_mask(points)]
        frontier.setflags(write=False)
        nash = nash_index(ua.values, ub.values, ua.reservation, ub.reservation)
        kalai = kalai_index(ua.values, ub.values, ua.reservation, ub.reservation)
        return cls(ua, ub, lo, hi, frontier, nash, kalai)

    def point(self, index: int) -> FloatArray:
        """Normalised utility point (U_a, U_b) of an outcome."""
        return np.array(
            [
                normalise(self.ua.values[index], self.lo[0], self.hi[0]),
                normalise(self.ub.values[index], self.lo[1], self.hi[1]),
            ]
        )


@dataclass(frozen=True)
class SessionMetrics:
    """Scores of one bilateral session (distances are NaN without agreement).

    Attributes:
        agreed: Whether the session agreed.
        n_steps: Moves used.
        utility_a: A's utility (agreement or reservation).
        utility_b: B's utility.
        surplus_a: A's utility over its reservation value.
        surplus_b: B's utility over its reservation value.
        welfare_sum: Sum of normalised utilities.
        welfare_min: Minimum of normalised utilities.
        pareto_distance: Distance to the nearest Pareto-optimal point.
        nash_distance: Distance to the Nash bargaining point.
        kalai_distance: Distance to the Kalai–Smorodinsky point.
    """

    agreed: bool
    n_steps: int
    utility_a: float
    utility_b: float
    surplus_a: float
    surplus_b: float
    welfare_sum: float
    welfare_min: float
    pareto_distance: float
    nash_distance: float
    kalai_distance: float


def session_metrics(result: SessionResult, geometry: DealGeometry) -> SessionMetrics:
    """Score a bilateral session; party A is ``result.parties[0]``."""
    name_a, name_b = result.parties
    ua, ub = result.utilities[name_a], result.utilities[name_b]
    na = float(normalise(ua, geometry.lo[0], geometry.hi[0]))
    nb = float(normalise(ub, geometry.lo[1], geometry.hi[1]))
    dist = {"pareto": math.nan, "nash": math.nan, "kalai": math.nan}
    if result.agreement_index is not None:
        point = np.array([na, nb])
        dist["pareto"] = pareto_distance(point, geometry.frontier)
        for key, idx in (("nash", geometry.nash), ("kalai", geometry.kalai)):
            if idx is not None:
                dist[key] = pareto_distance(point, geometry.point(idx))
    w_sum, w_min = welfare([na, nb])
    return SessionMetrics(
        agreed=result.agreed,
        n_steps=result.n_steps,
        utility_a=ua,
        utility_b=ub,
        surplus_a=surplus(ua, result.reservations[name_a]),
        surplus_b=surplus(ub, result.reservations[name_b]),
        welfare_sum=w_sum,
        welfare_min=w_min,
        pareto_distance=dist["pareto"],
        nash_distance=dist["nash"],
        kalai_distance=dist["kalai"],
    )
