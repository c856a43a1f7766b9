"""Pure data views over loaded records: the records table, a country's panel and compare data."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from dashboard.frames import RecordFrames
from dashboard.store import Record, RecordEntry

SUMMARY_COLUMNS: dict[str, str] = {
    "cumulative_shortfall_share": "cum. shortfall share",
    "cumulative_cost_usd": "cum. cost (USD)",
    "end_dependence": "end dependence",
    "end_refining_hhi": "end refining HHI",
    "welfare_usd": "welfare (USD)",
    "mean_price_usd_per_t": "mean price (USD/t)",
}
SUMMARY_SKIP = frozenset({"seed", "rounds", "schema_version"})
COMPARE_MEASURES: dict[str, tuple[str, str | None]] = {
    "shortfall_share": ("Shortfall (share of requirement)", "demand_t"),
    "dependence_dominant": ("Dependence on the dominant refiner (share)", "consumption_t"),
    "stock_cover_days": ("Stockpile cover (days)", "demand_t"),
    "price_usd_per_t": ("Price paid (USD/t)", "consumption_t"),
    "import_spend_usd": ("Import spend (USD)", None),
    "hhi_refiners": ("HHI of refiners (0–1)", "consumption_t"),
}
PANEL_COLUMNS = (
    "stock_t",
    "stock_cover_days",
    "shortfall_share",
    "dependence_dominant",
    "top_refiner_share",
    "price_usd_per_t",
    "consumption_t",
)


def summary_keys(entries: Sequence[RecordEntry]) -> list[str]:
    """Numeric summary measures present in any manifest: known ones first, then the others."""
    found: dict[str, None] = {}
    for e in entries:
        summary = e.manifest.get("summary")
        if isinstance(summary, dict):
            for key, value in summary.items():
                if isinstance(value, int | float) and not isinstance(value, bool):
                    found.setdefault(str(key), None)
    known = [k for k in SUMMARY_COLUMNS if k in found]
    return known + [k for k in found if k not in SUMMARY_COLUMNS and k not in SUMMARY_SKIP]


def record_row(entry: RecordEntry, keys: Sequence[str] = tuple(SUMMARY_COLUMNS)) -> dict[str, Any]:
    """Return one row of the records table for a readable entry."""
    m = entry.manifest
    found = m.get("summary")
    summary: dict[str, Any] = found if isinstance(found, dict) else {}
    row: dict[str, Any] = {
        "id": entry.record_id,
        "open": f"[replay](/replay/{entry.record_id})",
        "scenario": str(m.get("scenario_name") or ""),
        "strategy": str(m.get("strategy") or ""),
        "seed": m.get("seed") if isinstance(m.get("seed"), int) else None,
        "rounds": m.get("rounds") if isinstance(m.get("rounds"), int) else None,
        "folder": entry.name,
    }
    for key in keys:
        value = summary.get(key)
        row[key] = float(value) if isinstance(value, int | float) else None
    return row


def record_label(record: Record) -> str:
    """Return a short unique label: strategy, seed and id prefix."""
    m = record.manifest
    return f"{m.get('strategy', '?')} s{m.get('seed', '?')} [{record.record_id[:6]}]"


def country_panel(frames: RecordFrames, country: str, rnd: int, mineral: str) -> dict[str, Any]:
    """Collect what the country panel shows at one round.

    Args:
        frames: The record's frames.
        country: Actor code.
        rnd: Round.
        mineral: Mineral for the sources chart.

    Returns:
        ``state`` (rows by mineral), ``sources`` (frame), ``deals``, ``projects`` and ``pacts``
        (lists of row dicts).
    """
    state = []
    for m in frames.minerals:
        sl = frames.round_slice(frames.cm, rnd, m)
        if country in sl.index:
            row = sl.loc[country]
            state.append({"mineral": m, **{c: _num(row.get(c)) for c in PANEL_COLUMNS}})
    sources = frames.round_slice(frames.sources, rnd, mineral)
    if not sources.empty:
        sources = sources[sources["country"] == country]
    contracts = frames.round_slice(frames.contracts, rnd)
    if not contracts.empty:
        contracts = contracts[(contracts["buyer"] == country) | (contracts["seller"] == country)]
    projects = frames.round_slice(frames.projects, rnd)
    if not projects.empty:
        projects = projects[(projects["owner"] == country) | (projects["host"] == country)]
    pacts = frames.round_slice(frames.pacts, rnd)
    if not pacts.empty:
        pacts = pacts[pacts["member"] == country]
    return {
        "state": state,
        "sources": sources,
        "deals": table_rows(contracts),
        "projects": table_rows(projects),
        "pacts": table_rows(pacts),
    }


def pact_changes(frames: RecordFrames, rnd: int) -> list[dict[str, Any]]:
    """Pacts joined or left at a round, from membership in this and the previous round."""

    def members(df: pd.DataFrame) -> set[tuple[str, str]]:
        if df.empty:
            return set()
        return set(zip(df["pact"].astype(str), df["member"].astype(str), strict=True))

    now = members(frames.round_slice(frames.pacts, rnd))
    before = members(frames.round_slice(frames.pacts, rnd - 1))
    rows = [{"kind": "pact joined", "actor": m, "target": p} for p, m in sorted(now - before)]
    return rows + [{"kind": "pact left", "actor": m, "target": p} for p, m in sorted(before - now)]


def _started(df: pd.DataFrame, column: str, rnd: int) -> pd.DataFrame:
    """Rows whose ``column`` equals the round (empty if the column is missing)."""
    if df.empty or column not in df.columns:
        return df.iloc[0:0]
    return df[df[column] == rnd]


def deal_changes(frames: RecordFrames, rnd: int) -> list[dict[str, Any]]:
    """Contracts that start at a round and projects that start or come online."""
    rows: list[dict[str, Any]] = []
    contracts = _started(frames.round_slice(frames.contracts, rnd), "start_round", rnd)
    for c in table_rows(contracts):
        rows.append(
            {
                "kind": "contract signed",
                "actor": c.get("buyer"),
                "target": c.get("seller"),
                "mineral": c.get("mineral"),
                "stage": c.get("stage"),
                "magnitude": c.get("tonnes"),
                "description": f"{c.get('kind', 'contract')} {c.get('contract_id', '')}".strip(),
                "source": "contracts",
            }
        )
    projects = frames.round_slice(frames.projects, rnd)
    for kind, column in (("project started", "start_round"), ("project online", "online_round")):
        for p in table_rows(_started(projects, column, rnd)):
            rows.append(
                {
                    "kind": kind,
                    "actor": p.get("owner"),
                    "target": p.get("host"),
                    "mineral": p.get("mineral"),
                    "stage": p.get("stage"),
                    "magnitude": p.get("capacity_t"),
                    "description": str(p.get("project_id", "")),
                    "source": "projects",
                }
            )
    return rows


def negotiation_sessions(
    frames: RecordFrames, rnd: int, country: str | None = None
) -> pd.DataFrame:
    """Negotiation sessions of a round, optionally only those a country took part in."""
    sessions = frames.round_slice(frames.negotiation, rnd)
    if not country or sessions.empty:
        return sessions
    mask = pd.Series(False, index=sessions.index)
    for column in ("proposer", "responder"):
        if column in sessions.columns:
            mask |= sessions[column] == country
    if "parties" in sessions.columns:
        mask |= sessions["parties"].astype(str).str.split(",").apply(lambda p: country in p)
    return sessions[mask]


def round_events(frames: RecordFrames, rnd: int) -> list[dict[str, Any]]:
    """The events table's rows of a round, then derived pact, contract and project changes.

    Derived rows already logged as events (same kind, actor and target) are left out.
    """
    rows = table_rows(frames.round_slice(frames.events, rnd))
    logged = {(str(r.get("kind")), r.get("actor"), r.get("target")) for r in rows}
    derived = [*pact_changes(frames, rnd), *deal_changes(frames, rnd)]
    return rows + [
        r for r in derived if (r["kind"].replace(" ", "_"), r["actor"], r["target"]) not in logged
    ]


def _num(value: object) -> float | None:
    """Return a finite float or None."""
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return f if np.isfinite(f) else None


def table_rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Return a frame as JSON-safe row dicts (without its ``round`` column)."""
    if df.empty:
        return []
    records = df.drop(columns=["round"], errors="ignore").to_dict("records")
    return [{str(k): None if _missing(v) else v for k, v in row.items()} for row in records]


def _missing(value: object) -> bool:
    """Whether a cell is missing (None, NaN, NA or NaT)."""
    if isinstance(value, float):
        return math.isnan(value)
    return value is None or value is pd.NA or value is pd.NaT


def _members(cm: pd.DataFrame) -> pd.DataFrame:
    """Member states' rows (all rows when the record has no members)."""
    members = cm[cm["role"] == "member"]
    return members if not members.empty else cm


def country_frame(record: Record, measure: str, mineral: str) -> pd.DataFrame:
    """Rounds × member countries of one measure for one mineral."""
    cm = _members(record.tables["country_mineral"])
    cm = cm[cm["mineral"] == mineral]
    if cm.empty or measure not in cm.columns:
        return pd.DataFrame()
    return cm.pivot_table(index="round", columns="country", values=measure, aggfunc="mean")


def members_series(record: Record, measure: str, mineral: str) -> pd.Series:
    """Member states' aggregate of a measure per round (weighted mean, or sum for spend)."""
    cm = _members(record.tables["country_mineral"])
    cm = cm[cm["mineral"] == mineral]
    if cm.empty or measure not in cm.columns:
        return pd.Series(dtype=float)
    weight = COMPARE_MEASURES.get(measure, ("", None))[1]
    if weight is None or weight not in cm.columns:
        return cm.groupby("round")[measure].sum()
    w = cm[weight].clip(lower=0)
    num = (cm[measure] * w).groupby(cm["round"]).sum()
    den = w.groupby(cm["round"]).sum()
    return (num / den.where(den > 0)).fillna(cm.groupby("round")[measure].mean())


def band_stats(series: Sequence[pd.Series]) -> pd.DataFrame:
    """Mean, 5 % and 95 % quantiles and count per round across runs."""
    stacked = pd.concat(list(series), axis=1)
    return pd.DataFrame(
        {
            "mean": stacked.mean(axis=1),
            "p05": stacked.quantile(0.05, axis=1),
            "p95": stacked.quantile(0.95, axis=1),
            "n": stacked.notna().sum(axis=1),
        }
    )


@dataclass
class CompareData:
    """The data behind the three compare figures."""

    side: dict[str, pd.DataFrame] = field(default_factory=dict)
    diff: dict[str, pd.DataFrame] = field(default_factory=dict)
    band: dict[str, pd.DataFrame] = field(default_factory=dict)

    def csv_frame(self, which: str) -> pd.DataFrame:
        """Return the long-format table behind one figure (``side``, ``diff`` or ``band``)."""
        if which == "band":
            parts = [
                f.assign(group=k).rename_axis("round").reset_index() for k, f in self.band.items()
            ]
            return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        source = self.side if which == "side" else self.diff
        parts = [_long(f, k) for k, f in source.items() if not f.empty]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _long(frame: pd.DataFrame, panel: str) -> pd.DataFrame:
    """Rounds × series as long rows ``round, series, value, panel``."""
    stacked = frame.rename_axis(index="round", columns="series").stack()
    return pd.DataFrame({"value": stacked}).reset_index().assign(panel=panel)


def compare_records(records: Sequence[Record], measure: str, mineral: str) -> CompareData:
    """Compare runs: side by side, each minus the first, and bands by strategy across seeds."""
    out = CompareData()
    labelled = [(record_label(r), r) for r in records]
    for label, r in labelled:
        out.side[label] = country_frame(r, measure, mineral)
    if len(labelled) >= 2:
        base_label, _ = labelled[0]
        base = out.side[base_label]
        for label, _r in labelled[1:]:
            out.diff[f"{label} − {base_label}"] = out.side[label].sub(base)
    groups: dict[str, list[pd.Series]] = {}
    for r in records:
        groups.setdefault(str(r.manifest.get("strategy", "?")), []).append(
            members_series(r, measure, mineral)
        )
    out.band = {k: band_stats(v) for k, v in groups.items()}
    return out


def compare_strategies(
    pairs: Sequence[tuple[Record, Record]], names: tuple[str, str], measure: str, mineral: str
) -> CompareData:
    """Compare two strategies over runs paired by seed (common random numbers).

    Args:
        pairs: ``(run under A, run under B)`` with the same scenario and seed.
        names: Strategy names ``(A, B)``.
        measure: Measure (a ``country_mineral`` column).
        mineral: Mineral.

    Returns:
        Side by side means over seeds, the mean paired difference B − A, and bands for A, B.
    """
    out = CompareData()
    if not pairs:
        return out
    a_frames = [country_frame(a, measure, mineral) for a, _ in pairs]
    b_frames = [country_frame(b, measure, mineral) for _, b in pairs]
    n = len(pairs)
    out.side[f"{names[0]} (mean of {n})"] = sum(a_frames[1:], a_frames[0]) / n
    out.side[f"{names[1]} (mean of {n})"] = sum(b_frames[1:], b_frames[0]) / n
    diffs = [b.sub(a) for a, b in zip(a_frames, b_frames, strict=True)]
    out.diff[f"{names[1]} − {names[0]}, paired mean"] = sum(diffs[1:], diffs[0]) / n
    out.band = {
        names[0]: band_stats([members_series(a, measure, mineral) for a, _ in pairs]),
        names[1]: band_stats([members_series(b, measure, mineral) for _, b in pairs]),
        f"{names[1]} − {names[0]} (paired)": band_stats(
            [
                members_series(b, measure, mineral) - members_series(a, measure, mineral)
                for a, b in pairs
            ]
        ),
    }
    return out


def pair_by_seed(
    entries: Sequence[RecordEntry], strategy_a: str, strategy_b: str, scenario: str | None = None
) -> list[tuple[str, str]]:
    """Pair record ids of two strategies by (scenario, seed); unmatched runs are left out."""

    def key(e: RecordEntry) -> tuple[str, Any]:
        return (str(e.manifest.get("scenario_name")), e.manifest.get("seed"))

    chosen = [e for e in entries if scenario in (None, "", e.manifest.get("scenario_name"))]
    a = {key(e): e.record_id for e in chosen if e.manifest.get("strategy") == strategy_a}
    b = {key(e): e.record_id for e in chosen if e.manifest.get("strategy") == strategy_b}
    return [(a[k], b[k]) for k in sorted(set(a) & set(b), key=str)]


def strategies_of(entries: Sequence[RecordEntry]) -> list[str]:
    """Distinct strategies of readable entries."""
    return sorted({str(e.manifest.get("strategy")) for e in entries if e.readable})


def summary_table(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Records table rows as a frame (for CSV export of the listing)."""
    return pd.DataFrame(list(rows))
