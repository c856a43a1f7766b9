"""Small building blocks shared by the classroom pages: tables, headers, countdown, messages."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

import dash
from dash import Input, Output, dcc, html

from mineralgame.classroom.entities import Session

POLL_MS = 1500
MAP_CONFIG: Any = {"topojsonURL": "/assets/topojson/", "displaylogo": False}
GRAPH_CONFIG: Any = {"displaylogo": False}

COUNTDOWN_JS = """
function(n, timer) {
    if (!timer || timer.remaining === null || timer.remaining === undefined) { return "—"; }
    window._mgTimers = window._mgTimers || {};
    var key = String(timer.stamp);
    if (!(key in window._mgTimers)) { window._mgTimers[key] = Date.now() / 1000; }
    var left = timer.paused ? timer.remaining :
        Math.max(0, timer.remaining - (Date.now() / 1000 - window._mgTimers[key]));
    var m = Math.floor(left / 60), s = Math.floor(left % 60);
    var text = m + ":" + (s < 10 ? "0" : "") + s;
    if (timer.paused) { text += " (paused)"; } else if (left <= 0) { text += " (time is up)"; }
    return text;
}
"""


def fmt(value: Any) -> str:
    """Format a cell value for a table."""
    if isinstance(value, float):
        if value != value:
            return ""
        if abs(value) >= 1e5:
            return f"{value:,.0f}"
        return f"{value:,.3g}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={fmt(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str] | None = None,
    *,
    table_id: str | None = None,
    empty: str = "nothing yet",
) -> html.Div | html.Table:
    """A plain HTML table (text only, so it is cheap and easy to test)."""
    if not rows:
        return html.Div(empty, className="muted", id=table_id or "")
    cols = list(columns or rows[0].keys())
    head = html.Thead(html.Tr([html.Th(c.replace("_", " ")) for c in cols]))
    body = html.Tbody([html.Tr([html.Td(fmt(r.get(c))) for c in cols]) for r in rows])
    kwargs: dict[str, Any] = {"id": table_id} if table_id else {}
    return html.Table([head, body], className="tbl", **kwargs)


def timer_data(session: Session) -> dict[str, Any]:
    """What the countdown needs (it ticks in the browser between polls)."""
    now = time.time()
    return {
        "remaining": session.remaining(now),
        "paused": session.paused,
        "stamp": f"{session.version}-{int(now)}",
    }


def banner(text: str, element_id: str) -> html.Div:
    """The broadcast banner (empty when there is no message)."""
    return html.Div(text, id=element_id, className="banner" if text else "banner empty")


def message(text: str, ok: bool = True) -> html.Div:
    """A feedback line under a form."""
    return html.Div(text, className="ok" if ok else "error")


def register_countdown(app: dash.Dash, interval_id: str, store_id: str, out_id: str) -> None:
    """Tick a countdown in the browser from a timer store."""
    app.clientside_callback(
        COUNTDOWN_JS,
        Output(out_id, "children"),
        Input(interval_id, "n_intervals"),
        Input(store_id, "data"),
    )


def poller(prefix: str) -> list[Any]:
    """The interval, version store and timer store of a page."""
    return [
        dcc.Interval(id=f"{prefix}-poll", interval=POLL_MS, n_intervals=0),
        dcc.Interval(id=f"{prefix}-tick", interval=1000, n_intervals=0),
        dcc.Store(id=f"{prefix}-version", data=None),
        dcc.Store(id=f"{prefix}-timer", data=None),
    ]


def header(prefix: str) -> html.Div:
    """Round, phase and countdown line."""
    return html.Div(
        className="phasebar",
        children=[
            html.Span(id=f"{prefix}-round", className="round"),
            html.Span(id=f"{prefix}-phase", className="phase"),
            html.Span(["time left ", html.Span(id=f"{prefix}-countdown")], className="countdown"),
        ],
    )


def code_of(pathname: str | None) -> str:
    """The join code in a page path (``/play/ABC234`` → ``ABC234``)."""
    parts = [p for p in (pathname or "").split("/") if p]
    return parts[1] if len(parts) >= 2 else ""
