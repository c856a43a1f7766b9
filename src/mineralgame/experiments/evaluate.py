"""The default evaluator (the model run for one run spec) and what every evaluator returns.

An evaluator is any ``Callable[[RunSpec], RunOutput]``. The model's evaluator parses each
scenario file once per process and applies the run's overrides; when only run scalars are
kept it steps the model without building the record's tables.
"""

from __future__ import annotations

import functools
import importlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from mineralgame.config.load import Problem
from mineralgame.experiments.design import RunSpec
from mineralgame.experiments.spec import MODEL_EVALUATOR, Experiment, ExperimentError, Outputs
from mineralgame.experiments.store import SERIES_KEYS


@dataclass(frozen=True)
class RunOutput:
    """What one run returns.

    Attributes:
        scalars: Run scalars (outcomes) by name.
        series: Long series: ``table, round, [country, mineral, stage, region], variable,
            value``; None if none kept.
        events: The run's events table; None if not kept.
    """

    scalars: Mapping[str, float]
    series: pd.DataFrame | None = None
    events: pd.DataFrame | None = None


Evaluator = Callable[[RunSpec], RunOutput]
SUMMARY_METADATA = frozenset({"seed", "rounds", "round", "year"})


def evaluate_model(spec: RunSpec) -> RunOutput:
    """Run the mineralgame model for one run spec (imports the model lazily).

    When only run scalars are kept, the model is stepped and its summary read directly (what
    ``mineralgame.run`` does, without building and hashing the record's tables); otherwise
    ``mineralgame.run`` supplies the tables the series and events come from.
    """
    import mineralgame

    scenario = scenario_for(spec)
    if spec.outputs.series is None and not spec.outputs.events:
        return output_from_tables(run_summary(scenario, spec), {}, spec.outputs)
    result = mineralgame.run(scenario, strategy=spec.strategy, seed=spec.seed, rounds=spec.rounds)
    return output_from_tables(result.summary, result.tables, spec.outputs)


def run_summary(scenario: Any, spec: RunSpec) -> dict[str, Any]:
    """Step the model through the horizon; return its run scalars (no record tables)."""
    from mineralgame.model import MineralModel

    if spec.rounds is not None:
        scenario = scenario.model_copy(update={"rounds": int(spec.rounds)})
    model = MineralModel(scenario, strategy=spec.strategy, rng=spec.seed, tables=False)
    for _ in range(scenario.rounds):
        model.step()
    return dict(model.summary())


def scenario_for(spec: RunSpec) -> Any:
    """The run's validated scenario: the cached parsed file with the run's overrides applied.

    Parsing the YAML costs tens of milliseconds, so each worker process parses a scenario
    file once (again if its modification time changes) and only validates per run.
    """
    from mineralgame.config.load import apply_overrides, scenario_from_raw

    if spec.scenario is None:
        raise ValueError("the mineralgame evaluator needs a scenario file")
    raw = parsed_scenario(spec.scenario, os.stat(spec.scenario).st_mtime_ns)
    return scenario_from_raw(apply_overrides(raw, spec.overrides), spec.scenario)


@functools.lru_cache(maxsize=8)
def parsed_scenario(path: str, mtime_ns: int) -> dict[str, Any]:
    from mineralgame.config.load import resolve_raw

    return resolve_raw(Path(path))


def output_from_tables(
    summary: Mapping[str, Any], tables: Mapping[str, pd.DataFrame], outputs: Outputs
) -> RunOutput:
    """Select the kept scalars, series and events from a run's summary and tables."""
    numeric = {
        k: float(v) for k, v in summary.items() if _is_number(v) and k not in SUMMARY_METADATA
    }
    if outputs.scalars:
        missing = [name for name in outputs.scalars if name not in numeric]
        if missing:
            have = ", ".join(sorted(numeric))
            raise KeyError(f"run scalars {missing} are not in the run summary (it has: {have})")
        numeric = {name: numeric[name] for name in outputs.scalars}
    series = long_series(tables, outputs) if outputs.series else None
    events = tables.get("events") if outputs.events else None
    return RunOutput(numeric, series, events)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def long_series(tables: Mapping[str, pd.DataFrame], outputs: Outputs) -> pd.DataFrame | None:
    """Melt the kept columns of run-record tables into the long series format."""
    cfg = outputs.series
    if cfg is None:
        return None
    frames = []
    for name, columns in cfg.tables.items():
        if name not in tables:
            raise KeyError(f"series table '{name}' is not in the run record ({sorted(tables)})")
        df = tables[name]
        last = df["round"].max()
        df = df[(df["round"] % cfg.every == 0) | (df["round"] == last)]
        keys = [k for k in SERIES_KEYS if k in df.columns]
        long = df.melt(["round", *keys], list(columns), var_name="variable", value_name="value")
        frames.append(long.assign(table=name))
    return normalize_series(pd.concat(frames, ignore_index=True)) if frames else None


def normalize_series(df: pd.DataFrame) -> pd.DataFrame:
    """Give a long series frame the fixed columns and types of the ``series`` table."""
    out = pd.DataFrame(
        {
            "table": df["table"].astype(str),
            "round": df["round"].astype("int64"),
        }
    )
    for key in SERIES_KEYS:
        values = df[key] if key in df.columns else pd.Series(None, index=df.index)
        out[key] = values.astype("string")
    out["variable"] = df["variable"].astype(str)
    out["value"] = df["value"].astype("float64")
    return out


def resolve_evaluator(name: str) -> Evaluator:
    """The evaluator an experiment names: 'mineralgame' or 'module:function'."""
    if name == MODEL_EVALUATOR:
        return evaluate_model
    module, _, attr = name.partition(":")
    try:
        fn = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        msg = f"cannot import '{name}' ({exc})"
        fix = "give an importable module:function"
        raise ExperimentError([Problem("<experiment>", "evaluator", msg, fix)]) from exc
    if not callable(fn):
        raise ExperimentError([Problem("<experiment>", "evaluator", f"{name} is not callable")])
    return fn  # type: ignore[no-any-return]


def scenario_base(exp: Experiment) -> dict[str, Any] | None:
    """The resolved scenario (defaults included) as a plain mapping, or None."""
    from mineralgame.config.load import scenario_from_raw

    path = exp.scenario_path()
    if path is None:
        return None
    raw = parsed_scenario(str(path), os.stat(path).st_mtime_ns)
    return scenario_from_raw(raw, str(path)).model_dump(mode="json")
