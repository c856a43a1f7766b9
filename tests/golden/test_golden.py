"""Golden results of the baseline: the run summary per strategy and the per-mineral system rows.

The baseline (``configs/baseline.yaml``, all 16 rounds, seed 0) is run under bau, derisk and
decouple and compared with the committed CSV files within a relative tolerance of 1e-6:

* ``tests/golden/expected/baseline_summary.csv`` - one row per strategy: ``RunRecord.summary``;
* ``tests/golden/expected/baseline_system.csv`` - the ``system`` table (one row per mineral)
  at round 0 and at the last round, per strategy.

Regenerate them after an intended change to the model or to the baseline scenario::

    .venv/bin/python -m pytest tests/golden --update-golden

The option (defined in ``tests/golden/conftest.py``) rewrites the CSV files instead of
comparing and marks the tests as skipped; review ``git diff tests/golden/expected`` and commit
the files together with the change that moved them. Pass the option with ``tests/golden`` on
the command line so pytest loads this folder's conftest before parsing options.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mineralgame
from mineralgame.record import RunRecord

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "configs" / "baseline.yaml"
EXPECTED = Path(__file__).resolve().parent / "expected"
STRATEGIES = ("bau", "derisk", "decouple")
SEED = 0
RTOL = 1e-6
ATOL = 1e-9  # for values that are zero (e.g. end_dependence under decouple)


@pytest.fixture(scope="module")
def baseline_runs() -> dict[str, RunRecord]:
    """The baseline under each strategy, seed 0, all rounds of the scenario."""
    return {s: mineralgame.run(BASELINE, strategy=s, seed=SEED) for s in STRATEGIES}


def summary_frame(runs: dict[str, RunRecord]) -> pd.DataFrame:
    """One row per strategy with every summary scalar."""
    rows = [runs[s].summary for s in STRATEGIES]
    df = pd.DataFrame(rows)
    return df[["strategy", *sorted(c for c in df.columns if c != "strategy")]]


def system_frame(runs: dict[str, RunRecord]) -> pd.DataFrame:
    """The system table at round 0 and the last round, per strategy and mineral."""
    parts = []
    for s in STRATEGIES:
        sysdf = runs[s].tables["system"]
        ends = sysdf[sysdf["round"].isin([0, sysdf["round"].max()])]
        parts.append(ends.assign(strategy=s))
    df = pd.concat(parts, ignore_index=True)
    cols = ["strategy", "round", "mineral"]
    return df[[*cols, *(c for c in df.columns if c not in cols)]].reset_index(drop=True)


def compare_with_golden(actual: pd.DataFrame, name: str, keys: list[str], update: bool) -> None:
    """Compare with ``expected/<name>`` (or rewrite it when updating)."""
    path = EXPECTED / name
    if update:
        EXPECTED.mkdir(parents=True, exist_ok=True)
        actual.to_csv(path, index=False)
        pytest.skip(f"rewrote {path.relative_to(ROOT)}; review the diff and commit it")
    assert path.is_file(), f"{path} is missing; create it with --update-golden"
    expected = pd.read_csv(path)
    hint = "if the change is intended, regenerate with --update-golden"
    assert list(actual.columns) == list(expected.columns), f"columns changed ({hint})"
    assert len(actual) == len(expected), f"row count changed ({hint})"
    for key in keys:
        assert actual[key].astype(str).tolist() == expected[key].astype(str).tolist(), key
    failures = []
    for col in expected.columns:
        if col in keys:
            continue
        exp, act = expected[col], actual[col]
        if pd.api.types.is_numeric_dtype(exp) and not pd.api.types.is_bool_dtype(exp):
            a, e = act.to_numpy(dtype=float), exp.to_numpy(dtype=float)
            ok = np.isclose(a, e, rtol=RTOL, atol=ATOL)
            for i in np.flatnonzero(~ok):
                where = ", ".join(f"{k}={actual[k].iloc[i]}" for k in keys)
                failures.append(f"{col} [{where}]: {a[i]!r} != golden {e[i]!r}")
        elif act.astype(str).tolist() != exp.astype(str).tolist():
            failures.append(f"{col}: {act.tolist()} != golden {exp.tolist()}")
    assert not failures, f"{name} differs ({hint}):\n" + "\n".join(failures[:30])


def test_baseline_summary_matches_golden(
    baseline_runs: dict[str, RunRecord], update_golden: bool
) -> None:
    actual = summary_frame(baseline_runs)
    assert actual["rounds"].tolist() == [16, 16, 16]
    compare_with_golden(actual, "baseline_summary.csv", ["strategy"], update_golden)


def test_baseline_system_matches_golden(
    baseline_runs: dict[str, RunRecord], update_golden: bool
) -> None:
    actual = system_frame(baseline_runs)
    assert sorted(actual["round"].unique().tolist()) == [0, 15]
    assert actual["mineral"].nunique() == 6
    compare_with_golden(
        actual, "baseline_system.csv", ["strategy", "round", "mineral"], update_golden
    )
