"""Outcome spaces of the model's deals, built once and cached with their issue columns.

* investment (deal A): the 8,640-outcome offtake-for-investment space of the negotiation core;
* offtake contract: volume share of the seller's refined output, price, duration (90);
* technology transfer (deal B): level, fee share, local content (220);
* pact terms (deal C): stockpile months, price floor, member preference, ESG standard,
  joint fund (450).

A *probe* is a coarse subset of a space on which partner choice estimates the surplus of many
candidate deals at once; sessions use the full space.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from numpy.typing import NDArray

from mineralgame.negotiation import OutcomeSpace, investment_space

__all__ = [
    "OFFTAKE_ISSUES",
    "PACT_ISSUES",
    "TECH_ISSUES",
    "Columns",
    "annuity",
    "columns",
    "probe",
    "space",
]

FloatArray = NDArray[np.float64]
Columns = dict[str, FloatArray]

OFFTAKE_ISSUES: dict[str, tuple[float, ...]] = {
    "volume": (0.05, 0.1, 0.15, 0.2, 0.3),
    "price": (0.95, 1.0, 1.05, 1.1, 1.15, 1.2),
    "duration": (2.0, 3.0, 5.0),
}
"""Share of the seller's refined output, price as a multiple of the index, years."""

TECH_ISSUES: dict[str, tuple[float, ...]] = {
    "technology": (1.0, 2.0, 3.0, 4.0, 5.0),
    "fee": tuple(round(0.1 * k, 1) for k in range(11)),
    "local_content": (0.0, 0.25, 0.5, 0.75),
}
"""Technology level τ (1..5 of the gap), fee as a share of the licensee's full value, local
content share."""

PACT_ISSUES: dict[str, tuple[float, ...]] = {
    "stock_months": (0.0, 1.0, 2.0, 3.0, 6.0),
    "floor": (0.0, 0.9, 1.0, 1.1, 1.2),
    "preference": (0.0, 0.25, 0.5),
    "esg": (0.0, 1.0),
    "fund": (0.0, 0.05, 0.1),
}
"""Months of exposed imports held jointly, price floor (multiple of base price, 0 = none),
share of pact producers' output offered to members first, ESG standard on/off, share of the
members' deal budgets paid into the joint fund."""

_PROBE_INVESTMENT = {
    "offtake": (0.2, 0.4, 0.6),
    "price": (0.9, 1.0, 1.1, 1.2),
    "duration": (10, 20),
    "equity": (0.0, 0.2, 0.49),
    "technology": (0, 2, 5),
}


@cache
def space(kind: str) -> OutcomeSpace:
    """The outcome space of a deal kind (``investment``, ``offtake``, ``tech``, ``pact``)."""
    if kind == "investment":
        return investment_space()
    issues = {"offtake": OFFTAKE_ISSUES, "tech": TECH_ISSUES, "pact": PACT_ISSUES}[kind]
    return OutcomeSpace.from_dict(issues)


@cache
def _columns(kind: str) -> tuple[tuple[str, FloatArray], ...]:
    cols = space(kind).columns()
    out = []
    for name, values in cols.items():
        arr = np.asarray(values, dtype=np.float64)
        arr.setflags(write=False)
        out.append((name, arr))
    return tuple(out)


def columns(kind: str) -> Columns:
    """Issue columns (float arrays, read-only) of every outcome of a deal kind's space."""
    return dict(_columns(kind))


@cache
def _probe_index(kind: str) -> NDArray[np.intp]:
    sp = space(kind)
    if kind != "investment":
        return np.arange(sp.size)
    cols = columns(kind)
    keep = np.ones(sp.size, dtype=bool)
    for name, values in _PROBE_INVESTMENT.items():
        keep &= np.isin(cols[name], np.asarray(values, dtype=float))
    idx = np.flatnonzero(keep)
    idx.setflags(write=False)
    return idx


def probe(kind: str) -> tuple[NDArray[np.intp], Columns]:
    """Outcome indices of the probe of a deal kind and its issue columns (row vectors)."""
    idx = _probe_index(kind)
    return idx, {k: v[idx][None, :] for k, v in columns(kind).items()}


def annuity(years: FloatArray | float, rate: FloatArray | float) -> FloatArray:
    """Annuity factor A(d, r) = (1 − (1 + r)^−d) / r (broadcasting)."""
    r = np.asarray(rate, dtype=np.float64)
    return np.asarray((1.0 - (1.0 + r) ** -np.asarray(years, dtype=np.float64)) / r)
