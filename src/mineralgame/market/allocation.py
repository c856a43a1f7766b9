"""Turn a class-level clearing solution into per-country outcomes and flows.

Within a class, members are interchangeable, so any split that respects each member's own
supply and use is optimal; we pick a deterministic one. Exports of a class come from its
members' own output (no transit: the LP forbids re-export), split in member order; what is
left serves the members' own use first; deficits are filled by imports and then by other
members' surpluses, matched in order (north-west corner), so flows stay few — about linear
in the number of countries.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mineralgame.market.problem import FloatArray, Flows, IntArray, MarketInput, MarketResult

EPS = 1e-9


def match(
    supplies: Sequence[tuple[int, float]], demands: Sequence[tuple[int, float]]
) -> list[tuple[int, int, float]]:
    """North-west-corner matching of ordered supplies to ordered demands."""
    out: list[tuple[int, int, float]] = []
    si, di = 0, 0
    s_left = supplies[0][1] if supplies else 0.0
    d_left = demands[0][1] if demands else 0.0
    while si < len(supplies) and di < len(demands):
        q = min(s_left, d_left)
        if q > EPS:
            out.append((supplies[si][0], demands[di][0], q))
        s_left -= q
        d_left -= q
        if s_left <= EPS:
            si += 1
            s_left = supplies[si][1] if si < len(supplies) else 0.0
        if d_left <= EPS:
            di += 1
            d_left = demands[di][1] if di < len(demands) else 0.0
    return out


def _stage_flows(
    members: tuple[IntArray, ...],
    prod: FloatArray,
    use: FloatArray,
    arcs: list[tuple[int, int]],
    arc_flow: FloatArray,
) -> Flows:
    """Country flows (incl. domestic on the diagonal) from class arc flows."""
    n = len(prod)
    rows: list[tuple[int, int, float]] = []
    incoming: dict[int, list[tuple[int, float]]] = {k: [] for k in range(len(members))}
    residual = prod.copy()
    by_origin: dict[int, list[tuple[int, float]]] = {}
    for j in np.flatnonzero(arc_flow > EPS):
        a, b = arcs[j]
        by_origin.setdefault(a, []).append((b, float(arc_flow[j])))
    for k, out in sorted(by_origin.items()):
        exporters = [(int(i), float(prod[i])) for i in members[k] if prod[i] > EPS]
        for i, b, q in match(exporters, out):
            incoming[b].append((i, q))
            residual[i] -= q
    residual = np.maximum(residual, 0.0)
    for k, mem in enumerate(members):
        deficits = []
        surplus = []
        for i in mem:
            own = min(float(residual[i]), float(use[i]))
            if own > EPS:
                rows.append((int(i), int(i), own))
            if use[i] - own > EPS:
                deficits.append((int(i), float(use[i] - own)))
            if residual[i] - own > EPS:
                surplus.append((int(i), float(residual[i] - own)))
        rows.extend(match(sorted(incoming[k]) + surplus, deficits))
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return Flows(empty, empty.copy(), np.zeros(0))
    o, d, t = zip(*rows, strict=True)
    del n
    return Flows(np.array(o, dtype=np.int64), np.array(d, dtype=np.int64), np.array(t))


def _member_split(
    accepted: FloatArray, class_qty: FloatArray, member_qty: FloatArray, of: IntArray
) -> FloatArray:
    """Split class-level accepted quantities among members pro rata to what each asked."""
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(class_qty > EPS, accepted / class_qty, 0.0)
    return np.asarray(member_qty * ratio[of], dtype=float)


def disaggregate(
    mi: MarketInput,
    of: IntArray,
    members: tuple[IntArray, ...],
    sol: FloatArray,
    duals: FloatArray,
    welfare: float,
    cols: dict[str, IntArray],
    ore_arcs: list[tuple[int, int]],
    ref_arcs: list[tuple[int, int]],
    refill_keys: list[tuple[int, float]],
    wtp_levels: FloatArray,
) -> MarketResult:
    """Build the per-country result of a class-level solution."""
    c = len(members)
    mine = sol[cols["mine_lo"]] + sol[cols["mine_hi"]]
    refined = sol[cols["ref_lo"]] + sol[cols["ref_hi"]]
    secondary = sol[cols["sec"]]
    consumption = np.zeros(mi.n)
    n_seg = len(wtp_levels)
    acc = sol[cols["d"]].reshape(c, n_seg)
    for s, w in enumerate(wtp_levels):
        member_qty = mi.demand_qty[:, mi.demand_wtp == w].sum(axis=1)
        class_qty = np.array([member_qty[m].sum() for m in members])
        consumption += _member_split(acc[:, s], class_qty, member_qty, of)
    refill = np.zeros(mi.n)
    key_of = {key: j for j, key in enumerate(refill_keys)}
    key_qty = np.zeros(len(refill_keys))
    idx = np.array([key_of[(int(of[i]), float(mi.refill_wtp[i]))] for i in range(mi.n)])
    np.add.at(key_qty, idx, mi.refill_qty)
    refill = _member_split(sol[cols["f"]], key_qty, mi.refill_qty, idx)
    ore_input = refined / mi.ref_yield
    ore_flows = _stage_flows(members, mine, ore_input, ore_arcs, sol[cols["y"]])
    ref_flows = _stage_flows(
        members, refined + secondary, consumption + refill, ref_arcs, sol[cols["x"]]
    )
    return MarketResult(
        mine_output=mine,
        refined_output=refined,
        secondary_used=secondary,
        ore_input=ore_input,
        consumption=consumption,
        refill=refill,
        ore_price=duals[c : 2 * c][of],
        ref_price=duals[3 * c : 4 * c][of],
        ore_producer_price=duals[:c][of],
        ref_producer_price=duals[2 * c : 3 * c][of],
        ore_flows=ore_flows,
        ref_flows=ref_flows,
        welfare=welfare,
    )
