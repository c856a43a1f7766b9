"""Offer policies."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mineralgame.negotiation import (
    OFFER_POLICIES,
    AtTarget,
    BestOffer,
    OutcomeSpace,
    RandomInBand,
    Similarity,
    UtilityTable,
    make_offer_policy,
)

# Outcome (x, y) on a 3 x 3 grid; utility favours high x strongly, high y weakly.
SPACE = OutcomeSpace.from_dict({"x": (0, 1, 2), "y": (0, 1, 2)})
TABLE = UtilityTable(
    SPACE, 3.0 * SPACE.column("x").astype(float) + SPACE.column("y").astype(float), 0.0
)


def test_best_ignores_the_target(rng: np.random.Generator) -> None:
    assert BestOffer().select(TABLE, 0.0, 0, rng) == SPACE.index_of({"x": 2, "y": 2})


def test_at_target_picks_the_least_good_outcome_in_the_band(rng: np.random.Generator) -> None:
    assert TABLE(AtTarget().select(TABLE, 4.5, None, rng)) == 5.0  # utilities 5 = (1, 2)
    assert AtTarget().select(TABLE, 100.0, None, rng) == TABLE.best  # band never empty


def test_similarity_picks_the_band_outcome_nearest_the_opponents_offer(
    rng: np.random.Generator,
) -> None:
    opponent = SPACE.index_of({"x": 0, "y": 0})
    chosen = Similarity().select(TABLE, 6.0, opponent, rng)
    # band = utility >= 6: (2,0)=6, (2,1)=7, (2,2)=8, (1,*) <= 5 excluded -> nearest is (2, 0)
    assert SPACE.outcome(chosen) == {"x": 2, "y": 0}
    assert Similarity().select(TABLE, 6.0, None, rng) == TABLE.best


def test_similarity_breaks_distance_ties_by_own_utility() -> None:
    space = OutcomeSpace.from_dict({"x": (0, 1, 2)})
    table = UtilityTable(space, np.array([0.0, 1.0, 2.0]), 0.0)
    # From x = 1 both x = 0 and x = 2 are at distance 0.5 once x = 1 is out of the band.
    masked = table.masked(np.array([True, False, True]))
    assert Similarity(width=math.inf).select(masked, -1.0, 1, np.random.default_rng(0)) == 2


def test_similarity_window_keeps_offers_near_the_target(rng: np.random.Generator) -> None:
    # Utilities 0..8 on the grid; opponent sits at (2, 2) = own best. With a window of
    # 0.25 * 8 = 2 above target 3, only utilities 3 and 4 qualify: (1, 0) and (1, 1).
    opponent = SPACE.index_of({"x": 2, "y": 2})
    assert SPACE.outcome(Similarity(width=0.25).select(TABLE, 3.0, opponent, rng)) == {
        "x": 1,
        "y": 1,
    }
    assert Similarity(width=math.inf).select(TABLE, 3.0, opponent, rng) == opponent
    # An empty window (target between grid utilities) falls back to the outcome at the target.
    assert TABLE(Similarity(width=0.01).select(TABLE, 2.5, opponent, rng)) == 3.0
    with pytest.raises(ValueError, match="width"):
        Similarity(width=0.0)


def test_random_in_band_stays_in_band_and_depends_on_the_generator() -> None:
    draws = [RandomInBand().select(TABLE, 5.0, None, np.random.default_rng(s)) for s in range(40)]
    assert all(TABLE(i) >= 5.0 for i in draws)
    assert len(set(draws)) > 1
    again = [RandomInBand().select(TABLE, 5.0, None, np.random.default_rng(s)) for s in range(40)]
    assert draws == again


def test_registry() -> None:
    assert sorted(OFFER_POLICIES) == ["at_target", "best", "random_in_band", "similarity"]
    assert isinstance(make_offer_policy("similarity"), Similarity)
    with pytest.raises(KeyError, match="Unknown offer policy"):
        make_offer_policy("frequency")
