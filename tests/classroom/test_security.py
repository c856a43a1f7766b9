"""Crafted requests against a live server: a student can never act for another seat or country,
read another delegation's private brief, or use facilitator controls; every input is validated
on the server with a clear message."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from conftest import HUMANS, SCENARIO, LiveServer
from itsdangerous import URLSafeTimedSerializer

from mineralgame.classroom.auth import COOKIE_NAME

CONTROLS = ("start", "advance", "resolve", "publish", "pause", "undo", "end", "force-submit")


def _setup(live: LiveServer) -> tuple[str, requests.Session, dict[str, requests.Session]]:
    fac = requests.Session()
    r = fac.post(f"{live.url}/api/sessions", json={"scenario": SCENARIO, "rounds": 3, "seed": 2,
                                                    "human_countries": HUMANS})  # fmt: skip
    assert r.status_code == 201
    code = r.json()["code"]
    students = {}
    for country in ("JPN", "COD", "USA"):
        s = requests.Session()
        resp = s.post(f"{live.url}/api/{code}/join", json={"name": country, "country": country})
        assert resp.status_code == 201
        assert resp.json()["country"] == country
        assert "token" not in resp.text  # the token travels in the HTTP-only cookie only
        students[country] = s
    assert "HttpOnly" in _set_cookie_header(live, code)
    assert fac.post(f"{live.url}/api/{code}/control/start", json={}).json()["result"] == "negotiate"
    return code, fac, students


def _set_cookie_header(live: LiveServer, code: str) -> str:
    r = requests.post(f"{live.url}/api/{code}/join", json={"name": "Probe", "country": "JPN"})
    return r.headers.get("Set-Cookie", "")


def test_facilitator_controls_need_the_secret(live_server: LiveServer) -> None:
    code, fac, students = _setup(live_server)
    base = f"{live_server.url}/api/{code}"
    for who in (requests.Session(), students["JPN"]):
        for action in CONTROLS:
            r = who.post(f"{base}/control/{action}", json={})
            assert r.status_code == 403, action
        assert who.get(f"{base}/facilitator").status_code == 403
        for name in ("record.zip", "tables-csv.zip", "decisions.json", "log.json"):
            assert who.get(f"{live_server.url}/export/{code}/{name}").status_code == 403
        assert who.post(f"{base}/control/event", json={"event": {"kind": "news",
                        "description": "fake"}}).status_code == 403  # fmt: skip
    wrong = {"Authorization": "Bearer " + "A" * 32}
    assert requests.post(f"{base}/control/end", json={}, headers=wrong).status_code == 403
    assert (
        requests.post(f"{base}/facilitator/login", json={"secret": "nope" * 8}).status_code == 403
    )
    assert fac.get(f"{base}/facilitator").status_code == 200
    assert live_server.engine.session(code).phase == "negotiate"  # nothing happened


def test_seat_tokens_cannot_act_for_another_seat(live_server: LiveServer) -> None:
    code, _fac, students = _setup(live_server)
    base = f"{live_server.url}/api/{code}"
    jpn, cod, usa = students["JPN"], students["COD"], students["USA"]
    offer = jpn.post(f"{base}/offers", json={"offer": {"responder": "COD", "kind": "offtake",
                     "terms": {"mineral": "cobalt"}, "proposer": "USA"}})  # fmt: skip
    assert offer.status_code == 201
    oid = offer.json()["offer"]
    stored = live_server.engine.offers(code)[0]
    assert (stored.proposer, stored.responder) == ("JPN", "COD")  # body's proposer ignored
    # USA cannot answer an offer addressed to COD, nor withdraw JPN's offer
    assert usa.post(f"{base}/offers/{oid}/accept", json={}).status_code == 404
    assert usa.post(f"{base}/offers/{oid}/withdraw", json={}).status_code == 404
    assert jpn.post(f"{base}/offers/{oid}/accept", json={}).status_code == 404  # own offer
    assert cod.post(f"{base}/offers/{oid}/accept", json={}).json()["status"] == "accepted"
    # the decision lands on the seat's own country whatever the body says
    r = usa.post(f"{base}/decision", json={"decision": {"levers": {}}, "country": "JPN"})
    assert r.status_code == 200
    assert r.json()["country"] == "USA"
    # a tampered cookie is no cookie at all
    value = jpn.cookies.get(COOKIE_NAME)
    tampered = value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB")
    forged = requests.Session()
    forged.cookies.set(COOKIE_NAME, tampered)
    assert forged.get(f"{base}/me").status_code == 403
    # a cookie signed with another key, claiming a seat token, is rejected too
    fake = URLSafeTimedSerializer("not-the-key", salt="cookie-session",
                                  signer_kwargs={"key_derivation": "hmac", "digest_method":
                                                 __import__("hashlib").sha1})  # fmt: skip
    forged.cookies.set(COOKIE_NAME, fake.dumps({"seats": {code: "T" * 32}}))
    assert forged.get(f"{base}/me").status_code == 403
    # a seat of one session means nothing in another session
    other = requests.Session()
    r2 = other.post(f"{live_server.url}/api/sessions", json={"scenario": SCENARIO, "rounds": 2})
    code2 = r2.json()["code"]
    assert jpn.get(f"{live_server.url}/api/{code2}/me").status_code == 403


def test_no_private_data_of_another_country(live_server: LiveServer) -> None:
    code, fac, students = _setup(live_server)
    base = f"{live_server.url}/api/{code}"
    students["JPN"].post(
        f"{base}/decision", json={"decision": {"levers": {"dependence_cap": 0.4321}}}
    )
    for action in ("advance", "advance", "publish"):
        fac.post(f"{base}/control/{action}", json={})
    usa = students["USA"].get(f"{base}/me").json()
    text = json.dumps(usa)
    assert usa["private_brief"]["country"] == "USA"
    assert text.count("budget_usd_per_round") == 1
    assert "0.4321" not in text  # JPN's lever stays with JPN
    assert {r["country"] for r in usa["results"]["countries"]} > {"USA", "JPN"}
    assert all(set(r) <= {"round", "mineral", "demand_t", "consumption_t", "shortfall_share",
               "stock_t", "stock_cover_days", "reserves_t", "mine_capacity_t",
               "refining_capacity_t", "technology", "price_usd_per_t", "import_spend_usd",
               "export_revenue_usd", "investment_spend_usd", "dependence_dominant"}
               for r in usa["own_results"])  # fmt: skip
    public = requests.get(f"{base}/projector").json()
    ptext = json.dumps(public)
    for private in ("reserves_t", "stock_t", "budget", "preferences", "levers", "technology"):
        assert private not in ptext, private
    for key in public["results"]["countries"][0]:
        assert key in {"round", "year", "country", "mineral", "role", "mine_output_t",
                       "refined_output_t", "consumption_t", "shortfall_share",
                       "dependence_dominant"}  # fmt: skip
    assert requests.get(f"{base}/debrief").status_code == 403  # hidden values wait for the end


def _dash_call(
    session: requests.Session, url: str, output_part: str, values: dict[str, Any]
) -> requests.Response:
    deps = session.get(f"{url}/_dash-dependencies").json()
    dep = next(d for d in deps if output_part in d["output"])

    def fill(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {"id": i["id"], "property": i["property"],
             "value": values.get(f"{i['id']}.{i['property']}")}
            for i in items
        ]  # fmt: skip

    outputs = [
        {"id": o.split(".")[0], "property": o.split(".")[1].split("@")[0]}
        for o in dep["output"].strip(".").split("...")
    ]
    payload = {
        "output": dep["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": fill(dep["inputs"]),
        "state": fill(dep["state"]),
        "changedPropIds": [k for k in values if k.endswith("n_clicks")],
    }
    return session.post(f"{url}/_dash-update-component", json=payload)


def test_dash_callbacks_check_the_caller(live_server: LiveServer) -> None:
    code, fac, students = _setup(live_server)
    url = live_server.url
    path = {"url.pathname": f"/facilitator/{code}"}
    for who in (requests.Session(), students["JPN"]):
        r = _dash_call(who, url, "fac-msg.children", {"ctl-end.n_clicks": 1, **path})
        assert r.status_code == 200
        assert "not allowed" in r.text
        r = _dash_call(who, url, "ev-msg.children", {"ev-inject.n_clicks": 1, "ev-kind.value":
                       "news", "ev-text.value": "fake news", **path})  # fmt: skip
        assert "not allowed" in r.text
        r = _dash_call(who, url, "fac-roster.children", {"fac-version.data": 5, **path})
        assert r.status_code == 204 or "Student" not in r.text
    assert live_server.engine.session(code).phase == "negotiate"
    # a student's refresh for another session's page returns nothing of that session
    other = requests.Session().post(f"{url}/api/sessions", json={"scenario": SCENARIO})
    other_path = {"url.pathname": f"/play/{other.json()['code']}", "st-version.data": 3}
    r = _dash_call(students["JPN"], url, "st-brief.children", other_path)
    assert r.status_code == 204 or "Private brief" not in r.text
    # the student's own refresh works and names only its own country privately
    r = _dash_call(students["JPN"], url, "st-brief.children",
                   {"url.pathname": f"/play/{code}", "st-version.data": 3})  # fmt: skip
    assert r.status_code == 200
    assert "Private brief" in r.text
    # submitting through the page for another session does nothing
    elsewhere = f"/play/{other.json()['code']}"
    values = {"dec-submit.n_clicks": 1, "url.pathname": elsewhere}
    r = _dash_call(students["COD"], url, "dec-msg.children", values)
    assert "join the session first" in r.text
    # the facilitator's own call works
    r = _dash_call(fac, url, "fac-msg.children", {"ctl-pause.n_clicks": 1, **path})
    assert "pause" in r.text


BAD_INPUTS = [
    ("decision", {"decision": {"levers": {"stockpile_target_days": -5}}}, "stockpile_target_days"),
    ("decision", {"decision": {"levers": {"dependence_cap": "lots"}}}, "is not a number"),
    ("decision", {"decision": {"levers": {"dependence_cap": float("nan")}}}, "dependence_cap"),
    ("decision", {"decision": {"levers": {"banned_counterparties": ["XXX"]}}}, "unknown 'XXX'"),
    ("decision", {"decision": {"policy": [{"kind": "nuke"}]}}, "policy[0].kind"),
    ("decision", {"decision": {"policy": [{"kind": "export_ban"}]}}, "choose at least one"),
    ("decision", {"decision": {"pacts": [{"pact": "a b", "action": "join"}]}}, "pact"),
    ("decision", {"decision": "everything"}, "decision"),
    ("offers", {"offer": {"responder": "ROW", "kind": "offtake"}}, "responder"),
    ("offers", {"offer": {"responder": "COD", "kind": "gift"}}, "kind"),
    ("offers", {"offer": {"responder": "COD", "kind": "offtake",
                          "terms": {"mineral": "cobalt", "offtake_share": 2}}}, "offtake_share"),
    ("offers", {"offer": {"responder": "COD", "kind": "offtake",
                          "terms": {"mineral": "cobalt", "bribe": 1}}}, "unknown term"),
    ("offers", {"offer": {"responder": "COD", "kind": "offtake",
                          "terms": {"mineral": "cobalt", "duration_rounds": 2.5}}}, "whole"),
]  # fmt: skip


@pytest.mark.parametrize(("route", "body", "expected"), BAD_INPUTS)
def test_inputs_are_validated_with_clear_messages(
    live_server: LiveServer, route: str, body: dict[str, Any], expected: str
) -> None:
    code, _fac, students = _setup(live_server)
    r = students["JPN"].post(
        f"{live_server.url}/api/{code}/{route}",
        data=json.dumps(body).replace("NaN", "NaN"),
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 400
    assert expected in r.json()["error"]


def test_non_json_and_bad_joins(live_server: LiveServer) -> None:
    code, _fac, students = _setup(live_server)
    base = f"{live_server.url}/api/{code}"
    r = students["JPN"].post(f"{base}/decision", data={"decision": "x"})
    assert r.status_code == 400
    assert "JSON" in r.json()["error"]
    r = requests.post(f"{base}/join", json={"name": "", "country": "JPN"})
    assert r.status_code == 400
    assert r.json()["field"] == "name"
    r = requests.post(f"{base}/join", json={"name": "Eve", "country": "AUS"})
    assert r.status_code == 400
    assert "open to students" in r.json()["error"]
    r = requests.post(f"{live_server.url}/api/ABCDEF/join", json={"name": "Eve", "country": "JPN"})
    assert r.status_code == 400
    assert "no session" in r.json()["error"]
    r = requests.get(f"{live_server.url}/api/not-a-code/projector")
    assert r.status_code == 404
