"""What the student page shows: the join panel, the seated delegation's page with its decision
and offer forms, and the parts its callbacks render from
:func:`mineralgame.classroom.views.student_view` (briefs, offers, decision status, results,
score). The callbacks are in :mod:`mineralgame.classroom.pages.student`.
"""

from __future__ import annotations

import time
from typing import Any

from dash import dcc, html

from mineralgame.classroom import views
from mineralgame.classroom.engine import Engine
from mineralgame.classroom.entities import Seat
from mineralgame.classroom.pages import ui
from mineralgame.classroom.validation import MEMBER_LEVERS, OFFER_KINDS, POLICY_KINDS, World

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
DECISION_INPUTS = (
    *LEVER_IDS.values(),
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


def join_panel(engine: Engine, code: str) -> html.Div:
    """The join form: a name and one of the delegations open to students."""
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
            ui.choice("pm-kind", {"none": "none", **POLICY_KINDS}, "none"),
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
            ui.choice("pc-action", {"none": "none", "join": "join", "leave": "leave"}, "none"),
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


def seated_panel(engine: Engine, seat: Seat) -> html.Div:
    """The seated delegation's page: briefs, decision and offer forms, results."""
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
            ui.card("Briefs", "st-brief"),
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
            ui.card("Results", "st-results"),
        ],
    )


def brief_panel(view: dict[str, Any]) -> html.Div:
    """The public brief and the delegation's private brief."""
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


def offer_list(rows: list[dict[str, Any]], box: str) -> html.Div | html.Ul:
    """Offers of one box (inbox, outbox, history) with buttons to answer or withdraw them."""
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


def decision_status(view: dict[str, Any]) -> html.Div:
    """Whether the delegation's decision for this round is in (and locked)."""
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


def results_panel(view: dict[str, Any]) -> html.Div:
    """Published results: the delegation's own, every country's, bots' deals, the timeline."""
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


def score_text(view: dict[str, Any]) -> Any:
    """The score line (empty while scores are hidden)."""
    score = view["score"]
    if score is None:
        return ""
    parts = ", ".join(f"{k} {ui.fmt(v)}" for k, v in score.items() if k not in ("role",))
    return f"Score: {parts}"
