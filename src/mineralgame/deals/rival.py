"""Deal D: the dominant processor's posted offers to supplier states, and its retaliation.

Each round the dominant posts take-it-or-leave-it offers (cheap capital, no technology:
q, π, d, e from the scenario, τ = 0) to the supplier hosts with the largest reserve values it
has not already contracted, at most ``max_offers``. Its price rises by ``generosity_step`` for
every member investment in force in the host (competition for the host). A posted offer sets
the host's reservation value in member deals for the same project; a host that signs no member
investment in the mineral this round takes the offer if it is worth more than no deal. The
dominant withholds offers for ``retaliation_rounds`` from hosts that signed with a member that
bans it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mineralgame.deals import investment
from mineralgame.deals.book import DealBook
from mineralgame.deals.context import RoundView
from mineralgame.deals.spaces import space

if TYPE_CHECKING:
    from mineralgame.config.negotiation import NegotiationConfig

__all__ = ["Posted", "post_offers", "rival_params"]


@dataclass(frozen=True)
class Posted:
    """A rival offer posted this round.

    Attributes:
        host: Host index.
        mineral: Mineral.
        price: Offered price π [-].
        params: Project parameters of the dominant's own project in the host.
    """

    host: int
    mineral: str
    price: float
    params: investment.InvestmentParams


def rival_params(
    view: RoundView, cfg: NegotiationConfig, host: int, m: str
) -> investment.InvestmentParams | None:
    """The dominant's project in ``host``: sized on its own requirement and the reserves."""
    mv, econ, dom = view.minerals[m], cfg.deals, view.dominant
    limit = mv.reserves[host] * mv.refined_per_ore / econ.reserve_life_years
    capacity = min(econ.project_size_share * mv.requirement[dom], limit)
    if capacity <= 1.0:
        return None
    return investment.InvestmentParams(
        capacity=capacity,
        capex=capacity * mv.unit_capex / 1e6,
        index_price=float(mv.seller_price[host]),
        investor_price=float(mv.seller_price[host]),
        sigma=0.0,
        investor_rate=econ.dominant_rate,
        host_rate=float(view.rates[host]),
        hazard=0.0,
        gap=0.0,
        tech_allowed=0.0,
        budget=float(view.budget[dom]),
    )


def post_offers(view: RoundView, cfg: NegotiationConfig, book: DealBook) -> list[Posted]:
    """The offers the dominant posts this round (best reserve values first)."""
    rival = cfg.rival
    if not rival.enabled or rival.max_offers == 0:
        return []
    dom_code = view.codes[view.dominant]
    held = {(d.seller, d.mineral) for d in book.active(view.round) if d.buyer == dom_code}
    ranked = []
    for m, mv in view.minerals.items():
        for h, role in enumerate(view.roles):
            if role != "supplier" or mv.reserves[h] <= 0 or (view.codes[h], m) in held:
                continue
            if book.withheld_until.get(h, -1) > view.round:
                continue
            ranked.append((-float(mv.reserves[h] * mv.base_price), view.codes[h], m, h))
    posted = []
    for _, code, m, h in sorted(ranked)[: rival.max_offers]:
        params = rival_params(view, cfg, h, m)
        if params is None:
            continue
        bump = rival.generosity_step * book.member_deals_in(code, view.round, dom_code)
        posted.append(Posted(h, m, min(rival.max_price, rival.price + bump), params))
    return posted


def posted_index(rival_price: float, cfg: NegotiationConfig) -> int:
    """Outcome index of a posted offer in the investment space (nearest grid values)."""
    sp = space("investment")
    values = {i.name: i.values for i in sp.issues}
    want = {
        "offtake": cfg.rival.offtake,
        "price": rival_price,
        "duration": float(cfg.rival.duration_years),
        "equity": cfg.rival.equity,
        "technology": 0.0,
    }
    return sp.index_of({k: _nearest(values[k], x) for k, x in want.items()})


def _nearest(values: tuple[Any, ...], x: float) -> Any:
    return min(values, key=lambda v: (abs(float(v) - x), float(v)))
