"""docs/SCENARIO.md is generated from the schema and must be current."""

from pathlib import Path

from mineralgame.config.docs import schema_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "SCENARIO.md"


def test_scenario_reference_is_current() -> None:
    assert DOC.read_text() == schema_markdown(), (
        "regenerate: python -m mineralgame.config.docs > docs/SCENARIO.md"
    )


def test_every_parameter_has_a_description() -> None:
    for line in schema_markdown().splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            assert len(cells) == 3, line
            assert cells[2], f"no description: {line}"
