"""Compare page: two or more records, or two strategies across seeds paired by seed.

Three figures (side by side with shared scales, differences, mean with a 5–95 % band), each
with a CSV download of the data behind it.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, dcc, html

from dashboard import figures_compare, ids
from dashboard.store import RecordError, RecordStore, is_valid_id
from dashboard.views import (
    COMPARE_MEASURES,
    CompareData,
    compare_records,
    compare_strategies,
    pair_by_seed,
    record_label,
    strategies_of,
)

MAX_RECORDS = 12
MAX_PAIRS = 100
GRAPH_CONFIG: Any = {"displaylogo": False}
PREFERRED = ("derisk", "decouple")


def _options(store: RecordStore) -> list[dict[str, str]]:
    """Dropdown options for every readable record."""
    out = []
    for e in store.readable():
        m = e.manifest
        label = (
            f"{m.get('scenario_name', '?')} · {m.get('strategy', '?')} · seed {m.get('seed', '?')}"
        )
        out.append({"label": f"{label} [{e.record_id[:6]}]", "value": e.record_id})
    return out


def _minerals(store: RecordStore, record_ids: list[str]) -> list[str]:
    """Minerals of the first loadable record (the chosen ones first)."""
    for rid in [*record_ids, *(e.record_id for e in store.readable())]:
        try:
            return store.load(rid).frames.minerals
        except RecordError:
            continue
    return []


def defaults(store: RecordStore, query: dict[str, str]) -> dict[str, Any]:
    """Initial choices from the URL query (``ids=a,b`` or ``a=derisk&b=decouple``).

    Ids that are malformed or not listed are dropped; the default is derisk vs decouple when
    both exist, else the first two records.
    """
    known = {e.record_id for e in store.readable()}
    chosen = [i for i in query.get("ids", "").split(",") if is_valid_id(i) and i in known]
    strategies = strategies_of(store.entries())
    a, b = query.get("a"), query.get("b")
    mode = "records" if chosen else "strategies"
    if not chosen and not (a in strategies and b in strategies):
        if all(s in strategies for s in PREFERRED):
            a, b = PREFERRED
        elif len(strategies) >= 2:
            a, b = strategies[0], strategies[1]
        else:
            mode = "records"
            chosen = [e.record_id for e in store.readable()][:2]
    return {
        "mode": mode,
        "ids": chosen[:MAX_RECORDS],
        "a": a if a in strategies else None,
        "b": b if b in strategies else None,
        "strategies": strategies,
    }


def mode_classes(mode: str | None) -> tuple[str, str]:
    """CSS classes of the records box and the strategies box for a mode (one is hidden)."""
    if mode == "strategies":
        return "controls hidden", "controls"
    return "controls", "controls hidden"


def _figure_card(title: str, graph_id: str, button_id: str) -> html.Div:
    """A figure with its CSV button."""
    return html.Div(
        className="card wide",
        children=[
            html.Div(
                className="card-head",
                children=[html.H3(title), html.Button("Download CSV", id=button_id, n_clicks=0)],
            ),
            dcc.Graph(id=graph_id, config=GRAPH_CONFIG, style={"height": "360px"}),
        ],
    )


def layout(store: RecordStore, query: dict[str, str]) -> html.Div:
    """Compare page layout.

    Args:
        store: The record store.
        query: URL query parameters.

    Returns:
        The page.
    """
    d = defaults(store, query)
    minerals = _minerals(store, d["ids"])
    scenarios = sorted({str(e.manifest.get("scenario_name")) for e in store.readable()})
    records_cls, strategies_cls = mode_classes(d["mode"])
    return html.Div(
        [
            html.H2("Compare runs"),
            html.Div(
                className="controls",
                children=[
                    dcc.RadioItems(
                        id=ids.COMPARE_MODE,
                        options=[
                            {"label": "records", "value": "records"},
                            {"label": "two strategies, paired by seed", "value": "strategies"},
                        ],
                        value=d["mode"],
                        inline=True,
                    ),
                    dcc.Dropdown(
                        id=ids.COMPARE_MEASURE,
                        options=[{"label": v[0], "value": k} for k, v in COMPARE_MEASURES.items()],
                        value="shortfall_share",
                        clearable=False,
                        className="dropdown wide",
                    ),
                    dcc.Dropdown(
                        id=ids.COMPARE_MINERAL,
                        options=minerals,
                        value=minerals[0] if minerals else None,
                        clearable=False,
                        className="dropdown",
                    ),
                ],
            ),
            html.Div(
                id=ids.COMPARE_RECORDS_BOX,
                className=records_cls,
                children=dcc.Dropdown(
                    id=ids.COMPARE_RECORDS,
                    options=_options(store),
                    value=d["ids"],
                    multi=True,
                    placeholder="records to compare (the first is the baseline)",
                    className="dropdown xwide",
                ),
            ),
            html.Div(
                id=ids.COMPARE_STRATEGIES_BOX,
                className=strategies_cls,
                children=[
                    dcc.Dropdown(
                        id=ids.COMPARE_STRATEGY_A,
                        options=d["strategies"],
                        value=d["a"],
                        placeholder="strategy A (baseline)",
                        className="dropdown",
                    ),
                    html.Span("vs"),
                    dcc.Dropdown(
                        id=ids.COMPARE_STRATEGY_B,
                        options=d["strategies"],
                        value=d["b"],
                        placeholder="strategy B",
                        className="dropdown",
                    ),
                    dcc.Dropdown(
                        id=ids.COMPARE_SCENARIO,
                        options=scenarios,
                        value=scenarios[0] if len(scenarios) == 1 else None,
                        placeholder="any scenario",
                        className="dropdown",
                    ),
                ],
            ),
            html.P(id=ids.COMPARE_STATUS, className="hint"),
            _figure_card("Side by side (shared scale)", ids.COMPARE_SIDE, ids.COMPARE_CSV_SIDE),
            _figure_card("Difference", ids.COMPARE_DIFF, ids.COMPARE_CSV_DIFF),
            _figure_card("Members: mean with 5–95 % band", ids.COMPARE_BAND, ids.COMPARE_CSV_BAND),
            dcc.Download(id=ids.COMPARE_DOWNLOAD),
        ]
    )


def compute(
    store: RecordStore,
    mode: str,
    record_ids: list[str] | None,
    strategy_a: str | None,
    strategy_b: str | None,
    scenario: str | None,
    measure: str,
    mineral: str | None,
) -> tuple[CompareData, str]:
    """Gather the compare data for the current choices.

    Returns:
        The data and a status line (what is compared, or why nothing is).
    """
    if measure not in COMPARE_MEASURES or not mineral:
        return CompareData(), "Choose a measure and a mineral."
    if mode == "strategies":
        if not strategy_a or not strategy_b or strategy_a == strategy_b:
            return CompareData(), "Choose two different strategies."
        pairs = pair_by_seed(store.readable(), strategy_a, strategy_b, scenario)[:MAX_PAIRS]
        loaded = []
        for a, b in pairs:
            try:
                loaded.append((store.load(a), store.load(b)))
            except RecordError:
                continue
        if not loaded:
            return CompareData(), f"No runs of {strategy_a} and {strategy_b} share a seed."
        data = compare_strategies(loaded, (strategy_a, strategy_b), measure, mineral)
        return data, f"{strategy_b} vs {strategy_a}: {len(loaded)} run pair(s) matched by seed."
    chosen, refused = [], []
    for rid in (record_ids or [])[:MAX_RECORDS]:
        try:
            chosen.append(store.load(rid))
        except RecordError as exc:
            refused.append(f"{str(rid)[:12]}: {exc}")
    if len(chosen) < 2:
        status = "Choose two or more records."
        return CompareData(), status + (f" Refused: {'; '.join(refused)}" if refused else "")
    status = "Comparing " + ", ".join(record_label(r) for r in chosen) + "."
    return compare_records(chosen, measure, mineral), status + (
        f" Refused: {'; '.join(refused)}" if refused else ""
    )


def _figures(data: CompareData, measure: str, mineral: str | None) -> tuple[Any, Any, Any]:
    """The three compare figures."""
    label = COMPARE_MEASURES.get(measure, (measure, None))[0]
    title = f"{label}, {mineral}"
    return (
        figures_compare.side_by_side_figure(data.side, title=title, y_label=label),
        figures_compare.difference_figure(data.diff, title=f"Difference: {title}", y_label=label),
        figures_compare.band_figure(data.band, title=f"Member states: {title}", y_label=label),
    )


CSV_BUTTONS = {
    ids.COMPARE_CSV_SIDE: "side",
    ids.COMPARE_CSV_DIFF: "diff",
    ids.COMPARE_CSV_BAND: "band",
}
INPUTS = (
    ids.COMPARE_MODE,
    ids.COMPARE_RECORDS,
    ids.COMPARE_STRATEGY_A,
    ids.COMPARE_STRATEGY_B,
    ids.COMPARE_SCENARIO,
    ids.COMPARE_MEASURE,
    ids.COMPARE_MINERAL,
)
PROPS = ("value",) * len(INPUTS)


def register(app: dash.Dash, store: RecordStore) -> None:
    """Attach the page's callbacks to an app."""

    @app.callback(
        Output(ids.COMPARE_SIDE, "figure"),
        Output(ids.COMPARE_DIFF, "figure"),
        Output(ids.COMPARE_BAND, "figure"),
        Output(ids.COMPARE_STATUS, "children"),
        *(Input(i, p) for i, p in zip(INPUTS, PROPS, strict=True)),
    )
    def _update(*values: Any) -> tuple[Any, ...]:
        data, status = compute(store, *values)
        return (*_figures(data, values[5], values[6]), status)

    @app.callback(
        Output(ids.COMPARE_RECORDS_BOX, "className"),
        Output(ids.COMPARE_STRATEGIES_BOX, "className"),
        Input(ids.COMPARE_MODE, "value"),
    )
    def _mode(mode: str | None) -> tuple[str, str]:
        return mode_classes(mode)

    @app.callback(
        Output(ids.COMPARE_DOWNLOAD, "data"),
        *(Input(b, "n_clicks") for b in CSV_BUTTONS),
        *(State(i, p) for i, p in zip(INPUTS, PROPS, strict=True)),
        prevent_initial_call=True,
    )
    def _download(*values: Any) -> Any:
        which = CSV_BUTTONS.get(str(dash.ctx.triggered_id))
        if which is None:
            return dash.no_update
        data, _status = compute(store, *values[len(CSV_BUTTONS) :])
        frame = data.csv_frame(which)
        if frame.empty:
            return dash.no_update
        return dcc.send_data_frame(frame.to_csv, f"compare_{which}.csv", index=False)
