"""Pure figure builders: plain data in, ``plotly.graph_objects.Figure`` out.

No builder reads files, touches the store or depends on Dash; each is unit-tested on its
output dict. Scales are passed in (or computed from all the data given), never from the current
round alone, so colours and axes stay fixed while scrubbing and across compared runs.

Builders write traces and layout as plain dicts and wrap them with :func:`make_figure`, which
skips plotly's per-property validation (about 5x faster, which matters while scrubbing); the
unit tests re-validate every builder's output.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import make_colorscale, sequential

from dashboard.geo import map_codes, position

Trace = dict[str, Any]
GRID = "#e8ecf2"
# A small light template: plotly's built-in ones are large (~7 kB in every callback response).
TEMPLATE: dict[str, Any] = {
    "layout": {
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "font": {"color": "#2a3f5f"},
        "hovermode": "closest",
        "title": {"x": 0.02, "xanchor": "left"},
        "xaxis": {"gridcolor": GRID, "zerolinecolor": GRID, "automargin": True},
        "yaxis": {"gridcolor": GRID, "zerolinecolor": GRID, "automargin": True},
    }
}
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
    "rest_of_world": "#7f7f7f",
    "world": "#000000",
}
ROLE_COLORS = {
    "member": "#1f77b4",
    "supplier": "#ff7f0e",
    "dominant": "#d62728",
    "rest_of_world": "#7f7f7f",
}
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
# Explicit scales (low value → first colour): plotly.js's built-in names run the other way
# for some scales, and figures here skip plotly.py's conversion of names.
COLORSCALES = {
    "price_usd_per_t": make_colorscale(sequential.Viridis),
    "stock_cover_days": make_colorscale(sequential.Blues),
}
DEFAULT_COLORSCALE = make_colorscale(sequential.YlOrRd)
NETWORK_X = (-190.0, 195.0)
NETWORK_Y = (-65.0, 85.0)


def make_figure(data: list[Trace], layout: dict[str, Any]) -> go.Figure:
    """Wrap plain trace and layout dicts in a figure (with the light template, unvalidated)."""
    return go.Figure({"data": data, "layout": {"template": TEMPLATE, **layout}}, _validate=False)


def _title(text: str) -> dict[str, str]:
    """A layout title."""
    return {"text": text}


def color_for(name: str) -> str:
    """Return a stable colour for a country, region or series name."""
    if name in FIXED_COLORS:
        return FIXED_COLORS[name]
    return PALETTE[zlib.crc32(name.encode()) % len(PALETTE)]


def assign_colors(names: Iterable[str]) -> dict[str, str]:
    """Colours for the series of one figure: fixed ones first, then distinct palette colours.

    Args:
        names: Series names in drawing order (duplicates ignored).

    Returns:
        Name → colour; no two names share a colour until the palette runs out.
    """
    unique = list(dict.fromkeys(names))
    out = {n: FIXED_COLORS[n] for n in unique if n in FIXED_COLORS}
    free = [c for c in PALETTE if c not in set(out.values())] or list(PALETTE)
    for i, name in enumerate(n for n in unique if n not in out):
        out[name] = free[i % len(free)]
    return out


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
    note = {"text": message, "showarrow": False, "x": 0.5, "y": 0.5}
    return make_figure(
        [],
        {
            "annotations": [{**note, "xref": "paper", "yref": "paper"}],
            "margin": MARGIN,
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
        },
    )


GEO = {
    "projection": {"type": "natural earth", "rotation": {"lon": 0}},
    "showframe": False,
    "showcoastlines": True,
    "showland": True,
    "landcolor": "#eeeeee",
    "showcountries": True,
    "countrycolor": "#bbbbbb",
    "lataxis": {"range": [-58, 85]},
    "resolution": 110,
}


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
    trace = {
        "type": "choropleth",
        "locations": locations,
        "z": z,
        "customdata": actors,
        "locationmode": "ISO-3",
        "zmin": zrange[0],
        "zmax": zrange[1],
        "colorscale": COLORSCALES.get(measure, DEFAULT_COLORSCALE),
        "marker": {"line": {"color": "#222222", "width": widths}},
        "colorbar": {"title": {"text": label, "side": "right"}, "thickness": 12},
        "hovertemplate": "%{customdata} (%{location})<br>%{z:.3~g}<extra></extra>",
    }
    layout = {
        "geo": GEO,
        "title": _title(title),
        "margin": {"l": 0, "r": 0, "t": 30, "b": 0},
        "uirevision": "map",
    }
    return make_figure([trace], layout)


def _segments(pairs: Iterable[tuple[str, str]]) -> tuple[list[float | None], list[float | None]]:
    """Line segment coordinates (None-separated) between actor positions."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for a, b in pairs:
        (x0, y0), (x1, y1) = position(a), position(b)
        xs += [x0, x1, None]
        ys += [y0, y1, None]
    return xs, ys


def _lines(
    pairs: Iterable[tuple[str, str]], name: str, line: dict[str, Any], **extra: Any
) -> Trace:
    """One line trace joining pairs of actors."""
    xs, ys = _segments(pairs)
    return {
        "type": "scatter",
        "x": xs,
        "y": ys,
        "mode": "lines",
        "line": line,
        "name": name,
        "hoverinfo": "skip",
        **extra,
    }


def _flow_traces(flows: pd.DataFrame, tonnes_max: float) -> list[Trace]:
    """Trade flows in up to four width classes of lines, plus hover points at the midpoints."""
    if flows.empty:
        return []
    agg = flows.groupby(["origin", "destination"], as_index=False)["tonnes"].sum()
    agg = agg[agg["tonnes"] > 0]
    if agg.empty:
        return []
    scale = tonnes_max if tonnes_max > 0 else float(agg["tonnes"].max())
    klass = np.clip(np.ceil(4 * agg["tonnes"].to_numpy() / scale), 1, 4).astype(int)
    pairs = list(zip(agg["origin"], agg["destination"], strict=True))
    traces: list[Trace] = []
    for k in range(1, 5):
        chosen = [p for p, c in zip(pairs, klass, strict=True) if c == k]
        if chosen:
            line = {"width": 1.5 * k, "color": "rgba(70,70,70,0.45)"}
            traces.append(
                _lines(chosen, "trade flow", line, legendgroup="flows", showlegend=not traces)
            )
    mids = [
        tuple((u + v) / 2 for u, v in zip(position(o), position(d), strict=True)) for o, d in pairs
    ]
    text = [f"{o} → {d}: {t:,.0f} t" for (o, d), t in zip(pairs, agg["tonnes"], strict=True)]
    traces.append(
        {
            "type": "scatter",
            "x": [m[0] for m in mids],
            "y": [m[1] for m in mids],
            "mode": "markers",
            "marker": {"size": 6, "color": "rgba(70,70,70,0.6)", "symbol": "diamond"},
            "text": text,
            "hoverinfo": "text",
            "name": "flow",
            "showlegend": False,
        }
    )
    return traces


def _pact_traces(pacts: pd.DataFrame) -> list[Trace]:
    """One dashed clique per pact."""
    if pacts.empty:
        return []
    return [
        _lines(
            combinations(sorted(set(members)), 2),
            f"pact {pact}",
            {"width": 2, "dash": "dash", "color": PALETTE[(i + 2) % len(PALETTE)]},
        )
        for i, (pact, members) in enumerate(pacts.groupby("pact")["member"])
    ]


def _deal_traces(contracts: pd.DataFrame) -> list[Trace]:
    """Contracts and deals in force as dotted lines buyer–seller."""
    if contracts.empty:
        return []
    pairs = sorted(
        {(b, s) for b, s in zip(contracts["buyer"], contracts["seller"], strict=True) if b != s}
    )
    line = {"width": 2.5, "dash": "dot", "color": "#9467bd"}
    return [_lines(pairs, "deal / contract", line)] if pairs else []


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
    xy = [position(a) for a in actors]
    nodes = {
        "type": "scatter",
        "x": [p[0] for p in xy],
        "y": [p[1] for p in xy],
        "mode": "markers+text",
        "text": list(actors),
        "textposition": "top center",
        "customdata": list(actors),
        "marker": {
            "size": [24 if a == selected else 16 for a in actors],
            "color": [ROLE_COLORS.get(roles.get(a, ""), "#7f7f7f") for a in actors],
            "line": {"width": [3 if a == selected else 1 for a in actors], "color": "#000"},
        },
        "hovertemplate": "%{customdata}<extra></extra>",
        "name": "countries",
        "showlegend": False,
    }
    traces = [
        *_flow_traces(flows, tonnes_max),
        *_pact_traces(pacts),
        *_deal_traces(contracts),
        nodes,
    ]
    layout = {
        "title": _title(title),
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "xaxis": {"range": list(NETWORK_X), "visible": False, "fixedrange": True},
        "yaxis": {"range": list(NETWORK_Y), "visible": False, "fixedrange": True},
        "legend": {"orientation": "h", "y": -0.02},
        "uirevision": "network",
    }
    return make_figure(traces, layout)


def cursor_shape(rnd: float) -> dict[str, Any]:
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


def _series_trace(
    name: str, x: list[int], y: list[float | None], color: str | None = None, **style: Any
) -> Trace:
    """A line trace, coloured by series name unless a colour is given."""
    line = {"color": color or color_for(name), **style.pop("line", {})}
    return {"type": "scatter", "x": x, "y": y, "mode": "lines", "name": name, "line": line, **style}


def _values(frame: pd.DataFrame, col: Any) -> list[float | None]:
    """A column as a JSON-safe list (NaN → None)."""
    return [None if pd.isna(v) else float(v) for v in frame[col].tolist()]


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
    colors = assign_colors(str(c) for c in frame.columns)
    traces = [
        _series_trace(
            str(col),
            rounds,
            _values(frame, col),
            colors[str(col)],
            mode="lines+markers",
            marker={"size": 4},
            line={
                "width": 4 if col == highlight else 2,
                "dash": "dash" if col == "world" else "solid",
            },
        )
        for col in frame.columns
    ]
    yr = list(y_range) if y_range is not None else padded_range(frame.to_numpy(dtype=float).ravel())
    layout = {
        "title": _title(title),
        "margin": MARGIN,
        "xaxis": {
            "title": _title("round"),
            "range": [min(rounds) - 0.3, max(rounds) + 0.3],
            "dtick": 1 if len(rounds) <= 20 else None,
        },
        "yaxis": {"title": _title(y_label), "range": yr},
        "shapes": [cursor_shape(cursor)],
        "legend": {"font": {"size": 10}},
        "uirevision": title,
    }
    return make_figure(traces, layout)
