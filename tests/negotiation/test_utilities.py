"""Utility functions and tables."""

from __future__ import annotations

import numpy as np
import pytest

from mineralgame.negotiation import (
    FunctionUtility,
    LinearAdditiveUtility,
    OutcomeSpace,
    TableUtility,
    UtilityTable,
    tabulate,
)

SPACE = OutcomeSpace.from_dict({"price": (1.0, 2.0, 3.0), "tech": ("none", "full")})


def test_linear_additive_matches_a_python_loop() -> None:
    ufun = LinearAdditiveUtility(
        weights={"price": 2.0, "tech": 0.5},
        value_functions={"tech": (0.0, 10.0)},
        reservation=1.0,
        offset=-1.0,
    )
    table = tabulate(ufun, SPACE)
    for i in range(SPACE.size):
        o = SPACE.outcome(i)
        expected = -1.0 + 2.0 * float(o["price"]) + 0.5 * (10.0 if o["tech"] == "full" else 0.0)
        assert table(i) == pytest.approx(expected)
    assert table.reservation == 1.0


def test_function_utility_gets_issue_columns() -> None:
    table = tabulate(FunctionUtility(lambda c: -np.asarray(c["price"], dtype=float)), SPACE)
    np.testing.assert_array_equal(table.values, [-1, -1, -2, -2, -3, -3])


def test_table_is_sorted_best_first_with_ties_by_index() -> None:
    table = UtilityTable(SPACE, np.array([1.0, 3.0, 3.0, -np.inf, 0.0, 2.0]), 0.5)
    assert table.order.tolist() == [1, 2, 5, 0, 4, 3]
    assert table.best == 1
    assert table.max == 3.0
    assert table.min == 0.0
    assert table.band_size(2.0) == 3
    assert table.band_size(3.5) == 0
    assert table.band_size(-10.0) == 5  # -inf (infeasible) never enters a band


def test_masked_marks_outcomes_infeasible() -> None:
    table = UtilityTable(SPACE, np.arange(6.0), 0.0)
    masked = table.masked(np.array([True, False, True, True, True, False]))
    assert np.isneginf(masked.values[[1, 5]]).all()
    assert masked.best == 4
    assert table.with_reservation(2.5).reservation == 2.5


@pytest.mark.parametrize(
    ("values", "reservation", "message"),
    [
        (np.zeros(5), 0.0, "shape"),
        (np.array([0, 1, 2, 3, 4, np.nan]), 0.0, "NaN"),
        (np.full(6, -np.inf), 0.0, "infeasible"),
        (np.zeros(6), float("inf"), "Reservation"),
    ],
)
def test_table_validation(values: np.ndarray, reservation: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        UtilityTable(SPACE, values, reservation)


def test_table_values_are_read_only() -> None:
    table = tabulate(TableUtility(np.arange(6.0)), SPACE)
    with pytest.raises(ValueError, match="read-only"):
        table.values[0] = 5.0


def test_linear_additive_needs_value_functions_for_categories() -> None:
    with pytest.raises(ValueError, match="Categorical"):
        tabulate(LinearAdditiveUtility({"tech": 1.0}), SPACE)
    with pytest.raises(KeyError, match="not in the space"):
        tabulate(LinearAdditiveUtility({"volume": 1.0}), SPACE)
