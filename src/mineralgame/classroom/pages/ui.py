"""Small building blocks shared by the classroom pages: tables, cards, choices, headers, the
countdown and the poll that drives it, banners, messages and the join card."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import dash
import flask
from dash import Input, Output, dcc, html, no_update

from mineralgame.classroom.engine import ClassroomError
from mineralgame.classroom.entities import PHASE_LABELS, Session
from mineralgame.classroom.qr import qr_data_uri
from mineralgame.classroom.validation import InputError

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


def card(title: str, element_id: str, *more: tuple[str, str]) -> html.Section:
    """A card: a heading over a box callbacks fill, then more (subheading, box id) pairs."""
    children: list[Any] = [html.H3(title), html.Div(id=element_id)]
    for subtitle, box_id in more:
        children += [html.H4(subtitle), html.Div(id=box_id)]
    return html.Section(className="card", children=children)


def choice(element_id: str, labels: Mapping[str, str], value: str) -> dcc.Dropdown:
    """A dropdown of fixed choices (value → label) that cannot be cleared."""
    options = [{"label": label, "value": key} for key, label in labels.items()]
    return dcc.Dropdown(id=element_id, options=options, value=value, clearable=False)


def timer_data(session: Session) -> dict[str, Any]:
    """What the countdown needs (it ticks in the browser between polls)."""
    now = time.time()
    return {
        "remaining": session.remaining(now),
        "paused": session.paused,
        "stamp": f"{session.version}-{int(now)}",
    }


def banner_class(text: str) -> str:
    """The broadcast banner's class (hidden when there is no message)."""
    return "banner" if text else "banner empty"


def banner(text: str, element_id: str) -> html.Div:
    """The broadcast banner (empty when there is no message)."""
    return html.Div(text, id=element_id, className=banner_class(text))


def banner_outputs(element_id: str) -> list[Output]:
    """The banner's text and class, as callback outputs (see :func:`banner_values`)."""
    return [Output(element_id, "children"), Output(element_id, "className")]


def banner_values(text: str) -> tuple[str, str]:
    """The values of :func:`banner_outputs` for a broadcast message."""
    return text, banner_class(text)


def message(text: str, ok: bool = True) -> html.Div:
    """A feedback line under a form."""
    return html.Div(text, className="ok" if ok else "error")


def act_outputs(message_id: str, prefix: str) -> list[Output]:
    """A form's message line and its page's version store (see :func:`act`)."""
    return [
        Output(message_id, "children"),
        Output(f"{prefix}-version", "data", allow_duplicate=True),
    ]


def act[T](caller: T | None, denied: str, action: Callable[[T], str]) -> tuple[Any, Any]:
    """Run a form's action for its caller (a seat or the facilitator; None: ``denied``).

    Returns:
        The form's message line and the version store's new value: -1 after the action (no
        session has that version, so the page refreshes); unchanged when it was refused.
    """
    if caller is None:
        return message(denied, ok=False), no_update
    try:
        text = action(caller)
    except (InputError, ClassroomError) as exc:
        return message(str(exc), ok=False), no_update
    return message(text), -1


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


def poll_outputs(prefix: str) -> list[Output]:
    """What a page's poll sets first: version, timer, round and phase (see :func:`poll_values`)."""
    return [
        Output(f"{prefix}-version", "data"),
        Output(f"{prefix}-timer", "data"),
        Output(f"{prefix}-round", "children"),
        Output(f"{prefix}-phase", "children"),
    ]


def poll_values(session: Session, version: int | None) -> tuple[Any, ...]:
    """The values of :func:`poll_outputs`; the version only when it moved (the page refreshes)."""
    return (
        no_update if version == session.version else session.version,
        timer_data(session),
        f"Round {session.round + 1} of {session.config.rounds}",
        PHASE_LABELS[session.phase],
    )


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


def join_url(code: str, public_url: str | None) -> str:
    """The URL students open to join."""
    base = (public_url or flask.request.host_url).rstrip("/")
    return f"{base}/play/{code}"


def join_card(code: str, public_url: str | None, element_id: str) -> html.Div:
    """The join code, URL and QR code."""
    url = join_url(code, public_url)
    uri = qr_data_uri(url)
    qr = html.Img(src=uri, id=f"{element_id}-qr", className="qr") if uri else html.Div()
    return html.Div(
        id=element_id,
        className="joincard",
        children=[
            html.Div(["Join code ", html.B(code, className="code")]),
            html.Div(url, className="joinurl", id=f"{element_id}-url"),
            qr,
        ],
    )
