"""Analyse a sweep: outcome summaries, Sobol and Morris indices, PRIM scenario discovery.

Every function reads a results folder through ``open_results``, returns its tables and writes
them to ``DIR/analysis/`` as CSV together with a self-contained plotly HTML page (plotly.js
inlined, no CDN), so figures open offline.

* ``summary``: outcome distributions by policy, and paired differences between policies
  (common random numbers make each (point, replicate) a matched pair).
* ``sobol`` / ``morris``: SALib's analysers on the replicate means of each design point, per
  policy, in sample order; with the share of variance due to the seed.
* ``prim``: the Patient Rule Induction Method (peeling) over the uncertainties: which box of
  futures concentrates the runs where a condition holds (e.g. decoupling's shortfall above
  15%, or derisking beating decoupling in the paired comparison).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mineralgame.experiments.spec import Experiment, ExperimentError
from mineralgame.experiments.store import Results, open_results

if TYPE_CHECKING:
    import plotly.graph_objects as go

THRESHOLD_RE = re.compile(r"^\s*(<=|>=|<|>)\s*(-?[\d.]+(?:e-?\d+)?)\s*$")


@dataclass(frozen=True)
class Analysis:
    """Tables an analysis computed and the files it wrote."""

    tables: dict[str, pd.DataFrame]
    files: list[Path] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Helpers


def policy_labels(exp: Experiment, runs: pd.DataFrame) -> pd.Series:
    """A readable label per run: its lever values joined by '/' ('all' without levers)."""
    if not exp.levers:
        return pd.Series("all", index=runs.index)
    parts = [runs[name].astype(str) for name in exp.levers]
    label = parts[0]
    for part in parts[1:]:
        label = label + "/" + part
    return label


def _fail(message: str, fix: str = "") -> ExperimentError:
    from mineralgame.config.load import Problem

    return ExperimentError([Problem("<analysis>", "", message, fix)])


def _check_outcomes(res: Results, names: Sequence[str]) -> None:
    known = res.outcomes()
    for name in names:
        if name not in known:
            raise _fail(f"'{name}' is not a stored run scalar", f"use one of: {', '.join(known)}")


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
        _check_outcomes(res, names)
        exp = res.experiment()
        runs = res.runs(where).assign(policy=lambda d: policy_labels(exp, d))
        if runs.empty:
            raise _fail("no finished runs to summarise", "run the sweep first")
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


# ---------------------------------------------------------------------------------------------
# Sobol and Morris


def point_means(
    res: Results, exp: Experiment, outcome: str, policy_id: int
) -> tuple[np.ndarray, np.ndarray, float]:
    """Replicate means of the sampled points of one policy, in sample order.

    Returns:
        (unit sample X, mean outcome Y, share of variance due to the seed).

    Raises:
        ExperimentError: if a sampled run is missing or failed (resume the sweep first).
    """
    sample = pd.read_parquet(res.path / "sample.parquet")
    runs = res.runs(f"policy_id = {int(policy_id)} AND scenario_name = ''", status=None)
    expected = len(sample) * exp.replicates
    ok = runs[runs["status"] == "ok"]
    if len(ok) != expected:
        msg = f"{expected - len(ok)} of {expected} sampled runs of policy {policy_id} are missing"
        raise _fail(msg, "run the sweep again to finish them (failed runs are retried)")
    grouped = ok.groupby("scenario_id")[outcome]
    means = grouped.mean().reindex(sample["scenario_id"]).to_numpy(dtype=float)
    total = float(ok[outcome].var(ddof=0))
    within = float(grouped.var(ddof=0).mean()) if exp.replicates > 1 else 0.0
    share = within / total if total > 0 else 0.0
    return sample[list(exp.uncertainties)].to_numpy(dtype=float), means, share


def _policies(res: Results, exp: Experiment) -> list[tuple[int, str]]:
    design = res.sql("SELECT * FROM design WHERE replicate = 0 ORDER BY design_row")
    labels = policy_labels(exp, design)
    pairs = dict(zip(design["policy_id"].astype(int), labels, strict=True))
    return sorted(pairs.items())


def _require_sampler(exp: Experiment, sampler: str) -> None:
    if exp.design.sampler != sampler:
        msg = f"the experiment used the {exp.design.sampler} sampler, not {sampler}"
        raise _fail(msg, f"run an experiment with design.sampler: {sampler}")


def sobol(path: str | Path, outcome: str, *, seed: int = 0) -> Analysis:
    """First-order and total Sobol indices of one outcome, per policy.

    Args:
        path: Results folder of an experiment with ``design.sampler: sobol``.
        outcome: Run scalar to analyse.
        seed: Seed of SALib's bootstrap confidence intervals.

    Returns:
        Table ``indices``: policy, parameter, S1, S1_conf, ST, ST_conf, seed_share.
    """
    from SALib.analyze import sobol as sobol_analyze

    with open_results(path) as res:
        _check_outcomes(res, [outcome])
        exp = res.experiment()
        _require_sampler(exp, "sobol")
        problem = _problem(exp)
        rows = []
        for policy_id, label in _policies(res, exp):
            _, y, share = point_means(res, exp, outcome, policy_id)
            si = sobol_analyze.analyze(
                problem, y, calc_second_order=exp.design.second_order, seed=seed
            )
            for i, name in enumerate(problem["names"]):
                rows.append(
                    {"policy": label, "parameter": name, "S1": si["S1"][i]}
                    | {"S1_conf": si["S1_conf"][i], "ST": si["ST"][i], "ST_conf": si["ST_conf"][i]}
                    | {"seed_share": share}
                )
        table = pd.DataFrame(rows)
        fig = indices_figure(table, ["S1", "ST"], f"Sobol indices of {outcome}")
        return write_outputs(res, f"sobol_{outcome}", {"": table}, [fig], fig.layout.title.text)


def morris(path: str | Path, outcome: str, *, seed: int = 0) -> Analysis:
    """Morris elementary effects (mu*, sigma) of one outcome, per policy.

    Args:
        path: Results folder of an experiment with ``design.sampler: morris``.
        outcome: Run scalar to analyse.
        seed: Seed of SALib's bootstrap confidence intervals.

    Returns:
        Table ``indices``: policy, parameter, mu, mu_star, mu_star_conf, sigma, seed_share;
        effects are per unit of each parameter's full range.
    """
    from SALib.analyze import morris as morris_analyze

    with open_results(path) as res:
        _check_outcomes(res, [outcome])
        exp = res.experiment()
        _require_sampler(exp, "morris")
        problem = _problem(exp)
        rows = []
        for policy_id, label in _policies(res, exp):
            x, y, share = point_means(res, exp, outcome, policy_id)
            si = morris_analyze.analyze(problem, x, y, num_levels=exp.design.num_levels, seed=seed)
            for i, name in enumerate(problem["names"]):
                rows.append(
                    {"policy": label, "parameter": name, "mu": si["mu"][i]}
                    | {"mu_star": si["mu_star"][i], "mu_star_conf": si["mu_star_conf"][i]}
                    | {"sigma": si["sigma"][i], "seed_share": share}
                )
        table = pd.DataFrame(rows)
        fig = indices_figure(table, ["mu_star", "sigma"], f"Morris screening of {outcome}")
        return write_outputs(res, f"morris_{outcome}", {"": table}, [fig], fig.layout.title.text)


def _problem(exp: Experiment) -> dict[str, Any]:
    from mineralgame.experiments.design import unit_problem

    return unit_problem(list(exp.uncertainties))


def indices_figure(table: pd.DataFrame, columns: Sequence[str], title: str) -> go.Figure:
    """Grouped bars of sensitivity indices per parameter, one bar group per policy."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for policy, group in table.groupby("policy", sort=False):
        for col in columns:
            conf = f"{col}_conf"
            error = dict(type="data", array=group[conf]) if conf in group else None
            fig.add_trace(
                go.Bar(x=group["parameter"], y=group[col], name=f"{col} ({policy})", error_y=error)
            )
    fig.update_layout(title=title, barmode="group", yaxis_title="index")
    return fig


# ---------------------------------------------------------------------------------------------
# PRIM


@dataclass(frozen=True)
class Box:
    """A box of futures: numeric limits and kept categories per restricted parameter."""

    limits: dict[str, tuple[float, float]]
    categories: dict[str, tuple[Any, ...]]


def parse_threshold(text: str) -> tuple[str, float]:
    """Parse '> 0.15', '<= 0', ... into (operator, value)."""
    match = THRESHOLD_RE.match(text)
    if not match:
        raise _fail(f"threshold '{text}' is not understood", "write e.g. '> 0.15' or '<= 0'")
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
        _check_outcomes(res, [outcome])
        exp = res.experiment()
        runs = res.runs(where).assign(policy=lambda d: policy_labels(exp, d))
        cases = _contrast(runs, exp, outcome, contrast) if contrast else runs
        if cases.empty:
            raise _fail("no finished runs match", "check --where / --contrast and the sweep")
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
            raise _fail(f"policy '{label}' is not in the results", f"use one of {sorted(labels)}")
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
