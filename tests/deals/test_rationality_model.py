"""Hypothesis: in model runs with random settings, no party agrees below its reservation value.

Small classroom runs (3 rounds) with a random seed, strategy, protocol, acceptance rule, offer
policy, strategy mix, deadline, discounting and breakdown risk; every accepted bilateral offer
and every agreed session must be worth at least each party's recorded reservation value.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mineralgame

from .test_acceptance import BILATERAL, TOL, _accepted_below_reservation

STRATEGY_NAMES = ("boulware", "linear", "conceder", "tit_for_tat", "aspiration")


@st.composite
def cases(draw: st.DrawFn) -> tuple[dict[str, Any], str, int]:
    mix = {
        role: {draw(st.sampled_from(STRATEGY_NAMES)): 1.0}
        for role in ("member", "supplier", "dominant")
    }
    overrides = {
        "negotiation.protocol": draw(st.sampled_from(["alternating_offers", "nash"])),
        "negotiation.acceptance": draw(
            st.sampled_from(["ac_next", "ac_const", "ac_time", "ac_combi"])
        ),
        "negotiation.offer_policy": draw(
            st.sampled_from(["similarity", "random_in_band", "at_target", "best"])
        ),
        "negotiation.deadline_rounds": draw(st.integers(2, 25)),
        "negotiation.discount": draw(st.sampled_from([1.0, 0.99, 0.9])),
        "negotiation.breakdown_probability": draw(st.sampled_from([0.0, 0.05])),
        "negotiation.strategy_mix": mix,
        "negotiation.pact_protocol": draw(st.sampled_from(["single_text", "baron_ferejohn"])),
    }
    strategy = draw(st.sampled_from(["bau", "derisk", "decouple"]))
    return overrides, strategy, draw(st.integers(0, 2**16))


@settings(
    max_examples=6,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(cases())
def test_no_agreement_below_a_reservation_value(case: tuple[dict[str, Any], str, int]) -> None:
    overrides, strategy, seed = case
    rec = mineralgame.run(
        "configs/classroom.yaml", strategy=strategy, seed=seed, rounds=3, overrides=overrides
    )
    assert _accepted_below_reservation(rec).empty
    s = rec.tables["negotiation_sessions"]
    agreed = s[s["agreed"] & s["deal_type"].isin(BILATERAL)]
    assert (agreed["proposer_utility"] >= agreed["proposer_reservation"] - TOL).all()
    assert (agreed["responder_utility"] >= agreed["responder_reservation"] - TOL).all()
