"""The home page ``/``: type a join code, or create a session as the facilitator."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, dcc, html, no_update

from mineralgame.classroom import security
from mineralgame.classroom.engine import Engine
from mineralgame.classroom.pages import ui


def layout() -> html.Div:
    """Join box and facilitator link."""
    return html.Div(
        id="home",
        className="card",
        children=[
            html.H2("Join a classroom session"),
            html.Label("Join code (on the projector)"),
            dcc.Input(id="home-code", type="text", maxLength=12, placeholder="e.g. K7M2QX"),
            html.Button("Join", id="home-join", className="primary"),
            html.Div(id="home-msg"),
            html.Hr(),
            dcc.Link("Facilitator: create a session", href="/facilitator", id="home-create"),
        ],
    )


def register(app: dash.Dash, engine: Engine) -> None:
    """Attach the home page's callback."""

    @app.callback(
        Output("url", "pathname", allow_duplicate=True),
        Output("home-msg", "children"),
        Input("home-join", "n_clicks"),
        State("home-code", "value"),
        prevent_initial_call=True,
    )
    def _join(_n: int, text: str | None) -> tuple[Any, Any]:
        code = security.normalise_code(text)
        if code is None:
            return no_update, ui.message(
                "a join code has 6 letters and digits (no 0, O, 1, I or L)", ok=False
            )
        if engine.session(code) is None:
            return no_update, ui.message("no session with this code", ok=False)
        return f"/play/{code}", ""
