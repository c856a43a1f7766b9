"""Internal/external stability and membership revision with hysteresis."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pytest

from mineralgame.negotiation import (
    Move,
    is_externally_stable,
    is_internally_stable,
    revise_membership,
    stability,
    stable_coalitions,
)

PLAYERS = ("USA", "JPN", "EU", "IND", "KOR", "AUS")


def public_good(benefit: float, cost: float):
    """Everyone gets ``benefit`` per member; members pay ``cost``."""

    def payoff(members: tuple[str, ...]) -> Mapping[str, float]:
        return {p: benefit * len(members) - cost * (p in members) for p in PLAYERS}

    return payoff


def club(members: tuple[str, ...]) -> Mapping[str, float]:
    """Members get 2·|S| − 5; outsiders enjoy a spillover of |S|."""
    s = len(members)
    return {p: (2 * s - 5) if p in members else s for p in PLAYERS}


def test_public_good_stability_by_hand() -> None:
    cheap, dear = public_good(1.0, 0.5), public_good(1.0, 1.5)
    assert stability(PLAYERS, PLAYERS, cheap).stable
    assert not is_externally_stable(PLAYERS, ("USA", "JPN"), cheap)
    assert not is_internally_stable(PLAYERS, ("USA", "JPN"), dear)
    report = stability(PLAYERS, ("JPN", "USA"), dear)
    assert report.members == ("USA", "JPN")  # canonical order, not input order
    assert report.leavers == ("USA", "JPN")
    assert report.joiners == ()
    assert stable_coalitions(PLAYERS, cheap) == [PLAYERS]
    assert stable_coalitions(PLAYERS, dear) == []


def test_club_with_spillover_needs_hysteresis_for_mid_sized_pacts() -> None:
    four = ("USA", "JPN", "EU", "IND")
    # Leaving a 4-club: 3 (outsider of 3) vs 3 (member) -> indifferent, stays.
    assert is_internally_stable(PLAYERS, four, club)
    # Joining: 2*5 - 5 = 5 > 4 -> an outsider joins, unless hysteresis exceeds the gain of 1.
    assert not is_externally_stable(PLAYERS, four, club)
    assert is_externally_stable(PLAYERS, four, club, hysteresis=1.5)
    assert stable_coalitions(PLAYERS, club) == [PLAYERS]


def test_revision_grows_a_club_from_founders() -> None:
    members, moves = revise_membership(
        PLAYERS, ("USA", "JPN"), public_good(1.0, 0.5), np.random.default_rng(0), n_revisions=60
    )
    assert members == PLAYERS
    assert {m.move for m in moves} <= {Move.JOIN, Move.STAY}
    assert all(m.gain == pytest.approx(0.5) for m in moves if m.move is Move.JOIN)


def test_hysteresis_blocks_small_gains() -> None:
    members, moves = revise_membership(
        PLAYERS,
        ("USA",),
        public_good(1.0, 0.5),
        np.random.default_rng(0),
        hysteresis=0.6,
        n_revisions=30,
    )
    assert members == ("USA",)
    assert all(m.move is Move.STAY for m in moves)


def test_logit_revision_is_noisy_but_reproducible() -> None:
    def run(seed: int) -> tuple[str, ...]:
        return revise_membership(
            PLAYERS,
            ("USA",),
            public_good(1.0, 1.5),
            np.random.default_rng(seed),
            logit_lambda=0.0,
            n_revisions=40,
        )[0]

    assert run(1) == run(1)
    moves = revise_membership(
        PLAYERS,
        (),
        public_good(1.0, 1.5),
        np.random.default_rng(3),
        logit_lambda=0.0,
        n_revisions=400,
    )[1]
    share = np.mean([m.move is not Move.STAY for m in moves])
    assert 0.4 < share < 0.6  # lambda = 0: a coin flip whatever the gain


def test_revision_validation() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(KeyError, match="not players"):
        revise_membership(PLAYERS, ("CHN",), club, rng)
    with pytest.raises(ValueError, match="hysteresis"):
        revise_membership(PLAYERS, (), club, rng, hysteresis=-1.0)
