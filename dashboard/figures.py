"""Pure figure builders: plain data in, ``plotly.graph_objects.Figure`` out.

No builder reads files, touches the store or depends on Dash; each is unit-tested on its
output dict. Scales are passed in (or computed from all the data given), never from the current
round alone, so colours and axes stay fixed while scrubbing and across compared runs.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.geo import map_codes, position

TEMPLATE = "plotly_white"
MARGIN = {"l": 50, "r": 20, "t": 40, "b": 40}
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
)  # fmt: skip
FIXED_COLORS = {
    "CHN": "#d62728",
    "china": "#d62728",
    "USA": "#1f77b4",
    "north_america": "#1f77b4",
    "JPN": "#e377c2",
    "EUR": "#2ca02c",
    "europe": "#2ca02c",
    "AUS": "#ff7f0e",
    "COD": "#8c564b",
    "africa": "#8c564b",
    "ROW": "#7f7f7f",
    "rest": "#7f7f7f",
    "world": "#000000",
}
ROLE_COLORS = {
    "member": "#1f77b4",
    "supplier": "#ff7f0e",
    "dominant": "#d62728",
    "rest_of_world": "#7f7f7f",
}
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
COLORSCALES = {"price_usd_per_t": "Viridis", "stock_cover_days": "Blues"}
NETWORK_X = (-190.0, 195.0)
NETWORK_Y = (-65.0, 85.0)


def color_for(name: str) -> str:
    """Return a stable colour for a country, region or series name."""
    if name in FIXED_COLORS:
        return FIXED_COLORS[name]
    return PALETTE[zlib.crc32(name.encode()) % len(PALETTE)]


def _rgba(hex_color: str, alpha: float) -> str:
    """Convert ``#rrggbb`` to an ``rgba(...)`` string."""
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def padded_range(values: Iterable[float], pad: float = 0.05) -> list[float]:
    """Return ``[lo, hi]`` over finite values with a margin (``[0, 1]`` when there are none)."""
    arr = np.asarray([v for v in values if v is not None], dtype=float)
    arr = arr[np.isfinite(arr)]
    if arr.size == 0:
        return [0.0, 1.0]
    lo, hi = float(arr.min()), float(arr.max())
    span = hi - lo if hi > lo else max(abs(hi), 1.0)
    lo = 0.0 if lo >= 0 and lo - pad * span < 0 else lo - pad * span
    return [lo, hi + pad * span]


def empty_figure(message: str) -> go.Figure:
    """Return a blank figure that shows a message."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_layout(
        template=TEMPLATE,
        margin=MARGIN,
        xaxis={"visible": False},
        yaxis={"visible": False},
    )
    return fig


def choropleth_figure(
    values: Mapping[str, float],
    *,
    label: str,
    zrange: tuple[float, float],
    measure: str = "",
    selected: str | None = None,
    title: str = "",
) -> go.Figure:
    """World map of one value per actor.

    ``EUR`` colours every EU member state; ``ROW`` is not drawn. Locations are ISO-3 codes read
    from the app's local topojson (set ``topojsonURL`` in the graph config).

    Args:
        values: Value by actor code.
        label: Colour bar title.
        zrange: Fixed (min, max) of the colour scale.
        measure: Measure name (chooses the colour scale).
        selected: Actor to outline.
        title: Figure title.

    Returns:
        The figure (one ``choropleth`` trace).
    """
    locations, z, actors, widths = [], [], [], []
    for actor, value in values.items():
        for code in map_codes(actor):
            locations.append(code)
            z.append(value)
            actors.append(actor)
            widths.append(2.5 if actor == selected else 0.5)
    trace = go.Choropleth(
        locations=locations,
        z=z,
        customdata=actors,
        locationmode="ISO-3",
        zmin=zrange[0],
        zmax=zrange[1],
        colorscale=COLORSCALES.get(measure, "YlOrRd"),
        marker={"line": {"color": "#222222", "width": widths}},
        colorbar={"title": {"text": label, "side": "right"}, "thickness": 12},
        hovertemplate="%{customdata} (%{location})<br>%{z:.3~g}<extra></extra>",
    )
    fig = go.Figure(trace)
    fig.update_geos(
        projection_type="natural earth",
        projection_rotation={"lon": 0},
        showframe=False,
        showcoastlines=True,
        showland=True,
        landcolor="#eeeeee",
        showcountries=True,
        countrycolor="#bbbbbb",
        lataxis_range=[-58, 85],
        resolution=110,
    )
    fig.update_layout(
        template=TEMPLATE,
        title={"text": title},
        margin={"l": 0, "r": 0, "t": 30, "b": 0},
        uirevision="map",
    )
    return fig


def _segments(pairs: Iterable[tuple[str, str]]) -> tuple[list[float | None], list[float | None]]:
    """Line segment coordinates (None-separated) between actor positions."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for a, b in pairs:
        (x0, y0), (x1, y1) = position(a), position(b)
        xs += [x0, x1, None]
        ys += [y0, y1, None]
    return xs, ys


def _flow_traces(flows: pd.DataFrame, tonnes_max: float) -> list[go.Scatter]:
    """Trade flows as up to four width classes of arrows-less lines, plus hover midpoints."""
    if flows.empty:
        return []
    agg = flows.groupby(["origin", "destination"], as_index=False)["tonnes"].sum()
    agg = agg[agg["tonnes"] > 0]
    scale = tonnes_max if tonnes_max > 0 else float(agg["tonnes"].max() or 1.0)
    klass = np.clip(np.ceil(4 * agg["tonnes"].to_numpy() / scale), 1, 4).astype(int)
    traces = []
    for k in range(1, 5):
        part = agg[klass == k]
        if part.empty:
            continue
        xs, ys = _segments(zip(part["origin"], part["destination"], strict=True))
        traces.append(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"width": 1.5 * k, "color": "rgba(70,70,70,0.45)"},
                name="trade flow",
                legendgroup="flows",
                showlegend=not traces,
                hoverinfo="skip",
            )
        )
    mids = [
        ((position(o)[0] + position(d)[0]) / 2, (position(o)[1] + position(d)[1]) / 2)
        for o, d in zip(agg["origin"], agg["destination"], strict=True)
    ]
    text = [
        f"{o} → {d}: {t:,.0f} t"
        for o, d, t in agg[["origin", "destination", "tonnes"]].itertuples(index=False)
    ]
    traces.append(
        go.Scatter(
            x=[m[0] for m in mids],
            y=[m[1] for m in mids],
            mode="markers",
            marker={"size": 6, "color": "rgba(70,70,70,0.6)", "symbol": "diamond"},
            text=text,
            hoverinfo="text",
            name="flow",
            showlegend=False,
        )
    )
    return traces


def _pact_traces(pacts: pd.DataFrame) -> list[go.Scatter]:
    """One dashed clique per pact."""
    traces = []
    if pacts.empty:
        return traces
    for i, (pact, members) in enumerate(pacts.groupby("pact")["member"]):
        names = sorted(set(members))
        xs, ys = _segments(combinations(names, 2))
        traces.append(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"width": 2, "dash": "dash", "color": PALETTE[(i + 2) % len(PALETTE)]},
                name=f"pact {pact}",
                hoverinfo="skip",
            )
        )
    return traces


def _deal_trace(contracts: pd.DataFrame) -> list[go.Scatter]:
    """Contracts and deals in force as dotted lines buyer–seller."""
    if contracts.empty:
        return []
    pairs = sorted(set(zip(contracts["buyer"], contracts["seller"], strict=True)))
    xs, ys = _segments(pairs)
    return [
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            line={"width": 2.5, "dash": "dot", "color": "#9467bd"},
            name="deal / contract",
            hoverinfo="skip",
        )
    ]


def network_figure(
    actors: Sequence[str],
    roles: Mapping[str, str],
    *,
    flows: pd.DataFrame,
    pacts: pd.DataFrame,
    contracts: pd.DataFrame,
    tonnes_max: float = 0.0,
    selected: str | None = None,
    title: str = "",
) -> go.Figure:
    """Network of trade flows, pacts and deals with nodes at fixed geographic positions.

    Args:
        actors: Nodes (every actor of the run, so none appear or vanish between rounds).
        roles: Role of each actor (node colour).
        flows: Flows of the round: ``origin, destination, tonnes``.
        pacts: Pact membership of the round: ``pact, member``.
        contracts: Contracts in force: ``buyer, seller``.
        tonnes_max: Largest flow over the whole run (fixes line widths across rounds).
        selected: Actor to highlight.
        title: Figure title.

    Returns:
        The figure; the last trace holds the nodes with the actor code as ``customdata``.
    """
    traces = [*_flow_traces(flows, tonnes_max), *_pact_traces(pacts), *_deal_trace(contracts)]
    xy = [position(a) for a in actors]
    traces.append(
        go.Scatter(
            x=[p[0] for p in xy],
            y=[p[1] for p in xy],
            mode="markers+text",
            text=list(actors),
            textposition="top center",
            customdata=list(actors),
            marker={
                "size": [24 if a == selected else 16 for a in actors],
                "color": [ROLE_COLORS.get(roles.get(a, ""), "#7f7f7f") for a in actors],
                "line": {"width": [3 if a == selected else 1 for a in actors], "color": "#000"},
            },
            hovertemplate="%{customdata}<extra></extra>",
            name="countries",
            showlegend=False,
        )
    )
    fig = go.Figure(traces)
    fig.update_layout(
        template=TEMPLATE,
        title={"text": title},
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis={"range": list(NETWORK_X), "visible": False, "fixedrange": True},
        yaxis={"range": list(NETWORK_Y), "visible": False, "fixedrange": True},
        legend={"orientation": "h", "y": -0.02},
        uirevision="network",
    )
    return fig


def cursor_shape(rnd: float) -> dict[str, object]:
    """Return the vertical cursor line at a round (layout shape, paper-spanning)."""
    return {
        "type": "line",
        "x0": rnd,
        "x1": rnd,
        "xref": "x",
        "y0": 0,
        "y1": 1,
        "yref": "paper",
        "line": {"color": "#444444", "width": 2, "dash": "dot"},
    }


def timeseries_figure(
    frame: pd.DataFrame,
    *,
    cursor: int,
    title: str,
    y_label: str,
    y_range: Sequence[float] | None = None,
    highlight: str | None = None,
) -> go.Figure:
    """Lines over rounds (one per column) with a cursor at the current round.

    Args:
        frame: Rounds (index) × series (columns).
        cursor: Current round (``layout.shapes[0]``).
        title: Figure title.
        y_label: Y axis title.
        y_range: Fixed y range; default: over all the data, padded.
        highlight: Series drawn thicker (e.g. the selected country).

    Returns:
        The figure with fixed x and y ranges.
    """
    if frame.empty:
        return empty_figure("no data")
    rounds = [int(r) for r in frame.index]
    traces = [
        go.Scatter(
            x=rounds,
            y=frame[col].tolist(),
            mode="lines+markers",
            name=str(col),
            line={
                "color": color_for(str(col)),
                "width": 4 if col == highlight else 2,
                "dash": "dash" if col == "world" else "solid",
            },
            marker={"size": 4},
        )
        for col in frame.columns
    ]
    fig = go.Figure(traces)
    yr = list(y_range) if y_range is not None else padded_range(frame.to_numpy().ravel())
    fig.update_layout(
        template=TEMPLATE,
        title={"text": title},
        margin=MARGIN,
        xaxis={"title": {"text": "round"}, "range": [min(rounds) - 0.3, max(rounds) + 0.3]},
        yaxis={"title": {"text": y_label}, "range": yr},
        shapes=[cursor_shape(cursor)],
        legend={"font": {"size": 10}},
        uirevision=title,
    )
    return fig


def sources_figure(sources: pd.DataFrame, *, title: str = "") -> go.Figure:
    """Stacked bars of a country's consumption by refiner and by mine origin.

    Args:
        sources: Rows ``refiner, mine_origin, tonnes`` of one country, mineral and round.
        title: Figure title.

    Returns:
        The figure: one horizontal trace per partner, bars ``by refiner`` and ``by mine origin``.
    """
    if sources.empty:
        return empty_figure("no sources recorded")
    by_refiner = sources.groupby("refiner")["tonnes"].sum()
    by_origin = sources.groupby("mine_origin")["tonnes"].sum()
    partners = sorted(set(by_refiner.index) | set(by_origin.index))
    traces = [
        go.Bar(
            x=[float(by_refiner.get(p, 0.0)), float(by_origin.get(p, 0.0))],
            y=["by refiner", "by mine origin"],
            orientation="h",
            name=str(p),
            marker={"color": color_for(str(p))},
            hovertemplate=f"{p}: %{{x:,.0f}} t<extra></extra>",
        )
        for p in partners
    ]
    fig = go.Figure(traces)
    fig.update_layout(
        template=TEMPLATE,
        barmode="stack",
        title={"text": title},
        margin={"l": 100, "r": 10, "t": 30, "b": 30},
        xaxis={"title": {"text": "tonnes"}},
        height=220,
        legend={"orientation": "h", "y": -0.4},
    )
    return fig


def side_by_side_figure(
    panels: Mapping[str, pd.DataFrame], *, title: str, y_label: str
) -> go.Figure:
    """One panel per run (or strategy), same series colours, one shared y range.

    Args:
        panels: Panel title → rounds × series.
        title: Figure title.
        y_label: Y axis title.

    Returns:
        The figure; every y axis has the same explicit range.
    """
    if not panels:
        return empty_figure("choose records to compare")
    labels = list(panels)
    fig = make_subplots(rows=1, cols=len(labels), shared_yaxes=True, subplot_titles=labels)
    yr = padded_range(np.concatenate([f.to_numpy(dtype=float).ravel() for f in panels.values()]))
    seen: set[str] = set()
    for i, label in enumerate(labels, start=1):
        frame = panels[label]
        for col in frame.columns:
            name = str(col)
            fig.add_trace(
                go.Scatter(
                    x=[int(r) for r in frame.index],
                    y=frame[col].tolist(),
                    mode="lines",
                    name=name,
                    legendgroup=name,
                    showlegend=name not in seen,
                    line={"color": color_for(name)},
                ),
                row=1,
                col=i,
            )
            seen.add(name)
    fig.update_yaxes(range=yr)
    fig.update_yaxes(title_text=y_label, row=1, col=1)
    fig.update_xaxes(title_text="round")
    fig.update_layout(template=TEMPLATE, title={"text": title}, margin=MARGIN)
    return fig


def difference_figure(diffs: Mapping[str, pd.DataFrame], *, title: str, y_label: str) -> go.Figure:
    """Differences (run − baseline) over rounds, one dash style per comparison.

    Args:
        diffs: Comparison label (e.g. ``"B − A"``) → rounds × series of differences.
        title: Figure title.
        y_label: Y axis title.

    Returns:
        The figure, symmetric y range around a zero line (``layout.shapes[0]``).
    """
    if not diffs:
        return empty_figure("choose at least two records")
    traces = []
    for i, (label, frame) in enumerate(diffs.items()):
        for col in frame.columns:
            traces.append(
                go.Scatter(
                    x=[int(r) for r in frame.index],
                    y=frame[col].tolist(),
                    mode="lines",
                    name=f"{col} ({label})",
                    line={"color": color_for(str(col)), "dash": DASHES[i % len(DASHES)]},
                )
            )
    values = np.concatenate([f.to_numpy(dtype=float).ravel() for f in diffs.values()])
    finite = values[np.isfinite(values)]
    bound = float(np.abs(finite).max()) * 1.05 if finite.size and np.abs(finite).max() > 0 else 1.0
    fig = go.Figure(traces)
    fig.update_layout(
        template=TEMPLATE,
        title={"text": title},
        margin=MARGIN,
        xaxis={"title": {"text": "round"}},
        yaxis={"title": {"text": y_label}, "range": [-bound, bound]},
        shapes=[
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": 0,
                "y1": 0,
                "line": {"color": "#000", "width": 1},
            }
        ],
    )
    return fig


def band_figure(stats: Mapping[str, pd.DataFrame], *, title: str, y_label: str) -> go.Figure:
    """Mean with a 5–95 % band across seeds, one colour per group.

    Args:
        stats: Group label → frame indexed by round with columns ``mean, p05, p95, n``.
        title: Figure title.
        y_label: Y axis title.

    Returns:
        The figure: per group an upper edge, a filled lower edge and the mean line.
    """
    if not stats:
        return empty_figure("no runs to aggregate")
    traces = []
    for i, (label, frame) in enumerate(stats.items()):
        color = PALETTE[i % len(PALETTE)]
        x = [int(r) for r in frame.index]
        n = int(frame["n"].max()) if "n" in frame else 0
        traces += [
            go.Scatter(
                x=x,
                y=frame["p95"].tolist(),
                mode="lines",
                line={"width": 0, "color": color},
                legendgroup=label,
                showlegend=False,
                hoverinfo="skip",
                name=f"{label} p95",
            ),
            go.Scatter(
                x=x,
                y=frame["p05"].tolist(),
                mode="lines",
                line={"width": 0, "color": color},
                fill="tonexty",
                fillcolor=_rgba(color, 0.2),
                legendgroup=label,
                name=f"{label} 5–95 %",
                hoverinfo="skip",
            ),
            go.Scatter(
                x=x,
                y=frame["mean"].tolist(),
                mode="lines+markers",
                line={"width": 2.5, "color": color},
                legendgroup=label,
                name=f"{label} mean (n={n})",
            ),
        ]
    values = np.concatenate([f[["p05", "p95", "mean"]].to_numpy().ravel() for f in stats.values()])
    fig = go.Figure(traces)
    fig.update_layout(
        template=TEMPLATE,
        title={"text": title},
        margin=MARGIN,
        xaxis={"title": {"text": "round"}},
        yaxis={"title": {"text": y_label}, "range": padded_range(values)},
    )
    return fig
