"""One round of every pact: moves, terms, cost shares, money and deliveries (see ``pacts``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from mineralgame.deals.context import RoundView
from mineralgame.deals.pact_economics import Economy, cost_game, cost_shares, economy
from mineralgame.deals.pacts import (
    Pact,
    PactBook,
    PactContract,
    honour_decisions,
    negotiate_terms,
    pact_contracts,
    revise,
    stock_days,
    terms_from,
)
from mineralgame.deals.records import RowLog, SessionInfo
from mineralgame.deals.spaces import space
from mineralgame.decisions import LeverDecision
from mineralgame.negotiation import EXACT_LIMIT, core_check

if TYPE_CHECKING:
    from mineralgame.model import MineralModel

__all__ = ["PactOutcome", "run_pacts"]


@dataclass
class PactOutcome:
    """What the pacts did this round that the rest of the phase needs.

    Attributes:
        contracts: Deliveries served before the market, by mineral.
        budget_paid: Each country's payments into joint funds [$m].
        events: Event rows (joins and leaves).
    """

    contracts: dict[str, list[PactContract]] = field(default_factory=dict)
    budget_paid: dict[int, float] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)


def _terms_session(
    pact: Pact,
    econ: Economy,
    model: MineralModel,
    voters: tuple[int, ...],
    log: RowLog,
    session_id: str,
    rng: np.random.Generator,
) -> None:
    codes = model.state.codes
    cfg = model.cfg.negotiation
    result, _ = negotiate_terms(pact, econ, cfg, voters, codes, rng, session_id)
    sp = space("pact")

    def terms(index: int, known: Any = None) -> tuple[dict[str, Any], float]:
        body = dict(known) if known is not None else sp.outcome(index)
        return {"kind": "pact", "pact": pact.name, **body}, float("nan")

    info = SessionInfo(
        round=model.round,
        session_id=session_id,
        deal_type="pact",
        mineral="",
        proposer=result.first_mover,
        responder="",
        reservations={codes[v]: 0.0 for v in voters},
        expected_surplus=float("nan"),
        terms=terms,
    )
    log.session(info, result, deal_id=pact.name if result.agreed else "")
    if result.agreed and result.agreement is not None:
        pact.terms = terms_from(dict(result.agreement))


def _money(
    pact: Pact, econ: Economy, view: RoundView, model: MineralModel, out: PactOutcome
) -> dict[int, dict[str, float]]:
    """Fund contributions and price-floor transfers; returns per-member amounts [USD]."""
    money = {i: {"fund_paid_usd": 0.0, "floor_transfer_usd": 0.0} for i in pact.members}
    due = {i: pact.terms.fund * float(econ.budget[i]) for i in pact.members}
    full = pact.fund >= model.cfg.negotiation.pacts.fund_cap_rounds * sum(due.values())
    for i in pact.members:
        paid = 0.0 if full else due[i]
        pact.fund += paid
        out.budget_paid[i] = out.budget_paid.get(i, 0.0) + paid
        model.investment_spend[i] += paid * 1e6
        money[i]["fund_paid_usd"] = paid * 1e6
    floor = pact.terms.floor
    total = 0.0
    for mv in view.minerals.values():
        gap = max(0.0, floor * mv.base_price - mv.index_price) if floor > 0 else 0.0
        for j in pact.members:
            t = gap * float(mv.refined_output[j]) * model.rpr / 1e6
            money[j]["floor_transfer_usd"] += t * 1e6
            total += t
    from_fund = min(pact.fund, total)
    pact.fund -= from_fund
    weights = pact.shares / pact.shares.sum() if pact.shares.sum() > 0 else None
    for k, i in enumerate(pact.members):
        w = weights[k] if weights is not None else 1.0 / len(pact.members)
        owed = w * (total - from_fund)
        model.investment_spend[i] += owed * 1e6
        money[i]["floor_transfer_usd"] -= owed * 1e6
    return money


def _role(econ: Economy, i: int) -> str:
    consumer, producer = econ.exposed[i] > 0, econ.output[i].sum() > 0
    return "both" if consumer and producer else ("producer" if producer else "consumer")


def _rows(
    pact: Pact,
    econ: Economy,
    model: MineralModel,
    days: dict[int, float],
    money: dict[int, dict[str, float]],
    core: tuple[bool, float, bool],
) -> list[dict[str, Any]]:
    total = pact.shares.sum()
    t = pact.terms
    rows = []
    for k, i in enumerate(pact.members):
        rows.append(
            {
                "round": model.round,
                "pact": pact.name,
                "member": model.state.codes[i],
                "joined_round": int(pact.joined.get(i, model.round)),
                "role": _role(econ, i),
                "cost_share": float(pact.shares[k] / total) if total > 0 else 0.0,
                "stock_days": float(days.get(i, 0.0)),
                "in_core": bool(core[0]),
                "core_checked": bool(core[2]),
                "max_excess_usd": float(core[1]) * 1e6,
                "stock_months": t.stock_months,
                "floor": t.floor,
                "preference": t.preference,
                "esg": t.esg,
                "fund": t.fund,
                "fund_balance_usd": pact.fund * 1e6,
                **money.get(i, {"fund_paid_usd": 0.0, "floor_transfer_usd": 0.0}),
            }
        )
    return rows


def _core(pact: Pact, econ: Economy, model: MineralModel) -> tuple[bool, float, bool]:
    """(in the core, largest overcharge [$m], checked): exact checks up to the exact limit."""
    n = len(pact.members)
    if n < 2 or n > min(EXACT_LIMIT, model.cfg.negotiation.pacts.shapley_exact_limit):
        return True, 0.0, False
    game = cost_game(pact.members, econ, model.cfg.negotiation)
    check = core_check(game, pact.shares, tol=1e-9 * max(1.0, float(pact.shares.sum())))
    return bool(check.in_core), float(check.max_excess), True


def _set_stock_targets(book: PactBook, model: MineralModel, days: dict[int, float]) -> None:
    """Members' stockpile targets: their own target plus their days of pooled stock."""
    levers = {
        d.country
        for d in model.decisions
        if isinstance(d, LeverDecision)
        and d.round == model.round
        and "stockpile_target_days" in d.levers
    }
    for agent in model.members:
        i = agent.index
        old = book.added_days.get(i, 0.0)
        new = days.get(i, 0.0)
        if new == old and agent.code not in levers:
            continue
        base = agent.params.stockpile_target_days - (0.0 if agent.code in levers else old)
        agent.params = agent.params.model_copy(
            update={"stockpile_target_days": max(0.0, base + new)}
        )
        book.added_days[i] = new


def run_pacts(
    book: PactBook,
    model: MineralModel,
    view: RoundView,
    log: RowLog,
    rng: np.random.Generator,
    session_id: Callable[[], str],
) -> PactOutcome:
    """Play one round of every pact (name order)."""
    out = PactOutcome()
    cfg = model.cfg.negotiation
    econ = economy(view, cfg)
    humans = {model.state.index(h) for h in model.humans if h in model.state.codes}
    days: dict[int, float] = {}
    for name in sorted(book.pacts):
        pact = book.pacts[name]
        honour_decisions(pact, model, out.events)
        revise(pact, econ, model, humans, rng, out.events)
        pact.shares = (
            cost_shares(pact.members, econ, cfg, rng)
            if len(pact.members) >= 2
            else np.zeros(len(pact.members))
        )
        voters = tuple(i for i in pact.members if i not in humans)
        if model.round % cfg.pacts.terms_every_rounds == 0 and len(voters) >= 2:
            _terms_session(pact, econ, model, voters, log, session_id(), rng)
        own_days = stock_days(pact, econ, view, cfg, rng)
        for i, d in own_days.items():
            days[i] = days.get(i, 0.0) + d
        money = _money(pact, econ, view, model, out) if len(pact.members) >= 2 else {}
        if len(pact.members) >= 2:
            for c in pact_contracts(pact, view, model.rpr, cfg.pacts.emergency_share):
                out.contracts.setdefault(c.mineral, []).append(c)
        book.rows.extend(_rows(pact, econ, model, own_days, money, _core(pact, econ, model)))
    _set_stock_targets(book, model, days)
    return out
