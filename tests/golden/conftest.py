"""Option of the golden tests: ``--update-golden`` rewrites tests/golden/expected/*.csv."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/expected/*.csv from the current model instead of comparing",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """Whether to rewrite the golden files (the option may be absent: then False)."""
    return bool(request.config.getoption("--update-golden", default=False))
