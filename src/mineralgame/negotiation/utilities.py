"""Utility functions over an outcome space, evaluated once into vectorised tables.

A utility function (anything with ``evaluate(space) -> array`` and a ``reservation``) is turned
into a :class:`UtilityTable` by :func:`tabulate`. The table holds the utility of every outcome,
the reservation value (the utility of no agreement, i.e. the BATNA) and precomputed orders, so
that strategies and protocols never loop over outcomes in Python.

Infeasible outcomes (e.g. deals with a banned counterparty) have utility ``-inf``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from mineralgame.negotiation.outcomes import IssueValue, OutcomeSpace

__all__ = [
    "FunctionUtility",
    "LinearAdditiveUtility",
    "TableUtility",
    "UtilityFunction",
    "UtilityTable",
    "tabulate",
]

FloatArray = NDArray[np.float64]


@runtime_checkable
class UtilityFunction(Protocol):
    """Anything that can value every outcome of a space at once."""

    @property
    def reservation(self) -> float:
        """Utility of no agreement (the BATNA)."""
        ...

    def evaluate(self, space: OutcomeSpace) -> FloatArray:
        """Utility of every outcome of ``space`` (length ``space.size``; ``-inf`` = infeasible)."""
        ...


@dataclass(frozen=True, eq=False)
class UtilityTable:
    """Utilities of all outcomes of one space for one party, plus its reservation value.

    Attributes:
        space: The outcome space the table is defined over.
        values: Utility of each outcome (``-inf`` marks an infeasible outcome; NaN is an error).
        reservation: Utility of no agreement; a party never accepts less.
        order: Outcome indices from best to worst (ties by lower index).
        sorted_values: Utilities in that order.
        max: Best utility over the space.
    """

    space: OutcomeSpace
    values: FloatArray
    reservation: float
    order: NDArray[np.intp] = field(init=False, repr=False)
    sorted_values: FloatArray = field(init=False, repr=False)
    max: float = field(init=False, repr=False)
    _ascending: FloatArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        values = np.array(self.values, dtype=np.float64)
        if values.shape != (self.space.size,):
            raise ValueError(
                f"Utility table has shape {values.shape}, expected ({self.space.size},) "
                "(one value per outcome)"
            )
        if np.isnan(values).any() or np.isposinf(values).any():
            raise ValueError("Utilities must be finite or -inf (infeasible); found NaN or +inf")
        if not np.isfinite(values).any():
            raise ValueError("Every outcome is infeasible (-inf); nothing can be negotiated")
        if not math.isfinite(self.reservation):
            raise ValueError(f"Reservation value must be finite, got {self.reservation}")
        values.setflags(write=False)
        order = np.argsort(-values, kind="stable")  # best first; ties by lower index
        sorted_values = values[order]
        order.setflags(write=False)
        sorted_values.setflags(write=False)
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "reservation", float(self.reservation))
        object.__setattr__(self, "order", order)
        object.__setattr__(self, "sorted_values", sorted_values)
        object.__setattr__(self, "_ascending", -sorted_values)  # for searchsorted
        object.__setattr__(self, "max", float(sorted_values[0]))

    @cached_property
    def min(self) -> float:
        """Worst finite utility over the space."""
        return float(self.values[np.isfinite(self.values)].min())

    @property
    def best(self) -> int:
        """Index of the best outcome (lowest index among ties)."""
        return int(self.order[0])

    @cached_property
    def sorted_points(self) -> FloatArray:
        """Normalised outcome coordinates, one *row per issue*, columns in :attr:`order`.

        Shape (n_issues, size): band slices ``[:, lo:hi]`` are contiguous per issue, which makes
        distance computations over a band several times faster than the row-major layout.
        """
        points = np.ascontiguousarray(self.space.normalised[self.order].T)
        points.setflags(write=False)
        return points

    def band_size(self, target: float) -> int:
        """Number of outcomes whose utility is at least ``target``."""
        return int(self._ascending.searchsorted(-target, side="right"))

    def with_reservation(self, reservation: float) -> UtilityTable:
        """A copy with a new reservation value (e.g. after the market moved the BATNA)."""
        return UtilityTable(self.space, self.values, reservation)

    def masked(self, feasible: NDArray[np.bool_]) -> UtilityTable:
        """A copy in which outcomes outside ``feasible`` are infeasible (``-inf``)."""
        return UtilityTable(self.space, np.where(feasible, self.values, -np.inf), self.reservation)

    def __call__(self, index: int) -> float:
        return float(self.values[index])


def tabulate(ufun: UtilityFunction, space: OutcomeSpace) -> UtilityTable:
    """Evaluate a utility function on every outcome of ``space``."""
    return UtilityTable(space, ufun.evaluate(space), ufun.reservation)


@dataclass(frozen=True)
class LinearAdditiveUtility:
    """U(ω) = offset + Σ_j weight_j · f_j(ω_j), with per-issue value tables f_j.

    Attributes:
        weights: Weight per issue name; issues without a weight count zero.
        value_functions: Per issue name, the value f_j(v) of each issue value, in the issue's
            order. Numeric issues may omit it: f_j is then the value itself.
        reservation: Utility of no agreement.
        offset: Constant added to every outcome.
    """

    weights: Mapping[str, float]
    value_functions: Mapping[str, Sequence[float]] = field(default_factory=dict)
    reservation: float = 0.0
    offset: float = 0.0

    def __post_init__(self) -> None:
        for name, w in self.weights.items():
            if not math.isfinite(w):
                raise ValueError(f"Weight of issue {name!r} must be finite, got {w}")
        unknown = sorted(set(self.value_functions) - set(self.weights))
        if unknown:
            raise ValueError(f"Value functions given for unweighted issues {unknown}")

    def evaluate(self, space: OutcomeSpace) -> FloatArray:
        """Utility of every outcome (a sum of per-issue lookups)."""
        unknown = sorted(set(self.weights) - set(space.names))
        if unknown:
            raise KeyError(f"Weights refer to issues {unknown} not in the space {space.names}")
        total = np.full(space.size, self.offset, dtype=np.float64)
        for j, issue in enumerate(space.issues):
            if issue.name not in self.weights:
                continue
            table = self._issue_table(issue.name, issue.values, issue.is_numeric)
            total += self.weights[issue.name] * table[space.index_grid[:, j]]
        return total

    def _issue_table(self, name: str, values: tuple[IssueValue, ...], numeric: bool) -> FloatArray:
        if name in self.value_functions:
            table = np.asarray(self.value_functions[name], dtype=np.float64)
            if table.shape != (len(values),):
                raise ValueError(
                    f"Value function of {name!r} has {table.size} entries for {len(values)} values"
                )
            return table
        if not numeric:
            raise ValueError(f"Categorical issue {name!r} needs an explicit value function")
        return np.asarray(values, dtype=np.float64)


@dataclass(frozen=True)
class FunctionUtility:
    """A custom vectorised utility: ``fn(columns)`` gets one array per issue name.

    Attributes:
        fn: Maps ``{issue name: values of that issue for every outcome}`` to utilities.
        reservation: Utility of no agreement.
    """

    fn: Callable[[Mapping[str, NDArray[np.generic]]], ArrayLike]
    reservation: float = 0.0

    def evaluate(self, space: OutcomeSpace) -> FloatArray:
        """Apply ``fn`` to the space's issue columns."""
        out = np.asarray(self.fn(space.columns()), dtype=np.float64)
        if out.shape != (space.size,):
            raise ValueError(
                f"Utility function returned shape {out.shape}, expected ({space.size},)"
            )
        return out


@dataclass(frozen=True, eq=False)
class TableUtility:
    """A utility given directly as one value per outcome.

    Attributes:
        values: Utility per outcome index.
        reservation: Utility of no agreement.
    """

    values: FloatArray
    reservation: float = 0.0

    def evaluate(self, space: OutcomeSpace) -> FloatArray:
        """Return the stored values (checked against the space's size by the table)."""
        return np.asarray(self.values, dtype=np.float64)
