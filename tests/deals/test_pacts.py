"""Pacts in the model: groups as initial pacts, Shapley shares in the core, terms that act."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mineralgame.config import ScenarioError, load_scenario
from mineralgame.config.negotiation import NegotiationConfig
from mineralgame.deals.pact_economics import Economy, cost_game, cost_shares, term_utilities
from mineralgame.deals.spaces import space
from mineralgame.negotiation import core_check, shapley_exact

CONFIGS = Path(__file__).resolve().parents[2] / "configs"


def _economy(n: int, rng: np.random.Generator) -> Economy:
    exposed = rng.uniform(10, 2000, n)
    m = 3
    return Economy(
        exposed=exposed,
        security=rng.uniform(0.05, 0.4, n),
        output=rng.uniform(0, 100, (n, m)),
        sigma=rng.uniform(0.05, 0.4, (n, m)),
        need=np.outer(exposed, np.ones(m)) / m,
        put=np.zeros((5, m)),
        budget=rng.uniform(0, 500, n),
        esg=rng.uniform(0.2, 0.9, n),
        esg_preference=rng.uniform(0.2, 1.0, n),
    )


@pytest.mark.parametrize("seed", range(5))
def test_shapley_shares_sum_to_the_pooled_cost_and_lie_in_the_core(seed: int) -> None:
    rng = np.random.default_rng(seed)
    econ = _economy(9, rng)
    cfg = NegotiationConfig()
    members = tuple(range(9))
    shares = cost_shares(members, econ, cfg, rng)
    game = cost_game(members, econ, cfg)
    assert shares.sum() == pytest.approx(game.coalition_cost(game.players))
    assert np.allclose(shares, shapley_exact(game))
    assert core_check(game, shares, tol=1e-9 * shares.sum()).in_core
    equal = np.full(9, shares.sum() / 9)
    assert not core_check(game, equal, tol=1e-9).in_core, "an equal split overcharges some"


def test_no_terms_is_worth_nothing_to_anyone() -> None:
    rng = np.random.default_rng(3)
    econ = _economy(6, rng)
    cfg = NegotiationConfig()
    members = tuple(range(6))
    u = term_utilities(members, cost_shares(members, econ, cfg, rng), econ, cfg)
    zero = space("pact").index_of(
        {"stock_months": 0.0, "floor": 0.0, "preference": 0.0, "esg": 0.0, "fund": 0.0}
    )
    assert u.shape == (6, 450)
    assert np.allclose(u[:, zero], 0.0)


def test_initial_pacts_come_from_the_groups_and_their_terms_act(runner: Any) -> None:
    rec = runner(strategy="derisk", rounds=5)
    pacts = rec.tables["pacts"]
    scenario = load_scenario(CONFIGS / "baseline.yaml")
    first = pacts[pacts["round"] == 0]
    for name in scenario.negotiation.pacts.initial:
        want = set(scenario.groups[name]) - {"CHN", "ROW"}
        assert set(first[first["pact"] == name]["member"]) == want
    for _, rows in pacts.groupby(["round", "pact"]):
        assert rows["cost_share"].sum() == pytest.approx(1.0)
        assert rows["in_core"].all()
    sessions = rec.tables["negotiation_sessions"]
    terms = sessions[(sessions["deal_type"] == "pact") & sessions["agreed"]]
    assert set(terms["round"]) == {0, 4}
    stocked = pacts[pacts["stock_months"] > 0]
    if not stocked.empty:
        assert (stocked["stock_days"] > 0).all()
        contracts = rec.tables["contracts"]
        assert contracts["kind"].str.startswith("pact_").any() or (stocked["preference"] == 0).all()


def test_membership_evolves_with_hysteresis(runner: Any) -> None:
    moving = runner(strategy="derisk", rounds=6, overrides={"negotiation.pacts.hysteresis": 0.0})
    still = runner(strategy="derisk", rounds=6, overrides={"negotiation.pacts.hysteresis": 1.0})

    def moves(rec: Any) -> int:
        events = rec.tables["events"]
        return int(events["kind"].isin(["pact_join", "pact_leave"]).sum())

    assert moves(moving) > 0
    assert moves(still) == 0


def test_unknown_negotiation_names_are_reported() -> None:
    bad = {
        "negotiation.acceptance": "ac_nxt",
        "negotiation.strategy_mix.member.boulwar": 1.0,
        "negotiation.pacts.initial": ["MSPP"],
    }
    with pytest.raises(ScenarioError) as err:
        load_scenario(CONFIGS / "baseline.yaml", bad)
    text = str(err.value)
    for hint in ("'ac_next'", "'boulware'", "'MSP'"):
        assert hint in text
