"""Round resolution by re-simulation: every decision so far, from scratch, so replay is exact.

Round ``r`` resolves as ``mineralgame.run(scenario, seed=, strategy=, rounds=r + 1,
decisions=..., humans=...)``. The decisions are assembled from the database in a fixed order
(by round: injected events, then each delegation's submission by country, then offers by id),
so the same session always yields the same list and the same record (``content_hash``).
Records are cached in memory by the hash of their inputs; a restarted server simply recomputes
them.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mineralgame.api import run
from mineralgame.classroom.entities import InjectedEvent, Offer, Submission
from mineralgame.config.schema import Scenario
from mineralgame.decisions import DealTerms, parse_decisions
from mineralgame.record import RunRecord

COUNTERFACTUAL_STRATEGIES = ("derisk", "decouple")
DEAL_FIELDS = tuple(DealTerms.model_fields)


@dataclass(frozen=True, slots=True)
class RunInputs:
    """Everything that determines a record."""

    scenario: Scenario
    scenario_key: str
    seed: int
    strategy: str | None
    rounds: int
    decisions: tuple[Mapping[str, Any], ...]
    humans: tuple[str, ...]

    @property
    def key(self) -> str:
        """SHA-256 of the inputs (the cache key and the round's ``decisions_hash``)."""
        text = json.dumps(
            [self.scenario_key, self.seed, self.strategy, self.rounds, self.decisions, self.humans],
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(text.encode()).hexdigest()


def _policy_event(country: str, rnd: int, measure: Mapping[str, Any]) -> dict[str, Any]:
    """A delegation's own export measure as an event it imposes."""
    spec = {
        "kind": measure["kind"],
        "round": rnd,
        "actor": country,
        "minerals": list(measure.get("minerals", [])),
        "targets": list(measure.get("targets", [])),
        "duration_rounds": int(measure.get("duration_rounds", 1)),
        "description": f"{country} decision: {measure['kind'].replace('_', ' ')}",
        "source": f"classroom {country}",
    }
    if measure["kind"] == "ore_export_ban":
        spec["stage"] = "ore"
    if "share" in measure:
        spec["share"] = float(measure["share"])
    return {"round": rnd, "event": spec}


def submission_decisions(sub: Submission) -> list[dict[str, Any]]:
    """The decisions of one delegation's submission."""
    out: list[dict[str, Any]] = []
    levers = dict(sub.payload.get("levers") or {})
    if levers:
        out.append({"round": sub.round, "country": sub.country, "levers": levers})
    out += [_policy_event(sub.country, sub.round, m) for m in sub.payload.get("policy") or []]
    out += [
        {"round": sub.round, "country": sub.country, "pact": p["pact"], "action": p["action"]}
        for p in sub.payload.get("pacts") or []
    ]
    return out


def offer_decisions(offer: Offer) -> list[dict[str, Any]]:
    """The decisions an offer contributes when its round resolves.

    A deal sent to a bot goes without a response (the bot answers); a human's answer goes with
    it; an accepted pact invitation makes both countries join. Open, withdrawn and expired
    offers contribute nothing.
    """
    if offer.kind == "pact":
        if offer.status != "accepted":
            return []
        pact = str(offer.terms["pact"])
        return [
            {"round": offer.round, "country": c, "pact": pact, "action": "join"}
            for c in (offer.proposer, offer.responder)
        ]
    base = {
        "round": offer.round,
        "proposer": offer.proposer,
        "responder": offer.responder,
        "terms": {k: v for k, v in offer.terms.items() if k in DEAL_FIELDS},
    }
    if offer.status == "sent":
        return [base]
    if offer.status in ("accepted", "rejected", "countered"):
        return [{**base, "response": "accept" if offer.status == "accepted" else "reject"}]
    return []


def assemble(
    upto: int,
    events: Iterable[InjectedEvent],
    submissions: Iterable[Submission],
    offers: Iterable[Offer],
) -> list[dict[str, Any]]:
    """Every decision of rounds ``0..upto`` in the canonical order (validated)."""
    by_round: dict[int, list[dict[str, Any]]] = {r: [] for r in range(upto + 1)}
    for e in sorted(events, key=lambda e: e.id):
        if e.round <= upto:
            by_round[e.round].append({"round": e.round, "event": dict(e.event)})
    for s in sorted(submissions, key=lambda s: (s.round, s.country)):
        if s.round <= upto:
            by_round[s.round] += submission_decisions(s)
    for o in sorted(offers, key=lambda o: o.id):
        if o.round <= upto:
            by_round[o.round] += offer_decisions(o)
    out = [d for r in range(upto + 1) for d in by_round[r]]
    parse_decisions(out)
    return out


class Resolver:
    """Runs and caches records.

    Args:
        cache_size: Records kept in memory.
    """

    def __init__(self, cache_size: int = 24) -> None:
        self._cache: OrderedDict[str, RunRecord] = OrderedDict()
        self._size = cache_size
        self._lock = threading.Lock()
        self._running: dict[str, threading.Lock] = {}

    def cached(self, key: str) -> RunRecord | None:
        """The cached record of inputs with this ``RunInputs.key``, or None."""
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
            return found

    def record(self, inputs: RunInputs) -> tuple[RunRecord, float]:
        """Return the record for the inputs and the seconds it took (0 when cached)."""
        key = inputs.key
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key], 0.0
            gate = self._running.setdefault(key, threading.Lock())
        with gate:  # one simulation per key at a time; others wait and reuse it
            with self._lock:
                if key in self._cache:
                    return self._cache[key], 0.0
            t0 = time.perf_counter()
            rec = run(
                inputs.scenario,
                strategy=inputs.strategy,
                seed=inputs.seed,
                rounds=inputs.rounds,
                decisions=[dict(d) for d in inputs.decisions],
                humans=inputs.humans,
            )
            seconds = time.perf_counter() - t0
            with self._lock:
                self._cache[key] = rec
                while len(self._cache) > self._size:
                    self._cache.popitem(last=False)
                self._running.pop(key, None)
        return rec, seconds


def facilitator_events_only(decisions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The facilitator's injected events of a decision list (for the bots-only counterfactual)."""
    return [
        dict(d)
        for d in decisions
        if "event" in d and str(d["event"].get("source", "")).endswith("facilitator")
    ]


def bot_offers(record: RunRecord, humans: Sequence[str], rnd: int) -> list[dict[str, Any]]:
    """Offers bots made to human countries in round ``rnd`` that await the human's answer.

    Reads the negotiation layer's ``negotiation_offers`` table when the record has one: rows of
    the round whose responder is a human country and whose status says pending. Returns
    ``{"proposer", "responder", "kind", "terms"}`` dicts (terms as ``DealTerms`` fields).
    """
    table = record.tables.get("negotiation_offers")
    if table is None or table.empty or "responder" not in table.columns:
        return []
    rows = table[(table["round"] == rnd) & table["responder"].isin(list(humans))]
    status = next((c for c in ("status", "outcome", "action") if c in rows.columns), None)
    if status is None:
        return []
    rows = rows[rows[status].astype(str) == "pending"]
    out = []
    for row in rows.to_dict("records"):
        terms = _terms_of({str(k): v for k, v in row.items()})
        if terms is not None and row.get("proposer") not in humans:
            out.append(
                {
                    "proposer": str(row["proposer"]),
                    "responder": str(row["responder"]),
                    "kind": terms["kind"],
                    "terms": terms,
                }
            )
    return out


def _terms_of(row: Mapping[str, Any]) -> dict[str, Any] | None:
    """``DealTerms`` fields of an offer row (a JSON ``terms`` column or one column per term)."""
    raw: Any = row.get("terms")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            raw = None
    if not isinstance(raw, Mapping):
        raw = {k: row[k] for k in DEAL_FIELDS if k in row and not _na(row[k])}
    if raw.get("kind") not in ("investment", "offtake", "tech_transfer"):
        return None
    return {k: raw[k] for k in DEAL_FIELDS if k in raw}


def _na(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
