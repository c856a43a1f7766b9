"""Collects the run record's rows round by round (see docs/RECORD.md)."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mineralgame import accounting
from mineralgame.accounting import hhi

if TYPE_CHECKING:
    from mineralgame.model import MineralModel


class Recorder:
    """Accumulates column lists per table; ``tables()`` turns them into DataFrames."""

    def __init__(self, model: MineralModel, tables: bool = True) -> None:
        self.model = model
        self.tables_kept = tables  # False: only the tables the run scalars are computed from
        self.cols: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        self.events: list[dict[str, Any]] = []

    def _extend(self, table: str, columns: dict[str, Any]) -> None:
        target = self.cols[table]
        for k, v in columns.items():
            target[k].extend(v if isinstance(v, list) else list(v))

    def add_rows(self, table: str, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> None:
        """Append rows (dicts with exactly ``columns``) to a table, keeping the column order."""
        target = self.cols[table]
        for name in columns:
            target[name].extend(row[name] for row in rows)

    def record_round(self) -> None:
        """Append this round's rows for every mineral; update the model's signals."""
        m = self.model
        n = len(m.state.codes)
        for mineral in sorted(m.outcomes):
            out = m.outcomes[mineral]
            by_ref, by_mine = accounting.attribution(out, n)
            self._country_rows(mineral, out, by_ref, by_mine)
            self._system_row(mineral, out)
            if self.tables_kept:
                self._extend("flows", accounting.flow_rows(m.round, mineral, out, m.state))
                sources = accounting.source_rows(m.round, mineral, by_ref, out, m.state)
                self._extend("sources", sources)
                self._price_rows(mineral, out)
        if self.tables_kept:
            self._project_rows()

    def _country_rows(
        self, mineral: str, out: Any, by_ref: np.ndarray, by_mine: np.ndarray
    ) -> None:
        m, st = self.model, self.model.state
        n = len(st.codes)
        ms = st.minerals[mineral]
        res = out.market
        ref = accounting.refined_matrix(out, n)
        ore = accounting.ore_matrix(out, n)
        money = accounting.money(out, n)
        cons = out.consumption
        with np.errstate(invalid="ignore", divide="ignore"):
            dep = np.where(cons > 0, by_ref[:, st.dominant] / cons, 0.0)
            top = np.where(cons > 0, by_ref[:, :n].max(axis=1) / cons, 0.0)
            short = np.maximum(out.requirement - cons, 0.0)
            short_share = np.where(out.requirement > 0, short / out.requirement, 0.0)
            daily = out.requirement / (365.0 * m.rpr)
            cover = np.where(daily > 0, ms.stock / daily, 0.0)
        m.dependence[mineral] = dep
        price = self.model.cfg.minerals[mineral].refined_price_usd_per_t
        cols = {
            "round": [m.round] * n,
            "year": [m.cfg.start_year + m.round * m.rpr] * n,
            "country": list(st.codes),
            "mineral": [mineral] * n,
            "role": list(st.roles),
            "strategy": [a.strategy for a in m.countries],
            "demand_t": out.requirement,
            "consumption_t": cons,
            "shortfall_t": short,
            "shortfall_share": short_share,
            "mine_output_t": res.mine_output + out.contract_ore,
            "refined_output_t": res.refined_output + out.contract_out,
            "recycled_t": res.secondary_used,
            "ore_input_t": res.ore_input + out.contract_ore,
            "ore_imports_t": ore.sum(axis=0) - np.diag(ore),
            "ore_exports_t": ore.sum(axis=1) - np.diag(ore),
            "refined_imports_t": ref.sum(axis=0) - np.diag(ref),
            "refined_exports_t": ref.sum(axis=1) - np.diag(ref),
            "stock_t": ms.stock.copy(),
            "stock_draw_t": out.stock_draw,
            "stock_add_t": res.refill,
            "stock_cover_days": cover,
            "reserves_t": ms.reserves.copy(),
            "mine_capacity_t": ms.mine_capacity.copy(),
            "refining_capacity_t": ms.ref_capacity.copy(),
            "technology": ms.technology.copy(),
            "price_usd_per_t": res.ref_price,
            "import_spend_usd": money["spend"],
            "export_revenue_usd": money["revenue"],
            "stock_spend_usd": res.refill * res.ref_price,
            "investment_spend_usd": np.array(
                [
                    m.investment_spend[i] if mineral == sorted(m.outcomes)[0] else 0.0
                    for i in range(n)
                ]
            ),
            "dependence_dominant": dep,
            "top_refiner_share": top,
            "hhi_refiners": hhi(by_ref),
            "hhi_mine_origins": hhi(by_mine),
        }
        del price
        self._extend("country_mineral", cols)

    def _price_rows(self, mineral: str, out: Any) -> None:
        m, st = self.model, self.model.state
        res = out.market
        # A region that takes in nothing has no price (its LP dual is undetermined): NaN.
        ore = np.where(out.contract_ore > 1e-9, accounting.home_ore_price(res), res.ore_price)
        for stage, price, w in (
            ("ore", ore, res.ore_input + out.contract_ore),
            ("refined", res.ref_price, out.consumption),
        ):
            for r, region in enumerate(st.regions):
                mask = (st.region == r) & (w > 1e-9)
                value = float(np.average(price[mask], weights=w[mask])) if mask.any() else np.nan
                self._extend(
                    "prices",
                    {
                        "round": [m.round],
                        "year": [m.cfg.start_year + m.round * m.rpr],
                        "mineral": [mineral],
                        "stage": [stage],
                        "region": [region],
                        "price_usd_per_t": [value],
                    },
                )

    def _system_row(self, mineral: str, out: Any) -> None:
        m, st = self.model, self.model.state
        res = out.market
        ms = st.minerals[mineral]
        refined = res.refined_output + out.contract_out
        mined = res.mine_output + out.contract_ore
        world_ref, world_mine = float(refined.sum()), float(mined.sum())
        cons = float(out.consumption.sum())
        req = float(out.requirement.sum())
        p = res.ref_price
        w = np.maximum(out.consumption, 1e-9)
        mean_price = float(np.average(p, weights=w))
        m.price_ratio[mineral] = mean_price / m.cfg.minerals[mineral].refined_price_usd_per_t
        regional = [
            float(np.average(p[st.region == r], weights=w[st.region == r]))
            for r in range(len(st.regions))
        ]
        self._extend(
            "system",
            {
                "round": [m.round],
                "year": [m.cfg.start_year + m.round * m.rpr],
                "mineral": [mineral],
                "world_demand_t": [req],
                "world_consumption_t": [cons],
                "world_shortfall_share": [max(0.0, req - cons) / req if req > 0 else 0.0],
                "world_mine_output_t": [world_mine],
                "world_refined_output_t": [world_ref],
                "mining_hhi": [
                    float((mined / world_mine) @ (mined / world_mine)) if world_mine else 0.0
                ],
                "refining_hhi": [
                    float((refined / world_ref) @ (refined / world_ref)) if world_ref else 0.0
                ],
                "dominant_refining_share": [
                    float(refined[st.dominant] / world_ref) if world_ref else 0.0
                ],
                "non_dominant_refining_capacity_t": [
                    float(ms.ref_capacity.sum() - ms.ref_capacity[st.dominant])
                ],
                "price_mean_usd_per_t": [mean_price],
                "price_spread_usd_per_t": [max(regional) - min(regional)],
                "welfare_usd": [res.welfare],
            },
        )

    def _project_rows(self) -> None:
        m = self.model
        for p in m.projects:
            self._extend(
                "projects",
                {
                    "round": [m.round],
                    "project_id": [p.project_id],
                    "owner": [p.owner],
                    "host": [p.host],
                    "mineral": [p.mineral],
                    "stage": [p.stage],
                    "capacity_t": [p.capacity_t],
                    "capex_usd": [p.capex_usd],
                    "start_round": [p.start_round],
                    "online_round": [p.online_round],
                    "status": ["online" if p.online(m.round) else "building"],
                    "offtake_share": [p.offtake_share],
                    "source": [p.source],
                },
            )
        layer = getattr(m, "negotiation", None)
        for mineral in sorted(m.outcomes):
            for c in m.outcomes[mineral].contracts:
                meta = layer.contract_meta(c.contract_id) if layer is not None else None
                default = {"kind": "offtake", "start_round": m.round, "end_round": m.cfg.rounds - 1}
                meta = meta or default
                self._extend(
                    "contracts",
                    {
                        "round": [m.round],
                        "contract_id": [c.contract_id],
                        "buyer": [m.state.codes[c.buyer]],
                        "seller": [m.state.codes[c.seller]],
                        "mineral": [mineral],
                        "stage": ["refined"],
                        "tonnes": [c.tonnes],
                        "price_usd_per_t": [c.price],
                        "start_round": [meta["start_round"]],
                        "end_round": [meta["end_round"]],
                        "kind": [meta["kind"]],
                        "delivered_t": [c.tonnes],
                    },
                )

    def tables(self) -> dict[str, pd.DataFrame]:
        """All tables as DataFrames (empty ones keep their documented columns)."""
        out = {name: pd.DataFrame(dict(cols)) for name, cols in sorted(self.cols.items())}
        out["events"] = pd.DataFrame(self.events, columns=EVENT_COLUMNS)
        for name, columns in EMPTY_COLUMNS.items():
            if name not in out:
                out[name] = pd.DataFrame({c: [] for c in columns})
        return dict(sorted(out.items()))

    def summary(self) -> dict[str, Any]:
        """Run scalars computed from the tables."""
        cm = pd.DataFrame(dict(self.cols["country_mineral"]))
        sysdf = pd.DataFrame(dict(self.cols["system"]))
        members = cm[cm["role"] == "member"]
        last = members[members["round"] == members["round"].max()]
        cost = members[["import_spend_usd", "stock_spend_usd", "investment_spend_usd"]].sum()
        # Minerals differ by orders of magnitude in tonnes: weigh them by value at base prices.
        base = {m: s.refined_price_usd_per_t for m, s in self.model.cfg.minerals.items()}
        value = members["mineral"].map(base)
        dem = float((members["demand_t"] * value).sum())
        short_value = float((members["shortfall_t"] * value).sum())
        last_value = np.maximum(last["consumption_t"] * last["mineral"].map(base), 1e-9)
        end_dep = (
            float(np.average(last["dependence_dominant"], weights=last_value)) if len(last) else 0.0
        )
        last_sys = sysdf[sysdf["round"] == sysdf["round"].max()]
        return {
            "scenario_name": self.model.cfg.name,
            "strategy": self.model.run_strategy,
            "seed": int(self.model.seed),
            "rounds": int(self.model.round + 1),
            "cumulative_shortfall_t": float(members["shortfall_t"].sum()),
            "cumulative_shortfall_share": short_value / dem if dem else 0.0,
            "cumulative_cost_usd": float(cost.sum()),
            "end_dependence": end_dep,
            "end_refining_hhi": float(last_sys["refining_hhi"].mean()),
            "welfare_usd": float(sysdf["welfare_usd"].sum()),
            "mean_price_ratio": float(np.mean(list(self.model.price_ratio.values()))),
        }


EVENT_COLUMNS = [
    "round",
    "year",
    "kind",
    "actor",
    "target",
    "mineral",
    "stage",
    "magnitude",
    "description",
    "source",
]
EMPTY_COLUMNS = {
    "projects": [
        "round",
        "project_id",
        "owner",
        "host",
        "mineral",
        "stage",
        "capacity_t",
        "capex_usd",
        "start_round",
        "online_round",
        "status",
        "offtake_share",
        "source",
    ],
    "contracts": [
        "round",
        "contract_id",
        "buyer",
        "seller",
        "mineral",
        "stage",
        "tonnes",
        "price_usd_per_t",
        "start_round",
        "end_round",
        "kind",
        "delivered_t",
    ],
}
"""Columns of tables that may be empty (negotiation tables are added from ``deals``)."""


def _negotiation_columns() -> dict[str, list[str]]:
    from mineralgame.deals import OFFER_COLUMNS, PACT_COLUMNS, SESSION_COLUMNS

    return {
        "negotiation_sessions": list(SESSION_COLUMNS),
        "negotiation_offers": list(OFFER_COLUMNS),
        "pacts": list(PACT_COLUMNS),
    }


EMPTY_COLUMNS.update(_negotiation_columns())
