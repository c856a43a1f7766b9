"""Fixtures for the negotiation tests.

Hypothesis tests draw only a seed (and small discrete choices); everything random is derived
from a ``numpy.random.Generator`` seeded with it (see ``random_deals.py``), so every failure
replays exactly.
"""

from __future__ import annotations

import numpy as np
import pytest

from mineralgame.negotiation import OutcomeSpace, UtilityTable, investment_deal


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261123)


@pytest.fixture(scope="session")
def investment() -> tuple[OutcomeSpace, UtilityTable, UtilityTable]:
    return investment_deal()
