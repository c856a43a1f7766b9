"""Recorded decisions: a human's levers for a country in a round, or an injected event.

A classroom session (or a notebook) steers a run with a list of decisions. They are stored
in the record's manifest, and re-running the scenario and seed with the same decisions
reproduces the record exactly.

* ``{"round": 2, "country": "JPN", "levers": {"stockpile_target_days": 90}}``: from round 2
  on, JPN plays with these strategy parameters changed (any ``StrategyParams`` field).
* ``{"round": 3, "event": {...EventSpec fields...}}``: an event injected by the facilitator.
* ``{"round": 2, "proposer": "JPN", "responder": "COD", "terms": {...DealTerms...},
  "response": "accept"}``: a deal offered by a human; ``response`` is the human responder's
  answer, or absent when the responder is a bot (the negotiation layer then answers with the
  bot's own logic, deterministically from the seed).
* ``{"round": 4, "country": "KOR", "pact": "MSP", "action": "leave"}``: pact membership.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from mineralgame.config.schema import EventSpec, Frozen, StrategyParams


class LeverDecision(Frozen):
    """A country's levers from a round on."""

    round: Annotated[int, Field(ge=0)]
    country: str
    levers: dict[str, Any]


class EventDecision(Frozen):
    """An event injected in a round."""

    round: Annotated[int, Field(ge=0)]
    event: EventSpec


class DealTerms(Frozen):
    """Terms of a bilateral deal offered by a human (units as in the schema)."""

    kind: Literal["investment", "offtake", "tech_transfer"]
    mineral: str
    offtake_share: Annotated[float, Field(ge=0.0, le=1.0)] = 0.5
    price_vs_index: Annotated[float, Field(gt=0.0, le=5.0)] = 1.0
    duration_rounds: Annotated[int, Field(ge=1, le=40)] = 5
    equity: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0
    investment_usd: Annotated[float, Field(ge=0.0)] = 0.0
    tonnes_per_round: Annotated[float, Field(ge=0.0)] = 0.0
    technology_level: Annotated[float, Field(ge=0.0, le=1.5)] = 0.0
    fee_usd: Annotated[float, Field(ge=0.0)] = 0.0


class OfferDecision(Frozen):
    """A deal offered by a human; ``response`` absent = a bot answers."""

    round: Annotated[int, Field(ge=0)]
    proposer: str
    responder: str
    terms: DealTerms
    response: Literal["accept", "reject"] | None = None


class PactDecision(Frozen):
    """A country joins or leaves a pact."""

    round: Annotated[int, Field(ge=0)]
    country: str
    pact: str
    action: Literal["join", "leave"]


Decision = LeverDecision | EventDecision | OfferDecision | PactDecision
_ADAPTER: TypeAdapter[list[Decision]] = TypeAdapter(list[Decision])
LEVER_FIELDS = tuple(sorted(StrategyParams.model_fields))


def parse_decisions(raw: list[dict[str, Any]] | None) -> list[Decision]:
    """Validate decisions (unknown lever names are rejected with the allowed list)."""
    decisions = _ADAPTER.validate_python(raw or [])
    for d in decisions:
        if isinstance(d, LeverDecision):
            unknown = sorted(set(d.levers) - set(LEVER_FIELDS))
            if unknown:
                raise ValueError(
                    f"unknown lever(s) {unknown} for {d.country}; use: {', '.join(LEVER_FIELDS)}"
                )
    return decisions


def dump_decisions(decisions: list[Decision]) -> list[dict[str, Any]]:
    """Decisions as plain JSON-ready dicts."""
    return [d.model_dump(mode="json", exclude_none=True) for d in decisions]


def apply_levers(params: StrategyParams, levers: dict[str, Any]) -> StrategyParams:
    """New validated parameters with the levers changed."""
    return StrategyParams.model_validate({**params.model_dump(), **levers})
