"""Scenario discovery over a sweep with PRIM, the Patient Rule Induction Method (peeling).

Which box of futures (ranges of the uncertainties) concentrates the runs where a condition
holds, e.g. decoupling's shortfall above 15%, or derisking beating decoupling in the paired
comparison. Tables and an offline HTML page go to ``DIR/analysis/`` like every analysis
(:mod:`mineralgame.experiments.analysis`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mineralgame.experiments.analysis import (
    Analysis,
    analysis_error,
    check_outcomes,
    policy_labels,
    write_outputs,
)
from mineralgame.experiments.spec import Experiment
from mineralgame.experiments.store import open_results

if TYPE_CHECKING:
    import plotly.graph_objects as go

THRESHOLD_RE = re.compile(r"^\s*(<=|>=|<|>)\s*(-?[\d.]+(?:e-?\d+)?)\s*$")


@dataclass(frozen=True)
class Box:
    """A box of futures: numeric limits and kept categories per restricted parameter."""

    limits: dict[str, tuple[float, float]]
    categories: dict[str, tuple[Any, ...]]


def parse_threshold(text: str) -> tuple[str, float]:
    """Parse '> 0.15', '<= 0', ... into (operator, value)."""
    match = THRESHOLD_RE.match(text)
    if not match:
        raise analysis_error(
            f"threshold '{text}' is not understood", "write e.g. '> 0.15' or '<= 0'"
        )
    return match.group(1), float(match.group(2))


def condition(values: pd.Series, threshold: str) -> np.ndarray:
    """Boolean array: which values meet the threshold."""
    op, bound = parse_threshold(threshold)
    v = values.to_numpy(dtype=float)
    ops = {"<": v < bound, "<=": v <= bound, ">": v > bound, ">=": v >= bound}
    return np.asarray(ops[op], dtype=bool)


def prim_peel(
    x: pd.DataFrame, y: np.ndarray, alpha: float = 0.05, min_mass: float = 0.05
) -> tuple[pd.DataFrame, list[Box]]:
    """PRIM peeling: repeatedly drop the alpha-slice that most raises the box's density.

    Args:
        x: Uncertainties (numeric or categorical columns), one row per case.
        y: Whether each case is of interest.
        alpha: Share of the box's cases peeled per step.
        min_mass: Stop when the box holds less than this share of all cases.

    Returns:
        The trajectory (step, coverage, density, mass, restricted) and the box of each step.
    """
    inside = np.ones(len(y), dtype=bool)
    boxes = [Box({}, {})]
    stats = [_box_stats(inside, y, boxes[0])]
    while inside.mean() > min_mass:
        best = _best_peel(x, y, inside, alpha, min_mass)
        if best is None:
            break
        inside = best
        boxes.append(_box_of(x, inside))
        stats.append(_box_stats(inside, y, boxes[-1]))
    trajectory = pd.DataFrame(stats)
    trajectory.insert(0, "step", range(len(stats)))
    return trajectory, boxes


def _best_peel(
    x: pd.DataFrame, y: np.ndarray, inside: np.ndarray, alpha: float, min_mass: float
) -> np.ndarray | None:
    best, best_density = None, -1.0
    for candidate in _candidates(x, inside, alpha):
        if candidate.sum() == 0 or candidate.mean() < min_mass:
            continue
        density = float(y[candidate].mean())
        if density > best_density:
            best, best_density = candidate, density
    return best


def _candidates(x: pd.DataFrame, inside: np.ndarray, alpha: float) -> list[np.ndarray]:
    out = []
    for col in x.columns:
        values = x[col]
        if is_numeric(values):
            v = values.to_numpy(dtype=float)
            lo, hi = np.quantile(v[inside], [alpha, 1.0 - alpha])
            out += [c for c in (inside & (v > lo), inside & (v < hi)) if c.sum() < inside.sum()]
        else:
            present = pd.unique(values[inside])
            if len(present) > 1:
                out += [inside & (values != cat).to_numpy() for cat in present]
    return out


def is_numeric(values: pd.Series) -> bool:
    """Whether PRIM peels a column by quantiles (numbers) or by category (text, booleans)."""
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _box_of(x: pd.DataFrame, inside: np.ndarray) -> Box:
    limits, categories = {}, {}
    for col in x.columns:
        full, kept = x[col], x[col][inside]
        if is_numeric(full):
            if kept.min() > full.min() or kept.max() < full.max():
                limits[col] = (float(kept.min()), float(kept.max()))
        elif kept.nunique() < full.nunique():
            categories[col] = tuple(sorted(map(str, pd.unique(kept))))
    return Box(limits, categories)


def _box_stats(inside: np.ndarray, y: np.ndarray, box: Box) -> dict[str, float]:
    hits = max(int(y.sum()), 1)
    return {
        "coverage": float(y[inside].sum()) / hits,
        "density": float(y[inside].mean()) if inside.any() else 0.0,
        "mass": float(inside.mean()),
        "restricted": float(len(box.limits) + len(box.categories)),
    }


def prim(
    path: str | Path,
    outcome: str,
    threshold: str,
    *,
    where: str | None = None,
    contrast: tuple[str, str] | None = None,
    alpha: float = 0.05,
    min_mass: float = 0.05,
    min_coverage: float = 0.5,
) -> Analysis:
    """Scenario discovery: the box of uncertainties where ``outcome threshold`` holds.

    Args:
        path: Results folder (best from an LHS design).
        outcome: Run scalar.
        threshold: Condition of interest, e.g. '> 0.15'.
        where: Optional SQL filter over the runs (e.g. "strategy = 'decouple'").
        contrast: Two policy labels (A, B): analyse A minus B on matched (point, replicate)
            pairs instead of the outcome itself, e.g. ('derisk', 'decouple') with '< 0'.
        alpha: Peeling share per step.
        min_mass: Smallest box, as a share of all cases.
        min_coverage: The chosen box is the densest with at least this coverage.

    Returns:
        Tables ``trajectory`` (the peeling steps) and ``box`` (limits of the chosen box).
    """
    with open_results(path) as res:
        check_outcomes(res, [outcome])
        exp = res.experiment()
        runs = res.runs(where).assign(policy=lambda d: policy_labels(exp, d))
        cases = _contrast(runs, exp, outcome, contrast) if contrast else runs
        if cases.empty:
            raise analysis_error(
                "no finished runs match", "check --where / --contrast and the sweep"
            )
        x = cases[list(exp.uncertainties)]
        y = condition(cases[outcome], threshold)
        trajectory, boxes = prim_peel(x, y, alpha, min_mass)
        step = choose_box(trajectory, min_coverage)
        box = box_table(x, boxes[step])
        trajectory["chosen"] = trajectory["step"] == step
        label = f"{outcome} {threshold}" + (f" ({contrast[0]} − {contrast[1]})" if contrast else "")
        figs = [tradeoff_figure(trajectory, label), box_figure(box, x, label)]
        tables = {"trajectory": trajectory, "box": box}
        return write_outputs(res, f"prim_{outcome}", tables, figs, f"PRIM: {label}")


def _contrast(
    runs: pd.DataFrame, exp: Experiment, outcome: str, contrast: tuple[str, str]
) -> pd.DataFrame:
    a, b = contrast
    labels = set(runs["policy"])
    for label in contrast:
        if label not in labels:
            raise analysis_error(
                f"policy '{label}' is not in the results", f"use one of {sorted(labels)}"
            )
    keys = ["scenario_id", "replicate"]
    left = runs[runs["policy"] == a][[*keys, *exp.uncertainties, outcome]]
    right = runs[runs["policy"] == b][[*keys, outcome]]
    merged = left.merge(right, on=keys, suffixes=("", "_b"))
    merged[outcome] = merged[outcome] - merged[f"{outcome}_b"]
    return merged


def choose_box(trajectory: pd.DataFrame, min_coverage: float) -> int:
    """The densest step whose coverage is at least ``min_coverage`` (else step 0)."""
    ok = trajectory[trajectory["coverage"] >= min_coverage]
    if ok.empty:
        return 0
    return int(ok.sort_values(["density", "coverage"], ascending=False)["step"].iloc[0])


def box_table(x: pd.DataFrame, box: Box) -> pd.DataFrame:
    """Limits of a box, one row per uncertainty (restricted or not)."""
    rows = []
    for col in x.columns:
        if col in box.limits:
            lo, hi = box.limits[col]
            rows.append({"parameter": col, "restricted": True, "low": lo, "high": hi})
        elif col in box.categories:
            kept = ", ".join(box.categories[col])
            rows.append({"parameter": col, "restricted": True, "categories": kept})
        else:
            rows.append({"parameter": col, "restricted": False})
    return pd.DataFrame(rows, columns=["parameter", "restricted", "low", "high", "categories"])


def tradeoff_figure(trajectory: pd.DataFrame, label: str) -> go.Figure:
    """Coverage against density of the peeling trajectory (the chosen box ringed)."""
    import plotly.graph_objects as go

    chosen = trajectory[trajectory["chosen"]]
    fig = go.Figure(
        [
            go.Scatter(
                x=trajectory["coverage"],
                y=trajectory["density"],
                mode="markers+lines",
                marker=dict(color=trajectory["restricted"], colorscale="Viridis", showscale=True),
                text=trajectory["step"],
                hovertemplate="step %{text}<br>coverage %{x:.2f}<br>density %{y:.2f}"
                "<extra></extra>",
                name="peeling",
            ),
            go.Scatter(
                x=chosen["coverage"],
                y=chosen["density"],
                mode="markers",
                marker=dict(size=16, symbol="circle-open", color="red"),
                name="chosen box",
            ),
        ]
    )
    fig.update_layout(
        title=f"PRIM trade-off: {label}", xaxis_title="coverage", yaxis_title="density"
    )
    return fig


def box_figure(box: pd.DataFrame, x: pd.DataFrame, label: str) -> go.Figure:
    """Restricted numeric ranges of the chosen box, as shares of each full range."""
    import plotly.graph_objects as go

    fig = go.Figure()
    numeric = box[box["restricted"] & box["low"].notna()]
    for name, low, high in zip(numeric["parameter"], numeric["low"], numeric["high"], strict=True):
        col = x[str(name)].astype(float)
        span = (col.max() - col.min()) or 1.0
        lo, hi = (float(low) - col.min()) / span, (float(high) - col.min()) / span
        fig.add_trace(
            go.Bar(
                y=[name],
                x=[hi - lo],
                base=[lo],
                orientation="h",
                name=str(name),
                hovertemplate=f"{name}: {low:.4g} – {high:.4g}<extra></extra>",
            )
        )
    fig.update_layout(
        title=f"PRIM box: {label}",
        xaxis=dict(range=[0, 1], title="share of range"),
        showlegend=False,
    )
    return fig
