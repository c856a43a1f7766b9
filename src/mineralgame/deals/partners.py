"""Partner choice: candidate deals, their expected surplus, and at most k sessions per agent.

Every member lists candidate investment and offtake deals (host or refiner × mineral) and
every licensor candidate licences (licensee × mineral); banned counterparties, hosts with too
much dominant equity, hosts below a pact's ESG standard and pairs in cooldown are never listed.
For each deal type and mineral an agent values only a shortlist of partners (the largest
reserves, refined output, or refining capacity times technology gap, first ``shortlist``
that pass the filters), so partner choice itself grows linearly with the number of countries.
Each candidate is valued on a coarse probe of its outcome space for all candidates at once
(numpy broadcasting): its *expected surplus* is the joint surplus at the probe's Nash point,
with the responder's reservation value known (public) or estimated with noise (private).
Pact co-members' surplus is scaled up by the pact's member preference. Candidates are then
taken greedily by expected surplus while neither party has k sessions yet, so the number of
sessions, the expensive part, grows linearly with the number of countries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from mineralgame.config.negotiation import NegotiationConfig
from mineralgame.deals import investment, offtake, technology
from mineralgame.deals.context import MineralView, RoundView
from mineralgame.deals.pact_view import PactView, floor_put
from mineralgame.deals.spaces import Columns, probe

__all__ = ["Candidate", "Situation", "candidates", "select"]

FloatArray = NDArray[np.float64]
Params = investment.InvestmentParams | offtake.OfftakeParams | technology.TechParams


@dataclass(frozen=True)
class Situation:
    """Everything partner choice needs besides the random generator.

    Attributes:
        view: This round's market snapshot.
        cfg: Negotiation settings.
        humans: Indices of countries played by people (bots never open for them).
        rival_price: Price π of the dominant's offer posted to (host, mineral) this round.
        dominant_equity: Per mineral, the dominant's largest equity in a project per host.
        hazard: Renegotiation hazard per year of each country as a host.
        pacts: The pacts in force.
        blocked: (kind, opener, responder, mineral) keys in cooldown.
    """

    view: RoundView
    cfg: NegotiationConfig
    humans: frozenset[int] = frozenset()
    rival_price: dict[tuple[int, str], float] = field(default_factory=dict)
    dominant_equity: dict[str, dict[int, float]] = field(default_factory=dict)
    hazard: FloatArray = field(default_factory=lambda: np.zeros(0))
    pacts: PactView = field(default_factory=PactView)
    blocked: frozenset[tuple[str, int, int, str]] = frozenset()


@dataclass(frozen=True)
class Candidate:
    """A deal an agent may open a session for.

    Attributes:
        kind: ``investment``, ``offtake`` or ``tech``.
        mineral: Mineral.
        opener: Investor, buyer or licensor (index).
        responder: Host, seller or licensee (index).
        score: Expected surplus used to rank it [$m].
        params: Scalar parameters of the deal's utilities.
        reservations: True (opener, responder) reservation values [$m].
    """

    kind: str
    mineral: str
    opener: int
    responder: int
    score: float
    params: Any
    reservations: tuple[float, float]


def _others(view: RoundView) -> list[int]:
    """Countries that negotiate as hosts, sellers or licensees (not the dominant, not ROW)."""
    return [i for i, r in enumerate(view.roles) if r in ("member", "supplier")]


def _allowed(s: Situation, i: int, j: int, kind: str, m: str) -> bool:
    v = s.view
    if i == j or j in v.banned[i] or i in v.banned[j] or i in s.humans:
        return False
    return (kind, i, j, m) not in s.blocked


def _retaliation(s: Situation, buyer: int, seller: int) -> float:
    """Seller's expected loss from the dominant if the buyer bans it [$m]."""
    if not s.view.bans_dominant(buyer):
        return 0.0
    return s.cfg.deals.retaliation_loss * float(s.view.dominant_exports[seller])


def _investment_params(s: Situation, i: int, h: int, mv: MineralView, seek: bool = True) -> Any:
    """Scalar parameters of an investment by i in h (None if the project is impossible, or,
    with ``seek``, if i's security premium is below the threshold for seeking deals)."""
    v, econ = s.view, s.cfg.deals
    limit = mv.reserves[h] * mv.refined_per_ore / econ.reserve_life_years
    capacity = min(econ.project_size_share * mv.requirement[i], limit)
    if capacity <= 1.0 or (seek and mv.sigma[i] < econ.min_security_premium):
        return None
    gap = max(0.0, float(mv.technology[i] - mv.technology[h]))
    ratio = mv.index_price / mv.base_price
    put = floor_put(s.pacts.floor(i, h), ratio, s.cfg.pacts.floor_volatility)
    esg = econ.esg_weight * v.esg_preference[i] * (v.esg[h] - 0.5)
    capex = capacity * mv.unit_capex / 1e6
    return investment.InvestmentParams(
        capacity=capacity,
        capex=capex,
        index_price=float(mv.seller_price[h]),
        investor_price=float(mv.node_price[i]) - v.freight(mv.name, h, i),
        sigma=float(mv.sigma[i]),
        investor_rate=float(v.rates[i]),
        host_rate=float(v.rates[h]),
        hazard=float(s.hazard[h]) if s.hazard.size else 0.0,
        gap=gap,
        tech_allowed=float(gap >= econ.min_technology_gap and i not in mv.tech_ban),
        budget=float(v.budget[i]),
        floor_put=put,
        host_constant=-_retaliation(s, i, h),
        investor_constant=esg * capex,
    )


def _host_ok(s: Situation, i: int, h: int, mv: MineralView) -> bool:
    v = s.view
    if mv.reserves[h] <= 0:
        return False
    limit = s.cfg.doctrine(v.strategies[i]).dominant_equity_limit
    if s.dominant_equity.get(mv.name, {}).get(h, 0.0) >= limit and limit < 1.0:
        return False
    return not (s.pacts.esg_required(i) and v.esg[h] < s.cfg.deals.esg_min)


Row = tuple[int, int, str, Any, tuple[float, float]]


def _investment_row(s: Situation, i: int, h: int, mv: MineralView, seek: bool = True) -> Row | None:
    p = _investment_params(s, i, h, mv, seek)
    if p is None:
        return None
    r_host = 0.0
    if (h, mv.name) in s.rival_price:
        price = s.rival_price[(h, mv.name)]
        r_host = max(0.0, float(investment.rival_value(p, s.cfg.rival, price, s.cfg.deals)))
    return (i, h, mv.name, p, (0.0, r_host))


def _ranked(s: Situation, proxy: FloatArray) -> list[int]:
    """Hosts, sellers or licensees with a positive proxy, largest first (ties by index)."""
    others = set(_others(s.view))
    order = np.argsort(-proxy, kind="stable")
    return [int(j) for j in order if int(j) in others and proxy[j] > 0]


def _shortlist(s: Situation, ranked: list[int], build: Callable[[int], Row | None]) -> list[Row]:
    """The first ``shortlist`` rows that ``build`` accepts, in ranked order."""
    out: list[Row] = []
    for j in ranked:
        row = build(j)
        if row is not None:
            out.append(row)
            if len(out) >= s.cfg.shortlist:
                break
    return out


RowFn = Callable[[Situation, int, int, MineralView], Row | None]


def _rows(
    s: Situation,
    kind: str,
    proxy: Callable[[MineralView], FloatArray],
    openers: Callable[[Situation, MineralView], list[int]],
    row: RowFn,
) -> list[Row]:
    """Per mineral and opener, the shortlist of partners ranked by ``proxy`` that ``row`` lists."""
    out = []
    for m, mv in s.view.minerals.items():
        ranked = _ranked(s, proxy(mv))
        for i in openers(s, mv):

            def build(j: int, i: int = i, m: str = m, mv: MineralView = mv) -> Row | None:
                return row(s, i, j, mv) if _allowed(s, i, j, kind, m) else None

            out.extend(_shortlist(s, ranked, build))
    return out


def _seekers(s: Situation, mv: MineralView) -> list[int]:
    """Members whose security premium is high enough to seek investment and offtake deals."""
    threshold = s.cfg.deals.min_security_premium
    # "not <" rather than ">=": only premiums below the threshold drop out (not NaN ones).
    return [i for i in s.view.members if not mv.sigma[i] < threshold]


def _hosted_row(s: Situation, i: int, h: int, mv: MineralView) -> Row | None:
    return _investment_row(s, i, h, mv) if _host_ok(s, i, h, mv) else None


def _investment(s: Situation) -> list[Row]:
    return _rows(s, "investment", lambda mv: mv.reserves, _seekers, _hosted_row)


def _offtake_row(s: Situation, i: int, j: int, mv: MineralView) -> Row | None:
    v, econ = s.view, s.cfg.deals
    if mv.refined_output[j] <= 1.0 or mv.requirement[i] <= 0.0:
        return None
    p = offtake.OfftakeParams(
        seller_output=float(mv.refined_output[j]),
        index_price=float(mv.seller_price[j]),
        buyer_price=float(mv.node_price[i]) - v.freight(mv.name, j, i),
        sigma=float(mv.sigma[i]),
        buyer_rate=float(v.rates[i]),
        seller_rate=float(v.rates[j]),
        max_tonnes=econ.offtake_max_share * float(mv.requirement[i]),
        seller_constant=-_retaliation(s, i, j),
    )
    return (i, j, mv.name, p, (0.0, 0.0))


def _offtake(s: Situation) -> list[Row]:
    return _rows(s, "offtake", lambda mv: mv.refined_output, _seekers, _offtake_row)


def _licensors(s: Situation, mv: MineralView) -> list[int]:
    v = s.view
    return [
        i
        for i, role in enumerate(v.roles)
        if role in ("member", "dominant")
        and mv.technology[i] >= s.cfg.deals.licensor_min_technology
        and i not in mv.tech_ban
    ]


def _strategic(s: Situation, licensor: int, licensee: int) -> float:
    econ, v = s.cfg.deals, s.view
    if licensor != v.dominant:
        return econ.strategic_value_member
    sign = -1.0 if licensee in v.rival_bloc else 1.0
    return sign * econ.strategic_value_dominant


def _tech_row(s: Situation, lic: int, e: int, mv: MineralView) -> Row | None:
    v = s.view
    gap = float(mv.technology[lic] - mv.technology[e])
    if gap < s.cfg.deals.min_technology_gap or mv.ref_capacity[e] <= 1.0:
        return None
    p = technology.TechParams(
        gap=gap,
        capacity=float(mv.ref_capacity[e]),
        refining_cost=mv.refining_cost,
        licensee_rate=float(v.rates[e]),
        licensor_share=float(mv.world_share[lic]),
        strategic=_strategic(s, lic, e),
        banned=float(lic in mv.tech_ban),
        budget=float(v.budget[e]) if v.roles[e] == "member" else np.inf,
    )
    return (lic, e, mv.name, p, (0.0, 0.0))


def _tech_proxy(mv: MineralView) -> FloatArray:
    """Refining capacity times technology gap to the frontier (what a licence can improve)."""
    return mv.ref_capacity * np.maximum(0.0, 1.0 - mv.technology)


def _tech(s: Situation) -> list[Row]:
    return _rows(s, "tech", _tech_proxy, _licensors, _tech_row)


UtilityFn = Callable[[Any, Columns], tuple[FloatArray, FloatArray, NDArray[np.bool_]]]


def utilities(
    kind: str, params: Any, cols: Columns, cfg: NegotiationConfig
) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
    """(opener utility, responder utility, feasible) of a deal kind over issue columns."""
    econ = cfg.deals
    if kind == "investment":
        u_o = investment.investor_utility(params, cols, econ)
        u_r = investment.host_utility(params, cols, econ)
        ok = investment.feasible(params, cols)
    elif kind == "offtake":
        u_o = offtake.buyer_utility(params, cols, econ)
        u_r = offtake.seller_utility(params, cols, econ)
        ok = offtake.feasible(params, cols)
    else:
        u_o = technology.licensor_utility(params, cols, econ)
        u_r = technology.licensee_utility(params, cols, econ)
        ok = technology.feasible(params, cols, econ) & np.isfinite(u_o)
    shape = np.broadcast_shapes(u_o.shape, u_r.shape, ok.shape)
    return np.broadcast_to(u_o, shape), np.broadcast_to(u_r, shape), np.broadcast_to(ok, shape)


def _stack(params: Sequence[Any]) -> Any:
    """Scalar parameter records → one record of column vectors (n, 1)."""
    first = params[0]
    fields = {
        name: np.array([getattr(p, name) for p in params], dtype=np.float64)[:, None]
        for name in first.__dataclass_fields__
    }
    return replace(first, **fields)


def _scores(
    kind: str,
    rows: list[Row],
    s: Situation,
    rng: np.random.Generator,
) -> FloatArray:
    """Joint surplus at the probe's Nash point (NaN where no probe outcome is acceptable)."""
    _, cols = probe("tech" if kind == "tech" else kind)
    u_o, u_r, ok = utilities(kind, _stack([r[3] for r in rows]), cols, s.cfg)
    r_o = np.array([r[4][0] for r in rows])[:, None]
    r_r = np.array([r[4][1] for r in rows])[:, None]
    if s.cfg.information.reservations == "private" and s.cfg.information.batna_noise > 0:
        noise = rng.normal(0.0, s.cfg.information.batna_noise, size=r_r.shape)
        r_r = r_r + np.abs(r_r) * noise
    g_o, g_r = u_o - r_o, u_r - r_r
    good = ok & (g_o >= 0) & (g_r >= 0)
    nash = np.where(good, g_o * g_r, -np.inf)
    best = np.argmax(nash, axis=1)
    take = np.arange(len(rows))
    joint = g_o[take, best] + g_r[take, best]
    return np.where(good.any(axis=1), joint, np.nan)


def candidates(s: Situation, rng: np.random.Generator) -> list[Candidate]:
    """Every candidate deal with a positive expected surplus, best first."""
    out: list[Candidate] = []
    for kind, build in (("investment", _investment), ("offtake", _offtake), ("tech", _tech)):
        if kind not in s.cfg.deal_types:
            continue
        rows = build(s)
        if not rows:
            continue
        scores = _scores(kind, rows, s, rng)
        for (i, j, m, p, res), score in zip(rows, scores, strict=True):
            if np.isfinite(score) and score > 0:
                bonus = 1.0 + s.pacts.preference(i, j)
                out.append(Candidate(kind, m, i, j, float(score) * bonus, p, res))
    out.sort(key=lambda c: (-c.score, c.kind, c.opener, c.responder, c.mineral))
    return out


def select(found: Sequence[Candidate], k: int, n_countries: int) -> list[Candidate]:
    """Greedy choice by expected surplus: each country in at most k sessions this round."""
    load = np.zeros(n_countries, dtype=int)
    chosen = []
    for c in found:
        if load[c.opener] < k and load[c.responder] < k:
            chosen.append(c)
            load[c.opener] += 1
            load[c.responder] += 1
    return chosen


def deal_for(
    s: Situation, kind: str, opener: int, responder: int, mineral: str
) -> Candidate | None:
    """One deal between named parties (e.g. a person's offer), or None if it is impossible.

    Banned counterparties, a licensor's technology-export ban, a responder outside the roles
    that host, sell or license, and missing reserves, output or technology gap make a deal
    impossible; the security threshold, cooldowns and the k limit do not apply.
    """
    v = s.view
    mv = v.minerals.get(mineral)
    if mv is None or opener == responder or responder not in _others(v):
        return None
    if responder in v.banned[opener] or opener in v.banned[responder]:
        return None
    row: Row | None = None
    if kind == "investment" and v.roles[opener] == "member" and _host_ok(s, opener, responder, mv):
        row = _investment_row(s, opener, responder, mv, seek=False)
    elif kind == "offtake" and v.roles[opener] == "member":
        row = _offtake_row(s, opener, responder, mv)
    elif kind == "tech" and opener not in mv.tech_ban and v.roles[opener] in ("member", "dominant"):
        row = _tech_row(s, opener, responder, mv)
    if row is None:
        return None
    i, j, m, p, res = row
    return Candidate(kind, m, i, j, float("nan"), p, res)
