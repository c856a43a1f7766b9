"""Engine: phases, timers, submissions, offers, force-submit, undo, events, restart, replay."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SCENARIO, FakeClock, new_session

import mineralgame
from mineralgame.classroom import ClassroomError, Engine, InputError, Store, queries
from mineralgame.classroom.resolution import assemble
from mineralgame.config.schema import Scenario
from mineralgame.record import open_record


def _seated(engine: Engine) -> tuple[str, object, dict[str, object]]:
    code, secret = new_session(engine)
    fac = engine.facilitator(code, secret)
    seats = {c: engine.join(code, f"Student {c}", c)[0] for c in ("JPN", "COD", "CHN")}
    return code, fac, seats


def test_join_codes_and_secrets(engine: Engine) -> None:
    code, secret = new_session(engine)
    assert len(code) == 6
    assert not set(code) & set("0O1IL")
    assert engine.facilitator(code, secret) is not None
    assert engine.facilitator(code, secret[:-1] + ("x" if secret[-1] != "x" else "y")) is None
    assert engine.facilitator(code.lower(), secret) is not None  # codes forgive case
    seat, token = engine.join(code, "Ada", "JPN")
    assert engine.seat(code, token) == seat
    assert engine.seat(code, "x" * 32) is None
    with engine.store.read() as con:
        dump = "".join(str(tuple(r)) for r in con.execute("SELECT * FROM seats, sessions"))
    assert token not in dump
    assert secret not in dump


def test_phases_timers_and_humans(engine: Engine, clock: FakeClock) -> None:
    _code, fac, _ = _seated(engine)
    session = engine.start(fac)
    assert session.phase == "negotiate"
    assert session.humans == ("CHN", "COD", "JPN")
    assert session.remaining(clock.now) == 300
    clock.now += 100
    paused = engine.pause(fac)
    assert paused.paused
    assert paused.remaining(clock.now + 50) == 200
    extended = engine.extend(fac, 60)
    assert extended.remaining(clock.now) == 260
    resumed = engine.pause(fac)
    assert not resumed.paused
    assert resumed.remaining(clock.now + 10) == 250
    with pytest.raises(InputError, match="1 to 3600"):
        engine.extend(fac, 0)
    assert engine.advance(fac).phase == "decide"
    assert engine.advance(fac).phase == "preview"
    assert engine.advance(fac).phase == "results"
    nxt = engine.advance(fac)
    assert (nxt.phase, nxt.round) == ("negotiate", 1)


def test_submit_lock_force_submit_and_validation(engine: Engine) -> None:
    code, fac, seats = _seated(engine)
    with pytest.raises(ClassroomError, match="closed"):
        engine.submit(seats["JPN"], {"levers": {"dependence_cap": 0.5}})
    engine.start(fac)
    with pytest.raises(InputError, match=r"dependence_cap: must be between 0 and 1"):
        engine.submit(seats["JPN"], {"levers": {"dependence_cap": 1.5}})
    with pytest.raises(InputError, match="unknown lever"):
        engine.submit(seats["JPN"], {"levers": {"budget": 1e12}})
    with pytest.raises(InputError, match="only member states"):
        engine.submit(seats["COD"], {"levers": {"dependence_cap": 0.5}})
    with pytest.raises(InputError, match="unknown part"):
        engine.submit(seats["JPN"], {"country": "USA", "levers": {}})
    sub = engine.submit(seats["JPN"], {"levers": {"stockpile_target_days": 90}})
    assert sub.country == "JPN"
    assert not sub.timed_out
    with pytest.raises(ClassroomError, match="already submitted"):
        engine.submit(seats["JPN"], {"levers": {}})
    assert sorted(engine.force_submit(fac)) == ["CHN", "COD"]
    flagged = {s.country: s.timed_out for s in engine.submissions(code, 0)}
    assert flagged == {"CHN": True, "COD": True, "JPN": False}


def test_offers_between_humans_and_to_bots(engine: Engine) -> None:
    _code, fac, seats = _seated(engine)
    engine.start(fac)
    terms = {"mineral": "cobalt", "investment_usd": 5e8, "offtake_share": 0.4}
    offer = engine.make_offer(
        seats["JPN"], {"responder": "COD", "kind": "investment", "terms": terms}
    )
    assert offer.status == "open"
    with pytest.raises(ClassroomError, match="no such offer"):
        engine.answer_offer(seats["CHN"], offer.id, "accept")  # not addressed to CHN
    counter = engine.answer_offer(
        seats["COD"], offer.id, "counter", {"terms": {**terms, "offtake_share": 0.2}}
    )
    assert (counter.proposer, counter.responder, counter.status) == ("COD", "JPN", "open")
    assert engine.answer_offer(seats["JPN"], counter.id, "accept").status == "accepted"
    bot = engine.make_offer(
        seats["JPN"], {"responder": "CHL", "kind": "offtake", "terms": {"mineral": "lithium"}}
    )
    assert bot.status == "sent"
    with pytest.raises(InputError, match="pact invitations go to countries played by students"):
        engine.make_offer(seats["JPN"], {"responder": "AUS", "kind": "pact", "pact": "MSP"})
    pact = engine.make_offer(seats["JPN"], {"responder": "COD", "kind": "pact", "pact": "GREEN"})
    engine.answer_offer(seats["COD"], pact.id, "accept")
    with pytest.raises(InputError, match=r"terms\.mineral"):
        engine.make_offer(seats["JPN"], {"responder": "COD", "kind": "offtake", "terms": {}})
    with pytest.raises(InputError, match="responder"):
        engine.make_offer(seats["JPN"], {"responder": "JPN", "kind": "offtake", "terms": terms})
    engine.advance(fac)
    session = engine.advance(fac)
    record = engine.preview_record(fac)
    assert record is not None
    assert session.phase == "preview"
    decisions = record.manifest["decisions"]
    offers = [d for d in decisions if "proposer" in d]
    assert [(d["proposer"], d["responder"], d.get("response")) for d in offers] == [
        ("JPN", "COD", "reject"),
        ("COD", "JPN", "accept"),
        ("JPN", "CHL", None),
    ]
    joins = sorted(d["country"] for d in decisions if d.get("pact") == "GREEN")
    assert joins == ["COD", "JPN"]
    assert record.manifest["humans"] == ["CHN", "COD", "JPN"]


def test_events_undo_and_restart(tmp_path: Path, clock: FakeClock) -> None:
    engine = Engine(Store(tmp_path / "c.db"), clock=clock)
    code, fac, seats = _seated(engine)
    engine.start(fac)
    spec = engine.inject_event(
        fac, {"kind": "mine_accident", "actor": "COD", "minerals": ["cobalt"], "share": 0.4}
    )
    assert spec["kind"] == "disruption"
    assert spec["round"] == 0
    with pytest.raises(InputError, match="share"):
        engine.inject_event(fac, {"kind": "export_controls", "actor": "CHN", "share": 3})
    with pytest.raises(InputError, match="description"):
        engine.inject_event(fac, {"kind": "news", "description": "   "})
    engine.submit(seats["JPN"], {"levers": {"investment_share": 0.3}})
    for _ in range(4):
        engine.advance(fac)  # decide, preview, results, round 1 negotiate
    engine.submit(seats["JPN"], {"levers": {"investment_share": 0.5}})
    first = engine.published_record(engine.session(code))
    assert first is not None
    assert first.tables["events"]["kind"].eq("disruption").any()
    # a new engine over the same database (a restarted server) sees everything
    again = Engine(Store(tmp_path / "c.db"), clock=clock)
    fac2 = again.facilitator(code, None) or fac
    session = again.undo(fac2)
    assert (session.phase, session.round) == ("decide", 0)
    assert [s.country for s in again.submissions(code, 1)] == []  # round 1 voided
    reopened = again.submissions(code, 0)
    assert [(s.country, s.reopened) for s in reopened] == [("JPN", True)]  # timed-outs dropped
    assert again.published_round(session) is None
    again.submit(seats["JPN"], {"levers": {"investment_share": 0.1}})
    with pytest.raises(ClassroomError, match="no resolved round"):
        again.undo(fac2)


def test_finished_session_replays_exactly(engine: Engine) -> None:
    code, fac, seats = _seated(engine)
    engine.start(fac)
    engine.inject_event(fac, {"kind": "export_controls", "actor": "CHN", "share": 0.3,
                              "minerals": ["graphite"], "targets": ["US_ALIGNED"]})  # fmt: skip
    for rnd in range(3):
        engine.submit(seats["JPN"], {"levers": {"stockpile_target_days": 30 + 30 * rnd}})
        engine.submit(
            seats["CHN"],
            {"policy": [{"kind": "export_licensing", "minerals": ["rare_earths"], "share": 0.5}]},
        )
        engine.make_offer(
            seats["JPN"], {"responder": "AUS", "kind": "offtake", "terms": {"mineral": "lithium"}}
        )
        for _ in range(4):
            session = engine.advance(fac)
    assert session.phase == "ended"
    saved = open_record(engine.records_dir / f"classroom_{code}")  # type: ignore[operator]
    m = saved.manifest
    replay = mineralgame.run(
        Scenario.model_validate(m["scenario"]),
        strategy=m["strategy"],
        seed=m["seed"],
        rounds=m["rounds"],
        decisions=m["decisions"],
        humans=tuple(m["humans"]),
    )
    assert m["rounds"] == 3
    assert replay.manifest["content_hash"] == m["content_hash"]
    from_file = mineralgame.run(
        SCENARIO, seed=m["seed"], rounds=3, decisions=m["decisions"], humans=tuple(m["humans"])
    )
    assert from_file.manifest["content_hash"] == m["content_hash"]


def test_assemble_order_is_canonical(engine: Engine) -> None:
    code, fac, seats = _seated(engine)
    engine.start(fac)
    engine.submit(seats["JPN"], {"levers": {"dependence_cap": 0.4}})
    engine.submit(seats["CHN"], {"pacts": [{"pact": "BRICS", "action": "join"}]})
    engine.inject_event(fac, {"kind": "news", "description": "Talks in Busan"})
    with engine.store.read() as con:
        parts = (
            queries.events(con, code),
            queries.submissions(con, code),
            queries.offers(con, code),
        )
    decisions = assemble(0, *parts)
    assert [next(iter(k for k in d if k != "round")) for d in decisions] == [
        "event",
        "country",
        "country",
    ]
    assert decisions[1]["country"] == "CHN"
    assert decisions[2]["country"] == "JPN"


def test_create_session_validation(engine: Engine) -> None:
    with pytest.raises(InputError, match="rounds"):
        new_session(engine, rounds=99)
    with pytest.raises(InputError, match="human_countries"):
        new_session(engine, human_countries=["ROW"])
    with pytest.raises(InputError, match="strategy"):
        new_session(engine, strategy="isolationism")
    with pytest.raises(InputError, match="scenario"):
        new_session(engine, scenario="/nonexistent.yaml")
    with pytest.raises(InputError, match="name"):
        engine.join(new_session(engine)[0], "<script>", "JPN")
    with pytest.raises(InputError, match="country"):
        engine.join(new_session(engine)[0], "Ann", "ROW")
