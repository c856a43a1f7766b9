"""Fixtures for the dashboard tests: synthetic records folders (browser hooks: ../conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from make_record import write_record, write_records


@pytest.fixture(scope="session")
def records_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Runs of bau, derisk and decouple for seeds 1-3, plus corrupt and foreign entries."""
    root = tmp_path_factory.mktemp("records")
    write_records(root, seeds=(1, 2, 3), rounds=8)
    bad = write_record(root, seed=9, strategy="derisk", folder="zz_corrupt_parquet")
    (bad / "flows.parquet").write_bytes(b"PAR1 this is not parquet")
    garbage = root / "zz_garbage_manifest"
    garbage.mkdir()
    (garbage / "manifest.json").write_text("{not json")
    (root / "notes.txt").write_text("a foreign file")
    return root


@pytest.fixture
def one_record(tmp_path: Path) -> Path:
    """A folder with a single derisk run."""
    write_record(tmp_path, seed=1, strategy="derisk", rounds=8)
    return tmp_path
