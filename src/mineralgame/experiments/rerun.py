"""Rebuild one run of a sweep into a full run record, with its stored parameters and seed."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

from mineralgame.config.load import Problem
from mineralgame.experiments.design import RunSpec, digest, run_specs
from mineralgame.experiments.evaluate import scenario_base
from mineralgame.experiments.spec import MODEL_EVALUATOR, ExperimentError
from mineralgame.experiments.store import open_results, read_manifest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rerun:
    """A rebuilt run: where its record went and how its scalars compare with the sweep's.

    Attributes:
        path: The run record folder.
        mismatches: Run scalars whose rerun value differs from the stored one (name, stored,
            rerun); empty when the rerun reproduces the sweep.
    """

    path: Path
    mismatches: list[tuple[str, float, float]]


def stored_spec(path: str | Path, run_id: str) -> tuple[RunSpec, dict[str, float]]:
    """The run spec of ``run_id`` and its stored run scalars (empty if not finished ok)."""
    with open_results(path) as res:
        design = res.sql("SELECT * FROM design WHERE run_id = ?", [run_id])
        if design.empty:
            msg = f"run id {run_id} is not in the design of {path}"
            fix = "copy an id from the runs table (open_results(DIR).runs())"
            raise ExperimentError([Problem(str(path), "", msg, fix)])
        exp = res.experiment()
        stored = res.sql("SELECT * FROM runs WHERE run_id = ? AND status = 'ok'", [run_id])
        names = res.outcomes()
    if exp.evaluator != MODEL_EVALUATOR:
        msg = f"rerun rebuilds model runs, and this sweep used the evaluator {exp.evaluator}"
        raise ExperimentError([Problem(str(path), "evaluator", msg, "")])
    scalars = {} if stored.empty else {n: float(stored[n].iloc[0]) for n in names}
    return next(run_specs(exp, design)), scalars


def rerun(path: str | Path, run_id: str, out: str | Path) -> Rerun:
    """Run ``run_id`` of the sweep in ``path`` again and save its full run record to ``out``.

    Args:
        path: Results folder of the sweep.
        run_id: The run to rebuild.
        out: Folder of the run record (opens in the dashboard).

    Returns:
        The record's path and any scalar that differs from the sweep's stored value.
    """
    import mineralgame

    spec, stored = stored_spec(path, run_id)
    _warn_if_scenario_changed(Path(path), spec)
    if spec.scenario is None:
        raise ExperimentError([Problem(str(path), "scenario", "the sweep has no scenario file")])
    result = mineralgame.run(
        spec.scenario,
        strategy=spec.strategy,
        seed=spec.seed,
        rounds=spec.rounds,
        overrides=dict(spec.overrides) or None,
    )
    saved = Path(result.save(Path(out)))
    mismatches = [
        (name, value, float(result.summary[name]))
        for name, value in stored.items()
        if name in result.summary and not _same(value, float(result.summary[name]))
    ]
    return Rerun(saved, mismatches)


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)


def _warn_if_scenario_changed(path: Path, spec: RunSpec) -> None:
    from mineralgame.experiments.spec import load_experiment

    manifest = read_manifest(path)
    try:
        base = scenario_base(load_experiment(path / "experiment.yaml"))
    except ExperimentError:
        return
    if base is not None and manifest.get("scenario_hash") not in (None, digest(base)):
        log.warning(
            "the scenario file %s changed since the sweep; run %s may not reproduce",
            spec.scenario,
            spec.run_id,
        )
