"""The example offtake-for-investment deal."""

from __future__ import annotations

import numpy as np
import pytest

from mineralgame.negotiation import (
    DealGeometry,
    InvestmentDeal,
    Negotiator,
    OutcomeSpace,
    UtilityTable,
    nash_solution,
)

Deal = tuple[OutcomeSpace, UtilityTable, UtilityTable]


def test_utilities_match_the_formulas_at_one_outcome(investment: Deal) -> None:
    space, inv, host = investment
    i = space.index_of(
        {"offtake": 0.5, "price": 1.05, "duration": 10, "equity": 0.2, "technology": 2}
    )
    p = InvestmentDeal()
    a_i = (1 - 1.04**-10) / 0.04
    a_h = (1 - 1.10**-10) / 0.10
    kp = 50_000 * 15_000 / 1e6
    investor = 0.5 * kp * a_i * (0.20 - 0.05) + 0.2 * 1500 * (0.12 - 0.04) * a_i - 120.0
    hosted = 0.5 * kp * a_h * (0.05 - 0.08) + 0.2 * 1500 * 0.06 * a_h + 165.0 - 1200 * 0.04
    assert inv(i) == pytest.approx(investor)
    assert host(i) == pytest.approx(hosted)
    assert p.annual_value == pytest.approx(750.0)


def test_technology_is_integrative_so_efficient_deals_transfer_it(investment: Deal) -> None:
    space, inv, host = investment
    nash = nash_solution(Negotiator("JPN", inv), Negotiator("IDN", host))
    assert nash is not None
    assert space.outcome(nash)["technology"] > 0
    assert DealGeometry.of(inv, host).nash == nash


def test_banning_outcomes_removes_them_from_every_protocol(investment: Deal) -> None:
    space, inv, host = investment
    no_equity = space.column("equity").astype(float) == 0.0
    banned = host.masked(no_equity)  # e.g. a host that refuses foreign equity
    nash = nash_solution(Negotiator("JPN", inv), Negotiator("IDN", banned))
    assert nash is not None
    assert space.outcome(nash)["equity"] == 0.0
    assert np.isneginf(banned.values[~no_equity]).all()


def test_deal_validation() -> None:
    with pytest.raises(ValueError, match="one per level"):
        InvestmentDeal(tech_cost=(0.0, 1.0))
    with pytest.raises(ValueError, match="positive"):
        InvestmentDeal(host_rate=0.0)
    assert np.isfinite(InvestmentDeal().host_reservation)
