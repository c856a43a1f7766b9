"""Summary, Morris, PRIM and the self-contained figures."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mineralgame.experiments import analysis, discovery, sensitivity
from mineralgame.experiments.runner import run_experiment
from mineralgame.experiments.spec import Experiment, ExperimentError

ISHIGAMI_UNC = {f"x{i}": {"type": "real", "low": -np.pi, "high": np.pi} for i in (1, 2, 3)}


def run(tmp_path: Path, raw: dict[str, Any]) -> Path:
    run_experiment(Experiment.model_validate(raw), tmp_path, serial=True, progress=False)
    return tmp_path


def test_prim_finds_the_box_that_holds_the_cases() -> None:
    rng = np.random.default_rng(0)
    x = pd.DataFrame(
        {
            "a": rng.uniform(0, 1, 2000),
            "b": rng.uniform(0, 1, 2000),
            "c": rng.choice(["p", "q", "r"], 2000),
            "d": rng.choice([True, False], 2000),
        }
    )
    y = ((x["a"] > 0.3) & (x["c"] == "q") & x["d"]).to_numpy()
    trajectory, boxes = discovery.prim_peel(x, y, alpha=0.05, min_mass=0.05)
    assert trajectory["mass"].is_monotonic_decreasing
    step = discovery.choose_box(trajectory, min_coverage=0.8)
    box = boxes[step]
    assert trajectory.loc[step, "density"] > 0.9
    assert trajectory.loc[step, "coverage"] >= 0.8
    assert box.limits["a"][0] == pytest.approx(0.3, abs=0.05)
    assert box.categories["c"] == ("q",)
    assert box.categories["d"] == ("True",)  # booleans are categories, not numbers
    assert "b" not in box.limits or box.limits["b"][1] - box.limits["b"][0] > 0.8


@pytest.mark.parametrize(
    ("text", "expected"),
    [("> 0.15", [False, True]), ("<=0.1", [True, False]), ("< -1", [False, False])],
)
def test_thresholds(text: str, expected: list[bool]) -> None:
    assert discovery.condition(pd.Series([0.1, 0.2]), text).tolist() == expected


def test_bad_threshold_explains_the_format() -> None:
    with pytest.raises(ExperimentError, match=r"e\.g\. '> 0\.15'"):
        discovery.parse_threshold("about 3")


def test_summary_pairs_policies_and_writes_offline_html(
    tmp_path: Path, walk: dict[str, Any]
) -> None:
    raw = {
        **walk,
        "levers": {
            "plan": {"type": "categorical", "values": ["a", "b"]},
            "drift2": {"type": "real", "values": [0.0, 1.0]},
        },
    }
    out = run(tmp_path, raw)
    result = analysis.summary(out, ["final"])
    by_policy, paired = result.tables["by_policy"], result.tables["paired"]
    assert sorted(by_policy["policy"]) == ["a/0.0", "a/1.0", "b/0.0", "b/1.0"]
    assert (by_policy["n"] == 15).all()
    # 'plan' does not enter the walk, so plans are identical on matched (point, replicate) pairs
    # under common random numbers: the paired difference is exactly zero.
    same = paired[paired["policy"] == "b/0.0"].iloc[0]
    assert same["baseline"] == "a/0.0"
    assert same["pairs"] == 15
    assert same["mean_diff"] == 0.0
    page = (out / "analysis" / "summary.html").read_text()
    assert re.search(r"<script[^>]*\bsrc=", page) is None  # nothing fetched from a CDN
    assert page.count("Plotly.newPlot") == 1
    assert len(page) > 1_000_000  # plotly.js is inlined


def test_morris_ranks_ishigami_inputs(tmp_path: Path) -> None:
    raw = {
        "name": "m",
        "evaluator": "mineralgame.experiments.toys:ishigami",
        "root_seed": 3,
        "uncertainties": ISHIGAMI_UNC,
        "design": {"sampler": "morris", "n": 40},
    }
    table = sensitivity.morris(run(tmp_path, raw), "y").tables[""].set_index("parameter")
    assert table["mu_star"]["x3"] < table["mu_star"]["x1"]
    assert table["mu_star"]["x3"] < table["mu_star"]["x2"]
    assert (table["sigma"] > 0).all()
    assert (tmp_path / "analysis" / "morris_y.html").is_file()


def test_sobol_refuses_incomplete_results(tmp_path: Path) -> None:
    raw = {
        "name": "s",
        "evaluator": "mineralgame.experiments.toys:ishigami",
        "root_seed": 3,
        "uncertainties": ISHIGAMI_UNC,
        "design": {"sampler": "sobol", "n": 16},
    }
    run_experiment(Experiment.model_validate(raw), tmp_path, serial=True, max_runs=50)
    with pytest.raises(ExperimentError, match="30 of 80 sampled runs"):
        sensitivity.sobol(tmp_path, "y")


def test_sobol_on_another_design_is_refused(tmp_path: Path, walk: dict[str, Any]) -> None:
    with pytest.raises(ExperimentError, match="not sobol"):
        sensitivity.sobol(run(tmp_path, walk), "final")


def test_prim_contrast_on_paired_runs(tmp_path: Path, walk: dict[str, Any]) -> None:
    raw = {**walk, "design": {"sampler": "lhs", "n": 40}}
    out = run(tmp_path, raw)
    result = discovery.prim(out, "final", "< 0", contrast=("b", "a"))
    assert set(result.tables) == {"trajectory", "box"}
    # plan does not change the walk: a - b is 0 everywhere, so nothing is below 0
    assert result.tables["trajectory"]["density"].iloc[0] == 0.0
    direct = discovery.prim(out, "final", "> 1", where="plan = 'a'")
    first = direct.tables["trajectory"].iloc[0]
    assert 0 < first["density"] < 1
    box = direct.tables["box"].set_index("parameter")
    assert box.loc["drift", "restricted"]
    assert box.loc["drift", "low"] > -0.5  # high drift makes high final levels
    assert (out / "analysis" / "prim_final.html").is_file()


def test_unknown_outcome_lists_the_known_ones(tmp_path: Path, walk: dict[str, Any]) -> None:
    with pytest.raises(ExperimentError, match="use one of: final, peak"):
        analysis.summary(run(tmp_path, walk), ["nope"])
