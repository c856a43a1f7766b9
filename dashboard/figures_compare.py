"""Pure figure builders for comparing runs: side by side, differences, bands across seeds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import (
    DASHES,
    MARGIN,
    PALETTE,
    Trace,
    _rgba,
    _series_trace,
    _title,
    _values,
    assign_colors,
    empty_figure,
    make_figure,
    padded_range,
)


def _all_values(frames: Iterable[pd.DataFrame]) -> np.ndarray:
    """Every value of several frames as one float array."""
    parts = [f.to_numpy(dtype=float).ravel() for f in frames]
    return np.concatenate(parts) if parts else np.array([])


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
    n, gap = len(panels), 0.04
    width = (1 - gap * (n - 1)) / n
    yr = padded_range(_all_values(panels.values()))
    traces: list[Trace] = []
    layout: dict[str, Any] = {"title": _title(title), "margin": MARGIN, "annotations": []}
    seen: set[str] = set()
    colors = assign_colors(str(c) for f in panels.values() for c in f.columns)
    for i, (label, frame) in enumerate(panels.items()):
        suffix = "" if i == 0 else str(i + 1)
        x0 = i * (width + gap)
        layout[f"xaxis{suffix}"] = {
            "domain": [x0, x0 + width],
            "anchor": f"y{suffix}",
            "title": _title("round"),
        }
        layout[f"yaxis{suffix}"] = {
            "anchor": f"x{suffix}",
            "range": yr,
            "title": _title(y_label if i == 0 else ""),
            "showticklabels": i == 0,
        }
        layout["annotations"].append(
            {
                "text": label,
                "x": x0 + width / 2,
                "y": 1.0,
                "xref": "paper",
                "yref": "paper",
                "showarrow": False,
                "yanchor": "bottom",
            }
        )
        for col in frame.columns:
            name = str(col)
            x = [int(r) for r in frame.index]
            trace = _series_trace(name, x, _values(frame, col), colors[name])
            trace.update(
                xaxis=f"x{suffix}",
                yaxis=f"y{suffix}",
                legendgroup=name,
                showlegend=name not in seen,
            )
            traces.append(trace)
            seen.add(name)
    return make_figure(traces, layout)


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
    colors = assign_colors(str(c) for f in diffs.values() for c in f.columns)
    traces = [
        _series_trace(
            f"{col} ({label})",
            [int(r) for r in frame.index],
            _values(frame, col),
            line={"color": colors[str(col)], "dash": DASHES[i % len(DASHES)]},
        )
        for i, (label, frame) in enumerate(diffs.items())
        for col in frame.columns
    ]
    values = _all_values(diffs.values())
    finite = np.abs(values[np.isfinite(values)])
    bound = float(finite.max()) * 1.05 if finite.size and finite.max() > 0 else 1.0
    zero = {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 0, "y1": 0}
    layout = {
        "title": _title(title),
        "margin": MARGIN,
        "xaxis": {"title": _title("round")},
        "yaxis": {"title": _title(y_label), "range": [-bound, bound]},
        "shapes": [{**zero, "line": {"color": "#000", "width": 1}}],
    }
    return make_figure(traces, layout)


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
    traces: list[Trace] = []
    for i, (label, frame) in enumerate(stats.items()):
        color = PALETTE[i % len(PALETTE)]
        x = [int(r) for r in frame.index]
        n = int(frame["n"].max()) if "n" in frame else 0
        edge: Trace = {"type": "scatter", "x": x, "mode": "lines", "legendgroup": label}
        edge |= {"line": {"width": 0, "color": color}, "hoverinfo": "skip"}
        traces += [
            {**edge, "y": _values(frame, "p95"), "showlegend": False, "name": f"{label} p95"},
            {
                **edge,
                "y": _values(frame, "p05"),
                "fill": "tonexty",
                "fillcolor": _rgba(color, 0.2),
                "name": f"{label} 5–95 %",
            },
            {
                "type": "scatter",
                "x": x,
                "y": _values(frame, "mean"),
                "mode": "lines+markers",
                "line": {"width": 2.5, "color": color},
                "legendgroup": label,
                "name": f"{label} mean (n={n})",
            },
        ]
    values = _all_values(f[["p05", "p95", "mean"]] for f in stats.values())
    layout = {
        "title": _title(title),
        "margin": MARGIN,
        "xaxis": {"title": _title("round")},
        "yaxis": {"title": _title(y_label), "range": padded_range(values)},
    }
    return make_figure(traces, layout)
