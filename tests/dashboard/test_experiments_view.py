"""The Experiments view: figure builders, the sweep store, the page callbacks and the browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import pytest
import yaml
from dashboard.app import create_app, route
from dashboard.pages import experiments
from dashboard.store import RecordStore, name_hash
from dashboard.sweeps import (
    SweepStore,
    UnknownSweepError,
    UnreadableSweepError,
    record_folder_name,
)

from dashboard import figures_sweeps, ids
from mineralgame.experiments.runner import run_experiment
from mineralgame.experiments.spec import load_experiment

REPO = Path(__file__).resolve().parents[2]
SHIPPED_TRACE_TYPES = {"scatter", "scattergeo", "choropleth"}  # assets/plotly-geo.min.js
SCALARS = ["cumulative_shortfall_share", "welfare_usd", "end_dependence"]

# 2 strategies x 2 replicates of the classroom world, 2 rounds: 4 model runs, serially.
CLASSROOM: dict[str, Any] = {
    "name": "classroom_tiny",
    "scenario": str(REPO / "configs" / "classroom.yaml"),
    "root_seed": 5,
    "replicates": 2,
    "rounds": 2,
    "levers": {
        "strategy": {"type": "categorical", "values": ["derisk", "decouple"], "path": "strategy"}
    },
    "outputs": {"scalars": SCALARS},
}


@pytest.fixture(scope="module")
def sweeps_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sweeps folder: one real 4-run model sweep, a corrupt sweep and a foreign folder."""
    root = tmp_path_factory.mktemp("sweeps")
    spec = root.parent / f"{root.name}_classroom.yaml"
    spec.write_text(yaml.safe_dump(CLASSROOM, sort_keys=False), "utf-8")
    report = run_experiment(load_experiment(spec), root / "classroom", serial=True, progress=False)
    assert (report.executed, report.failed) == (4, 0)
    corrupt = root / "corrupt"
    corrupt.mkdir()
    (corrupt / "design.parquet").write_bytes(b"PAR1 not parquet at all")
    (root / "not_a_sweep").mkdir()
    return root


def _fig(fig: go.Figure) -> dict[str, Any]:
    go.Figure(fig.to_dict())  # validates every property
    return fig.to_dict()


# --------------------------------------------------------------------------------------------
# Figure builders


def test_outcome_distribution_figure_boxes_per_policy() -> None:
    groups = {"derisk": [1.0, 2.0, 3.0, 4.0, 100.0], "decouple": [5.0, 6.0, float("nan")]}
    run_ids = {"derisk": ["a", "b", "c", "d", "e"], "decouple": ["f", "g", "h"]}
    fig = _fig(figures_sweeps.outcome_distribution_figure(groups, outcome="y", run_ids=run_ids))
    assert {t["type"] for t in fig["data"]} <= SHIPPED_TRACE_TYPES
    boxes = [t for t in fig["data"] if t["mode"] == "lines"]
    points = [t for t in fig["data"] if t["mode"] == "markers"]
    assert [b["name"] for b in boxes] == ["derisk", "decouple"]
    stats = boxes[0]["meta"]
    assert (stats["q1"], stats["median"], stats["q3"]) == (2.0, 3.0, 4.0)
    assert stats["max"] == 4.0  # 100 is beyond 1.5 IQR: an outlier point, not the whisker
    assert stats["n"] == 5
    assert boxes[1]["meta"]["n"] == 2  # NaN skipped
    assert list(points[1]["customdata"]) == ["f", "g"]
    assert max(points[0]["y"]) == 100.0
    assert all(0.3 < x < 0.6 for x in points[0]["x"])  # beside box 0
    assert list(fig["layout"]["xaxis"]["ticktext"]) == ["derisk", "decouple"]
    assert fig["layout"]["yaxis"]["title"]["text"] == "y"


def test_outcome_distribution_figure_empty() -> None:
    fig = _fig(figures_sweeps.outcome_distribution_figure({}, outcome="y"))
    assert fig["data"] == [] or not fig.get("data")
    assert "no finished runs" in fig["layout"]["annotations"][0]["text"]


def test_outcome_scatter_figure_one_trace_per_policy() -> None:
    import pandas as pd

    runs = pd.DataFrame(
        {
            "run_id": ["r1", "r2", "r3"],
            "policy": ["derisk", "decouple", "derisk"],
            "a": [1.0, 2.0, 3.0],
            "b": [0.5, float("nan"), 0.1],
        }
    )
    fig = _fig(figures_sweeps.outcome_scatter_figure(runs, x="a", y="b"))
    assert [t["name"] for t in fig["data"]] == ["derisk", "decouple"]
    assert {t["type"] for t in fig["data"]} <= SHIPPED_TRACE_TYPES
    derisk, decouple = fig["data"]
    assert list(derisk["x"]) == [1.0, 3.0]
    assert list(derisk["customdata"]) == ["r1", "r3"]
    assert list(decouple["y"]) == [None]
    assert derisk["marker"]["color"] != decouple["marker"]["color"]
    assert fig["layout"]["xaxis"]["title"]["text"] == "a"


# --------------------------------------------------------------------------------------------
# Sweep store


def test_sweep_store_lists_good_and_unreadable(sweeps_root: Path) -> None:
    entries = {e.name: e for e in SweepStore(sweeps_root).refresh()}
    assert set(entries) == {"classroom", "corrupt", "not_a_sweep"}
    good = entries["classroom"]
    assert good.readable
    assert (good.ok, good.failed, good.total) == (4, 0, 4)
    assert good.sweep_id == name_hash("classroom")
    assert not entries["corrupt"].readable
    assert "cannot be read" in entries["corrupt"].reason
    assert "no design.parquet" in entries["not_a_sweep"].reason


@pytest.mark.parametrize(
    "bad", ["../classroom", "/etc/passwd", "classroom", "0123456789ab", "ABCDEF012345", None, 7]
)
def test_sweep_store_refuses_traversal_and_made_up_ids(sweeps_root: Path, bad: object) -> None:
    store = SweepStore(sweeps_root)
    with pytest.raises(UnknownSweepError):
        store.load(bad)


def test_sweep_store_refuses_made_up_run_ids(sweeps_root: Path, tmp_path: Path) -> None:
    store = SweepStore(sweeps_root)
    sid = name_hash("classroom")
    for run_id in ("../../etc", "0" * 16, "x", None):
        with pytest.raises(UnknownSweepError):
            store.rebuild(sid, run_id, tmp_path)
    with pytest.raises(UnreadableSweepError):
        store.load(name_hash("corrupt"))
    assert list(tmp_path.iterdir()) == []


def test_sweep_store_without_folder_lists_nothing(tmp_path: Path) -> None:
    assert SweepStore(None).entries() == []
    assert SweepStore(tmp_path / "missing").entries() == []


# --------------------------------------------------------------------------------------------
# Page


def test_page_lists_sweeps_and_unreadable(sweeps_root: Path, tmp_path: Path) -> None:
    page = route(RecordStore(tmp_path), "/experiments", "", SweepStore(sweeps_root))
    text = str(page)
    assert "classroom" in text
    assert "Unreadable sweeps (2)" in text


def test_page_callback_returns_figures_and_runs(sweeps_root: Path) -> None:
    sweeps = SweepStore(sweeps_root)
    sid = name_hash("classroom")
    view = experiments.sweep_view(sweeps, sid, "welfare_usd", None)
    assert set(SCALARS) <= set(view["options"])
    assert view["outcome"] == "welfare_usd"
    assert view["outcome_y"] != "welfare_usd"
    dist = _fig(view["dist"])
    boxes = [t for t in dist["data"] if t["mode"] == "lines"]
    assert sorted(b["name"] for b in boxes) == ["decouple", "derisk"]
    assert sum(b["meta"]["n"] for b in boxes) == 4
    scatter = _fig(view["scatter"])
    assert sorted(t["name"] for t in scatter["data"]) == ["decouple", "derisk"]
    assert len(view["rows"]) == 4
    assert {"run_id", "policy", "seed", "welfare_usd"} <= {c["id"] for c in view["columns"]}
    assert "4 ok, 0 failed" in view["status"]
    bad = experiments.sweep_view(sweeps, name_hash("corrupt"), None, None)
    assert bad["rows"] == []
    assert "cannot be read" in bad["status"]


def test_clicked_run() -> None:
    cell = {"row": 0, "column": 1, "column_id": "policy", "row_id": "abcd"}
    assert experiments.clicked_run(ids.EXP_RUNS, cell, None) == "abcd"
    click = {"points": [{"customdata": "ef01"}]}
    assert experiments.clicked_run(ids.EXP_SCATTER, None, click) == "ef01"
    assert experiments.clicked_run(ids.EXP_DIST, None, {"points": [{"x": 1}]}) is None
    assert experiments.clicked_run("other", cell, click) is None


def test_rerun_action_writes_a_listed_record(sweeps_root: Path, tmp_path: Path) -> None:
    sweeps = SweepStore(sweeps_root)
    store = RecordStore(tmp_path)
    sid = name_hash("classroom")
    view = experiments.sweep_view(sweeps, sid, None, None)
    row = next(r for r in view["rows"] if r["policy"] == "decouple")
    record_id, message = experiments.rebuild_run(sweeps, store, sid, row["run_id"])
    assert record_id is not None, message
    assert "Rebuilt" in message
    entry = store.entry(record_id)
    assert entry.readable
    assert entry.name == record_folder_name(sid, row["run_id"])
    assert entry.manifest["strategy"] == "decouple"
    assert entry.manifest["seed"] == int(row["seed"])
    assert store.load(record_id).manifest["summary"]["welfare_usd"] == pytest.approx(
        row["welfare_usd"], rel=1e-12
    )
    again, message = experiments.rebuild_run(sweeps, store, sid, row["run_id"])
    assert again == record_id
    assert "Already" in message
    none, message = experiments.rebuild_run(sweeps, store, sid, "f" * 16)
    assert none is None
    assert "no run" in message


def test_app_default_sweeps_folder_next_to_records(tmp_path: Path) -> None:
    (tmp_path / "records").mkdir()
    (tmp_path / "sweeps").mkdir()
    app = create_app(tmp_path / "records")
    assert app.server.config["SWEEP_STORE"].root == (tmp_path / "sweeps").resolve()
    alone = tmp_path / "alone"
    (alone / "records").mkdir(parents=True)
    assert create_app(alone / "records").server.config["SWEEP_STORE"].root is None


# --------------------------------------------------------------------------------------------
# Browser


@pytest.mark.browser
def test_experiments_page_in_the_browser(dash_duo, sweeps_root: Path, tmp_path: Path) -> None:
    dash_duo.start_server(create_app(tmp_path, sweeps_dir=sweeps_root))
    dash_duo.driver.set_window_size(1400, 1800)
    dash_duo.driver.get(dash_duo.server_url + "/experiments")
    dash_duo.wait_for_element("#exp-sweeps-table", timeout=15)
    dash_duo.wait_for_contains_text("#exp-status", "4 ok", timeout=15)
    for graph in ("exp-dist", "exp-scatter"):
        dash_duo.wait_for_element(f"#{graph} .main-svg", timeout=15)
    assert len(dash_duo.find_elements("#exp-unreadable li")) == 2
    assert len(dash_duo.find_elements("#exp-runs tbody tr td")) > 0
    assert dash_duo.get_logs() == []


def test_command_sweeps_argument(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import dashboard
    from mineralgame.cli import main

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(dashboard, "serve", lambda *a, **kw: calls.append(kw))
    missing = ["dashboard", "--records", str(tmp_path), "--sweeps", str(tmp_path / "nope")]
    assert main(missing) == 2
    assert "sweeps folder" in capsys.readouterr().err
    args = ["dashboard", "--records", str(tmp_path), "--sweeps", str(tmp_path)]
    assert main([*args, "--open", "experiments"]) == 0
    assert calls[0]["sweeps_dir"] == tmp_path
    assert calls[0]["open_page"] == "experiments"
