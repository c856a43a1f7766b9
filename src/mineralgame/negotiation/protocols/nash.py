"""The Nash-bargaining shortcut: agree at once on the outcome maximising the Nash product.

No rounds are played. Researchers switch to it to check that a result is not an artefact of the
alternating-offers protocol (Binmore, Rubinstein & Wolinsky 1986 link the two).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mineralgame.negotiation.metrics import nash_index
from mineralgame.negotiation.negotiator import Negotiator
from mineralgame.negotiation.protocols._trace import (
    MEDIATOR,
    TraceLog,
    build_result,
    common_space,
)
from mineralgame.negotiation.records import Action, EndReason, SessionResult

__all__ = ["NashConfig", "nash_bargaining", "nash_solution"]

NAME = "nash"


@dataclass(frozen=True)
class NashConfig:
    """Settings of the Nash shortcut.

    Attributes:
        power: Bargaining power θ of the first party (0.5 = symmetric Nash solution).
        disagreement: Disagreement point (d_a, d_b); None uses the reservation values.
    """

    power: float = 0.5
    disagreement: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if not 0.0 < self.power < 1.0:
            raise ValueError(f"Bargaining power must be in (0, 1), got {self.power}")
        if self.disagreement is not None and not all(map(math.isfinite, self.disagreement)):
            raise ValueError(f"Disagreement point must be finite, got {self.disagreement}")


def nash_solution(a: Negotiator, b: Negotiator, config: NashConfig | None = None) -> int | None:
    """Index of the Nash bargaining outcome between ``a`` and ``b``, or None if no ZOPA.

    Outcomes below either party's reservation value are excluded even when the disagreement
    point is lower, so the shortcut never agrees below a reservation value.
    """
    cfg = config or NashConfig()
    da, db = cfg.disagreement or (a.reservation, b.reservation)
    ua = np.where(a.utility.values >= a.reservation, a.utility.values, -np.inf)
    ub = np.where(b.utility.values >= b.reservation, b.utility.values, -np.inf)
    return nash_index(ua, ub, da, db, cfg.power)


def nash_bargaining(
    parties: Sequence[Negotiator],
    rng: np.random.Generator,
    *,
    config: NashConfig | None = None,
    session_id: str = "",
) -> SessionResult:
    """Settle a bilateral deal at the Nash bargaining solution (one step, no randomness used).

    Args:
        parties: The two negotiators (only their utility tables matter).
        rng: Unused; accepted so that every protocol has the same signature.
        config: Bargaining power and disagreement point.
        session_id: Identifier copied into the trace.

    Returns:
        A session result whose trace has one accept (or reject, if there is no zone of
        agreement) per party, proposed by the ``"mediator"``.
    """
    space = common_space(parties, 2, 2)
    log = TraceLog(session_id, space, parties)
    index = nash_solution(parties[0], parties[1], config)
    action = Action.REJECT if index is None else Action.ACCEPT
    for p in parties:
        log.add(0, MEDIATOR, p.name, action, -1 if index is None else index)
    end = EndReason.NO_ZOPA if index is None else EndReason.AGREEMENT
    return build_result(log, NAME, parties, MEDIATOR, end, index, n_steps=1)
