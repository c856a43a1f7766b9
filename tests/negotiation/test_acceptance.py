"""Acceptance conditions and the reservation-value guard."""

from __future__ import annotations

import math

import pytest

from mineralgame.negotiation import (
    ACCEPTANCE,
    AcceptanceContext,
    ACCombi,
    ACConst,
    ACNext,
    ACTime,
    accepts,
    make_acceptance,
)


def _ctx(offer: float, nxt: float = 8.0, time: float = 0.5, **kw: object) -> AcceptanceContext:
    base: dict[str, object] = {"received": (), "reservation": 2.0, "u_max": 10.0}
    base.update(kw)
    return AcceptanceContext(offer, nxt, time, **base)  # type: ignore[arg-type]


def test_ac_next() -> None:
    assert ACNext()(_ctx(8.0))
    assert not ACNext()(_ctx(7.9))
    assert ACNext(alpha=1.0, beta=0.2)(_ctx(7.9))
    # With discounting the planned offer is worth less now: 2 + 0.5 * (8 - 2) = 5.
    assert ACNext()(_ctx(5.0, discount=0.5))


def test_ac_const_is_relative_to_reservation_and_max() -> None:
    assert ACConst(0.5)(_ctx(6.0))  # 2 + 0.5 * 8 = 6
    assert not ACConst(0.5)(_ctx(5.9))


def test_ac_time() -> None:
    assert not ACTime(0.9)(_ctx(3.0, time=0.89))
    assert ACTime(0.9)(_ctx(3.0, time=0.9))


def test_ac_combi_accepts_late_offers_as_good_as_the_best_recent_one() -> None:
    policy = ACCombi(t_accept=0.9, window=2)
    assert policy(_ctx(8.0))  # AC_next part
    assert not policy(_ctx(5.0, time=0.5, received=(4.0, 5.0)))  # too early
    assert policy(_ctx(5.0, time=0.95, received=(6.0, 4.0, 5.0)))  # best of last 2 is 5
    assert not ACCombi(t_accept=0.9)(_ctx(5.0, time=0.95, received=(6.0, 4.0, 5.0)))


@pytest.mark.parametrize(
    "policy", [ACTime(0.0), ACNext(beta=5.0), ACNext(alpha=100.0), ACCombi(0.0)]
)
def test_guard_never_accepts_below_reservation(policy: ACNext) -> None:
    assert policy(_ctx(1.9, nxt=1.0, time=1.0, received=(0.0,)))  # the bare rule would accept
    assert not accepts(policy, _ctx(1.9, nxt=1.0, time=1.0, received=(0.0,)))
    assert not accepts(policy, _ctx(-math.inf, nxt=-math.inf, time=1.0))
    assert accepts(policy, _ctx(2.0, nxt=1.0, time=1.0))


def test_registry_and_validation() -> None:
    assert sorted(ACCEPTANCE) == ["ac_combi", "ac_const", "ac_next", "ac_time"]
    assert make_acceptance("ac_time", t_accept=0.5) == ACTime(0.5)
    with pytest.raises(KeyError, match="Unknown acceptance"):
        make_acceptance("ac_prev")
    with pytest.raises(ValueError, match="window"):
        ACCombi(window=0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        ACConst(1.5)
