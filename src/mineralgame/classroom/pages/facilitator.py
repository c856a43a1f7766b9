"""Facilitator pages: ``/facilitator`` creates a session, ``/facilitator/<code>`` runs it.

The console needs the session's facilitator secret (held in the HTTP-only cookie after creating
the session or logging in); every callback checks it on the server before doing anything. What
the pages show is built in :mod:`mineralgame.classroom.pages.facilitator_layout`.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import dash
from dash import Input, Output, State, ctx, dcc, html, no_update

from mineralgame.classroom import auth, views
from mineralgame.classroom.api import run_control
from mineralgame.classroom.engine import ClassroomError, Engine, Facilitator
from mineralgame.classroom.pages import facilitator_layout, ui
from mineralgame.classroom.pages.facilitator_layout import ADVANCE_LABELS, scenario_files
from mineralgame.classroom.validation import InputError

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


def layout() -> html.Div:
    """The console shell (filled once the secret is checked)."""
    return html.Div(
        id="fac-page", children=[dcc.Store(id="fac-auth", data=0), html.Div(id="fac-gate")]
    )


def register(app: dash.Dash, engine: Engine, public_url: str | None) -> None:
    """Attach the facilitator pages' callbacks."""
    created: dict[str, tuple[str, str]] = {}  # form nonce → (code, secret): one click, one session
    created_lock = threading.Lock()

    def facilitator_of(pathname: str | None) -> Facilitator | None:
        return auth.current_facilitator(engine, ui.code_of(pathname))

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
            return facilitator_layout.login_panel(session.code)
        return facilitator_layout.console(engine, session, public_url)

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
        *ui.poll_outputs("fac"),
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
        return (*ui.poll_values(session, version), ADVANCE_LABELS[session.phase])

    @app.callback(
        Output("fac-roster", "children"),
        Output("fac-submissions", "children"),
        Output("fac-offers", "children"),
        Output("fac-preview", "children"),
        Output("fac-rounds", "children"),
        Output("fac-events", "children"),
        *ui.banner_outputs("fac-broadcast"),
        Input("fac-version", "data"),
        State("url", "pathname"),
    )
    def _refresh(_version: int | None, pathname: str) -> tuple[Any, ...]:
        fac = facilitator_of(pathname)
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
            facilitator_layout.preview(engine, fac, session),
            ui.table(view["rounds"], empty="none yet"),
            ui.table(view["events"], table_id="fac-events-table", empty="none"),
            *ui.banner_values(text),
        )

    @app.callback(
        *ui.act_outputs("fac-msg", "fac"),
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
        action = CONTROLS[str(trigger)]

        def control(fac: Facilitator) -> str:
            result = run_control(engine, fac, action, {"seconds": seconds})
            return f"{action}: {ui.fmt(result)}"

        return ui.act(facilitator_of(pathname), "not allowed: log in as the facilitator", control)

    @app.callback(
        *ui.act_outputs("ev-msg", "fac"),
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
        raw = {
            "kind": kind,
            "actor": actor,
            "minerals": minerals or [],
            "targets": targets or [],
            "share": share,
            "duration_rounds": duration,
            "description": text or "",
        }

        def inject(fac: Facilitator) -> str:
            spec = engine.inject_event(fac, raw)
            return f"Event for round {spec['round'] + 1}: {spec['description']}"

        return ui.act(facilitator_of(pathname), "not allowed", inject)

    @app.callback(
        *ui.act_outputs("bc-msg", "fac"),
        Input("bc-send", "n_clicks"),
        State("bc-text", "value"),
        State("url", "pathname"),
        prevent_initial_call=True,
    )
    def _broadcast(_n: int, text: str | None, pathname: str) -> tuple[Any, Any]:
        def broadcast(fac: Facilitator) -> str:
            engine.broadcast(fac, text or "")
            return "Broadcast sent" if text else "Banner cleared"

        return ui.act(facilitator_of(pathname), "not allowed", broadcast)


def _ago(at: float) -> str:
    if not at:
        return "never"
    seconds = max(0, int(time.time() - at))
    return f"{seconds} s ago" if seconds < 120 else f"{seconds // 60} min ago"
