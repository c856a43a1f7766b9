"""Where the scenario files shipped with the repository are."""

from __future__ import annotations

from pathlib import Path


def shipped_config(name: str) -> Path:
    """A scenario file shipped in the repository's ``configs`` folder, e.g. 'baseline.yaml'
    (found above this package; relative to the working directory if not there)."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "configs" / name
        if candidate.is_file():
            return candidate
    return Path("configs") / name
