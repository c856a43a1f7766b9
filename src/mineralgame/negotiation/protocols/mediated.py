"""Mediated single-text negotiation for multilateral pact terms (Klein et al. 2003).

A mediator holds one draft text and, each iteration, moves one randomly chosen issue one step up
or down. Every member votes on the change by comparing its utility of the new draft with the
current one; "annealer" members (temperature > 0) sometimes accept a worse draft early on. The
change is adopted if at least the quota votes yes. At the end the members ratify the final text,
each only if it is worth at least its reservation value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mineralgame.negotiation.negotiator import Negotiator
from mineralgame.negotiation.protocols._trace import (
    MEDIATOR,
    TraceLog,
    build_result,
    common_space,
    quota_count,
)
from mineralgame.negotiation.records import Action, EndReason, SessionResult

__all__ = ["SingleTextConfig", "single_text"]

NAME = "single_text"


@dataclass(frozen=True)
class SingleTextConfig:
    """Settings of the mediated single-text protocol.

    Attributes:
        n_iterations: Number of draft changes the mediator proposes.
        quota: Votes needed to adopt a change and to ratify: ``"unanimity"``, ``"two_thirds"``,
            ``"majority"`` or a number of members.
        temperature: Initial annealing temperature on normalised utility (0 = hill-climbers);
            it falls linearly to 0 over the iterations.
        initial: Index of the first draft (e.g. the status quo), or None to draw it at random.
    """

    n_iterations: int = 200
    quota: str | int = "unanimity"
    temperature: float = 0.0
    initial: int | None = None

    def __post_init__(self) -> None:
        if self.n_iterations < 0:
            raise ValueError(f"n_iterations must be non-negative, got {self.n_iterations}")
        if not (math.isfinite(self.temperature) and self.temperature >= 0.0):
            raise ValueError(f"temperature must be a non-negative number, got {self.temperature}")


def _votes(
    parties: Sequence[Negotiator],
    current: int,
    candidate: int,
    temperature: float,
    rng: np.random.Generator,
) -> list[bool]:
    votes = []
    for p in parties:
        new, old = p.utility(candidate), p.utility(current)
        if new >= old:
            votes.append(bool(np.isfinite(new)))
            continue
        span = p.utility.max - p.utility.min
        if temperature <= 0.0 or not np.isfinite(new) or span <= 0.0:
            votes.append(False)
            continue
        votes.append(bool(rng.random() < math.exp((new - old) / span / temperature)))
    return votes


def _perturb(space_shape: tuple[int, ...], rng: np.random.Generator) -> tuple[int, int] | None:
    movable = [j for j, size in enumerate(space_shape) if size > 1]
    if not movable:
        return None
    issue = movable[int(rng.integers(len(movable)))]
    return issue, int(rng.choice((-1, 1)))


def single_text(
    parties: Sequence[Negotiator],
    rng: np.random.Generator,
    *,
    config: SingleTextConfig | None = None,
    session_id: str = "",
) -> SessionResult:
    """Run a mediated single-text negotiation among two or more members.

    Args:
        parties: The members (only their utility tables and reservation values matter).
        rng: Source of the initial draft, the mediator's moves and annealing draws.
        config: Iterations, quota, temperature and initial draft.
        session_id: Identifier copied into every trace row.

    Returns:
        The result; the trace has one vote row per member per proposed change, then one
        ratification row per member.
    """
    cfg = config or SingleTextConfig()
    space = common_space(parties, 2, None)
    need = quota_count(cfg.quota, len(parties))
    log = TraceLog(session_id, space, parties)
    current = int(rng.integers(space.size)) if cfg.initial is None else cfg.initial
    space.outcome(current)  # validates the index
    for k in range(cfg.n_iterations):
        move = _perturb(space.shape, rng)
        if move is None:
            break
        candidate = space.neighbour(current, move[0], move[1])
        if candidate == current:
            candidate = space.neighbour(current, move[0], -move[1])
        temperature = cfg.temperature * (1.0 - k / max(cfg.n_iterations, 1))
        votes = _votes(parties, current, candidate, temperature, rng)
        for p, yes in zip(parties, votes, strict=True):
            log.add(k, MEDIATOR, p.name, Action.ACCEPT if yes else Action.REJECT, candidate)
        if sum(votes) >= need:
            current = candidate
    return _ratify(log, parties, current, need, cfg.n_iterations)


def _ratify(
    log: TraceLog, parties: Sequence[Negotiator], text: int, need: int, step: int
) -> SessionResult:
    ratified = [p.utility(text) >= p.reservation for p in parties]
    for p, yes in zip(parties, ratified, strict=True):
        log.add(step, MEDIATOR, p.name, Action.ACCEPT if yes else Action.REJECT, text)
    if sum(ratified) >= need:
        return build_result(log, NAME, parties, MEDIATOR, EndReason.AGREEMENT, text, step + 1)
    log.add(step, MEDIATOR, "", Action.TIMEOUT, -1)
    return build_result(log, NAME, parties, MEDIATOR, EndReason.TIMEOUT, None, step + 1)
