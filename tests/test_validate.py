"""`mineralgame validate`: each malformed scenario gives a clear error, exit 2, no traceback.

Field-level cases edit a small valid scenario (3 minerals, 4 countries, ``validate_support``);
file-level cases (broken YAML, binary, extends cycles, ...) are the files in ``tests/malformed/``.
How problems are reported (format, order, several files, quiet) is in ``test_validate_output``.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from validate_support import (
    BASE,
    MALFORMED,
    Edit,
    assert_fails,
    both,
    del_,
    rename,
    set_,
    validate,
    write_scenario,
)

# (edit of the base scenario, texts that must appear in the error output)
FIELD_CASES = [
    # schema: unknown keys, wrong types, missing fields
    pytest.param(rename("rounds", "round"), ["round:", "did you mean 'rounds'"], id="unknown-key"),
    pytest.param(
        rename("minerals.lithium.refined_price_usd_per_t", "refined_price"),
        ["minerals.lithium.refined_price:", "refined_price_usd_per_t"],
        id="unknown-nested-key",
    ),
    pytest.param(set_("rounds", "many"), ["rounds:", "whole number"], id="rounds-not-a-number"),
    pytest.param(set_("countries", ["USA", "CHN"]), ["countries:"], id="countries-a-list"),
    pytest.param(
        set_("minerals.cobalt", 33000), ["minerals.cobalt:", "mapping"], id="mineral-a-number"
    ),
    pytest.param(del_("minerals.cobalt.unit"), ["minerals.cobalt.unit:", "missing"], id="missing"),
    pytest.param(del_("dominant"), ["dominant:", "missing"], id="missing-dominant"),
    pytest.param(
        set_("countries.COD.role", "suplier"),
        ["countries.COD.role:", "did you mean 'supplier'"],
        id="role-misspelt",
    ),
    pytest.param(set_("events.0.kind", "embargo"), ["events.0.kind:"], id="event-kind-unknown"),
    pytest.param(set_("dominant_policy.retaliation", "maybe"), ["retaliation:"], id="bool-typo"),
    # schema: negative or impossible values
    pytest.param(
        set_("countries.COD.minerals.cobalt.mine_output_t", -5.0),
        ["countries.COD.minerals.cobalt.mine_output_t:", "-5.0"],
        id="negative-output",
    ),
    pytest.param(
        set_("minerals.lithium.ore_price_share", 1.5),
        ["minerals.lithium.ore_price_share:"],
        id="share-above-one",
    ),
    pytest.param(set_("rounds", 0), ["rounds:"], id="zero-rounds"),
    pytest.param(set_("years_per_round", -1), ["years_per_round:"], id="negative-round-length"),
    pytest.param(
        set_("minerals.graphite.demand_elasticity", 0.5),
        ["minerals.graphite.demand_elasticity:"],
        id="positive-elasticity",
    ),
    pytest.param(
        set_("countries.COD.minerals.cobalt.mine_capacity_t", 100.0),
        ["countries.COD.minerals.cobalt:", "mine_capacity_t is below mine_output_t"],
        id="capacity-below-output",
    ),
    pytest.param(
        set_("events.1.year", 2027),
        ["events.1:", "both or neither of 'year' and 'round'"],
        id="when",
    ),
    pytest.param(
        set_("shocks", {"disruption_severity": [0.5, 0.1]}),
        ["shocks:", "low <= high"],
        id="severity-reversed",
    ),
    pytest.param(
        set_("minerals.lithium.refined_price_usd_per_t", float("inf")),
        ["minerals.lithium.refined_price_usd_per_t:", "finite"],
        id="infinite-price",
    ),
    pytest.param(
        set_("minerals.lithium.mine_lead_time_rounds", 2.5),
        ["minerals.lithium.mine_lead_time_rounds:"],
        id="fractional-lead-time",
    ),
    # cross-references: countries, minerals, groups, strategies
    pytest.param(set_("dominant", "CHNA"), ["dominant:", "did you mean 'CHN'"], id="dominant-typo"),
    pytest.param(
        set_("countries.CHN.role", "supplier"),
        ["countries.CHN.role:", "set role: dominant"],
        id="dominant-not-dominant",
    ),
    pytest.param(
        set_("countries.ROW.role", "dominant"),
        ["countries.ROW.role:", "exactly one country"],
        id="two-dominants",
    ),
    pytest.param(
        rename("countries.USA.minerals.lithium", "lithum"),
        ["countries.USA.minerals.lithum:", "did you mean 'lithium'"],
        id="country-mineral-typo",
    ),
    pytest.param(set_("groups.G7", ["USA", "JPN"]), ["groups.G7.1:", "'JPN'"], id="group-member"),
    pytest.param(
        set_("groups", {"a": ["USA", "b"], "b": ["a"]}),
        ["groups.a:", "contains itself"],
        id="group-cycle",
    ),
    pytest.param(set_("rival_bloc", ["G7", "G8"]), ["rival_bloc.1:", "'G8'"], id="rival-bloc"),
    pytest.param(
        set_("events.0.actor", "PRC"), ["events.0.actor:", "unknown country"], id="event-actor"
    ),
    pytest.param(
        set_("events.0.actor", "G7"), ["events.0.actor:", "is a group"], id="event-actor-group"
    ),
    pytest.param(
        set_("events.1.minerals", ["cobalt", "kobalt"]),
        ["events.1.minerals.1:", "did you mean 'cobalt'"],
        id="event-mineral",
    ),
    pytest.param(
        set_("events.0.targets", ["G7", "EU"]), ["events.0.targets.1:", "'EU'"], id="event-target"
    ),
    pytest.param(
        set_("default_strategy", "derisc"),
        ["default_strategy:", "did you mean 'derisk'"],
        id="default-strategy-typo",
    ),
    pytest.param(
        set_("countries.USA.strategy", "decouple"),
        ["countries.USA.strategy:", "strategies.decouple"],
        id="built-in-strategy-undefined",
    ),
    pytest.param(
        del_("strategies.bau"), ["default_strategy:", "strategies.bau"], id="default-undefined"
    ),
    pytest.param(
        set_("strategies.derisk.banned_counterparties", ["CHN", "RUS"]),
        ["strategies.derisk.banned_counterparties.1:", "'RUS'"],
        id="banned-counterparty",
    ),
    pytest.param(
        set_("strategies.derisk.invest_with_groups", ["frends"]),
        ["strategies.derisk.invest_with_groups.0:", "did you mean 'friends'"],
        id="invest-with-group",
    ),
    pytest.param(
        set_("dominant_policy.retaliation_minerals", ["rare_earths"]),
        ["dominant_policy.retaliation_minerals.0:", "'rare_earths'"],
        id="retaliation-mineral",
    ),
    # timing and plausibility
    pytest.param(
        set_("minerals.lithium.demand_growth", {2025: 1.0, 20300: 1.8}),
        ["minerals.lithium.demand_growth.20300:", "calendar year"],
        id="demand-growth-year",
    ),
    pytest.param(
        set_("minerals.lithium.demand_growth", {2030: 1.8, 2025: 1.0}),
        ["minerals.lithium.demand_growth:", "increasing order"],
        id="demand-growth-order",
    ),
    pytest.param(
        set_("minerals.lithium.demand_growth", {2030: -1.0}),
        ["minerals.lithium.demand_growth.2030:"],
        id="demand-growth-negative",
    ),
    pytest.param(
        set_("events.0.year", 2040), ["events.0.year:", "end of the run"], id="event-too-late"
    ),
    pytest.param(
        set_("events.1.round", 6), ["events.1.round:", "never happens"], id="event-round-too-late"
    ),
    pytest.param(
        both(del_("countries.ROW.minerals.lithium"), del_("countries.CHN.minerals.lithium")),
        ["minerals.lithium:", "no country mines or refines"],
        id="mineral-without-supply",
    ),
    pytest.param(
        both(set_("events.0.actor", "XX"), set_("events.1.actor", "YY")),
        ["events.0.actor:", "events.1.actor:"],
        id="several-problems",
    ),
]

# (file in tests/malformed/, texts that must appear in the error output)
FILE_CASES = [
    pytest.param("broken_yaml.yaml", ["not valid YAML", "line 3"], id="broken-yaml"),
    pytest.param("top_level_list.yaml", ["holds a list, not a mapping"], id="list"),
    pytest.param("top_level_text.yaml", ["holds a str, not a mapping"], id="text"),
    pytest.param("empty.yaml", ["is empty"], id="empty"),
    pytest.param("only_comment.yaml", ["is empty"], id="only-comment"),
    pytest.param("binary.yaml", ["not a UTF-8 text file"], id="binary"),
    pytest.param("tab_indent.yaml", ["not valid YAML", "line 3"], id="tab"),
    pytest.param("extends_self.yaml", ["extends:", "cycle"], id="extends-self"),
    pytest.param("cycle_a.yaml", ["extends:", "cycle_a.yaml -> cycle_b.yaml"], id="cycle"),
    pytest.param("extends_missing.yaml", ["extends:", "file not found"], id="extends-missing"),
    pytest.param("extends_not_a_name.yaml", ["extends:", "file name"], id="extends-list"),
    pytest.param("event_files_missing.yaml", ["event_files.0:", "not found"], id="event-file"),
    pytest.param("event_file_without_events.yaml", ["no_events.yaml", "has no events"], id="ev"),
    pytest.param("deep_nesting.yaml", ["nested too deeply"], id="deep-nesting"),
    pytest.param("python_tag.yaml", ["not valid YAML", "python/object"], id="python-tag"),
    pytest.param("duplicate_key.yaml", ["line 4", "'lithium' twice"], id="duplicate-key"),
    pytest.param("no_such_file.yaml", ["file not found"], id="missing-file"),
    pytest.param(".", ["is a directory"], id="directory"),
]


def test_base_scenario_is_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_scenario(tmp_path, BASE)
    code, out, err = validate(capsys, path)
    assert (code, err) == (0, "")
    assert out == f"{path}: OK\n"


@pytest.mark.parametrize(("edit", "expected"), FIELD_CASES)
def test_malformed_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: Edit, expected: list[str]
) -> None:
    data = copy.deepcopy(BASE)
    edit(data)
    path = write_scenario(tmp_path, data)
    code, out, err = validate(capsys, path)
    assert_fails(code, out, err, [f"{path}: ", *expected])
    assert f"{path}: FAILED" in err


@pytest.mark.parametrize(("name", "expected"), FILE_CASES)
def test_malformed_file(capsys: pytest.CaptureFixture[str], name: str, expected: list[str]) -> None:
    path = MALFORMED / name
    code, out, err = validate(capsys, path)
    assert_fails(code, out, err, expected)


def _console_command() -> list[str]:
    script = Path(sys.executable).parent / "mineralgame"
    found = str(script) if script.exists() else shutil.which("mineralgame")
    return [found] if found else [sys.executable, "-m", "mineralgame.cli"]


def test_console_script_never_prints_a_traceback(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["countries"]["USA"]["minerals"]["lithum"] = {"demand_t": -1}
    bad = write_scenario(tmp_path, data)
    files = [str(MALFORMED / str(p.values[0])) for p in FILE_CASES]
    result = subprocess.run(
        [*_console_command(), "validate", str(bad), *files],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr.count("FAILED") == len(files) + 1
    assert "countries.USA.minerals.lithum.demand_t" in result.stderr
