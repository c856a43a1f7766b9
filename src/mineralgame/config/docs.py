"""Scenario reference generated from the schema (units and descriptions live in one place)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from mineralgame.config import negotiation, schema

SECTIONS: tuple[tuple[str, type[BaseModel]], ...] = (
    ("Scenario (top level)", schema.Scenario),
    ("minerals.<name> (MineralSpec)", schema.MineralSpec),
    ("countries.<ISO3> (CountrySpec)", schema.CountrySpec),
    ("countries.<ISO3>.minerals.<name> (CountryMineral)", schema.CountryMineral),
    ("countries.<ISO3>.preferences (Preferences)", schema.Preferences),
    ("strategies.<name> (StrategyParams)", schema.StrategyParams),
    ("dominant_policy (DominantPolicy)", schema.DominantPolicy),
    ("shocks (StochasticShocks)", schema.StochasticShocks),
    ("events[] (EventSpec)", schema.EventSpec),
    ("negotiation (NegotiationConfig)", negotiation.NegotiationConfig),
    ("negotiation.doctrines.<strategy> (Doctrine)", negotiation.Doctrine),
    ("negotiation.deals (DealEconomics)", negotiation.DealEconomics),
    ("negotiation.rival (RivalOffers)", negotiation.RivalOffers),
    ("negotiation.renegotiation (Renegotiation)", negotiation.Renegotiation),
    ("negotiation.information (Information)", negotiation.Information),
    ("negotiation.pacts (PactRules)", negotiation.PactRules),
)


def _default(info: Any) -> str:
    if info.is_required():
        return "required"
    if info.default_factory is not None:
        value = info.default_factory()
        if isinstance(value, BaseModel):
            return "(see its section)"
        if (
            isinstance(value, dict)
            and value
            and all(isinstance(v, BaseModel) for v in value.values())
        ):
            return "`" + "`, `".join(value) + "` (see the section)"
        return f"`{value!r}`" if value else "(empty)"
    return f"`{info.default!r}`"


def schema_markdown() -> str:
    """The scenario file reference as Markdown."""
    lines = [
        "# Scenario file reference",
        "",
        "Generated from `src/mineralgame/config/schema.py` by",
        "`python -m mineralgame.config.docs > docs/SCENARIO.md`; a test keeps it current.",
        "Units are in brackets at the end of each description. Loader keys: `extends:` (a",
        "scenario file to start from) and `event_files:` (files whose `events` are appended).",
    ]
    for title, model in SECTIONS:
        lines += ["", f"## {title}", "", "| field | default | description |", "|---|---|---|"]
        for name, info in model.model_fields.items():
            desc = (info.description or "").replace("|", "\\|")
            lines.append(f"| `{name}` | {_default(info)} | {desc} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(schema_markdown(), end="")  # noqa: T201
