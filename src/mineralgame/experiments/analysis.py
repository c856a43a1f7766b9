"""Analyse a sweep: the shared result type and outputs, and outcome summaries by policy.

Every analysis reads a results folder through ``open_results``, returns its tables and writes
them to ``DIR/analysis/`` as CSV together with a self-contained plotly HTML page (plotly.js
inlined, no CDN), so figures open offline.

* ``summary``: outcome distributions by policy, and paired differences between policies
  (common random numbers make each (point, replicate) a matched pair).

Sensitivity indices (Sobol, Morris) are in :mod:`mineralgame.experiments.sensitivity` and PRIM
scenario discovery in :mod:`mineralgame.experiments.discovery`; both build on the helpers here.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mineralgame.experiments.spec import Experiment, ExperimentError
from mineralgame.experiments.store import Results, open_results

if TYPE_CHECKING:
    import plotly.graph_objects as go


@dataclass(frozen=True)
class Analysis:
    """Tables an analysis computed and the files it wrote."""

    tables: dict[str, pd.DataFrame]
    files: list[Path] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Helpers every analysis uses (here, in sensitivity and in discovery)


def policy_labels(exp: Experiment, runs: pd.DataFrame) -> pd.Series:
    """A readable label per run: its lever values joined by '/' ('all' without levers)."""
    if not exp.levers:
        return pd.Series("all", index=runs.index)
    parts = [runs[name].astype(str) for name in exp.levers]
    label = parts[0]
    for part in parts[1:]:
        label = label + "/" + part
    return label


def analysis_error(message: str, fix: str = "") -> ExperimentError:
    """An ExperimentError about an analysis request, with how to fix it."""
    from mineralgame.config.load import Problem

    return ExperimentError([Problem("<analysis>", "", message, fix)])


def check_outcomes(res: Results, names: Sequence[str]) -> None:
    """Raise an ExperimentError naming the stored run scalars if one of ``names`` is not one."""
    known = res.outcomes()
    for name in names:
        if name not in known:
            raise analysis_error(
                f"'{name}' is not a stored run scalar", f"use one of: {', '.join(known)}"
            )


def write_outputs(
    res: Results, stem: str, tables: dict[str, pd.DataFrame], figs: list[go.Figure], title: str
) -> Analysis:
    """Write tables as CSV and figures as one self-contained HTML page under analysis/."""
    folder = res.path / "analysis"
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for name, table in tables.items():
        path = folder / f"{stem}_{name}.csv" if name else folder / f"{stem}.csv"
        table.to_csv(path, index=False)
        files.append(path)
    if figs:
        files.append(write_html(figs, folder / f"{stem}.html", title))
    return Analysis(tables, files)


def write_html(figs: list[go.Figure], path: Path, title: str) -> Path:
    """One HTML page holding every figure, with plotly.js inlined once (works offline)."""
    body = "\n".join(
        fig.to_html(full_html=False, include_plotlyjs=(i == 0)) for i, fig in enumerate(figs)
    )
    page = (
        f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>{html.escape(title)}"
        f"</title></head>\n<body style='font-family:sans-serif'><h1>{html.escape(title)}</h1>\n"
        f"{body}\n</body></html>\n"
    )
    path.write_text(page, "utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# Summary


def summary(
    path: str | Path, outcomes: Sequence[str] | None = None, where: str | None = None
) -> Analysis:
    """Outcome distributions by policy and paired differences between policies.

    Args:
        path: Results folder.
        outcomes: Run scalars to summarise (default: all).
        where: Optional SQL filter over the runs view.

    Returns:
        Tables ``by_policy`` (count, mean, sd, quantiles per policy and outcome) and
        ``paired`` (each policy minus the first, matched on point and replicate).
    """
    with open_results(path) as res:
        names = list(outcomes or res.outcomes())
        check_outcomes(res, names)
        exp = res.experiment()
        runs = res.runs(where).assign(policy=lambda d: policy_labels(exp, d))
        if runs.empty:
            raise analysis_error("no finished runs to summarise", "run the sweep first")
        tables = {"by_policy": by_policy(runs, names), "paired": paired(runs, names)}
        figs = [distribution_figure(runs, name) for name in names]
        return write_outputs(res, "summary", tables, figs, f"{exp.name}: outcomes by policy")


def by_policy(runs: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """Count, mean, sd and quantiles of each outcome per policy (tidy)."""
    rows = []
    for (policy, name), values in _groups(runs, names):
        v = values.dropna().to_numpy(dtype=float)
        q = np.quantile(v, [0.05, 0.25, 0.5, 0.75, 0.95]) if len(v) else [np.nan] * 5
        sd = float(v.std(ddof=1)) if len(v) > 1 else np.nan
        rows.append(
            {"policy": policy, "outcome": name, "n": len(v), "mean": v.mean() if len(v) else np.nan}
            | {"sd": sd, "p05": q[0], "p25": q[1], "median": q[2], "p75": q[3], "p95": q[4]}
        )
    return pd.DataFrame(rows)


def _groups(runs: pd.DataFrame, names: Sequence[str]) -> list[tuple[tuple[str, str], pd.Series]]:
    return [
        ((str(policy), name), group[name])
        for policy, group in runs.groupby("policy", sort=False)
        for name in names
    ]


def paired(runs: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """Each policy minus the first, matched on (point, replicate): mean, sd, share below 0."""
    wide = runs.pivot_table(index=["scenario_id", "replicate"], columns="policy", values=names)
    policies = list(dict.fromkeys(runs["policy"]))
    rows = []
    for name in names:
        for other in policies[1:]:
            diff = (wide[(name, other)] - wide[(name, policies[0])]).dropna()
            rows.append(
                {
                    "outcome": name,
                    "policy": other,
                    "baseline": policies[0],
                    "pairs": len(diff),
                    "mean_diff": diff.mean(),
                    "sd_diff": diff.std(ddof=1) if len(diff) > 1 else np.nan,
                    "share_below_baseline": float((diff < 0).mean()) if len(diff) else np.nan,
                }
            )
    return pd.DataFrame(rows)


def distribution_figure(runs: pd.DataFrame, name: str) -> go.Figure:
    """Box plot (with points) of one outcome by policy."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for policy, group in runs.groupby("policy", sort=False):
        fig.add_trace(
            go.Box(
                y=group[name],
                name=str(policy),
                boxpoints="outliers",
                customdata=group[["run_id"]],
                hovertemplate="%{y}<br>run %{customdata[0]}<extra></extra>",
            )
        )
    fig.update_layout(title=f"{name} by policy", yaxis_title=name, showlegend=False)
    return fig
