"""Fast two-stage spatial price equilibrium for one mineral and round.

Countries that face the same prices and rules are merged into *classes* (same region, same
tariffs and ore bans as a destination, not named in any bilateral cap or export cap). The welfare
LP (value of consumption and refill minus mining, refining, freight, tariff and levy costs) is
solved over classes with HiGHS; node prices are the duals of the class balances. Because
class members are interchangeable, the aggregation is exact: ``reference.solve_reference``
(one node per country, every pair an arc) must reach the same welfare and prices, which the
oracle tests check. The class LP keeps per-country supply variables, so its size grows with
the number of classes squared plus the number of countries — about linear in countries when
new countries repeat existing roles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_array

from mineralgame.market.allocation import disaggregate
from mineralgame.market.problem import FloatArray, IntArray, MarketInput, MarketResult


class ClearingError(RuntimeError):
    """The clearing LP could not be solved (should not happen: it is always feasible)."""


@dataclass(frozen=True)
class Classes:
    """Partition of countries into classes; ``of[i]`` is the class of country i."""

    of: IntArray
    members: tuple[IntArray, ...]

    @property
    def count(self) -> int:
        """Number of classes."""
        return len(self.members)


def _singletons(mi: MarketInput) -> set[int]:
    singles = {i for i in range(mi.n) if np.isfinite(mi.ore_export_cap[i])}
    singles |= {i for i in range(mi.n) if np.isfinite(mi.ref_export_cap[i])}
    singles |= {o for o, _ in mi.ore_pair_ban}
    singles |= {o for o, _, _ in mi.ref_pair_share}
    singles |= {o for o, _, _ in mi.ref_tariff}
    singles |= {o for _, o, _, _ in mi.soft_cap}
    # Destinations of bilateral caps stay alone too, so each country's own cap holds exactly.
    singles |= {d for _, d, _ in mi.ref_pair_share}
    singles |= {d for d, _, _, _ in mi.soft_cap}
    return singles


def classify(mi: MarketInput) -> Classes:
    """Group countries with identical region and destination rules (deterministic order)."""
    singles = _singletons(mi)
    sig: list[tuple[object, ...]] = [(int(r),) for r in mi.region]
    extra: dict[int, list[tuple[object, ...]]] = {i: [] for i in range(mi.n)}
    for o, d in mi.ore_pair_ban:
        extra[d].append(("ob", o))
    for o, d, s in mi.ref_pair_share:
        extra[d].append(("rs", o, s))
    for o, d, t in mi.ref_tariff:
        extra[d].append(("rt", o, t))
    for d, o, s, levy in mi.soft_cap:
        extra[d].append(("sc", o, s, levy))
    keys: dict[tuple[object, ...], int] = {}
    of = np.empty(mi.n, dtype=np.int64)
    for i in range(mi.n):
        key = ("single", i) if i in singles else (*sig[i], *sorted(extra[i], key=repr))
        of[i] = keys.setdefault(key, len(keys))
    members = tuple(np.flatnonzero(of == c) for c in range(len(keys)))
    return Classes(of, members)


class _LP:
    """Sparse LP builder: columns with cost and bounds, rows as (row, col, value) triplets."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.ub: list[float] = []
        self.rows: dict[str, list[tuple[int, int, float]]] = {"eq": [], "ub": []}
        self.n_rows = {"eq": 0, "ub": 0}
        self.rhs: dict[str, list[float]] = {"eq": [], "ub": []}

    def cols(self, cost: FloatArray, ub: FloatArray) -> IntArray:
        start = len(self.cost)
        self.cost.extend(np.asarray(cost, dtype=float).tolist())
        self.ub.extend(np.asarray(ub, dtype=float).tolist())
        return np.arange(start, len(self.cost), dtype=np.int64)

    def row(self, kind: str, entries: list[tuple[int, float]], rhs: float = 0.0) -> int:
        r = self.n_rows[kind]
        self.rows[kind].extend((r, c, v) for c, v in entries)
        self.rhs[kind].append(rhs)
        self.n_rows[kind] += 1
        return r

    def matrix(self, kind: str) -> coo_array | None:
        if not self.n_rows[kind]:
            return None
        r, c, v = zip(*self.rows[kind], strict=True) if self.rows[kind] else ((), (), ())
        return coo_array((v, (r, c)), shape=(self.n_rows[kind], len(self.cost)))

    def solve(self) -> tuple[FloatArray, FloatArray, float]:
        ub = np.array(self.ub)
        res = linprog(
            np.array(self.cost),
            A_ub=self.matrix("ub"),
            b_ub=np.array(self.rhs["ub"]) if self.n_rows["ub"] else None,
            A_eq=self.matrix("eq"),
            b_eq=np.array(self.rhs["eq"]) if self.n_rows["eq"] else None,
            bounds=np.column_stack([np.zeros_like(ub), np.where(np.isfinite(ub), ub, np.inf)]),
            method="highs",
        )
        if res.status != 0:
            raise ClearingError(f"clearing LP failed: {res.message}")
        duals = np.asarray(res.eqlin.marginals, dtype=float)
        return np.asarray(res.x, dtype=float), duals, float(-res.fun)


def _arc_costs(
    table: FloatArray, class_region: IntArray, arcs: list[tuple[int, int]]
) -> FloatArray:
    if not arcs:
        return np.zeros(0)
    a, b = np.array(arcs, dtype=np.int64).T
    return np.asarray(table[class_region[a], class_region[b]], dtype=float)


def _class_sum(values: FloatArray, cl: Classes) -> FloatArray:
    return np.array([values[m].sum() for m in cl.members])


def clear_market(mi: MarketInput) -> MarketResult:
    """Clear one mineral's ore and refined markets; return per-country outcomes."""
    cl = classify(mi)
    lp = _LP()
    n, c = mi.n, cl.count
    mine_lo = lp.cols(mi.mine_cost_lo, mi.mine_cap_lo)
    mine_hi = lp.cols(mi.mine_cost_hi, mi.mine_cap_hi)
    ref_lo = lp.cols(mi.ref_cost_lo, mi.ref_cap_lo)
    ref_hi = lp.cols(mi.ref_cost_hi, mi.ref_cap_hi)
    sec = lp.cols(np.zeros(n), mi.secondary)
    requirement = _class_sum(mi.requirement, cl)

    banned_ore = {(int(cl.of[o]), int(cl.of[d])) for o, d in mi.ore_pair_ban}
    share_cap = {(int(cl.of[o]), int(cl.of[d])): s for o, d, s in mi.ref_pair_share}
    tariff = {(int(cl.of[o]), int(cl.of[d])): t for o, d, t in mi.ref_tariff}
    ore_arcs = [(a, b) for a in range(c) for b in range(c) if a != b and (a, b) not in banned_ore]
    ref_arcs = [(a, b) for a in range(c) for b in range(c) if a != b]
    class_region = np.array([int(mi.region[m[0]]) for m in cl.members], dtype=np.int64)
    ore_cost = _arc_costs(mi.transport_ore, class_region, ore_arcs)
    ref_cost = _arc_costs(mi.transport_ref, class_region, ref_arcs)
    ref_cost += np.array([tariff.get(arc, 0.0) for arc in ref_arcs])
    ref_ub = np.array(
        [share_cap[(a, b)] * requirement[b] if (a, b) in share_cap else np.inf for a, b in ref_arcs]
    )
    y = lp.cols(ore_cost, np.full(len(ore_arcs), np.inf))
    x = lp.cols(ref_cost, ref_ub)

    wtp_levels = np.unique(mi.demand_wtp)
    seg_qty = np.zeros((c, len(wtp_levels)))
    for s, w in enumerate(wtp_levels):
        cols = mi.demand_wtp == w
        seg_qty[:, s] = _class_sum(mi.demand_qty[:, cols].sum(axis=1), cl)
    d = lp.cols(-np.tile(wtp_levels, c), seg_qty.ravel())
    refill_keys = sorted({(int(cl.of[i]), float(mi.refill_wtp[i])) for i in range(n)})
    refill_qty = np.zeros(len(refill_keys))
    key_pos = {key: j for j, key in enumerate(refill_keys)}
    for i in range(n):
        refill_qty[key_pos[(int(cl.of[i]), float(mi.refill_wtp[i]))]] += mi.refill_qty[i]
    f = lp.cols(-np.array([w for _, w in refill_keys]), refill_qty)
    dom_ore = lp.cols(np.zeros(c), np.full(c, np.inf))
    dom_ref = lp.cols(np.zeros(c), np.full(c, np.inf))

    columns = (mine_lo, mine_hi, ref_lo, ref_hi, sec, y, x, d, f, dom_ore, dom_ref)
    _balances(lp, mi, cl, columns, ore_arcs, ref_arcs, refill_keys, len(wtp_levels))
    _soft_caps(lp, mi, cl, x, d, f, ref_arcs, refill_keys, len(wtp_levels))
    sol, duals, welfare = lp.solve()
    return disaggregate(
        mi,
        cl.of,
        cl.members,
        sol,
        duals,
        welfare,
        {
            "mine_lo": mine_lo,
            "mine_hi": mine_hi,
            "ref_lo": ref_lo,
            "ref_hi": ref_hi,
            "sec": sec,
            "y": y,
            "x": x,
            "d": d,
            "f": f,
        },
        ore_arcs,
        ref_arcs,
        refill_keys,
        wtp_levels,
    )


def _balances(
    lp: _LP,
    mi: MarketInput,
    cl: Classes,
    v: tuple[IntArray, ...],
    ore_arcs: list[tuple[int, int]],
    ref_arcs: list[tuple[int, int]],
    refill_keys: list[tuple[int, float]],
    n_seg: int,
) -> None:
    """Balances of the producer and user pools of each class at both stages, and export caps.

    Each class has a producer pool (its own output: exported or passed on at home) and a user
    pool (home supply plus imports, used at home). Imports cannot be re-exported, so the
    producer pool's dual is the export-parity price and the user pool's the price paid.
    Rows: ore producer 0..c-1, ore user c..2c-1, refined producer 2c..3c-1, user 3c..4c-1.
    """
    mine_lo, mine_hi, ref_lo, ref_hi, sec, y, x, d, f, dom_ore, dom_ref = v
    c = cl.count
    ore_out, ore_in = _arc_index(ore_arcs, c)
    ref_out, ref_in = _arc_index(ref_arcs, c)
    for k, mem in enumerate(cl.members):
        ent = [(int(col[i]), 1.0) for col in (mine_lo, mine_hi) for i in mem]
        ent += [(int(y[j]), -1.0) for j in ore_out[k]] + [(int(dom_ore[k]), -1.0)]
        lp.row("eq", ent)
    for k, mem in enumerate(cl.members):
        ent = [(int(col[i]), -1.0 / mi.ref_yield[i]) for col in (ref_lo, ref_hi) for i in mem]
        ent += [(int(y[j]), 1.0) for j in ore_in[k]] + [(int(dom_ore[k]), 1.0)]
        lp.row("eq", ent)
    for k, mem in enumerate(cl.members):
        ent = [(int(col[i]), 1.0) for col in (ref_lo, ref_hi, sec) for i in mem]
        ent += [(int(x[j]), -1.0) for j in ref_out[k]] + [(int(dom_ref[k]), -1.0)]
        lp.row("eq", ent)
    refill_of: dict[int, list[int]] = {}
    for j, (kk, _) in enumerate(refill_keys):
        refill_of.setdefault(kk, []).append(j)
    for k in range(c):
        ent = [(int(x[j]), 1.0) for j in ref_in[k]] + [(int(dom_ref[k]), 1.0)]
        ent += [(int(d[k * n_seg + s]), -1.0) for s in range(n_seg)]
        ent += [(int(f[j]), -1.0) for j in refill_of.get(k, [])]
        lp.row("eq", ent)
    for k, mem in enumerate(cl.members):
        cap_ore = float(mi.ore_export_cap[mem].sum())
        if np.isfinite(cap_ore) and ore_out[k]:
            lp.row("ub", [(int(y[j]), 1.0) for j in ore_out[k]], cap_ore)
        cap_ref = float(mi.ref_export_cap[mem].sum())
        if np.isfinite(cap_ref) and ref_out[k]:
            lp.row("ub", [(int(x[j]), 1.0) for j in ref_out[k]], cap_ref)


def _arc_index(
    arcs: list[tuple[int, int]], c: int
) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    out: dict[int, list[int]] = {k: [] for k in range(c)}
    into: dict[int, list[int]] = {k: [] for k in range(c)}
    for j, (a, b) in enumerate(arcs):
        out[a].append(j)
        into[b].append(j)
    return out, into


def _soft_caps(
    lp: _LP,
    mi: MarketInput,
    cl: Classes,
    x: IntArray,
    d: IntArray,
    f: IntArray,
    ref_arcs: list[tuple[int, int]],
    refill_keys: list[tuple[int, float]],
    n_seg: int,
) -> None:
    """x[origin→dest] − share × purchases[dest] − violation ≤ 0, violation costs the levy."""
    seen: set[tuple[int, int]] = set()
    arc_pos = {arc: j for j, arc in enumerate(ref_arcs)}
    refill_of: dict[int, list[int]] = {}
    for j, (kk, _) in enumerate(refill_keys):
        refill_of.setdefault(kk, []).append(j)
    for dest, origin, share, levy in sorted(mi.soft_cap):
        a, b = int(cl.of[origin]), int(cl.of[dest])
        if a == b or (a, b) in seen:
            continue
        seen.add((a, b))
        arc = arc_pos[(a, b)]
        viol = lp.cols(np.array([levy]), np.array([np.inf]))
        ent = [(int(x[arc]), 1.0), (int(viol[0]), -1.0)]
        ent += [(int(d[b * n_seg + s]), -share) for s in range(n_seg)]
        ent += [(int(f[j]), -share) for j in refill_of.get(b, [])]
        lp.row("ub", ent)
