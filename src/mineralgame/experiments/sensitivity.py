"""Sensitivity indices of a sweep: SALib's Sobol and Morris analysers, per policy.

Each analyser runs on the replicate means of the design points of one policy, in sample order,
and reports the share of variance due to the seed next to the indices. Tables and an offline
HTML page go to ``DIR/analysis/`` like every analysis (:mod:`mineralgame.experiments.analysis`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
from mineralgame.experiments.store import Results, open_results

if TYPE_CHECKING:
    import plotly.graph_objects as go

# (problem, experiment, unit sample X, mean outcome Y) -> SALib's result dict
Analyser = Callable[[dict[str, Any], Experiment, np.ndarray, np.ndarray], Any]


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
        raise analysis_error(msg, "run the sweep again to finish them (failed runs are retried)")
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
        raise analysis_error(msg, f"run an experiment with design.sampler: {sampler}")


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

    def analyse(problem: dict[str, Any], exp: Experiment, _x: np.ndarray, y: np.ndarray) -> Any:
        second_order = exp.design.second_order
        return sobol_analyze.analyze(problem, y, calc_second_order=second_order, seed=seed)

    keys = ("S1", "S1_conf", "ST", "ST_conf")
    title = f"Sobol indices of {outcome}"
    return _indices(path, outcome, "sobol", analyse, keys, ["S1", "ST"], title)


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

    def analyse(problem: dict[str, Any], exp: Experiment, x: np.ndarray, y: np.ndarray) -> Any:
        return morris_analyze.analyze(problem, x, y, num_levels=exp.design.num_levels, seed=seed)

    keys = ("mu", "mu_star", "mu_star_conf", "sigma")
    title = f"Morris screening of {outcome}"
    return _indices(path, outcome, "morris", analyse, keys, ["mu_star", "sigma"], title)


def _indices(
    path: str | Path,
    outcome: str,
    sampler: str,
    analyse: Analyser,
    keys: Sequence[str],
    shown: Sequence[str],
    title: str,
) -> Analysis:
    """Run one SALib analyser per policy; a row per parameter with ``keys`` and the seed share."""
    with open_results(path) as res:
        check_outcomes(res, [outcome])
        exp = res.experiment()
        _require_sampler(exp, sampler)
        problem = _problem(exp)
        rows = []
        for policy_id, label in _policies(res, exp):
            x, y, share = point_means(res, exp, outcome, policy_id)
            si = analyse(problem, exp, x, y)
            for i, name in enumerate(problem["names"]):
                rows.append(
                    {"policy": label, "parameter": name}
                    | {key: si[key][i] for key in keys}
                    | {"seed_share": share}
                )
        table = pd.DataFrame(rows)
        fig = indices_figure(table, shown, title)
        return write_outputs(res, f"{sampler}_{outcome}", {"": table}, [fig], fig.layout.title.text)


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
