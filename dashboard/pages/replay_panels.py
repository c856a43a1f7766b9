"""Replay page panels: the round's events and negotiations, and the selected country's panel.

Dash components built from a record's frames; the page (:mod:`dashboard.pages.replay`) places
them in its layout and rebuilds them from its callbacks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from dash import dash_table, dcc, html

from dashboard import figures_country, ids
from dashboard.frames import RecordFrames
from dashboard.store import RecordStore
from dashboard.views import country_panel, negotiation_sessions, round_events, table_rows

MAX_EVENTS = 200
NEGOTIATION_COLUMNS = (
    "session_id",
    "deal_type",
    "mineral",
    "proposer",
    "responder",
    "end_reason",
    "agreed",
    "n_steps",
    "deal_id",
)
# The record's events columns (mineralgame.recorder.EVENT_COLUMNS) less round and year, which the
# round label shows. Listed here because importing the recorder would load the whole simulation
# package (about a second) into a dashboard that otherwise imports it only on demand.
EVENT_COLUMNS = (
    "kind",
    "actor",
    "target",
    "mineral",
    "stage",
    "magnitude",
    "description",
    "source",
)


def _table(rows: list[dict[str, Any]], columns: tuple[str, ...] | None = None) -> html.Table:
    """A small HTML table of row dicts."""
    if not rows:
        return html.Table()
    cols = [c for c in (columns or tuple(rows[0])) if c in rows[0]]
    head = html.Thead(html.Tr([html.Th(c) for c in cols]))
    body = html.Tbody([html.Tr([html.Td(_fmt(r.get(c))) for c in cols]) for r in rows])
    return html.Table([head, body], className="small-table")


def _fmt(value: object) -> str:
    """Format a table cell."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


def _data_table(table_id: str, columns: Sequence[str], rows: list[dict[str, str]]) -> Any:
    """A compact, paged, sortable table of formatted rows."""
    return dash_table.DataTable(  # type: ignore[attr-defined]
        id=table_id,
        columns=[{"name": c, "id": c} for c in columns],
        data=rows,
        page_size=10,
        sort_action="native",
        style_table={"overflowX": "auto"},
        style_cell={
            "fontFamily": "sans-serif",
            "fontSize": 12,
            "padding": "2px 4px",
            "textAlign": "left",
            "whiteSpace": "normal",
            "height": "auto",
        },
    )


def events_table(rows: list[dict[str, str]]) -> Any:
    """The events table (only its rows change while scrubbing: compact JSON, paged)."""
    return _data_table(ids.REPLAY_EVENTS_TABLE, EVENT_COLUMNS, rows)


def _formatted(df: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, str]]:
    """Rows of a frame as display strings."""
    return [{c: _fmt(r.get(c)) for c in columns} for r in table_rows(df)]


def negotiation_view(frames: RecordFrames, rnd: int, country: str | None = None) -> list[Any]:
    """Negotiation sessions of a round (optionally those a country took part in) and moves.

    Returns:
        Components: a summary line and a sessions table; empty when the record has none.
    """
    sessions = negotiation_sessions(frames, rnd, country)
    offers = frames.round_slice(frames.offers, rnd)
    if country and not offers.empty and {"proposer", "responder"} <= set(offers.columns):
        offers = offers[(offers["proposer"] == country) | (offers["responder"] == country)]
    if sessions.empty and offers.empty:
        return []
    agreed = int(sessions["agreed"].fillna(False).astype(bool).sum()) if "agreed" in sessions else 0
    moves = ""
    if not offers.empty and "action" in offers.columns:
        counts = offers["action"].astype(str).value_counts()
        moves = "; moves: " + ", ".join(f"{n} {a}" for a, n in counts.items())
    line = f"{len(sessions)} session(s), {agreed} agreed{moves}."
    columns = [c for c in NEGOTIATION_COLUMNS if c in sessions.columns] or list(sessions.columns)[
        :8
    ]
    table_id = "replay-panel-negotiation" if country else "replay-negotiation-table"
    return [
        html.P(line, className="hint"),
        _data_table(table_id, columns, _formatted(sessions.head(MAX_EVENTS), columns)),
    ]


def events_view(frames: RecordFrames, rnd: int) -> tuple[list[dict[str, str]], html.Div]:
    """The round's events (logged, and derived from pacts, contracts and projects).

    Returns:
        The rows for the events table (formatted, at most ``MAX_EVENTS``) and notes below it:
        "no events", how many rows were left out, negotiation moves and sessions.
    """
    events = round_events(frames, rnd)
    rows = [{c: _fmt(e.get(c)) for c in EVENT_COLUMNS} for e in events[:MAX_EVENTS]]
    parts: list[Any] = []
    if not events:
        parts.append(html.P("No events this round."))
    elif len(events) > MAX_EVENTS:
        parts.append(html.P(f"… and {len(events) - MAX_EVENTS} more."))
    negotiation = negotiation_view(frames, rnd)
    if negotiation:
        parts += [html.H4("Negotiations"), *negotiation]
    return rows, html.Div(parts)


def round_label(frames: RecordFrames, rnd: int) -> str:
    """'round r (year y)'."""
    return f"round {rnd} ({frames.years.get(rnd, '?')})"


def render_panel(
    store: RecordStore, record_id: str, country: str | None, rnd: object, mineral: str
) -> tuple[str, Any]:
    """The country panel (title and body) for the selected country at a round."""
    if not country:
        return "Country", html.P("Click a country on the map or network.")
    frames = store.load(record_id).frames
    if country not in frames.roles:
        return "Country", html.P("Unknown country.")
    r = frames.clamp_round(rnd)
    data = country_panel(frames, country, r, mineral)
    title = f"{country} ({frames.roles[country]}), {round_label(frames, r)}"
    body = [
        html.H4("Stocks, shortfall and dependence"),
        _table(data["state"]),
        dcc.Graph(
            figure=figures_country.sources_figure(data["sources"], title=f"{mineral} sources"),
            config={"displayModeBar": False},
            id="replay-sources",
        ),
        html.H4("Deals and contracts"),
        _table(data["deals"]) if data["deals"] else html.P("none"),
        html.H4("Projects"),
        _table(data["projects"]) if data["projects"] else html.P("none"),
        html.H4("Pacts"),
        _table(data["pacts"]) if data["pacts"] else html.P("none"),
    ]
    negotiation = negotiation_view(frames, r, country)
    if negotiation:
        body += [html.H4("Negotiations this round"), *negotiation]
    return title, html.Div(body, id="replay-panel-body")
