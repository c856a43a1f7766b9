"""Shared model runs for the negotiation-layer tests (cached per test session).

Runs are short (a few rounds) so that the whole folder stays fast on two shared cores; each
distinct (scenario, strategy, seed, rounds, overrides, decisions) is run once per session.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import mineralgame
from mineralgame.record import RunRecord

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = ROOT / "configs"


@cache
def _run(
    config: str, strategy: str, seed: int, rounds: int, overrides: str, decisions: str, humans: str
) -> RunRecord:
    return mineralgame.run(
        CONFIGS / f"{config}.yaml",
        strategy=strategy,
        seed=seed,
        rounds=rounds,
        overrides=json.loads(overrides),
        decisions=json.loads(decisions),
        humans=tuple(json.loads(humans)),
    )


def run(
    config: str = "baseline",
    strategy: str = "bau",
    seed: int = 0,
    rounds: int = 6,
    overrides: dict[str, Any] | None = None,
    decisions: list[dict[str, Any]] | None = None,
    humans: tuple[str, ...] = (),
) -> RunRecord:
    """A (cached) run record; do not mutate its tables."""
    return _run(
        config,
        strategy,
        seed,
        rounds,
        json.dumps(overrides or {}, sort_keys=True),
        json.dumps(decisions or []),
        json.dumps(list(humans)),
    )


@pytest.fixture(scope="session")
def runner() -> Any:
    """The cached ``run`` function."""
    return run
