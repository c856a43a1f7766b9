"""The negotiation layer of the model: deals and pacts that change the world.

The pure negotiation core (``mineralgame.negotiation``) knows nothing about minerals; this
package turns the model's state into outcome spaces, utilities and reservation values each
round, chooses partners, runs sessions, and turns agreements into projects, contracts,
technology and pact obligations. :class:`NegotiationLayer` is the model's negotiation phase.

Modules, one mechanism each: ``context`` (what negotiators see), ``spaces`` (outcome spaces),
``investment``/``offtake``/``technology`` (deal utilities), ``partners`` (candidates and
partner choice), ``sessions`` (playing one session), ``signing`` (effects of a signed deal),
``book`` (signed deals and contracts), ``rival`` (the dominant's offers), ``renegotiation``
(the obsolescing bargain), ``pact_economics``/``pacts``/``pact_round`` (pacts), ``humans``
(people's offers), ``records`` (record rows), ``phase`` (one round).
"""

from __future__ import annotations

from mineralgame.deals.phase import PACT_COLUMNS, NegotiationLayer
from mineralgame.deals.records import OFFER_COLUMNS, SESSION_COLUMNS

__all__ = ["OFFER_COLUMNS", "PACT_COLUMNS", "SESSION_COLUMNS", "NegotiationLayer"]
