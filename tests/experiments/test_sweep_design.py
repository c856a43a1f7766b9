"""Design sizes per sampler, stable run ids, common random numbers and parameter overrides."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from conftest import WALK

from mineralgame.experiments.design import build_design, design_size, overrides_for
from mineralgame.experiments.spec import Experiment, ExperimentError

UNC = {
    "a": {"type": "real", "low": 0.0, "high": 1.0},
    "b": {"type": "int", "low": 1, "high": 4},
    "c": {"type": "categorical", "values": ["x", "y", "z"]},
}
LEVERS = {
    "strategy": {"type": "categorical", "values": ["derisk", "decouple"], "path": "strategy"},
    "cap": {"type": "real", "values": [0.3, 0.5, 0.7]},
}


def experiment(**changes: Any) -> Experiment:
    """A toy experiment with three uncertainties and six policies, changed as given."""
    raw: dict[str, Any] = {
        "name": "d",
        "evaluator": "mineralgame.experiments.toys:tiny",
        "root_seed": 5,
        "replicates": 2,
        "uncertainties": UNC,
        "levers": LEVERS,
    }
    return Experiment.model_validate(raw | changes)


# points x 6 policies x 2 replicates; D = 3 uncertainties
@pytest.mark.parametrize(
    ("design", "points"),
    [
        ({"sampler": "full_factorial", "levels": 3}, 3 * 3 * 3),  # a: 3 levels, b: 3 of 4, c: 3
        ({"sampler": "full_factorial", "levels": 4}, 4 * 4 * 3),  # b: all 4 integers
        ({"sampler": "lhs", "n": 20}, 20),
        ({"sampler": "sobol", "n": 16}, 16 * (3 + 2)),
        ({"sampler": "sobol", "n": 16, "second_order": True}, 16 * (2 * 3 + 2)),
        ({"sampler": "morris", "n": 5}, 5 * (3 + 1)),
    ],
)
def test_design_size_per_sampler(design: dict[str, Any], points: int) -> None:
    exp = experiment(design=design)
    runs = build_design(exp).runs
    assert len(runs) == points * 6 * 2 == design_size(exp)
    assert runs["run_id"].is_unique
    assert runs["design_row"].nunique() == points * 6


def test_named_scenarios_add_points_and_use_defaults() -> None:
    unc = {**UNC, "a": {**UNC["a"], "default": 0.25}}
    exp = experiment(
        uncertainties=unc, design={"sampler": "lhs", "n": 4}, scenarios={"s1": {"b": 2}}
    )
    runs = build_design(exp).runs
    assert len(runs) == (4 + 1) * 6 * 2
    named = runs[runs["scenario_name"] == "s1"]
    assert set(named["a"]) == {0.25}
    assert set(named["b"]) == {2}
    assert named["c"].isna().all()  # no default: the scenario's own value stays


def test_values_fall_in_their_ranges() -> None:
    runs = build_design(experiment(design={"sampler": "sobol", "n": 32})).runs
    assert runs["a"].between(0, 1).all()
    assert set(runs["b"]) <= {1, 2, 3, 4}
    assert set(runs["c"]) <= {"x", "y", "z"}
    assert set(runs["b"]) == {1, 2, 3, 4}  # every integer reachable


def test_common_random_numbers_one_seed_per_replicate() -> None:
    runs = build_design(experiment(design={"sampler": "lhs", "n": 10})).runs
    per_rep = runs.groupby("replicate")["seed"].nunique()
    assert (per_rep == 1).all()  # same seed for every lever value and point
    per_lever_pair = runs.groupby(["scenario_id", "replicate"])["seed"].nunique()
    assert (per_lever_pair == 1).all()
    assert runs.groupby("replicate")["seed"].first().is_unique


def test_without_common_random_numbers_seeds_differ_across_levers() -> None:
    exp = experiment(design={"sampler": "lhs", "n": 10, "common_random_numbers": False})
    runs = build_design(exp).runs
    assert (runs.groupby(["scenario_id", "replicate"])["seed"].nunique() == 6).all()


def test_crn_seed_does_not_depend_on_lever_values() -> None:
    a = build_design(experiment(design={"sampler": "lhs", "n": 4})).runs
    other = {**LEVERS, "cap": {"type": "real", "values": [0.9]}}
    b = build_design(experiment(design={"sampler": "lhs", "n": 4}, levers=other)).runs
    assert a.groupby("replicate")["seed"].first().equals(b.groupby("replicate")["seed"].first())


IDS_SCRIPT = """
import json, sys
from mineralgame.experiments.design import build_design
from mineralgame.experiments.spec import Experiment
exp = Experiment.model_validate(json.loads(sys.argv[1]))
runs = build_design(exp).runs
print(json.dumps([runs["run_id"].tolist(), [int(s) for s in runs["seed"]]]))
"""


def test_run_ids_and_seeds_stable_across_processes() -> None:
    raw = {**WALK, "design": {"sampler": "sobol", "n": 8}, "uncertainties": UNC}
    here = build_design(Experiment.model_validate(raw)).runs
    for hash_seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", IDS_SCRIPT, json.dumps(raw)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        ids, seeds = json.loads(out.stdout)
        assert ids == here["run_id"].tolist()
        assert seeds == [int(s) for s in here["seed"]]


def test_more_replicates_reuse_existing_run_ids() -> None:
    small = set(build_design(experiment(replicates=2)).runs["run_id"])
    large = set(build_design(experiment(replicates=3)).runs["run_id"])
    assert small < large


def test_run_ids_change_with_what_shapes_a_run() -> None:
    base = set(build_design(experiment()).runs["run_id"])
    assert base.isdisjoint(build_design(experiment(root_seed=6)).runs["run_id"])
    assert base.isdisjoint(build_design(experiment(constants={"k": 1})).runs["run_id"])
    assert base.isdisjoint(build_design(experiment(rounds=3)).runs["run_id"])


SCENARIO = {
    "minerals": {
        "li": {"demand_growth": {"2024": 1.0, "2030": 2.0}, "lead": 6},
        "co": {"demand_growth": {"2024": 1.0, "2030": 1.5}, "lead": 4},
    },
    "strategies": {"derisk": {"days": 60.0}, "decouple": {"days": 90.0}},
}


def override_exp(**params: dict[str, Any]) -> Experiment:
    return Experiment.model_validate(
        {"name": "o", "evaluator": "m:f", "root_seed": 1, "uncertainties": params}
    )


def test_wildcard_scale_and_growth_ops() -> None:
    exp = override_exp(
        g={
            "type": "real",
            "low": 0,
            "high": 2,
            "path": "minerals.*.demand_growth",
            "op": "scale_growth",
        },
        lead={"type": "real", "low": 0, "high": 2, "path": "minerals.*.lead", "op": "scale"},
    )
    out = overrides_for(exp, {"g": 0.5, "lead": 1.5}, SCENARIO)
    assert out["minerals.li.demand_growth"] == {"2024": 1.0, "2030": 1.5}
    assert out["minerals.co.demand_growth"] == {"2024": 1.0, "2030": 1.25}
    assert out["minerals.li.lead"] == 9
    assert out["minerals.co.lead"] == 6
    assert isinstance(out["minerals.co.lead"], int)


def test_path_template_follows_the_strategy_lever() -> None:
    exp = Experiment.model_validate(
        {
            "name": "o",
            "evaluator": "m:f",
            "root_seed": 1,
            "uncertainties": {
                "s": {
                    "type": "real",
                    "low": 0,
                    "high": 2,
                    "op": "scale",
                    "path": "strategies.{strategy}.days",
                }
            },
            "levers": LEVERS,
        }
    )
    out = overrides_for(exp, {"s": 2.0, "strategy": "decouple", "cap": 0.3}, SCENARIO)
    assert out == {"strategies.decouple.days": 180.0, "strategy": "decouple", "cap": 0.3}


def test_scaling_a_missing_value_is_an_experiment_error() -> None:
    exp = override_exp(
        x={"type": "real", "low": 0, "high": 1, "path": "minerals.li.nope", "op": "scale"}
    )
    with pytest.raises(ExperimentError, match=r"no value at 'minerals\.li\.nope'"):
        overrides_for(exp, {"x": 0.5}, SCENARIO)


def test_unit_sample_is_stored_for_salib() -> None:
    exp = experiment(design={"sampler": "morris", "n": 4, "num_levels": 4})
    design = build_design(exp)
    assert list(design.sample.columns) == ["scenario_id", "a", "b", "c"]
    grid = np.unique(design.sample[["a", "b", "c"]].to_numpy())
    assert np.allclose(grid, [0, 1 / 3, 2 / 3, 1])
    assert design.problem["names"] == ["a", "b", "c"]
