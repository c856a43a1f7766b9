"""Mechanisms of the negotiation layer as pure functions over plain data."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from mineralgame.config.negotiation import DealEconomics, NegotiationConfig, RivalOffers
from mineralgame.deals import investment, offtake, technology
from mineralgame.deals.book import Deal, DealBook
from mineralgame.deals.pact_view import PactTerms, PactView, floor_put
from mineralgame.deals.partners import Candidate, select
from mineralgame.deals.spaces import annuity, columns, probe, space
from mineralgame.shocks import MineralRules

ECON = DealEconomics()


def _params(**changes: float) -> investment.InvestmentParams:
    base = {
        "capacity": 5000.0,
        "capex": 800.0,
        "index_price": 20000.0,
        "investor_price": 21000.0,
        "sigma": 0.3,
        "investor_rate": 0.04,
        "host_rate": 0.10,
        "hazard": 0.02,
        "gap": 0.2,
        "tech_allowed": 1.0,
        "budget": 300.0,
    }
    return investment.InvestmentParams(**(base | changes))


def _one(**outcome: float) -> dict[str, np.ndarray]:
    return {k: np.asarray(float(v)) for k, v in outcome.items()}


def test_spaces_have_the_documented_sizes() -> None:
    assert space("investment").size == 8640
    assert (space("offtake").size, space("tech").size, space("pact").size) == (90, 220, 450)
    idx, cols = probe("investment")
    assert 0 < idx.size < 8640
    assert cols["offtake"].shape == (1, idx.size)


def test_investment_utilities_follow_the_formulas() -> None:
    p = _params()
    out = _one(offtake=0.4, price=1.1, duration=10, equity=0.3, technology=2)
    a_i, a_h = annuity(10.0, 0.04), annuity(10.0, 0.10)
    supply = 0.4 * 5000 * a_i * (0.3 * 21000 + 21000 - 1.1 * 20000) / 1e6
    equity = 0.3 * 800 * (ECON.project_return - 0.04) * a_i
    holdup = ECON.holdup_loss * (1 - 0.98**10) * 0.3 * 800
    u_i = supply + equity - ECON.tech_cost_shares[2] * 800 - holdup
    assert float(investment.investor_utility(p, out, ECON)) == pytest.approx(u_i)
    host_supply = 0.4 * 5000 * 20000 * a_h * (1.1 - 1 - ECON.flexibility_cost) / 1e6
    finance = 0.3 * 800 * (0.10 - 0.04) * a_h
    tech = ECON.tech_value_shares[2] * 800 * min(1.0, 0.2 / ECON.tech_gap_reference)
    u_h = host_supply + finance + tech - ECON.sovereignty_cost * 0.09 * 800
    assert float(investment.host_utility(p, out, ECON)) == pytest.approx(u_h)


def test_investment_feasibility_respects_capital_and_technology_rights() -> None:
    cols = columns("investment")
    ok = investment.feasible(_params(budget=100.0, tech_allowed=0.0), cols)
    assert not ok[(cols["equity"] * 800 > 100.0 + 1e-9)].any()
    assert not ok[cols["technology"] > 0].any()
    assert ok[(cols["equity"] == 0) & (cols["technology"] == 0)].all()
    subsidised = investment.feasible(_params(budget=100.0, subsidy=0.5), cols)
    assert subsidised[(cols["equity"] * 800 * 0.5 <= 100.0)].all()


def test_the_rival_offer_is_cheap_capital_without_technology() -> None:
    p = _params()
    terms = investment.rival_terms(RivalOffers(), RivalOffers().price)
    assert float(terms["technology"]) == 0.0
    expected = investment.host_utility(
        investment.InvestmentParams(
            capacity=5000.0,
            capex=800.0,
            index_price=20000.0,
            investor_price=20000.0,
            sigma=0.0,
            investor_rate=ECON.dominant_rate,
            host_rate=0.10,
            hazard=0.0,
            gap=0.0,
            tech_allowed=0.0,
            budget=np.inf,
        ),
        terms,
        ECON,
    )
    assert float(investment.rival_value(p, RivalOffers(), 1.05, ECON)) == pytest.approx(
        float(expected)
    )
    better = investment.rival_value(p, RivalOffers(), 1.15, ECON)
    assert float(better) > float(expected), "a more generous rival raises the host's BATNA"


def test_offtake_utilities_and_volume_limit() -> None:
    p = offtake.OfftakeParams(10000.0, 20000.0, 21000.0, 0.2, 0.04, 0.10, max_tonnes=1500.0)
    out = _one(volume=0.1, price=1.05, duration=3)
    q = 0.1 * 10000
    u_b = q * annuity(3.0, 0.04) * (0.2 * 21000 + 21000 - 1.05 * 20000) / 1e6
    assert float(offtake.buyer_utility(p, out, ECON)) == pytest.approx(u_b)
    margin = 1.05 - 1 - ECON.flexibility_cost + ECON.stable_buyer_value
    assert float(offtake.seller_utility(p, out, ECON)) == pytest.approx(
        q * annuity(3.0, 0.10) * 20000 * margin / 1e6
    )
    cols = columns("offtake")
    ok = offtake.feasible(p, cols)
    assert (ok == (cols["volume"] * 10000 <= 1500.0 + 1e-9)).all()


def test_technology_transfer_is_infeasible_under_a_ban_and_rents_matter() -> None:
    cols = columns("tech")
    base = technology.TechParams(0.3, 1e5, 5000.0, 0.10, licensor_share=0.05, strategic=0.2)
    assert np.isfinite(technology.licensor_utility(base, cols, ECON)).all()
    banned = technology.TechParams(0.3, 1e5, 5000.0, 0.10, 0.05, 0.2, banned=1.0)
    assert np.isneginf(technology.licensor_utility(banned, cols, ECON)).all()
    dominant = technology.TechParams(0.3, 1e5, 5000.0, 0.10, licensor_share=0.8, strategic=0.3)
    u_member = technology.licensor_utility(base, cols, ECON)
    u_dominant = technology.licensor_utility(dominant, cols, ECON)
    assert (u_dominant <= u_member + 1e-9).all(), "a big refiner loses rents by licensing"
    full = float(technology.full_value(base, ECON))
    value = 5000.0 * 0.5 * 0.3 * 1e5 * annuity(ECON.licence_years, 0.10) / 1e6
    assert full == pytest.approx(value)
    assert technology.tech_gain(0.3, 5) == pytest.approx(0.3)


def test_floor_put_is_a_put() -> None:
    assert floor_put(0.0, 1.0, 0.3) == 0.0
    assert floor_put(1.1, 1.0, 0.0) == pytest.approx(0.1)
    values = [floor_put(f, 1.0, 0.3) for f in (0.9, 1.0, 1.1, 1.2)]
    assert all(a < b for a, b in itertools.pairwise(values))
    assert floor_put(1.0, 1.0, 0.3) > floor_put(1.0, 1.0, 0.1)
    assert floor_put(1.0, 1.5, 0.3) < floor_put(1.0, 1.0, 0.3)


def test_pact_view_reports_shared_terms() -> None:
    view = PactView(
        (
            ("A", frozenset({0, 1}), PactTerms(floor=1.1, preference=0.25, esg=1.0)),
            ("B", frozenset({1, 2}), PactTerms(floor=0.9)),
        )
    )
    assert view.floor(0, 1) == 1.1
    assert view.floor(1, 2) == 0.9
    assert view.floor(0, 2) == 0.0
    assert view.preference(0, 1) == 0.25
    assert view.esg_required(0)
    assert not view.esg_required(2)
    assert view.members_of(1) == ["A", "B"]


def _candidate(score: float, a: int, b: int) -> Candidate:
    return Candidate("investment", "lithium", a, b, score, None, (0.0, 0.0))


def test_partner_choice_takes_the_best_candidates_within_k_per_agent() -> None:
    rng = np.random.default_rng(1)
    n, k = 40, 2
    found = [
        _candidate(float(s), int(a), int(b))
        for s, a, b in zip(
            rng.random(2000), rng.integers(n, size=2000), rng.integers(n, size=2000), strict=True
        )
        if a != b
    ]
    found.sort(key=lambda c: -c.score)
    chosen = select(found, k, n)
    load = np.bincount([c.opener for c in chosen] + [c.responder for c in chosen], minlength=n)
    assert load.max() <= k
    assert len(chosen) <= k * n / 2, "sessions grow linearly with the number of countries"
    assert chosen[0] is found[0]


def test_deal_book_contracts_serve_their_window_with_force_majeure() -> None:
    book = DealBook()
    deal = Deal(
        "D00-001", "offtake", "lithium", "JPN", "CHL", 0, 0, 3, tonnes_per_year=100.0, price=1.1
    )
    book.add(deal)
    codes = ("CHL", "CHN", "JPN")
    rules = MineralRules(np.full(3, math.inf), np.full(3, math.inf), np.zeros(3), np.ones(3))
    prices = np.array([1000.0, 900.0, 1100.0])
    got = book.contracts("lithium", 1, codes, rules, 1.0, 0.85, prices)
    assert [(c.seller, c.buyer, c.tonnes, c.price) for c in got] == [(0, 2, 100.0, 1100.0)]
    rules.limit_pair(0, 2, 0.25)
    assert book.contracts("lithium", 1, codes, rules, 1.0, 0.85, prices)[0].tonnes == 25.0
    assert book.contracts("lithium", 3, codes, rules, 1.0, 0.85, prices) == []
    assert book.secured("lithium", 2, codes).tolist() == [0.0, 0.0, 100.0]


def test_negotiation_config_defaults_and_doctrines() -> None:
    cfg = NegotiationConfig()
    assert cfg.enabled
    assert cfg.protocol == "alternating_offers"
    assert cfg.acceptance == "ac_combi"
    assert cfg.offer_policy == "similarity"
    assert cfg.sessions_per_agent >= 1
    assert cfg.doctrine("decouple").security_weight > cfg.doctrine("derisk").security_weight
    assert cfg.doctrine("unknown") == cfg.doctrine("bau")
    with pytest.raises(ValueError, match="no positive weight"):
        NegotiationConfig(strategy_mix={"member": {"boulware": 0.0}})
