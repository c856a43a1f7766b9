"""The student page ``/play/<code>``: join a delegation, read the briefs, negotiate, decide.

Every callback finds the seat from the HTTP-only cookie; nothing in the browser's request says
which country acts. What the page shows is built in
:mod:`mineralgame.classroom.pages.student_layout` from
:func:`mineralgame.classroom.views.student_view`.
"""

from __future__ import annotations

import time
from typing import Any

import dash
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from mineralgame.classroom import auth, views
from mineralgame.classroom.engine import ClassroomError, Engine
from mineralgame.classroom.entities import Seat
from mineralgame.classroom.pages import student_layout, ui
from mineralgame.classroom.pages.student_layout import (
    DECISION_INPUTS,
    LEVER_IDS,
    MILLIONS,
    OFFER_INPUTS,
)
from mineralgame.classroom.validation import MEMBER_LEVERS, InputError

NOT_JOINED = "join the session first"


def layout() -> html.Div:
    """The page shell (filled by callbacks once the cookie is checked)."""
    return html.Div(
        id="st-page", children=[dcc.Store(id="st-joined", data=0), html.Div(id="st-gate")]
    )


def _decision_payload(values: dict[str, Any]) -> dict[str, Any]:
    levers = {name: values[LEVER_IDS[name]] for name in MEMBER_LEVERS}
    levers = {k: v for k, v in levers.items() if v is not None}
    if values["member"]:
        levers["banned_counterparties"] = values["lv-banned"] or []
        levers["invest_with_groups"] = values["lv-groups"] or []
    else:
        levers = {}
    policy = []
    if values["pm-kind"] not in (None, "none"):
        measure = {
            "kind": values["pm-kind"],
            "minerals": values["pm-minerals"] or [],
            "targets": values["pm-targets"] or [],
            "duration_rounds": values["pm-duration"],
        }
        if values["pm-kind"] == "export_licensing":
            measure["share"] = values["pm-share"]
        policy.append(measure)
    pacts = []
    if values["pc-action"] not in (None, "none"):
        pacts.append({"pact": values["pc-name"], "action": values["pc-action"]})
    return {"levers": levers, "policy": policy, "pacts": pacts}


def _offer_terms(values: dict[str, Any]) -> dict[str, Any]:
    terms = {}
    for key, element in OFFER_INPUTS:
        value = values.get(element)
        if key in MILLIONS and isinstance(value, int | float):
            value = value * 1e6
        terms[key] = value
    return terms


def _named(states: list[State], values: tuple[Any, ...]) -> dict[str, Any]:
    """Form values by element id (the callback receives them in the order of ``states``)."""
    return {str(s.component_id): v for s, v in zip(states, values, strict=True)}


def register(app: dash.Dash, engine: Engine) -> None:
    """Attach the student page's callbacks."""

    def seat_of(pathname: str | None) -> Seat | None:
        seat = auth.current_seat(engine, ui.code_of(pathname))
        if seat is not None:
            engine.touch(seat)
        return seat

    @app.callback(
        Output("st-gate", "children"), Input("url", "pathname"), Input("st-joined", "data")
    )
    def _gate(pathname: str | None, _joined: int) -> html.Div:
        seat = seat_of(pathname)
        if seat is None:
            return student_layout.join_panel(engine, ui.code_of(pathname))
        return student_layout.seated_panel(engine, seat)

    @app.callback(
        Output("st-joined", "data"),
        Output("join-error", "children"),
        Input("join-submit", "n_clicks"),
        State("join-name", "value"),
        State("join-country", "value"),
        State("url", "pathname"),
        prevent_initial_call=True,
    )
    def _join(_n: int, name: str | None, country: str | None, pathname: str) -> tuple[Any, Any]:
        try:
            seat, token = engine.join(ui.code_of(pathname), name, country)
        except (InputError, ClassroomError) as exc:
            return no_update, ui.message(str(exc), ok=False)
        auth.remember_seat(seat.code, token)
        return seat.id, ""

    ui.register_countdown(app, "st-tick", "st-timer", "st-countdown")

    @app.callback(
        *ui.poll_outputs("st"),
        *ui.banner_outputs("st-broadcast"),
        Input("st-poll", "n_intervals"),
        State("url", "pathname"),
        State("st-version", "data"),
    )
    def _poll(_n: int, pathname: str, version: int | None) -> tuple[Any, ...]:
        seat = seat_of(pathname)
        session = engine.session(ui.code_of(pathname))
        if seat is None or session is None:
            return (no_update,) * 6
        return (*ui.poll_values(session, version), *ui.banner_values(session.broadcast))

    @app.callback(
        Output("st-brief", "children"),
        Output("dec-status", "children"),
        Output("st-inbox", "children"),
        Output("st-outbox", "children"),
        Output("st-history", "children"),
        Output("st-results", "children"),
        Output("st-score", "children"),
        Input("st-version", "data"),
        State("url", "pathname"),
    )
    def _refresh(_version: int | None, pathname: str) -> tuple[Any, ...]:
        seat = seat_of(pathname)
        if seat is None:
            return (no_update,) * 7
        view = views.student_view(engine, seat, time.time())
        return (
            student_layout.brief_panel(view),
            student_layout.decision_status(view),
            student_layout.offer_list(view["inbox"], "inbox"),
            student_layout.offer_list(view["outbox"], "outbox"),
            student_layout.offer_list(view["history"], "history"),
            student_layout.results_panel(view),
            student_layout.score_text(view),
        )

    decision_states = [State(i, "value") for i in DECISION_INPUTS]

    @app.callback(
        *ui.act_outputs("dec-msg", "st"),
        Input("dec-submit", "n_clicks"),
        State("url", "pathname"),
        *decision_states,
        prevent_initial_call=True,
    )
    def _submit(_n: int, pathname: str, *values: Any) -> tuple[Any, Any]:
        named = _named(decision_states, values)

        def submit(seat: Seat) -> str:
            session = engine.session(seat.code)
            named["member"] = (
                session is not None and engine.world(session).roles[seat.country] == "member"
            )
            engine.submit(seat, _decision_payload(named))
            return "Decision submitted ✓"

        return ui.act(seat_of(pathname), NOT_JOINED, submit)

    offer_states = [State(element, "value") for _, element in OFFER_INPUTS]

    @app.callback(
        *ui.act_outputs("of-msg", "st"),
        Input("of-send", "n_clicks"),
        State("url", "pathname"),
        State("of-responder", "value"),
        State("of-kind", "value"),
        State("of-pact", "value"),
        *offer_states,
        prevent_initial_call=True,
    )
    def _send(
        _n: int, pathname: str, responder: str, kind: str, pact: str, *values: Any
    ) -> tuple[Any, Any]:
        named = _named(offer_states, values)
        raw: dict[str, Any] = {"responder": responder, "kind": kind}
        raw |= {"pact": pact} if kind == "pact" else {"terms": _offer_terms(named)}

        def send(seat: Seat) -> str:
            offer = engine.make_offer(seat, raw)
            note = "the bot answers when the round resolves" if offer.status == "sent" else "sent"
            return f"Offer #{offer.id} to {offer.responder}: {note}"

        return ui.act(seat_of(pathname), NOT_JOINED, send)

    @app.callback(
        *ui.act_outputs("st-act-msg", "st"),
        Input({"type": "st-offer", "action": ALL, "id": ALL}, "n_clicks"),
        State("url", "pathname"),
        State("of-pact", "value"),
        *offer_states,
        prevent_initial_call=True,
    )
    def _act(clicks: list[int | None], pathname: str, pact: str, *values: Any) -> tuple[Any, Any]:
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict) or not any(clicks) or not ctx.triggered[0]["value"]:
            return no_update, no_update
        named = _named(offer_states, values)
        action, offer_id = str(trigger["action"]), trigger["id"]

        def answer(seat: Seat) -> str:
            if action == "withdraw":
                done = engine.withdraw_offer(seat, offer_id)
            else:
                counter = {"pact": pact, "terms": _offer_terms(named)}
                done = engine.answer_offer(seat, offer_id, action, counter)
            return f"Offer #{done.id}: {done.status}"

        return ui.act(seat_of(pathname), NOT_JOINED, answer)
