"""Benchmark of the dashboard's Replay page (not a test).

Run from the repository root:

    .venv/bin/python tests/benchmarks/bench_dashboard.py [--records DIR] [--no-browser]

Without ``--records`` it writes one baseline record (``configs/baseline.yaml``, derisk, seed 0)
with ``mineralgame.run`` into a temporary folder, or a synthetic record when the simulation is
not available. It reports:

* the cold load of the record into the store (tables and precomputed frames);
* the scrub callback called directly over every round (median and p95): the server-side work
  of one round change, for the first pass (each round's events derived on first use) and for
  all passes;
* the same callback through Dash's HTTP endpoint (``/_dash-update-component``, Flask test
  client), which adds Dash's JSON serialisation;
* the Replay page's first render in headless Chromium (page load until the map, network, both
  time series and the round label are drawn; the record already in the server's cache, as
  ``dashboard.serve`` warms it at start): the first visit with an empty browser cache, and the
  median of the later visits.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "dashboard"))

from dashboard.app import create_app  # noqa: E402
from dashboard.pages import replay  # noqa: E402
from dashboard.store import RecordStore  # noqa: E402

from dashboard import ids  # noqa: E402


def make_records(dest: Path) -> str:
    """Write a baseline record (or a synthetic one) and return what it is."""
    try:
        import mineralgame

        record = mineralgame.run(ROOT / "configs" / "baseline.yaml", strategy="derisk", seed=0)
        record.save(dest / "baseline-derisk-seed0")
        return "baseline (configs/baseline.yaml, derisk, seed 0)"
    except (ImportError, AttributeError):
        from make_record import write_record

        write_record(dest, seed=0, strategy="derisk", rounds=16)
        return "synthetic (tests/dashboard/make_record.py, 16 rounds)"


def stats_ms(samples: list[float]) -> str:
    """Median and p95 in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {1000 * statistics.median(ordered):.1f} ms, p95 {1000 * p95:.1f} ms"


def timed(fn: Callable[[], object], repeats: int) -> list[float]:
    """Wall times of repeated calls."""
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def bench_direct(store: RecordStore, rid: str, repeats: int) -> list[float]:
    """The scrub callback's body over all rounds, as a round change triggers it."""
    frames = store.load(rid).frames
    mineral = frames.minerals[0]
    samples = []
    for _ in range(repeats):
        for r in frames.rounds:
            samples += timed(
                lambda r=r: replay.render_round(
                    store, rid, r, mineral, "dependence_dominant", "USA", ids.REPLAY_SLIDER
                ),
                1,
            )
    return samples


def _scrub_body(app, rid: str, rnd: int, mineral: str) -> dict:
    """The JSON body the browser posts when the slider moves."""
    key = next(k for k in app.callback_map if f"{ids.REPLAY_MAP}.figure" in k)
    outputs = [
        {"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
        for part in key.strip(".").split("...")
    ]
    return {
        "output": key,
        "outputs": outputs,
        "inputs": [
            {"id": ids.REPLAY_SLIDER, "property": "value", "value": rnd},
            {"id": ids.REPLAY_MINERAL, "property": "value", "value": mineral},
            {"id": ids.REPLAY_MEASURE, "property": "value", "value": "dependence_dominant"},
            {"id": ids.REPLAY_COUNTRY, "property": "data", "value": "USA"},
        ],
        "state": [{"id": ids.REPLAY_RECORD, "property": "data", "value": rid}],
        "changedPropIds": [f"{ids.REPLAY_SLIDER}.value"],
    }


def bench_http(records: Path, rid: str, repeats: int) -> tuple[list[float], int]:
    """The scrub callback through Dash's endpoint; returns times and the response size."""
    app = create_app(records)
    store: RecordStore = app.server.config["RECORD_STORE"]
    frames = store.load(rid).frames
    client = app.server.test_client()
    samples, size = [], 0
    for _ in range(repeats):
        for r in frames.rounds:
            body = json.dumps(_scrub_body(app, rid, r, frames.minerals[0]))
            t0 = time.perf_counter()
            resp = client.post(
                "/_dash-update-component", data=body, content_type="application/json"
            )
            samples.append(time.perf_counter() - t0)
            if resp.status_code != 200:
                raise RuntimeError(f"callback failed: {resp.status_code} {resp.data[:300]!r}")
            size = max(size, len(resp.data))
    return samples, size


DRAWN_JS = """
const sels = arguments[0], done = arguments[arguments.length - 1];
function tick() {
  const label = document.getElementById('ROUND_LABEL_ID');
  const ok = label && label.textContent.startsWith('round')
    && sels.every(s => document.querySelector(s));
  if (ok) done(performance.now()); else requestAnimationFrame(tick);
}
tick();
""".replace("ROUND_LABEL_ID", ids.REPLAY_ROUND_LABEL)


def bench_browser(records: Path, rid: str, visits: int) -> tuple[list[float], list[float]]:
    """Replay page first render in headless Chromium (waitress server on 127.0.0.1).

    Returns:
        Per visit, the time from navigation start to the map, network, both time series and the
        round label all drawn, as the page measures it (``performance.now()``), and the wall
        time from the WebDriver call to the same point.
    """
    import waitress
    from selenium import webdriver

    app = create_app(records)
    app.server.config["RECORD_STORE"].load(rid)  # as `serve` warms the cache at start
    server = waitress.create_server(app.server, host="127.0.0.1", port=0, threads=8)
    port = server.effective_port  # type: ignore[union-attr]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    options = webdriver.ChromeOptions()
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.add_argument("--window-size=1400,1800")
    options.page_load_strategy = "none"  # return at once; the script below waits in the page
    driver = webdriver.Chrome(options=options)
    driver.set_script_timeout(60)
    selectors = [
        f"#{ids.REPLAY_MAP} path.choroplethlocation",
        f"#{ids.REPLAY_NETWORK} .scatterlayer .point",
        f"#{ids.REPLAY_PRICES} .scatterlayer .trace",
        f"#{ids.REPLAY_SHORTFALL} .scatterlayer .trace",
    ]
    in_page, wall = [], []
    try:
        for _ in range(visits):
            t0 = time.perf_counter()
            driver.get(f"http://127.0.0.1:{port}/replay/{rid}")
            while driver.execute_script("return document.readyState") == "loading":
                time.sleep(0.01)
            in_page.append(driver.execute_async_script(DRAWN_JS, selectors) / 1000)
            wall.append(time.perf_counter() - t0)
            driver.get("about:blank")
        errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        if errors:
            print(f"  browser console errors: {errors}")
    finally:
        driver.quit()
        server.close()
    return in_page, wall


def main() -> int:
    """Run the benchmark and print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=Path, help="records folder (default: make one)")
    parser.add_argument("--repeats", type=int, default=5, help="passes over all rounds")
    parser.add_argument("--visits", type=int, default=4, help="browser page loads")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium part")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        records = args.records or Path(tmp)
        what = f"folder {records}" if args.records else make_records(records)
        store = RecordStore(records)
        rid = store.readable()[0].record_id
        t0 = time.perf_counter()
        frames = store.load(rid).frames
        load = time.perf_counter() - t0
        print(f"record: {what}; id {rid}")
        print(
            f"  {len(frames.rounds)} rounds, {len(frames.countries)} countries, "
            f"{len(frames.minerals)} minerals; cold load + precompute {load:.2f} s"
        )
        direct = bench_direct(store, rid, args.repeats)
        first = direct[: len(frames.rounds)]
        print(f"scrub callback, direct call, first pass over the rounds: {stats_ms(first)}")
        print(f"scrub callback, direct call, all {len(direct)} calls: {stats_ms(direct)}")
        http, size = bench_http(records, rid, args.repeats)
        print(
            f"scrub callback via /_dash-update-component ({len(http)} calls): "
            f"{stats_ms(http)}; response up to {size / 1024:.0f} kB"
        )
        if not args.no_browser:
            in_page, wall = bench_browser(records, rid, args.visits)
            for name, visits in (("in the page", in_page), ("wall clock", wall)):
                later = statistics.median(visits[1:] or visits)
                print(
                    f"Replay first render in headless Chromium ({name}): first visit "
                    f"{visits[0]:.2f} s, later visits median {later:.2f} s ({len(visits)} visits)"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
