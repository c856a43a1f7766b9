"""Sweeps of the real model: a small classroom experiment, then a rerun into a run record."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO, write_experiment

from mineralgame.cli import main
from mineralgame.experiments.runner import run_experiment
from mineralgame.experiments.spec import load_experiment
from mineralgame.experiments.store import open_results

SCALARS = ["cumulative_shortfall_share", "cumulative_cost_usd", "end_dependence", "welfare_usd"]


@pytest.fixture(scope="module")
def model_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 hazards x 2 strategies x 2 replicates of the classroom world, 2 rounds, serially."""
    folder = tmp_path_factory.mktemp("model")
    raw = {
        "name": "classroom_small",
        "scenario": str(REPO / "configs" / "classroom.yaml"),
        "root_seed": 7,
        "replicates": 2,
        "rounds": 2,
        "uncertainties": {
            "hazard": {
                "type": "real",
                "values": [0.0, 0.3],
                "path": "shocks.export_control_hazard",
            },
            "growth": {
                "type": "real",
                "values": [1.2],
                "path": "minerals.*.demand_growth",
                "op": "scale_growth",
            },
        },
        "levers": {
            "strategy": {
                "type": "categorical",
                "values": ["derisk", "decouple"],
                "path": "strategy",
            }
        },
        "outputs": {
            "scalars": SCALARS,
            "series": {
                "every": 1,
                "tables": {"system": ["refining_hhi"], "country_mineral": ["shortfall_share"]},
            },
            "events": True,
        },
    }
    exp = load_experiment(write_experiment(folder, raw))
    report = run_experiment(exp, folder / "out", serial=True, progress=False)
    assert (report.executed, report.failed) == (8, 0)
    return folder / "out"


def test_model_runs_are_stored_with_their_parameters(model_sweep: Path) -> None:
    with open_results(model_sweep) as res:
        runs = res.runs()
        series = res.series()
    assert len(runs) == 8
    assert set(SCALARS) <= set(runs.columns)
    assert set(runs["strategy"]) == {"derisk", "decouple"}
    assert runs[SCALARS].notna().all().all()
    assert set(series["table"]) == {"system", "country_mineral"}
    assert set(series["round"]) == {0, 1}
    cm = series[series["table"] == "country_mineral"]
    assert cm["country"].notna().all()
    assert cm["mineral"].notna().all()


def test_strategies_share_seeds_and_differ_in_outcomes(model_sweep: Path) -> None:
    with open_results(model_sweep) as res:
        runs = res.runs()
    assert (runs.groupby(["scenario_id", "replicate"])["seed"].nunique() == 1).all()
    by = runs.groupby("strategy")["end_dependence"].mean()
    assert by["decouple"] != by["derisk"]


def test_rerun_rebuilds_a_run_record_that_reproduces_the_sweep(
    model_sweep: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import mineralgame

    with open_results(model_sweep) as res:
        row = res.runs("strategy = 'decouple' AND hazard > 0").iloc[0]
    target = tmp_path / "record"
    assert main(["sweep", "rerun", str(model_sweep), row["run_id"], "--out", str(target)]) == 0
    assert "reproduces" in capsys.readouterr().out
    record = mineralgame.open_record(target)
    assert record.manifest["seed"] == int(row["seed"])
    assert record.manifest["strategy"] == "decouple"
    assert record.manifest["scenario"]["shocks"]["export_control_hazard"] == 0.3
    for name in SCALARS:
        assert record.summary[name] == pytest.approx(row[name], rel=1e-12)


def test_lean_evaluation_equals_mineralgame_run(model_sweep: Path) -> None:
    """Scalar-only sweeps step the model directly; the scalars must equal mineralgame.run's."""
    import mineralgame
    from mineralgame.experiments.design import run_specs
    from mineralgame.experiments.evaluate import evaluate_model

    with open_results(model_sweep) as res:
        exp = res.experiment()
        design = res.design().iloc[[0, 3, 6]]
    lean = exp.model_copy(
        update={"outputs": exp.outputs.model_copy(update={"series": None, "events": False})}
    )
    for spec in run_specs(lean, design):
        got = evaluate_model(spec).scalars
        full = mineralgame.run(
            spec.scenario,
            strategy=spec.strategy,
            seed=spec.seed,
            rounds=spec.rounds,
            overrides=dict(spec.overrides),
        ).summary
        assert got == {name: pytest.approx(full[name], rel=0, abs=0) for name in SCALARS}
