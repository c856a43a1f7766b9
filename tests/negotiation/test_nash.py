"""The Nash-bargaining shortcut equals a brute-force argmax over the outcome space."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mineralgame.negotiation import (
    EndReason,
    NashConfig,
    Negotiator,
    OutcomeSpace,
    UtilityTable,
    nash_bargaining,
    nash_solution,
)

from .random_deals import random_space


def _brute_force(ua: UtilityTable, ub: UtilityTable, da: float, db: float) -> int | None:
    best, best_value = None, -1.0
    for i in range(ua.space.size):
        a, b = float(ua.values[i]), float(ub.values[i])
        if a < max(da, ua.reservation) or b < max(db, ub.reservation):
            continue
        value = (a - da) * (b - db)
        if value > best_value:
            best, best_value = i, value
    return best


@settings(max_examples=100, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    coarse=st.booleans(),
    with_infeasible=st.booleans(),
)
def test_nash_shortcut_equals_brute_force(seed: int, coarse: bool, with_infeasible: bool) -> None:
    rng = np.random.default_rng(seed)
    space = random_space(rng, max_issues=3, max_values=7)
    raw = rng.uniform(-1, 1, (2, space.size))
    if coarse:  # many exact ties: the lowest index must win in both implementations
        raw = np.round(raw * 4) / 4
    if with_infeasible:
        raw[rng.random(raw.shape) < 0.2] = -np.inf
        raw[:, 0] = 0.5  # keep the tables valid (at least one feasible outcome)
    ra, rb = rng.uniform(-1, 0.8, 2)
    ua, ub = UtilityTable(space, raw[0], ra), UtilityTable(space, raw[1], rb)
    expected = _brute_force(ua, ub, ra, rb)
    a, b = Negotiator("A", ua), Negotiator("B", ub)
    assert nash_solution(a, b) == expected
    result = nash_bargaining([a, b], rng)
    assert result.agreement_index == expected
    assert result.agreed == (expected is not None)


def test_nash_on_a_known_deal() -> None:
    # Split 10 units: U_a = x, U_b = 10 - x, d = (2, 0) -> maximise (x - 2)(10 - x) at x = 6.
    space = OutcomeSpace.from_dict({"x": tuple(range(11))})
    x = np.arange(11.0)
    a = Negotiator("A", UtilityTable(space, x, 2.0))
    b = Negotiator("B", UtilityTable(space, 10 - x, 0.0))
    result = nash_bargaining([a, b], np.random.default_rng(0), session_id="n")
    assert result.agreement == {"x": 6}
    assert result.protocol == "nash"
    assert [r.action for r in result.trace] == ["accept", "accept"]
    # Asymmetric power shifts the outcome towards the stronger party.
    assert nash_solution(a, b, NashConfig(power=0.8)) == 8
    assert nash_solution(a, b, NashConfig(disagreement=(0.0, 0.0))) == 5


def test_nash_without_a_zone_of_agreement() -> None:
    space = OutcomeSpace.from_dict({"x": (0, 1, 2)})
    x = np.arange(3.0)
    a = Negotiator("A", UtilityTable(space, x, 2.5))
    b = Negotiator("B", UtilityTable(space, 2 - x, 0.0))
    result = nash_bargaining([a, b], np.random.default_rng(0))
    assert result.end_reason is EndReason.NO_ZOPA
    assert result.utilities == {"A": 2.5, "B": 0.0}
    with pytest.raises(ValueError, match="power"):
        NashConfig(power=1.0)
