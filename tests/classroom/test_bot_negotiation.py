"""Bots answer people's offers through the negotiation layer (engine level, no browser).

* A student's investment, offtake or technology-transfer offer to a bot is accepted or rejected
  by the bot's own negotiation logic, the same way on every replay of the session.
* An accepted offer changes the world in the record: a project, a contract, a technology gain.
* A bot's offer to a person arrives in that delegation's inbox only, and an acceptance signs
  the deal in the round it is answered in.
* A decoupling bot never signs with its banned counterparty (the dominant processor).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from conftest import SCENARIO, FakeClock, new_session

import mineralgame
from mineralgame.classroom import Engine, Store, views
from mineralgame.classroom.resolution import bot_offers
from mineralgame.record import RunRecord

INVEST = {"mineral": "lithium", "offtake_share": 0.1, "duration_rounds": 10}
OFFTAKE = {"mineral": "lithium", "offtake_share": 0.05, "duration_rounds": 2}
TECH = {"mineral": "graphite", "technology_level": 1.0, "fee_usd": 0}

# (responder, kind, terms): two investments and two offtakes (generous, stingy) and a licence
JPN_OFFERS: list[tuple[str, str, dict[str, Any]]] = [
    ("CHL", "investment", {**INVEST, "price_vs_index": 1.2}),
    ("CHL", "investment", {**INVEST, "price_vs_index": 0.85}),
    ("AUS", "offtake", {**OFFTAKE, "price_vs_index": 1.2}),
    ("AUS", "offtake", {**OFFTAKE, "price_vs_index": 0.95}),
    ("USA", "tech_transfer", TECH),
]


def _human(record: RunRecord, rnd: int | None = None) -> pd.DataFrame:
    s = record.tables["negotiation_sessions"]
    s = s[s["deal_type"] == "human"]
    if rnd is not None:
        s = s[s["round"] == rnd]
    cols = ["round", "proposer", "responder", "mineral", "end_reason", "agreed", "deal_id"]
    return s[cols].reset_index(drop=True)


def _technology(record: RunRecord, country: str, mineral: str) -> list[float]:
    cm = record.tables["country_mineral"]
    rows = cm[(cm["country"] == country) & (cm["mineral"] == mineral)].sort_values("round")
    return [float(v) for v in rows["technology"]]


def _play_jpn_offers(tmp: Path) -> tuple[Engine, str, RunRecord]:
    """A session where JPN (the only student delegation) sends JPN_OFFERS in round 0 and the
    facilitator resolves rounds 0 and 1; returns the record of both rounds."""
    engine = Engine(Store(tmp / "c.db"), clock=FakeClock())
    code, secret = new_session(engine)
    fac = engine.facilitator(code, secret)
    assert fac is not None
    seat = engine.join(code, "Ada", "JPN")[0]
    engine.start(fac)
    for responder, kind, terms in JPN_OFFERS:
        sent = engine.make_offer(seat, {"responder": responder, "kind": kind, "terms": terms})
        assert sent.status == "sent"  # to a bot: the bot answers when the round resolves
    for _ in range(7):  # decide, preview, results, round 1 negotiate, decide, preview, results
        engine.advance(fac)
    session = engine.session(code)
    assert session is not None
    assert (session.round, session.phase) == (1, "results")
    record = engine.published_record(session)
    assert record is not None
    return engine, code, record


def test_bots_answer_student_offers_deterministically_and_deals_change_the_world(
    tmp_path: Path,
) -> None:
    _engine, _code, record = _play_jpn_offers(tmp_path / "a")
    human = _human(record, 0)
    assert list(human["responder"]) == [r for r, _k, _t in JPN_OFFERS]
    assert list(human["end_reason"]) == [
        "agreement",  # investment at 1.2 × index: worth more than the host's reservation
        "rejected",  # investment at 0.85 × index: below it
        "agreement",  # offtake at 1.2 × index
        "rejected",  # offtake at 0.95 × index
        "agreement",  # technology licence to a bot with a gap to close
    ]
    # the bots decided: the offers went to the model without a response
    sent = [d for d in record.manifest["decisions"] if d.get("proposer") == "JPN"]
    assert len(sent) == len(JPN_OFFERS)
    assert all("response" not in d for d in sent)
    invest, _, offtake, _, tech = human["deal_id"]
    projects = record.tables["projects"]
    built = projects[projects["source"] == invest]
    assert set(zip(built["owner"], built["host"], built["mineral"], strict=True)) == {
        ("JPN", "CHL", "lithium")
    }
    contracts = record.tables["contracts"]
    signed = contracts[contracts["contract_id"] == offtake]
    assert not signed.empty
    assert set(signed["kind"]) == {"deal_offtake"}
    assert set(zip(signed["buyer"], signed["seller"], strict=True)) == {("JPN", "AUS")}
    assert (signed["tonnes"] > 0).all()
    # the licence raises USA's graphite technology after the lag (one round); without the
    # offers (bots only, same seed) it does not move
    with_deal = _technology(record, "USA", "graphite")
    assert with_deal[1] > with_deal[0]
    without = mineralgame.run(SCENARIO, seed=1, rounds=2, humans=("JPN",))
    assert _technology(without, "USA", "graphite")[1] < with_deal[1]
    assert tech.startswith("D00-")
    # replaying the same session (new database, new engine, no cache) gives the same answers
    _e2, _c2, again = _play_jpn_offers(tmp_path / "b")
    pd.testing.assert_frame_equal(_human(again), _human(record))
    assert again.manifest["content_hash"] == record.manifest["content_hash"]
    # and so does the model run from the record's own decisions
    replay = mineralgame.run(
        SCENARIO,
        seed=1,
        rounds=2,
        decisions=record.manifest["decisions"],
        humans=tuple(record.manifest["humans"]),
    )
    pd.testing.assert_frame_equal(_human(replay), _human(record))


def test_bot_offer_reaches_the_students_inbox_and_acceptance_signs_it_next_round(
    engine: Engine, clock: FakeClock
) -> None:
    code, secret = new_session(engine)
    fac = engine.facilitator(code, secret)
    assert fac is not None
    usa = engine.join(code, "Ann", "USA")[0]
    jpn = engine.join(code, "Ken", "JPN")[0]
    engine.start(fac)
    for _ in range(4):  # decide, preview, results (bots' offers arrive), round 1 negotiate
        engine.advance(fac)
    session = engine.session(code)
    assert session is not None
    round0 = engine.published_record(session)
    assert round0 is not None
    posted = bot_offers(round0, session.humans, 0)
    to_usa = [p for p in posted if p["responder"] == "USA"]
    assert to_usa, "bots post offers to the student delegation instead of negotiating for it"
    assert not _human(round0, 0)["agreed"].any()  # pending: nothing signed in round 0
    view = views.student_view(engine, usa, clock.now)
    inbox = view["inbox"]
    assert [(o["proposer"], o["kind"], o["terms"]) for o in inbox] == [
        (p["proposer"], p["kind"], p["terms"]) for p in to_usa
    ]
    assert all(o["origin"] == "bot" and o["status"] == "open" and o["can_answer"] for o in inbox)
    # another delegation sees none of USA's offers
    other = views.student_view(engine, jpn, clock.now)
    ids = {o["id"] for o in inbox}
    seen = {o["id"] for key in ("inbox", "outbox", "history") for o in other[key]}
    assert not ids & seen
    first = inbox[0]
    engine.answer_offer(usa, first["id"], "accept")
    for o in inbox[1:]:
        engine.answer_offer(usa, o["id"], "reject")
    for _ in range(3):  # decide, preview, results of round 1
        engine.advance(fac)
    session = engine.session(code)
    assert session is not None
    record = engine.published_record(session)
    assert record is not None
    answered = _human(record, 1)
    answered = answered[answered["responder"] == "USA"]
    assert list(answered["proposer"]) == [o["proposer"] for o in inbox]
    assert list(answered["end_reason"]) == ["agreement"] + ["rejected"] * (len(inbox) - 1)
    deal = answered["deal_id"].iloc[0]
    assert deal.startswith("D01-")  # signed in the round it was answered in
    mineral = first["terms"]["mineral"]
    if first["kind"] == "tech_transfer":
        for _ in range(4):  # round 2: the transferred technology takes effect after the lag
            engine.advance(fac)
        last = engine.published_record(engine.session(code))  # type: ignore[arg-type]
        assert last is not None
        tech = _technology(last, "USA", mineral)
        assert tech[2] > tech[1] == tech[0]
    elif first["kind"] == "investment":
        assert (record.tables["projects"]["source"] == deal).any()
    else:
        assert (record.tables["contracts"]["contract_id"] == deal).any()


def _chn_session(tmp: Path, strategy: str) -> RunRecord:
    """CHN and JPN are students; CHN offers technology to bots in rounds 0 and 1, JPN invests."""
    engine = Engine(Store(tmp / f"{strategy}.db"), clock=FakeClock())
    code, secret = new_session(engine, strategy=strategy, rounds=2)
    fac = engine.facilitator(code, secret)
    assert fac is not None
    chn = engine.join(code, "Li", "CHN")[0]
    jpn = engine.join(code, "Ken", "JPN")[0]
    engine.start(fac)
    for rnd in range(2):
        for responder, mineral in (("EUR", "cobalt"), ("AUS", "lithium")):
            terms = {"mineral": mineral, "technology_level": 1.0, "fee_usd": 0}
            offer = {"responder": responder, "kind": "tech_transfer", "terms": terms}
            engine.make_offer(chn, offer)
        engine.make_offer(
            jpn,
            {"responder": "CHL", "kind": "investment", "terms": {**INVEST, "price_vs_index": 1.2}},
        )
        for _ in range(3 if rnd == 0 else 2):
            engine.advance(fac)
        if rnd == 0:
            session = engine.advance(fac)
            assert (session.round, session.phase) == (1, "negotiate")
            inbox = [o for o in engine.offers(code, 1) if o.responder == "CHN"]
            if strategy == "decouple":
                assert inbox == [], "a decoupling bot offers nothing to its banned counterparty"
    record = engine.preview_record(fac)
    assert record is not None
    return record


MEMBERS = {"USA", "EUR", "JPN", "KOR", "IND", "AUS"}


def _members_signed_with_chn(record: RunRecord) -> pd.DataFrame:
    """Agreed sessions between CHN and a member state (the decoupling bots)."""
    s = record.tables["negotiation_sessions"]
    parties = s["parties"].astype(str).str.split(",").map(set)
    with_chn = parties.map(lambda p: "CHN" in p and bool(p & MEMBERS))
    return s[s["agreed"].astype(bool) & with_chn]


def test_decoupling_bot_never_accepts_from_its_banned_counterparty(tmp_path: Path) -> None:
    # control: under business as usual the same licences from CHN are signed by the bots
    bau = _human(_chn_session(tmp_path, "bau"))
    chn_bau = bau[bau["proposer"] == "CHN"]
    assert chn_bau["agreed"].any(), "control: bau bots take some of CHN's offers"
    decouple = _chn_session(tmp_path, "decouple")
    human = _human(decouple)
    chn = human[human["proposer"] == "CHN"]
    assert len(chn) == 4
    assert not chn["agreed"].any()
    assert set(chn["end_reason"]) <= {"infeasible", "rejected"}
    # no member signed anything with CHN in any negotiation, nor accepted a move of it
    assert _members_signed_with_chn(decouple).empty
    moves = decouple.tables["negotiation_offers"]
    pair = moves["proposer"].isin(["CHN"]) & moves["responder"].isin(MEMBERS)
    pair |= moves["responder"].isin(["CHN"]) & moves["proposer"].isin(MEMBERS)
    assert not (moves[pair]["action"] == "accept").any()
    # a counterparty that is not banned still gets its deal
    jpn = human[human["proposer"] == "JPN"]
    assert jpn["agreed"].all()
