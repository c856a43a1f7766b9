"""Pure figure builders for batch sweeps: outcome distributions and scatters by policy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import (
    MARGIN,
    Trace,
    _rgba,
    _title,
    _values,
    assign_colors,
    empty_figure,
    make_figure,
    padded_range,
)


def _quantiles(values: np.ndarray) -> tuple[float, float, float, float, float]:
    """Box statistics: lower whisker, first quartile, median, third quartile, upper whisker.

    Whiskers reach the most extreme values within 1.5 interquartile ranges of the box.
    """
    q1, med, q3 = (float(q) for q in np.quantile(values, [0.25, 0.5, 0.75]))
    iqr = q3 - q1
    inside = values[(values >= q1 - 1.5 * iqr) & (values <= q3 + 1.5 * iqr)]
    return float(inside.min()), q1, med, q3, float(inside.max())


def _jitter(n: int, width: float = 0.3) -> np.ndarray:
    """Deterministic horizontal offsets for ``n`` points (the same on every call)."""
    if n <= 1:
        return np.zeros(n)
    return (np.arange(n) * 0.618033988749895 % 1.0 - 0.5) * width


def outcome_distribution_figure(
    groups: Mapping[str, Sequence[float]],
    *,
    outcome: str,
    run_ids: Mapping[str, Sequence[str]] | None = None,
) -> go.Figure:
    """Box plot of one outcome per policy, with every run as a point.

    Boxes are drawn with ``scatter`` traces (the shipped geo bundle has no box or violin
    trace): a filled rectangle from the first to the third quartile, a median line, whiskers
    to the most extreme runs within 1.5 interquartile ranges, and the runs jittered beside.

    Args:
        groups: Policy label → the outcome of each of its runs (non-finite values skipped).
        outcome: Name of the outcome (axis title).
        run_ids: Policy label → run ids aligned with ``groups`` (``customdata`` of the points,
            so a click on a point names its run).

    Returns:
        The figure: per policy, one ``box`` trace (``meta`` holds the five statistics and the
        count) and one ``points`` trace; policy ``i`` sits at ``x = i``.
    """
    labels = list(groups)
    if not labels:
        return empty_figure("no finished runs")
    colors = assign_colors(labels)
    traces: list[Trace] = []
    everything: list[float] = []
    for i, label in enumerate(labels):
        values = np.asarray(groups[label], dtype=float)
        keep = np.isfinite(values)
        ids = [str(r) for r, k in zip((run_ids or {}).get(label, []), keep, strict=False) if k]
        values = values[keep]
        if values.size == 0:
            continue
        everything += values.tolist()
        lo, q1, med, q3, hi = _quantiles(values)
        x0, x1 = i - 0.25, i + 0.25
        xs = [x0, x1, x1, x0, x0, None, x0, x1, None, i, i, None, i, i]
        ys = [q1, q1, q3, q3, q1, None, med, med, None, q3, hi, None, q1, lo]
        stats = {"min": lo, "q1": q1, "median": med, "q3": q3, "max": hi, "n": int(values.size)}
        traces.append(
            {
                "type": "scatter",
                "x": xs,
                "y": ys,
                "mode": "lines",
                "line": {"color": colors[label], "width": 1.5},
                "fill": "toself",
                "fillcolor": _rgba(colors[label], 0.25),
                "name": label,
                "legendgroup": label,
                "meta": stats,
                "hoverinfo": "skip",
            }
        )
        points: Trace = {
            "type": "scatter",
            "x": (i + 0.35 + np.abs(_jitter(values.size, 0.2))).tolist(),
            "y": values.tolist(),
            "mode": "markers",
            "marker": {"color": colors[label], "size": 6, "opacity": 0.7},
            "name": label,
            "legendgroup": label,
            "showlegend": False,
            "hovertemplate": f"{label}: %{{y:.4~g}}<extra></extra>",
        }
        if ids:
            points["customdata"] = ids
            points["hovertemplate"] = f"{label}: %{{y:.4~g}}<br>run %{{customdata}}<extra></extra>"
        traces.append(points)
    if not traces:
        return empty_figure(f"no finite values of {outcome}")
    layout = {
        "title": _title(f"{outcome} by policy"),
        "margin": MARGIN,
        "xaxis": {
            "tickvals": list(range(len(labels))),
            "ticktext": labels,
            "range": [-0.6, len(labels) - 0.2],
            "zeroline": False,
        },
        "yaxis": {"title": _title(outcome), "range": padded_range(everything)},
        "showlegend": False,
        "height": 380,
    }
    return make_figure(traces, layout)


def outcome_scatter_figure(
    runs: pd.DataFrame, *, x: str, y: str, group: str = "policy", run_id: str = "run_id"
) -> go.Figure:
    """Scatter of two outcomes, one point per run, coloured by policy.

    Args:
        runs: One row per run with columns ``x``, ``y``, ``group`` and ``run_id``.
        x: Outcome on the x axis.
        y: Outcome on the y axis.
        group: Column of the policy label (one trace per label).
        run_id: Column of the run ids (``customdata`` of each point).

    Returns:
        The figure: one ``scatter`` trace per policy, in order of first appearance.
    """
    if runs.empty or x not in runs or y not in runs:
        return empty_figure("no finished runs")
    labels = [str(g) for g in dict.fromkeys(runs[group].astype(str))]
    colors = assign_colors(labels)
    traces: list[Trace] = []
    for label in labels:
        part = runs[runs[group].astype(str) == label]
        traces.append(
            {
                "type": "scatter",
                "x": _values(part, x),
                "y": _values(part, y),
                "mode": "markers",
                "marker": {"color": colors[label], "size": 7, "opacity": 0.8},
                "name": label,
                "customdata": part[run_id].astype(str).tolist() if run_id in part else [],
                "hovertemplate": (
                    f"{label}<br>{x}: %{{x:.4~g}}<br>{y}: %{{y:.4~g}}"
                    "<br>run %{customdata}<extra></extra>"
                ),
            }
        )
    layout = {
        "title": _title(f"{y} against {x}"),
        "margin": MARGIN,
        "xaxis": {"title": _title(x), "range": padded_range(runs[x].astype(float))},
        "yaxis": {"title": _title(y), "range": padded_range(runs[y].astype(float))},
        "legend": {"title": {"text": group}},
        "height": 380,
    }
    return make_figure(traces, layout)
