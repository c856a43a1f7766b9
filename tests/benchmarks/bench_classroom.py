"""Load benchmark of the classroom server (not a test).

Run from the repository root:

    .venv/bin/python tests/benchmarks/bench_classroom.py [--students 40] [--rounds 3]

It starts ``mineralgame classroom`` (waitress) as a subprocess on 127.0.0.1 with a temporary
database, creates a session open to every playable country, and has N simulated students join
(several per delegation, each with its own cookie jar). Each round, every student fires its
delegation's decision (the first student of each delegation to arrive wins; the others get the
"already submitted" answer) and an offer, all at once from N threads, while the others poll
their view. It reports the request latencies, checks that every acknowledged decision and offer
is in the database (none lost), and times the round's resolution (the facilitator's
"close round and preview results" request, which re-simulates every round so far).
"""

from __future__ import annotations

import argparse
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "configs" / "classroom.yaml"
COUNTRIES = ["USA", "EUR", "JPN", "KOR", "IND", "AUS", "CHL", "COD", "CHN"]
MEMBERS = {"USA", "EUR", "JPN", "KOR", "IND", "AUS"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(db: Path, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mineralgame.cli",
            "classroom",
            "--db",
            str(db),
            "--port",
            str(port),
            "--threads",
            "16",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            requests.get(f"http://127.0.0.1:{port}/api/XXXXXX/projector", timeout=1)
            return proc
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start")


def decision(country: str, rnd: int) -> dict[str, object]:
    if country in MEMBERS:
        return {"levers": {"stockpile_target_days": 30 + 10 * rnd, "dependence_cap": 0.6}}
    return {"policy": [{"kind": "export_licensing", "minerals": ["graphite"], "share": 0.8}]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-classroom-"))
    db, port = tmp / "bench.db", free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start(db, port)
    try:
        fac = requests.Session()
        code = fac.post(
            f"{url}/api/sessions",
            json={"scenario": str(SCENARIO), "rounds": args.rounds, "human_countries": COUNTRIES},
        ).json()["code"]
        students = []
        for i in range(args.students):
            s = requests.Session()
            country = COUNTRIES[i % len(COUNTRIES)]
            r = s.post(f"{url}/api/{code}/join", json={"name": f"S{i}", "country": country})
            assert r.status_code == 201, r.text
            students.append((s, country))
        fac.post(f"{url}/api/{code}/control/start", json={})
        latencies: list[float] = []
        acked_decisions: set[tuple[int, str]] = set()
        acked_offers = 0
        lock = threading.Lock()
        for rnd in range(args.rounds):
            barrier = threading.Barrier(len(students))

            def act(
                i: int,
                s: requests.Session,
                country: str,
                rnd: int = rnd,
                barrier: threading.Barrier = barrier,
            ) -> None:
                nonlocal acked_offers
                barrier.wait()
                t0 = time.perf_counter()
                r = s.post(f"{url}/api/{code}/decision", json={"decision": decision(country, rnd)})
                t1 = time.perf_counter()
                partner = "CHL" if country != "CHL" else "AUS"
                o = s.post(
                    f"{url}/api/{code}/offers",
                    json={
                        "offer": {
                            "responder": partner,
                            "kind": "offtake",
                            "terms": {"mineral": "lithium"},
                        }
                    },
                )
                t2 = time.perf_counter()
                s.get(f"{url}/api/{code}/me")
                t3 = time.perf_counter()
                with lock:
                    latencies.extend([t1 - t0, t2 - t1, t3 - t2])
                    if r.status_code == 200:
                        acked_decisions.add((rnd, country))
                    elif "already submitted" not in r.text:
                        print("unexpected:", r.status_code, r.text)
                    if o.status_code == 201:
                        acked_offers += 1

            threads = [
                threading.Thread(target=act, args=(i, s, c)) for i, (s, c) in enumerate(students)
            ]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            burst = time.perf_counter() - t0
            fac.post(f"{url}/api/{code}/control/advance", json={})  # to decide
            t0 = time.perf_counter()
            r = fac.post(f"{url}/api/{code}/control/advance", json={})  # resolve → preview
            resolve = time.perf_counter() - t0
            assert r.json()["result"] == "preview", r.text
            fac.post(f"{url}/api/{code}/control/advance", json={})  # publish
            fac.post(f"{url}/api/{code}/control/advance", json={})  # next round
            print(
                f"round {rnd + 1}: {len(students)} students' burst {burst:.2f} s; "
                f"resolution (re-simulating {rnd + 1} round(s)) {resolve:.2f} s"
            )
        con = sqlite3.connect(db)
        stored = set(
            con.execute(
                "SELECT round, country FROM submissions WHERE code=? AND voided=0 AND timed_out=0",
                (code,),
            ).fetchall()
        )
        offers = con.execute("SELECT COUNT(*) FROM offers WHERE code=?", (code,)).fetchone()[0]
        lost = acked_decisions - stored
        lat = sorted(latencies)
        print(
            f"requests: {len(lat)}, median {statistics.median(lat) * 1000:.0f} ms, "
            f"p95 {lat[int(0.95 * len(lat))] * 1000:.0f} ms, max {lat[-1] * 1000:.0f} ms"
        )
        print(
            f"decisions acknowledged {len(acked_decisions)}, stored {len(stored)}, lost "
            f"{len(lost)}; offers acknowledged {acked_offers}, stored {offers}"
        )
        return 1 if lost or offers != acked_offers else 0
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)


if __name__ == "__main__":
    raise SystemExit(main())
