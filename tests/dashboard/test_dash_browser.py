"""Browser tests in headless Chromium (dash_duo): every page, scrub and play, click, compare.

Each test ends by asserting that the browser console logged no error: a failed asset, a map
fetched from a CDN that cannot be reached or a callback exception would all show up there.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from dash.testing.wait import until
from dashboard.app import create_app
from dashboard.store import RecordStore
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

pytestmark = pytest.mark.browser
TIMEOUT = 15
ROUND_LABEL = "#replay-round-label"
PANEL_TITLE = "#replay-panel-title"


def _record_id(root: Path, strategy: str = "derisk", seed: int = 1) -> str:
    return next(
        e.record_id
        for e in RecordStore(root).readable()
        if e.manifest["strategy"] == strategy and e.manifest["seed"] == seed
    )


def _start(dash_duo, root: Path, path: str) -> None:
    dash_duo.start_server(create_app(root))
    dash_duo.driver.set_window_size(1400, 1800)
    dash_duo.driver.get(dash_duo.server_url + path)


def _cursor_x(dash_duo, graph_id: str) -> float:
    return dash_duo.driver.execute_script(
        f"return document.querySelector('#{graph_id} .js-plotly-plot').layout.shapes[0].x0;"
    )


def _click(dash_duo, element) -> None:
    ActionChains(dash_duo.driver).move_to_element(element).click().perform()


def _interval_ms(dash_duo) -> int:
    return dash_duo.driver.execute_script(
        "return window.dash_component_api.getLayout('replay-interval').props.interval;"
    )


def _choose_speed(dash_duo, label: str) -> None:
    dash_duo.find_element("#replay-speed").click()
    next(o for o in dash_duo.find_elements("[role='option']") if o.text == label).click()
    dash_duo.wait_for_text_to_equal("#replay-speed-value", label, timeout=TIMEOUT)


def test_records_page_lists_runs_and_compares_two(dash_duo, records_dir: Path) -> None:
    _start(dash_duo, records_dir, "/records")
    dash_duo.wait_for_element("#records-table", timeout=TIMEOUT)
    rows = dash_duo.find_elements("#records-table tbody tr td.dash-select-cell")
    assert len(rows) == 9
    unreadable = dash_duo.find_elements("#records-unreadable li")
    assert len(unreadable) == 3
    assert "not valid Parquet" in dash_duo.find_element("#records-unreadable").text
    boxes = dash_duo.find_elements("#records-table td.dash-select-cell input")
    boxes[0].click()
    boxes[4].click()
    dash_duo.find_element("#records-compare").click()
    dash_duo.wait_for_contains_text("#compare-status", "Comparing", timeout=TIMEOUT)
    assert "/compare?ids=" in dash_duo.driver.current_url
    for graph in ("compare-side", "compare-diff", "compare-band"):
        dash_duo.wait_for_element(f"#{graph} .main-svg", timeout=TIMEOUT)
    traces = dash_duo.driver.execute_script(
        "return document.querySelector('#compare-side .js-plotly-plot').data.length;"
    )
    assert traces == 2 * 3  # two runs × three member states
    assert dash_duo.get_logs() == []


def test_replay_scrubs_and_plays(dash_duo, records_dir: Path) -> None:
    _start(dash_duo, records_dir, f"/replay/{_record_id(records_dir)}")
    dash_duo.wait_for_text_to_equal(ROUND_LABEL, "round 0 (2025)", timeout=TIMEOUT)
    dash_duo.wait_for_element("#replay-map path.choroplethlocation", timeout=TIMEOUT)
    assert len(dash_duo.find_elements("#replay-map path.choroplethlocation")) > 20  # EU states
    loaded = dash_duo.driver.execute_script(
        "return performance.getEntriesByType('resource')"
        ".map(e => e.name.split('?')[0].split('/').pop());"
    )
    plotly_files = [n for n in loaded if "plotly" in n and n.endswith(".js")]
    assert plotly_files
    assert plotly_files == ["plotly-geo.min.js"], plotly_files  # not the full bundle
    handle = dash_duo.find_element("#replay-slider [role='slider']")
    handle.send_keys(Keys.ARROW_RIGHT)
    handle.send_keys(Keys.ARROW_RIGHT)
    dash_duo.wait_for_text_to_equal(ROUND_LABEL, "round 2 (2027)", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#replay-events", "deal", timeout=TIMEOUT)
    time.sleep(0.5)
    assert _cursor_x(dash_duo, "replay-prices") == 2
    assert _cursor_x(dash_duo, "replay-shortfall") == 2

    _choose_speed(dash_duo, "4×")
    until(lambda: _interval_ms(dash_duo) == 250, timeout=TIMEOUT)  # a round every 250 ms
    play = dash_duo.find_element("#replay-play")
    play.click()
    dash_duo.wait_for_text_to_equal("#replay-play", "❚❚ Pause", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal(ROUND_LABEL, "round 7 (2032)", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal("#replay-play", "▶ Play", timeout=TIMEOUT)
    time.sleep(0.5)
    assert _cursor_x(dash_duo, "replay-prices") == 7

    _choose_speed(dash_duo, "0.5×")
    until(lambda: _interval_ms(dash_duo) == 2000, timeout=TIMEOUT)
    play.click()  # at the end, play starts over from the first round
    dash_duo.wait_for_text_to_equal(ROUND_LABEL, "round 1 (2026)", timeout=TIMEOUT)
    play.click()  # pause
    dash_duo.wait_for_text_to_equal("#replay-play", "▶ Play", timeout=TIMEOUT)
    paused_at = dash_duo.find_element(ROUND_LABEL).text
    time.sleep(2.5)
    assert dash_duo.find_element(ROUND_LABEL).text == paused_at
    assert dash_duo.get_logs() == []


def test_click_country_on_map_and_network_shows_panel(dash_duo, records_dir: Path) -> None:
    _start(dash_duo, records_dir, f"/replay/{_record_id(records_dir)}?round=3")
    dash_duo.wait_for_text_to_equal(ROUND_LABEL, "round 3 (2028)", timeout=TIMEOUT)
    dash_duo.wait_for_element("#replay-map path.choroplethlocation", timeout=TIMEOUT)
    china = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#replay-map path.choroplethlocation'))"
        ".find(p => p.__data__ && p.__data__.loc === 'CHN');"
    )
    _click(dash_duo, china)
    dash_duo.wait_for_contains_text(PANEL_TITLE, "CHN (dominant)", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#replay-panel", "Stocks", timeout=TIMEOUT)

    nodes = dash_duo.find_elements("#replay-network .scatterlayer .trace:last-of-type .point")
    labels = dash_duo.driver.execute_script(
        "return document.querySelector('#replay-network .js-plotly-plot').data.slice(-1)[0]"
        ".customdata;"
    )
    _click(dash_duo, nodes[labels.index("JPN")])
    dash_duo.wait_for_contains_text(PANEL_TITLE, "JPN (member), round 3", timeout=TIMEOUT)
    panel = dash_duo.find_element("#replay-panel")
    dash_duo.wait_for_element("#replay-sources .main-svg", timeout=TIMEOUT)
    assert "C1" in panel.text  # its offtake contract
    assert "MSP" in panel.text  # its pact
    handle = dash_duo.find_element("#replay-slider [role='slider']")
    handle.send_keys(Keys.ARROW_RIGHT)
    dash_duo.wait_for_contains_text(PANEL_TITLE, "JPN (member), round 4", timeout=TIMEOUT)
    assert dash_duo.get_logs() == []


def test_compare_strategies_by_seed_and_unknown_record(dash_duo, records_dir: Path) -> None:
    _start(dash_duo, records_dir, "/compare")
    dash_duo.wait_for_contains_text(
        "#compare-status", "decouple vs derisk: 3 run pair(s)", timeout=TIMEOUT
    )
    dash_duo.wait_for_element("#compare-band .main-svg", timeout=TIMEOUT)
    band_traces = dash_duo.driver.execute_script(
        "return document.querySelector('#compare-band .js-plotly-plot').data.length;"
    )
    assert band_traces == 3 * 3
    dash_duo.find_element("#compare-csv-band").click()  # the download callback runs cleanly
    time.sleep(1.0)
    dash_duo.driver.get(dash_duo.server_url + "/replay/0123456789ab")
    dash_duo.wait_for_contains_text("#replay-error", "no record with id", timeout=TIMEOUT)
    dash_duo.driver.get(dash_duo.server_url + "/replay/..%2F..%2Fetc%2Fpasswd")
    dash_duo.wait_for_contains_text("#replay-error", "malformed record id", timeout=TIMEOUT)
    assert dash_duo.get_logs() == []
