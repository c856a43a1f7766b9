"""Rubinstein (1982): the SPE first-mover share is (1 − δ2)/(1 − δ1δ2)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from mineralgame.negotiation import (
    AlternatingOffersConfig,
    FixedTarget,
    alternating_offers,
    backward_induction_shares,
    rubinstein_share,
    solve_rubinstein,
    spe_negotiators,
)

PAIRS = [(0.9, 0.9), (0.95, 0.8), (0.5, 0.99), (0.99, 0.5), (0.0, 0.7), (0.6, 0.0), (0.999, 0.99)]


@pytest.mark.parametrize(("d1", "d2"), PAIRS)
def test_backward_induction_converges_to_the_closed_form(d1: float, d2: float) -> None:
    solution = solve_rubinstein(d1, d2)
    assert solution.first_share == pytest.approx((1 - d2) / (1 - d1 * d2), abs=1e-10)
    assert solution.second_share == pytest.approx((1 - d1) / (1 - d1 * d2), abs=1e-10)
    # Stationarity: the responder is offered exactly what it gets by proposing next period.
    assert 1 - solution.first_share == pytest.approx(d2 * solution.second_share, abs=1e-10)


def test_short_horizons_favour_the_last_proposer() -> None:
    # One period: ultimatum. Two periods: player 1 must give player 2 its discounted ultimatum.
    np.testing.assert_allclose(backward_induction_shares(0.9, 0.8, 1), [1.0])
    np.testing.assert_allclose(backward_induction_shares(0.9, 0.8, 2), [0.2, 1.0])
    np.testing.assert_allclose(backward_induction_shares(0.9, 0.8, 3), [1 - 0.8 * 0.1, 0.1, 1.0])


def test_patience_is_bargaining_power() -> None:
    assert rubinstein_share(0.99, 0.5) > rubinstein_share(0.5, 0.5) > rubinstein_share(0.5, 0.99)
    assert rubinstein_share(0.9, 0.9) == pytest.approx(1 / 1.9)
    with pytest.raises(ValueError, match="Discount"):
        rubinstein_share(1.0, 0.5)


@pytest.mark.parametrize(("d1", "d2"), PAIRS)
@pytest.mark.parametrize("n_grid", [40, 997])
def test_protocol_with_spe_strategies_reproduces_the_share(
    d1: float, d2: float, n_grid: int
) -> None:
    first, second = spe_negotiators(n_grid, d1, d2, names=("P1", "P2"))
    cfg = AlternatingOffersConfig(n_rounds=20, first_mover="P1")
    result = alternating_offers([first, second], np.random.default_rng(0), config=cfg)
    assert result.agreed
    assert result.n_steps == 1  # agreed at once, as in the SPE
    share = result.utilities["P1"]
    assert abs(share - rubinstein_share(d1, d2)) <= 1 / n_grid + 1e-12
    assert result.utilities["P2"] == pytest.approx(1 - share)


@pytest.mark.parametrize(("d1", "d2"), [(0.9, 0.6), (0.7, 0.95)])
def test_second_mover_in_the_protocol_gets_the_mirrored_share(d1: float, d2: float) -> None:
    first, second = spe_negotiators(500, d1, d2, names=("P1", "P2"))
    cfg = AlternatingOffersConfig(first_mover="P2")
    result = alternating_offers([first, second], np.random.default_rng(0), config=cfg)
    assert abs(result.utilities["P2"] - rubinstein_share(d2, d1)) <= 1 / 500 + 1e-12


def test_spe_responder_rejects_a_greedier_offer_and_play_continues() -> None:
    """If player 1 asks for more than the SPE share, player 2 rejects and counters."""
    first, second = spe_negotiators(100, 0.9, 0.9, names=("P1", "P2"))
    greedy = dataclasses.replace(first, strategy=FixedTarget(level=0.9))
    cfg = AlternatingOffersConfig(n_rounds=3, first_mover="P1")
    result = alternating_offers([greedy, second], np.random.default_rng(0), config=cfg)
    assert result.trace[1].action == "counter"
    assert result.utilities["P2"] >= rubinstein_share(0.9, 0.9) - 0.01
