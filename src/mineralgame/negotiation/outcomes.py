"""Issues and outcome spaces, enumerated once as numpy arrays.

An :class:`Issue` is a named, finite list of values. An :class:`OutcomeSpace` is the cartesian
product of its issues, enumerated in C order (the last issue varies fastest, as in
``itertools.product``), so outcome ``i`` is the ``i``-th row of :attr:`OutcomeSpace.index_grid`.
Utilities, offers and metrics all work on these integer outcome indices.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from numbers import Real

import numpy as np
from numpy.typing import NDArray

__all__ = ["Issue", "IssueValue", "OutcomeSpace"]

IssueValue = int | float | str | bool
"""A value an issue can take: a number or a category label."""


def _is_number(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


@dataclass(frozen=True)
class Issue:
    """One negotiable issue with a finite list of values.

    Attributes:
        name: Issue name, unique within an outcome space (e.g. ``"offtake"``).
        values: The values in their natural order. Numeric issues use the values themselves as
            coordinates; categorical issues use the position in this tuple.
    """

    name: str
    values: tuple[IssueValue, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"Issue name must be a non-empty string, got {self.name!r}")
        object.__setattr__(self, "values", tuple(self.values))
        if not self.values:
            raise ValueError(f"Issue {self.name!r} needs at least one value")
        if len(set(self.values)) != len(self.values):
            raise ValueError(f"Issue {self.name!r} has duplicate values: {self.values!r}")
        if self.is_numeric and not all(math.isfinite(float(v)) for v in self.values):  # type: ignore[arg-type]
            raise ValueError(f"Issue {self.name!r} has non-finite values: {self.values!r}")

    @property
    def is_numeric(self) -> bool:
        """True if every value is a real number (bools count as categories)."""
        return all(_is_number(v) for v in self.values)

    def __len__(self) -> int:
        return len(self.values)

    def coordinates(self) -> NDArray[np.float64]:
        """Coordinates of the values scaled to [0, 1] (by value if numeric, else by position)."""
        if self.is_numeric:
            raw = np.asarray(self.values, dtype=np.float64)
        else:
            raw = np.arange(len(self.values), dtype=np.float64)
        span = raw.max() - raw.min()
        if span == 0:
            return np.zeros(len(raw))
        return (raw - raw.min()) / span


@dataclass(frozen=True)
class OutcomeSpace:
    """The cartesian product of issues, with cached array views of every outcome.

    Attributes:
        issues: The issues, in order. Outcome indices enumerate their product in C order.
    """

    issues: tuple[Issue, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "issues", tuple(self.issues))
        if not self.issues:
            raise ValueError("An outcome space needs at least one issue")
        if not all(isinstance(i, Issue) for i in self.issues):
            raise TypeError("OutcomeSpace.issues must be Issue instances")
        names = [i.name for i in self.issues]
        if len(set(names)) != len(names):
            raise ValueError(f"Issue names must be unique, got {names}")

    @classmethod
    def from_dict(cls, issues: Mapping[str, Sequence[IssueValue]]) -> OutcomeSpace:
        """Build a space from ``{name: values}`` (insertion order gives issue order)."""
        return cls(tuple(Issue(name, tuple(values)) for name, values in issues.items()))

    @property
    def names(self) -> tuple[str, ...]:
        """Issue names in order."""
        return tuple(i.name for i in self.issues)

    @cached_property
    def shape(self) -> tuple[int, ...]:
        """Number of values per issue."""
        return tuple(len(i) for i in self.issues)

    @cached_property
    def size(self) -> int:
        """Number of outcomes."""
        return math.prod(self.shape)

    def __len__(self) -> int:
        return self.size

    @cached_property
    def index_grid(self) -> NDArray[np.intp]:
        """Array ``(size, n_issues)`` of value positions of every outcome (read-only)."""
        grid = np.indices(self.shape).reshape(len(self.shape), -1).T.copy()
        grid.setflags(write=False)
        return grid

    @cached_property
    def normalised(self) -> NDArray[np.float64]:
        """Array ``(size, n_issues)`` of outcome coordinates in [0, 1] (read-only)."""
        cols = [issue.coordinates()[self.index_grid[:, j]] for j, issue in enumerate(self.issues)]
        out = np.column_stack(cols)
        out.setflags(write=False)
        return out

    def column(self, name: str) -> NDArray[np.generic]:
        """Value of issue ``name`` for every outcome (numeric issues as float arrays)."""
        j = self._position(name)
        issue = self.issues[j]
        dtype = np.float64 if issue.is_numeric else object
        return np.asarray(issue.values, dtype=dtype)[self.index_grid[:, j]]

    def columns(self) -> dict[str, NDArray[np.generic]]:
        """All issue columns keyed by issue name."""
        return {name: self.column(name) for name in self.names}

    def outcome(self, index: int) -> dict[str, IssueValue]:
        """The outcome with the given index as ``{issue: value}``."""
        self._check_index(index)
        positions = np.unravel_index(index, self.shape)
        return {i.name: i.values[int(p)] for i, p in zip(self.issues, positions, strict=True)}

    def index_of(self, outcome: Mapping[str, IssueValue]) -> int:
        """Index of an outcome given as ``{issue: value}`` (all issues required)."""
        missing = [n for n in self.names if n not in outcome]
        if missing:
            raise KeyError(f"Outcome lacks issues {missing}")
        positions = []
        for issue in self.issues:
            try:
                positions.append(issue.values.index(outcome[issue.name]))
            except ValueError:
                raise ValueError(
                    f"{outcome[issue.name]!r} is not a value of issue {issue.name!r}; "
                    f"choose one of {issue.values!r}"
                ) from None
        return int(np.ravel_multi_index(positions, self.shape))

    def neighbour(self, index: int, issue: int, step: int) -> int:
        """Outcome that differs from ``index`` by ``step`` positions on one issue (clipped)."""
        self._check_index(index)
        positions = [int(p) for p in np.unravel_index(index, self.shape)]
        positions[issue] = int(np.clip(positions[issue] + step, 0, self.shape[issue] - 1))
        return int(np.ravel_multi_index(positions, self.shape))

    def _position(self, name: str) -> int:
        try:
            return self.names.index(name)
        except ValueError:
            raise KeyError(f"No issue {name!r}; issues are {self.names}") from None

    def _check_index(self, index: int) -> None:
        if not 0 <= index < self.size:
            raise IndexError(f"Outcome index {index} outside [0, {self.size})")
