"""People's offers (``OfferDecision``) and bots' offers to people.

* A person's offer is mapped to the nearest outcome of its deal kind. A response given in the
  decision is honoured; without one, a bot responder answers with its own strategy and
  acceptance rule at the deadline (deterministic for a seed), never below its reservation
  value; a person responder's answer is left pending. Offers that bans make impossible
  (banned counterparties, a licensor's technology-export ban) are recorded as infeasible.
* A bot never negotiates with a person: when partner choice pairs a bot with a person, the bot
  posts its Nash-point proposal as a *pending* offer, which a later ``OfferDecision`` (the bot
  as proposer, the person's response) answers. A bot proposer withdraws it if it is no longer
  worth its reservation value.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from mineralgame.deals.partners import Candidate, Situation, deal_for, utilities
from mineralgame.deals.records import RowLog, SessionInfo
from mineralgame.deals.signing import Agreement
from mineralgame.deals.spaces import columns, space
from mineralgame.deals.terms import nearest_outcome
from mineralgame.decisions import OfferDecision
from mineralgame.negotiation import Action, Negotiator, Offer, UtilityTable

if TYPE_CHECKING:
    from mineralgame.deals.phase import NegotiationLayer
    from mineralgame.model import MineralModel

__all__ = ["answer_offers", "pending_offer"]

KINDS = {"investment": "investment", "offtake": "offtake", "tech_transfer": "tech"}
FloatArray = NDArray[np.float64]


def _roles(model: MineralModel, d: OfferDecision, kind: str) -> tuple[int, int]:
    """(opener, responder) in the deal's own order: investor/buyer/licensor first."""
    st = model.state
    a, b = st.index(d.proposer), st.index(d.responder)
    if kind == "tech":
        tech = st.minerals[d.terms.mineral].technology
        return (a, b) if tech[a] >= tech[b] else (b, a)
    return (a, b) if st.roles[a] == "member" else (b, a)


def _bot_accepts(
    layer: NegotiationLayer,
    model: MineralModel,
    who: int,
    values: FloatArray,
    ok: NDArray[np.bool_],
    reservation: float,
    index: int,
) -> bool:
    """The bot's answer to a take-it-or-leave-it offer at the deadline."""
    if not (ok[index] and values[index] >= reservation):
        return False
    sp = space(KINDS_BY_SIZE[values.size])
    table = UtilityTable(sp, np.where(ok, values, -np.inf), reservation)
    accept, offering = layer.policies
    bot = Negotiator(
        model.state.codes[who], table, layer.strategies[who], offering, accept, layer.cfg.discount
    )
    n = 2 * layer.cfg.deadline_rounds
    view = bot.view(n - 1, n, (), (float(values[index]),), index)
    offer = Offer("other", n - 2, index, math.nan)
    response = bot.respond(view, offer, model.negotiation_rng, can_counter=False)
    return response.action is Action.ACCEPT


KINDS_BY_SIZE = {space(k).size: k for k in ("investment", "offtake", "tech")}


def _answer(
    layer: NegotiationLayer,
    model: MineralModel,
    d: OfferDecision,
    c: Candidate,
    arrays: tuple[FloatArray, FloatArray, NDArray[np.bool_]],
    index: int,
) -> str:
    """``accept``, ``reject``, ``pending`` or ``withdrawn``."""
    u_o, u_r, ok = arrays
    st = model.state
    proposer, responder = st.index(d.proposer), st.index(d.responder)
    first = proposer == c.opener
    u_prop, r_prop = (u_o, c.reservations[0]) if first else (u_r, c.reservations[1])
    u_resp, r_resp = (u_r, c.reservations[1]) if first else (u_o, c.reservations[0])
    if proposer not in layer.humans and not (ok[index] and u_prop[index] >= r_prop):
        return "withdrawn"
    if d.response is not None:
        return d.response if ok[index] else "reject"
    if responder in layer.humans:
        return "pending"
    accepted = _bot_accepts(layer, model, responder, u_resp, ok, r_resp, index)
    return "accept" if accepted else "reject"


def _one(
    layer: NegotiationLayer, model: MineralModel, s: Situation, d: OfferDecision, log: RowLog
) -> None:
    st = model.state
    if d.proposer not in st.codes or d.responder not in st.codes or d.proposer == d.responder:
        return
    kind = KINDS[d.terms.kind]
    opener, responder = _roles(model, d, kind)
    c = deal_for(s, kind, opener, responder, d.terms.mineral)
    sid = layer.session_id()
    if c is None:
        _infeasible(model, d, sid, log)
        return
    params = layer.params_now(c, s.pacts)
    u_o, u_r, ok = utilities(kind, params, columns(kind), layer.cfg)
    base = float(st.minerals[c.mineral].technology[c.responder])
    index = nearest_outcome(d.terms, params, base, model.rpr, layer.cfg.deals)
    info = layer.info(model, c, params, sid, deal_type="human")
    info = replace(info, proposer=d.proposer, responder=d.responder)
    answer = _answer(layer, model, d, c, (u_o, u_r, ok), index)
    ours = st.index(d.proposer) == c.opener
    u_prop, u_resp = (u_o, u_r) if ours else (u_r, u_o)
    utils = (float(u_prop[index]), float(u_resp[index]))
    status = "pending" if answer == "pending" else None
    log.move(info, 0, d.proposer, d.responder, "offer", index, *utils, status=status)
    if answer in ("accept", "reject"):
        log.move(info, 1, d.proposer, d.responder, answer, index, *utils)
    deal_id = ""
    if answer == "accept":
        outcome = space(kind).outcome(index)
        agreed = Agreement((c.opener, c.responder), c.mineral, params, outcome, sid)
        deal = layer.sign(model, kind, agreed)
        deal_id = deal.deal_id
    end = {"accept": "agreement", "reject": "rejected"}.get(answer, answer)
    log.posted(
        info, answer == "accept", deal_id, utils, index, protocol="human_offer", end_reason=end
    )


def _no_terms(index: int, known: Any = None) -> tuple[dict[str, Any], float]:
    return {}, math.nan


def _infeasible(model: MineralModel, d: OfferDecision, sid: str, log: RowLog) -> None:
    info = SessionInfo(
        model.round,
        sid,
        "human",
        d.terms.mineral,
        d.proposer,
        d.responder,
        {},
        math.nan,
        _no_terms,
    )
    log.posted(
        info, False, "", (math.nan, math.nan), protocol="human_offer", end_reason="infeasible"
    )


def answer_offers(layer: NegotiationLayer, model: MineralModel, s: Situation, log: RowLog) -> None:
    """Handle this round's ``OfferDecision`` records, in decision order."""
    for d in model.decisions:
        if isinstance(d, OfferDecision) and d.round == model.round:
            _one(layer, model, s, d, log)


def pending_offer(
    layer: NegotiationLayer,
    model: MineralModel,
    c: Candidate,
    arrays: tuple[FloatArray, FloatArray, NDArray[np.bool_]],
    info: SessionInfo,
    log: RowLog,
) -> None:
    """A bot's Nash-point proposal to a person, left pending for the person's answer."""
    u_o, u_r, ok = arrays
    r_o, r_r = c.reservations
    zopa = ok & (u_o >= r_o) & (u_r >= r_r)
    if not zopa.any():
        log.posted(info, False, "", (r_o, r_r), protocol="posted", end_reason="no_zopa")
        return
    nash = np.where(zopa, (u_o - r_o) * (u_r - r_r), -np.inf)
    index = int(np.argmax(nash))
    codes = model.state.codes
    log.move(
        info,
        0,
        codes[c.opener],
        codes[c.responder],
        "offer",
        index,
        float(u_o[index]),
        float(u_r[index]),
        status="pending",
    )
    log.posted(info, False, "", (r_o, r_r), index, protocol="posted", end_reason="pending")
