"""Figures for the projector and the debrief, built with the dashboard's figure builders.

Only public columns go into projector figures (production, consumption, shortfall, dependence
on the dominant processor, prices, flows, pacts, contracts).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from dashboard import figures, figures_compare
from mineralgame.config.schema import Scenario
from mineralgame.record import RunRecord


def _last(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["round"] == df["round"].max()] if not df.empty else df


def _table(record: RunRecord, name: str) -> pd.DataFrame:
    return record.tables.get(name, pd.DataFrame(columns=["round"]))


def dependence_by_country(cm: pd.DataFrame) -> dict[str, float]:
    """Consumption-weighted dependence on the dominant processor per country (one round)."""
    out = {}
    for country, rows in cm.groupby("country"):
        total = float(rows["consumption_t"].sum())
        dep = rows["dependence_dominant"].fillna(0.0)
        out[str(country)] = float((dep * rows["consumption_t"]).sum() / total) if total else 0.0
    return out


def dependence_map(record: RunRecord | None) -> go.Figure:
    """World map of dependence on the dominant processor in the last published round."""
    if record is None:
        return figures.empty_figure("the map appears after the first published round")
    last = _last(record.tables["country_mineral"])
    return figures.choropleth_figure(
        dependence_by_country(last),
        label="share",
        zrange=(0.0, 1.0),
        measure="dependence_dominant",
        title=f"Dependence on the dominant refiner, round {int(last['round'].max()) + 1}",
    )


def network(record: RunRecord | None, rnd: int | None = None, title: str = "") -> go.Figure:
    """Pacts, deals and refined trade flows of a round (the last one by default)."""
    if record is None:
        return figures.empty_figure("the network appears after the first published round")
    cm = record.tables["country_mineral"]
    rnd = int(cm["round"].max()) if rnd is None else rnd
    roles = {
        str(k): str(v)
        for k, v in cm.drop_duplicates("country").set_index("country")["role"].items()
    }
    flows = _table(record, "flows")
    flows = (
        flows[(flows["round"] == rnd) & (flows.get("stage") == "refined")]
        if not flows.empty
        else flows
    )
    pacts = _table(record, "pacts")
    contracts = _table(record, "contracts")
    return figures.network_figure(
        sorted(roles),
        roles,
        flows=flows,
        pacts=pacts[pacts["round"] == rnd] if not pacts.empty else pacts,
        contracts=contracts[contracts["round"] == rnd] if not contracts.empty else contracts,
        title=title or f"Pacts, deals and refined trade, round {rnd + 1}",
    )


def price_ratio(records: Mapping[str, RunRecord], scenario: Scenario) -> pd.DataFrame:
    """Rounds × mineral of the mean refined price relative to base (first record)."""
    record = next(iter(records.values()))
    system = record.tables["system"]
    base = {m: s.refined_price_usd_per_t for m, s in scenario.minerals.items()}
    frame = system.pivot_table(index="round", columns="mineral", values="price_mean_usd_per_t")
    return frame.apply(lambda col: col / base[str(col.name)])


def prices(record: RunRecord | None, scenario: Scenario) -> go.Figure:
    """Mean refined price relative to base, by mineral, over the published rounds."""
    if record is None:
        return figures.empty_figure("prices appear after the first published round")
    frame = price_ratio({"session": record}, scenario)
    last = int(frame.index.max())
    return figures.timeseries_figure(
        frame, cursor=last, title="Refined price / base price", y_label="ratio"
    )


def world_shortfall(record: RunRecord) -> go.Figure:
    """World shortfall share by mineral over the rounds."""
    system = record.tables["system"]
    frame = system.pivot_table(index="round", columns="mineral", values="world_shortfall_share")
    return figures.timeseries_figure(
        frame, cursor=int(frame.index.max()), title="World shortfall share", y_label="share"
    )


def members_dependence(record: RunRecord) -> pd.DataFrame:
    """Rounds × member of the consumption-weighted dependence on the dominant processor."""
    cm = record.tables["country_mineral"]
    cm = cm[cm["role"] == "member"]
    rows = {int(str(r)): dependence_by_country(g) for r, g in cm.groupby("round")}
    return pd.DataFrame.from_dict(rows, orient="index").sort_index()


def dependence_over_rounds(record: RunRecord) -> go.Figure:
    """Members' dependence on the dominant processor over the rounds."""
    frame = members_dependence(record)
    return figures.timeseries_figure(
        frame,
        cursor=int(frame.index.max()),
        title="Members' dependence on the dominant refiner",
        y_label="share",
        y_range=[0.0, 1.0],
    )


def counterfactual_figure(records: Mapping[str, RunRecord]) -> go.Figure:
    """Members' dependence: this session beside the bots-only replays, one shared scale."""
    panels = {label: members_dependence(rec) for label, rec in records.items()}
    return figures_compare.side_by_side_figure(
        panels, title="Members' dependence on the dominant refiner", y_label="share"
    )
