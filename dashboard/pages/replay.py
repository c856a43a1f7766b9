"""Replay page: scrub or play a run round by round; map, network, prices, shortfall, events.

Play/pause and stepping run in the browser (a clientside callback driven by ``dcc.Interval``);
the server answers one callback per round change from frames precomputed in the store cache.
"""

from __future__ import annotations

from typing import Any

import dash
import pandas as pd
from dash import Input, Output, Patch, State, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import figures, ids
from dashboard.frames import MAP_MEASURES, RecordFrames
from dashboard.geo import TOPOJSON_URL, actor_of_code
from dashboard.pages.replay_panels import events_table, events_view, render_panel, round_label
from dashboard.store import Record, RecordError, RecordStore

SPEEDS = {"0.5×": 2000, "1×": 1000, "2×": 500, "4×": 250}
GRAPH_CONFIG: Any = {"topojsonURL": TOPOJSON_URL, "displaylogo": False}
PLAY, PAUSE = "▶ Play", "❚❚ Pause"
DEFAULT_MEASURE = "dependence_dominant"
MAX_MARKS = 9

PLAY_JS = (
    """
function(nClicks, nIntervals, value, max, min, disabled) {
    const C = window.dash_clientside;
    const trig = C.callback_context.triggered.map(t => t.prop_id);
    if (trig.includes("PLAY_ID.n_clicks")) {
        if (disabled) {
            const start = value >= max ? min : value;
            return [start, false, "PAUSE_LABEL"];
        }
        return [C.no_update, true, "PLAY_LABEL"];
    }
    if (disabled) { return [C.no_update, C.no_update, C.no_update]; }
    if (value >= max) { return [C.no_update, true, "PLAY_LABEL"]; }
    const next = value + 1;
    return [next, next >= max, next >= max ? "PLAY_LABEL" : "PAUSE_LABEL"];
}
""".replace("PLAY_ID", ids.REPLAY_PLAY)
    .replace("PAUSE_LABEL", PAUSE)
    .replace("PLAY_LABEL", PLAY)
)


def _error(message: str) -> html.Div:
    """A page that says why a record cannot be shown."""
    return html.Div(
        [
            html.H2("Cannot replay this record"),
            html.P(message, id="replay-error"),
            dcc.Link("Back to records", href="/records"),
        ]
    )


def _header(record: Record) -> html.Div:
    """Title line with scenario, strategy, seed and id."""
    m = record.manifest
    return html.Div(
        id=ids.REPLAY_HEADER,
        children=[
            html.H2(f"Replay: {m.get('scenario_name', '?')}"),
            html.Span(
                f"strategy {m.get('strategy', '?')} · seed {m.get('seed', '?')} · "
                f"{len(record.frames.rounds)} rounds · id {record.record_id}",
                className="hint",
            ),
        ],
    )


def _controls(frames: RecordFrames, rnd: int, label: str) -> html.Div:
    """Mineral, measure, play/pause, speed and the round slider."""
    every = max(1, -(-len(frames.rounds) // MAX_MARKS))
    marks = {r: str(frames.years.get(r, r)) for r in frames.rounds[::every]}
    return html.Div(
        className="controls",
        children=[
            dcc.Dropdown(
                id=ids.REPLAY_MINERAL,
                options=frames.minerals,
                value=frames.minerals[0],
                clearable=False,
                className="dropdown",
            ),
            dcc.Dropdown(
                id=ids.REPLAY_MEASURE,
                options=[{"label": v, "value": k} for k, v in MAP_MEASURES.items()],
                value=DEFAULT_MEASURE,
                clearable=False,
                className="dropdown wide",
            ),
            html.Button(PLAY, id=ids.REPLAY_PLAY, n_clicks=0),
            dcc.Dropdown(
                id=ids.REPLAY_SPEED,
                options=[{"label": k, "value": v} for k, v in SPEEDS.items()],
                value=SPEEDS["1×"],
                clearable=False,
                className="dropdown narrow",
            ),
            html.Span(label, id=ids.REPLAY_ROUND_LABEL, className="round-label"),
            html.Div(
                className="slider",
                children=dcc.Slider(
                    id=ids.REPLAY_SLIDER,
                    min=frames.rounds[0],
                    max=frames.rounds[-1],
                    step=1,
                    value=rnd,
                    marks=marks,
                    updatemode="drag",
                ),
            ),
            dcc.Interval(id=ids.REPLAY_INTERVAL, interval=SPEEDS["1×"], disabled=True),
        ],
    )


def _graph(graph_id: str, height: int, figure: Any) -> dcc.Graph:
    """A graph that reads the map from local assets."""
    style = {"height": f"{height}px"}
    return dcc.Graph(id=graph_id, figure=figure, config=GRAPH_CONFIG, style=style)


def layout(store: RecordStore, record_id: str, round_param: str | None = None) -> html.Div:
    """Replay page layout for one record.

    Args:
        store: The record store.
        record_id: Record id from the URL (checked by the store).
        round_param: Optional starting round from ``?round=``.

    Returns:
        The page, or an error page when the id is unknown or the record unreadable.
    """
    try:
        record = store.load(record_id)
    except RecordError as exc:
        return _error(str(exc))
    rnd = record.frames.clamp_round(round_param)
    # The first frame is part of the layout, so the page draws without another round trip.
    first = render_round(store, record.record_id, rnd, "", DEFAULT_MEASURE, None, None)
    map_fig, net_fig, prices_fig, short_fig, event_rows, notes, label = first
    return html.Div(
        [
            dcc.Store(id=ids.REPLAY_RECORD, data=record.record_id),
            dcc.Store(id=ids.REPLAY_COUNTRY, data=None),
            _header(record),
            _controls(record.frames, rnd, label),
            html.Div(
                className="grid",
                children=[
                    html.Div(_graph(ids.REPLAY_MAP, 380, map_fig), className="card"),
                    html.Div(_graph(ids.REPLAY_NETWORK, 380, net_fig), className="card"),
                    html.Div(_graph(ids.REPLAY_PRICES, 300, prices_fig), className="card"),
                    html.Div(_graph(ids.REPLAY_SHORTFALL, 300, short_fig), className="card"),
                    html.Div(
                        className="card",
                        children=[
                            html.H3("Events this round"),
                            html.Div(
                                id=ids.REPLAY_EVENTS,
                                children=[
                                    events_table(event_rows),
                                    html.Div(notes, id=ids.REPLAY_EVENTS_NOTES),
                                ],
                            ),
                        ],
                    ),
                    html.Div(
                        className="card",
                        children=[
                            html.H3("Country", id=ids.REPLAY_PANEL_TITLE),
                            html.Div(
                                id=ids.REPLAY_PANEL,
                                children=html.P("Click a country on the map or network."),
                            ),
                        ],
                    ),
                ],
            ),
        ]
    )


def _timeseries(frames: RecordFrames, mineral: str, rnd: int, country: str | None) -> tuple:
    """Prices by region and shortfall by country, with the cursor at the round."""
    prices = frames.prices.get((mineral, "refined"), pd.DataFrame())
    price_fig = figures.timeseries_figure(
        prices, cursor=rnd, title=f"Refined {mineral} price by region", y_label="USD/t"
    )
    short = frames.shortfall.get(mineral, pd.DataFrame())
    short_fig = figures.timeseries_figure(
        short,
        cursor=rnd,
        title=f"{mineral} shortfall",
        y_label="share of requirement",
        highlight=country,
    )
    return price_fig, short_fig


def _of_mineral(df: pd.DataFrame, mineral: str) -> pd.DataFrame:
    """Rows about one mineral (all rows when the table has no mineral column)."""
    if df.empty or "mineral" not in df.columns:
        return df
    return df[df["mineral"] == mineral]


def _cursor_patch(rnd: int) -> Patch:
    """Move only the cursor of a time-series figure."""
    patch = Patch()
    patch["layout"]["shapes"][0]["x0"] = rnd
    patch["layout"]["shapes"][0]["x1"] = rnd
    return patch


def render_round(
    store: RecordStore,
    record_id: str,
    rnd: object,
    mineral: str,
    measure: str,
    country: str | None,
    trigger: str | None = None,
) -> tuple[Any, ...]:
    """Everything that changes with the round (the scrub callback's body).

    Args:
        store: The record store.
        record_id: Record id.
        rnd: Slider value.
        mineral: Chosen mineral.
        measure: Chosen map measure.
        country: Selected country (or None).
        trigger: Id of the input that changed; on a pure round change the time series only get
            their cursor moved (a ``Patch``).

    Returns:
        ``(map, network, prices, shortfall, event rows, event notes, round label)``.
    """
    frames = store.load(record_id).frames
    r = frames.clamp_round(rnd)
    mineral = mineral if mineral in frames.minerals else frames.minerals[0]
    measure = measure if measure in MAP_MEASURES else DEFAULT_MEASURE
    map_fig = figures.choropleth_figure(
        frames.map_series(measure, mineral, r),
        label=MAP_MEASURES[measure].split(" (")[0],
        zrange=frames.map_ranges.get((measure, mineral), (0.0, 1.0)),
        measure=measure,
        selected=country,
        title=f"{MAP_MEASURES[measure]}, {mineral}",
    )
    flows = frames.round_slice(frames.flows, r, mineral)
    net_fig = figures.network_figure(
        frames.countries,
        frames.roles,
        flows=flows,
        pacts=frames.round_slice(frames.pacts, r),
        contracts=_of_mineral(frames.round_slice(frames.contracts, r), mineral),
        tonnes_max=frames.flow_max.get(mineral, 0.0),
        selected=country,
        title=f"Flows of {mineral}, pacts and deals",
    )
    if trigger == ids.REPLAY_SLIDER:
        prices_fig: Any = _cursor_patch(r)
        short_fig: Any = _cursor_patch(r)
    else:
        prices_fig, short_fig = _timeseries(frames, mineral, r, country)
    rows, notes = frames.memoized(("events", r), lambda: events_view(frames, r))
    return map_fig, net_fig, prices_fig, short_fig, rows, notes, round_label(frames, r)


def selected_country(click: dict | None, actors: set[str]) -> str | None:
    """The actor behind a map or network click (None if the click is not on a country)."""
    try:
        point = (click or {})["points"][0]
    except (KeyError, IndexError, TypeError):
        return None
    code = point.get("customdata") or point.get("location")
    if isinstance(code, list):
        code = code[0] if code else None
    return actor_of_code(str(code), frozenset(actors)) if code else None


def register(app: dash.Dash, store: RecordStore) -> None:
    """Attach the page's callbacks to an app."""
    app.clientside_callback(
        PLAY_JS,
        Output(ids.REPLAY_SLIDER, "value"),
        Output(ids.REPLAY_INTERVAL, "disabled"),
        Output(ids.REPLAY_PLAY, "children"),
        Input(ids.REPLAY_PLAY, "n_clicks"),
        Input(ids.REPLAY_INTERVAL, "n_intervals"),
        State(ids.REPLAY_SLIDER, "value"),
        State(ids.REPLAY_SLIDER, "max"),
        State(ids.REPLAY_SLIDER, "min"),
        State(ids.REPLAY_INTERVAL, "disabled"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        "function(v) { return v; }",
        Output(ids.REPLAY_INTERVAL, "interval"),
        Input(ids.REPLAY_SPEED, "value"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ids.REPLAY_MAP, "figure"),
        Output(ids.REPLAY_NETWORK, "figure"),
        Output(ids.REPLAY_PRICES, "figure"),
        Output(ids.REPLAY_SHORTFALL, "figure"),
        Output(ids.REPLAY_EVENTS_TABLE, "data"),
        Output(ids.REPLAY_EVENTS_NOTES, "children"),
        Output(ids.REPLAY_ROUND_LABEL, "children"),
        Input(ids.REPLAY_SLIDER, "value"),
        Input(ids.REPLAY_MINERAL, "value"),
        Input(ids.REPLAY_MEASURE, "value"),
        Input(ids.REPLAY_COUNTRY, "data"),
        State(ids.REPLAY_RECORD, "data"),
        prevent_initial_call=True,
    )
    def _scrub(
        rnd: int, mineral: str, measure: str, country: str | None, record_id: str
    ) -> tuple[Any, ...]:
        if dash.ctx.triggered_id == ids.REPLAY_COUNTRY and not country:
            raise PreventUpdate  # the store announcing its empty initial value
        try:
            return render_round(
                store, record_id, rnd, mineral, measure, country, dash.ctx.triggered_id
            )
        except RecordError as exc:
            empty = figures.empty_figure(str(exc))
            return empty, empty, empty, empty, [], str(exc), ""

    @app.callback(
        Output(ids.REPLAY_COUNTRY, "data"),
        Input(ids.REPLAY_MAP, "clickData"),
        Input(ids.REPLAY_NETWORK, "clickData"),
        State(ids.REPLAY_RECORD, "data"),
        prevent_initial_call=True,
    )
    def _select(map_click: dict | None, net_click: dict | None, record_id: str) -> Any:
        click = map_click if dash.ctx.triggered_id == ids.REPLAY_MAP else net_click
        try:
            actors = set(store.load(record_id).frames.roles)
        except RecordError:
            return dash.no_update
        return selected_country(click, actors) or dash.no_update

    @app.callback(
        Output(ids.REPLAY_PANEL_TITLE, "children"),
        Output(ids.REPLAY_PANEL, "children"),
        Input(ids.REPLAY_COUNTRY, "data"),
        Input(ids.REPLAY_SLIDER, "value"),
        Input(ids.REPLAY_MINERAL, "value"),
        State(ids.REPLAY_RECORD, "data"),
        prevent_initial_call=True,
    )
    def _panel(country: str | None, rnd: int, mineral: str, record_id: str) -> tuple[str, Any]:
        if not country:
            raise PreventUpdate
        try:
            return render_panel(store, record_id, country, rnd, mineral)
        except RecordError as exc:
            return "Country", html.P(str(exc))
