"""Page logic without a browser: routing, callbacks' bodies, views, compare data and CSV."""

from __future__ import annotations

from pathlib import Path

import dash
import pandas as pd
import pytest
from dash import Patch
from dashboard.app import create_app, route
from dashboard.frames import MAP_MEASURES
from dashboard.pages import compare, records, replay, replay_panels
from dashboard.store import RecordStore
from dashboard.views import (
    band_stats,
    country_panel,
    deal_changes,
    members_series,
    pact_changes,
    pair_by_seed,
    record_row,
    round_events,
    summary_keys,
    table_rows,
)
from make_record import write_record

from dashboard import ids


@pytest.fixture
def store(records_dir: Path) -> RecordStore:
    return RecordStore(records_dir)


def _id(store: RecordStore, strategy: str = "derisk", seed: int = 1) -> str:
    return next(
        e.record_id
        for e in store.readable()
        if e.manifest["strategy"] == strategy and e.manifest["seed"] == seed
    )


def test_create_app_registers_callbacks_per_app(records_dir: Path) -> None:
    a, b = create_app(records_dir), create_app(records_dir)
    assert a is not b
    assert len(a.callback_map) == len(b.callback_map) >= 8
    assert a.config.serve_locally is True


def test_index_and_assets_are_served_locally(records_dir: Path) -> None:
    client = create_app(records_dir).server.test_client()
    with client.get("/replay/whatever") as resp:
        page = resp.get_data(as_text=True)
    assert "http://" not in page  # every script and style is served by the app itself
    assert "https://" not in page
    with client.get("/assets/topojson/world_110m.json") as topo:
        assert topo.status_code == 200
        assert topo.get_json()["type"] == "Topology"


def test_routes(store: RecordStore) -> None:
    rid = _id(store)
    assert "Run records" in str(route(store, "/", None))
    assert "Run records" in str(route(store, "/records/", ""))
    assert ids.REPLAY_SLIDER in str(route(store, f"/replay/{rid}", "?round=3"))
    assert "Compare runs" in str(route(store, "/compare", "?ids=x"))
    assert "Page not found" in str(route(store, "/nope", ""))


def test_records_rows_and_navigation(store: RecordStore) -> None:
    rid, other = _id(store), _id(store, "decouple")
    row = record_row(store.entry(rid))
    assert row["strategy"] == "derisk"
    assert row["seed"] == 1
    assert row["open"] == f"[replay](/replay/{rid})"
    assert 0 <= row["end_dependence"] <= 1
    assert records.go_to(ids.RECORDS_OPEN, [rid], store)[:2] == (f"/replay/{rid}", "")
    assert records.go_to(ids.RECORDS_OPEN, [], store)[0] is dash.no_update
    path, search, _ = records.go_to(ids.RECORDS_COMPARE, [rid, other, "../x"], store)
    assert (path, search) == ("/compare", f"?ids={rid},{other}")
    assert records.go_to(ids.RECORDS_COMPARE, [rid], store)[0] is dash.no_update


def test_render_round_full_and_patch(store: RecordStore) -> None:
    rid = _id(store)
    full = replay.render_round(store, rid, 3, "lithium", "shortfall_share", "USA", None)
    map_fig, net_fig, prices, short, events, notes, label = full
    assert "Negotiations" in str(notes)
    assert net_fig.data[-1].customdata[0] == "EUR"
    assert label == "round 3 (2028)"
    assert map_fig.data[0].zmax == pytest.approx(1.0)
    assert prices.layout.shapes[0].x0 == 3
    assert short.layout.shapes[0].x0 == 3
    assert "export_licensing" in str(events)
    assert "pact_joined" in str(events)
    patched = replay.render_round(
        store, rid, 5, "lithium", "shortfall_share", None, ids.REPLAY_SLIDER
    )
    assert isinstance(patched[2], Patch)
    assert isinstance(patched[3], Patch)
    assert patched[6] == "round 5 (2030)"


def test_render_round_sanitises_inputs(store: RecordStore) -> None:
    rid = _id(store)
    out = replay.render_round(store, rid, "99", "unobtainium", "rm -rf", None, None)
    assert out[6] == "round 7 (2032)"
    assert out[0].layout.title.text.endswith("lithium")


def test_every_map_measure_renders(store: RecordStore) -> None:
    rid = _id(store)
    for measure in MAP_MEASURES:
        fig = replay.render_round(store, rid, 1, "cobalt", measure, None, None)[0]
        assert len(fig.data[0].z) > 0


def test_pact_changes_and_events(store: RecordStore) -> None:
    frames = store.load(_id(store)).frames
    assert {"kind": "pact left", "actor": "AUS", "target": "MSP"} in pact_changes(frames, 6)
    assert "No events this round." in str(replay_panels.events_view(frames, 5))
    # pact changes not logged as events still show up
    assert "pact left" not in str(replay_panels.events_view(frames, 6))  # logged as pact_left
    round1 = str(replay_panels.events_view(frames, 1))
    assert "pact_joined" in round1  # USA, logged as an event
    assert "pact joined" in round1  # JPN and AUS, found from the membership table


def test_country_panel(store: RecordStore) -> None:
    rid = _id(store)
    frames = store.load(rid).frames
    panel = country_panel(frames, "JPN", 3, "lithium")
    assert [s["mineral"] for s in panel["state"]] == frames.minerals
    assert panel["sources"]["country"].eq("JPN").all()
    assert {"refiner", "mine_origin", "tonnes"} <= set(panel["sources"].columns)
    assert panel["deals"][0]["buyer"] == "JPN"
    assert panel["projects"][0]["owner"] == "JPN"
    assert panel["pacts"][0]["pact"] == "MSP"
    title, body = replay_panels.render_panel(store, rid, "EUR", 3, "lithium")
    assert title.startswith("EUR (member)")
    assert "Stocks" in str(body)
    assert replay_panels.render_panel(store, rid, "XXX", 3, "lithium")[0] == "Country"
    assert replay_panels.render_panel(store, rid, None, 3, "lithium")[0] == "Country"


def test_selected_country_from_clicks() -> None:
    actors = {"USA", "EUR", "CHN"}
    assert replay.selected_country({"points": [{"customdata": "USA"}]}, actors) == "USA"
    assert replay.selected_country({"points": [{"location": "DEU"}]}, actors) == "EUR"
    assert replay.selected_country({"points": [{"customdata": ["CHN"]}]}, actors) == "CHN"
    assert replay.selected_country({"points": [{"x": 1}]}, actors) is None
    assert replay.selected_country({"points": [{"customdata": "BRA"}]}, actors) is None
    assert replay.selected_country(None, actors) is None


def test_compare_records_mode(store: RecordStore) -> None:
    a, b = _id(store, "derisk"), _id(store, "decouple")
    data, status = compare.compute(
        store, "records", [a, b, "../../x"], None, None, None, "shortfall_share", "lithium"
    )
    assert status.startswith("Comparing")
    assert "Refused" in status
    assert len(data.side) == 2
    (diff,) = data.diff.values()
    assert set(diff.columns) == {"EUR", "JPN", "USA"}
    assert diff.loc[5].gt(0).all()  # decouple's synthetic shortfall is higher after round 3
    assert set(data.band) == {"derisk", "decouple"}
    csv = data.csv_frame("side")
    assert list(csv.columns) == ["round", "series", "value", "panel"]
    assert len(csv) == 2 * 8 * 3
    side, diff_fig, band = compare._figures(data, "shortfall_share", "lithium")
    assert side.layout.yaxis.range == side.layout.yaxis2.range
    assert len(diff_fig.data) == 3
    assert len(band.data) == 2 * 3


def test_compare_strategies_mode_pairs_by_seed(store: RecordStore) -> None:
    pairs = pair_by_seed(store.readable(), "derisk", "decouple")
    assert len(pairs) == 3
    for a, b in pairs:
        assert store.entry(a).manifest["seed"] == store.entry(b).manifest["seed"]
    data, status = compare.compute(
        store,
        "strategies",
        None,
        "derisk",
        "decouple",
        "synthetic",
        "dependence_dominant",
        "cobalt",
    )
    assert "3 run pair(s)" in status
    assert len(data.band) == 3
    band = data.csv_frame("band")
    assert {"mean", "p05", "p95", "n", "group"} <= set(band.columns)
    assert band["n"].max() == 3
    assert (band["p05"] <= band["mean"] + 1e-12).all()
    assert (band["mean"] <= band["p95"] + 1e-12).all()
    diff = data.csv_frame("diff")
    assert (diff["value"] < 0).all()  # decouple cuts dependence in every seed


def test_compare_refuses_bad_choices(store: RecordStore) -> None:
    assert (
        "two different"
        in compare.compute(
            store, "strategies", None, "derisk", "derisk", None, "shortfall_share", "lithium"
        )[1]
    )
    assert (
        "share a seed"
        in compare.compute(
            store, "strategies", None, "derisk", "nosuch", None, "shortfall_share", "lithium"
        )[1]
    )
    assert (
        "two or more"
        in compare.compute(
            store, "records", ["0123456789ab"], None, None, None, "shortfall_share", "lithium"
        )[1]
    )
    assert (
        "Choose a measure"
        in compare.compute(store, "records", [], None, None, None, "__class__", "lithium")[1]
    )


def test_compare_defaults(store: RecordStore) -> None:
    d = compare.defaults(store, {})
    assert (d["mode"], d["a"], d["b"]) == ("strategies", "derisk", "decouple")
    a = _id(store)
    d = compare.defaults(store, {"ids": f"{a},../../etc,0123456789ab"})
    assert (d["mode"], d["ids"]) == ("records", [a])
    assert compare.mode_classes("strategies") == ("controls hidden", "controls")


def test_members_series_and_band_stats(store: RecordStore) -> None:
    rec = store.load(_id(store))
    s = members_series(rec, "dependence_dominant", "lithium")
    assert s.index.tolist() == list(range(8))
    assert s.between(0, 1).all()
    spend = members_series(rec, "import_spend_usd", "lithium")
    assert (spend > 0).all()
    stats = band_stats([pd.Series([1.0, 2.0]), pd.Series([3.0, 4.0])])
    assert stats["mean"].tolist() == [2.0, 3.0]
    assert stats["n"].tolist() == [2, 2]


def test_derived_deal_and_project_events(store: RecordStore) -> None:
    frames = store.load(_id(store)).frames
    kinds = [(r["kind"], r["actor"], r["target"]) for r in deal_changes(frames, 2)]
    assert ("contract signed", "JPN", "AUS") in kinds
    assert ("contract signed", "USA", "AUS") in kinds
    assert [r["kind"] for r in deal_changes(frames, 1)] == ["project started"]
    assert [r["kind"] for r in deal_changes(frames, 4)] == ["project online"]
    assert deal_changes(frames, 5) == []
    round6 = round_events(frames, 6)
    assert [r["kind"] for r in round6].count("pact_left") == 1  # logged, not repeated
    assert "pact left" not in [r["kind"] for r in round6]


def test_summary_columns_follow_the_manifests(store: RecordStore) -> None:
    keys = summary_keys(store.readable())
    assert keys[0] == "cumulative_shortfall_share"
    assert "seed" not in keys
    assert "cumulative_shortfall_t" in keys  # not a known column, still shown
    row = record_row(store.readable()[0], keys)
    assert isinstance(row["cumulative_shortfall_t"], float)


def test_negotiation_is_shown_per_round_and_country(store: RecordStore) -> None:
    rid = _id(store)
    frames = store.load(rid).frames
    view = str(replay_panels.events_view(frames, 2))
    assert "1 session(s), 1 agreed; moves: 1 offer, 1 counter, 1 accept." in view
    assert "N02-001" in view
    assert "1 session(s), 0 agreed" in str(replay_panels.events_view(frames, 3))
    assert "N02-001" in str(replay_panels.render_panel(store, rid, "JPN", 2, "lithium")[1])
    assert "Negotiations" not in str(replay_panels.render_panel(store, rid, "USA", 2, "lithium")[1])


def test_tables_without_round_column_are_tolerated(tmp_path: Path) -> None:
    folder = write_record(tmp_path, seed=1, folder="odd")
    pd.DataFrame({"no_round_column": [1]}).to_parquet(folder / "negotiation_offers.parquet")
    store = RecordStore(tmp_path)
    frames = store.load(store.entries()[0].record_id).frames
    assert frames.offers == {}
    assert "1 session(s)" in str(replay_panels.events_view(frames, 2))


def _post_callback(client, output: str, inputs: list, state: list, changed: str) -> dict:
    out_id, prop = output.split(".")
    body = {
        "output": output,
        "outputs": {"id": out_id, "property": prop},
        "inputs": inputs,
        "state": state,
        "changedPropIds": [changed],
    }
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code == 200, resp.data[:300]
    return resp.get_json()


def test_csv_download_through_the_callback(records_dir: Path) -> None:
    app = create_app(records_dir)
    client = app.server.test_client()
    buttons = [ids.COMPARE_CSV_SIDE, ids.COMPARE_CSV_DIFF, ids.COMPARE_CSV_BAND]
    values = ["strategies", [], "derisk", "decouple", None, "shortfall_share", "lithium"]
    state = [
        {"id": i, "property": "value", "value": v}
        for i, v in zip(compare.INPUTS, values, strict=True)
    ]
    inputs = [
        {"id": b, "property": "n_clicks", "value": int(b == ids.COMPARE_CSV_BAND)} for b in buttons
    ]
    data = _post_callback(
        client, f"{ids.COMPARE_DOWNLOAD}.data", inputs, state, f"{ids.COMPARE_CSV_BAND}.n_clicks"
    )
    download = data["response"][ids.COMPARE_DOWNLOAD]["data"]
    assert download["filename"] == "compare_band.csv"
    header, *rows = download["content"].strip().splitlines()
    assert header == "round,mean,p05,p95,n,group"
    assert len(rows) == 3 * 8  # derisk, decouple and the paired difference, 8 rounds each


def test_table_rows_json_safe() -> None:
    df = pd.DataFrame(
        {
            "round": [1, 1],
            "x": [1.5, float("nan")],
            "s": ["a", None],
            "arr": [[1, 2], [3]],
            "t": [pd.Timestamp("2025-01-01"), pd.NaT],
        }
    )
    rows = table_rows(df)
    assert rows[0]["x"] == 1.5
    assert rows[1]["x"] is None
    assert rows[1]["s"] is None
    assert rows[1]["t"] is None
    assert "round" not in rows[0]
    assert rows[0]["arr"] == [1, 2]
