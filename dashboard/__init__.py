"""Dash dashboard for mineralgame run records: replay one run, compare several.

``create_app(records_dir)`` builds the app; ``serve(records_dir, host, port, open_page)`` runs it
with waitress on 127.0.0.1 by default.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import dash

__all__ = ["create_app", "serve"]


def create_app(records_dir: Path, **kwargs: Any) -> dash.Dash:
    """Build the dashboard app (see :func:`dashboard.app.create_app`)."""
    from dashboard.app import create_app as _create_app

    return _create_app(records_dir, **kwargs)


def serve(
    records_dir: Path | str, host: str = "127.0.0.1", port: int = 8050, **kwargs: Any
) -> None:
    """Serve the dashboard until interrupted (see :func:`dashboard.server.serve`)."""
    from dashboard.server import serve as _serve

    _serve(records_dir, host, port, **kwargs)
