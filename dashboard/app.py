"""The Dash app factory and its small router.

Pages are plain modules with a ``layout(store, ...)`` function and a ``register(app, store)``
function that attaches their callbacks to this app only, so every app made by
:func:`create_app` (one per test, one per server) is independent and holds no module globals.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import dash
from dash import Input, Output, dcc, html

from dashboard import ids
from dashboard.geo import ASSETS_DIR
from dashboard.pages import compare, experiments, records, replay
from dashboard.store import RecordStore
from dashboard.sweeps import SweepStore


def _nav() -> html.Nav:
    """The top navigation bar."""
    return html.Nav(
        id=ids.NAV,
        className="nav",
        children=[
            html.Span("mineralgame", className="brand"),
            dcc.Link("Records", href="/records", id="nav-records"),
            dcc.Link("Compare", href="/compare", id="nav-compare"),
            dcc.Link("Experiments", href="/experiments", id="nav-experiments"),
        ],
    )


def route(
    store: RecordStore,
    pathname: str | None,
    search: str | None,
    sweeps: SweepStore | None = None,
) -> html.Div:
    """Return the page for a URL.

    Args:
        store: The record store.
        pathname: URL path (``/``, ``/records``, ``/replay/<id>``, ``/compare``,
            ``/experiments``).
        search: URL query string (``?round=3``, ``?ids=a,b``, ``?a=derisk&b=decouple``,
            ``?sweep=<id>``).
        sweeps: The sweep store (default: none, an empty Experiments page).

    Returns:
        The page layout (a not-found page for anything else).
    """
    path = (pathname or "/").rstrip("/") or "/"
    query = {k: v[-1] for k, v in parse_qs((search or "").lstrip("?")).items()}
    if path in ("/", "/records"):
        return records.layout(store)
    if path.startswith("/replay/") and path.count("/") == 2:
        return replay.layout(store, path.split("/")[2], query.get("round"))
    if path == "/compare":
        return compare.layout(store, query)
    if path == "/experiments":
        return experiments.layout(store, sweeps or SweepStore(None), query)
    return html.Div([html.H2("Page not found"), dcc.Link("Back to records", href="/records")])


def create_app(
    records_dir: Path,
    *,
    store: RecordStore | None = None,
    sweeps_dir: Path | None = None,
    cache_size: int = 32,
    title: str = "mineralgame dashboard",
    eager_loading: bool = False,
) -> dash.Dash:
    """Build the dashboard app for a records folder.

    Args:
        records_dir: Folder of run records (``docs/RECORD.md``).
        store: A ready store (default: a new one over ``records_dir``).
        sweeps_dir: Folder of sweep results folders for the Experiments page (default:
            ``sweeps/`` next to the records folder, when it exists).
        cache_size: Loaded records kept in memory.
        title: Browser tab title.
        eager_loading: Load every component bundle with the page rather than when a page
            first needs it (measured: no faster for the Replay page, heavier for the others).

    Returns:
        The Dash app; its Flask server is ``app.server``.
    """
    store = store or RecordStore(Path(records_dir), cache_size=cache_size)
    if sweeps_dir is None:
        beside = Path(records_dir).resolve().parent / "sweeps"
        sweeps_dir = beside if beside.is_dir() else None
    sweeps = SweepStore(sweeps_dir)
    app = dash.Dash(
        "dashboard",
        assets_folder=str(ASSETS_DIR),
        serve_locally=True,
        eager_loading=eager_loading,
        suppress_callback_exceptions=True,
        title=title,
        update_title=None,  # type: ignore[arg-type]  # None: keep the tab title
    )
    app.layout = html.Div(
        [
            dcc.Location(id=ids.URL, refresh=False),
            _nav(),
            html.Main(id=ids.CONTENT, className="content"),
        ]
    )

    @app.callback(
        Output(ids.CONTENT, "children"), Input(ids.URL, "pathname"), Input(ids.URL, "search")
    )
    def _route(pathname: str | None, search: str | None) -> html.Div:
        return route(store, pathname, search, sweeps)

    records.register(app, store)
    replay.register(app, store)
    compare.register(app, store)
    experiments.register(app, store, sweeps)
    app.server.config["RECORD_STORE"] = store
    app.server.config["SWEEP_STORE"] = sweeps
    return app
