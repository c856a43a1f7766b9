"""Shared by the ``mineralgame validate`` tests: a small valid scenario, edits of it by dotted
path, and running the command in-process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from mineralgame.cli import main

ROOT = Path(__file__).resolve().parents[1]
MALFORMED = Path(__file__).resolve().parent / "malformed"

BASE: dict[str, Any] = {
    "name": "tiny",
    "description": "Three minerals, four countries: the smallest useful world.",
    "start_year": 2025,
    "rounds": 6,
    "dominant": "CHN",
    "minerals": {
        "lithium": {
            "unit": "t Li",
            "refined_price_usd_per_t": 15000.0,
            "mine_capex_usd_per_tpy": 30000.0,
            "refinery_capex_usd_per_tpy": 20000.0,
            "demand_growth": {2025: 1.0, 2030: 1.8},
        },
        "cobalt": {
            "unit": "t Co",
            "refined_price_usd_per_t": 33000.0,
            "mine_capex_usd_per_tpy": 40000.0,
            "refinery_capex_usd_per_tpy": 25000.0,
        },
        "graphite": {
            "unit": "t C",
            "refined_price_usd_per_t": 900.0,
            "mine_capex_usd_per_tpy": 2000.0,
            "refinery_capex_usd_per_tpy": 3000.0,
        },
    },
    "countries": {
        "USA": {
            "name": "United States",
            "role": "member",
            "region": "north_america",
            "minerals": {"lithium": {"demand_t": 10000.0}, "cobalt": {"demand_t": 8000.0}},
        },
        "CHN": {
            "name": "China",
            "role": "dominant",
            "region": "asia",
            "minerals": {
                "lithium": {"refining_output_t": 50000.0},
                "cobalt": {"refining_output_t": 60000.0},
                "graphite": {"mine_output_t": 80000.0, "refining_output_t": 90000.0},
            },
        },
        "COD": {
            "name": "DR Congo",
            "role": "supplier",
            "region": "africa",
            "minerals": {"cobalt": {"mine_output_t": 70000.0, "reserves_t": 6.0e6}},
        },
        "ROW": {
            "name": "Rest of world",
            "role": "rest_of_world",
            "region": "world",
            "minerals": {"lithium": {"mine_output_t": 60000.0}},
        },
    },
    "groups": {"G7": ["USA"], "friends": ["USA", "COD"]},
    "rival_bloc": ["G7"],
    "strategies": {
        "bau": {},
        "derisk": {"banned_counterparties": ["CHN"], "invest_with_groups": ["friends"]},
    },
    "default_strategy": "bau",
    "dominant_policy": {"retaliation_minerals": ["graphite"]},
    "events": [
        {
            "kind": "export_licensing",
            "year": 2026,
            "actor": "CHN",
            "minerals": ["graphite"],
            "targets": ["G7"],
            "share": 0.5,
        },
        {"kind": "ore_export_ban", "round": 2, "actor": "COD", "minerals": ["cobalt"]},
    ],
}

Edit = Callable[[dict[str, Any]], None]


def _parent(data: dict[str, Any], dotted: str) -> tuple[Any, str | int]:
    node: Any = data
    keys: list[str | int] = [int(k) if k.isdigit() else k for k in dotted.split(".")]
    for key in keys[:-1]:
        node = node[key]
    return node, keys[-1]


def set_(dotted: str, value: object) -> Edit:
    """An edit that sets the value at a dotted path (list indices as numbers)."""

    def edit(data: dict[str, Any]) -> None:
        node, key = _parent(data, dotted)
        node[key] = value

    return edit


def del_(dotted: str) -> Edit:
    """An edit that deletes the key at a dotted path."""

    def edit(data: dict[str, Any]) -> None:
        node, key = _parent(data, dotted)
        del node[key]

    return edit


def rename(dotted: str, new: str) -> Edit:
    """An edit that renames the key at a dotted path, keeping its value."""

    def edit(data: dict[str, Any]) -> None:
        node, key = _parent(data, dotted)
        node[new] = node.pop(key)

    return edit


def both(*edits: Edit) -> Edit:
    """An edit that applies several edits in order."""

    def edit(data: dict[str, Any]) -> None:
        for e in edits:
            e(data)

    return edit


def write_scenario(folder: Path, data: dict[str, Any], name: str = "scenario.yaml") -> Path:
    """Write ``data`` as a YAML scenario file in ``folder``; return its path."""
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def validate(capsys: pytest.CaptureFixture[str], *files: Path | str) -> tuple[int, str, str]:
    """Run ``mineralgame validate FILES``; return (exit code, stdout, stderr)."""
    code = main(["validate", *(str(f) for f in files)])
    out, err = capsys.readouterr()
    return code, out, err


def assert_fails(code: int, out: str, err: str, expected: list[str]) -> None:
    """Assert exit code 2, each expected text in the output, no OK and no traceback."""
    text = out + err
    assert code == 2, text
    assert "Traceback" not in text
    assert ": OK" not in out
    for snippet in expected:
        assert snippet in err, f"{snippet!r} not in:\n{err}"
