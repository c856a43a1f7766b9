"""Metrics against hand-computed values.

The deal has five outcomes with utilities (U_a, U_b), reservation values (0, 0):
A (0, 20), B (3, 17), C (5, 9), D (10, 0), E (2, 2).
Normalised by the ranges [0, 10] and [0, 20]: A (0, 1), B (.3, .85), C (.5, .45), D (1, 0),
E (.2, .1). Pareto frontier: A, B, C, D. Nash products: B 51 > C 45 -> Nash = B. Relative gains
min(U_a/10, U_b/20): B .3, C .45 -> Kalai–Smorodinsky = C.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from mineralgame.negotiation import (
    DealGeometry,
    EndReason,
    OutcomeSpace,
    SessionResult,
    UtilityTable,
    agreement_rate,
    kalai_index,
    mean_steps,
    nash_index,
    pareto_distance,
    pareto_mask,
    session_metrics,
    surplus,
    welfare,
)

SPACE = OutcomeSpace.from_dict({"deal": ("A", "B", "C", "D", "E")})
UA = UtilityTable(SPACE, np.array([0.0, 3.0, 5.0, 10.0, 2.0]), 0.0)
UB = UtilityTable(SPACE, np.array([20.0, 17.0, 9.0, 0.0, 2.0]), 0.0)


def _result(index: int | None, n_steps: int = 4) -> SessionResult:
    agreed = index is not None
    ua = UA(index) if agreed else UA.reservation
    ub = UB(index) if agreed else UB.reservation
    return SessionResult(
        session_id="m",
        protocol="alternating_offers",
        parties=("a", "b"),
        first_mover="a",
        end_reason=EndReason.AGREEMENT if agreed else EndReason.TIMEOUT,
        agreement_index=index,
        agreement=SPACE.outcome(index) if agreed else None,
        n_steps=n_steps,
        utilities={"a": ua, "b": ub},
        payoffs={"a": ua, "b": ub},
        reservations={"a": 0.0, "b": 0.0},
    )


def test_pareto_mask_by_hand() -> None:
    points = np.column_stack([UA.values, UB.values])
    assert pareto_mask(points).tolist() == [True, True, True, True, False]
    # Duplicates do not dominate each other; weakly dominated points are dominated.
    assert pareto_mask([[1, 1], [1, 1], [1, 0], [0, 1]]).tolist() == [True, True, False, False]
    three = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0], [1, 0, 0]]
    assert pareto_mask(three).tolist() == [True, True, True, False, True]


def test_nash_and_kalai_by_hand() -> None:
    assert nash_index(UA.values, UB.values, 0.0, 0.0) == 1  # B
    assert kalai_index(UA.values, UB.values, 0.0, 0.0) == 2  # C
    # With d = (4, 0) only C and D are rational: products 9 and 0 -> C.
    assert nash_index(UA.values, UB.values, 4.0, 0.0) == 2
    assert nash_index(UA.values, UB.values, 11.0, 0.0) is None


def test_geometry_and_session_metrics_by_hand() -> None:
    geometry = DealGeometry.of(UA, UB)
    assert geometry.lo == (0.0, 0.0)
    assert geometry.hi == (10.0, 20.0)
    assert geometry.nash == 1
    assert geometry.kalai == 2
    assert len(geometry.frontier) == 4
    m = session_metrics(_result(4), geometry)  # agreement on E
    assert m.agreed
    assert m.n_steps == 4
    assert (m.utility_a, m.utility_b, m.surplus_a, m.surplus_b) == (2.0, 2.0, 2.0, 2.0)
    assert m.welfare_sum == pytest.approx(0.3)
    assert m.welfare_min == pytest.approx(0.1)
    assert m.pareto_distance == pytest.approx(math.sqrt(0.3**2 + 0.35**2))  # nearest is C
    assert m.nash_distance == pytest.approx(math.sqrt(0.1**2 + 0.75**2))  # to B
    assert m.kalai_distance == pytest.approx(math.sqrt(0.3**2 + 0.35**2))  # to C
    on_frontier = session_metrics(_result(1), geometry)
    assert on_frontier.pareto_distance == 0.0
    assert on_frontier.nash_distance == 0.0


def test_metrics_without_agreement() -> None:
    m = session_metrics(_result(None), DealGeometry.of(UA, UB))
    assert not m.agreed
    assert (m.surplus_a, m.surplus_b) == (0.0, 0.0)
    assert math.isnan(m.pareto_distance)
    assert math.isnan(m.nash_distance)


def test_rates_and_simple_metrics() -> None:
    results = [_result(1, 10), _result(None, 80), _result(2, 20), _result(4, 30)]
    assert agreement_rate(results) == 0.75
    assert mean_steps(results) == 20.0
    assert mean_steps(results, agreed_only=False) == 35.0
    assert math.isnan(agreement_rate([]))
    assert surplus(5.0, 2.0) == 3.0
    assert welfare([0.2, 0.5]) == (0.7, 0.2)
    assert pareto_distance([0.0, 0.0], [[3.0, 4.0], [1.0, 1.0]]) == pytest.approx(math.sqrt(2))
    with pytest.raises(ValueError, match="at least one"):
        welfare([])
