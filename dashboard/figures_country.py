"""Pure figure builders for a country's panel: its sources by refiner and mine origin."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import (
    _title,
    assign_colors,
    empty_figure,
    make_figure,
)

SOURCE_BARS = ("by refiner", "by mine origin")


def sources_figure(sources: pd.DataFrame, *, title: str = "") -> go.Figure:
    """Stacked horizontal bars of a country's consumption by refiner and by mine origin.

    Bars are drawn as filled rectangles of ``scatter`` traces (the app ships plotly.js's geo
    bundle, which has scatter, scattergeo and choropleth but no bar trace).

    Args:
        sources: Rows ``refiner, mine_origin, tonnes`` of one country, mineral and round.
        title: Figure title.

    Returns:
        The figure: one trace per partner holding its segment of each bar (y 0: by refiner,
        y 1: by mine origin); ``customdata`` holds the tonnes of each segment.
    """
    if sources.empty:
        return empty_figure("no sources recorded")
    totals = [sources.groupby(col)["tonnes"].sum() for col in ("refiner", "mine_origin")]
    partners = sorted({str(p) for t in totals for p in t.index})
    colors = assign_colors(partners)
    left = [0.0, 0.0]
    traces = []
    for p in partners:
        xs: list[float | None] = []
        ys: list[float | None] = []
        tonnes = []
        for bar, total in enumerate(totals):
            width = float(total.get(p, 0.0))
            x0, x1, y0, y1 = left[bar], left[bar] + width, bar - 0.35, bar + 0.35
            xs += [x0, x1, x1, x0, x0, None]
            ys += [y0, y0, y1, y1, y0, None]
            tonnes += [width] * 6
            left[bar] = x1
        traces.append(
            {
                "type": "scatter",
                "x": xs,
                "y": ys,
                "mode": "lines",
                "fill": "toself",
                "fillcolor": colors[p],
                "line": {"width": 0.5, "color": "white"},
                "name": p,
                "customdata": tonnes,
                "hoveron": "fills+points",
                "hovertemplate": f"{p}: %{{customdata:,.0f}} t<extra></extra>",
            }
        )
    layout = {
        "title": _title(title),
        "margin": {"l": 100, "r": 10, "t": 30, "b": 40},
        "xaxis": {"title": _title("tonnes"), "range": [0, max(left) * 1.02 or 1.0]},
        "yaxis": {
            "tickvals": [0, 1],
            "ticktext": list(SOURCE_BARS),
            "range": [-0.6, 1.6],
            "fixedrange": True,
        },
        "height": 240,
        "legend": {"orientation": "h", "y": -0.55},
    }
    return make_figure(traces, layout)
