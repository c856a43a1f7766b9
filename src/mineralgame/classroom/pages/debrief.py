"""The debrief page ``/debrief/<code>``: system charts over the rounds, per-country outcomes,
the pact network's evolution, hidden values revealed, and the bots-only counterfactuals
(the same session replayed with every country a bot under derisking and under decoupling).

Open to everyone once the session has ended; to the facilitator at any time.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, dcc, html

from mineralgame.classroom import auth, briefs, views
from mineralgame.classroom.engine import Engine
from mineralgame.classroom.pages import charts, ui

SUMMARY_KEYS = (
    "cumulative_shortfall_share",
    "cumulative_cost_usd",
    "end_dependence",
    "end_refining_hhi",
    "welfare_usd",
)


def layout() -> html.Div:
    """The debrief shell (rendered once on load)."""
    return html.Div(id="db-page", children=[html.Div(id="db-body")])


def _counterfactual_rows(
    summary: dict[str, Any], counter: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    runs = {"this session": summary, **{f"all bots, {k}": v for k, v in counter.items()}}
    return [{"run": name, **{k: s.get(k) for k in SUMMARY_KEYS}} for name, s in runs.items()]


def _half_graph(element_id: str, figure: Any) -> dcc.Graph:
    """A chart taking half a row (two sit side by side)."""
    return dcc.Graph(id=element_id, figure=figure, className="half", config=ui.GRAPH_CONFIG)


def _body(engine: Engine, code: str) -> html.Div:
    session = engine.session(code)
    if session is None:
        return html.Div([html.H2("No such session")])
    if session.phase != "ended" and auth.current_facilitator(engine, code) is None:
        return html.Div(
            [
                html.H2("Debrief"),
                html.P("The debrief opens when the facilitator ends the session."),
            ],
            id="db-closed",
        )
    view = views.debrief_view(engine, session)
    record = engine.published_record(session)
    if not view["available"] or record is None:
        return html.Div([html.H2("Debrief"), html.P("No round was published.")], id="db-empty")
    alts = {"this session": record}
    for strategy in ("derisk", "decouple"):
        alt = engine.counterfactual(session, strategy)
        if alt is not None:
            alts[f"all bots, {strategy}"] = alt
    last = int(record.tables["country_mineral"]["round"].max())
    pacts = record.tables.get("pacts")
    pact_rows = briefs.json_rows(pacts) if pacts is not None and not pacts.empty else []
    events = record.tables.get("events")
    return html.Div(
        [
            html.H2(f"Debrief — {view['session']['title']} {code}", id="db-title"),
            html.P(f"Record {view['content_hash'][:12]}: replays exactly in the dashboard."),
            html.H3("Per-country outcomes"),
            ui.table(view["outcomes"], table_id="db-outcomes"),
            html.H3("The system over the rounds"),
            html.Div(
                className="row",
                children=[
                    _half_graph("db-shortfall", charts.world_shortfall(record)),
                    _half_graph(
                        "db-prices", charts.prices(record, engine.scenario(session.config))
                    ),
                ],
            ),
            dcc.Graph(
                id="db-dependence",
                figure=charts.dependence_over_rounds(record),
                config=ui.GRAPH_CONFIG,
            ),
            html.H3("How the pact network evolved"),
            html.Div(
                className="row",
                children=[
                    _half_graph("db-network-first", charts.network(record, 0)),
                    _half_graph("db-network-last", charts.network(record, last)),
                ],
            ),
            ui.table(pact_rows, table_id="db-pacts", empty="no pacts were recorded"),
            html.H3("Hidden values revealed"),
            ui.table(view["hidden"], table_id="db-hidden"),
            html.H3("What if every country had been a bot?"),
            ui.table(
                _counterfactual_rows(view["summary"], view["counterfactual"]),
                table_id="db-counterfactual",
            ),
            dcc.Graph(
                id="db-cf-figure", figure=charts.counterfactual_figure(alts), config=ui.GRAPH_CONFIG
            ),
            html.H3("Timeline"),
            ui.table(
                briefs.json_rows(events) if events is not None else [],
                table_id="db-timeline",
                empty="no events",
            ),
            html.H3("Questions for the class"),
            html.Ul(
                [
                    html.Li("Which decision of your delegation mattered most, and why?"),
                    html.Li("Did your pact make you more secure, or only more expensive?"),
                    html.Li("How did the class do compared with the bots-only runs?"),
                    html.Li("Which hidden value surprised you most?"),
                ]
            ),
        ]
    )


def register(app: dash.Dash, engine: Engine) -> None:
    """Attach the debrief's callback."""

    @app.callback(Output("db-body", "children"), Input("url", "pathname"))
    def _render(pathname: str | None) -> html.Div:
        return _body(engine, ui.code_of(pathname))
