"""Synthetic run records that follow ``docs/RECORD.md`` (schema version 1) exactly.

The dashboard is built and tested against these until the simulation writes real records. The
world is small: seven countries (the dominant processor CHN, members USA, JPN and EUR, suppliers
COD and AUS, and the residual ROW), three minerals and a handful of rounds. Numbers are invented
but consistent (shares in 0-1, tonnes non-negative, prices positive) and deterministic in the seed.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

COUNTRIES: dict[str, tuple[str, str]] = {
    "CHN": ("dominant", "china"),
    "USA": ("member", "north_america"),
    "JPN": ("member", "asia_pacific"),
    "EUR": ("member", "europe"),
    "COD": ("supplier", "africa"),
    "AUS": ("supplier", "asia_pacific"),
    "ROW": ("rest_of_world", "rest"),
}
MINERALS: dict[str, float] = {"lithium": 12_000.0, "cobalt": 37_000.0, "rare_earths": 60_000.0}
REGIONS = ("china", "north_america", "europe", "asia_pacific", "africa", "rest")
REFINERS = ("CHN", "AUS", "ROW")
ORIGINS = ("COD", "AUS", "CHN", "ROW")
STRATEGY_DEPENDENCE = {"bau": 0.75, "derisk": 0.5, "decouple": 0.25}
STRATEGY_SHORTFALL = {"bau": 0.02, "derisk": 0.0, "decouple": 0.04}
START_YEAR = 2025


def _country_mineral(rng: np.random.Generator, strategy: str, rounds: int) -> pd.DataFrame:
    """Build the ``country_mineral`` table."""
    base_dep = STRATEGY_DEPENDENCE.get(strategy, 0.6)
    rows = []
    for r in range(rounds):
        for country, (role, _region) in COUNTRIES.items():
            for m_idx, (mineral, price) in enumerate(MINERALS.items()):
                demand = 1000.0 * (1 + 0.08 * r) * (1 + m_idx) * (2 if role == "member" else 1)
                short = float(np.clip(rng.normal(0.05, 0.04) + (0.2 if r == 3 else 0), 0, 0.9))
                if role != "member":
                    short *= 0.3
                elif r >= 3:
                    short = min(0.9, short + STRATEGY_SHORTFALL.get(strategy, 0.0))
                consumption = demand * (1 - short)
                stock = demand * float(rng.uniform(0.05, 0.3))
                dep = 1.0 if role == "dominant" else float(np.clip(base_dep - 0.02 * r, 0, 1))
                mine = 3000.0 * (1 + m_idx) if role in ("supplier", "dominant") else 50.0
                refined = 4000.0 if role == "dominant" else (800.0 if country == "AUS" else 0.0)
                rows.append(
                    {
                        "round": r,
                        "year": START_YEAR + r,
                        "country": country,
                        "mineral": mineral,
                        "role": role,
                        "strategy": strategy if role == "member" else "none",
                        "demand_t": demand,
                        "consumption_t": consumption,
                        "shortfall_t": demand - consumption,
                        "shortfall_share": short,
                        "mine_output_t": mine,
                        "refined_output_t": refined,
                        "recycled_t": 0.02 * consumption,
                        "ore_input_t": refined * 1.1,
                        "ore_imports_t": refined * 0.5,
                        "ore_exports_t": mine * 0.6,
                        "refined_imports_t": consumption * 0.8,
                        "refined_exports_t": refined * 0.5,
                        "stock_t": stock,
                        "stock_draw_t": stock * 0.1,
                        "stock_add_t": stock * 0.05,
                        "stock_cover_days": 365.0 * stock / demand,
                        "reserves_t": 1e6 - r * mine,
                        "mine_capacity_t": mine * 1.2,
                        "refining_capacity_t": refined * 1.25,
                        "technology": 0.9 if role == "dominant" else 0.6,
                        "price_usd_per_t": price * (1 + 0.1 * m_idx + 0.05 * r),
                        "import_spend_usd": consumption * 0.8 * price,
                        "export_revenue_usd": refined * 0.5 * price,
                        "stock_spend_usd": stock * 0.05 * price,
                        "investment_spend_usd": 1e6 * (role == "member"),
                        "dependence_dominant": dep,
                        "top_refiner_share": max(dep, 1 - dep),
                        "hhi_refiners": dep**2 + (1 - dep) ** 2,
                        "hhi_mine_origins": 0.4,
                    }
                )
    return pd.DataFrame(rows)


def _sources(cm: pd.DataFrame) -> pd.DataFrame:
    """Trace each country's consumption to refiner and mine origin."""
    rows = []
    for rec in cm.itertuples(index=False):
        shares = {"CHN": rec.dependence_dominant, "AUS": 0.7 * (1 - rec.dependence_dominant)}
        shares["ROW"] = 1 - shares["CHN"] - shares["AUS"]
        for refiner in REFINERS:
            for origin, o_share in zip(ORIGINS, (0.5, 0.3, 0.1, 0.1), strict=True):
                tonnes = rec.consumption_t * shares[refiner] * o_share
                if tonnes > 0:
                    rows.append(
                        {
                            "round": rec.round,
                            "country": rec.country,
                            "mineral": rec.mineral,
                            "refiner": refiner,
                            "mine_origin": origin,
                            "tonnes": tonnes,
                        }
                    )
    return pd.DataFrame(rows)


def _prices(rng: np.random.Generator, rounds: int, strategy: str) -> pd.DataFrame:
    """Prices by region, diverging under restrictions."""
    spread = {"bau": 0.02, "derisk": 0.1, "decouple": 0.3}.get(strategy, 0.1)
    rows = []
    for r in range(rounds):
        for mineral, base in MINERALS.items():
            for stage, factor in (("ore", 0.4), ("refined", 1.0)):
                for region in REGIONS:
                    premium = 0.0 if region == "china" else spread * (1 + (r >= 3))
                    rows.append(
                        {
                            "round": r,
                            "year": START_YEAR + r,
                            "mineral": mineral,
                            "stage": stage,
                            "region": region,
                            "price_usd_per_t": base
                            * factor
                            * (1 + premium + 0.03 * r)
                            * float(rng.uniform(0.97, 1.03)),
                        }
                    )
    return pd.DataFrame(rows)


def _flows(rounds: int) -> pd.DataFrame:
    """Trade flows (non-zero only)."""
    rows = []
    pairs = [
        ("COD", "CHN", "ore"),
        ("AUS", "CHN", "ore"),
        ("CHN", "USA", "refined"),
        ("CHN", "JPN", "refined"),
        ("CHN", "EUR", "refined"),
        ("AUS", "JPN", "refined"),
        ("AUS", "USA", "refined"),
        ("CHN", "ROW", "refined"),
    ]
    for r in range(rounds):
        for m_idx, (mineral, price) in enumerate(MINERALS.items()):
            for k, (origin, dest, stage) in enumerate(pairs):
                tonnes = 500.0 * (1 + k % 3) * (1 + m_idx) * (1 + 0.05 * r)
                value = tonnes * price * (0.4 if stage == "ore" else 1.0)
                rows.append(
                    {
                        "round": r,
                        "mineral": mineral,
                        "stage": stage,
                        "origin": origin,
                        "destination": dest,
                        "tonnes": tonnes,
                        "value_usd": value,
                        "revenue_usd": value * 0.95,
                        "tariff_usd": value * 0.02,
                        "levy_usd": 0.0,
                        "transport_usd": value * 0.03,
                        "contract": origin == "AUS" and r >= 2,
                    }
                )
    return pd.DataFrame(rows)


def _projects(rounds: int) -> pd.DataFrame:
    """One refinery project financed by JPN in AUS."""
    return pd.DataFrame(
        [
            {
                "round": r,
                "project_id": "P1",
                "owner": "JPN",
                "host": "AUS",
                "mineral": "lithium",
                "stage": "refinery",
                "capacity_t": 500.0,
                "capex_usd": 8.5e6,
                "start_round": 1,
                "online_round": 4,
                "status": "online" if r >= 4 else "building",
                "offtake_share": 0.5,
                "source": "D1",
            }
            for r in range(1, rounds)
        ]
    )


def _contracts(rounds: int) -> pd.DataFrame:
    """Offtake contracts in force."""
    rows = []
    for r in range(2, rounds):
        for cid, buyer in (("C1", "JPN"), ("C2", "USA")):
            rows.append(
                {
                    "round": r,
                    "contract_id": cid,
                    "buyer": buyer,
                    "seller": "AUS",
                    "mineral": "lithium",
                    "stage": "refined",
                    "tonnes": 300.0,
                    "price_usd_per_t": 13_000.0,
                    "start_round": 2,
                    "end_round": rounds - 1,
                    "kind": "offtake",
                    "delivered_t": 300.0,
                }
            )
    return pd.DataFrame(rows)


def _pacts(rounds: int) -> pd.DataFrame:
    """A minerals club that EUR joins in round 3 and AUS leaves in round 6."""
    rows = []
    for r in range(1, rounds):
        members = ["USA", "JPN", "AUS"] + (["EUR"] if r >= 3 else [])
        if r >= 6:
            members.remove("AUS")
        for member in members:
            rows.append(
                {
                    "round": r,
                    "pact": "MSP",
                    "member": member,
                    "joined_round": 3 if member == "EUR" else 1,
                    "role": "founder" if member == "USA" else "member",
                }
            )
    return pd.DataFrame(rows)


def _events(rounds: int) -> pd.DataFrame:
    """Shocks, deals and pact changes."""
    spec = [
        (1, "pact_joined", "USA", "MSP", None, None, 1.0, "USA founds MSP", "deal"),
        (2, "deal", "JPN", "AUS", "lithium", "refined", 300.0, "JPN-AUS offtake", "deal"),
        (3, "export_licensing", "CHN", "USA", "rare_earths", "refined", 0.5, "licences", "policy"),
        (3, "pact_joined", "EUR", "MSP", None, None, 1.0, "EUR joins MSP", "deal"),
        (4, "disruption", "COD", "", "cobalt", "ore", 0.3, "mine flooding", "stochastic"),
        (6, "pact_left", "AUS", "MSP", None, None, 1.0, "AUS leaves MSP", "deal"),
    ]
    rows = [
        {
            "round": r,
            "year": START_YEAR + r,
            "kind": kind,
            "actor": actor,
            "target": target,
            "mineral": mineral,
            "stage": stage,
            "magnitude": magnitude,
            "description": text,
            "source": source,
        }
        for r, kind, actor, target, mineral, stage, magnitude, text, source in spec
        if r < rounds
    ]
    return pd.DataFrame(rows)


def _negotiation(rounds: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One offtake session per round between JPN and AUS (agreed in even rounds), with moves."""
    sessions, offers = [], []
    for r in range(rounds):
        sid, agreed = f"N{r:02d}-001", r % 2 == 0
        sessions.append(
            {
                "round": r,
                "session_id": sid,
                "deal_type": "offtake",
                "mineral": "lithium",
                "protocol": "alternating_offers",
                "proposer": "JPN",
                "responder": "AUS",
                "parties": "JPN,AUS",
                "end_reason": "agreement" if agreed else "timeout",
                "agreed": agreed,
                "n_steps": 3,
                "deal_id": f"D{r:02d}-001" if agreed else None,
            }
        )
        for step, action in enumerate(("offer", "counter", "accept" if agreed else "reject")):
            proposer, responder = ("JPN", "AUS") if step % 2 == 0 else ("AUS", "JPN")
            offers.append(
                {
                    "round": r,
                    "session_id": sid,
                    "step": step,
                    "proposer": proposer,
                    "responder": responder,
                    "action": action,
                }
            )
    return pd.DataFrame(sessions), pd.DataFrame(offers)


def _system(cm: pd.DataFrame, prices: pd.DataFrame) -> pd.DataFrame:
    """World totals per round and mineral."""
    g = cm.groupby(["round", "year", "mineral"], as_index=False).agg(
        world_demand_t=("demand_t", "sum"),
        world_consumption_t=("consumption_t", "sum"),
        world_mine_output_t=("mine_output_t", "sum"),
        world_refined_output_t=("refined_output_t", "sum"),
    )
    g["world_shortfall_share"] = 1 - g["world_consumption_t"] / g["world_demand_t"]
    g["mining_hhi"] = 0.35
    g["refining_hhi"] = 0.6
    g["dominant_refining_share"] = 0.75
    g["non_dominant_refining_capacity_t"] = 1000.0 + 100.0 * g["round"]
    ref = prices[prices["stage"] == "refined"].groupby(["round", "mineral"])["price_usd_per_t"]
    stats = ref.agg(["mean", "max", "min"]).reset_index()
    g = g.merge(stats, on=["round", "mineral"])
    g["price_mean_usd_per_t"] = g["mean"]
    g["price_spread_usd_per_t"] = g["max"] - g["min"]
    g["welfare_usd"] = 1e9 - 1e7 * g["round"]
    cols = [
        "round",
        "year",
        "mineral",
        "world_demand_t",
        "world_consumption_t",
        "world_shortfall_share",
        "world_mine_output_t",
        "world_refined_output_t",
        "mining_hhi",
        "refining_hhi",
        "dominant_refining_share",
        "non_dominant_refining_capacity_t",
        "price_mean_usd_per_t",
        "price_spread_usd_per_t",
        "welfare_usd",
    ]
    return g[cols]


def _summary(cm: pd.DataFrame, system: pd.DataFrame, seed: int, strategy: str, name: str) -> dict:
    """The run scalars."""
    members = cm[cm["role"] == "member"]
    last = members[members["round"] == members["round"].max()]
    cost = members[["import_spend_usd", "stock_spend_usd", "investment_spend_usd"]].sum().sum()
    return {
        "cumulative_shortfall_t": float(members["shortfall_t"].sum()),
        "cumulative_shortfall_share": float(
            members["shortfall_t"].sum() / members["demand_t"].sum()
        ),
        "cumulative_cost_usd": float(cost),
        "end_dependence": float(
            np.average(last["dependence_dominant"], weights=last["consumption_t"])
        ),
        "end_refining_hhi": float(
            system[system["round"] == system["round"].max()]["refining_hhi"].mean()
        ),
        "welfare_usd": float(system["welfare_usd"].sum()),
        "mean_price_usd_per_t": float(system["price_mean_usd_per_t"].mean()),
        "seed": seed,
        "strategy": strategy,
        "scenario_name": name,
    }


def build_tables(seed: int, strategy: str, rounds: int, name: str) -> dict[str, pd.DataFrame]:
    """Build every table of a synthetic record.

    Args:
        seed: Root seed; the same seed gives the same tables.
        strategy: Member-state strategy (``bau``, ``derisk``, ``decouple``).
        rounds: Number of rounds.
        name: Scenario name.

    Returns:
        Table name to DataFrame, in the order of ``docs/RECORD.md``.
    """
    rng = np.random.default_rng(seed)
    cm = _country_mineral(rng, strategy, rounds)
    prices = _prices(rng, rounds, strategy)
    system = _system(cm, prices)
    summary = pd.DataFrame([_summary(cm, system, seed, strategy, name)])
    sessions, offers = _negotiation(rounds)
    return {
        "country_mineral": cm,
        "sources": _sources(cm),
        "prices": prices,
        "flows": _flows(rounds),
        "projects": _projects(rounds),
        "contracts": _contracts(rounds),
        "pacts": _pacts(rounds),
        "events": _events(rounds),
        "system": system,
        "negotiation_sessions": sessions,
        "negotiation_offers": offers,
        "summary": summary,
    }


def _table_bytes(df: pd.DataFrame) -> bytes:
    """Canonical bytes of one table (CSV of the sorted frame) for the content hash."""
    buf = io.StringIO()
    df.to_csv(buf, index=False)
    return buf.getvalue().encode()


def write_record(
    dest: Path,
    *,
    seed: int = 0,
    strategy: str = "derisk",
    rounds: int = 8,
    name: str = "synthetic",
    folder: str | None = None,
) -> Path:
    """Write a synthetic run record folder under ``dest``.

    Args:
        dest: Records folder to write into (created if missing).
        seed: Root seed.
        strategy: Member-state strategy.
        rounds: Number of rounds.
        name: Scenario name.
        folder: Folder name; default ``<name>_<strategy>_s<seed>``.

    Returns:
        The record folder.
    """
    tables = build_tables(seed, strategy, rounds, name)
    digest = hashlib.sha256()
    for table, df in tables.items():
        digest.update(table.encode())
        digest.update(_table_bytes(df))
    content_hash = digest.hexdigest()
    path = dest / (folder or f"{name}_{strategy}_s{seed}")
    path.mkdir(parents=True, exist_ok=True)
    for table, df in tables.items():
        df.to_parquet(path / f"{table}.parquet", index=False)
    manifest = {
        "schema_version": 1,
        "run_id": content_hash[:12],
        "scenario_name": name,
        "scenario_file": None,
        "scenario": {"name": name, "countries": list(COUNTRIES), "minerals": list(MINERALS)},
        "scenario_hash": hashlib.sha256(name.encode()).hexdigest(),
        "seed": seed,
        "strategy": strategy,
        "rounds": rounds,
        "start_year": START_YEAR,
        "years_per_round": 1,
        "versions": {"mineralgame": "0.1.0", "python": "3.12"},
        "content_hash": content_hash,
        "tables": list(tables),
        "summary": json.loads(tables["summary"].to_json(orient="records"))[0],
    }
    (path / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))
    return path


def write_records(dest: Path, seeds: tuple[int, ...] = (1, 2, 3), rounds: int = 8) -> list[Path]:
    """Write bau, derisk and decouple records for each seed (a small demo folder)."""
    return [
        write_record(dest, seed=s, strategy=st, rounds=rounds)
        for st in ("bau", "derisk", "decouple")
        for s in seeds
    ]
