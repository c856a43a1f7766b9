"""Account-and-record phase: per-country measures, flows, sources, prices and system rows.

Dependence is traced through the refining stage: consumption is attributed to the country
that refined it (market flows, contracts), and each refiner's output to the mine origins of
its ore intake, pro rata. Recycled and stockpiled supply are their own sources.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mineralgame.market.problem import FloatArray, Flows
from mineralgame.state import WorldState
from mineralgame.trade import TradeOutcome


def _dense(flows: Flows, n: int) -> FloatArray:
    return flows.dense(n)


def refined_matrix(out: TradeOutcome, n: int) -> FloatArray:
    """(N, N) refined tonnes from refiner i to user j, market and contracts together."""
    m = _dense(out.market.ref_flows, n)
    for c in out.contracts:
        m[c.seller, c.buyer] += c.tonnes
    return m


def ore_matrix(out: TradeOutcome, n: int) -> FloatArray:
    """(N, N) ore tonnes from mine origin i to refiner j, incl. contract ore (domestic)."""
    m = _dense(out.market.ore_flows, n)
    m[np.diag_indices(n)] += out.contract_ore
    return m


def attribution(out: TradeOutcome, n: int) -> tuple[FloatArray, FloatArray]:
    """Consumption by refiner (N users × N+2 sources) and by mine origin (N × N+2).

    The last two source columns are ``recycled`` and ``stockpile``.
    """
    ref = refined_matrix(out, n)
    ore = ore_matrix(out, n)
    res = out.market
    supply = res.refined_output + out.contract_out + res.secondary_used
    with np.errstate(invalid="ignore", divide="ignore"):
        recycled_frac = np.where(supply > 0, res.secondary_used / supply, 0.0)
        intake = ore.sum(axis=0)
        ore_comp = np.where(intake[None, :] > 0, ore / intake[None, :], 0.0).T  # refiner × mine
        use = ref.sum(axis=0)
        consumed = np.where(use > 0, (out.consumption - out.stock_draw) / use, 0.0)
    taken = ref * consumed[None, :]  # refiner i → consumption of j
    by_ref = np.zeros((n, n + 2))
    by_ref[:, :n] = (taken * (1.0 - recycled_frac)[:, None]).T
    by_ref[:, n] = (taken * recycled_frac[:, None]).sum(axis=0)
    by_ref[:, n + 1] = out.stock_draw
    by_mine = np.zeros((n, n + 2))
    by_mine[:, :n] = by_ref[:, :n] @ ore_comp
    by_mine[:, n:] = by_ref[:, n:]
    return by_ref, by_mine


def hhi(shares: FloatArray) -> FloatArray:
    """Herfindahl index (0–1) of each row."""
    total = shares.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(total[:, None] > 0, shares / total[:, None], 0.0)
    return np.asarray((s**2).sum(axis=1), dtype=float)


def money(out: TradeOutcome, n: int) -> dict[str, FloatArray]:
    """Import spend, export revenue and the wedges (tariff, freight, levy) by country."""
    res = out.market
    spend, revenue = np.zeros(n), np.zeros(n)
    tariff_paid, freight_paid = np.zeros(n), np.zeros(n)
    f = res.ref_flows
    off = f.origin != f.destination
    o, d, t = f.origin[off], f.destination[off], f.tonnes[off]
    np.add.at(spend, d, t * res.ref_price[d])
    np.add.at(revenue, o, t * res.ref_producer_price[o])
    np.add.at(freight_paid, d, t * out.transport_ref[o, d])
    tar = np.array([out.tariff.get((int(a), int(b)), 0.0) for a, b in zip(o, d, strict=True)])
    np.add.at(tariff_paid, d, t * tar) if len(t) else None
    for c in out.contracts:
        if c.seller != c.buyer:
            spend[c.buyer] += c.tonnes * c.price
            revenue[c.seller] += c.tonnes * c.price
    return {"spend": spend, "revenue": revenue, "tariff": tariff_paid, "freight": freight_paid}


def home_ore_price(res: Any) -> FloatArray:
    """Price of ore a country mines and refines at home (e.g. under contracts).

    Where the market takes ore in at the node, what its refiners pay there; else what its
    miners get (export parity), since an idle node's ore dual is undetermined; never below 0.
    """
    price = np.where(res.ore_input > 1e-9, res.ore_price, res.ore_producer_price)
    return np.maximum(np.asarray(price, dtype=float), 0.0)


def flow_rows(rnd: int, mineral: str, out: TradeOutcome, state: WorldState) -> dict[str, list[Any]]:
    """Rows of the flows table (non-zero, incl. domestic and contract deliveries)."""
    res = out.market
    cols: dict[str, list[Any]] = {
        k: []
        for k in (
            "round",
            "mineral",
            "stage",
            "origin",
            "destination",
            "tonnes",
            "value_usd",
            "revenue_usd",
            "tariff_usd",
            "levy_usd",
            "transport_usd",
            "contract",
        )
    }

    def add(
        stage: str,
        o: int,
        d: int,
        q: float,
        price_d: float,
        price_o: float,
        freight_t: float,
        tariff_t: float,
        contract: bool,
    ) -> None:
        value, revenue = q * price_d, q * price_o
        for k, v in (
            ("round", rnd),
            ("mineral", mineral),
            ("stage", stage),
            ("origin", state.codes[o]),
            ("destination", state.codes[d]),
            ("tonnes", q),
            ("value_usd", value),
            ("revenue_usd", revenue),
            ("tariff_usd", q * tariff_t),
            ("transport_usd", q * freight_t),
            ("levy_usd", max(0.0, value - revenue - q * (tariff_t + freight_t))),
            ("contract", contract),
        ):
            cols[k].append(v)

    mi = out.mine_input
    for o, d, q in zip(
        res.ore_flows.origin, res.ore_flows.destination, res.ore_flows.tonnes, strict=True
    ):
        fr = float(mi.transport_ore[mi.region[o], mi.region[d]])
        add(
            "ore",
            int(o),
            int(d),
            float(q),
            float(res.ore_price[d]),
            float(res.ore_producer_price[o]) if o != d else float(res.ore_price[d]),
            fr,
            0.0,
            False,
        )
    for o, d, q in zip(
        res.ref_flows.origin, res.ref_flows.destination, res.ref_flows.tonnes, strict=True
    ):
        fr = float(out.transport_ref[o, d])
        po = float(res.ref_producer_price[o]) if o != d else float(res.ref_price[d])
        add(
            "refined",
            int(o),
            int(d),
            float(q),
            float(res.ref_price[d]),
            po,
            fr,
            out.tariff.get((int(o), int(d)), 0.0),
            False,
        )
    home = home_ore_price(res)
    for i in np.flatnonzero(out.contract_ore > 1e-12):
        price = float(home[i])
        add("ore", int(i), int(i), float(out.contract_ore[i]), price, price, 0.0, 0.0, True)
    for c in out.contracts:
        add("refined", c.seller, c.buyer, c.tonnes, c.price, c.price, 0.0, 0.0, True)
    return cols


def source_rows(
    rnd: int, mineral: str, by_ref: FloatArray, out: TradeOutcome, state: WorldState
) -> dict[str, list[Any]]:
    """Rows of the sources table: consumer × refiner × mine origin tonnes."""
    n = len(state.codes)
    ore = ore_matrix(out, n)
    intake = ore.sum(axis=0)
    names = [*state.codes, "recycled", "stockpile"]
    cols: dict[str, list[Any]] = {
        k: [] for k in ("round", "country", "mineral", "refiner", "mine_origin", "tonnes")
    }
    for j, r in zip(*np.nonzero(by_ref > 1e-9), strict=True):
        q = float(by_ref[j, r])
        if r >= n or intake[r] <= 0:
            pairs = [(names[r], names[r], q)]
        else:
            comp = ore[:, r] / intake[r]
            pairs = [(names[r], names[o], q * float(comp[o])) for o in np.flatnonzero(comp > 0)]
        for refiner, origin, t in pairs:
            for k, v in (
                ("round", rnd),
                ("country", state.codes[j]),
                ("mineral", mineral),
                ("refiner", refiner),
                ("mine_origin", origin),
                ("tonnes", t),
            ):
                cols[k].append(v)
    return cols
