"""Outcomes as terms in the vocabulary of ``decisions.DealTerms`` and back.

The record writes every offer's terms with these names (``offtake_share``, ``price_vs_index``,
``duration_rounds``, ``equity``, ``investment_usd``, ``tonnes_per_round``,
``technology_level``, ``fee_usd``), plus ``tech_step`` (τ) and ``local_content``; a human's
``OfferDecision`` is mapped to the nearest outcome of the deal kind's space.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from mineralgame.config.negotiation import DealEconomics
from mineralgame.deals.investment import InvestmentParams
from mineralgame.deals.offtake import OfftakeParams
from mineralgame.deals.spaces import space
from mineralgame.deals.technology import TechParams, full_value
from mineralgame.decisions import DealTerms

__all__ = ["nearest_outcome", "terms_fn"]


def _f(x: Any) -> float:
    return float(np.asarray(x))


def _investment(
    out: dict[str, Any], p: InvestmentParams, base_tech: float, rpr: float
) -> dict[str, Any]:
    tau = float(out["technology"])
    return {
        "offtake_share": float(out["offtake"]),
        "price_vs_index": float(out["price"]),
        "duration_rounds": max(1, round(float(out["duration"]) / rpr)),
        "equity": float(out["equity"]),
        "investment_usd": float(out["equity"]) * _f(p.capex) * 1e6,
        "tonnes_per_round": float(out["offtake"]) * _f(p.capacity) * rpr,
        "technology_level": min(1.5, base_tech + _f(p.gap) * tau / 5.0),
        "tech_step": tau,
    }


def _offtake(out: dict[str, Any], p: OfftakeParams, rpr: float) -> dict[str, Any]:
    return {
        "offtake_share": float(out["volume"]),
        "price_vs_index": float(out["price"]),
        "duration_rounds": max(1, round(float(out["duration"]) / rpr)),
        "tonnes_per_round": float(out["volume"]) * _f(p.seller_output) * rpr,
    }


def _tech(
    out: dict[str, Any], p: TechParams, base_tech: float, econ: DealEconomics
) -> dict[str, Any]:
    tau = float(out["technology"])
    return {
        "technology_level": min(1.5, base_tech + _f(p.gap) * tau / 5.0),
        "fee_usd": float(out["fee"]) * _f(full_value(p, econ)) * 1e6,
        "tech_step": tau,
        "local_content": float(out["local_content"]),
    }


def terms_fn(
    kind: str, mineral: str, params: Any, base_tech: float, rpr: float, econ: DealEconomics
) -> Any:
    """A function: outcome index → (terms dict, technology level τ or NaN)."""
    sp = space("tech" if kind == "tech" else ("offtake" if kind == "offtake" else "investment"))
    label = {"tech": "tech_transfer", "offtake": "offtake"}.get(kind, "investment")

    def fn(index: int, known: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], float]:
        out = dict(known) if known is not None else sp.outcome(index)
        if kind == "offtake":
            body, tau = _offtake(out, params, rpr), math.nan
        elif kind == "tech":
            body = _tech(out, params, base_tech, econ)
            tau = body["tech_step"]
        else:
            body = _investment(out, params, base_tech, rpr)
            tau = body["tech_step"]
        return {"kind": label, "mineral": mineral, **body}, float(tau)

    return fn


def _nearest(values: tuple[Any, ...], x: float) -> Any:
    return min(values, key=lambda v: (abs(float(v) - x), float(v)))


def nearest_outcome(
    terms: DealTerms, params: Any, base_tech: float, rpr: float, econ: DealEconomics
) -> int:
    """Index of the outcome of the terms' deal kind nearest to a human's terms."""
    kind = {"tech_transfer": "tech"}.get(terms.kind, terms.kind)
    sp = space(kind)
    iss = {i.name: i.values for i in sp.issues}
    gap = max(_f(getattr(params, "gap", 0.0)), 1e-9)
    tau = 5.0 * (terms.technology_level - base_tech) / gap if terms.technology_level else 0.0
    if kind == "investment":
        want = {
            "offtake": terms.offtake_share,
            "price": terms.price_vs_index,
            "duration": terms.duration_rounds * rpr,
            "equity": min(terms.equity, 0.49),
            "technology": tau,
        }
    elif kind == "offtake":
        out = _f(params.seller_output)
        share = (
            terms.tonnes_per_round / rpr / out
            if terms.tonnes_per_round and out > 0
            else (terms.offtake_share)
        )
        want = {
            "volume": share,
            "price": terms.price_vs_index,
            "duration": terms.duration_rounds * rpr,
        }
    else:
        full = _f(full_value(params, econ)) * 1e6
        want = {"technology": max(tau, 1.0), "fee": terms.fee_usd / full if full > 0 else 0.0}
        want["local_content"] = 0.0
    return sp.index_of({name: _nearest(iss[name], float(want[name])) for name in sp.names})
