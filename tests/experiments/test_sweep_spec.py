"""Experiment files are validated like scenario files: file, field, what is wrong, how to fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, write_experiment

from mineralgame.experiments.design import build_design
from mineralgame.experiments.evaluate import scenario_base
from mineralgame.experiments.runner import check_overrides
from mineralgame.experiments.spec import ExperimentError, load_experiment

SHIPPED = sorted((REPO / "experiments").glob("*.yaml"))


def problems_of(tmp_path: Path, raw: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(field path, message, fix) of every problem loading ``raw``."""
    path = write_experiment(tmp_path, raw)
    with pytest.raises(ExperimentError) as info:
        load_experiment(path)
    assert all(p.file == str(path) for p in info.value.problems)
    return [(p.path, p.message, p.fix) for p in info.value.problems]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"uncertainties": {"x": {"type": "real", "low": 1}}}, "uncertainties.x", "'high'"),
        (
            {"uncertainties": {"x": {"type": "real", "low": 2, "high": 1}}},
            "uncertainties.x",
            "below",
        ),
        ({"uncertainties": {"x": {"type": "categorical"}}}, "uncertainties.x", "values"),
        (
            {"uncertainties": {"x": {"type": "int", "low": 0.5, "high": 3}}},
            "uncertainties.x",
            "whole",
        ),
        ({"design": {"sampler": "sobol", "n": 100}}, "design.n", "power of 2"),
        ({"design": {"sampler": "lhs", "n": 8, "bogus": 1}}, "design.bogus", "unknown key"),
        ({"levers": {"seed": {"type": "int", "values": [1, 2]}}}, "levers.seed", "reserved"),
        ({"levers": {"k": {"type": "real", "low": 0, "high": 1}}}, "levers.k", "enumerated"),
        ({"scenarios": {"s": {"nope": 1}}}, "scenarios.s.nope", "not an uncertainty"),
        ({"evaluator": "not a function"}, "evaluator", "module:function"),
        ({"root_seed": -1}, "root_seed", "greater than or equal"),
        ({"replicates": 0}, "replicates", "greater than or equal"),
    ],
)
def test_problem_names_field_and_fix(
    tmp_path: Path, walk: dict[str, Any], change: dict[str, Any], field: str, words: str
) -> None:
    raw = {**walk, **change}
    problems = problems_of(tmp_path, raw)
    match = [p for p in problems if p[0] == field]
    assert match, problems
    path, message, fix = match[0]
    assert words in message
    assert fix, f"no fix for {path}: {message}"


def test_model_evaluator_needs_an_existing_scenario(tmp_path: Path, walk: dict[str, Any]) -> None:
    raw = {**walk, "evaluator": "mineralgame", "scenario": "missing.yaml"}
    assert any(p[0] == "scenario" and "does not exist" in p[1] for p in problems_of(tmp_path, raw))
    del raw["scenario"]
    assert any(p[0] == "scenario" for p in problems_of(tmp_path, raw))


def test_not_a_mapping_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("- just\n- a list\n", "utf-8")
    with pytest.raises(ExperimentError, match="not a mapping"):
        load_experiment(path)


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_experiments_validate_and_fit_their_scenario(path: Path) -> None:
    exp = load_experiment(path)
    assert exp.description
    design = build_design(exp, scenario_base(exp))
    assert len(design.runs) > 0
    check_overrides(exp, design.runs)  # raises if a path, value or strategy does not fit


def test_bad_override_path_fails_before_the_sweep(tmp_path: Path) -> None:
    raw = {
        "name": "bad",
        "scenario": str(REPO / "configs" / "classroom.yaml"),
        "root_seed": 1,
        "uncertainties": {"x": {"type": "real", "values": [0.1], "path": "shocks.no_such_field"}},
    }
    exp = load_experiment(write_experiment(tmp_path, raw))
    design = build_design(exp, scenario_base(exp))
    with pytest.raises(ExperimentError) as info:
        check_overrides(exp, design.runs)
    assert any("shocks.no_such_field" in p.path for p in info.value.problems)


def test_unknown_strategy_fails_before_the_sweep(tmp_path: Path) -> None:
    raw = {
        "name": "bad",
        "scenario": str(REPO / "configs" / "classroom.yaml"),
        "root_seed": 1,
        "levers": {
            "strategy": {"type": "categorical", "values": ["derisk", "nope"], "path": "strategy"}
        },
    }
    exp = load_experiment(write_experiment(tmp_path, raw))
    with pytest.raises(ExperimentError, match="strategy 'nope' is not defined"):
        check_overrides(exp, build_design(exp, scenario_base(exp)).runs)
