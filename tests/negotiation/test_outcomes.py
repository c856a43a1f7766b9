"""Issues and outcome spaces."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from mineralgame.negotiation import Issue, OutcomeSpace, investment_space


def test_space_enumerates_the_cartesian_product_in_c_order() -> None:
    space = OutcomeSpace.from_dict({"q": (0.1, 0.2), "tech": ("none", "licence", "full")})
    expected = list(itertools.product((0.1, 0.2), ("none", "licence", "full")))
    assert space.size == len(space) == 6
    assert space.shape == (2, 3)
    assert [tuple(space.outcome(i).values()) for i in range(space.size)] == expected
    for i in range(space.size):
        assert space.index_of(space.outcome(i)) == i


def test_investment_space_has_8640_outcomes() -> None:
    space = investment_space()
    assert space.size == 8640
    assert space.names == ("offtake", "price", "duration", "equity", "technology")


def test_normalised_coordinates_use_values_for_numeric_and_positions_for_categories() -> None:
    space = OutcomeSpace.from_dict({"d": (5, 10, 20), "c": ("a", "b", "c")})
    pts = space.normalised
    assert pts.shape == (9, 2)
    np.testing.assert_allclose(np.unique(pts[:, 0]), [0.0, 1 / 3, 1.0])
    np.testing.assert_allclose(np.unique(pts[:, 1]), [0.0, 0.5, 1.0])
    with pytest.raises(ValueError, match="read-only"):
        pts[0, 0] = 1.0


def test_columns_give_issue_values_per_outcome() -> None:
    space = OutcomeSpace.from_dict({"a": (1, 2), "b": (10.0, 20.0, 30.0)})
    np.testing.assert_array_equal(space.column("a"), [1, 1, 1, 2, 2, 2])
    np.testing.assert_array_equal(space.column("b"), [10, 20, 30, 10, 20, 30])


def test_neighbour_moves_one_issue_and_clips() -> None:
    space = OutcomeSpace.from_dict({"a": (0, 1, 2), "b": (0, 1)})
    start = space.index_of({"a": 0, "b": 1})
    assert space.outcome(space.neighbour(start, 0, 1)) == {"a": 1, "b": 1}
    assert space.neighbour(start, 0, -1) == start
    assert space.outcome(space.neighbour(start, 1, -1)) == {"a": 0, "b": 0}


@pytest.mark.parametrize(
    ("issues", "message"),
    [
        ((Issue("a", (1, 2)), Issue("a", (3,))), "unique"),
        ((), "at least one issue"),
    ],
)
def test_space_validation(issues: tuple[Issue, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        OutcomeSpace(issues)


@pytest.mark.parametrize(
    ("name", "values", "message"),
    [
        ("", (1,), "non-empty"),
        ("x", (), "at least one value"),
        ("x", (1, 1), "duplicate"),
        ("x", (1.0, float("nan")), "non-finite"),
    ],
)
def test_issue_validation(name: str, values: tuple[float, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Issue(name, values)


def test_index_of_reports_bad_values_and_missing_issues() -> None:
    space = OutcomeSpace.from_dict({"a": (1, 2)})
    with pytest.raises(ValueError, match="not a value"):
        space.index_of({"a": 3})
    with pytest.raises(KeyError, match="lacks"):
        space.index_of({})
    with pytest.raises(IndexError):
        space.outcome(2)
