"""Negotiation protocols, all with the signature ``protocol(parties, rng, *, config, session_id)``.

Bilateral: :func:`alternating_offers` and the :func:`nash_bargaining` shortcut. Multilateral
(pact terms): :func:`single_text` (mediated) and :func:`baron_ferejohn`.
"""

from __future__ import annotations

from collections.abc import Callable

from mineralgame.negotiation.protocols._trace import MEDIATOR, quota_count
from mineralgame.negotiation.protocols.alternating import (
    AlternatingOffersConfig,
    alternating_offers,
)
from mineralgame.negotiation.protocols.baron_ferejohn import (
    BaronFerejohnConfig,
    BaronFerejohnValues,
    baron_ferejohn,
    baron_ferejohn_values,
)
from mineralgame.negotiation.protocols.mediated import SingleTextConfig, single_text
from mineralgame.negotiation.protocols.nash import NashConfig, nash_bargaining, nash_solution
from mineralgame.negotiation.records import SessionResult

__all__ = [
    "MEDIATOR",
    "PROTOCOLS",
    "PROTOCOL_CONFIGS",
    "AlternatingOffersConfig",
    "BaronFerejohnConfig",
    "BaronFerejohnValues",
    "NashConfig",
    "SingleTextConfig",
    "alternating_offers",
    "baron_ferejohn",
    "baron_ferejohn_values",
    "nash_bargaining",
    "nash_solution",
    "quota_count",
    "single_text",
]

PROTOCOLS: dict[str, Callable[..., SessionResult]] = {
    "alternating_offers": alternating_offers,
    "nash": nash_bargaining,
    "single_text": single_text,
    "baron_ferejohn": baron_ferejohn,
}
"""Protocols by name (the names used in scenario files and in ``SessionResult.protocol``)."""

PROTOCOL_CONFIGS: dict[str, type] = {
    "alternating_offers": AlternatingOffersConfig,
    "nash": NashConfig,
    "single_text": SingleTextConfig,
    "baron_ferejohn": BaronFerejohnConfig,
}
"""The config record each protocol takes."""
