"""Facilitator pages: ``/facilitator`` creates a session, ``/facilitator/<code>`` runs it.

The console needs the session's facilitator secret (held in the HTTP-only cookie after creating
the session or logging in); every callback checks it on the server before doing anything.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import dash
import flask
from dash import Input, Output, State, ctx, dcc, html, no_update

from mineralgame.classroom import auth, briefs, scoring, security, views
from mineralgame.classroom.api import run_control
from mineralgame.classroom.engine import ClassroomError, Engine, Facilitator, default_scenario
from mineralgame.classroom.entities import PHASE_LABELS, Session
from mineralgame.classroom.pages import ui
from mineralgame.classroom.qr import qr_data_uri
from mineralgame.classroom.validation import FACILITATOR_EVENTS, InputError, World
from mineralgame.config.load import load_scenario

CONTROLS = {
    "ctl-advance": "advance",
    "ctl-resolve": "resolve",
    "ctl-publish": "publish",
    "ctl-pause": "pause",
    "ctl-extend": "extend",
    "ctl-force": "force-submit",
    "ctl-undo": "undo",
    "ctl-end": "end",
}
ADVANCE_LABELS = {
    "lobby": "Start round 1",
    "negotiate": "Open decisions",
    "decide": "Close round and preview results",
    "preview": "Publish results",
    "results": "Next round",
    "ended": "Session ended",
}


def scenario_files() -> list[str]:
    """Scenario files next to the default classroom scenario."""
    folder = default_scenario().parent
    files = sorted(str(p) for p in folder.glob("*.yaml")) if folder.is_dir() else []
    default = str(default_scenario())
    return [default, *(f for f in files if f != default)]


def create_layout() -> html.Div:
    """The form that creates a session."""
    scenario = load_scenario(default_scenario())
    world = World.of(scenario)
    return html.Div(
        id="fac-create",
        className="card grid2",
        children=[
            html.H2("New classroom session"),
            html.Label("Scenario"),
            dcc.Dropdown(
                id="cr-scenario",
                options=scenario_files(),
                value=str(default_scenario()),
                clearable=False,
            ),
            html.Label("Title"),
            dcc.Input(id="cr-title", type="text", maxLength=80, placeholder="e.g. Class 3B"),
            html.Label(f"Rounds (1–{scenario.rounds})"),
            dcc.Input(id="cr-rounds", type="number", value=scenario.rounds, step=1),
            html.Label("Seed"),
            dcc.Input(id="cr-seed", type="number", value=0, step=1),
            html.Label("Bots' strategy"),
            dcc.Dropdown(
                id="cr-strategy",
                options=list(scenario.strategies),
                value=scenario.default_strategy,
                clearable=False,
            ),
            html.Label("Negotiation timer [s] (0 = none)"),
            dcc.Input(id="cr-negotiate", type="number", value=300, step=30),
            html.Label("Decision timer [s] (0 = none)"),
            dcc.Input(id="cr-decide", type="number", value=180, step=30),
            html.Label("Students see scores"),
            dcc.Dropdown(
                id="cr-scores",
                options=[
                    {"label": "live", "value": "live"},
                    {"label": "at the end", "value": "end"},
                    {"label": "never", "value": "never"},
                ],
                value="live",
                clearable=False,
            ),
            html.Label("Countries open to students (the others are bots)"),
            dcc.Checklist(
                id="cr-humans",
                options=[{"label": f" {c} {world.names[c]}", "value": c} for c in world.playable],
                value=list(world.playable),
                inline=True,
            ),
            dcc.Store(id="cr-nonce", data=security.new_secret()),
            html.Button("Create session", id="cr-submit", className="primary"),
            html.Div(id="cr-msg", className="full"),
        ],
    )


def layout() -> html.Div:
    """The console shell (filled once the secret is checked)."""
    return html.Div(
        id="fac-page", children=[dcc.Store(id="fac-auth", data=0), html.Div(id="fac-gate")]
    )


def _login_panel(code: str) -> html.Div:
    return html.Div(
        id="fac-login-panel",
        className="card",
        children=[
            html.H2(f"Facilitator login — session {code}"),
            html.Label("Facilitator secret"),
            dcc.Input(id="fac-secret", type="password", maxLength=100),
            html.Button("Log in", id="fac-login", className="primary"),
            html.Div(id="fac-login-msg"),
        ],
    )


def join_url(code: str, public_url: str | None) -> str:
    """The URL students open to join."""
    base = (public_url or flask.request.host_url).rstrip("/")
    return f"{base}/play/{code}"


def join_card(code: str, public_url: str | None, element_id: str) -> html.Div:
    """The join code, URL and QR code."""
    url = join_url(code, public_url)
    uri = qr_data_uri(url)
    qr = html.Img(src=uri, id=f"{element_id}-qr", className="qr") if uri else html.Div()
    return html.Div(
        id=element_id,
        className="joincard",
        children=[
            html.Div(["Join code ", html.B(code, className="code")]),
            html.Div(url, className="joinurl", id=f"{element_id}-url"),
            qr,
        ],
    )


def _event_form(world: World) -> html.Div:
    return html.Div(
        className="grid2",
        children=[
            html.H4("Inject an event"),
            html.Label("Event"),
            dcc.Dropdown(
                id="ev-kind",
                options=[{"label": v, "value": k} for k, v in FACILITATOR_EVENTS.items()],
                value="news",
                clearable=False,
            ),
            html.Label("Country (who imposes or suffers it)"),
            dcc.Dropdown(id="ev-actor", options=list(world.countries), value=world.countries[0]),
            html.Label("Minerals (empty = all)"),
            dcc.Dropdown(id="ev-minerals", options=list(world.minerals), multi=True),
            html.Label("Against (controls; empty = everyone)"),
            dcc.Dropdown(id="ev-targets", options=[*world.countries, *world.groups], multi=True),
            html.Label("Size: licensed share / capacity lost (0–1) / demand multiple"),
            dcc.Input(id="ev-share", type="number", value=0.5, step=0.05),
            html.Label("Duration [rounds]"),
            dcc.Input(id="ev-duration", type="number", value=1, step=1),
            html.Label("Headline (news flash text)"),
            dcc.Input(id="ev-text", type="text", maxLength=500),
            html.Button("Inject event", id="ev-inject"),
            html.Div(id="ev-msg", className="full"),
        ],
    )


def _console(engine: Engine, session: Session, public_url: str | None) -> html.Div:
    world = engine.world(session)
    secret = auth.held_facilitator_secret(session.code) or "(held by your login)"
    code = session.code
    exports = [
        html.A(name, href=f"/export/{code}/{name}", className="button", id=f"fac-export-{i}")
        for i, name in enumerate(("record.zip", "tables-csv.zip", "decisions.json", "log.json"))
    ]
    buttons = [
        html.Button(label, id=bid)
        for bid, label in (
            ("ctl-advance", ADVANCE_LABELS[session.phase]),
            ("ctl-resolve", "Preview results"),
            ("ctl-publish", "Publish"),
            ("ctl-pause", "Pause / resume"),
            ("ctl-extend", "Extend timer"),
            ("ctl-force", "Force-submit stragglers"),
            ("ctl-undo", "Undo last round"),
            ("ctl-end", "End session"),
        )
    ]
    return html.Div(
        id="fac-console",
        children=[
            *ui.poller("fac"),
            html.H2(f"Facilitator — {session.config.title or 'session'} {code}", id="fac-title"),
            html.Details(
                [html.Summary("Facilitator secret"), html.Code(secret, id="fac-secret-shown")]
            ),
            join_card(code, public_url, "fac-join"),
            html.Div(
                [
                    html.A("Projector", href=f"/projector/{code}", target="_blank"),
                    " · ",
                    html.A("Debrief", href=f"/debrief/{code}", target="_blank"),
                    " · Export: ",
                    *exports,
                ],
                className="links",
            ),
            ui.header("fac"),
            html.Div(id="fac-broadcast", className="banner empty"),
            html.Section(
                className="card",
                children=[
                    html.Div(
                        [
                            *buttons,
                            html.Span(" extend by "),
                            dcc.Input(id="ctl-extend-s", type="number", value=60, step=30),
                            html.Span(" s"),
                        ],
                        className="controls",
                    ),
                    html.Div(id="fac-msg"),
                ],
            ),
            html.Section(className="card", children=[html.H3("Roster"), html.Div(id="fac-roster")]),
            html.Section(
                className="card",
                children=[
                    html.H3("Proposal summary (this round)"),
                    html.Div(id="fac-submissions"),
                    html.H4("Offers"),
                    html.Div(id="fac-offers"),
                ],
            ),
            html.Section(
                className="card",
                children=[
                    html.H3("Results preview (only you see this until you publish)"),
                    html.Div(id="fac-preview"),
                    html.H4("Resolved rounds"),
                    html.Div(id="fac-rounds"),
                ],
            ),
            html.Section(
                className="card",
                children=[
                    _event_form(world),
                    html.H4("Announced events"),
                    html.Div(id="fac-events"),
                    html.H4("Broadcast a message"),
                    dcc.Input(id="bc-text", type="text", maxLength=500, className="wide"),
                    html.Button("Broadcast", id="bc-send"),
                    html.Div(id="bc-msg"),
                ],
            ),
        ],
    )


def _preview(engine: Engine, fac: Facilitator, session: Session) -> Any:
    if session.phase != "preview":
        return html.Div("Resolve the round to preview its results here.", className="muted")
    record = engine.preview_record(fac)
    if record is None:
        return html.Div("no preview", className="muted")
    scenario = engine.scenario(session.config)
    system = record.tables["system"]
    last = system[system["round"] == system["round"].max()]
    cols = ["mineral", "world_shortfall_share", "price_mean_usd_per_t", "dominant_refining_share"]
    table = scoring.score_table(record.tables["country_mineral"], scenario)
    return html.Div(
        [
            html.P(
                f"Round {session.round + 1} resolved; content hash "
                f"{record.manifest['content_hash'][:12]}"
            ),
            ui.table(last[cols].to_dict("records"), table_id="fac-preview-system"),
            ui.table(briefs.json_rows(table), table_id="fac-preview-scores"),
        ]
    )


def register(app: dash.Dash, engine: Engine, public_url: str | None) -> None:
    """Attach the facilitator pages' callbacks."""
    created: dict[str, tuple[str, str]] = {}  # form nonce → (code, secret): one click, one session
    created_lock = threading.Lock()

    @app.callback(
        Output("url", "pathname", allow_duplicate=True),
        Output("cr-msg", "children"),
        Input("cr-submit", "n_clicks"),
        State("cr-scenario", "value"),
        State("cr-title", "value"),
        State("cr-rounds", "value"),
        State("cr-seed", "value"),
        State("cr-strategy", "value"),
        State("cr-negotiate", "value"),
        State("cr-decide", "value"),
        State("cr-scores", "value"),
        State("cr-humans", "value"),
        State("cr-nonce", "data"),
        prevent_initial_call=True,
    )
    def _create(
        _n: int,
        scenario: str,
        title: str,
        rounds: Any,
        seed: Any,
        strategy: str,
        negotiate: Any,
        decide: Any,
        scores: str,
        humans: list[str],
        nonce: str,
    ) -> tuple[Any, Any]:
        if scenario not in scenario_files():
            return no_update, ui.message("choose a scenario from the list", ok=False)
        raw = {
            "scenario": scenario,
            "title": title or "",
            "rounds": rounds,
            "seed": seed,
            "strategy": strategy,
            "negotiate_seconds": negotiate,
            "decide_seconds": decide,
            "scores": scores,
            "human_countries": humans or [],
        }
        if not humans:
            return no_update, ui.message("human_countries: tick at least one country", ok=False)
        with created_lock:
            if nonce not in created:
                try:
                    session, secret = engine.create_session(raw)
                except (InputError, ClassroomError) as exc:
                    return no_update, ui.message(str(exc), ok=False)
                created[str(nonce)] = (session.code, secret)
                while len(created) > 256:
                    created.pop(next(iter(created)))
            code, secret = created[str(nonce)]
        auth.remember_facilitator(code, secret)
        return f"/facilitator/{code}", ""

    @app.callback(
        Output("fac-gate", "children"), Input("url", "pathname"), Input("fac-auth", "data")
    )
    def _gate(pathname: str | None, _auth: int) -> html.Div:
        code = ui.code_of(pathname)
        session = engine.session(code)
        if session is None:
            return html.Div([html.H2("No such session")], id="fac-missing")
        if auth.current_facilitator(engine, code) is None:
            return _login_panel(session.code)
        return _console(engine, session, public_url)

    @app.callback(
        Output("fac-auth", "data"),
        Output("fac-login-msg", "children"),
        Input("fac-login", "n_clicks"),
        State("fac-secret", "value"),
        State("url", "pathname"),
        prevent_initial_call=True,
    )
    def _login(_n: int, secret: str | None, pathname: str) -> tuple[Any, Any]:
        fac = engine.facilitator(ui.code_of(pathname), secret)
        if fac is None:
            return no_update, ui.message("wrong facilitator secret", ok=False)
        auth.remember_facilitator(fac.code, str(secret))
        return 1, ""

    ui.register_countdown(app, "fac-tick", "fac-timer", "fac-countdown")

    @app.callback(
        Output("fac-version", "data"),
        Output("fac-timer", "data"),
        Output("fac-round", "children"),
        Output("fac-phase", "children"),
        Output("ctl-advance", "children"),
        Input("fac-poll", "n_intervals"),
        State("url", "pathname"),
        State("fac-version", "data"),
    )
    def _poll(_n: int, pathname: str, version: int | None) -> tuple[Any, ...]:
        code = ui.code_of(pathname)
        fac = auth.current_facilitator(engine, code)
        session = engine.session(code)
        if fac is None or session is None:
            return (no_update,) * 5
        return (
            no_update if version == session.version else session.version,
            ui.timer_data(session),
            f"Round {session.round + 1} of {session.config.rounds}",
            PHASE_LABELS[session.phase],
            ADVANCE_LABELS[session.phase],
        )

    @app.callback(
        Output("fac-roster", "children"),
        Output("fac-submissions", "children"),
        Output("fac-offers", "children"),
        Output("fac-preview", "children"),
        Output("fac-rounds", "children"),
        Output("fac-events", "children"),
        Output("fac-broadcast", "children"),
        Output("fac-broadcast", "className"),
        Input("fac-version", "data"),
        State("url", "pathname"),
    )
    def _refresh(_version: int | None, pathname: str) -> tuple[Any, ...]:
        fac = auth.current_facilitator(engine, ui.code_of(pathname))
        if fac is None:
            return (no_update,) * 8
        view = views.facilitator_view(engine, fac, time.time())
        session = engine.session(fac.code)
        assert session is not None
        roster = [{**r, "last_seen": _ago(r["last_seen"])} for r in view["roster"]]
        subs = [
            {"country": s["country"], **s["payload"], "timed_out": s["timed_out"]}
            for s in view["submissions"]
        ]
        offers = [
            {k: o[k] for k in ("id", "proposer", "responder", "summary", "status", "origin")}
            for o in view["offers"]
        ]
        text = view["session"]["broadcast"]
        return (
            ui.table(roster, table_id="fac-roster-table", empty="nobody has joined yet"),
            ui.table(subs, table_id="fac-subs-table", empty="no decisions yet"),
            ui.table(offers, table_id="fac-offers-table", empty="no offers yet"),
            _preview(engine, fac, session),
            ui.table(view["rounds"], empty="none yet"),
            ui.table(view["events"], table_id="fac-events-table", empty="none"),
            text,
            "banner" if text else "banner empty",
        )

    @app.callback(
        Output("fac-msg", "children"),
        Output("fac-version", "data", allow_duplicate=True),
        *[Input(bid, "n_clicks") for bid in CONTROLS],
        State("ctl-extend-s", "value"),
        State("url", "pathname"),
        prevent_initial_call=True,
    )
    def _control(*args: Any) -> tuple[Any, Any]:
        seconds, pathname = args[-2], args[-1]
        trigger = ctx.triggered_id
        if trigger not in CONTROLS or not ctx.triggered[0]["value"]:
            return no_update, no_update
        fac = auth.current_facilitator(engine, ui.code_of(pathname))
        if fac is None:
            return ui.message("not allowed: log in as the facilitator", ok=False), no_update
        try:
            result = run_control(engine, fac, CONTROLS[str(trigger)], {"seconds": seconds})
        except (InputError, ClassroomError) as exc:
            return ui.message(str(exc), ok=False), no_update
        return ui.message(f"{CONTROLS[str(trigger)]}: {ui.fmt(result)}"), -1

    @app.callback(
        Output("ev-msg", "children"),
        Output("fac-version", "data", allow_duplicate=True),
        Input("ev-inject", "n_clicks"),
        State("ev-kind", "value"),
        State("ev-actor", "value"),
        State("ev-minerals", "value"),
        State("ev-targets", "value"),
        State("ev-share", "value"),
        State("ev-duration", "value"),
        State("ev-text", "value"),
        State("url", "pathname"),
        prevent_initial_call=True,
    )
    def _inject(
        _n: int,
        kind: str,
        actor: str,
        minerals: list[str] | None,
        targets: list[str] | None,
        share: Any,
        duration: Any,
        text: str | None,
        pathname: str,
    ) -> tuple[Any, Any]:
        fac = auth.current_facilitator(engine, ui.code_of(pathname))
        if fac is None:
            return ui.message("not allowed", ok=False), no_update
        raw = {
            "kind": kind,
            "actor": actor,
            "minerals": minerals or [],
            "targets": targets or [],
            "share": share,
            "duration_rounds": duration,
            "description": text or "",
        }
        try:
            spec = engine.inject_event(fac, raw)
        except (InputError, ClassroomError) as exc:
            return ui.message(str(exc), ok=False), no_update
        return ui.message(f"Event for round {spec['round'] + 1}: {spec['description']}"), -1

    @app.callback(
        Output("bc-msg", "children"),
        Output("fac-version", "data", allow_duplicate=True),
        Input("bc-send", "n_clicks"),
        State("bc-text", "value"),
        State("url", "pathname"),
        prevent_initial_call=True,
    )
    def _broadcast(_n: int, text: str | None, pathname: str) -> tuple[Any, Any]:
        fac = auth.current_facilitator(engine, ui.code_of(pathname))
        if fac is None:
            return ui.message("not allowed", ok=False), no_update
        try:
            engine.broadcast(fac, text or "")
        except InputError as exc:
            return ui.message(str(exc), ok=False), no_update
        return ui.message("Broadcast sent" if text else "Banner cleared"), -1


def _ago(at: float) -> str:
    if not at:
        return "never"
    seconds = max(0, int(time.time() - at))
    return f"{seconds} s ago" if seconds < 120 else f"{seconds // 60} min ago"
