"""Stopping (SIGKILL) and restarting the server mid-round loses no submitted decision, and the
session continues; plus the command's arguments."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from conftest import SCENARIO, free_port

from mineralgame.cli import build_parser

pytestmark = pytest.mark.slow


def _start(db: Path, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "mineralgame.cli", "classroom", "--db", str(db), "--port",
         str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if requests.get(f"{url}/api/XXXXXX/projector", timeout=1).status_code == 404:
                return proc
        except requests.ConnectionError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the classroom server did not start")


def test_kill_and_restart_mid_round_loses_nothing(tmp_path: Path) -> None:
    db, port = tmp_path / "class.db", free_port()
    url = f"http://127.0.0.1:{port}"
    proc = _start(db, port)
    try:
        fac = requests.Session()
        code = fac.post(f"{url}/api/sessions", json={"scenario": SCENARIO, "rounds": 2,
                        "human_countries": ["JPN", "COD", "USA"]}).json()["code"]  # fmt: skip
        students = {}
        for country in ("JPN", "COD", "USA"):
            students[country] = requests.Session()
            students[country].post(f"{url}/api/{code}/join", json={"name": country,
                                   "country": country})  # fmt: skip
        fac.post(f"{url}/api/{code}/control/start", json={})
        jpn = {"decision": {"levers": {"stockpile_target_days": 75}}}
        assert students["JPN"].post(f"{url}/api/{code}/decision", json=jpn).status_code == 200
        offer = {"offer": {"responder": "COD", "kind": "offtake", "terms": {"mineral": "cobalt"}}}
        assert students["JPN"].post(f"{url}/api/{code}/offers", json=offer).status_code == 201
        proc.send_signal(signal.SIGKILL)  # no clean shutdown
        proc.wait(timeout=10)
        proc = _start(db, port)
        # the same browsers (cookies) still hold their seats; nothing was lost
        me = students["JPN"].get(f"{url}/api/{code}/me").json()
        assert me["decision"]["submitted"]
        assert me["decision"]["payload"]["levers"] == {"stockpile_target_days": 75.0}
        inbox = students["COD"].get(f"{url}/api/{code}/me").json()["inbox"]
        assert [o["proposer"] for o in inbox] == ["JPN"]
        assert students["COD"].post(f"{url}/api/{code}/offers/{inbox[0]['id']}/accept",
                                    json={}).json()["status"] == "accepted"  # fmt: skip
        usa = {"decision": {"levers": {"dependence_cap": 0.6}}}
        assert students["USA"].post(f"{url}/api/{code}/decision", json=usa).status_code == 200
        for _ in range(3):
            fac.post(f"{url}/api/{code}/control/advance", json={})
        state = fac.get(f"{url}/api/{code}/facilitator").json()
        assert state["session"]["phase"] == "results"
        decisions = fac.get(f"{url}/export/{code}/decisions.json").json()["decisions"]
        assert {"round": 0, "country": "JPN", "levers": {"stockpile_target_days": 75.0}} in (
            decisions
        )
        assert any(d.get("response") == "accept" for d in decisions)
    finally:
        proc.kill()
        proc.wait(timeout=10)


def test_command_arguments() -> None:
    parser = build_parser()
    args = parser.parse_args(["classroom", "--db", "sqlite:///x.db", "--port", "8099"])
    assert (args.db, args.port, args.host) == ("sqlite:///x.db", 8099, "127.0.0.1")
    assert args.handler(parser.parse_args(["classroom", "--db", "postgresql://h/db"])) == 2
    assert args.handler(parser.parse_args(["classroom", "--port", "0"])) == 2
    env = dict(os.environ)
    out = subprocess.run([sys.executable, "-m", "mineralgame.cli", "classroom", "--help"],
                         capture_output=True, text=True, env=env, check=True)  # fmt: skip
    assert "--db" in out.stdout
    assert "SQLite" in out.stdout
