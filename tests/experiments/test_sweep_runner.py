"""The runner: resumable, failure-isolating, atomic; the store's views; exports."""

from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import REPO

from mineralgame.experiments import sensitivity
from mineralgame.experiments.design import RunSpec
from mineralgame.experiments.evaluate import RunOutput
from mineralgame.experiments.runner import run_experiment
from mineralgame.experiments.spec import Experiment, ExperimentError, load_experiment
from mineralgame.experiments.store import open_results, sweep_lock


def exp_of(raw: dict[str, Any]) -> Experiment:
    return Experiment.model_validate(raw)


def test_serial_sweep_then_resume_runs_exactly_the_rest(
    tmp_path: Path, walk: dict[str, Any]
) -> None:
    exp = exp_of(walk)
    first = run_experiment(exp, tmp_path, serial=True, max_runs=7, progress=False)
    assert (first.total, first.executed, first.pending) == (30, 7, 23)
    second = run_experiment(exp, tmp_path, serial=True, progress=False)
    assert (second.skipped, second.executed, second.pending) == (7, 23, 0)
    third = run_experiment(exp, tmp_path, workers=2, progress=False)  # Dask, had it work
    assert (third.skipped, third.executed) == (30, 0)
    assert (third.backend, third.workers) == ("none", 0)  # no cluster started for nothing
    with open_results(tmp_path) as res:
        st = res.status()
        assert (st.total, st.ok, st.failed, st.pending, st.duplicate_rows) == (30, 30, 0, 0, 0)
        runs = res.runs()
        assert runs["run_id"].is_unique
        assert {"drift", "plan", "final", "peak", "seed", "replicate"} <= set(runs.columns)
        series = res.series()
        assert set(series["round"]) == {0, 2, 4, 6, 7}  # every 2 rounds and the last
        assert len(series) == 30 * 5 * 2
        assert not res.events().empty
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert [i["executed"] for i in manifest["invocations"]] == [7, 23, 0]


def test_failing_runs_are_recorded_and_the_sweep_finishes(
    tmp_path: Path, walk: dict[str, Any]
) -> None:
    exp = exp_of({**walk, "constants": {"sigma": 1.0, "fail_above": 0.2}})
    report = run_experiment(exp, tmp_path, serial=True, progress=False)
    assert report.executed == 30
    assert report.failed == 12  # drift 0.25 and 0.5: 2 points x 2 plans x 3 replicates
    with open_results(tmp_path) as res:
        failed = res.runs(status="failed")
        assert len(failed) == 12
        assert (failed["drift"] > 0.2).all()
        assert set(failed["error_type"]) == {"ValueError"}
        records = res.failures()
    assert len(records) == 12
    assert "Traceback" in records[0]["traceback"]
    assert "fail_above" in records[0]["traceback"] + records[0]["error"]
    assert records[0]["seed"] == int(failed.set_index("run_id").loc[records[0]["run_id"], "seed"])
    # Running again retries the failures (they fail again: same rows, latest kept).
    again = run_experiment(exp, tmp_path, serial=True, progress=False)
    assert (again.skipped, again.executed, again.failed) == (18, 12, 12)
    assert run_experiment(exp, tmp_path, serial=True, retry_failed=False).executed == 0


def test_a_folder_holding_another_design_is_refused(tmp_path: Path, walk: dict[str, Any]) -> None:
    run_experiment(exp_of(walk), tmp_path, serial=True, max_runs=3, progress=False)
    changed = exp_of({**walk, "root_seed": 12})
    with pytest.raises(ExperimentError, match="not in this experiment's design"):
        run_experiment(changed, tmp_path, serial=True, progress=False)
    # An extended design (more replicates) continues the same folder.
    more = run_experiment(exp_of({**walk, "replicates": 4}), tmp_path, serial=True)
    assert (more.total, more.skipped, more.executed) == (40, 3, 37)


def test_two_sweeps_never_write_one_folder(tmp_path: Path, walk: dict[str, Any]) -> None:
    with sweep_lock(tmp_path), pytest.raises(ExperimentError, match="another sweep"):
        run_experiment(exp_of(walk), tmp_path, serial=True, progress=False)


def test_uncommitted_and_duplicated_parts(tmp_path: Path, walk: dict[str, Any]) -> None:
    run_experiment(exp_of(walk), tmp_path, serial=True, progress=False)
    parts = tmp_path / "parts"
    one = sorted((parts / "runs").glob("*.parquet"))[0]
    # A chunk recomputed after a worker died commits twice: the views keep one copy.
    shutil.copy(one, parts / "runs" / "part-ffffffffffffffff.parquet")
    series_part = parts / "series" / one.name
    shutil.copy(series_part, parts / "series" / "part-ffffffffffffffff.parquet")
    # A task killed after writing its series but before committing leaves invisible rows.
    shutil.copy(series_part, parts / "series" / "part-eeeeeeeeeeeeeeee.parquet")
    (parts / "runs" / ".part-dddd.parquet.1234.tmp").write_bytes(b"half")
    with open_results(tmp_path) as res:
        st = res.status()
        assert (st.ok, st.duplicate_rows, st.stale_temporaries) == (
            30,
            len(pd.read_parquet(one)),
            1,
        )
        assert res.runs()["run_id"].is_unique
        assert len(res.series()) == 30 * 5 * 2
    run_experiment(exp_of(walk), tmp_path, serial=True, progress=False)  # cleans temporaries
    assert not list((parts / "runs").glob(".*.tmp"))


def custom_evaluator(spec: RunSpec) -> RunOutput:
    """A module-level evaluator passed directly to run_experiment."""
    return RunOutput({"twice": 2.0 * float(spec.params["drift"])})


def test_any_evaluator_can_be_passed(tmp_path: Path, walk: dict[str, Any]) -> None:
    run_experiment(exp_of(walk), tmp_path, serial=True, evaluator=custom_evaluator)
    with open_results(tmp_path) as res:
        runs = res.runs()
    assert (runs["twice"] == 2 * runs["drift"]).all()


def test_exports_to_csv_and_ema(tmp_path: Path, walk: dict[str, Any]) -> None:
    out = tmp_path / "res"
    run_experiment(exp_of(walk), out, serial=True, progress=False)
    with open_results(out) as res:
        files = res.to_csv(tmp_path / "csv")
        experiments, outcomes = res.to_ema()
        archive = res.save_ema(tmp_path / "walk.tar.gz")
    assert [f.name for f in files] == ["design.csv", "runs.csv", "series.csv", "events.csv"]
    assert len(pd.read_csv(tmp_path / "csv" / "runs.csv")) == 30
    assert {"drift", "plan", "scenario", "policy", "model"} <= set(experiments.columns)
    assert set(outcomes) == {"final", "peak"}
    assert all(len(v) == len(experiments) == 30 for v in outcomes.values())
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        meta = json.loads(tar.extractfile("metadata.json").read())  # type: ignore[union-attr]
        values = pd.read_csv(tar.extractfile("final.csv"), header=None)  # type: ignore[arg-type]
    assert names == {"experiments.csv", "final.csv", "peak.csv", "metadata.json"}
    assert meta["outcomes"][0] == ["ScalarOutcome", "final", "final.csv"]
    assert meta["experiments"]["plan"] == "category"
    assert values[0].tolist() == pytest.approx(outcomes["final"].tolist())


def test_ishigami_sobol_indices_recovered_through_the_runner(tmp_path: Path) -> None:
    exp = load_experiment(REPO / "experiments" / "ishigami.yaml")
    report = run_experiment(exp, tmp_path, serial=True, progress=False)
    assert report.executed == 1024 * 5
    table = sensitivity.sobol(tmp_path, "y").tables[""].set_index("parameter")
    assert table["S1"].tolist() == pytest.approx([0.314, 0.442, 0.0], abs=0.05)
    assert table["ST"].tolist() == pytest.approx([0.558, 0.442, 0.244], abs=0.05)
    assert (tmp_path / "analysis" / "sobol_y.csv").is_file()


def test_a_broken_experiment_stops_early(tmp_path: Path, walk: dict[str, Any]) -> None:
    exp = exp_of({**walk, "constants": {"sigma": 1.0, "fail_above": -9.0}})
    with pytest.raises(ExperimentError, match="every run so far failed") as info:
        run_experiment(exp, tmp_path, serial=True, progress=False)
    assert "ValueError" in info.value.problems[0].message
    with open_results(tmp_path) as res:
        assert 0 < res.status().failed < 30  # stopped after the pilot, not after every run
