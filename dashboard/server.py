"""Serve the dashboard with waitress (a production WSGI server), bound to 127.0.0.1 by default."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

PAGES = {
    "records": "/records",
    "compare": "/compare",
    "replay": "/records",
    "experiments": "/experiments",
}


def page_url(host: str, port: int, open_page: str = "records") -> str:
    """Return the URL a user should open for a page (``records``, ``compare``, ...)."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}{PAGES.get(open_page, '/records')}"


def serve(
    records_dir: Path | str,
    host: str = "127.0.0.1",
    port: int = 8050,
    open_page: str = "records",
    *,
    debug: bool = False,
    threads: int = 8,
    out: TextIO | None = None,
    sweeps_dir: Path | str | None = None,
) -> None:
    """Serve the dashboard for a records folder until interrupted.

    Args:
        records_dir: Folder of run records.
        host: Interface to bind (``127.0.0.1`` unless told otherwise).
        port: TCP port.
        open_page: Page whose URL is printed: ``records``, ``compare`` or ``experiments``.
        debug: Use Dash's development server with debugging instead of waitress.
        threads: Waitress worker threads.
        out: Where to print the URL (default standard output).
        sweeps_dir: Folder of sweep results for the Experiments page (default: ``sweeps/``
            next to the records folder, when it exists).
    """
    import threading

    from dashboard.app import create_app

    app = create_app(Path(records_dir), sweeps_dir=Path(sweeps_dir) if sweeps_dir else None)
    store = app.server.config["RECORD_STORE"]
    threading.Thread(target=store.warm, name="warm-records", daemon=True).start()
    url = page_url(host, port, open_page)
    stream = out or sys.stdout
    stream.write(f"mineralgame dashboard: open {url}  (Ctrl+C to stop)\n")
    stream.flush()
    if debug:
        app.run(host=host, port=port, debug=True)
        return
    import waitress

    waitress.serve(app.server, host=host, port=port, threads=threads, ident="mineralgame")
