"""What a signed deal changes in the world.

* Offtake for investment: a :class:`~mineralgame.supply.Project` in the host (integrated mine
  and refinery of the agreed capacity), online after the mine lead time or the refinery lead
  time at the host's technology after the transfer, whichever is longer; the investor pays its
  equity (investment spend) and takes the offtake under a contract served before the market
  for the agreed duration at the agreed multiple of the index; the host's technology rises by
  gap·τ/5 after ``tech_lag_rounds``.
* Offtake contract: delivery of the agreed tonnes from this round for the agreed duration.
* Technology transfer: the licensee's technology rises by gap·τ/5 after the lag (never beyond
  the licensor's level at signature); a member licensee pays the fee (investment spend).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from mineralgame.deals.book import Deal, DealBook, PendingTech
from mineralgame.deals.technology import full_value, tech_gain
from mineralgame.supply import Project, refinery_lead

if TYPE_CHECKING:
    from mineralgame.model import MineralModel

__all__ = ["Agreement", "apply_due_tech", "sign_investment", "sign_offtake", "sign_tech"]


@dataclass(frozen=True)
class Agreement:
    """What two parties agreed in a session, ready to be signed.

    Attributes:
        parties: (opener, responder) indices: investor and host, buyer and seller, or
            licensor and licensee.
        mineral: Mineral.
        params: Scalar parameters of the deal's utilities.
        outcome: The agreed value of each issue.
        session_id: Session that reached it.
    """

    parties: tuple[int, int]
    mineral: str
    params: Any
    outcome: dict[str, Any]
    session_id: str


def _f(x: Any) -> float:
    return float(np.asarray(x))


def _rounds(years: float, rpr: float) -> int:
    return max(1, math.ceil(years / rpr - 1e-9))


def _gain(agreed: Agreement) -> float:
    """Technology the receiving party gains at the agreed level τ."""
    return tech_gain(agreed.params.gap, agreed.outcome["technology"])


def _pending_tech(model: MineralModel, agreed: Agreement, deal_id: str) -> PendingTech:
    """The responder's gain (host or licensee), due after the lag and never beyond the
    opener's level (investor or licensor) at signature."""
    giver, receiver = agreed.parties
    lag = model.cfg.negotiation.deals.tech_lag_rounds
    ceiling = float(model.state.minerals[agreed.mineral].technology[giver])
    return PendingTech(model.round + lag, receiver, agreed.mineral, _gain(agreed), deal_id, ceiling)


def _project(model: MineralModel, agreed: Agreement, deal_id: str) -> Project:
    """The integrated project of an investment deal, online after its lead time."""
    investor, host = agreed.parties
    st, rnd, mineral = model.state, model.round, agreed.mineral
    spec = model.cfg.minerals[mineral]
    tech_after = float(st.minerals[mineral].technology[host]) + _gain(agreed)
    lead = max(spec.mine_lead_time_rounds, refinery_lead(spec, min(tech_after, 1.5)), 1)
    return Project(
        project_id=f"P{rnd:02d}-{st.codes[investor]}-{mineral}-{len(model.projects)}",
        owner=st.codes[investor],
        host=st.codes[host],
        mineral=mineral,
        capacity_t=_f(agreed.params.capacity) * model.rpr,
        capex_usd=_f(agreed.params.capex) * 1e6,
        start_round=rnd,
        online_round=rnd + lead,
        offtake_share=float(agreed.outcome["offtake"]),
        source=deal_id,
    )


def sign_investment(
    model: MineralModel, book: DealBook, agreed: Agreement, kind: str = "investment"
) -> Deal:
    """Create the project and the offtake deal; returns the deal."""
    investor, host = agreed.parties
    st, rnd, outcome = model.state, model.round, agreed.outcome
    deal_id = book.next_id(rnd)
    project = _project(model, agreed, deal_id)
    model.projects.append(project)
    equity, tau = float(outcome["equity"]), float(outcome["technology"])
    model.investment_spend[investor] += equity * project.capex_usd
    pending = _pending_tech(model, agreed, deal_id)
    if pending.gain > 0:
        book.pending_tech.append(pending)
    capacity = _f(agreed.params.capacity)
    deal = Deal(
        deal_id=deal_id,
        kind=kind,
        mineral=agreed.mineral,
        buyer=st.codes[investor],
        seller=st.codes[host],
        signed_round=rnd,
        start_round=project.online_round,
        end_round=project.online_round + _rounds(float(outcome["duration"]), model.rpr),
        tonnes_per_year=float(outcome["offtake"]) * capacity,
        offtake_share=float(outcome["offtake"]),
        capacity_t=capacity,
        price=float(outcome["price"]),
        equity=equity,
        technology=tau,
        capex_usd=project.capex_usd,
        project_id=project.project_id,
        session_id=agreed.session_id,
    )
    book.add(deal)
    return deal


def sign_offtake(model: MineralModel, book: DealBook, agreed: Agreement) -> Deal:
    """Record an offtake contract delivering from this round."""
    buyer, seller = agreed.parties
    rnd, codes, outcome = model.round, model.state.codes, agreed.outcome
    deal = Deal(
        deal_id=book.next_id(rnd),
        kind="offtake",
        mineral=agreed.mineral,
        buyer=codes[buyer],
        seller=codes[seller],
        signed_round=rnd,
        start_round=rnd,
        end_round=rnd + _rounds(float(outcome["duration"]), model.rpr),
        tonnes_per_year=float(outcome["volume"]) * _f(agreed.params.seller_output),
        price=float(outcome["price"]),
        session_id=agreed.session_id,
    )
    book.add(deal)
    return deal


def sign_tech(model: MineralModel, book: DealBook, agreed: Agreement) -> Deal:
    """Schedule the licensee's technology gain; a member licensee pays the fee."""
    licensor, licensee = agreed.parties
    rnd, codes, outcome = model.round, model.state.codes, agreed.outcome
    econ = model.cfg.negotiation.deals
    fee = float(outcome["fee"]) * _f(full_value(agreed.params, econ)) * 1e6
    if model.state.roles[licensee] == "member":
        model.investment_spend[licensee] += fee
    deal_id = book.next_id(rnd)
    book.pending_tech.append(_pending_tech(model, agreed, deal_id))
    deal = Deal(
        deal_id=deal_id,
        kind="tech_transfer",
        mineral=agreed.mineral,
        buyer=codes[licensee],
        seller=codes[licensor],
        signed_round=rnd,
        start_round=rnd + econ.tech_lag_rounds,
        end_round=rnd + econ.tech_lag_rounds + 1,
        technology=float(outcome["technology"]),
        fee_usd=fee,
        local_content=float(outcome["local_content"]),
        session_id=agreed.session_id,
    )
    book.add(deal)
    return deal


def apply_due_tech(model: MineralModel, book: DealBook) -> None:
    """Raise the technology of licensees and hosts whose transfers take effect now."""
    for p in book.due_tech(model.round):
        tech = model.state.minerals[p.mineral].technology
        now = float(tech[p.country])
        tech[p.country] = max(now, min(p.ceiling, now + p.gain))
