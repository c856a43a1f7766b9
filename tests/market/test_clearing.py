"""Clearing: the fast class LP agrees with the dense reference LP; flows balance; prices hold."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mineralgame.market.clearing import classify, clear_market
from mineralgame.market.problem import MarketInput, MarketResult
from mineralgame.market.random_instance import random_market
from mineralgame.market.reference import solve_reference

SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


def _instance(seed: int, n: int) -> MarketInput:
    return random_market(np.random.default_rng(seed), n=n)


@settings(max_examples=60, deadline=None)
@given(seed=SEEDS, n=st.integers(min_value=2, max_value=9))
def test_fast_clearing_agrees_with_reference_lp(seed: int, n: int) -> None:
    mi = _instance(seed, n)
    fast, ref = clear_market(mi), solve_reference(mi)
    assert fast.welfare == pytest.approx(ref.welfare, rel=1e-7, abs=1e-6)
    # Node prices are unique for generic data where the node buys below its top valuation.
    inner = ref.ref_price < mi.demand_wtp.max() - 1e-6
    np.testing.assert_allclose(fast.ref_price[inner], ref.ref_price[inner], rtol=1e-6, atol=1e-4)

    # Total use is unique; a class's total is unique unless its price sits exactly on a
    # willingness-to-pay step (then equally priced buyers may split that step either way).
    # Inside a class the split is a free choice (members are interchangeable).
    def use(r: MarketResult) -> np.ndarray:
        return r.consumption + r.refill

    assert use(fast).sum() == pytest.approx(use(ref).sum(), rel=1e-7, abs=1e-6)
    # A soft cap values purchases above their price (they loosen the cap), so capped
    # buyers' quantities are not pinned by the price either.
    steps = np.concatenate([mi.demand_wtp, mi.refill_wtp])
    capped = {d for d, _, _, _ in mi.soft_cap}
    for members in classify(mi).members:
        price = ref.ref_price[members[0]]
        if np.min(np.abs(steps - price)) > 1e-6 and not capped & set(members.tolist()):
            got, want = use(fast)[members].sum(), use(ref)[members].sum()
            assert got == pytest.approx(want, rel=1e-6, abs=1e-6)


def _check_balances(mi: MarketInput, res: MarketResult) -> None:
    n = mi.n
    ore, ref = res.ore_flows.dense(n), res.ref_flows.dense(n)
    np.testing.assert_allclose(ore.sum(axis=1), res.mine_output, atol=1e-6)
    np.testing.assert_allclose(ore.sum(axis=0), res.ore_input, atol=1e-6)
    supply = res.refined_output + res.secondary_used
    np.testing.assert_allclose(ref.sum(axis=1), supply, atol=1e-6)
    np.testing.assert_allclose(ref.sum(axis=0), res.consumption + res.refill, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(seed=SEEDS, n=st.integers(min_value=1, max_value=12))
def test_country_flows_conserve_tonnes_and_respect_bounds(seed: int, n: int) -> None:
    mi = _instance(seed, n)
    res = clear_market(mi)
    _check_balances(mi, res)
    assert np.all(res.mine_output <= mi.mine_cap_lo + mi.mine_cap_hi + 1e-6)
    assert np.all(res.refined_output <= mi.ref_cap_lo + mi.ref_cap_hi + 1e-6)
    assert np.all(res.consumption <= mi.demand_qty.sum(axis=1) + 1e-6)
    assert np.all(res.ore_flows.tonnes > 0)
    assert np.all(res.ref_flows.tonnes > 0)
    ore = res.ore_flows.dense(n)
    for i in range(n):
        exports = ore[i].sum() - ore[i, i]
        assert exports <= mi.ore_export_cap[i] + 1e-6
    for o, d, share in mi.ref_pair_share:
        assert res.ref_flows.dense(n)[o, d] <= share * mi.requirement[d] + 1e-6


@settings(max_examples=40, deadline=None)
@given(seed=SEEDS)
def test_prices_support_the_flows(seed: int) -> None:
    """Complementary slackness: goods flow only where the price gap covers freight and tariff."""
    mi = _instance(seed, 8)
    res = clear_market(mi)
    tariff = {(o, d): t for o, d, t in mi.ref_tariff}
    for o, d, q in zip(
        res.ref_flows.origin, res.ref_flows.destination, res.ref_flows.tonnes, strict=True
    ):
        if o == d or q < 1e-6:
            continue
        wedge = mi.transport_ref[mi.region[o], mi.region[d]] + tariff.get((o, d), 0.0)
        assert res.ref_price[d] - res.ref_producer_price[o] >= wedge - 1e-4
    # Prices stay within the top valuation plus the largest border wedge; no sale below cost.
    wedge = mi.transport_ref.max() + max([t for _, _, t in mi.ref_tariff], default=0.0)
    wedge += max([levy for *_, levy in mi.soft_cap], default=0.0)
    assert np.all(res.ref_price <= mi.demand_wtp.max() + wedge + 1e-6)
    active = res.mine_output > 1e-6
    assert np.all(res.ore_producer_price[active] >= mi.mine_cost_lo[active] - 1e-4)
    # Home use is free to supply, so output never fetches less abroad than at home.
    assert np.all(res.ref_producer_price >= res.ref_price - 1e-6)


def test_export_ban_raises_destination_price() -> None:
    mi = _instance(7, 6)
    from dataclasses import replace

    free = clear_market(replace(mi, ref_pair_share=(), soft_cap=(), ref_tariff=()))
    banned = clear_market(
        replace(mi, ref_pair_share=tuple((0, j, 0.0) for j in range(1, 6)), soft_cap=())
    )
    assert banned.welfare <= free.welfare + 1e-6
    assert banned.ref_price[1:].max() >= free.ref_price[1:].max() - 1e-6


def test_clones_merge_into_one_class() -> None:
    mi = _instance(3, 12)
    assert classify(mi).count < mi.n
