"""Records page: every run in the folder, filter and sort, open one or compare several."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, dash_table, html
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.components import unreadable_list
from dashboard.store import RecordStore, is_valid_id
from dashboard.views import SUMMARY_COLUMNS, record_row, summary_keys

BASE_COLUMNS = [
    {"name": "open", "id": "open", "presentation": "markdown"},
    {"name": "scenario", "id": "scenario"},
    {"name": "strategy", "id": "strategy"},
    {"name": "seed", "id": "seed", "type": "numeric"},
    {"name": "rounds", "id": "rounds", "type": "numeric"},
]
NUMBER_FORMAT = {"specifier": ".4~g"}


def _columns(summary_keys: list[str]) -> list[dict[str, Any]]:
    """Columns of the records table."""
    summary = [
        {
            "name": SUMMARY_COLUMNS.get(key, key.replace("_", " ")),
            "id": key,
            "type": "numeric",
            "format": NUMBER_FORMAT,
        }
        for key in summary_keys
    ]
    return [*BASE_COLUMNS, *summary, {"name": "folder", "id": "folder"}, {"name": "id", "id": "id"}]


def layout(store: RecordStore) -> html.Div:
    """Records page layout (rescans the folder).

    Args:
        store: The record store.

    Returns:
        The page.
    """
    store.refresh()
    entries = store.readable()
    keys = summary_keys(entries)
    rows = [record_row(e, keys) for e in entries]
    return html.Div(
        [
            html.H2("Run records"),
            html.P(f"{len(rows)} readable record(s) in {store.root.name or store.root}."),
            html.Div(
                className="controls",
                children=[
                    html.Button("Replay selected", id=ids.RECORDS_OPEN, n_clicks=0),
                    html.Button("Compare selected", id=ids.RECORDS_COMPARE, n_clicks=0),
                    html.Span(id=ids.RECORDS_HINT, className="hint"),
                ],
            ),
            dash_table.DataTable(  # type: ignore[attr-defined]
                id=ids.RECORDS_TABLE,
                columns=_columns(keys),
                data=rows,
                filter_action="native",
                sort_action="native",
                sort_mode="multi",
                row_selectable="multi",
                selected_row_ids=[],
                page_size=25,
                markdown_options={"link_target": "_self"},
                style_table={"overflowX": "auto"},
                style_cell={"fontFamily": "sans-serif", "fontSize": 13, "padding": "4px"},
            ),
            unreadable_list(ids.RECORDS_UNREADABLE, "entries", store.entries()),
        ]
    )


def go_to(
    trigger: str | None, selected: list[str] | None, store: RecordStore
) -> tuple[Any, Any, str]:
    """Decide where the Replay/Compare buttons lead.

    Args:
        trigger: Id of the clicked button.
        selected: Selected record ids.
        store: The record store (ids are checked against its listing).

    Returns:
        ``(pathname, search, hint)``; ``dash.no_update`` where nothing changes.
    """
    chosen = [s for s in selected or [] if is_valid_id(s)]
    known = {e.record_id for e in store.readable()}
    chosen = [s for s in chosen if s in known]
    if trigger == ids.RECORDS_OPEN:
        if len(chosen) != 1:
            return dash.no_update, dash.no_update, "Select exactly one record to replay."
        return f"/replay/{chosen[0]}", "", ""
    if trigger == ids.RECORDS_COMPARE:
        if len(chosen) < 2:
            return dash.no_update, dash.no_update, "Select two or more records to compare."
        return "/compare", "?ids=" + ",".join(chosen), ""
    return dash.no_update, dash.no_update, ""


def register(app: dash.Dash, store: RecordStore) -> None:
    """Attach the page's callbacks to an app."""

    @app.callback(
        Output(ids.URL, "pathname"),
        Output(ids.URL, "search"),
        Output(ids.RECORDS_HINT, "children"),
        Input(ids.RECORDS_OPEN, "n_clicks"),
        Input(ids.RECORDS_COMPARE, "n_clicks"),
        State(ids.RECORDS_TABLE, "selected_row_ids"),
        prevent_initial_call=True,
    )
    def _go(n_open: int, n_compare: int, selected: list[str] | None) -> tuple[Any, Any, str]:
        if not (n_open or n_compare):
            raise PreventUpdate  # the buttons being rendered, not clicked
        return go_to(dash.ctx.triggered_id, selected, store)
