"""Pact-term protocols: mediated single text and Baron–Ferejohn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mineralgame.negotiation import (
    MEDIATOR,
    PROTOCOLS,
    BaronFerejohnConfig,
    EndReason,
    Negotiator,
    OutcomeSpace,
    SingleTextConfig,
    UtilityTable,
    baron_ferejohn,
    quota_count,
    single_text,
)


def _pie(n_members: int, n_grid: int, discount: float) -> list[Negotiator]:
    """Split a pie among 3 members: outcome (s1, s2) gives member 3 the rest (-inf if < 0)."""
    assert n_members == 3
    grid = tuple(k / n_grid for k in range(n_grid + 1))
    space = OutcomeSpace.from_dict({"s1": grid, "s2": grid})
    s1, s2 = space.column("s1").astype(float), space.column("s2").astype(float)
    s3 = 1.0 - s1 - s2
    ok = s3 >= -1e-12
    shares = [s1, s2, np.maximum(s3, 0.0)]
    return [
        Negotiator(
            f"M{i + 1}", UtilityTable(space, np.where(ok, s, -np.inf), 0.0), discount=discount
        )
        for i, s in enumerate(shares)
    ]


@pytest.mark.parametrize(("quota", "partners"), [("majority", 1), ("unanimity", 2)])
@pytest.mark.parametrize("delta", [0.6, 0.9])
def test_baron_ferejohn_pie_split_matches_theory(quota: str, partners: int, delta: float) -> None:
    n_grid = 60
    members = _pie(3, n_grid, delta)
    result = baron_ferejohn(
        members, np.random.default_rng(4), config=BaronFerejohnConfig(quota=quota)
    )
    assert result.agreed
    assert result.n_steps == 1
    proposer = result.first_mover
    shares = result.utilities
    assert sum(shares.values()) == pytest.approx(1.0)
    assert shares[proposer] == pytest.approx(1 - delta * partners / 3, abs=2 / n_grid)
    others = sorted(v for k, v in shares.items() if k != proposer)
    expected_others = sorted([delta / 3] * partners + [0.0] * (2 - partners))
    np.testing.assert_allclose(others, expected_others, atol=2 / n_grid)


def test_baron_ferejohn_values_are_symmetric_for_symmetric_members() -> None:
    from mineralgame.negotiation import baron_ferejohn_values

    members = _pie(3, 30, 0.8)
    u = np.stack([m.utility.values for m in members])
    eq = baron_ferejohn_values(u, np.zeros(3), np.full(3, 0.8), np.ones(3), need=2)
    assert eq.converged
    np.testing.assert_allclose(eq.values, [1 / 3] * 3, atol=1e-9)


def test_baron_ferejohn_recognition_weights_shift_power() -> None:
    members = _pie(3, 30, 0.9)
    cfg = BaronFerejohnConfig(weights=(1.0, 0.0, 0.0))
    result = baron_ferejohn(members, np.random.default_rng(0), config=cfg)
    assert result.first_mover == "M1"
    assert result.utilities["M1"] > 0.6


def test_single_text_climbs_to_a_unanimously_better_text() -> None:
    # Both members like more of issue "fund" (a common interest) and differ on "floor".
    space = OutcomeSpace.from_dict({"fund": (0, 1, 2, 3, 4), "floor": (0, 1, 2)})
    fund, floor = space.column("fund").astype(float), space.column("floor").astype(float)
    a = Negotiator("USA", UtilityTable(space, fund + 0.5 * floor, 1.0))
    b = Negotiator("JPN", UtilityTable(space, fund - 0.5 * floor, 1.0))
    cfg = SingleTextConfig(n_iterations=100, initial=space.index_of({"fund": 0, "floor": 1}))
    result = single_text([a, b], np.random.default_rng(2), config=cfg, session_id="pact")
    assert result.agreed
    assert result.agreement is not None
    assert result.agreement["fund"] == 4
    assert result.first_mover == MEDIATOR
    frame = pd.DataFrame(result.rows())
    assert set(frame["proposer"]) == {MEDIATOR}
    assert len(frame) == 2 * 100 + 2  # one vote per member per change, plus ratification


def test_single_text_fails_when_a_member_cannot_ratify() -> None:
    space = OutcomeSpace.from_dict({"floor": (0, 1, 2)})
    floor = space.column("floor").astype(float)
    a = Negotiator("USA", UtilityTable(space, floor, 1.5))  # needs floor 2
    b = Negotiator("JPN", UtilityTable(space, -floor, -0.5))  # needs floor 0
    result = single_text([a, b], np.random.default_rng(0), config=SingleTextConfig(n_iterations=20))
    assert result.end_reason is EndReason.TIMEOUT
    assert result.trace[-1].action == "timeout"


def test_same_seed_same_pact_trace() -> None:
    members = _pie(3, 10, 0.9)
    cfg = SingleTextConfig(n_iterations=50, temperature=0.5, quota="majority")

    def run(seed: int) -> pd.DataFrame:
        return pd.DataFrame(single_text(members, np.random.default_rng(seed), config=cfg).rows())

    pd.testing.assert_frame_equal(run(5), run(5))


@pytest.mark.parametrize(
    ("quota", "n", "need"),
    [("unanimity", 5, 5), ("majority", 5, 3), ("majority", 4, 3), ("two_thirds", 6, 4), (2, 5, 2)],
)
def test_quota_count(quota: str | int, n: int, need: int) -> None:
    assert quota_count(quota, n) == need


def test_registry_and_quota_errors() -> None:
    assert sorted(PROTOCOLS) == ["alternating_offers", "baron_ferejohn", "nash", "single_text"]
    with pytest.raises(ValueError, match="Unknown quota"):
        quota_count("supermajority", 5)
    with pytest.raises(ValueError, match="impossible"):
        quota_count(6, 5)
