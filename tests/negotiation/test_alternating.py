"""Bilateral alternating offers: trace, first mover, deadline, breakdown, determinism, TFT."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from mineralgame.negotiation import (
    TRACE_COLUMNS,
    ACNext,
    AlternatingOffersConfig,
    EndReason,
    FixedTarget,
    Negotiator,
    OutcomeSpace,
    RandomInBand,
    TitForTat,
    UtilityTable,
    alternating_offers,
    make_strategy,
)

Deal = tuple[OutcomeSpace, UtilityTable, UtilityTable]


def _pair(deal: Deal, sa: str = "boulware", sb: str = "linear", **kw: object) -> list[Negotiator]:
    _, inv, host = deal
    return [
        Negotiator("JPN", inv, make_strategy(sa), **kw),  # type: ignore[arg-type]
        Negotiator("IDN", host, make_strategy(sb), **kw),  # type: ignore[arg-type]
    ]


def test_trace_rows_alternate_and_end_in_acceptance(investment: Deal) -> None:
    result = alternating_offers(_pair(investment), np.random.default_rng(3), session_id="s-1")
    rows = result.rows()
    frame = pd.DataFrame(rows)
    assert list(frame.columns) == list(TRACE_COLUMNS)
    assert (frame["session_id"] == "s-1").all()
    assert frame["action"].iloc[0] == "offer"
    assert frame["proposer"].iloc[0] == result.first_mover
    assert set(frame["action"].iloc[1:-1]) == {"counter"}
    proposers = frame["proposer"].iloc[:-1].tolist()
    assert all(a != b for a, b in itertools.pairwise(proposers))
    assert frame["step"].tolist() == list(range(len(frame)))
    assert result.agreed
    assert frame["action"].iloc[-1] == "accept"
    last = rows[-1]
    assert last["outcome_index"] == result.agreement_index
    assert last["outcome"] == result.agreement
    assert last["responder"] != last["proposer"]
    tables = {"JPN": investment[1], "IDN": investment[2]}
    for row in rows:
        assert row["proposer_utility"] == tables[row["proposer"]](row["outcome_index"])
        assert row["responder_utility"] == tables[row["responder"]](row["outcome_index"])
    assert result.utilities["JPN"] == investment[1](result.agreement_index)
    assert result.n_steps == len(frame) - 1


def test_first_mover_is_drawn_from_the_generator_and_recorded(investment: Deal) -> None:
    firsts = {
        alternating_offers(_pair(investment), np.random.default_rng(s)).first_mover
        for s in range(12)
    }
    assert firsts == {"JPN", "IDN"}
    cfg = AlternatingOffersConfig(first_mover="IDN")
    result = alternating_offers(_pair(investment), np.random.default_rng(0), config=cfg)
    assert result.first_mover == "IDN" == result.trace[0].proposer
    with pytest.raises(ValueError, match="first_mover"):
        alternating_offers(
            _pair(investment),
            np.random.default_rng(0),
            config=AlternatingOffersConfig(first_mover="CHN"),
        )


def test_same_seed_same_trace(investment: Deal) -> None:
    def run(seed: int) -> pd.DataFrame:
        parties = _pair(investment, "conceder", "aspiration", offering=RandomInBand())
        cfg = AlternatingOffersConfig(n_rounds=30, breakdown_probability=0.01)
        result = alternating_offers(
            parties, np.random.default_rng(seed), config=cfg, session_id="x"
        )
        return pd.DataFrame(result.rows())

    pd.testing.assert_frame_equal(run(11), run(11))
    assert not run(11).equals(run(12))


def test_hardheaded_parties_time_out_at_the_deadline(investment: Deal) -> None:
    parties = _pair(investment, "hardheaded", "hardheaded", acceptance=ACNext())
    cfg = AlternatingOffersConfig(n_rounds=7, first_mover="JPN")
    result = alternating_offers(parties, np.random.default_rng(0), config=cfg)
    actions = [r.action for r in result.trace]
    assert result.end_reason is EndReason.TIMEOUT
    assert actions == ["offer"] + ["counter"] * 13 + ["reject", "timeout"]
    assert result.n_steps == 14
    assert result.agreement is None
    assert result.utilities == result.reservations == {"JPN": 0.0, "IDN": 0.0}


def test_breakdown_risk_ends_talks_early(investment: Deal) -> None:
    parties = _pair(investment, "hardheaded", "hardheaded", acceptance=ACNext())
    cfg = AlternatingOffersConfig(n_rounds=40, breakdown_probability=0.5)
    results = [alternating_offers(parties, np.random.default_rng(s), config=cfg) for s in range(20)]
    assert all(r.end_reason is EndReason.BREAKDOWN for r in results)
    assert np.mean([r.n_steps for r in results]) < 5
    assert [r.action for r in results[0].trace[-2:]] == ["reject", "breakdown"]


def test_discounting_shrinks_the_realised_surplus(investment: Deal) -> None:
    parties = _pair(investment, "linear", "linear", discount=0.99)
    result = alternating_offers(parties, np.random.default_rng(5))
    accepted = result.trace[-1]
    offer_step = accepted.step - 1
    for name in result.parties:
        surplus = result.utilities[name] - result.reservations[name]
        assert result.payoffs[name] == pytest.approx(
            result.reservations[name] + 0.99**offer_step * surplus
        )


def _tft(deal: Deal, floor: bool) -> list[Negotiator]:
    _, inv, host = deal
    strategy = TitForTat() if floor else TitForTat(floor=None)
    return [
        Negotiator("JPN", inv, strategy, acceptance=ACNext()),
        Negotiator("IDN", host, strategy, acceptance=ACNext()),
    ]


def test_pure_tit_for_tat_deadlocks(investment: Deal) -> None:
    """Regression: two pure tit-for-tat negotiators wait for each other until the deadline."""
    for seed in range(3):
        result = alternating_offers(_tft(investment, floor=False), np.random.default_rng(seed))
        assert result.end_reason is EndReason.TIMEOUT
        offers = {r.proposer: set() for r in result.trace[:-2]}
        for r in result.trace[:-2]:
            offers[r.proposer].add(r.outcome_index)
        assert offers == {"JPN": {investment[1].best}, "IDN": {investment[2].best}}


def test_pure_tit_for_tat_under_ac_combi_ends_only_by_capitulation(investment: Deal) -> None:
    """With AC_combi's late clause the last responder accepts the other's unchanged opening
    offer: the deadlock is 'resolved' by capitulation, never by mutual concession."""
    _, inv, host = investment
    parties = [
        Negotiator("JPN", inv, TitForTat(floor=None)),
        Negotiator("IDN", host, TitForTat(floor=None)),
    ]
    result = alternating_offers(parties, np.random.default_rng(0))
    assert result.agreement_index in {inv.best, host.best}
    assert result.n_steps >= 0.95 * 2 * AlternatingOffersConfig().n_rounds


def test_tit_for_tat_with_the_default_floor_agrees(investment: Deal) -> None:
    assert TitForTat().floor is not None
    for seed in range(3):
        result = alternating_offers(_tft(investment, floor=True), np.random.default_rng(seed))
        assert result.agreed


def test_protocol_rejects_bad_parties(investment: Deal) -> None:
    _space, inv, _ = investment
    a = Negotiator("A", inv)
    other = UtilityTable(OutcomeSpace.from_dict({"x": (0, 1)}), np.array([0.0, 1.0]), 0.0)
    with pytest.raises(ValueError, match="exactly 2"):
        alternating_offers([a], np.random.default_rng(0))
    with pytest.raises(ValueError, match="unique"):
        alternating_offers([a, a], np.random.default_rng(0))
    with pytest.raises(ValueError, match="different outcome space"):
        alternating_offers([a, Negotiator("B", other)], np.random.default_rng(0))
    with pytest.raises(ValueError, match="n_rounds"):
        AlternatingOffersConfig(n_rounds=0)
    assert FixedTarget().level == 1.0
