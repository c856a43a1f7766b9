"""What each role may see, as plain JSON-ready data built on the server.

* :func:`student_view`: one delegation's view: public brief, its own private brief and results,
  offers it made or received. Nothing private of another country is ever included.
* :func:`projector_view`: public data only (the projector and anyone with the code).
* :func:`facilitator_view`: everything about the session (facilitator only).
* :func:`debrief_view`: after the session: outcomes, hidden values and counterfactuals.

The browser pages and the JSON API both render these, so one set of tests covers what leaks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd

from mineralgame.classroom import briefs, queries, scoring
from mineralgame.classroom.entities import PHASE_LABELS, Offer, Seat, Session
from mineralgame.record import RunRecord

if TYPE_CHECKING:
    from mineralgame.classroom.engine import Engine, Facilitator

CONNECTED_SECONDS = 20.0


def session_header(session: Session, now: float) -> dict[str, Any]:
    """Phase, round and timer of a session (public)."""
    remaining = session.remaining(now)
    return {
        "code": session.code,
        "title": session.config.title or "mineralgame classroom",
        "round": session.round,
        "rounds": session.config.rounds,
        "phase": session.phase,
        "phase_label": PHASE_LABELS[session.phase],
        "remaining": None if remaining is None else round(remaining, 1),
        "paused": session.paused,
        "broadcast": session.broadcast,
        "version": session.version,
        "humans": list(session.humans),
        "scores": session.config.scores,
    }


def terms_text(offer: Offer) -> str:
    """A one-line summary of an offer's terms."""
    t = offer.terms
    if offer.kind == "pact":
        return f"invitation to join pact {t.get('pact')}"
    parts = [f"{offer.kind.replace('_', ' ')} in {t.get('mineral')}"]
    if t.get("investment_usd"):
        parts.append(f"${float(t['investment_usd']) / 1e6:,.0f} m invested")
    if offer.kind in ("investment", "offtake"):
        parts.append(f"offtake {float(t.get('offtake_share', 0)):.0%}")
    if t.get("tonnes_per_round"):
        parts.append(f"{float(t['tonnes_per_round']):,.0f} t/round")
    if offer.kind != "tech_transfer":
        parts.append(f"price {float(t.get('price_vs_index', 1)):.2f}× index")
    if t.get("equity"):
        parts.append(f"equity {float(t['equity']):.0%}")
    if offer.kind == "tech_transfer":
        parts.append(f"technology level {float(t.get('technology_level', 0)):.2f}")
        parts.append(f"fee ${float(t.get('fee_usd', 0)) / 1e6:,.0f} m")
    parts.append(f"{t.get('duration_rounds', 1)} rounds")
    return ", ".join(parts)


def offer_row(offer: Offer, viewer: str | None, session: Session) -> dict[str, Any]:
    """An offer as a row (``can_answer``/``can_withdraw`` for the viewing delegation)."""
    live = session.phase in ("negotiate", "decide") and offer.round == session.round
    return {
        "id": offer.id,
        "round": offer.round,
        "proposer": offer.proposer,
        "responder": offer.responder,
        "kind": offer.kind,
        "terms": dict(offer.terms),
        "summary": terms_text(offer),
        "status": offer.status,
        "origin": offer.origin,
        "can_answer": live and offer.status == "open" and offer.responder == viewer,
        "can_withdraw": live and offer.status in ("open", "sent") and offer.proposer == viewer,
    }


def _last_round(df: pd.DataFrame) -> pd.DataFrame:
    if df.empty:
        return df
    return df[df["round"] == df["round"].max()]


def public_results(record: RunRecord | None, injected: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Public results of the published rounds: indicators, prices, pacts, deals, timeline."""
    if record is None:
        return {"round": None, "countries": [], "prices": [], "pacts": [], "contracts": []}
    cm = record.tables["country_mineral"]
    last = _last_round(cm)
    public = briefs.public_round_table(last)
    prices = _last_round(record.tables.get("prices", pd.DataFrame()))
    pacts = record.tables.get("pacts", pd.DataFrame())
    contracts = record.tables.get("contracts", pd.DataFrame())
    events = briefs.public_events(record.tables.get("events", pd.DataFrame()))
    keep = [c for c in ("round", "year", "kind", "actor", "target", "mineral", "description")]
    return {
        "round": int(last["round"].max()) if not last.empty else None,
        "countries": briefs.json_rows(public),
        "prices": briefs.json_rows(prices) if not prices.empty else [],
        "pacts": briefs.json_rows(_last_round(pacts)) if not pacts.empty else [],
        "contracts": briefs.json_rows(
            _last_round(contracts)[
                [c for c in ("buyer", "seller", "mineral", "tonnes", "kind") if c in contracts]
            ]
        )
        if not contracts.empty
        else [],
        "timeline": briefs.json_rows(events[[c for c in keep if c in events.columns]])
        if not events.empty
        else [],
        "announced": list(injected),
    }


def _scores_visible(session: Session) -> bool:
    return session.config.scores == "live" or (
        session.config.scores == "end" and session.phase == "ended"
    )


def _announced(engine: Engine, session: Session) -> list[dict[str, Any]]:
    """Injected events that were announced: news for the class (description, round)."""
    with engine.store.read() as con:
        events = queries.events(con, session.code)
    return [
        {"round": e.round, "kind": e.event.get("kind"), "description": e.event.get("description")}
        for e in events
    ]


def student_view(engine: Engine, seat: Seat, now: float) -> dict[str, Any]:
    """Everything one seat may see.

    Only the header (timer) and the seat's own name are built per request; the rest is derived
    once per session version and delegation (``Engine.derived``), so polling stays cheap.
    """
    session = engine.session(seat.code)
    assert session is not None
    body = engine.derived.get(
        session, ("student", seat.country), lambda: _delegation_view(engine, session, seat.country)
    )
    me = {"seat": seat.id, "name": seat.name, "country": seat.country}
    return {"session": session_header(session, now), "me": {**me, **body["me"]}, **body["view"]}


def _record_key(session: Session, record: RunRecord) -> tuple[str, str]:
    return (session.config.scenario_path, str(record.manifest["content_hash"]))


def _published(engine: Engine, session: Session) -> dict[str, Any]:
    """What every delegation's view shares at a version: the published record, its public
    results and scores (memoised by the record's content), offers, seats and submissions."""
    record = engine.published_record(session)
    announced = _announced(engine, session)
    scores = None
    if record is None:
        results = public_results(None, announced)
    else:
        key = _record_key(session, record)
        base = engine.memo.get(("public", *key), lambda: public_results(record, []))
        results = {**base, "announced": announced}
        if _scores_visible(session):
            scenario = engine.scenario(session.config)
            cm = record.tables["country_mineral"]
            scores = engine.memo.get(("scores", *key), lambda: scoring.scores(cm, scenario))
    return {
        "record": record,
        "results": results,
        "scores": scores,
        "offers": engine.offers(session.code),
        "seats": engine.seats(session.code),
        "submissions": engine.submissions(session.code, session.round),
    }


def _own_results(record: RunRecord, country: str) -> dict[str, list[dict[str, Any]]]:
    """A country's private rows of the last published round and its negotiation moves."""
    cm = record.tables["country_mineral"]
    own = briefs.json_rows(briefs.own_rows(_last_round(cm), country))
    negotiation: list[dict[str, Any]] = []
    neg = record.tables.get("negotiation_offers")
    if neg is not None and not neg.empty and {"proposer", "responder"} <= set(neg.columns):
        last = neg[neg["round"] == neg["round"].max()]
        mine = last[(last["proposer"] == country) | (last["responder"] == country)]
        if "status" in mine.columns:
            mine = mine[mine["status"].isin(["accepted", "rejected", "pending", "timeout"])]
        keep = ["round", "deal_type", "mineral", "proposer", "responder", "status", "terms"]
        negotiation = briefs.json_rows(mine[[c for c in keep if c in mine.columns]].tail(20))
    return {"own": own, "negotiation": negotiation}


def _delegation_view(engine: Engine, session: Session, country: str) -> dict[str, Any]:
    """One delegation's part of the student view at the session's version."""
    shared = engine.derived.get(session, "published", lambda: _published(engine, session))
    scenario = engine.scenario(session.config)
    path, strategy = session.config.scenario_path, session.config.strategy
    sub = next((s for s in shared["submissions"] if s.country == country), None)
    offers = [o for o in shared["offers"] if country in (o.proposer, o.responder)]
    record: RunRecord | None = shared["record"]
    own: list[dict[str, Any]] = []
    negotiation: list[dict[str, Any]] = []
    if record is not None:
        key = ("own", *_record_key(session, record), country)
        mine = engine.memo.get(key, lambda: _own_results(record, country))
        own, negotiation = mine["own"], mine["negotiation"]
    delegation = [s.name for s in shared["seats"] if s.country == country]
    scores = shared["scores"]
    return {
        "me": {"delegation": delegation},
        "view": {
            "public_brief": engine.memo.get(
                ("public_brief", path, session.humans),
                lambda: briefs.public_brief(scenario, session.humans),
            ),
            "private_brief": engine.memo.get(
                ("private_brief", path, country, strategy),
                lambda: briefs.private_brief(scenario, country, strategy),
            ),
            "decision": {
                "submitted": sub is not None and not sub.reopened,
                "reopened": sub is not None and sub.reopened,
                "timed_out": bool(sub and sub.timed_out),
                "payload": dict(sub.payload) if sub else None,
            },
            "inbox": [
                offer_row(o, country, session)
                for o in offers
                if o.responder == country and o.round == session.round
            ],
            "outbox": [
                offer_row(o, country, session)
                for o in offers
                if o.proposer == country and o.round == session.round
            ],
            "history": [offer_row(o, country, session) for o in offers if o.round < session.round],
            "own_results": own,
            "negotiation": negotiation,
            "results": shared["results"],
            "score": None if scores is None else scores.get(country),
        },
    }


def roster(engine: Engine, session: Session, now: float) -> list[dict[str, Any]]:
    """Delegations with their students, connection and submission state (facilitator)."""
    subs = {s.country: s for s in engine.submissions(session.code, session.round)}
    world = engine.world(session)
    countries = session.humans if session.phase != "lobby" else session.config.human_countries
    seats = engine.seats(session.code)
    rows = []
    for country in countries:
        members = [s for s in seats if s.country == country]
        sub = subs.get(country)
        rows.append(
            {
                "country": country,
                "name": world.names[country],
                "students": ", ".join(s.name for s in members) or "—",
                "connected": sum(now - s.last_seen < CONNECTED_SECONDS for s in members),
                "submitted": "no"
                if sub is None
                else ("timed out" if sub.timed_out else ("reopened" if sub.reopened else "yes")),
                "last_seen": max((s.last_seen for s in members), default=0.0),
            }
        )
    return rows


def projector_view(engine: Engine, session: Session, now: float) -> dict[str, Any]:
    """The public view (projector): no private data."""
    shared = engine.derived.get(session, "published", lambda: _published(engine, session))
    subs = {s.country for s in shared["submissions"]}
    seats = shared["seats"]
    countries = session.humans if session.phase != "lobby" else session.config.human_countries
    delegations = [
        {
            "country": c,
            "students": sum(s.country == c for s in seats),
            "submitted": c in subs,
        }
        for c in countries
    ]
    return {
        "session": session_header(session, now),
        "delegations": delegations,
        "results": shared["results"],
    }


def facilitator_view(engine: Engine, fac: Facilitator, now: float) -> dict[str, Any]:
    """Everything about a session (facilitator only)."""
    session = engine.session(fac.code)
    assert session is not None
    subs = engine.submissions(session.code, session.round)
    return {
        "session": session_header(session, now),
        "config": {
            "scenario": session.config.scenario_path,
            "seed": session.config.seed,
            "strategy": session.config.strategy,
            "human_countries": list(session.config.human_countries),
        },
        "roster": roster(engine, session, now),
        "submissions": [
            {
                "country": s.country,
                "round": s.round,
                "payload": dict(s.payload),
                "timed_out": s.timed_out,
                "reopened": s.reopened,
            }
            for s in subs
        ],
        "offers": [offer_row(o, None, session) for o in engine.offers(session.code, session.round)],
        "events": _announced(engine, session),
        "rounds": [
            {"round": r.round, "status": r.status, "seconds": round(r.seconds, 3)}
            for r in engine.rounds(session.code)
        ],
    }


def debrief_view(engine: Engine, session: Session) -> dict[str, Any]:
    """Outcomes, hidden values and the bots-only counterfactuals of a finished session."""
    scenario = engine.scenario(session.config)
    record = engine.published_record(session)
    if record is None:
        return {"session": session_header(session, 0.0), "available": False}
    cm = record.tables["country_mineral"]
    outcomes = scoring.score_table(cm, scenario)
    counter = {}
    for strategy in ("derisk", "decouple"):
        alt = engine.counterfactual(session, strategy)
        if alt is not None:
            counter[strategy] = dict(alt.summary)
    return {
        "session": session_header(session, 0.0),
        "available": True,
        "summary": dict(record.summary),
        "outcomes": briefs.json_rows(outcomes),
        "hidden": briefs.json_rows(briefs.hidden_values(scenario, session.config.strategy)),
        "counterfactual": counter,
        "content_hash": record.manifest["content_hash"],
    }
