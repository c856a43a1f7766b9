"""``mineralgame sweep``: run, status, analyze, export, rerun, and clear errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import write_experiment

from mineralgame.cli import main


def test_sweep_status_analyze_export(
    tmp_path: Path, walk: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    exp = write_experiment(tmp_path, {**walk, "design": {"sampler": "lhs", "n": 10}})
    out = tmp_path / "out"
    assert main(["sweep", str(exp), "--out", str(out), "--serial", "--max-runs", "20"]) == 1
    assert "20 runs executed (0 failed), 0 already done, 40 pending" in capsys.readouterr().out
    assert main(["sweep", "status", str(out)]) == 1
    assert "60 total, 20 ok, 0 failed, 40 pending" in capsys.readouterr().out
    assert main(["sweep", str(exp), "--out", str(out), "--serial", "--no-progress"]) == 0
    assert "40 runs executed (0 failed), 20 already done, 0 pending" in capsys.readouterr().out
    assert main(["sweep", "status", str(out)]) == 0
    assert main(["sweep", "analyze", str(out), "summary"]) == 0
    assert (out / "analysis" / "summary.html").is_file()
    prim = ["sweep", "analyze", str(out), "prim", "--outcome", "final", "--threshold", "> 1"]
    assert main(prim) == 0
    assert "prim_final_box.csv" in capsys.readouterr().out
    assert main(["sweep", "export", str(out), "--ema", str(tmp_path / "x.tar.gz")]) == 0
    assert main(["sweep", "export", str(out), "--csv", str(tmp_path / "csv")]) == 0
    assert (tmp_path / "csv" / "runs.csv").is_file()


def test_invalid_experiment_exits_2_with_file_field_and_fix(
    tmp_path: Path, walk: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    exp = write_experiment(tmp_path, {**walk, "design": {"sampler": "sobol", "n": 6}})
    assert main(["sweep", str(exp), "--serial"]) == 2
    err = capsys.readouterr().err
    assert f"{exp}: design.n: 6 is not a power of 2" in err
    assert "Fix: use 64, 128" in err


def test_failed_runs_exit_1_and_point_to_failures(
    tmp_path: Path, walk: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    raw = {**walk, "constants": {"sigma": 1.0, "fail_above": 0.0}}
    out = tmp_path / "out"
    assert main(["sweep", str(write_experiment(tmp_path, raw)), "--out", str(out), "--serial"]) == 1
    assert "failures" in capsys.readouterr().err
    assert main(["sweep", "status", str(out)]) == 1
    assert "ValueError: drift" in capsys.readouterr().out


def test_analysis_arguments_are_checked(
    tmp_path: Path, walk: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    main(["sweep", str(write_experiment(tmp_path, walk)), "--out", str(out), "--serial"])
    assert main(["sweep", "analyze", str(out), "sobol"]) == 2
    assert "needs --outcome" in capsys.readouterr().err
    assert main(["sweep", "analyze", str(out), "prim", "--outcome", "final"]) == 2
    assert main(["sweep", "analyze", str(out), "sobol", "--outcome", "final"]) == 2
    assert "not sobol" in capsys.readouterr().err
    assert main(["sweep", "status", str(tmp_path / "nothing")]) == 2
    assert main(["sweep", "rerun", str(out), "0000", "--out", str(tmp_path / "r")]) == 2
    assert "not in the design" in capsys.readouterr().err


def test_help_lists_every_form(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["sweep", "--help"])
    text = capsys.readouterr().out
    for form in ("sweep status DIR", "sweep analyze DIR", "sweep rerun DIR RUN_ID", "--scheduler"):
        assert form in text
