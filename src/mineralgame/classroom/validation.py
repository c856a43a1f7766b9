"""Server-side validation of everything a browser sends, with messages a student can act on.

Each function takes raw JSON-like input and returns clean data or raises :class:`InputError`
naming the field, what is wrong and what to write instead. Nothing the browser sends decides
who acts: the acting country comes from the seat, never from the request.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from mineralgame.config.schema import EventSpec, Scenario
from mineralgame.decisions import DealTerms

NAME_RE = re.compile(r"^[\w .'’-]{1,40}$", re.UNICODE)
PACT_RE = re.compile(r"^[A-Za-z0-9_]{2,24}$")
MAX_TEXT = 500


class InputError(ValueError):
    """An input failed validation; ``str(error)`` is the message for the user."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True, slots=True)
class Bound:
    """Range and label of a numeric lever."""

    low: float
    high: float
    label: str
    unit: str = ""


MEMBER_LEVERS: dict[str, Bound] = {
    "dependence_cap": Bound(0.0, 1.0, "Cap on dependence on any one foreign refiner", "share"),
    "security_premium": Bound(0.0, 2.0, "Security premium on imports above the cap", "× price"),
    "stockpile_target_days": Bound(0.0, 365.0, "Stockpile target", "days"),
    "investment_share": Bound(0.0, 1.0, "Share of budget invested in new supply", "share"),
    "offtake_share": Bound(0.0, 1.0, "Offtake taken from invested projects", "share"),
}
LIST_LEVERS = ("banned_counterparties", "invest_with_groups")
POLICY_KINDS = {
    "export_licensing": "License exports (share still allowed)",
    "export_ban": "Ban refined exports",
    "ore_export_ban": "Ban ore exports",
}
FACILITATOR_EVENTS = {
    "export_controls": "Export controls (licensing)",
    "export_ban": "Export ban",
    "mine_accident": "Mine accident",
    "demand_spike": "Demand spike",
    "new_technology": "New technology",
    "news": "News flash",
}
OFFER_KINDS = ("investment", "offtake", "tech_transfer", "pact")
OFFER_FIELDS = (
    "mineral",
    "offtake_share",
    "price_vs_index",
    "duration_rounds",
    "equity",
    "investment_usd",
    "tonnes_per_round",
    "technology_level",
    "fee_usd",
)


@dataclass(frozen=True, slots=True)
class World:
    """What validation needs to know about a scenario."""

    countries: tuple[str, ...]
    roles: Mapping[str, str]
    names: Mapping[str, str]
    minerals: tuple[str, ...]
    groups: tuple[str, ...]

    @classmethod
    def of(cls, scenario: Scenario) -> World:
        """The world of a scenario."""
        return cls(
            countries=tuple(scenario.countries),
            roles={c: s.role for c, s in scenario.countries.items()},
            names={c: s.name for c, s in scenario.countries.items()},
            minerals=tuple(scenario.minerals),
            groups=tuple(scenario.groups),
        )

    @property
    def playable(self) -> tuple[str, ...]:
        """Countries a delegation can play (all but the rest-of-world residual)."""
        return tuple(c for c in self.countries if self.roles[c] != "rest_of_world")


def _number(field: str, value: object, low: float, high: float) -> float:
    """A finite number within [low, high]."""
    if isinstance(value, bool) or value is None or value == "":
        raise InputError(field, f"enter a number between {low:g} and {high:g}")
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(field, f"{str(value)[:30]!r} is not a number") from None
    if not math.isfinite(x) or not low <= x <= high:
        raise InputError(field, f"must be between {low:g} and {high:g} (got {x:g})")
    return x


def _integer(field: str, value: object, low: int, high: int) -> int:
    x = _number(field, value, low, high)
    if x != int(x):
        raise InputError(field, f"must be a whole number between {low} and {high}")
    return int(x)


def _choices(field: str, value: object, allowed: Sequence[str]) -> tuple[str, ...]:
    """A list of distinct allowed names (a single string is one name)."""
    items = [value] if isinstance(value, str) else value
    if items is None:
        return ()
    if not isinstance(items, list | tuple):
        raise InputError(field, "must be a list")
    out = []
    for item in items:
        if not isinstance(item, str) or item not in allowed:
            raise InputError(field, f"unknown {str(item)[:30]!r}; choose from {', '.join(allowed)}")
        if item not in out:
            out.append(item)
    return tuple(sorted(out))


def _mapping(field: str, value: object) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InputError(field, "must be an object of named values")
    return value


def clean_name(value: object) -> str:
    """A student's display name: 1–40 letters, digits, spaces and . ' -."""
    if not isinstance(value, str) or not value.strip():
        raise InputError("name", "enter your name (1–40 characters)")
    name = " ".join(value.split())
    if not NAME_RE.match(name):
        raise InputError("name", "use 1–40 letters, digits, spaces, dots, apostrophes or dashes")
    return name


def clean_text(field: str, value: object, *, required: bool = True) -> str:
    """Free text (a broadcast, a news flash) up to 500 characters, control characters removed."""
    text = value if isinstance(value, str) else ""
    text = "".join(ch for ch in text if ch.isprintable() or ch == " ").strip()
    if required and not text:
        raise InputError(field, "enter some text")
    if len(text) > MAX_TEXT:
        raise InputError(field, f"at most {MAX_TEXT} characters (got {len(text)})")
    return text


def clean_levers(raw: object, world: World, country: str) -> dict[str, Any]:
    """A member's levers (only the ones given; unknown names are rejected)."""
    levers = _mapping("levers", raw)
    unknown = sorted(set(levers) - set(MEMBER_LEVERS) - set(LIST_LEVERS))
    if unknown:
        allowed = ", ".join([*MEMBER_LEVERS, *LIST_LEVERS])
        raise InputError("levers", f"unknown lever(s) {unknown}; use: {allowed}")
    out: dict[str, Any] = {}
    for name, bound in MEMBER_LEVERS.items():
        if name in levers and levers[name] not in (None, ""):
            out[name] = _number(name, levers[name], bound.low, bound.high)
    if "banned_counterparties" in levers:
        others = [c for c in world.countries if c != country] + list(world.groups)
        out["banned_counterparties"] = list(
            _choices("banned_counterparties", levers["banned_counterparties"], others)
        )
    if "invest_with_groups" in levers:
        out["invest_with_groups"] = list(
            _choices("invest_with_groups", levers["invest_with_groups"], world.groups)
        )
    return out


def clean_policy(raw: object, world: World, country: str) -> list[dict[str, Any]]:
    """A delegation's own export measures (at most four)."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise InputError("policy", "must be a list of measures")
    if len(raw) > 4:
        raise InputError("policy", "at most 4 export measures per round")
    out = []
    for i, item in enumerate(raw):
        m = _mapping(f"policy[{i}]", item)
        kind = m.get("kind")
        if kind not in POLICY_KINDS:
            raise InputError(f"policy[{i}].kind", f"choose one of {', '.join(POLICY_KINDS)}")
        minerals = _choices(f"policy[{i}].minerals", m.get("minerals"), world.minerals)
        if not minerals:
            raise InputError(f"policy[{i}].minerals", "choose at least one mineral")
        targets = [c for c in world.countries if c != country] + list(world.groups)
        measure: dict[str, Any] = {
            "kind": kind,
            "minerals": list(minerals),
            "targets": list(_choices(f"policy[{i}].targets", m.get("targets"), targets)),
            "duration_rounds": _integer(
                f"policy[{i}].duration_rounds", m.get("duration_rounds", 1), 1, 10
            ),
        }
        if kind == "export_licensing":
            measure["share"] = _number(f"policy[{i}].share", m.get("share"), 0.0, 1.0)
        out.append(measure)
    return out


def clean_pacts(raw: object, world: World) -> list[dict[str, str]]:
    """Pact joins and leaves (at most four)."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list) or len(raw) > 4:
        raise InputError("pacts", "must be a list of at most 4 join/leave actions")
    out = []
    for i, item in enumerate(raw):
        m = _mapping(f"pacts[{i}]", item)
        out.append({"pact": clean_pact_name(m.get("pact")), "action": _action(i, m.get("action"))})
    return out


def _action(i: int, value: object) -> str:
    if value not in ("join", "leave"):
        raise InputError(f"pacts[{i}].action", "choose join or leave")
    return str(value)


def clean_pact_name(value: object) -> str:
    """A pact's name: 2–24 letters, digits or underscores (an existing group or a new pact)."""
    if not isinstance(value, str) or not PACT_RE.match(value.strip()):
        raise InputError("pact", "name the pact with 2–24 letters, digits or underscores")
    return value.strip()


def clean_decision(raw: object, world: World, country: str) -> dict[str, Any]:
    """A delegation's round decision: ``levers`` (members), ``policy`` and ``pacts``."""
    m = _mapping("decision", raw)
    unknown = sorted(set(m) - {"levers", "policy", "pacts"})
    if unknown:
        raise InputError("decision", f"unknown part(s) {unknown}; use levers, policy, pacts")
    levers = clean_levers(m.get("levers"), world, country)
    if levers and world.roles.get(country) != "member":
        raise InputError("levers", "only member states set these levers; use export measures")
    return {
        "levers": levers,
        "policy": clean_policy(m.get("policy"), world, country),
        "pacts": clean_pacts(m.get("pacts"), world),
    }


def clean_offer(raw: object, world: World, proposer: str) -> tuple[str, str, dict[str, Any]]:
    """An offer: (responder, kind, terms). Terms are checked with the model's ``DealTerms``."""
    m = _mapping("offer", raw)
    responder = m.get("responder")
    if responder not in world.playable or responder == proposer:
        raise InputError("responder", "choose another country (not your own, not rest of world)")
    kind = m.get("kind")
    if kind not in OFFER_KINDS:
        raise InputError("kind", f"choose one of {', '.join(OFFER_KINDS)}")
    if kind == "pact":
        return str(responder), "pact", {"pact": clean_pact_name(m.get("pact"))}
    terms = _mapping("terms", m.get("terms"))
    unknown = sorted(set(terms) - set(OFFER_FIELDS))
    if unknown:
        raise InputError("terms", f"unknown term(s) {unknown}; use: {', '.join(OFFER_FIELDS)}")
    if terms.get("mineral") not in world.minerals:
        raise InputError("terms.mineral", f"choose one of {', '.join(world.minerals)}")
    clean = {k: v for k, v in terms.items() if v not in (None, "")}
    for key in OFFER_FIELDS[1:]:
        if key in clean:
            bounds = (1, 40) if key == "duration_rounds" else (0.0, 1e13)
            if key == "duration_rounds":
                clean[key] = _integer(f"terms.{key}", clean[key], *bounds)
            else:
                clean[key] = _number(f"terms.{key}", clean[key], *bounds)
    try:
        deal = DealTerms.model_validate({"kind": kind, **clean})
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise InputError(f"terms.{where}", err["msg"]) from None
    return str(responder), str(kind), deal.model_dump(mode="json")


def clean_event(raw: object, world: World, rnd: int) -> dict[str, Any]:
    """A facilitator's injected event, as ``EventSpec`` fields starting in round ``rnd``."""
    m = _mapping("event", raw)
    choice = m.get("kind")
    if choice not in FACILITATOR_EVENTS:
        raise InputError("event", f"choose one of {', '.join(FACILITATOR_EVENTS)}")
    text = clean_text("description", m.get("description"), required=choice in ("news",))
    actor = m.get("actor") or world.countries[0]
    if actor not in world.countries:
        raise InputError("actor", f"choose a country: {', '.join(world.countries)}")
    minerals = _choices("minerals", m.get("minerals"), world.minerals)
    targets = _choices("targets", m.get("targets"), [*world.countries, *world.groups])
    duration = _integer("duration_rounds", m.get("duration_rounds") or 1, 1, 10)
    share = m.get("share")
    spec: dict[str, Any] = {"round": rnd, "actor": actor, "duration_rounds": duration}
    spec["minerals"], spec["targets"] = list(minerals), [t for t in targets if t != actor]
    label = FACILITATOR_EVENTS[str(choice)]
    if choice == "export_controls":
        spec |= {"kind": "export_licensing", "share": _number("share", share, 0.0, 1.0)}
    elif choice == "export_ban":
        spec |= {"kind": "export_ban"}
    elif choice == "mine_accident":
        spec |= {"kind": "disruption", "stage": "ore", "share": _number("share", share, 0, 1)}
    elif choice == "demand_spike":
        spec |= {"kind": "demand_shock", "share": _number("share", share, 0.2, 5.0)}
    else:
        spec |= {"kind": "news", "minerals": [], "targets": []}
    spec["description"] = text or f"{label}: {actor}"
    spec["source"] = "classroom facilitator"
    try:
        EventSpec.model_validate(spec)
    except ValidationError as exc:
        raise InputError("event", exc.errors()[0]["msg"]) from None
    return spec


def clean_config_numbers(raw: Mapping[str, Any], max_rounds: int) -> dict[str, Any]:
    """Numbers of a new session: rounds, seed and phase timers."""
    return {
        "rounds": _integer("rounds", raw.get("rounds", max_rounds), 1, max_rounds),
        "seed": _integer("seed", raw.get("seed", 0), 0, 2**31 - 1),
        "negotiate_seconds": _integer(
            "negotiate_seconds", raw.get("negotiate_seconds", 300), 0, 7200
        ),
        "decide_seconds": _integer("decide_seconds", raw.get("decide_seconds", 180), 0, 7200),
    }
