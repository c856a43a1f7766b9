"""The model's negotiation phase: one round of renegotiation, pacts, rival offers and deals.

Order within a round: transferred technology due now takes effect; the market snapshot is
taken (reservation values move with this round's controls and last round's prices); hosts
renegotiate built investments (hazard); pacts move, set terms and act; the dominant posts its
rival offers; people's offers are answered; every agent's candidates are ranked by expected
surplus and at most k sessions per agent are played; hosts without a member investment take
the dominant's offer when it is worth more than no deal; every session and move goes into the
record. All randomness comes from the model's ``negotiation_rng``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from mineralgame.deals import humans, rival
from mineralgame.deals.book import Deal, DealBook
from mineralgame.deals.context import RoundView, round_view
from mineralgame.deals.pact_round import run_pacts
from mineralgame.deals.pact_view import PactView
from mineralgame.deals.pacts import PactBook, PactContract
from mineralgame.deals.partners import Candidate, Situation, candidates, select, utilities
from mineralgame.deals.records import OFFER_COLUMNS, SESSION_COLUMNS, RowLog, SessionInfo
from mineralgame.deals.renegotiation import base_hazard, hazard, renegotiation_terms, with_new_terms
from mineralgame.deals.sessions import Bargain, acceptance_policy, offer_policy, play
from mineralgame.deals.signing import (
    Agreement,
    apply_due_tech,
    sign_investment,
    sign_offtake,
    sign_tech,
)
from mineralgame.deals.spaces import columns, space
from mineralgame.deals.strategies import draw_strategies
from mineralgame.deals.terms import terms_fn
from mineralgame.shocks import event_row
from mineralgame.trade import Contract

if TYPE_CHECKING:
    from mineralgame.model import MineralModel

__all__ = ["PACT_COLUMNS", "NegotiationLayer"]

PACT_COLUMNS = (
    "round",
    "pact",
    "member",
    "joined_round",
    "role",
    "cost_share",
    "stock_days",
    "in_core",
    "core_checked",
    "max_excess_usd",
    "stock_months",
    "floor",
    "preference",
    "esg",
    "fund",
    "fund_balance_usd",
    "fund_paid_usd",
    "floor_transfer_usd",
)
KIND_SPACE = {"investment": "investment", "offtake": "offtake", "tech": "tech"}


class NegotiationLayer:
    """Negotiation state of one run: deals, pacts, strategies; plays the negotiation phase."""

    def __init__(self, model: MineralModel) -> None:
        self.cfg = model.cfg.negotiation
        self.book = DealBook()
        self.pacts = PactBook.initial(model)
        self.strategies, self.strategy_names = draw_strategies(model)
        self.policies = (acceptance_policy(self.cfg), offer_policy(self.cfg))
        self.pact_contracts: dict[str, list[PactContract]] = {}
        self.seller_price: dict[str, np.ndarray] = {}
        self.budget = np.zeros(len(model.state.codes))
        self.humans: frozenset[int] = frozenset(
            model.state.index(h) for h in model.humans if h in model.state.codes
        )
        self._serial = 0
        self._round = -1

    def session_id(self) -> str:
        """A new session id of this round, e.g. ``N03-012``."""
        self._serial += 1
        return f"N{self._round:02d}-{self._serial:03d}"

    def run(self, model: MineralModel) -> None:
        """Play the negotiation phase of the current round."""
        self._round, self._serial = model.round, 0
        log = RowLog(keep=model.recorder.tables_kept)
        events: list[dict[str, Any]] = []
        apply_due_tech(model, self.book)
        codes = model.state.codes
        secured = {m: self.book.secured(m, model.round, codes) for m in model.state.minerals}
        view = round_view(model, secured)
        self.budget = view.budget.copy()
        self.seller_price = {m: mv.seller_price for m, mv in view.minerals.items()}
        base = base_hazard(view, self.cfg)
        self._renegotiate(model, view, base, log, events)
        outcome = run_pacts(self.pacts, model, view, log, model.negotiation_rng, self.session_id)
        for i, paid in outcome.budget_paid.items():
            self.budget[i] = max(0.0, self.budget[i] - paid)
        self.pact_contracts = outcome.contracts
        posted = rival.post_offers(view, self.cfg, self.book)
        situation = self._situation(view, base, posted)
        humans.answer_offers(self, model, situation, log)
        chosen = select(
            candidates(situation, model.negotiation_rng), self.cfg.sessions_per_agent, len(codes)
        )
        for c in chosen:
            self._play(model, situation, c, log, events)
        self._take_rival_offers(model, view, posted, log)
        self._record(model, log, [*outcome.events, *events])

    def _situation(
        self, view: RoundView, base: np.ndarray, posted: list[rival.Posted]
    ) -> Situation:
        dom = view.codes[view.dominant]
        equity = {
            m: {view.index(c): e for c, e in self.book.dominant_equity(m, view.round, dom).items()}
            for m in view.minerals
        }
        blocked = frozenset(k for k, until in self.book.cooldown.items() if until > view.round)
        return Situation(
            view=view,
            cfg=self.cfg,
            humans=self.humans,
            rival_price={(p.host, p.mineral): p.price for p in posted},
            dominant_equity=equity,
            hazard=base,
            pacts=self.pacts.view(),
            blocked=blocked,
        )

    # --- bilateral deals ---------------------------------------------------------------------

    def _subsidy(self, pacts: PactView, i: int, h: int) -> float:
        """Share of i's equity in h that a shared pact's joint fund can pay."""
        funded = [
            p for p in self.pacts.pacts.values() if i in p.members and h in p.members and p.fund > 0
        ]
        del pacts
        return self.cfg.pacts.fund_cofinance if funded else 0.0

    def params_now(self, c: Candidate, pacts: PactView) -> Any:
        """The candidate's parameters with this moment's capital (and fund co-finance)."""
        if c.kind == "investment":
            s = self._subsidy(pacts, c.opener, c.responder)
            return replace(c.params, budget=float(self.budget[c.opener]), subsidy=s)
        if c.kind == "tech" and np.isfinite(float(c.params.budget)):
            return replace(c.params, budget=float(self.budget[c.responder]))
        return c.params

    def info(
        self,
        model: MineralModel,
        c: Candidate,
        params: Any,
        sid: str,
        deal_type: str | None = None,
        receiver: int | None = None,
    ) -> SessionInfo:
        """Record metadata of a bilateral session (``receiver``: who gets the technology,
        by default the responder)."""
        codes = model.state.codes
        receiver = c.responder if receiver is None else receiver
        base_tech = float(model.state.minerals[c.mineral].technology[receiver])
        fn = terms_fn(c.kind, c.mineral, params, base_tech, model.rpr, self.cfg.deals)
        return SessionInfo(
            round=model.round,
            session_id=sid,
            deal_type=deal_type or c.kind,
            mineral=c.mineral,
            proposer=codes[c.opener],
            responder=codes[c.responder],
            reservations={
                codes[c.opener]: c.reservations[0],
                codes[c.responder]: c.reservations[1],
            },
            expected_surplus=c.score,
            terms=fn,
            strategies=(self.strategy_names[c.opener], self.strategy_names[c.responder]),
        )

    def _play(
        self,
        model: MineralModel,
        s: Situation,
        c: Candidate,
        log: RowLog,
        events: list[dict[str, Any]],
    ) -> None:
        params = self.params_now(c, s.pacts)
        sid = self.session_id()
        info = self.info(model, c, params, sid)
        u_o, u_r, ok = utilities(c.kind, params, columns(KIND_SPACE[c.kind]), self.cfg)
        if c.responder in self.humans:
            humans.pending_offer(self, model, c, (u_o, u_r, ok), info, log)
            return
        codes = model.state.codes
        bargain = Bargain(
            sid,
            space(KIND_SPACE[c.kind]),
            (codes[c.opener], codes[c.responder]),
            (u_o, u_r),
            ok,
            c.reservations,
            (self.strategies[c.opener], self.strategies[c.responder]),
        )
        result = play(bargain, self.cfg, model.negotiation_rng, self.policies)
        deal_id = ""
        if result is not None and result.agreed and result.agreement is not None:
            agreed = Agreement(
                (c.opener, c.responder), c.mineral, params, dict(result.agreement), sid
            )
            deal = self.sign(model, c.kind, agreed)
            deal_id = deal.deal_id
            self._retaliate(model, s.view, c, events)
        self.book.cooldown[(c.kind, c.opener, c.responder, c.mineral)] = (
            model.round + 1 + self.cfg.cooldown_rounds
        )
        log.session(info, result, deal_id=deal_id)

    def sign(self, model: MineralModel, kind: str, agreed: Agreement) -> Deal:
        """Sign an agreed deal and charge the capital it uses."""
        o, r = agreed.parties
        if kind == "investment":
            deal = sign_investment(model, self.book, agreed)
            outlay = deal.equity * deal.capex_usd / 1e6
            subsidy = self._fund_pays(o, r, float(agreed.params.subsidy) * outlay)
            model.investment_spend[o] -= subsidy * 1e6
            self.budget[o] = max(0.0, self.budget[o] - (outlay - subsidy))
            return deal
        if kind == "offtake":
            return sign_offtake(model, self.book, agreed)
        deal = sign_tech(model, self.book, agreed)
        if model.state.roles[r] == "member":
            self.budget[r] = max(0.0, self.budget[r] - deal.fee_usd / 1e6)
        return deal

    def _fund_pays(self, i: int, h: int, want: float) -> float:
        """Draw up to ``want`` [$m] from the funds of pacts shared by i and h."""
        paid = 0.0
        for _, p in sorted(self.pacts.pacts.items()):
            if want - paid <= 0:
                break
            if i in p.members and h in p.members and p.fund > 0:
                take = min(p.fund, want - paid)
                p.fund -= take
                paid += take
        return paid

    def _retaliate(
        self, model: MineralModel, view: RoundView, c: Candidate, events: list[dict[str, Any]]
    ) -> None:
        """The dominant withholds offers from a host that signed with a member banning it."""
        st = model.state
        if c.kind == "tech" or not view.bans_dominant(c.opener):
            return
        until = model.round + 1 + self.cfg.rival.retaliation_rounds
        already = self.book.withheld_until.get(c.responder, -1) > model.round
        self.book.withheld_until[c.responder] = max(
            until, self.book.withheld_until.get(c.responder, -1)
        )
        if not already:
            events.append(
                event_row(
                    model.round,
                    model.cfg,
                    kind="retaliation",
                    actor=st.codes[st.dominant],
                    target=st.codes[c.responder],
                    mineral=c.mineral,
                    description=f"rival offers withheld until round {until} (deal with "
                    f"{st.codes[c.opener]})",
                    source="deal",
                )
            )

    # --- the dominant's posted offers ----------------------------------------------------------

    def _take_rival_offers(
        self, model: MineralModel, view: RoundView, posted: list[rival.Posted], log: RowLog
    ) -> None:
        """Hosts without a member investment this round take offers worth more than no deal."""
        signed = {
            (d.seller, d.mineral)
            for d in self.book.deals.values()
            if d.signed_round == model.round and d.kind == "investment"
        }
        dom = view.dominant
        for p in posted:
            self._post(model, view, p, (view.codes[p.host], p.mineral) not in signed, log, dom)

    def _post(
        self,
        model: MineralModel,
        view: RoundView,
        p: rival.Posted,
        open_host: bool,
        log: RowLog,
        dom: int,
    ) -> None:
        codes = model.state.codes
        index = rival.posted_index(p.price, self.cfg)
        outcome = space("investment").outcome(index)
        cols = {k: np.asarray(float(v)) for k, v in outcome.items()}
        params = replace(
            p.params, sigma=self.cfg.deals.base_security_premium, budget=float(self.budget[dom])
        )
        u_dom, u_host, ok = utilities("investment", params, cols, self.cfg)
        take = (
            open_host
            and self.cfg.rival.hosts_accept
            and bool(ok)
            and float(u_host) > 0.0
            and float(u_dom) >= 0.0
            and p.host not in self.humans
        )
        sid = self.session_id()
        c = Candidate("investment", p.mineral, dom, p.host, float("nan"), params, (0.0, 0.0))
        info = self.info(model, c, params, sid, deal_type="rival")
        log.move(info, 0, codes[dom], codes[p.host], "offer", index, float(u_dom), float(u_host))
        deal_id = ""
        if take:
            agreed = Agreement((dom, p.host), p.mineral, params, outcome, sid)
            deal = sign_investment(model, self.book, agreed, kind="rival")
            self.budget[dom] = max(0.0, self.budget[dom] - deal.equity * deal.capex_usd / 1e6)
            deal_id = deal.deal_id
        action = "accept" if take else "reject"
        log.move(info, 1, codes[dom], codes[p.host], action, index, float(u_dom), float(u_host))
        log.posted(info, take, deal_id, (float(u_dom), float(u_host)), index)

    # --- renegotiation -------------------------------------------------------------------------

    def _renegotiate(
        self,
        model: MineralModel,
        view: RoundView,
        base: np.ndarray,
        log: RowLog,
        events: list[dict[str, Any]],
    ) -> None:
        """Draw each built member investment's hazard; renegotiate those it strikes."""
        if not self.cfg.renegotiation.enabled:
            return
        rng = model.negotiation_rng
        for deal in self.book.active(model.round):
            if deal.kind != "investment" or not deal.delivers(model.round):
                continue
            if rng.random() >= hazard(deal, view, self.cfg, base):
                continue
            i, h = view.index(deal.buyer), view.index(deal.seller)
            if {i, h} & self.humans:
                continue
            self._renegotiate_one(model, view, deal, (h, i), log, events)

    def _renegotiate_one(
        self,
        model: MineralModel,
        view: RoundView,
        deal: Deal,
        parties: tuple[int, int],
        log: RowLog,
        events: list[dict[str, Any]],
    ) -> None:
        h, i = parties
        years_left = (deal.end_round - model.round) * model.rpr
        params, u_i, u_h, ok = renegotiation_terms(deal, view, self.cfg, years_left)
        sid = self.session_id()
        c = Candidate("investment", deal.mineral, h, i, float("nan"), params, (0.0, 0.0))
        info = self.info(model, c, params, sid, deal_type="renegotiation", receiver=h)
        bargain = Bargain(
            sid,
            space("investment"),
            (view.codes[h], view.codes[i]),
            (u_h, u_i),
            ok,
            (0.0, 0.0),
            (self.strategies[h], self.strategies[i]),
        )
        result = play(bargain, self.cfg, model.negotiation_rng, self.policies)
        if result is not None and result.agreed and result.agreement is not None:
            self.book.deals[deal.deal_id] = with_new_terms(deal, dict(result.agreement), sid)
            what = "renegotiated"
        else:
            self.book.update(deal.deal_id, status="terminated", end_round=model.round)
            what = "terminated"
        log.session(info, result, deal_id=deal.deal_id)
        events.append(
            event_row(
                model.round,
                model.cfg,
                kind="renegotiation",
                actor=view.codes[h],
                target=view.codes[i],
                mineral=deal.mineral,
                description=f"{deal.deal_id} {what} by the host",
                source="deal",
            )
        )

    # --- record and contracts ------------------------------------------------------------------

    def _record(self, model: MineralModel, log: RowLog, events: list[dict[str, Any]]) -> None:
        rec = model.recorder
        rec.add_rows("negotiation_sessions", log.sessions, SESSION_COLUMNS)
        rec.add_rows("negotiation_offers", log.offers, OFFER_COLUMNS)
        rec.add_rows("pacts", self.pacts.rows, PACT_COLUMNS)
        self.pacts.rows = []
        rec.events.extend(events)

    def contracts(self, model: MineralModel, mineral: str) -> list[Contract]:
        """Deal and pact deliveries of ``mineral`` this round, served before the market."""
        spec = model.cfg.minerals[mineral]
        n = len(model.state.codes)
        prices = self.seller_price.get(mineral, np.full(n, spec.refined_price_usd_per_t))
        rules = model.rules[mineral]
        out = self.book.contracts(
            mineral, model.round, model.state.codes, rules, model.rpr, model.cfg.utilisation, prices
        )
        for pc in self.pact_contracts.get(mineral, []):
            share = min(1.0, rules.ref_pair_share.get((pc.seller, pc.buyer), 1.0))
            if pc.tonnes * share > 0:
                price = float(prices[pc.seller])
                out.append(Contract(pc.contract_id, pc.seller, pc.buyer, pc.tonnes * share, price))
        return out

    def contract_meta(self, contract_id: str) -> dict[str, Any] | None:
        """Kind, start and end round of a deal or pact contract (None for other contracts)."""
        deal = self.book.deals.get(contract_id)
        if deal is not None:
            return {
                "kind": f"deal_{deal.kind}",
                "start_round": deal.start_round,
                "end_round": deal.end_round - 1,
            }
        for pcs in self.pact_contracts.values():
            for pc in pcs:
                if pc.contract_id == contract_id:
                    return {"kind": pc.kind, "start_round": self._round, "end_round": self._round}
        return None
