"""The projector page ``/projector/<code>``: join code and QR, phase and countdown, who has
submitted, the map, the pact network, prices, round results and the timeline. Public data only.
"""

from __future__ import annotations

import time
from typing import Any

import dash
from dash import Input, Output, State, dcc, html, no_update

from mineralgame.classroom import views
from mineralgame.classroom.engine import Engine
from mineralgame.classroom.pages import charts, ui


def layout() -> html.Div:
    """The projector shell."""
    return html.Div(
        id="pj-page",
        children=[
            *ui.poller("pj"),
            html.H2(id="pj-title"),
            html.Div(id="pj-join"),
            ui.header("pj"),
            html.Div(id="pj-broadcast", className="banner empty"),
            html.Div(id="pj-delegations"),
            html.Div(
                className="row",
                children=[
                    dcc.Graph(id="pj-map", config=ui.MAP_CONFIG, className="half"),
                    dcc.Graph(id="pj-network", config=ui.GRAPH_CONFIG, className="half"),
                ],
            ),
            dcc.Graph(id="pj-prices", config=ui.GRAPH_CONFIG),
            html.H3("Round results"),
            html.Div(id="pj-results"),
            html.H3("Timeline"),
            html.Div(id="pj-timeline"),
        ],
    )


def register(app: dash.Dash, engine: Engine, public_url: str | None) -> None:
    """Attach the projector's callbacks."""
    ui.register_countdown(app, "pj-tick", "pj-timer", "pj-countdown")

    @app.callback(
        *ui.poll_outputs("pj"),
        *ui.banner_outputs("pj-broadcast"),
        Input("pj-poll", "n_intervals"),
        State("url", "pathname"),
        State("pj-version", "data"),
    )
    def _poll(_n: int, pathname: str, version: int | None) -> tuple[Any, ...]:
        session = engine.session(ui.code_of(pathname))
        if session is None:
            return (no_update,) * 6
        return (*ui.poll_values(session, version), *ui.banner_values(session.broadcast))

    @app.callback(
        Output("pj-title", "children"),
        Output("pj-join", "children"),
        Output("pj-delegations", "children"),
        Output("pj-map", "figure"),
        Output("pj-network", "figure"),
        Output("pj-prices", "figure"),
        Output("pj-results", "children"),
        Output("pj-timeline", "children"),
        Input("pj-version", "data"),
        State("url", "pathname"),
    )
    def _refresh(_version: int | None, pathname: str) -> tuple[Any, ...]:
        session = engine.session(ui.code_of(pathname))
        if session is None:
            return ("No such session", *(no_update,) * 7)
        view = views.projector_view(engine, session, time.time())
        record = engine.published_record(session)
        scenario = engine.scenario(session.config)
        res = view["results"]
        delegations = [
            {**d, "submitted": "✓" if d["submitted"] else "…"} for d in view["delegations"]
        ]
        timeline = [
            *res.get("timeline", []),
            *[
                {
                    "round": e["round"],
                    "kind": f"announced {e['kind']}",
                    "description": e["description"],
                }
                for e in res.get("announced", [])
            ],
        ]
        return (
            f"{view['session']['title']} — session {session.code}",
            ui.join_card(session.code, public_url, "pj-joincard"),
            ui.table(delegations, table_id="pj-delegations-table", empty="no delegations"),
            charts.dependence_map(record),
            charts.network(record),
            charts.prices(record, scenario),
            ui.table(res["countries"], table_id="pj-results-table", empty="no results yet"),
            ui.table(
                sorted(timeline, key=lambda r: r["round"]),
                table_id="pj-timeline-table",
                empty="no events yet",
            ),
        )
