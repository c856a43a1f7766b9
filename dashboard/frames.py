"""Per-record frames precomputed once when a record is loaded, so scrubbing is a dict look-up.

Everything here is derived from a record's tables (``docs/RECORD.md``) with pandas; the store
keeps one :class:`RecordFrames` per cached record.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

MAP_MEASURES: dict[str, str] = {
    "dependence_dominant": "Dependence on the dominant refiner (share)",
    "shortfall_share": "Shortfall (share of requirement)",
    "stock_cover_days": "Stockpile cover (days)",
    "price_usd_per_t": "Price paid (USD/t)",
}
ROLE_ORDER = {"member": 0, "supplier": 1, "dominant": 2, "rest_of_world": 3}
WORLD = "world"


def _table(tables: Mapping[str, pd.DataFrame], name: str, columns: list[str]) -> pd.DataFrame:
    """Return a table, or an empty frame with the given columns when it is absent."""
    df = tables.get(name)
    if df is None:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    return df


def _split(df: pd.DataFrame, keys: list[str]) -> dict[Hashable, pd.DataFrame]:
    """Split a frame into sub-frames by key (a scalar key for one column).

    A table without the key columns (e.g. a layer's table in another shape) gives no slices.
    """
    if df.empty or not set(keys) <= set(df.columns):
        return {}
    by: str | list[str] = keys[0] if len(keys) == 1 else keys
    return {k: g.reset_index(drop=True) for k, g in df.groupby(by, sort=True)}


def _pivot(df: pd.DataFrame, columns: str, values: str) -> pd.DataFrame:
    """Pivot a long frame to rounds × columns (mean of duplicates)."""
    if df.empty:
        return pd.DataFrame()
    return df.pivot_table(index="round", columns=columns, values=values, aggfunc="mean")


@dataclass(frozen=True)
class RecordFrames:
    """Frames of one record, keyed for fast per-round access.

    Attributes:
        rounds: Round numbers present, ascending.
        years: Calendar year of each round.
        countries: Actors, members first, then suppliers, the dominant and the rest of world.
        roles: Role of each actor.
        minerals: Minerals, in table order.
        map_values: ``(measure, mineral)`` → rounds × countries.
        map_ranges: ``(measure, mineral)`` → (min, max) over all rounds (fixed colour scale).
        prices: ``(mineral, stage)`` → rounds × regions.
        shortfall: mineral → rounds × countries, plus a ``world`` column.
        cm: ``(round, mineral)`` → that slice of ``country_mineral`` indexed by country.
        flows: ``(round, mineral)`` → flows of the round.
        sources: ``(round, mineral)`` → sources of the round.
        pacts: round → pact members.
        contracts: round → contracts in force.
        projects: round → projects.
        events: round → events.
        negotiation: round → negotiation sessions (empty when the record has none).
        offers: round → negotiation offers and responses (empty when the record has none).
        flow_max: mineral → largest origin–destination flow in any round (fixed line widths).
        memo: Views derived on first use (e.g. a round's events), kept with the record.
    """

    rounds: list[int]
    years: dict[int, int]
    countries: list[str]
    roles: dict[str, str]
    minerals: list[str]
    map_values: dict[tuple[str, str], pd.DataFrame]
    map_ranges: dict[tuple[str, str], tuple[float, float]]
    prices: dict[tuple[str, str], pd.DataFrame]
    shortfall: dict[str, pd.DataFrame]
    cm: dict[Hashable, pd.DataFrame]
    flows: dict[Hashable, pd.DataFrame]
    sources: dict[Hashable, pd.DataFrame]
    pacts: dict[Hashable, pd.DataFrame]
    contracts: dict[Hashable, pd.DataFrame]
    projects: dict[Hashable, pd.DataFrame]
    events: dict[Hashable, pd.DataFrame]
    negotiation: dict[Hashable, pd.DataFrame]
    offers: dict[Hashable, pd.DataFrame]
    flow_max: dict[str, float]
    memo: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(cls, manifest: Mapping[str, Any], tables: Mapping[str, pd.DataFrame]) -> RecordFrames:
        """Precompute the frames of a record.

        Args:
            manifest: The record's manifest.
            tables: Its tables by name.

        Returns:
            The frames.
        """
        cm = tables["country_mineral"]
        if cm.empty:
            raise ValueError("country_mineral has no rows")
        rounds = sorted(int(r) for r in cm["round"].unique())
        start = int(manifest.get("start_year") or 0)
        step = int(manifest.get("years_per_round") or 1)
        years = {r: start + r * step for r in rounds}
        first = cm.drop_duplicates("country")
        roles = {str(c): str(r) for c, r in zip(first["country"], first["role"], strict=True)}
        countries = sorted(roles, key=lambda c: (ROLE_ORDER.get(roles[c], 9), c))
        minerals = [str(m) for m in cm["mineral"].unique()]
        map_values, map_ranges = cls._map_frames(cm, minerals)
        flows = _table(tables, "flows", ["round", "mineral", "origin", "destination", "tonnes"])
        return cls(
            rounds=rounds,
            years=years,
            countries=countries,
            roles=roles,
            minerals=minerals,
            map_values=map_values,
            map_ranges=map_ranges,
            prices=cls._price_frames(tables),
            shortfall=cls._shortfall_frames(cm, tables, minerals),
            cm={k: g.set_index("country") for k, g in _split(cm, ["round", "mineral"]).items()},
            flows=_split(flows, ["round", "mineral"]),
            sources=_split(_table(tables, "sources", ["round", "mineral"]), ["round", "mineral"]),
            pacts=_split(_table(tables, "pacts", ["round"]), ["round"]),
            contracts=_split(_table(tables, "contracts", ["round"]), ["round"]),
            projects=_split(_table(tables, "projects", ["round"]), ["round"]),
            events=_split(_table(tables, "events", ["round"]), ["round"]),
            negotiation=_split(_table(tables, "negotiation_sessions", ["round"]), ["round"]),
            offers=_split(_table(tables, "negotiation_offers", ["round"]), ["round"]),
            flow_max=cls._flow_max(flows),
        )

    @staticmethod
    def _flow_max(flows: pd.DataFrame) -> dict[str, float]:
        """Largest origin–destination flow per mineral over all rounds and stages."""
        if flows.empty:
            return {}
        per = flows.groupby(["mineral", "round", "origin", "destination"])["tonnes"].sum()
        return {str(k): float(v) for k, v in per.groupby(level="mineral").max().items()}

    @staticmethod
    def _map_frames(
        cm: pd.DataFrame, minerals: list[str]
    ) -> tuple[dict[tuple[str, str], pd.DataFrame], dict[tuple[str, str], tuple[float, float]]]:
        """Rounds × countries of every map measure, with fixed colour ranges."""
        values: dict[tuple[str, str], pd.DataFrame] = {}
        ranges: dict[tuple[str, str], tuple[float, float]] = {}
        for mineral in minerals:
            sub = cm[cm["mineral"] == mineral]
            for measure in MAP_MEASURES:
                if measure not in sub.columns:
                    continue
                frame = _pivot(sub, "country", measure)
                values[measure, mineral] = frame
                lo, hi = float(frame.min().min()), float(frame.max().max())
                if measure.endswith("_share") or measure == "dependence_dominant":
                    lo, hi = 0.0, max(1.0, hi)
                ranges[measure, mineral] = (lo, hi if hi > lo else lo + 1.0)
        return values, ranges

    @staticmethod
    def _price_frames(tables: Mapping[str, pd.DataFrame]) -> dict[tuple[str, str], pd.DataFrame]:
        """Rounds × regions of prices per mineral and stage."""
        prices = _table(tables, "prices", ["round", "mineral", "stage"])
        if "price_usd_per_t" in prices.columns:  # a region with no trade reports 0: no price
            prices = prices.assign(price_usd_per_t=prices["price_usd_per_t"].where(lambda p: p > 0))
        return {
            (str(k[0]), str(k[1])): _pivot(g, "region", "price_usd_per_t")
            for k, g in _split(prices, ["mineral", "stage"]).items()
            if isinstance(k, tuple)
        }

    @staticmethod
    def _shortfall_frames(
        cm: pd.DataFrame, tables: Mapping[str, pd.DataFrame], minerals: list[str]
    ) -> dict[str, pd.DataFrame]:
        """Rounds × countries of shortfall share per mineral, plus the world share."""
        system = _table(tables, "system", ["round", "mineral", "world_shortfall_share"])
        out = {}
        for mineral in minerals:
            frame = _pivot(cm[cm["mineral"] == mineral], "country", "shortfall_share")
            world = system[system["mineral"] == mineral].set_index("round")
            if "world_shortfall_share" in world.columns and not world.empty:
                frame[WORLD] = world["world_shortfall_share"].reindex(frame.index)
            out[mineral] = frame
        return out

    def clamp_round(self, value: object) -> int:
        """Return a valid round for any slider value (the nearest present round)."""
        try:
            r = int(value)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return self.rounds[0]
        return min(self.rounds, key=lambda x: abs(x - r))

    def map_series(self, measure: str, mineral: str, rnd: int) -> dict[str, float]:
        """Return the map values of one round by actor (NaN dropped)."""
        frame = self.map_values.get((measure, mineral))
        if frame is None or rnd not in frame.index:
            return {}
        row: Any = frame.loc[rnd].dropna()
        return {str(k): float(v) for k, v in zip(row.index, row.to_numpy(), strict=True)}

    def memoized(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """Return a derived view, building it on first use (views must not be mutated)."""
        if key not in self.memo:
            self.memo[key] = build()
        return self.memo[key]

    def round_slice(self, table: dict[Hashable, pd.DataFrame], *key: Hashable) -> pd.DataFrame:
        """Return a table's slice for a key, or an empty frame."""
        found = table.get(key[0] if len(key) == 1 else key)
        return found if found is not None else pd.DataFrame()
