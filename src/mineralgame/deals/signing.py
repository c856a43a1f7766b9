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
from typing import TYPE_CHECKING, Any

import numpy as np

from mineralgame.deals.book import Deal, DealBook, PendingTech
from mineralgame.deals.technology import full_value
from mineralgame.supply import Project, refinery_lead

if TYPE_CHECKING:
    from mineralgame.model import MineralModel

__all__ = ["apply_due_tech", "sign_investment", "sign_offtake", "sign_tech"]


def _f(x: Any) -> float:
    return float(np.asarray(x))


def _rounds(years: float, rpr: float) -> int:
    return max(1, math.ceil(years / rpr - 1e-9))


def _project(
    model: MineralModel,
    parties: tuple[int, int],
    mineral: str,
    params: Any,
    outcome: dict[str, Any],
    deal_id: str,
) -> Project:
    """The integrated project of an investment deal, online after its lead time."""
    investor, host = parties
    st, rnd = model.state, model.round
    spec = model.cfg.minerals[mineral]
    gain = _f(params.gap) * float(outcome["technology"]) / 5.0
    tech_after = float(st.minerals[mineral].technology[host]) + gain
    lead = max(spec.mine_lead_time_rounds, refinery_lead(spec, min(tech_after, 1.5)), 1)
    return Project(
        project_id=f"P{rnd:02d}-{st.codes[investor]}-{mineral}-{len(model.projects)}",
        owner=st.codes[investor],
        host=st.codes[host],
        mineral=mineral,
        capacity_t=_f(params.capacity) * model.rpr,
        capex_usd=_f(params.capex) * 1e6,
        start_round=rnd,
        online_round=rnd + lead,
        offtake_share=float(outcome["offtake"]),
        source=deal_id,
    )


def sign_investment(
    model: MineralModel,
    book: DealBook,
    parties: tuple[int, int],
    mineral: str,
    params: Any,
    outcome: dict[str, Any],
    session_id: str,
    kind: str = "investment",
) -> Deal:
    """Create the project and the offtake deal; returns the deal."""
    investor, host = parties
    st, rnd = model.state, model.round
    deal_id = book.next_id(rnd)
    project = _project(model, parties, mineral, params, outcome, deal_id)
    model.projects.append(project)
    equity, tau = float(outcome["equity"]), float(outcome["technology"])
    model.investment_spend[investor] += equity * project.capex_usd
    gain = _f(params.gap) * tau / 5.0
    if gain > 0:
        lag = model.cfg.negotiation.deals.tech_lag_rounds
        ceiling = float(st.minerals[mineral].technology[investor])
        book.pending_tech.append(PendingTech(rnd + lag, host, mineral, gain, deal_id, ceiling))
    capacity = _f(params.capacity)
    deal = Deal(
        deal_id=deal_id,
        kind=kind,
        mineral=mineral,
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
        session_id=session_id,
    )
    book.add(deal)
    return deal


def sign_offtake(
    model: MineralModel,
    book: DealBook,
    parties: tuple[int, int],
    mineral: str,
    params: Any,
    outcome: dict[str, Any],
    session_id: str,
) -> Deal:
    """Record an offtake contract delivering from this round."""
    buyer, seller = parties
    rnd, codes = model.round, model.state.codes
    deal = Deal(
        deal_id=book.next_id(rnd),
        kind="offtake",
        mineral=mineral,
        buyer=codes[buyer],
        seller=codes[seller],
        signed_round=rnd,
        start_round=rnd,
        end_round=rnd + _rounds(float(outcome["duration"]), model.rpr),
        tonnes_per_year=float(outcome["volume"]) * _f(params.seller_output),
        price=float(outcome["price"]),
        session_id=session_id,
    )
    book.add(deal)
    return deal


def sign_tech(
    model: MineralModel,
    book: DealBook,
    parties: tuple[int, int],
    mineral: str,
    params: Any,
    outcome: dict[str, Any],
    session_id: str,
) -> Deal:
    """Schedule the licensee's technology gain; a member licensee pays the fee."""
    licensor, licensee = parties
    rnd, codes = model.round, model.state.codes
    econ = model.cfg.negotiation.deals
    tau = float(outcome["technology"])
    fee = float(outcome["fee"]) * _f(full_value(params, econ)) * 1e6
    if model.state.roles[licensee] == "member":
        model.investment_spend[licensee] += fee
    deal_id = book.next_id(rnd)
    gain = _f(params.gap) * tau / 5.0
    book.pending_tech.append(
        PendingTech(
            rnd + econ.tech_lag_rounds,
            licensee,
            mineral,
            gain,
            deal_id,
            float(model.state.minerals[mineral].technology[licensor]),
        )
    )
    deal = Deal(
        deal_id=deal_id,
        kind="tech_transfer",
        mineral=mineral,
        buyer=codes[licensee],
        seller=codes[licensor],
        signed_round=rnd,
        start_round=rnd + econ.tech_lag_rounds,
        end_round=rnd + econ.tech_lag_rounds + 1,
        technology=tau,
        fee_usd=fee,
        local_content=float(outcome["local_content"]),
        session_id=session_id,
    )
    book.add(deal)
    return deal


def apply_due_tech(model: MineralModel, book: DealBook) -> None:
    """Raise the technology of licensees and hosts whose transfers take effect now."""
    for p in book.due_tech(model.round):
        tech = model.state.minerals[p.mineral].technology
        now = float(tech[p.country])
        tech[p.country] = max(now, min(p.ceiling, now + p.gain))
