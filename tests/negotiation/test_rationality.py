"""Property: no party ever agrees below its reservation value, whatever the deal and strategies."""

from __future__ import annotations

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mineralgame.negotiation import (
    ACCEPTANCE,
    OFFER_POLICIES,
    STRATEGIES,
    Action,
    AlternatingOffersConfig,
    BaronFerejohnConfig,
    Negotiator,
    SingleTextConfig,
    alternating_offers,
    baron_ferejohn,
    make_acceptance,
    make_offer_policy,
    make_strategy,
    nash_bargaining,
    single_text,
)

from .random_deals import opposed_deal, random_space, random_table

SEEDS = st.integers(min_value=0, max_value=2**32 - 1)
NAMES = st.sampled_from(sorted(STRATEGIES))
OFFERS = st.sampled_from(sorted(OFFER_POLICIES))
# Include the laxest rules: AC_time(0) accepts anything the guard lets through.
ACCEPTS = st.sampled_from([*sorted(ACCEPTANCE), "lax"])


def _acceptance(name: str) -> object:
    return make_acceptance("ac_time", t_accept=0.0) if name == "lax" else make_acceptance(name)


@settings(max_examples=80, deadline=None)
@given(
    seed=SEEDS,
    strategies=st.tuples(NAMES, NAMES),
    offers=st.tuples(OFFERS, OFFERS),
    accepts=st.tuples(ACCEPTS, ACCEPTS),
    n_rounds=st.integers(1, 25),
    discounted=st.booleans(),
)
@example(
    seed=0,
    strategies=("conceder", "conceder"),
    offers=("random_in_band",) * 2,
    accepts=("lax", "lax"),
    n_rounds=3,
    discounted=True,
)
def test_no_bilateral_agreement_below_reservation(
    seed: int,
    strategies: tuple[str, str],
    offers: tuple[str, str],
    accepts: tuple[str, str],
    n_rounds: int,
    discounted: bool,
) -> None:
    rng = np.random.default_rng(seed)
    space = random_space(rng)
    tables = opposed_deal(rng, space)
    parties = [
        Negotiator(
            name,
            table,
            make_strategy(strategies[i]),
            make_offer_policy(offers[i]),
            _acceptance(accepts[i]),  # type: ignore[arg-type]
            discount=float(rng.uniform(0.8, 1.0)) if discounted else 1.0,
        )
        for i, (name, table) in enumerate(zip(("A", "B"), tables, strict=True))
    ]
    cfg = AlternatingOffersConfig(
        n_rounds=n_rounds, breakdown_probability=float(rng.uniform(0, 0.05))
    )
    for protocol in (alternating_offers, nash_bargaining):
        result = protocol(parties, rng, config=None if protocol is nash_bargaining else cfg)
        _assert_rational(result, parties)


def _assert_rational(result: object, parties: list[Negotiator]) -> None:
    by_name = {p.name: p for p in parties}
    if result.agreed:  # type: ignore[attr-defined]
        for p in parties:
            assert result.utilities[p.name] >= p.reservation  # type: ignore[attr-defined]
    for row in result.trace:  # type: ignore[attr-defined]
        if row.action is Action.ACCEPT:
            assert row.responder_utility >= by_name[row.responder].reservation


@settings(max_examples=40, deadline=None)
@given(seed=SEEDS, n_members=st.integers(2, 5))
def test_no_member_ratifies_a_pact_below_reservation(seed: int, n_members: int) -> None:
    rng = np.random.default_rng(seed)
    space = random_space(rng, max_issues=3, max_values=5)
    members = [
        Negotiator(f"M{i}", random_table(rng, space), discount=0.9) for i in range(n_members)
    ]
    mediated = single_text(members, rng, config=SingleTextConfig(n_iterations=60, temperature=0.3))
    ratification = [r for r in mediated.trace if r.step == 60 and r.responder]
    for row in ratification:
        assert (row.action is Action.ACCEPT) == (
            row.responder_utility >= next(m for m in members if m.name == row.responder).reservation
        )
    voted = baron_ferejohn(members, rng, config=BaronFerejohnConfig(quota="unanimity"))
    _assert_rational(voted, members)
