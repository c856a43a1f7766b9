"""Pacts: initial members from the scenario's groups, membership by stability, terms, effects.

Each round, for every pact (in name order):

1. people's ``PactDecision`` join/leave moves are honoured;
2. bots revise membership: ``revisions_per_round`` random players may join or leave when that
   gains them more than the hysteresis (payoffs as shares of their exposed import value, or of
   their output value for producers; Axelrod & Bennett 1993 with hysteresis);
3. in round 0 and every ``terms_every_rounds`` the bot members negotiate the terms (mediated
   single text, or Baron–Ferejohn) starting from the terms in force;
4. the terms act: members' stockpile targets rise by their cost share of the pooled stock,
   members pay into the joint fund, producers receive price-floor transfers, and member
   producers deliver the preference share (and, to members in an emergency, the emergency
   share) of their refined output under contracts served before the market.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from mineralgame.config.negotiation import NegotiationConfig
from mineralgame.deals.context import RoundView
from mineralgame.deals.pact_economics import Economy, cost_game, payoffs
from mineralgame.deals.pact_view import PactTerms, PactView
from mineralgame.decisions import PactDecision
from mineralgame.negotiation import revise_membership
from mineralgame.shocks import event_row, resolve

if TYPE_CHECKING:
    from mineralgame.model import MineralModel

__all__ = ["Pact", "PactBook"]

FloatArray = NDArray[np.float64]
FROZEN = -1e18
"""Payoff change that keeps a person's membership fixed during bot revisions."""


@dataclass
class Pact:
    """One pact (mutable: members and terms change).

    Attributes:
        name: Group name.
        players: Countries that may be members (the group plus every member state).
        members: Current members, in country order.
        joined: Round each member joined.
        terms: Terms in force.
        fund: Balance of the joint fund [$m].
        shares: Each member's cost of one month of pooled cover [$m/yr].
    """

    name: str
    players: tuple[int, ...]
    members: tuple[int, ...]
    joined: dict[int, int]
    terms: PactTerms = field(default_factory=PactTerms)
    fund: float = 0.0
    shares: FloatArray = field(default_factory=lambda: np.zeros(0))


def _eligible(model: MineralModel) -> set[int]:
    return {i for i, r in enumerate(model.state.roles) if r in ("member", "supplier")}


@dataclass
class PactBook:
    """All pacts of a run and the stockpile days each adds to its members' targets."""

    pacts: dict[str, Pact] = field(default_factory=dict)
    added_days: dict[int, float] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def initial(cls, model: MineralModel) -> PactBook:
        """Pacts from the scenario's groups listed in ``negotiation.pacts.initial``."""
        book = cls()
        ok = _eligible(model)
        members_role = {i for i, r in enumerate(model.state.roles) if r == "member"}
        for name in sorted(model.cfg.negotiation.pacts.initial):
            codes = resolve([name], model.cfg)
            members = tuple(
                sorted(model.state.index(c) for c in codes if model.state.index(c) in ok)
            )
            if len(members) < 2:
                continue
            players = tuple(sorted(set(members) | members_role))
            book.pacts[name] = Pact(name, players, members, {i: 0 for i in members})
        return book

    def view(self) -> PactView:
        """What bilateral deals see of the pacts."""
        return PactView(
            tuple((p.name, frozenset(p.members), p.terms) for _, p in sorted(self.pacts.items()))
        )


def _payoff_fn(
    pact: Pact,
    econ: Economy,
    cfg: NegotiationConfig,
    codes: tuple[str, ...],
    humans: set[int],
    rng: np.random.Generator,
) -> Any:
    scale = np.maximum(np.maximum(econ.exposed, econ.output.sum(axis=1)), 1.0)
    current = set(pact.members)
    cache: dict[tuple[str, ...], dict[str, float]] = {}

    def fn(names: tuple[str, ...]) -> dict[str, float]:
        if names not in cache:
            members = tuple(sorted(codes.index(c) for c in names))
            raw = payoffs(pact.players, members, pact.terms, econ, cfg, rng)
            out = {codes[i]: v / scale[i] for i, v in raw.items()}
            for h in humans & set(pact.players):
                out[codes[h]] = 0.0 if (h in members) == (h in current) else FROZEN
            cache[names] = out
        return cache[names]

    return fn


def honour_decisions(pact: Pact, model: MineralModel, events: list[dict[str, Any]]) -> None:
    """People's join/leave moves for this pact in this round."""
    st, rnd = model.state, model.round
    for d in model.decisions:
        if not (isinstance(d, PactDecision) and d.round == rnd and d.pact == pact.name):
            continue
        if d.country not in st.codes:
            continue
        i = st.index(d.country)
        members = set(pact.members)
        if d.action == "join" and i not in members and i in _eligible(model):
            pact.players = tuple(sorted(set(pact.players) | {i}))
            members.add(i)
            pact.joined[i] = rnd
        elif d.action == "leave" and i in members:
            members.discard(i)
            pact.joined.pop(i, None)
        else:
            continue
        pact.members = tuple(sorted(members))
        events.append(_move_event(model, pact.name, d.country, d.action, "decision"))


def _move_event(
    model: MineralModel, pact: str, code: str, action: str, source: str
) -> dict[str, Any]:
    return event_row(
        model.round,
        model.cfg,
        kind=f"pact_{action}",
        actor=code,
        target=pact,
        description=f"{code} {'joins' if action == 'join' else 'leaves'} {pact}",
        source=source,
    )


def revise(
    pact: Pact,
    econ: Economy,
    model: MineralModel,
    humans: set[int],
    rng: np.random.Generator,
    events: list[dict[str, Any]],
) -> None:
    """Bots' membership revisions with hysteresis (one random player per opportunity)."""
    cfg = model.cfg.negotiation
    codes = model.state.codes
    n = cfg.pacts.revisions_per_round
    if n == 0:
        return
    fn = _payoff_fn(pact, econ, cfg, codes, humans, rng)
    players = [codes[i] for i in pact.players]
    members = [codes[i] for i in pact.members]
    new, moves = revise_membership(
        players,
        members,
        fn,
        rng,
        hysteresis=cfg.pacts.hysteresis,
        logit_lambda=cfg.pacts.logit_lambda,
        n_revisions=n,
    )
    for mv in moves:
        if mv.move != "stay":
            i = codes.index(mv.player)
            if mv.move == "join":
                pact.joined[i] = model.round
            else:
                pact.joined.pop(i, None)
            events.append(_move_event(model, pact.name, mv.player, str(mv.move), "pact"))
    pact.members = tuple(sorted(codes.index(c) for c in new))


def stock_days(
    pact: Pact, econ: Economy, view: RoundView, cfg: NegotiationConfig, rng: np.random.Generator
) -> dict[int, float]:
    """Days of its requirement each member holds as its share of the pooled stock."""
    if pact.terms.stock_months <= 0 or len(pact.members) < 2 or cfg.pacts.holding_cost <= 0:
        return {}
    game = cost_game(pact.members, econ, cfg)
    pooled = pact.terms.stock_months * game.coalition_cost(game.players) / cfg.pacts.holding_cost
    weight = pact.shares / pact.shares.sum() if pact.shares.sum() > 0 else None
    out = {}
    for k, i in enumerate(pact.members):
        value = sum(mv.requirement[i] * mv.index_price for mv in view.minerals.values()) / 1e6
        w = weight[k] if weight is not None else 1.0 / len(pact.members)
        out[i] = 365.0 * w * pooled / value if value > 0 else 0.0
    del rng
    return out


def negotiate_terms(
    pact: Pact,
    econ: Economy,
    cfg: NegotiationConfig,
    voters: tuple[int, ...],
    codes: tuple[str, ...],
    rng: np.random.Generator,
    session_id: str,
) -> tuple[Any, NDArray[np.float64]]:
    """Run the pact protocol among the voters; returns (SessionResult, utilities)."""
    from mineralgame.deals.pact_economics import term_utilities, terms_index
    from mineralgame.deals.spaces import space
    from mineralgame.negotiation import (
        BaronFerejohnConfig,
        Negotiator,
        SingleTextConfig,
        UtilityTable,
        baron_ferejohn,
        single_text,
    )

    k = [pact.members.index(v) for v in voters]
    utilities = term_utilities(pact.members, pact.shares, econ, cfg)[k]
    sp = space("pact")
    parties = [
        Negotiator(codes[v], UtilityTable(sp, utilities[j], 0.0)) for j, v in enumerate(voters)
    ]
    p = cfg.pacts
    if cfg.pact_protocol == "baron_ferejohn":
        config_bf = BaronFerejohnConfig(n_rounds=p.iterations, quota=p.quota)
        return baron_ferejohn(parties, rng, config=config_bf, session_id=session_id), utilities
    config = SingleTextConfig(
        n_iterations=p.iterations, quota=p.quota, initial=terms_index(pact.terms)
    )
    return single_text(parties, rng, config=config, session_id=session_id), utilities


def terms_from(outcome: dict[str, Any]) -> PactTerms:
    """Pact terms from an outcome of the pact space."""
    return PactTerms(**{k: float(v) for k, v in outcome.items()})


@dataclass(frozen=True)
class PactContract:
    """A delivery between pact members this round (served before the market).

    Attributes:
        contract_id: Id (``K<round>-<pact>-<kind>-<mineral>-<seller>-<buyer>``).
        kind: ``pact_preference`` or ``pact_emergency``.
        mineral: Mineral.
        seller: Producer index.
        buyer: Consumer index.
        tonnes: Tonnes this round.
    """

    contract_id: str
    kind: str
    mineral: str
    seller: int
    buyer: int
    tonnes: float


def pact_contracts(pact: Pact, view: RoundView, rpr: float, emergency: float) -> list[PactContract]:
    """Member producers' deliveries to member consumers this round.

    Preference: ``terms.preference`` of each producer's refined output, pro rata to the other
    members' exposed requirement. Emergency (when the pact holds a joint stockpile):
    ``emergency`` of it, pro rata to the requirement the dominant withholds from members.
    """
    out: list[PactContract] = []
    parts = [("preference", pact.terms.preference, "need")]
    if pact.terms.stock_months > 0:
        parts.append(("emergency", emergency, "hit"))
    for m, mv in view.minerals.items():
        wants = {
            "need": {c: float(mv.exposure[c] * mv.requirement[c]) for c in pact.members},
            "hit": {c: float(mv.withheld[c] * mv.requirement[c]) for c in pact.members},
        }
        for j in pact.members:
            for kind, share, key in parts:
                offer = share * float(mv.refined_output[j]) * rpr
                want = {c: v for c, v in wants[key].items() if c != j and v > 0}
                total = sum(want.values())
                if offer <= 0 or total <= 0:
                    continue
                for c, v in sorted(want.items()):
                    if offer * v / total > 1.0:
                        pair = f"{view.codes[j]}-{view.codes[c]}"
                        cid = f"K{view.round:02d}-{pact.name}-{kind}-{m}-{pair}"
                        out.append(PactContract(cid, f"pact_{kind}", m, j, c, offer * v / total))
    return out
