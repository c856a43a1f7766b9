"""Slow, obviously correct reference clearing: one node per country, every pair an arc.

The textbook spatial price equilibrium written as one dense LP (scipy HiGHS), variable by
variable and row by row, with no aggregation. Tests check that ``clearing.clear_market``
agrees with it on random instances. Do not use it in the model: it grows with N².
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog

from mineralgame.market.problem import FloatArray, Flows, MarketInput, MarketResult


def solve_reference(mi: MarketInput) -> MarketResult:
    """Clear the market with a dense per-country LP."""
    n, s_count = mi.n, len(mi.demand_wtp)
    names: list[tuple[str, int, int]] = []
    cost: list[float] = []
    upper: list[float] = []

    def var(kind: str, i: int, j: int, c: float, ub: float) -> None:
        names.append((kind, i, j))
        cost.append(c)
        upper.append(ub)

    for i in range(n):
        var("mine_lo", i, i, mi.mine_cost_lo[i], mi.mine_cap_lo[i])
        var("mine_hi", i, i, mi.mine_cost_hi[i], mi.mine_cap_hi[i])
        var("ref_lo", i, i, mi.ref_cost_lo[i], mi.ref_cap_lo[i])
        var("ref_hi", i, i, mi.ref_cost_hi[i], mi.ref_cap_hi[i])
        var("sec", i, i, 0.0, mi.secondary[i])
        var("refill", i, i, -mi.refill_wtp[i], mi.refill_qty[i])
        var("dom_ore", i, i, 0.0, np.inf)
        var("dom_ref", i, i, 0.0, np.inf)
        for s in range(s_count):
            var("demand", i, s, -mi.demand_wtp[s], mi.demand_qty[i, s])
    banned = set(mi.ore_pair_ban)
    shares = {(o, d): sh for o, d, sh in mi.ref_pair_share}
    tariffs = {(o, d): t for o, d, t in mi.ref_tariff}
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            ri, rj = mi.region[i], mi.region[j]
            ore_ub = 0.0 if (i, j) in banned else np.inf
            var("ore", i, j, mi.transport_ore[ri, rj], ore_ub)
            ref_ub = shares[(i, j)] * mi.requirement[j] if (i, j) in shares else np.inf
            var("ref", i, j, mi.transport_ref[ri, rj] + tariffs.get((i, j), 0.0), ref_ub)
    for d, o, _share, levy in mi.soft_cap:
        var("viol", o, d, levy, np.inf)
    index = {key: k for k, key in enumerate(names)}
    m = len(names)

    # Rows per country: ore producer pool, ore user pool, refined producer pool, user pool.
    a_eq = np.zeros((4 * n, m))
    for i in range(n):
        po, uo, pr, ur = i, n + i, 2 * n + i, 3 * n + i
        a_eq[po, index[("mine_lo", i, i)]] = 1.0
        a_eq[po, index[("mine_hi", i, i)]] = 1.0
        a_eq[po, index[("dom_ore", i, i)]] = -1.0
        a_eq[uo, index[("dom_ore", i, i)]] = 1.0
        a_eq[uo, index[("ref_lo", i, i)]] = -1.0 / mi.ref_yield[i]
        a_eq[uo, index[("ref_hi", i, i)]] = -1.0 / mi.ref_yield[i]
        a_eq[pr, index[("ref_lo", i, i)]] = 1.0
        a_eq[pr, index[("ref_hi", i, i)]] = 1.0
        a_eq[pr, index[("sec", i, i)]] = 1.0
        a_eq[pr, index[("dom_ref", i, i)]] = -1.0
        a_eq[ur, index[("dom_ref", i, i)]] = 1.0
        a_eq[ur, index[("refill", i, i)]] = -1.0
        for s in range(s_count):
            a_eq[ur, index[("demand", i, s)]] = -1.0
        for j in range(n):
            if j != i:
                a_eq[po, index[("ore", i, j)]] = -1.0
                a_eq[uo, index[("ore", j, i)]] = 1.0
                a_eq[pr, index[("ref", i, j)]] = -1.0
                a_eq[ur, index[("ref", j, i)]] = 1.0

    rows: list[FloatArray] = []
    rhs: list[float] = []
    for i in range(n):
        ore_out = np.zeros(m)
        ref_out = np.zeros(m)
        for j in range(n):
            if j != i:
                ore_out[index[("ore", i, j)]] = 1.0
                ref_out[index[("ref", i, j)]] = 1.0
        if np.isfinite(mi.ore_export_cap[i]):
            rows.append(ore_out)
            rhs.append(float(mi.ore_export_cap[i]))
        if np.isfinite(mi.ref_export_cap[i]):
            rows.append(ref_out)
            rhs.append(float(mi.ref_export_cap[i]))
    for d, o, share, _levy in mi.soft_cap:
        row = np.zeros(m)
        row[index[("ref", o, d)]] = 1.0
        row[index[("viol", o, d)]] = -1.0
        row[index[("refill", d, d)]] = -share
        for s in range(s_count):
            row[index[("demand", d, s)]] = -share
        rows.append(row)
        rhs.append(0.0)

    ub = np.array(upper)
    res = linprog(
        np.array(cost),
        A_ub=np.array(rows) if rows else None,
        b_ub=np.array(rhs) if rows else None,
        A_eq=a_eq,
        b_eq=np.zeros(4 * n),
        bounds=[(0.0, float(u) if np.isfinite(u) else None) for u in ub],
        method="highs",
    )
    if res.status != 0:
        raise RuntimeError(f"reference LP failed: {res.message}")
    x = res.x

    def get(kind: str) -> FloatArray:
        return np.array([x[index[(kind, i, i)]] for i in range(n)])

    mine, refined, sec = get("mine_lo") + get("mine_hi"), get("ref_lo") + get("ref_hi"), get("sec")
    consumption = np.array(
        [sum(x[index[("demand", i, s)]] for s in range(s_count)) for i in range(n)]
    )
    ore_m = np.zeros((n, n))
    ref_m = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if i != j:
                ore_m[i, j] = x[index[("ore", i, j)]]
                ref_m[i, j] = x[index[("ref", i, j)]]
    np.fill_diagonal(ore_m, mine - ore_m.sum(axis=1))
    np.fill_diagonal(ref_m, refined + sec - ref_m.sum(axis=1))
    return MarketResult(
        mine_output=mine,
        refined_output=refined,
        secondary_used=sec,
        ore_input=refined / mi.ref_yield,
        consumption=consumption,
        refill=get("refill"),
        ore_price=np.asarray(res.eqlin.marginals[n : 2 * n], dtype=float),
        ref_price=np.asarray(res.eqlin.marginals[3 * n :], dtype=float),
        ore_producer_price=np.asarray(res.eqlin.marginals[:n], dtype=float),
        ref_producer_price=np.asarray(res.eqlin.marginals[2 * n : 3 * n], dtype=float),
        ore_flows=_sparse(ore_m),
        ref_flows=_sparse(ref_m),
        welfare=float(-res.fun),
    )


def _sparse(dense: FloatArray) -> Flows:
    o, d = np.nonzero(dense > 1e-9)
    return Flows(o.astype(np.int64), d.astype(np.int64), dense[o, d])
