"""Researchers switch the negotiation from the scenario file, and the switches take effect."""

from __future__ import annotations

from typing import Any

import pytest


def _bilateral(rec: Any) -> Any:
    s = rec.tables["negotiation_sessions"]
    return s[s["deal_type"].isin(["investment", "offtake", "tech"])]


def test_protocol_deadline_and_strategy_mix_reach_the_sessions(runner: Any) -> None:
    rec = runner(
        strategy="bau",
        rounds=4,
        overrides={
            "negotiation.deadline_rounds": 6,
            "negotiation.strategy_mix": {
                "member": {"conceder": 1.0},
                "supplier": {"aspiration": 1.0},
                "dominant": {"linear": 1.0},
            },
            "negotiation.first_mover": "opener",
        },
    )
    played = _bilateral(rec).query("protocol == 'alternating_offers'")
    assert not played.empty
    assert (played["n_steps"] <= 12).all()
    assert (played["first_mover"] == played["proposer"]).all()
    members = set(rec.tables["country_mineral"].query("role == 'member'")["country"])
    strategies = dict(zip(played["proposer"], played["proposer_strategy"], strict=True))
    assert {strategies[c] for c in strategies if c in members} == {"conceder"}
    nash = runner(strategy="bau", rounds=4, overrides={"negotiation.protocol": "nash"})
    assert set(_bilateral(nash).query("n_steps > 0")["protocol"]) == {"nash"}


def test_doctrine_concession_exponent_replaces_the_drawn_strategy(runner: Any) -> None:
    rec = runner(strategy="decouple", rounds=3)
    s = _bilateral(rec)
    members = set(rec.tables["country_mineral"].query("role == 'member'")["country"])
    used = set(s[s["proposer"].isin(members)]["proposer_strategy"])
    assert used == {"time_dependent(3)"}


def test_negotiation_can_be_switched_off(runner: Any) -> None:
    rec = runner(strategy="derisk", rounds=3, overrides={"negotiation.enabled": False})
    for table in ("negotiation_sessions", "negotiation_offers", "pacts"):
        assert rec.tables[table].empty
    assert not rec.tables["projects"]["source"].str.startswith("D").any()


@pytest.mark.parametrize("k", [1, 3])
def test_sessions_per_agent_bounds_each_agents_sessions(runner: Any, k: int) -> None:
    rec = runner(strategy="decouple", rounds=3, overrides={"negotiation.sessions_per_agent": k})
    s = _bilateral(rec)
    load = (
        s.melt(id_vars=["round"], value_vars=["proposer", "responder"])
        .groupby(["round", "value"])
        .size()
    )
    assert load.max() <= k


def test_deal_types_and_rival_offers_can_be_switched(runner: Any) -> None:
    rec = runner(
        strategy="derisk",
        rounds=3,
        overrides={"negotiation.deal_types": ["tech"], "negotiation.rival.enabled": False},
    )
    s = rec.tables["negotiation_sessions"]
    assert set(_bilateral(rec)["deal_type"]) == {"tech"}
    assert not (s["deal_type"] == "rival").any()
