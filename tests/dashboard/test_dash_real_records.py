"""The dashboard on real records written by ``mineralgame.run`` (short baseline runs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dashboard.app import create_app
from dashboard.frames import MAP_MEASURES
from dashboard.pages import compare, replay, replay_panels
from dashboard.store import RecordStore

api = pytest.importorskip("mineralgame.api")
ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "configs" / "baseline.yaml"
ROUNDS = 4


@pytest.fixture(scope="module")
def real_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Baseline runs (derisk and decouple, seed 0, a few rounds) saved as records."""
    if not BASELINE.is_file():
        pytest.skip("configs/baseline.yaml not found")
    root = tmp_path_factory.mktemp("real")
    for strategy in ("derisk", "decouple"):
        record = api.run(BASELINE, strategy=strategy, seed=0, rounds=ROUNDS)
        record.save(root / f"baseline-{strategy}-seed0")
    return root


def test_real_records_are_listed_and_load(real_dir: Path) -> None:
    store = RecordStore(real_dir)
    entries = store.entries()
    assert [e.readable for e in entries] == [True, True], [e.reason for e in entries]
    frames = store.load(entries[0].record_id).frames
    assert frames.rounds == list(range(ROUNDS))
    assert "CHN" in frames.countries
    assert frames.roles["CHN"] == "dominant"
    assert frames.minerals


def test_every_round_measure_and_country_renders(real_dir: Path) -> None:
    store = RecordStore(real_dir)
    rid = store.entries()[0].record_id
    frames = store.load(rid).frames
    for mineral in frames.minerals:
        for measure in MAP_MEASURES:
            out = replay.render_round(store, rid, 1, mineral, measure, "USA", None)
            assert len(out[0].data[0].locations) > 20  # EUR colours the EU states
        for r in frames.rounds:
            out = replay.render_round(store, rid, r, mineral, "shortfall_share", None, "x")
            assert out[6].startswith(f"round {r} ")
    for country in frames.countries:
        title, _body = replay_panels.render_panel(
            store, rid, country, ROUNDS - 1, frames.minerals[0]
        )
        assert title.startswith(country)


def test_compare_real_strategies(real_dir: Path) -> None:
    store = RecordStore(real_dir)
    mineral = store.load(store.entries()[0].record_id).frames.minerals[0]
    data, status = compare.compute(
        store, "strategies", None, "derisk", "decouple", None, "dependence_dominant", mineral
    )
    assert "1 run pair(s)" in status
    assert set(data.band) >= {"derisk", "decouple"}
    assert not data.csv_frame("diff").empty


@pytest.mark.browser
def test_real_record_replay_in_browser(dash_duo, real_dir: Path) -> None:
    rid = RecordStore(real_dir).entries()[0].record_id
    dash_duo.start_server(create_app(real_dir))
    dash_duo.driver.set_window_size(1400, 1800)
    dash_duo.driver.get(dash_duo.server_url + f"/replay/{rid}")
    dash_duo.wait_for_text_to_equal("#replay-round-label", "round 0 (2025)", timeout=15)
    dash_duo.wait_for_element("#replay-map path.choroplethlocation", timeout=15)
    dash_duo.find_element("#replay-play").click()
    dash_duo.wait_for_text_to_equal("#replay-round-label", f"round {ROUNDS - 1} (2028)", timeout=15)
    dash_duo.driver.save_screenshot(str(real_dir / "replay.png"))
    dash_duo.driver.get(dash_duo.server_url + "/compare")
    dash_duo.wait_for_contains_text("#compare-status", "1 run pair(s)", timeout=15)
    assert dash_duo.get_logs() == []
