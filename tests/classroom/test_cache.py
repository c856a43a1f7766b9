"""The per-session view cache: reused while the session's version stands, dropped on change."""

from __future__ import annotations

from conftest import FakeClock, new_session

from mineralgame.classroom import Engine, views


def test_student_view_is_cached_per_version_and_never_stale(
    engine: Engine, clock: FakeClock
) -> None:
    code, secret = new_session(engine)
    fac = engine.facilitator(code, secret)
    assert fac is not None
    jpn = engine.join(code, "Ada", "JPN")[0]
    cod = engine.join(code, "Bo", "COD")[0]
    engine.start(fac)
    first = views.student_view(engine, jpn, clock.now)
    hits = engine.derived.hits
    again = views.student_view(engine, jpn, clock.now)
    assert engine.derived.hits > hits, "an unchanged session is served from the cache"
    assert again == first
    # any change bumps the version: the next view shows it at once, for every delegation
    terms = {"mineral": "cobalt", "investment_usd": 5e8, "offtake_share": 0.4}
    offer = engine.make_offer(jpn, {"responder": "COD", "kind": "investment", "terms": terms})
    assert [o["id"] for o in views.student_view(engine, jpn, clock.now)["outbox"]] == [offer.id]
    assert [o["id"] for o in views.student_view(engine, cod, clock.now)["inbox"]] == [offer.id]
    engine.answer_offer(cod, offer.id, "accept")
    assert views.student_view(engine, jpn, clock.now)["outbox"][0]["status"] == "accepted"
    engine.submit(jpn, {"levers": {"dependence_cap": 0.5}})
    assert views.student_view(engine, jpn, clock.now)["decision"]["submitted"]
    assert not views.student_view(engine, cod, clock.now)["decision"]["submitted"]
    # the seat's own name is per request, never another seat's from the cache
    twin = engine.join(code, "Cy", "JPN")[0]
    me = views.student_view(engine, twin, clock.now)["me"]
    assert (me["seat"], me["name"], me["delegation"]) == (twin.id, "Cy", ["Ada", "Cy"])
    # results appear once published, and disappear again on undo
    for _ in range(3):  # decide, preview, results
        engine.advance(fac)
    published = views.student_view(engine, jpn, clock.now)
    assert published["results"]["round"] == 0
    assert published["score"] is not None
    assert published["own_results"]
    engine.undo(fac)
    undone = views.student_view(engine, jpn, clock.now)
    assert undone["results"]["round"] is None
    assert undone["score"] is None
    assert undone["own_results"] == []
    assert views.projector_view(engine, engine.session(code), clock.now)["results"]["round"] is None  # type: ignore[arg-type]
