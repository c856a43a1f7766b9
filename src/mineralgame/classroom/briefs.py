"""Briefs: what everyone may know (public) and what only one delegation may know (private).

The split is the classroom's information design, enforced on the server:

* **Public**: the scenario's story, countries (name, role, region, groups), minerals and base
  prices; after each published round, production, consumption, shortfall, dependence on the
  dominant processor, prices, trade flows, pacts, signed contracts and events.
* **Private** (one delegation only): reserves, capacities, stockpiles, technology, costs,
  budget, preference weights, current levers, red lines, and the delegation's own offers.
* **Hidden until the debrief**: every country's private values and the bots' strategies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from mineralgame.config.schema import Scenario
from mineralgame.policies import strategy_of

PUBLIC_COLUMNS = (
    "round",
    "year",
    "country",
    "mineral",
    "role",
    "mine_output_t",
    "refined_output_t",
    "consumption_t",
    "shortfall_share",
    "dependence_dominant",
)
PRIVATE_COLUMNS = (
    "round",
    "mineral",
    "demand_t",
    "consumption_t",
    "shortfall_share",
    "stock_t",
    "stock_cover_days",
    "reserves_t",
    "mine_capacity_t",
    "refining_capacity_t",
    "technology",
    "price_usd_per_t",
    "import_spend_usd",
    "export_revenue_usd",
    "investment_spend_usd",
    "dependence_dominant",
)
RULES_TEXT = (
    "Each round is one year. In the negotiation phase, delegations make and answer offers "
    "(investment in mines and refineries, offtake contracts, technology transfer, pact "
    "invitations). In the decision phase each delegation submits its policy: member states "
    "set stockpile targets, dependence caps, a security premium and investment; any country "
    "may impose export measures. The facilitator then runs the model, previews and publishes "
    "the results. Countries without students are played by the model's bots."
)


def groups_of(scenario: Scenario, country: str) -> list[str]:
    """Groups a country belongs to."""
    return sorted(g for g, members in scenario.groups.items() if country in members)


def public_brief(scenario: Scenario, humans: Sequence[str]) -> dict[str, Any]:
    """The brief every participant and the projector may see."""
    countries = [
        {
            "code": code,
            "name": spec.name,
            "role": spec.role,
            "region": spec.region,
            "groups": ", ".join(groups_of(scenario, code)),
            "played_by": "students" if code in humans else "bot",
        }
        for code, spec in scenario.countries.items()
    ]
    minerals = [
        {
            "mineral": name,
            "unit": spec.unit,
            "base_price_usd_per_t": spec.refined_price_usd_per_t,
        }
        for name, spec in scenario.minerals.items()
    ]
    return {
        "name": scenario.name,
        "description": scenario.description,
        "start_year": scenario.start_year,
        "dominant": scenario.dominant,
        "rules": RULES_TEXT,
        "countries": countries,
        "minerals": minerals,
        "groups": {g: list(m) for g, m in scenario.groups.items()},
    }


def unit_costs(scenario: Scenario, country: str) -> dict[str, dict[str, float]]:
    """Mining and refining costs per tonne by mineral (docs/MODEL.md §7.2)."""
    spec = scenario.countries[country]
    out = {}
    for mineral, cm in spec.minerals.items():
        ms = scenario.minerals[mineral]
        ore_price = ms.ore_price_share * ms.refined_price_usd_per_t * ms.refined_per_ore
        refining = (
            ms.refining_cost_share
            * ms.refined_price_usd_per_t
            * (1 + 0.5 * max(0.0, 1 - cm.technology))
        )
        out[mineral] = {
            "mining_cost_usd_per_t": ms.mining_cost_share * ore_price * cm.cost_factor,
            "refining_cost_usd_per_t": refining,
        }
    return out


def red_lines(scenario: Scenario, country: str) -> list[str]:
    """Role-play constraints derived from the country's data and preferences."""
    spec = scenario.countries[country]
    prefs = spec.preferences
    dominant = scenario.dominant
    lines: list[str] = []
    if spec.role == "member":
        if prefs.security >= 1.3:
            lines.append("Your cabinet will not accept a shortfall above 5% in any mineral.")
        if spec.stockpile_target_days:
            lines.append(f"Keep the national stockpile at {spec.stockpile_target_days:g} days.")
        if prefs.cost >= 1.2:
            lines.append("Your finance ministry vetoes any deal priced above 1.2× the index.")
        if prefs.alignment < 0.5:
            lines.append(f"You will not ban {dominant} outright: non-alignment is policy.")
        lines.append(
            f"Do not commit more than the budget of ${spec.budget_usd_per_round / 1e9:,.1f} bn "
            "per round to investment."
        )
    elif spec.role == "supplier":
        lines.append("No foreign partner may hold more than 49% equity in a national mine.")
        lines.append("Prefer deals that bring refining technology home (local content).")
        if spec.esg_rating < 0.5:
            lines.append("Partners who demand strict ESG audits must pay for them.")
    elif spec.role == "dominant":
        lines.append("Keep your share of world refining above 60% in every mineral.")
        lines.append("Answer any ban on your exports with licensing of your own.")
    return lines


def private_brief(scenario: Scenario, country: str, strategy: str | None) -> dict[str, Any]:
    """The private brief of one delegation (never sent to anyone else)."""
    spec = scenario.countries[country]
    name, params = strategy_of(country, scenario, strategy or scenario.default_strategy)
    costs = unit_costs(scenario, country)
    minerals = [
        {
            "mineral": mineral,
            "reserves_t": cm.reserves_t,
            "mine_output_t": cm.mine_output_t,
            "refining_output_t": cm.refining_output_t,
            "technology": cm.technology,
            "demand_t": cm.demand_t,
            "stockpile_t": cm.stockpile_t,
            **costs[mineral],
        }
        for mineral, cm in spec.minerals.items()
    ]
    return {
        "country": country,
        "name": spec.name,
        "role": spec.role,
        "budget_usd_per_round": spec.budget_usd_per_round,
        "stockpile_target_days": spec.stockpile_target_days,
        "preferences": spec.preferences.model_dump(),
        "esg_rating": spec.esg_rating,
        "starting_levers": params.model_dump(mode="json") if spec.role == "member" else {},
        "starting_strategy": name,
        "minerals": minerals,
        "red_lines": red_lines(scenario, country),
    }


def hidden_values(scenario: Scenario, strategy: str | None) -> pd.DataFrame:
    """Every country's private values, revealed in the debrief."""
    rows = []
    run_strategy = strategy or scenario.default_strategy
    for code, spec in scenario.countries.items():
        name, params = strategy_of(code, scenario, run_strategy)
        rows.append(
            {
                "country": code,
                "role": spec.role,
                "budget_bn_per_round": spec.budget_usd_per_round / 1e9,
                "stockpile_target_days": spec.stockpile_target_days or 0.0,
                "weight_cost": spec.preferences.cost,
                "weight_security": spec.preferences.security,
                "weight_esg": spec.preferences.esg,
                "weight_alignment": spec.preferences.alignment,
                "reserves_mt": sum(m.reserves_t for m in spec.minerals.values()) / 1e6,
                "bot_strategy": name,
                "bot_dependence_cap": params.dependence_cap,
            }
        )
    return pd.DataFrame(rows)


def public_round_table(cm: pd.DataFrame) -> pd.DataFrame:
    """Only the public columns of ``country_mineral``."""
    return cm.loc[:, [c for c in PUBLIC_COLUMNS if c in cm.columns]]


def public_events(events: pd.DataFrame) -> pd.DataFrame:
    """Events everyone may see: not the delegations' lever settings (kind ``decision``)."""
    if events.empty or "kind" not in events.columns:
        return events
    return events[events["kind"] != "decision"]


def own_rows(cm: pd.DataFrame, country: str) -> pd.DataFrame:
    """A delegation's private rows of ``country_mineral``."""
    mine = cm[cm["country"] == country]
    return mine.loc[:, [c for c in PRIVATE_COLUMNS if c in mine.columns]]


def json_rows(df: pd.DataFrame, digits: int = 4) -> list[dict[str, Any]]:
    """A frame as JSON-safe rows with rounded floats."""
    out = []
    for row in df.to_dict("records"):
        out.append({str(k): _clean(v, digits) for k, v in row.items()})
    return out


def _clean(value: Any, digits: int) -> Any:
    if isinstance(value, float):
        return None if pd.isna(value) else round(value, digits)
    if hasattr(value, "item"):
        return _clean(value.item(), digits)
    return value


def mapping_rows(values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Key–value rows for a small table."""
    return [{"item": k, "value": v} for k, v in values.items()]
