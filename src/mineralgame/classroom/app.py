"""The classroom app factory: one Dash app (pages and callbacks) plus the JSON API on its Flask
server, bound to one :class:`~mineralgame.classroom.engine.Engine` and holding no module state.
"""

from __future__ import annotations

import threading
from pathlib import Path

import dash
from dash import Input, Output, dcc, html
from dashboard.geo import ASSETS_DIR

from mineralgame.classroom import auth
from mineralgame.classroom.api import blueprint
from mineralgame.classroom.engine import Engine
from mineralgame.classroom.pages import (
    debrief,
    facilitator,
    facilitator_layout,
    home,
    projector,
    student,
)
from mineralgame.classroom.persistence import Store

STYLE = """
body { font-family: system-ui, sans-serif; margin: 0; background: #f5f7fa; color: #1d2733; }
.content { max-width: 1200px; margin: 0 auto; padding: 12px 20px; }
.nav { background: #1d2733; color: white; padding: 8px 20px; }
.nav a { color: #cfe3ff; margin-left: 16px; }
.card { background: white; border-radius: 8px; padding: 12px 16px; margin: 12px 0;
        box-shadow: 0 1px 3px rgba(0,0,0,.08); }
.grid2 { display: grid; grid-template-columns: minmax(220px, 1fr) 2fr; gap: 6px 12px;
         align-items: center; }
.grid2 h4, .grid2 button, .grid2 .full { grid-column: 1 / -1; }
.controls input { width: 90px; }
.tbl { border-collapse: collapse; font-size: 13px; margin: 6px 0; }
.tbl th, .tbl td { border-bottom: 1px solid #e3e8ef; padding: 3px 8px; text-align: left; }
.muted { color: #6b7785; } .ok { color: #1a7f37; } .error { color: #c62828; font-weight: 600; }
.banner { background: #fff4c2; border-left: 4px solid #e0a800; padding: 8px 12px; margin: 8px 0; }
.banner.empty { display: none; }
.phasebar { display: flex; gap: 24px; font-size: 18px; margin: 8px 0; }
.phase { font-weight: 700; } .countdown { font-variant-numeric: tabular-nums; }
.locked { background: #e6f4ea; padding: 6px 10px; border-radius: 4px; font-weight: 600; }
.controls button { margin: 2px 4px 2px 0; }
button { padding: 5px 12px; border-radius: 4px; border: 1px solid #9aa7b5; background: #fff;
         cursor: pointer; }
button.primary { background: #1f6feb; color: white; border-color: #1f6feb; }
button.small { padding: 1px 8px; margin-left: 6px; font-size: 12px; }
.offer { margin: 4px 0; } .code { font-size: 28px; letter-spacing: 4px; }
.joincard { display: flex; gap: 18px; align-items: center; }
.qr { width: 150px; height: 150px; }
.row { display: flex; flex-wrap: wrap; gap: 8px; } .half { flex: 1 1 480px; min-width: 0; }
a.button { margin-right: 8px; } .wide { width: 60%; }
.score { font-size: 18px; font-weight: 600; color: #1f6feb; }
"""
INDEX = (
    """<!DOCTYPE html>
<html>
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
        <style>"""
    + STYLE
    + """</style>
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""
)


def route(pathname: str | None) -> html.Div:
    """The page shell for a URL (no data: callbacks fill it after checking who asks)."""
    parts = [p for p in (pathname or "/").split("/") if p]
    if not parts:
        return home.layout()
    if parts == ["facilitator"]:
        return facilitator_layout.create_layout()
    if len(parts) == 2:
        pages = {
            "play": student.layout,
            "facilitator": facilitator.layout,
            "projector": projector.layout,
            "debrief": debrief.layout,
        }
        if parts[0] in pages:
            return pages[parts[0]]()
    return html.Div([html.H2("Page not found"), dcc.Link("Home", href="/")], id="not-found")


def warm_up(engine: Engine) -> threading.Thread:
    """Run a tiny simulation in the background so the first round resolves quickly."""

    def _run() -> None:
        from mineralgame.api import run
        from mineralgame.classroom.engine import default_scenario

        try:
            run(default_scenario(), rounds=1)
        except Exception:  # a missing default scenario only makes the first round slower
            return

    thread = threading.Thread(target=_run, name="classroom-warm-up", daemon=True)
    thread.start()
    return thread


def create_app(
    db: str | Path,
    *,
    records_dir: Path | None = None,
    public_url: str | None = None,
    secure_cookies: bool = False,
    engine: Engine | None = None,
    warm: bool = True,
) -> dash.Dash:
    """Build the classroom app.

    Args:
        db: SQLite file or ``sqlite:///`` URL (created when missing).
        records_dir: Where finished sessions are saved as run records (default: next to the
            database, in ``classroom-records``).
        public_url: Base URL students use (e.g. ``http://192.168.1.20:8060``); default: the
            URL the facilitator's browser used.
        secure_cookies: Send the cookie over HTTPS only (behind a TLS proxy).
        engine: A ready engine (tests); default: a new one over ``db``.
        warm: Warm the simulator up in the background.

    Returns:
        The Dash app; serve ``app.server`` with any WSGI server.
    """
    if engine is None:
        store = Store(db)
        records = records_dir or store.path.parent / "classroom-records"
        engine = Engine(store, records_dir=records)
    app = dash.Dash(
        "mineralgame.classroom",
        assets_folder=str(ASSETS_DIR),
        serve_locally=True,
        suppress_callback_exceptions=True,
        title="mineralgame classroom",
        update_title=None,  # type: ignore[arg-type]  # None: keep the tab title
        index_string=INDEX,
    )
    auth.configure(app.server, engine, secure_cookies=secure_cookies)
    app.server.register_blueprint(blueprint(engine))
    app.layout = html.Div(
        [
            dcc.Location(id="url", refresh=False),
            html.Nav(
                [html.Span("mineralgame classroom"), dcc.Link("Home", href="/", id="nav-home")],
                className="nav",
            ),
            html.Main(id="page", className="content"),
        ]
    )

    @app.callback(Output("page", "children"), Input("url", "pathname"))
    def _route(pathname: str | None) -> html.Div:
        return route(pathname)

    home.register(app, engine)
    facilitator.register(app, engine, public_url)
    student.register(app, engine)
    projector.register(app, engine, public_url)
    debrief.register(app, engine)
    app.server.config["CLASSROOM_ENGINE"] = engine
    if warm:
        warm_up(engine)
    return app
