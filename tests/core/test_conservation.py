"""Tonnes are conserved per country, mineral and round, and nothing physical goes negative.

Hypothesis draws small scenarios from ``configs/classroom.yaml`` through loader overrides
(seed, strategy, 2-4 rounds, demand elasticity, lead times, stockpile targets, stochastic
shock rates and one optional scheduled event) and checks every identity of the record:

* ore stage:      mine_output + ore_imports == ore_exports + ore_input
* refined stage:  refined_output + recycled + refined_imports + stock_draw
                  == consumption + stock_add + refined_exports
* the ``flows`` table adds up to the countries' imports, exports, output and intake;
* the ``sources`` table (consumption traced through refining) adds up to consumption;
* the ``system`` table adds up the countries;
* stock(r) == stock(r-1) + stock_add - stock_draw (round 0 starts from the scenario's
  stockpile_t); reserves(r) == reserves(r-1) - mine_output (+ reserve_replacement x mined
  where the model proves new reserves);
* no stock, reserve, capacity, output, trade, flow or price is negative;
* shortfall == max(demand - consumption, 0). Consumption may exceed demand_t (demand is the
  requirement at the base price; below it, price-responsive demand buys more), but never more
  than the demand curve allows at its lowest price step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mineralgame
from mineralgame.config.schema import Scenario
from mineralgame.market.demand import PRICE_GRID

ROOT = Path(__file__).resolve().parents[2]
CLASSROOM = ROOT / "configs" / "classroom.yaml"
KEY = ["round", "mineral", "country"]
RTOL = 1e-6  # relative tolerance of the balances
ATOL = 1e-6  # absolute tolerance [t]

# One optional scheduled event per example: bans, licensing, quotas, tariffs, disruptions and
# demand shocks at both stages, so every trade restriction shows up in the balances.
EVENTS: list[dict[str, Any] | None] = [
    None,
    {
        "kind": "export_ban",
        "round": 1,
        "actor": "CHN",
        "minerals": ["rare_earths"],
        "stage": "refined",
        "targets": ["US_ALIGNED"],
    },
    {"kind": "export_ban", "round": 0, "actor": "COD", "minerals": ["cobalt"], "stage": "ore"},
    {
        "kind": "export_licensing",
        "round": 0,
        "actor": "CHN",
        "stage": "refined",
        "targets": ["JPN", "USA"],
        "share": 0.3,
    },
    {
        "kind": "export_quota",
        "round": 1,
        "actor": "CHN",
        "minerals": ["graphite"],
        "stage": "refined",
        "quota_t": 200000,
    },
    {"kind": "ore_export_ban", "round": 0, "actor": "CHL", "minerals": ["lithium"]},
    {"kind": "tariff", "round": 0, "actor": "USA", "targets": ["CHN"], "share": 0.5},
    {"kind": "disruption", "round": 1, "actor": "CHN", "stage": "ore", "share": 0.8},
    {"kind": "demand_shock", "round": 1, "actor": "EUR", "share": 1.8},
]


@st.composite
def small_scenarios(draw: st.DrawFn) -> tuple[dict[str, Any], str, int]:
    """Overrides of the classroom scenario, a strategy and a seed (short to print)."""
    minerals = ("lithium", "cobalt", "rare_earths", "graphite")
    overrides: dict[str, Any] = {
        "rounds": draw(st.integers(2, 4)),
        "shocks.disruption_probability": draw(st.floats(0.0, 0.5)),
        "shocks.export_control_hazard": draw(st.floats(0.0, 1.0)),
        "shocks.export_control_share": draw(st.floats(0.0, 1.0)),
    }
    for m in minerals:
        overrides[f"minerals.{m}.demand_elasticity"] = draw(st.floats(-1.5, 0.0))
        # short lead times so strategy projects and their offtake contracts appear in 2-4 rounds
        overrides[f"minerals.{m}.mine_lead_time_rounds"] = draw(st.integers(0, 3))
        overrides[f"minerals.{m}.refinery_lead_time_rounds"] = draw(st.integers(0, 2))
    strategy = draw(st.sampled_from(["bau", "derisk", "decouple"]))
    overrides[f"strategies.{strategy}.stockpile_target_days"] = draw(st.floats(0.0, 180.0))
    event = draw(st.sampled_from(EVENTS))
    if event is not None:
        overrides["events"] = [event]
    return overrides, strategy, draw(st.integers(0, 2**31 - 1))


def close(lhs: pd.Series | np.ndarray, rhs: pd.Series | np.ndarray) -> np.ndarray:
    """Element-wise |lhs - rhs| <= ATOL + RTOL * max(|lhs|, |rhs|)."""
    a, b = np.asarray(lhs, dtype=float), np.asarray(rhs, dtype=float)
    return np.abs(a - b) <= ATOL + RTOL * np.maximum(np.abs(a), np.abs(b))


def assert_close(lhs: pd.Series, rhs: pd.Series, what: str, frame: pd.DataFrame) -> None:
    """Fail with the offending rows if lhs and rhs differ beyond the tolerance."""
    ok = close(lhs, rhs)
    if not ok.all():
        bad = frame.loc[~ok, [c for c in KEY if c in frame.columns]].assign(
            lhs=np.asarray(lhs)[~ok], rhs=np.asarray(rhs)[~ok]
        )
        raise AssertionError(f"{what} violated in {int((~ok).sum())} rows:\n{bad.head(10)}")


def max_demand_multiple(scenario: Scenario, mineral: str) -> float:
    """Most that price-responsive demand takes, as a multiple of demand_t (lowest price step)."""
    spec = scenario.minerals[mineral]
    ess = min(spec.essential_share, 0.999)
    low = min(g for g in PRICE_GRID if g < spec.value_of_lost_supply_multiple)
    return ess + (1.0 - ess) * low ** (spec.demand_elasticity / (1.0 - ess))


def check_country_balances(cm: pd.DataFrame) -> None:
    assert_close(
        cm.mine_output_t + cm.ore_imports_t,
        cm.ore_exports_t + cm.ore_input_t,
        "ore balance (mine + imports == exports + ore input)",
        cm,
    )
    assert_close(
        cm.refined_output_t + cm.recycled_t + cm.refined_imports_t + cm.stock_draw_t,
        cm.consumption_t + cm.stock_add_t + cm.refined_exports_t,
        "refined balance (output + recycled + imports + draw == use + add + exports)",
        cm,
    )


def check_non_negative(tables: dict[str, pd.DataFrame]) -> None:
    columns = {
        "country_mineral": [
            "demand_t",
            "consumption_t",
            "shortfall_t",
            "shortfall_share",
            "mine_output_t",
            "refined_output_t",
            "recycled_t",
            "ore_input_t",
            "ore_imports_t",
            "ore_exports_t",
            "refined_imports_t",
            "refined_exports_t",
            "stock_t",
            "stock_draw_t",
            "stock_add_t",
            "stock_cover_days",
            "reserves_t",
            "mine_capacity_t",
            "refining_capacity_t",
            "price_usd_per_t",
            "import_spend_usd",
            "export_revenue_usd",
            "stock_spend_usd",
            "investment_spend_usd",
        ],
        "flows": ["tonnes", "value_usd", "revenue_usd", "tariff_usd", "levy_usd", "transport_usd"],
        "sources": ["tonnes"],
        "system": [
            "world_demand_t",
            "world_consumption_t",
            "world_mine_output_t",
            "world_refined_output_t",
            "non_dominant_refining_capacity_t",
        ],
        "projects": ["capacity_t", "capex_usd"],
        "contracts": ["tonnes", "delivered_t"],
    }
    for table, cols in columns.items():
        df = tables[table]
        for col in cols:
            values = df[col].to_numpy(dtype=float)
            assert np.isfinite(values).all(), f"{table}.{col} has NaN or inf"
            assert (values >= -ATOL).all(), f"{table}.{col} is negative: min {values.min()!r}"


def check_prices(prices: pd.DataFrame, cm: pd.DataFrame, scenario: Scenario) -> None:
    """Refined prices are never negative; ore prices not where the region uses ore.

    A region that takes in nothing at a stage has no price: NaN (never a made-up number).
    """
    values = prices["price_usd_per_t"].to_numpy(dtype=float)
    assert not np.isinf(values).any(), "prices has inf"
    assert (values[np.isfinite(values)] >= -ATOL).all(), "a price is negative"
    refined = prices[prices["stage"] == "refined"]
    assert (refined["price_usd_per_t"].dropna() >= -ATOL).all(), refined.nsmallest(
        3, "price_usd_per_t"
    )
    region = {code: spec.region for code, spec in scenario.countries.items()}
    intake = (
        cm.assign(region=cm["country"].map(region))
        .groupby(["round", "mineral", "region"])["ore_input_t"]
        .sum()
    )
    ore = prices[prices["stage"] == "ore"].set_index(["round", "mineral", "region"])
    has_intake = intake.reindex(ore.index, fill_value=0.0).to_numpy() > 1e-6
    assert ore["price_usd_per_t"][~has_intake].isna().all(), "idle region shows an ore price"
    used = ore[has_intake]
    assert (used["price_usd_per_t"] >= -ATOL).all(), used.nsmallest(3, "price_usd_per_t")


def check_flows(
    cm: pd.DataFrame, flows: pd.DataFrame, contracts: pd.DataFrame, scenario: Scenario
) -> None:
    """Cross-border flows are the imports and exports; with domestic use, output and intake."""
    c = cm.set_index(KEY)
    frame = c.reset_index()
    for stage in ("ore", "refined"):
        f = flows[flows["stage"] == stage]
        cross = f[f["origin"] != f["destination"]]

        def total(df: pd.DataFrame, side: str) -> pd.Series:
            s = df.groupby(["round", "mineral", side])["tonnes"].sum().rename_axis(KEY)
            return s.reindex(c.index, fill_value=0.0)

        exports, imports = total(cross, "origin"), total(cross, "destination")
        sent, received = total(f, "origin"), total(f, "destination")  # incl. domestic use
        if stage == "ore":
            assert_close(exports, c.ore_exports_t, "ore flows out == ore_exports_t", frame)
            assert_close(imports, c.ore_imports_t, "ore flows in == ore_imports_t", frame)
            # contract ore (mined and refined at home) has its own domestic rows
            assert_close(sent, c.mine_output_t, "ore flows out incl. domestic == mined", frame)
            assert_close(received, c.ore_input_t, "ore flows in incl. domestic == ore input", frame)
        else:
            assert_close(exports, c.refined_exports_t, "refined out == exports", frame)
            assert_close(imports, c.refined_imports_t, "refined in == imports", frame)
            assert_close(
                sent,
                c.refined_output_t + c.recycled_t,
                "refined flows out incl. domestic == refined output + recycled",
                frame,
            )
            assert_close(
                received,
                c.consumption_t - c.stock_draw_t + c.stock_add_t,
                "refined flows in incl. domestic == consumption - draw + add",
                frame,
            )


def check_contracts(flows: pd.DataFrame, contracts: pd.DataFrame) -> None:
    """Contract deliveries are refined flows flagged as such and match the contracts table.

    Contract ore is mined and refined at home: flagged domestic ore rows.
    """
    flagged = flows[flows["contract"].astype(bool)]
    ore = flagged[flagged["stage"] == "ore"]
    assert (ore["origin"] == ore["destination"]).all(), "contract ore must stay at home"
    served = flagged[flagged["stage"] == "refined"]
    key = ["round", "mineral"]
    a = served.groupby(key)["tonnes"].sum()
    b = contracts.groupby(key)["delivered_t"].sum() if len(contracts) else a.iloc[:0]
    idx = a.index.union(b.index)
    a, b = a.reindex(idx, fill_value=0.0), b.reindex(idx, fill_value=0.0)
    assert close(a, b).all(), f"contract flows {a.to_dict()} != contracts {b.to_dict()}"


def check_sources(cm: pd.DataFrame, sources: pd.DataFrame) -> None:
    c = cm.set_index(KEY)
    traced = sources.groupby(["round", "mineral", "country"])["tonnes"].sum().rename_axis(KEY)
    traced = traced.reindex(c.index, fill_value=0.0)
    # rows below 1e-9 t are left out of the sources table; allow for them in the tolerance
    assert_close(traced, c.consumption_t, "sources add up to consumption", c.reset_index())
    dom = sources[sources["refiner"] == "CHN"]
    by_dom = dom.groupby(["round", "mineral", "country"])["tonnes"].sum().rename_axis(KEY)
    by_dom = by_dom.reindex(c.index, fill_value=0.0)
    expected = np.where(c.consumption_t > 0, by_dom / c.consumption_t.where(c.consumption_t > 0), 0)
    assert np.allclose(c.dependence_dominant, expected, rtol=1e-6, atol=1e-6), (
        "dependence_dominant is not the share of consumption refined by the dominant"
    )


def check_system(cm: pd.DataFrame, system: pd.DataFrame) -> None:
    world = cm.groupby(["round", "mineral"])[
        ["demand_t", "consumption_t", "mine_output_t", "refined_output_t"]
    ].sum()
    s = system.set_index(["round", "mineral"]).reindex(world.index)
    for ours, theirs in (
        ("demand_t", "world_demand_t"),
        ("consumption_t", "world_consumption_t"),
        ("mine_output_t", "world_mine_output_t"),
        ("refined_output_t", "world_refined_output_t"),
    ):
        assert close(world[ours], s[theirs]).all(), f"system.{theirs} != sum of {ours}"


def check_stocks_and_reserves(cm: pd.DataFrame, scenario: Scenario) -> None:
    cm = cm.sort_values(KEY)
    initial_stock = {
        (m, c): (spec.minerals[m].stockpile_t if m in spec.minerals else 0.0)
        for c, spec in scenario.countries.items()
        for m in scenario.minerals
    }
    initial_reserves = {
        (m, c): (spec.minerals[m].reserves_t if m in spec.minerals else 0.0)
        for c, spec in scenario.countries.items()
        for m in scenario.minerals
    }
    grouped = cm.groupby(["mineral", "country"], sort=True)
    prev_stock = grouped["stock_t"].shift(1)
    prev_res = grouped["reserves_t"].shift(1)
    first = prev_stock.isna()
    pairs = list(zip(cm["mineral"], cm["country"], strict=True))
    prev_stock[first] = [initial_stock[p] for p, f in zip(pairs, first, strict=True) if f]
    prev_res[first] = [initial_reserves[p] for p, f in zip(pairs, first, strict=True) if f]
    assert_close(
        prev_stock + cm.stock_add_t - cm.stock_draw_t,
        cm.stock_t,
        "stock(r) == stock(r-1) + add - draw",
        cm,
    )
    assert (cm.stock_draw_t <= prev_stock + ATOL + RTOL * prev_stock).all(), (
        "drew more than the stock held"
    )
    assert (cm.mine_output_t <= prev_res + ATOL + RTOL * prev_res).all(), (
        "mined more than the reserves"
    )
    # exploration proves reserve_replacement t per t mined where reserves remain (0 if the
    # scenario schema has no such parameter)
    replacement = cm["mineral"].map(
        lambda m: float(getattr(scenario.minerals[m], "reserve_replacement", 0.0))
    )
    proven = np.where(prev_res > cm.mine_output_t, replacement * cm.mine_output_t, 0.0)
    assert_close(
        np.maximum(prev_res - cm.mine_output_t, 0.0) + proven,
        cm.reserves_t,
        "reserves(r) == reserves(r-1) - mined + proven",
        cm,
    )


def check_demand(cm: pd.DataFrame, scenario: Scenario) -> None:
    assert_close(
        np.maximum(cm.demand_t - cm.consumption_t, 0.0),
        cm.shortfall_t,
        "shortfall == max(demand - consumption, 0)",
        cm,
    )
    ceiling = cm["mineral"].map(lambda m: max_demand_multiple(scenario, m)) * cm.demand_t
    over = cm.consumption_t > ceiling + ATOL + RTOL * ceiling
    assert not over.any(), f"consumption above the demand curve:\n{cm.loc[over, KEY].head()}"


@settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=small_scenarios())
def test_tonnes_are_conserved_and_nothing_goes_negative(
    case: tuple[dict[str, Any], str, int],
) -> None:
    check_case(*case)


def check_case(overrides: dict[str, Any], strategy: str, seed: int) -> None:
    """Run one drawn case and check every identity (also used for longer local searches)."""
    scenario = mineralgame.load_scenario(CLASSROOM, overrides)
    rec = mineralgame.run(scenario, strategy=strategy, seed=seed)
    t = rec.tables
    cm = t["country_mineral"]
    assert len(cm) == scenario.rounds * len(scenario.countries) * len(scenario.minerals)
    check_country_balances(cm)
    check_non_negative(t)
    check_prices(t["prices"], cm, scenario)
    check_flows(cm, t["flows"], t["contracts"], scenario)
    check_contracts(t["flows"], t["contracts"])
    check_sources(cm, t["sources"])
    check_system(cm, t["system"])
    check_stocks_and_reserves(cm, scenario)
    check_demand(cm, scenario)


def test_consumption_can_exceed_demand_when_prices_fall() -> None:
    """demand_t is the requirement at the base price, not a cap: document what holds.

    With elastic demand and slack supply the price falls below base and consumption rises
    above demand_t (bounded by the demand curve, checked above).
    """
    scenario = mineralgame.load_scenario(
        CLASSROOM,
        {
            "rounds": 2,
            "shocks.disruption_probability": 0.0,
            "shocks.export_control_hazard": 0.0,
            "minerals.lithium.demand_elasticity": -1.0,
            "countries.CHN.minerals.lithium.refining_output_t": 400000,
            "countries.CHN.minerals.lithium.mine_output_t": 400000,
            "countries.CHN.minerals.lithium.reserves_t": 40000000,
        },
    )
    cm = mineralgame.run(scenario, strategy="bau", seed=0).tables["country_mineral"]
    li = cm[cm["mineral"] == "lithium"]
    assert (li.price_usd_per_t < scenario.minerals["lithium"].refined_price_usd_per_t).any()
    assert (li.consumption_t > li.demand_t * (1 + 1e-6)).any()
    check_demand(cm, scenario)


def test_ore_prices_of_idle_regions_are_not_negative() -> None:
    prices = mineralgame.run(ROOT / "configs" / "baseline.yaml", strategy="bau", seed=0).tables[
        "prices"
    ]
    negative = prices[prices["price_usd_per_t"] < 0]  # NaN (no market) is not negative
    assert negative.empty, f"negative prices:\n{negative.head(10)}"


def fast_projects(rounds: int) -> dict[str, Any]:
    """Classroom overrides with zero lead times, so strategy projects deliver from round 1."""
    overrides: dict[str, Any] = {"rounds": rounds}
    for m in ("lithium", "cobalt", "rare_earths", "graphite"):
        overrides[f"minerals.{m}.mine_lead_time_rounds"] = 0
        overrides[f"minerals.{m}.refinery_lead_time_rounds"] = 0
    return overrides


def test_flows_table_includes_contract_ore() -> None:
    scenario = mineralgame.load_scenario(CLASSROOM, fast_projects(2))
    rec = mineralgame.run(scenario, strategy="derisk", seed=0)
    cm, flows = rec.tables["country_mineral"], rec.tables["flows"]
    assert not rec.tables["contracts"].empty, "the example needs contracts"
    ore = flows[flows["stage"] == "ore"]
    sent = ore.groupby(["round", "mineral", "origin"])["tonnes"].sum().rename_axis(KEY)
    c = cm.set_index(KEY)
    assert_close(sent.reindex(c.index, fill_value=0.0), c.mine_output_t, "ore flows == mined", cm)
