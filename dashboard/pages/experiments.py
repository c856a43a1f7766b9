"""Experiments page: sweeps, outcome distributions by policy, a table of runs; replay a run.

Clicking a run (a row of the runs table or a point of a figure) rebuilds it with
:func:`mineralgame.experiments.rerun.rerun` into the records folder under a deterministic
folder name (once) and links to its Replay page.
"""

from __future__ import annotations

from typing import Any

import dash
import pandas as pd
from dash import Input, Output, State, dash_table, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import figures, figures_sweeps, ids
from dashboard.components import unreadable_list
from dashboard.store import RecordStore
from dashboard.sweeps import SweepError, SweepStore, describe

SWEEP_COLUMNS = [
    {"name": "sweep", "id": "open", "presentation": "markdown"},
    {"name": "experiment", "id": "experiment"},
    {"name": "runs ok", "id": "ok", "type": "numeric"},
    {"name": "failed", "id": "failed", "type": "numeric"},
    {"name": "in design", "id": "total", "type": "numeric"},
    {"name": "id", "id": "id"},
]
RUN_BASE = ["run_id", "policy", "status", "scenario_id", "replicate", "seed"]
NUMBER_FORMAT = {"specifier": ".4~g"}
CELL_STYLE = {"fontFamily": "sans-serif", "fontSize": 13, "padding": "4px"}
PREFERRED = ("cumulative_shortfall_share", "welfare_usd", "end_dependence", "cumulative_cost_usd")


def layout(store: RecordStore, sweeps: SweepStore, query: dict[str, str]) -> html.Div:
    """Experiments page layout (rescans the sweeps folder).

    Args:
        store: The record store (where rebuilt runs go).
        sweeps: The sweep store.
        query: URL query; ``sweep`` picks a sweep by id.

    Returns:
        The page.
    """
    entries = sweeps.refresh()
    readable = [e for e in entries if e.readable]
    known = {e.sweep_id for e in readable}
    wanted = query.get("sweep")
    chosen = wanted if wanted in known else (readable[0].sweep_id if readable else None)
    where = str(sweeps.root) if sweeps.root is not None else "no sweeps folder given"
    return html.Div(
        [
            html.H2("Experiments"),
            html.P(f"{len(readable)} readable sweep(s) in {where}."),
            dash_table.DataTable(  # type: ignore[attr-defined]
                id=ids.EXP_SWEEPS_TABLE,
                columns=SWEEP_COLUMNS,
                data=[describe(e) for e in readable],
                markdown_options={"link_target": "_self"},
                style_table={"overflowX": "auto"},
                style_cell=CELL_STYLE,
            ),
            unreadable_list(ids.EXP_UNREADABLE, "sweeps", sweeps.entries()),
            html.Div(
                className="controls",
                children=[
                    html.Label("sweep"),
                    dcc.Dropdown(
                        id=ids.EXP_SWEEP,
                        options=[{"label": e.name, "value": e.sweep_id} for e in readable],
                        value=chosen,
                        clearable=False,
                        style={"minWidth": "220px"},
                    ),
                    html.Label("outcome"),
                    dcc.Dropdown(id=ids.EXP_OUTCOME, clearable=False, style={"minWidth": "260px"}),
                    html.Label("against"),
                    dcc.Dropdown(
                        id=ids.EXP_OUTCOME_Y, clearable=False, style={"minWidth": "260px"}
                    ),
                ],
            ),
            html.Div(id=ids.EXP_STATUS, className="hint"),
            html.Div(
                className="row",
                style={"display": "flex", "flexWrap": "wrap"},
                children=[
                    dcc.Graph(id=ids.EXP_DIST, style={"flex": "1 1 480px"}),
                    dcc.Graph(id=ids.EXP_SCATTER, style={"flex": "1 1 480px"}),
                ],
            ),
            html.H3("Runs"),
            html.P(
                "Click a run (a row, or a point above) to rebuild its full record and replay it."
            ),
            dcc.Loading(html.Div(id=ids.EXP_RERUN_STATUS)),
            dash_table.DataTable(  # type: ignore[attr-defined]
                id=ids.EXP_RUNS,
                columns=[],
                data=[],
                filter_action="native",
                sort_action="native",
                page_size=20,
                style_table={"overflowX": "auto"},
                style_cell=CELL_STYLE,
            ),
        ]
    )


def _pick(options: list[str], value: str | None, avoid: str | None = None) -> str | None:
    """The chosen outcome if it is offered, else the first preferred one other than ``avoid``."""
    if value in options:
        return value
    preferred = [o for o in PREFERRED if o in options]
    pool = preferred + [o for o in options if o not in preferred]
    others = [o for o in pool if o != avoid]
    return (others or pool)[0] if pool else None


def _columns(data_cols: list[str], numeric: set[str]) -> list[dict[str, Any]]:
    return [
        {"name": c, "id": c, "type": "numeric", "format": NUMBER_FORMAT}
        if c in numeric
        else {"name": c, "id": c}
        for c in data_cols
    ]


def sweep_view(
    sweeps: SweepStore, sweep_id: str | None, outcome: str | None, outcome_y: str | None
) -> dict[str, Any]:
    """Everything the page shows for a sweep and the chosen outcomes.

    Args:
        sweeps: The sweep store (the id is checked against its listing).
        sweep_id: The chosen sweep.
        outcome: Outcome of the distribution and the scatter's x axis.
        outcome_y: Outcome of the scatter's y axis.

    Returns:
        ``options`` (outcome names), ``outcome``, ``outcome_y``, ``dist`` and ``scatter``
        figures, ``columns`` and ``rows`` of the runs table, and a ``status`` line.
    """
    empty: dict[str, Any] = {
        "options": [],
        "outcome": None,
        "outcome_y": None,
        "columns": [],
        "rows": [],
    }
    if not sweep_id:
        msg = "No sweep to show."
        fig = figures.empty_figure(msg)
        return {**empty, "dist": fig, "scatter": fig, "status": msg}
    try:
        data = sweeps.load(sweep_id)
    except SweepError as exc:
        fig = figures.empty_figure("sweep not available")
        return {**empty, "dist": fig, "scatter": fig, "status": str(exc)}
    runs, options = data.runs, data.outcomes
    x = _pick(options, outcome)
    y = _pick(options, outcome_y, avoid=x)
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    if x is None or y is None or ok.empty:
        fig = figures.empty_figure("no finished runs with outcomes")
        dist, scatter = fig, fig
    else:
        groups = {str(p): g[x].tolist() for p, g in ok.groupby("policy", sort=False)}
        run_ids = {str(p): g["run_id"].tolist() for p, g in ok.groupby("policy", sort=False)}
        dist = figures_sweeps.outcome_distribution_figure(groups, outcome=x, run_ids=run_ids)
        scatter = figures_sweeps.outcome_scatter_figure(ok, x=x, y=y)
    cols = [c for c in RUN_BASE if c in runs] + data.parameters + options
    cols = list(dict.fromkeys(c for c in cols if c in runs and c != "policy_id"))
    table = runs[cols].copy()
    numeric = {c for c in cols if pd.api.types.is_numeric_dtype(table[c])}
    table = table.astype(object).where(table.notna(), None)
    rows = [{**row, "id": row["run_id"]} for row in table.to_dict("records")]
    entry = data.entry
    status = f"{entry.name}: {entry.ok} ok, {entry.failed} failed of {entry.total} runs"
    return {
        "options": options,
        "outcome": x,
        "outcome_y": y,
        "dist": dist,
        "scatter": scatter,
        "columns": _columns(cols, numeric),
        "rows": rows,
        "status": status,
    }


def rebuild_run(
    sweeps: SweepStore, store: RecordStore, sweep_id: str | None, run_id: object
) -> tuple[str | None, str]:
    """Rebuild a run into the records folder (once) and return its record id.

    Args:
        sweeps: The sweep store.
        store: The record store (its folder receives the record; rescanned).
        sweep_id: The sweep's id.
        run_id: The run's id (checked against the sweep's design).

    Returns:
        ``(record id, message)``; the id is None when the run could not be rebuilt.
    """
    try:
        folder, rebuilt = sweeps.rebuild(sweep_id, run_id, store.root)
    except SweepError as exc:
        return None, str(exc)
    store.refresh()
    found = next((e for e in store.entries() if e.name == folder.name), None)
    if found is None or not found.readable:
        reason = found.reason if found else "not listed in the records folder"
        return None, f"run {run_id} was rebuilt but its record is unreadable: {reason}"
    verb = "Rebuilt" if rebuilt else "Already rebuilt:"
    return found.record_id, f"{verb} run {run_id} as {folder.name}."


def clicked_run(trigger: str | None, active_cell: Any, click: Any) -> str | None:
    """The run id of a table click or a figure point click (None for anything else)."""
    if trigger == ids.EXP_RUNS and isinstance(active_cell, dict):
        row_id = active_cell.get("row_id")
        return row_id if isinstance(row_id, str) else None
    if trigger in (ids.EXP_DIST, ids.EXP_SCATTER) and isinstance(click, dict):
        points = click.get("points") or []
        custom = points[0].get("customdata") if points and isinstance(points[0], dict) else None
        return custom if isinstance(custom, str) else None
    return None


def register(app: dash.Dash, store: RecordStore, sweeps: SweepStore) -> None:
    """Attach the page's callbacks to an app."""

    @app.callback(
        Output(ids.EXP_OUTCOME, "options"),
        Output(ids.EXP_OUTCOME, "value"),
        Output(ids.EXP_OUTCOME_Y, "options"),
        Output(ids.EXP_OUTCOME_Y, "value"),
        Output(ids.EXP_DIST, "figure"),
        Output(ids.EXP_SCATTER, "figure"),
        Output(ids.EXP_RUNS, "columns"),
        Output(ids.EXP_RUNS, "data"),
        Output(ids.EXP_STATUS, "children"),
        Input(ids.EXP_SWEEP, "value"),
        Input(ids.EXP_OUTCOME, "value"),
        Input(ids.EXP_OUTCOME_Y, "value"),
    )
    def _view(sweep_id: str | None, outcome: str | None, outcome_y: str | None) -> tuple:
        v = sweep_view(sweeps, sweep_id, outcome, outcome_y)
        return (
            v["options"],
            v["outcome"],
            v["options"],
            v["outcome_y"],
            v["dist"],
            v["scatter"],
            v["columns"],
            v["rows"],
            v["status"],
        )

    @app.callback(
        Output(ids.EXP_RERUN_STATUS, "children"),
        Input(ids.EXP_RUNS, "active_cell"),
        Input(ids.EXP_SCATTER, "clickData"),
        Input(ids.EXP_DIST, "clickData"),
        State(ids.EXP_SWEEP, "value"),
        prevent_initial_call=True,
    )
    def _rebuild(
        active_cell: Any, scatter_click: Any, dist_click: Any, sweep_id: str | None
    ) -> Any:
        trigger = dash.ctx.triggered_id
        click = dist_click if trigger == ids.EXP_DIST else scatter_click
        run_id = clicked_run(trigger, active_cell, click)
        if run_id is None:
            raise PreventUpdate
        record_id, message = rebuild_run(sweeps, store, sweep_id, run_id)
        if record_id is None:
            return html.Span(message, className="error")
        return html.Span([message, " ", dcc.Link("Replay it", href=f"/replay/{record_id}")])
