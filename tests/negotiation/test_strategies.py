"""Bidding strategies."""

from __future__ import annotations

import pytest

from mineralgame.negotiation import (
    STRATEGIES,
    Aspiration,
    FixedTarget,
    NegotiationView,
    TimeDependent,
    TitForTat,
    make_strategy,
)


def _view(step: int, n_steps: int = 11, **kw: object) -> NegotiationView:
    return NegotiationView(step=step, n_steps=n_steps, reservation=2.0, u_max=10.0, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("exponent", "at_half"), [(5.0, 10 - 8 * 0.5**5), (1.0, 6.0), (0.2, 10 - 8 * 0.5**0.2)]
)
def test_time_dependent_targets_follow_faratin(exponent: float, at_half: float) -> None:
    s = TimeDependent(exponent)
    assert s.target(_view(0)) == pytest.approx(10.0)
    assert s.target(_view(5)) == pytest.approx(at_half)
    assert s.target(_view(10)) == pytest.approx(2.0)


def test_boulware_concedes_later_than_linear_and_conceder() -> None:
    view = _view(5)
    boulware, linear, conceder = (
        make_strategy(n).target(view) for n in ("boulware", "linear", "conceder")
    )
    assert boulware > linear > conceder


def test_from_beta_inverts_the_exponent() -> None:
    assert TimeDependent.from_beta(0.2).exponent == pytest.approx(5.0)
    assert TimeDependent(1.0, kappa=0.5).target(_view(0)) == pytest.approx(6.0)


def test_tit_for_tat_mirrors_the_opponents_concession() -> None:
    pure = TitForTat(floor=None)
    assert pure.target(_view(1)) == 10.0  # nothing received: hold
    view = _view(3, own_targets=(10.0, 9.5), received=(3.0, 4.25))
    assert pure.target(view) == pytest.approx(9.5 - 1.25)
    backwards = _view(3, own_targets=(10.0, 9.5), received=(4.0, 3.0))
    assert pure.target(backwards) == pytest.approx(9.5)  # no concession for a retreat


def test_tit_for_tat_floor_is_on_by_default_and_caps_the_target() -> None:
    tft = TitForTat()
    assert tft.floor == TimeDependent(5.0)
    view = _view(10, own_targets=(10.0,) * 5, received=(3.0,) * 5)  # opponent never concedes
    assert tft.target(view) == pytest.approx(2.0)
    assert TitForTat(floor=None).target(view) == pytest.approx(10.0)


def test_aspiration_concedes_towards_the_best_offer_received() -> None:
    s = Aspiration(exponent=1.0)
    assert s.target(_view(10, received=(5.0, 7.0, 6.0))) == pytest.approx(7.0)
    assert s.target(_view(5, received=(1.0,))) == pytest.approx(6.0)  # anchor = r = 2


def test_fixed_target_and_registry() -> None:
    assert FixedTarget(0.5).target(_view(3)) == pytest.approx(6.0)
    assert sorted(STRATEGIES) == sorted(
        [
            "boulware",
            "linear",
            "conceder",
            "time_dependent",
            "tit_for_tat",
            "aspiration",
            "hardheaded",
            "fixed",
        ]
    )
    assert make_strategy("boulware", exponent=3.0) == TimeDependent(3.0)
    with pytest.raises(KeyError, match="Unknown strategy"):
        make_strategy("nice")


@pytest.mark.parametrize("bad", [0.0, -1.0, float("inf")])
def test_exponent_validation(bad: float) -> None:
    with pytest.raises(ValueError, match="exponent"):
        TimeDependent(bad)
    with pytest.raises(ValueError, match="exponent"):
        Aspiration(bad)


def test_view_time_is_relative_and_clamped() -> None:
    assert _view(5).time == 0.5
    assert _view(12).time == 1.0
    assert NegotiationView(0, 1, 0.0, 1.0).time == 1.0
