"""The student page ``/play/<code>``: join a delegation, read the briefs, negotiate, decide.

Every callback finds the seat from the HTTP-only cookie; nothing in the browser's request says
which country acts. Rendered data comes from :func:`mineralgame.classroom.views.student_view`.
"""

from __future__ import annotations

import time
from typing import Any

import dash
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from mineralgame.classroom import auth, views
from mineralgame.classroom.engine import ClassroomError, Engine
from mineralgame.classroom.entities import PHASE_LABELS, Seat
from mineralgame.classroom.pages import ui
from mineralgame.classroom.validation import (
    MEMBER_LEVERS,
    OFFER_KINDS,
    POLICY_KINDS,
    InputError,
    World,
)

LEVER_IDS = {name: f"lv-{name.replace('_', '-')}" for name in MEMBER_LEVERS}
OFFER_INPUTS = (
    ("mineral", "of-mineral"),
    ("investment_usd", "of-investment"),
    ("offtake_share", "of-offtake"),
    ("price_vs_index", "of-price"),
    ("duration_rounds", "of-duration"),
    ("tonnes_per_round", "of-tonnes"),
    ("technology_level", "of-tech"),
    ("fee_usd", "of-fee"),
    ("equity", "of-equity"),
)
MILLIONS = {"investment_usd", "fee_usd"}


def layout() -> html.Div:
    """The page shell (filled by callbacks once the cookie is checked)."""
    return html.Div(
        id="st-page", children=[dcc.Store(id="st-joined", data=0), html.Div(id="st-gate")]
    )


def _join_panel(engine: Engine, code: str) -> html.Div:
    session = engine.session(code)
    if session is None:
        return html.Div(
            [html.H2("No such session"), html.P("Check the join code on the projector.")],
            id="st-missing",
        )
    world = engine.world(session)
    open_to = session.humans if session.phase != "lobby" else session.config.human_countries
    seats = engine.seats(session.code)
    options = [
        {
            "label": f"{c} — {world.names[c]} ({sum(s.country == c for s in seats)} joined)",
            "value": c,
        }
        for c in open_to
    ]
    return html.Div(
        id="st-join",
        className="card",
        children=[
            html.H2(f"Join session {session.code}"),
            html.Label("Your name"),
            dcc.Input(id="join-name", type="text", maxLength=40, placeholder="e.g. Alice"),
            html.Label("Your country's delegation"),
            dcc.Dropdown(id="join-country", options=options, placeholder="choose a country"),
            html.Button("Join", id="join-submit", className="primary"),
            html.Div(id="join-error"),
        ],
    )


def _number(element_id: str, value: Any, step: float = 0.05, **kw: Any) -> dcc.Input:
    return dcc.Input(id=element_id, type="number", value=value, step=step, debounce=False, **kw)


def _levers_form(levers: dict[str, Any], world: World, seat: Seat, member: bool) -> html.Div:
    rows: list[Any] = []
    for name, bound in MEMBER_LEVERS.items():
        step = 1 if name == "stockpile_target_days" else 0.05
        rows += [
            html.Label(f"{bound.label} [{bound.unit}] ({bound.low:g}–{bound.high:g})"),
            _number(LEVER_IDS[name], levers.get(name), step=step),
        ]
    others = [c for c in world.countries if c != seat.country] + list(world.groups)
    rows += [
        html.Label("Ban as refined suppliers (countries or groups)"),
        dcc.Dropdown(
            id="lv-banned",
            options=others,
            value=list(levers.get("banned_counterparties") or []),
            multi=True,
        ),
        html.Label("Invest with groups (friend-shoring)"),
        dcc.Dropdown(
            id="lv-groups",
            options=list(world.groups),
            value=list(levers.get("invest_with_groups") or []),
            multi=True,
        ),
    ]
    style = {} if member else {"display": "none"}
    return html.Div(
        [html.H4("Levers (member states)"), *rows], id="lv-block", style=style, className="grid2"
    )


def _measure_form(world: World, seat: Seat) -> html.Div:
    targets = [c for c in world.countries if c != seat.country] + list(world.groups)
    return html.Div(
        className="grid2",
        children=[
            html.H4("Export measure (optional)"),
            html.Label("Measure"),
            dcc.Dropdown(
                id="pm-kind",
                options=[{"label": "none", "value": "none"}]
                + [{"label": v, "value": k} for k, v in POLICY_KINDS.items()],
                value="none",
                clearable=False,
            ),
            html.Label("Minerals"),
            dcc.Dropdown(id="pm-minerals", options=list(world.minerals), multi=True),
            html.Label("Against (empty = everyone)"),
            dcc.Dropdown(id="pm-targets", options=targets, multi=True),
            html.Label("Share still licensed (0–1)"),
            _number("pm-share", 0.5),
            html.Label("Duration [rounds] (1–10)"),
            _number("pm-duration", 1, step=1),
            html.H4("Pact membership (optional)"),
            html.Label("Pact (a group or a new name)"),
            dcc.Input(id="pc-name", type="text", maxLength=24, placeholder="e.g. MSP"),
            html.Label("Action"),
            dcc.Dropdown(
                id="pc-action",
                options=[
                    {"label": "none", "value": "none"},
                    {"label": "join", "value": "join"},
                    {"label": "leave", "value": "leave"},
                ],
                value="none",
                clearable=False,
            ),
        ],
    )


def _offer_form(world: World, seat: Seat, humans: tuple[str, ...]) -> html.Div:
    partners = [
        {
            "label": f"{c} — {world.names[c]} ({'students' if c in humans else 'bot'})",
            "value": c,
        }
        for c in world.playable
        if c != seat.country
    ]
    return html.Div(
        className="grid2",
        children=[
            html.H4("Make an offer (or set the terms of a counter-offer)"),
            html.Label("To"),
            dcc.Dropdown(id="of-responder", options=partners, placeholder="choose a country"),
            html.Label("Kind"),
            dcc.Dropdown(id="of-kind", options=list(OFFER_KINDS), value="investment"),
            html.Label("Mineral"),
            dcc.Dropdown(id="of-mineral", options=list(world.minerals), value=world.minerals[0]),
            html.Label("Investment [USD million]"),
            _number("of-investment", 500, step=50),
            html.Label("Offtake share (0–1)"),
            _number("of-offtake", 0.5),
            html.Label("Price vs index (e.g. 1.0)"),
            _number("of-price", 1.0),
            html.Label("Duration [rounds] (1–40)"),
            _number("of-duration", 5, step=1),
            html.Label("Tonnes per round"),
            _number("of-tonnes", 0, step=100),
            html.Label("Technology level (0–1.5)"),
            _number("of-tech", 0.0),
            html.Label("Fee [USD million]"),
            _number("of-fee", 0, step=10),
            html.Label("Equity (0–1)"),
            _number("of-equity", 0.0),
            html.Label("Pact (for a pact invitation)"),
            dcc.Input(id="of-pact", type="text", maxLength=24, placeholder="e.g. MSP"),
            html.Button("Send offer", id="of-send", className="primary"),
            html.Div(id="of-msg", className="full"),
        ],
    )


def _seated_panel(engine: Engine, seat: Seat) -> html.Div:
    session = engine.session(seat.code)
    assert session is not None
    world = engine.world(session)
    latest = [s for s in engine.submissions(seat.code) if s.country == seat.country]
    brief = views.student_view(engine, seat, time.time())["private_brief"]
    levers = dict(brief["starting_levers"])
    for sub in latest:
        levers.update(sub.payload.get("levers") or {})
    member = world.roles[seat.country] == "member"
    return html.Div(
        id="st-seated",
        children=[
            *ui.poller("st"),
            html.H2(f"{world.names[seat.country]} ({seat.country}) — {seat.name}", id="st-country"),
            ui.header("st"),
            html.Div(id="st-broadcast", className="banner empty"),
            html.Div(id="st-score", className="score"),
            html.Section(className="card", children=[html.H3("Briefs"), html.Div(id="st-brief")]),
            html.Section(
                className="card",
                children=[
                    html.H3("Your decision for this round"),
                    html.Div(id="dec-status"),
                    _levers_form(levers, world, seat, member),
                    _measure_form(world, seat),
                    html.Button("Submit decision", id="dec-submit", className="primary"),
                    html.Div(id="dec-msg"),
                ],
            ),
            html.Section(
                className="card",
                children=[
                    html.H3("Offers"),
                    html.H4("Inbox"),
                    html.Div(id="st-inbox"),
                    html.Div(id="st-act-msg"),
                    _offer_form(world, seat, session.humans),
                    html.H4("Your offers this round"),
                    html.Div(id="st-outbox"),
                    html.H4("Earlier offers"),
                    html.Div(id="st-history"),
                ],
            ),
            html.Section(
                className="card", children=[html.H3("Results"), html.Div(id="st-results")]
            ),
        ],
    )


def _brief(view: dict[str, Any]) -> html.Div:
    pub, priv = view["public_brief"], view["private_brief"]
    facts = {
        "role": priv["role"],
        "budget (USD bn / round)": priv["budget_usd_per_round"] / 1e9,
        "stockpile target (days)": priv["stockpile_target_days"],
        "ESG rating": priv["esg_rating"],
        **{f"weight on {k}": v for k, v in priv["preferences"].items()},
    }
    return html.Div(
        [
            html.H4("Public brief"),
            html.P(pub["description"]),
            html.P(pub["rules"], className="muted"),
            ui.table(pub["countries"], table_id="st-public-countries"),
            html.H4("Private brief — only your delegation sees this", id="st-private-title"),
            ui.table([{"item": k, "value": v} for k, v in facts.items()], table_id="st-private"),
            ui.table(priv["minerals"], table_id="st-private-minerals"),
            html.H4("Red lines"),
            html.Ul([html.Li(r) for r in priv["red_lines"]], id="st-red-lines"),
        ]
    )


def _offer_list(rows: list[dict[str, Any]], box: str) -> html.Div | html.Ul:
    if not rows:
        return html.Div("no offers", className="muted")
    items = []
    for r in rows:
        buttons = []
        if r["can_answer"]:
            for action in ("accept", "reject", "counter"):
                buttons.append(
                    html.Button(
                        action,
                        id={"type": "st-offer", "action": action, "id": r["id"]},
                        className=f"small {action}",
                    )
                )
        if r["can_withdraw"]:
            buttons.append(
                html.Button(
                    "withdraw",
                    id={"type": "st-offer", "action": "withdraw", "id": r["id"]},
                    className="small",
                )
            )
        who = f"from {r['proposer']}" if box == "inbox" else f"to {r['responder']}"
        origin = " (bot)" if r["origin"] == "bot" else ""
        items.append(
            html.Li(
                [
                    html.Span(f"#{r['id']} {who}{origin}: {r['summary']} — "),
                    html.B(r["status"], className=f"status-{r['status']}"),
                    *buttons,
                ],
                className="offer",
            )
        )
    return html.Ul(items, className=f"offers {box}")


def _decision_status(view: dict[str, Any]) -> html.Div:
    d = view["decision"]
    if d["submitted"]:
        text = "Submitted ✓ — locked for this round"
        if d["timed_out"]:
            text = "Submitted by the facilitator (timed out) — locked for this round"
        return html.Div(text, className="locked", id="dec-locked")
    if d["reopened"]:
        return html.Div("The round was reopened: you may submit again.", className="ok")
    phase = view["session"]["phase"]
    if phase not in ("negotiate", "decide"):
        return html.Div("Decisions are closed in this phase.", className="muted")
    return html.Div("Not submitted yet.", className="muted")


def _results(view: dict[str, Any]) -> html.Div:
    res = view["results"]
    if res["round"] is None:
        return html.Div("No results yet: the first round has not been published.", "muted")
    return html.Div(
        [
            html.H4(f"Your results, round {res['round']} (private)"),
            ui.table(view["own_results"], table_id="st-own"),
            html.H4("All countries (public)"),
            ui.table(res["countries"], table_id="st-public"),
            html.H4("Deals answered by bots"),
            ui.table(view["negotiation"], empty="none recorded"),
            html.H4("Timeline"),
            ui.table(res["timeline"], table_id="st-timeline", empty="no events yet"),
        ]
    )


def _score(view: dict[str, Any]) -> Any:
    score = view["score"]
    if score is None:
        return ""
    parts = ", ".join(f"{k} {ui.fmt(v)}" for k, v in score.items() if k not in ("role",))
    return f"Score: {parts}"


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
            return _join_panel(engine, ui.code_of(pathname))
        return _seated_panel(engine, seat)

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
        Output("st-version", "data"),
        Output("st-timer", "data"),
        Output("st-round", "children"),
        Output("st-phase", "children"),
        Output("st-broadcast", "children"),
        Output("st-broadcast", "className"),
        Input("st-poll", "n_intervals"),
        State("url", "pathname"),
        State("st-version", "data"),
    )
    def _poll(_n: int, pathname: str, version: int | None) -> tuple[Any, ...]:
        seat = seat_of(pathname)
        session = engine.session(ui.code_of(pathname))
        if seat is None or session is None:
            return (no_update,) * 6
        new_version = no_update if version == session.version else session.version
        return (
            new_version,
            ui.timer_data(session),
            f"Round {session.round + 1} of {session.config.rounds}",
            PHASE_LABELS[session.phase],
            session.broadcast,
            "banner" if session.broadcast else "banner empty",
        )

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
            _brief(view),
            _decision_status(view),
            _offer_list(view["inbox"], "inbox"),
            _offer_list(view["outbox"], "outbox"),
            _offer_list(view["history"], "history"),
            _results(view),
            _score(view),
        )

    decision_states = [State(i, "value") for i in LEVER_IDS.values()] + [
        State(i, "value")
        for i in (
            "lv-banned",
            "lv-groups",
            "pm-kind",
            "pm-minerals",
            "pm-targets",
            "pm-share",
            "pm-duration",
            "pc-name",
            "pc-action",
        )
    ]

    @app.callback(
        Output("dec-msg", "children"),
        Output("st-version", "data", allow_duplicate=True),
        Input("dec-submit", "n_clicks"),
        State("url", "pathname"),
        *decision_states,
        prevent_initial_call=True,
    )
    def _submit(_n: int, pathname: str, *values: Any) -> tuple[Any, Any]:
        seat = seat_of(pathname)
        if seat is None:
            return ui.message("join the session first", ok=False), no_update
        named = {str(s.component_id): v for s, v in zip(decision_states, values, strict=True)}
        session = engine.session(seat.code)
        named["member"] = (
            session is not None and engine.world(session).roles[seat.country] == "member"
        )
        try:
            engine.submit(seat, _decision_payload(named))
        except (InputError, ClassroomError) as exc:
            return ui.message(str(exc), ok=False), no_update
        return ui.message("Decision submitted ✓"), -1

    offer_states = [State(element, "value") for _, element in OFFER_INPUTS]

    @app.callback(
        Output("of-msg", "children"),
        Output("st-version", "data", allow_duplicate=True),
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
        seat = seat_of(pathname)
        if seat is None:
            return ui.message("join the session first", ok=False), no_update
        named = {str(s.component_id): v for s, v in zip(offer_states, values, strict=True)}
        raw: dict[str, Any] = {"responder": responder, "kind": kind}
        raw |= {"pact": pact} if kind == "pact" else {"terms": _offer_terms(named)}
        try:
            offer = engine.make_offer(seat, raw)
        except (InputError, ClassroomError) as exc:
            return ui.message(str(exc), ok=False), no_update
        note = "the bot answers when the round resolves" if offer.status == "sent" else "sent"
        return ui.message(f"Offer #{offer.id} to {offer.responder}: {note}"), -1

    @app.callback(
        Output("st-act-msg", "children"),
        Output("st-version", "data", allow_duplicate=True),
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
        seat = seat_of(pathname)
        if seat is None:
            return ui.message("join the session first", ok=False), no_update
        named = {str(s.component_id): v for s, v in zip(offer_states, values, strict=True)}
        action, offer_id = str(trigger["action"]), trigger["id"]
        try:
            if action == "withdraw":
                done = engine.withdraw_offer(seat, offer_id)
            else:
                counter = {"pact": pact, "terms": _offer_terms(named)}
                done = engine.answer_offer(seat, offer_id, action, counter)
        except (InputError, ClassroomError) as exc:
            return ui.message(str(exc), ok=False), no_update
        return ui.message(f"Offer #{done.id}: {done.status}"), -1
