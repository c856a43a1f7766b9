"""A run that keeps only its scalars (``tables=False``, what sweeps use) is the same run.

Oracle: for shipped scenarios (with shocks, export controls and negotiation), every
strategy and several seeds, ``summary()`` is identical with and without the record's
tables, and the tables that are skipped really are not built.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mineralgame.config.load import load_scenario
from mineralgame.model import MineralModel

ROOT = Path(__file__).resolve().parents[2]
CASES = [
    ("classroom.yaml", None, 0),
    ("classroom.yaml", None, 7),
    ("export_controls.yaml", 5, 3),
    ("cobalt_halt.yaml", 5, 1),
]
SKIPPED = ("flows", "sources", "prices", "projects", "negotiation_sessions", "negotiation_offers")


def _run(config: str, rounds: int | None, seed: int, strategy: str, tables: bool) -> MineralModel:
    scenario = load_scenario(ROOT / "configs" / config)
    if rounds is not None:
        scenario = scenario.model_copy(update={"rounds": rounds})
    model = MineralModel(scenario, strategy=strategy, rng=seed, tables=tables)
    for _ in range(scenario.rounds):
        model.step()
    return model


@pytest.mark.parametrize(("config", "rounds", "seed"), CASES)
@pytest.mark.parametrize("strategy", ["bau", "derisk", "decouple"])
def test_scalars_are_the_same_without_tables(
    config: str, rounds: int | None, seed: int, strategy: str
) -> None:
    full = _run(config, rounds, seed, strategy, tables=True)
    light = _run(config, rounds, seed, strategy, tables=False)
    assert light.summary() == full.summary()
    assert light.recorder.events == full.recorder.events
    kept = {name for name, cols in full.recorder.cols.items() if any(cols.values())}
    assert kept >= {"flows", "sources", "prices", "negotiation_sessions", "negotiation_offers"}
    for name in SKIPPED:
        assert not any(light.recorder.cols[name].values()), name
