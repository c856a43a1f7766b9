"""The run record: manifest plus Parquet tables; save, open and hash (docs/RECORD.md)."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

SCHEMA_VERSION = 1


def versions() -> dict[str, str]:
    """Versions of the packages that shape a run."""
    import mesa
    import numpy
    import pyarrow

    from mineralgame import __version__

    return {
        "mineralgame": __version__,
        "mesa": mesa.__version__,
        "numpy": numpy.__version__,
        "pandas": pd.__version__,
        "pyarrow": pyarrow.__version__,
        "python": platform.python_version(),
    }


def content_hash(tables: dict[str, pd.DataFrame]) -> str:
    """SHA-256 over every table's columns, dtypes and values (deterministic)."""
    h = hashlib.sha256()
    for name in sorted(tables):
        df = tables[name]
        h.update(name.encode())
        h.update(json.dumps([(c, str(t)) for c, t in df.dtypes.items()]).encode())
        h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    return h.hexdigest()


@dataclass
class RunRecord:
    """A run's manifest and tables; ``tables[name]`` is a DataFrame."""

    manifest: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def summary(self) -> dict[str, Any]:
        """Run scalars."""
        return dict(self.manifest.get("summary", {}))

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def save(self, path: str | Path) -> Path:
        """Write the record folder atomically (a temporary folder renamed into place)."""
        dest = Path(path)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
        for name, df in self.tables.items():
            df.to_parquet(tmp / f"{name}.parquet", index=False)
            # Summary also as a one-row table for DuckDB queries across runs.
        pd.DataFrame([self.summary]).to_parquet(tmp / "summary.parquet", index=False)
        (tmp / "manifest.json").write_text(json.dumps(self.manifest, indent=2, default=str))
        if dest.exists():
            backup = dest.with_name(f".{dest.name}.old")
            os.replace(dest, backup)
            os.replace(tmp, dest)
            _remove_tree(backup)
        else:
            os.replace(tmp, dest)
        return dest


def _remove_tree(path: Path) -> None:
    for p in sorted(path.rglob("*"), reverse=True):
        p.unlink() if p.is_file() else p.rmdir()
    path.rmdir()


def open_record(path: str | Path) -> RunRecord:
    """Load a record folder written by ``RunRecord.save``."""
    folder = Path(path)
    manifest_file = folder / "manifest.json"
    if not manifest_file.is_file():
        raise FileNotFoundError(f"{folder} is not a run record (no manifest.json)")
    manifest = json.loads(manifest_file.read_text())
    tables = {
        name: pd.read_parquet(folder / f"{name}.parquet") for name in manifest.get("tables", [])
    }
    return RunRecord(manifest, tables)
