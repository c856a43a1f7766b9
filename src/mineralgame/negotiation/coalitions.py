"""Cooperative games for pacts: cost sharing, the core, and membership stability.

A :class:`CoalitionGame` is a *cost* game: ``cost(members)`` takes a boolean membership matrix
(one row per coalition, one column per player) and returns each coalition's cost, so that all
2^n coalitions (or thousands of sampled ones) are valued in one numpy call. Coalition ``mask``
(an int) has player ``i`` iff bit ``i`` is set.

* Shapley values: exact by enumeration up to :data:`EXACT_LIMIT` players, Monte Carlo
  permutation sampling (with the passed Generator) beyond.
* Core: :func:`core_check` tests an allocation against every coalition; :func:`least_core`
  solves the least-core LP with HiGHS (the core is non-empty iff its ε ≤ 0).
* Stability and membership revision live in :mod:`mineralgame.negotiation.membership`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import linprog

__all__ = [
    "EXACT_LIMIT",
    "CoalitionGame",
    "CoreCheck",
    "LeastCore",
    "PooledStockpile",
    "all_masks",
    "core_check",
    "is_submodular",
    "least_core",
    "shapley",
    "shapley_exact",
    "shapley_sampled",
]

EXACT_LIMIT = 15
"""Largest number of players for which exact (2^n) computations are allowed by default."""

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
CostFunction = Callable[[BoolArray], ArrayLike]
"""Maps an (m, n) membership matrix to the m coalitions' costs."""


def all_masks(n: int) -> BoolArray:
    """Membership matrix (2^n, n) of every coalition; row ``mask`` has bit i in column i."""
    masks = np.arange(2**n, dtype=np.int64)
    return ((masks[:, None] >> np.arange(n)) & 1).astype(bool)


@dataclass(frozen=True)
class CoalitionGame:
    """A transferable-utility cost game.

    Attributes:
        players: Player names, in column order of membership matrices.
        cost: Vectorised cost function; the empty coalition must cost 0.
    """

    players: tuple[str, ...]
    cost: CostFunction

    def __post_init__(self) -> None:
        object.__setattr__(self, "players", tuple(self.players))
        if not self.players:
            raise ValueError("A coalition game needs at least one player")
        if len(set(self.players)) != len(self.players):
            raise ValueError(f"Player names must be unique, got {self.players}")

    @property
    def n(self) -> int:
        """Number of players."""
        return len(self.players)

    def costs(self, members: BoolArray) -> FloatArray:
        """Costs of the coalitions given as rows of a membership matrix."""
        members = np.asarray(members, dtype=bool)
        if members.ndim != 2 or members.shape[1] != self.n:
            raise ValueError(
                f"Membership matrix must have shape (m, {self.n}), got {members.shape}"
            )
        out = np.asarray(self.cost(members), dtype=np.float64)
        if out.shape != (members.shape[0],):
            raise ValueError(
                f"Cost function returned shape {out.shape}, expected ({members.shape[0]},)"
            )
        if not np.all(np.isfinite(out)):
            raise ValueError("Coalition costs must be finite")
        return out

    def coalition_cost(self, members: Sequence[str]) -> float:
        """Cost of one coalition given by player names."""
        row = np.zeros((1, self.n), dtype=bool)
        for name in members:
            row[0, self._index(name)] = True
        return float(self.costs(row)[0])

    def all_costs(self, limit: int = EXACT_LIMIT) -> FloatArray:
        """Cost of every coalition, indexed by bitmask (refuses more than ``limit`` players)."""
        if self.n > limit:
            raise ValueError(f"{self.n} players is too many to enumerate (limit {limit})")
        costs = self.costs(all_masks(self.n))
        if abs(costs[0]) > 1e-9:
            raise ValueError(f"The empty coalition must cost 0, got {costs[0]}")
        costs[0] = 0.0
        return costs

    def _index(self, name: str) -> int:
        try:
            return self.players.index(name)
        except ValueError:
            raise KeyError(f"Unknown player {name!r}; players are {self.players}") from None


def shapley_exact(game: CoalitionGame, limit: int = EXACT_LIMIT) -> FloatArray:
    """Exact Shapley values φ_i = Σ_S |S|!(n−|S|−1)!/n! · (c(S ∪ i) − c(S))."""
    n = game.n
    costs = game.all_costs(limit)
    masks = np.arange(2**n, dtype=np.int64)
    sizes = all_masks(n).sum(axis=1)
    weights = np.array([math.factorial(s) * math.factorial(n - s - 1) for s in range(n)])
    weights = weights / math.factorial(n)
    phi = np.empty(n)
    for i in range(n):
        without = masks[(masks >> i) & 1 == 0]
        phi[i] = weights[sizes[without]] @ (costs[without | (1 << i)] - costs[without])
    return phi


def shapley_sampled(
    game: CoalitionGame,
    rng: np.random.Generator,
    n_permutations: int = 2000,
    chunk: int = 500,
) -> FloatArray:
    """Shapley values estimated from random orderings of the players.

    Each permutation contributes every player's marginal cost when it joins the players before
    it; the estimate is unbiased with error O(1/√n_permutations).
    """
    if n_permutations < 1:
        raise ValueError(f"n_permutations must be at least 1, got {n_permutations}")
    n = game.n
    total = np.zeros(n)
    done = 0
    while done < n_permutations:
        m = min(chunk, n_permutations - done)
        perms = rng.permuted(np.tile(np.arange(n), (m, 1)), axis=1)
        ranks = np.argsort(perms, axis=1)  # position of each player in its permutation
        prefix = ranks[:, None, :] < np.arange(n + 1)[None, :, None]  # (m, n+1, n)
        costs = game.costs(prefix.reshape(-1, n)).reshape(m, n + 1)
        marginal = np.diff(costs, axis=1)  # marginal[p, k] belongs to player perms[p, k]
        np.add.at(total, perms.ravel(), marginal.ravel())
        done += m
    return total / n_permutations


def shapley(
    game: CoalitionGame,
    rng: np.random.Generator | None = None,
    n_permutations: int = 2000,
    exact_limit: int = EXACT_LIMIT,
) -> FloatArray:
    """Shapley cost shares: exact up to ``exact_limit`` players, sampled (needs ``rng``) beyond."""
    if game.n <= exact_limit:
        return shapley_exact(game, exact_limit)
    if rng is None:
        raise ValueError(f"Sampling Shapley values for {game.n} players needs a Generator")
    return shapley_sampled(game, rng, n_permutations)


@dataclass(frozen=True)
class CoreCheck:
    """Whether a cost allocation lies in the core.

    Attributes:
        in_core: Efficient and no coalition is overcharged (within tolerance).
        efficient: Shares sum to the grand coalition's cost.
        max_excess: Largest overcharge x(S) − c(S) over proper coalitions (≤ 0 in the core).
        blocking: The most overcharged coalition (it would rather go alone), or ().
    """

    in_core: bool
    efficient: bool
    max_excess: float
    blocking: tuple[str, ...]


def core_check(game: CoalitionGame, allocation: ArrayLike, tol: float = 1e-9) -> CoreCheck:
    """Test a cost allocation against every coalition (exact; up to :data:`EXACT_LIMIT`)."""
    x = np.asarray(allocation, dtype=np.float64)
    if x.shape != (game.n,):
        raise ValueError(f"Allocation must have one share per player ({game.n}), got {x.shape}")
    costs = game.all_costs()
    members = all_masks(game.n)
    excess = members[1:-1] @ x - costs[1:-1] if game.n > 1 else np.array([-np.inf])
    worst = int(np.argmax(excess))
    max_excess = float(excess[worst])
    efficient = abs(float(x.sum()) - float(costs[-1])) <= tol * max(1.0, abs(float(costs[-1])))
    blocking: tuple[str, ...] = ()
    if game.n > 1 and max_excess > tol:
        row = members[1:-1][worst]
        blocking = tuple(p for p, inside in zip(game.players, row, strict=True) if inside)
    return CoreCheck(efficient and max_excess <= tol, efficient, max_excess, blocking)


@dataclass(frozen=True, eq=False)
class LeastCore:
    """Solution of the least-core LP.

    Attributes:
        epsilon: Smallest ε such that some efficient x has x(S) − c(S) ≤ ε for all proper S.
        allocation: One such x.
        core_nonempty: True iff ε ≤ tolerance.
    """

    epsilon: float
    allocation: FloatArray
    core_nonempty: bool


def least_core(game: CoalitionGame, tol: float = 1e-9) -> LeastCore:
    """Solve min ε s.t. x(S) − ε ≤ c(S) for proper coalitions, x(N) = c(N) (HiGHS LP)."""
    n = game.n
    costs = game.all_costs()
    objective = np.r_[np.zeros(n), 1.0]
    a_eq = np.r_[np.ones(n), 0.0][None, :]
    kwargs = {}
    if n > 1:
        members = all_masks(n)[1:-1].astype(float)
        kwargs = {"A_ub": np.c_[members, -np.ones(len(members))], "b_ub": costs[1:-1]}
    res = linprog(
        objective, A_eq=a_eq, b_eq=[costs[-1]], bounds=(None, None), method="highs", **kwargs
    )
    if res.status != 0:
        raise RuntimeError(f"Least-core LP failed: {res.message}")
    epsilon = float(res.x[-1]) if n > 1 else 0.0
    return LeastCore(epsilon, np.asarray(res.x[:n], dtype=np.float64), epsilon <= tol)


def is_submodular(game: CoalitionGame, tol: float = 1e-9) -> bool:
    """True if c(S ∪ i) + c(S ∪ j) ≥ c(S ∪ {i, j}) + c(S) for all S, i, j ∉ S (concave game)."""
    n = game.n
    costs = game.all_costs()
    masks = np.arange(2**n, dtype=np.int64)
    for i in range(n):
        for j in range(i + 1, n):
            s = masks[((masks >> i) & 1 == 0) & ((masks >> j) & 1 == 0)]
            lhs = costs[s | (1 << i)] + costs[s | (1 << j)]
            rhs = costs[s | (1 << i) | (1 << j)] + costs[s]
            if np.any(lhs < rhs - tol):
                return False
    return True


@dataclass(frozen=True)
class PooledStockpile:
    """Cost of a joint stockpile with economies of scale (an example pact game).

    Members' disruption shortfalls are equicorrelated normal variables with standard deviations
    ``shortfall_sd``. A coalition holds ``service_z`` standard deviations of its pooled
    shortfall (the square-root law: pooling imperfectly correlated risks needs less stock than
    the sum of separate stocks) in one shared facility:
    c(S) = fixed_cost + holding_cost · z · √((1 − ρ)·Σσ_i² + ρ·(Σσ_i)²) for non-empty S.

    The game has economies of scale (c(S ∪ T) ≤ c(S) + c(T)). It is submodular (a concave
    game, whose core contains the Shapley value) when shortfalls are independent (ρ = 0),
    perfectly correlated (ρ = 1) or equally sized; with unequal members and 0 < ρ < 1 it can be
    slightly non-submodular, so check allocations with :func:`core_check` rather than assume.

    Attributes:
        shortfall_sd: Standard deviation of each member's shortfall (e.g. kt per year).
        correlation: Pairwise correlation ρ in [0, 1].
        service_z: Safety factor (1.645 covers 95% of shortfalls).
        fixed_cost: Cost of the shared facility, paid once per coalition.
        holding_cost: Cost per unit of stock held.
    """

    shortfall_sd: tuple[float, ...]
    correlation: float = 0.3
    service_z: float = 1.645
    fixed_cost: float = 20.0
    holding_cost: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "shortfall_sd", tuple(float(s) for s in self.shortfall_sd))
        if not self.shortfall_sd or min(self.shortfall_sd) < 0:
            raise ValueError("shortfall_sd needs at least one non-negative value")
        if not 0.0 <= self.correlation <= 1.0:
            raise ValueError(f"correlation must be in [0, 1], got {self.correlation}")
        if min(self.service_z, self.fixed_cost, self.holding_cost) < 0:
            raise ValueError("service_z, fixed_cost and holding_cost must be non-negative")

    def __call__(self, members: BoolArray) -> FloatArray:
        """Cost of each coalition (rows of the membership matrix)."""
        sd = np.asarray(self.shortfall_sd)
        m = np.asarray(members, dtype=np.float64)
        rho = self.correlation
        pooled = np.sqrt((1.0 - rho) * (m @ sd**2) + rho * (m @ sd) ** 2)
        cost = self.fixed_cost + self.holding_cost * self.service_z * pooled
        return np.where(m.any(axis=1), cost, 0.0)

    def game(self, players: Sequence[str]) -> CoalitionGame:
        """The cost game among named players (one name per shortfall)."""
        if len(players) != len(self.shortfall_sd):
            raise ValueError(f"Need {len(self.shortfall_sd)} player names, got {len(players)}")
        return CoalitionGame(tuple(players), self)
