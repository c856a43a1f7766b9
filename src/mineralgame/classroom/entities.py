"""Frozen, typed records of a classroom session: configuration, session, seats, submissions,
offers, injected events, messages and resolved rounds.

They are plain data read from the database (:mod:`mineralgame.classroom.persistence`); the
engine never mutates them, it writes a change and reads the new record back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, cast

Phase = Literal["lobby", "negotiate", "decide", "preview", "results", "ended"]
ScoreVisibility = Literal["live", "end", "never"]
OfferKind = Literal["investment", "offtake", "tech_transfer", "pact"]
OfferStatus = Literal[
    "open", "sent", "accepted", "rejected", "countered", "withdrawn", "expired", "answered"
]
PHASES: tuple[Phase, ...] = ("lobby", "negotiate", "decide", "preview", "results", "ended")
OPEN_PHASES: tuple[Phase, ...] = ("negotiate", "decide")
PHASE_LABELS: dict[str, str] = {
    "lobby": "Waiting to start",
    "negotiate": "Negotiation",
    "decide": "Decisions",
    "preview": "Results being prepared",
    "results": "Results",
    "ended": "Session ended",
}


@dataclass(frozen=True, slots=True)
class SessionConfig:
    """What the facilitator chose when creating a session.

    Attributes:
        scenario_path: Scenario file (``configs/classroom.yaml`` by default).
        seed: Root seed of the simulation.
        rounds: Rounds to play (at most the scenario's).
        strategy: Strategy of the member states played by bots (None = scenario default).
        human_countries: Countries open to student delegations.
        negotiate_seconds: Timer of the negotiation phase.
        decide_seconds: Timer of the decision phase.
        scores: When students see scores: ``live``, at the ``end`` or ``never``.
        title: A name for the session (shown on the projector).
    """

    scenario_path: str
    seed: int = 0
    rounds: int = 8
    strategy: str | None = None
    human_countries: tuple[str, ...] = ()
    negotiate_seconds: int = 300
    decide_seconds: int = 180
    scores: ScoreVisibility = "live"
    title: str = ""

    def to_json(self) -> str:
        """JSON text of the configuration."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SessionConfig:
        """Read a configuration written by :meth:`to_json`."""
        raw = json.loads(text)
        raw["human_countries"] = tuple(raw.get("human_countries", ()))
        return cls(**raw)


@dataclass(frozen=True, slots=True)
class Session:
    """The state of one session.

    Attributes:
        code: Join code.
        config: The facilitator's configuration.
        phase: Current phase.
        round: Current round (0-based; the round being played or last resolved).
        humans: Countries played by students, frozen when the session starts.
        ends_at: Epoch seconds when the phase timer runs out (None when paused or untimed).
        paused_remaining: Seconds left when paused (None when running).
        version: Increases with every change (pages poll it).
        created_at: Epoch seconds.
        broadcast: The facilitator's current banner message.
    """

    code: str
    config: SessionConfig
    phase: Phase
    round: int
    humans: tuple[str, ...]
    ends_at: float | None
    paused_remaining: float | None
    version: int
    created_at: float
    broadcast: str = ""

    @property
    def paused(self) -> bool:
        """Whether the phase timer is paused."""
        return self.paused_remaining is not None

    def remaining(self, now: float) -> float | None:
        """Seconds left on the phase timer (None when untimed)."""
        if self.paused_remaining is not None:
            return self.paused_remaining
        if self.ends_at is None:
            return None
        return max(0.0, self.ends_at - now)


@dataclass(frozen=True, slots=True)
class Seat:
    """One student's seat in a country's delegation."""

    id: int
    code: str
    country: str
    name: str
    joined_at: float
    last_seen: float


@dataclass(frozen=True, slots=True)
class Submission:
    """A delegation's decision for a round (the latest one counts).

    Attributes:
        payload: Validated ``levers``, ``policy`` (own export measures) and ``pacts``.
        timed_out: Submitted by the facilitator (force-submit) for a delegation that had not.
        reopened: The round was undone; the delegation may submit again.
    """

    id: int
    code: str
    round: int
    country: str
    seat_id: int | None
    payload: Mapping[str, Any]
    submitted_at: float
    timed_out: bool
    reopened: bool = False


@dataclass(frozen=True, slots=True)
class Offer:
    """A deal or pact invitation between two countries.

    ``status``: ``open`` (a human must answer), ``sent`` (to a bot, answered when the round
    resolves), ``accepted``/``rejected``/``countered``, ``withdrawn`` or ``expired``.
    """

    id: int
    code: str
    round: int
    proposer: str
    responder: str
    kind: OfferKind
    terms: Mapping[str, Any]
    status: OfferStatus
    created_at: float
    seat_id: int | None = None
    parent_id: int | None = None
    origin: Literal["human", "bot"] = "human"


@dataclass(frozen=True, slots=True)
class InjectedEvent:
    """An event injected by the facilitator (an ``EventSpec`` as a dict)."""

    id: int
    code: str
    round: int
    event: Mapping[str, Any]
    created_at: float


@dataclass(frozen=True, slots=True)
class Message:
    """A broadcast message."""

    id: int
    code: str
    text: str
    at: float


@dataclass(frozen=True, slots=True)
class RoundResult:
    """A resolved round: ``preview`` (facilitator only) or ``published``."""

    code: str
    round: int
    status: Literal["preview", "published"]
    content_hash: str
    decisions_hash: str
    resolved_at: float
    seconds: float


@dataclass(frozen=True, slots=True)
class Roster:
    """A session's seats and the delegations' submission state for the current round."""

    seats: tuple[Seat, ...]
    submitted: Mapping[str, Submission] = field(default_factory=dict)


def as_phase(text: str) -> Phase:
    """Check a phase name read from the database."""
    if text not in PHASES:
        raise ValueError(f"unknown phase {text!r}")
    return cast(Phase, text)
