"""Store tests: listing, ids, path traversal, corrupt and foreign entries, the LRU cache."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from dashboard.app import route
from dashboard.store import (
    RecordStore,
    UnknownRecordError,
    UnreadableRecordError,
    is_valid_id,
    name_hash,
)
from make_record import write_record

from dashboard import store as store_mod

TRAVERSALS = [
    "../",
    "..",
    "../../etc/passwd",
    "/etc/passwd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "..%2F..%2Fetc",
    "..\\..\\windows",
    "synthetic_bau_s1",
    "",
    "0123456789AB",
    "0123456789abc",
    "0123456789a/",
    "\x00" * 12,
    None,
    12345678901,
    ["0123456789ab"],
]


def test_lists_readable_and_unreadable_with_reasons(records_dir: Path) -> None:
    store = RecordStore(records_dir)
    entries = store.entries()
    readable = [e for e in entries if e.readable]
    bad = {e.name: e.reason for e in entries if not e.readable}
    assert len(readable) == 9
    assert set(bad) == {"zz_corrupt_parquet", "zz_garbage_manifest", "notes.txt"}
    assert "flows.parquet is not valid Parquet" in bad["zz_corrupt_parquet"]
    assert "not valid JSON" in bad["zz_garbage_manifest"]
    assert "a file" in bad["notes.txt"]
    manifest_ids = {
        json.loads((records_dir / e.name / "manifest.json").read_text())["run_id"] for e in readable
    }
    assert manifest_ids == {e.record_id for e in readable}
    assert all(is_valid_id(e.record_id) for e in entries)


@pytest.mark.parametrize("bad_id", TRAVERSALS)
def test_traversal_and_malformed_ids_are_refused(records_dir: Path, bad_id: object) -> None:
    store = RecordStore(records_dir)
    with pytest.raises(UnknownRecordError):
        store.load(bad_id)


def test_made_up_id_is_refused(records_dir: Path) -> None:
    store = RecordStore(records_dir)
    with pytest.raises(UnknownRecordError, match="no record"):
        store.load("0123456789ab")
    # the id of a folder outside the records folder is not in the listing either
    with pytest.raises(UnknownRecordError):
        store.load(name_hash(".."))


def test_unreadable_entry_cannot_be_loaded(records_dir: Path) -> None:
    store = RecordStore(records_dir)
    bad = next(e for e in store.entries() if e.name == "zz_corrupt_parquet")
    with pytest.raises(UnreadableRecordError, match="not valid Parquet"):
        store.load(bad.record_id)
    good = store.readable()[0]
    assert store.load(good.record_id).frames.rounds == list(range(8))


def test_replay_route_refuses_traversal(records_dir: Path) -> None:
    store = RecordStore(records_dir)
    for path in ("/replay/..%2F..%2Fetc%2Fpasswd", "/replay/0123456789ab", "/replay/%2e%2e"):
        page = str(route(store, path, ""))
        assert "Cannot replay" in page
    assert "Page not found" in str(route(store, "/replay/../../etc/passwd", ""))
    assert "Page not found" in str(route(store, "/etc/passwd", ""))


def test_bad_content_with_valid_footer_is_marked_unreadable(tmp_path: Path) -> None:
    folder = write_record(tmp_path, seed=1, folder="broken")
    write_record(tmp_path, seed=2, folder="fine")
    pd.DataFrame({"x": [1]}).to_parquet(folder / "country_mineral.parquet")
    store = RecordStore(tmp_path)
    assert len(store.readable()) == 2  # footers are fine, so both are listed as readable
    broken = next(e for e in store.entries() if e.name == "broken")
    with pytest.raises(UnreadableRecordError, match="cannot be loaded"):
        store.load(broken.record_id)
    assert [e.name for e in store.readable()] == ["fine"]
    assert "cannot be loaded" in next(e for e in store.entries() if e.name == "broken").reason
    store.refresh()
    assert [e.name for e in store.readable()] == ["fine"]


@pytest.mark.parametrize(
    ("manifest", "reason"),
    [
        ("[]", "not a JSON object"),
        ('{"schema_version": 2, "tables": []}', "unsupported schema_version"),
        ('{"schema_version": 1, "tables": "x"}', "not a list"),
        ('{"schema_version": 1, "tables": ["../../etc/passwd"]}', "invalid table names"),
        ('{"schema_version": 1, "tables": ["flows"]}', "missing required tables"),
        ('{"schema_version": 1, "tables": ["country_mineral", "nope"]}', "nope.parquet is missing"),
        (b"\xff\xfe\x00", "not valid JSON"),
    ],
)
def test_garbage_manifests(tmp_path: Path, manifest: str | bytes, reason: str) -> None:
    folder = write_record(tmp_path, seed=1, folder="rec")
    path = folder / "manifest.json"
    if isinstance(manifest, bytes):
        path.write_bytes(manifest)
    else:
        path.write_text(manifest)
    (entry,) = RecordStore(tmp_path).entries()
    assert not entry.readable
    assert reason in entry.reason


def test_folder_without_manifest_and_symlink_out(tmp_path: Path) -> None:
    root = tmp_path / "records"
    root.mkdir()
    (root / "empty").mkdir()
    outside = write_record(tmp_path, seed=1, folder="outside")
    (root / "link").symlink_to(outside, target_is_directory=True)
    (root / ".hidden").mkdir()
    entries = {e.name: e for e in RecordStore(root).entries()}
    assert set(entries) == {"empty", "link"}
    assert "no manifest.json" in entries["empty"].reason
    assert "outside the records folder" in entries["link"].reason


def test_table_symlink_pointing_out_is_refused(tmp_path: Path) -> None:
    folder = write_record(tmp_path / "records", seed=1, folder="rec")
    secret = tmp_path / "secret.parquet"
    shutil.copy(folder / "flows.parquet", secret)
    (folder / "flows.parquet").unlink()
    (folder / "flows.parquet").symlink_to(secret)
    (entry,) = RecordStore(tmp_path / "records").entries()
    assert "points outside" in entry.reason


def test_duplicate_run_ids_get_folder_ids(tmp_path: Path) -> None:
    write_record(tmp_path, seed=1, folder="a")
    write_record(tmp_path, seed=1, folder="b")
    entries = RecordStore(tmp_path).entries()
    ids = [e.record_id for e in entries]
    assert len(set(ids)) == 2
    assert ids[1] == name_hash("b")


def test_single_record_folder(tmp_path: Path) -> None:
    folder = write_record(tmp_path, seed=1, folder="only")
    (entry,) = RecordStore(folder).entries()
    assert entry.readable


def test_missing_folder_lists_nothing(tmp_path: Path) -> None:
    assert RecordStore(tmp_path / "nope").entries() == []


def test_lru_cache(tmp_path: Path) -> None:
    for seed in (1, 2, 3):
        write_record(tmp_path, seed=seed)
    store = RecordStore(tmp_path, cache_size=2)
    a, b, c = (e.record_id for e in store.entries())
    first = store.load(a)
    assert store.load(a) is first
    store.load(b)
    store.load(c)
    assert store.load(a) is not first  # evicted, then reloaded


def test_nothing_is_unpickled() -> None:
    source = "".join(p.read_text() for p in Path(store_mod.__file__).parent.rglob("*.py"))
    for pattern in ("import pickle", "pickle.", "read_pickle", "joblib", "dill", "allow_pickle"):
        assert pattern not in source


def test_warm_loads_readable_records(records_dir: Path) -> None:
    store = RecordStore(records_dir, cache_size=4)
    assert store.warm() == 4
    assert store.warm(limit=20) == 9


def test_empty_record_is_unreadable(tmp_path: Path) -> None:
    folder = write_record(tmp_path, seed=1, folder="empty")
    cm = pd.read_parquet(folder / "country_mineral.parquet")
    cm.iloc[0:0].to_parquet(folder / "country_mineral.parquet")
    store = RecordStore(tmp_path)
    with pytest.raises(UnreadableRecordError, match="no rows"):
        store.load(store.entries()[0].record_id)


def test_listing_notices_a_changed_manifest(tmp_path: Path) -> None:
    folder = write_record(tmp_path, seed=1, folder="rec")
    store = RecordStore(tmp_path)
    assert store.entries()[0].readable
    (folder / "manifest.json").write_text("{broken")
    assert not store.refresh()[0].readable


def test_a_repaired_record_becomes_readable_again(tmp_path: Path) -> None:
    folder = write_record(tmp_path, seed=1, folder="rec")
    good = (folder / "country_mineral.parquet").read_bytes()
    pd.DataFrame({"x": [1]}).to_parquet(folder / "country_mineral.parquet")
    store = RecordStore(tmp_path)
    rid = store.entries()[0].record_id
    with pytest.raises(UnreadableRecordError):
        store.load(rid)
    assert not store.refresh()[0].readable
    (folder / "country_mineral.parquet").write_bytes(good)
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1))  # rewritten by a rerun
    assert store.refresh()[0].readable
    assert store.load(rid).frames.rounds
