"""Scores per country from a run record (0–100, higher is better), with their parts.

* Member states and the rest of the world: ``60 × supply security + 25 × independence +
  15 × affordability``, where security = 1 − shortfall / requirement over all minerals and
  rounds, independence = 1 − consumption-weighted dependence on the dominant processor, and
  affordability = clip(2 − spend / (consumption × base price), 0, 1).
* Suppliers and the dominant processor: ``50 × revenue index`` (capped at 100), where the
  revenue index is export revenue over the rounds divided by round 0's revenue × rounds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mineralgame.config.schema import Scenario

SPEND = ("import_spend_usd", "stock_spend_usd", "investment_spend_usd")


def _consumer_score(rows: pd.DataFrame, scenario: Scenario) -> dict[str, float]:
    demand = float(rows["demand_t"].sum())
    security = 1.0 - float(rows["shortfall_t"].sum()) / demand if demand > 0 else 1.0
    consumption = rows["consumption_t"].to_numpy(dtype=float)
    dep = rows["dependence_dominant"].fillna(0.0).to_numpy(dtype=float)
    total = consumption.sum()
    independence = 1.0 - float((dep * consumption).sum() / total) if total > 0 else 1.0
    base = rows["mineral"].map({m: s.refined_price_usd_per_t for m, s in scenario.minerals.items()})
    value = float((rows["consumption_t"] * base).sum())
    spend = float(rows[[c for c in SPEND if c in rows.columns]].to_numpy(dtype=float).sum())
    cost_ratio = spend / value if value > 0 else 1.0
    afford = float(np.clip(2.0 - cost_ratio, 0.0, 1.0))
    score = 60 * security + 25 * independence + 15 * afford
    return {
        "score": round(score, 1),
        "security": round(security, 4),
        "independence": round(independence, 4),
        "cost_ratio": round(cost_ratio, 4),
    }


def _producer_score(rows: pd.DataFrame) -> dict[str, float]:
    by_round = rows.groupby("round")["export_revenue_usd"].sum()
    first = float(by_round.iloc[0]) if len(by_round) else 0.0
    index = float(by_round.sum()) / (first * len(by_round)) if first > 0 else 1.0
    return {"score": round(min(100.0, 50 * index), 1), "revenue_index": round(index, 4)}


def scores(cm: pd.DataFrame, scenario: Scenario) -> dict[str, dict[str, Any]]:
    """Score and parts of every country in a ``country_mineral`` table."""
    out: dict[str, dict[str, Any]] = {}
    for country, rows in cm.groupby("country", sort=True):
        role = scenario.countries[str(country)].role
        if role in ("supplier", "dominant"):
            out[str(country)] = {"role": role, **_producer_score(rows)}
        else:
            out[str(country)] = {"role": role, **_consumer_score(rows, scenario)}
    return out


def score_table(cm: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Scores as a table, best first."""
    rows = [{"country": c, **v} for c, v in scores(cm, scenario).items()]
    return pd.DataFrame(rows).sort_values("score", ascending=False).reset_index(drop=True)
