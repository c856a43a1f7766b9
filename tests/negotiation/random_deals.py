"""Random deals for property tests, all derived from an explicit Generator."""

from __future__ import annotations

import numpy as np

from mineralgame.negotiation import LinearAdditiveUtility, OutcomeSpace, UtilityTable, tabulate


def random_space(
    rng: np.random.Generator, max_issues: int = 3, max_values: int = 6
) -> OutcomeSpace:
    """A small random space with numeric issues."""
    n_issues = int(rng.integers(1, max_issues + 1))
    issues = {}
    for j in range(n_issues):
        n_values = int(rng.integers(2, max_values + 1))
        issues[f"i{j}"] = tuple(range(n_values))
    return OutcomeSpace.from_dict(issues)


def random_table(
    rng: np.random.Generator, space: OutcomeSpace, reservation_quantile: float | None = None
) -> UtilityTable:
    """A random linear-additive utility with a reservation value at a random quantile."""
    weights = {name: float(rng.uniform(0.1, 1.0)) for name in space.names}
    tables = {issue.name: rng.uniform(0, 1, len(issue)).tolist() for issue in space.issues}
    values = tabulate(LinearAdditiveUtility(weights, tables), space).values
    q = float(rng.uniform(0, 0.9)) if reservation_quantile is None else reservation_quantile
    return UtilityTable(space, values, float(np.quantile(values, q)))


def opposed_deal(
    rng: np.random.Generator, space: OutcomeSpace
) -> tuple[UtilityTable, UtilityTable]:
    """Two random utilities that disagree on every issue (a real bargaining problem)."""
    a = random_table(rng, space)
    b_values = (a.values.max() - a.values) + rng.uniform(0, 0.2, space.size)
    b = UtilityTable(space, b_values, float(np.quantile(b_values, rng.uniform(0, 0.8))))
    return a, b
