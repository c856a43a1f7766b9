"""Python API for notebooks and scripts: run a scenario, get DataFrames, open records."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from mineralgame.config.load import load_scenario
from mineralgame.config.schema import Scenario
from mineralgame.decisions import dump_decisions, parse_decisions
from mineralgame.record import SCHEMA_VERSION, RunRecord, content_hash, open_record, versions

__all__ = ["RunRecord", "open_record", "run", "scenario_hash"]


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's canonical JSON."""
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def run(
    scenario: str | Path | Scenario,
    *,
    strategy: str | None = None,
    seed: int = 0,
    rounds: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
    decisions: list[dict[str, Any]] | None = None,
    humans: tuple[str, ...] = (),
) -> RunRecord:
    """Run a scenario and return its record (``.tables``, ``.summary``, ``.save()``)."""
    from mineralgame.model import MineralModel

    source = None
    if not isinstance(scenario, Scenario):
        source = str(scenario)
        scenario = load_scenario(scenario, overrides)
    elif overrides:
        from mineralgame.config.load import apply_overrides, scenario_from_raw

        scenario = scenario_from_raw(apply_overrides(scenario.model_dump(mode="json"), overrides))
    if rounds is not None:
        scenario = scenario.model_copy(update={"rounds": int(rounds)})
    parsed = parse_decisions(decisions)
    model = MineralModel(scenario, strategy=strategy, rng=seed, decisions=parsed, humans=humans)
    for r in range(scenario.rounds):
        model.step()
        if progress is not None:
            progress(r + 1, scenario.rounds)
    tables = model.recorder.tables()
    digest = content_hash(tables)
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "run_id": digest[:12],
        "scenario_name": scenario.name,
        "scenario_file": source,
        "scenario": scenario.model_dump(mode="json"),
        "scenario_hash": scenario_hash(scenario),
        "seed": int(seed),
        "strategy": model.run_strategy,
        "rounds": scenario.rounds,
        "start_year": scenario.start_year,
        "years_per_round": scenario.years_per_round,
        "versions": versions(),
        "content_hash": digest,
        "tables": sorted(tables),
        "summary": model.summary(),
        "decisions": dump_decisions(parsed),
        "humans": list(model.humans),
    }
    return RunRecord(manifest, tables)
