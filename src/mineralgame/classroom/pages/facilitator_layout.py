"""What the facilitator pages show: the form that creates a session, the login panel and the
console with its event form and results preview. The callbacks are in
:mod:`mineralgame.classroom.pages.facilitator`.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from mineralgame.classroom import auth, briefs, scoring, security
from mineralgame.classroom.engine import Engine, Facilitator, default_scenario
from mineralgame.classroom.entities import Session
from mineralgame.classroom.pages import ui
from mineralgame.classroom.validation import FACILITATOR_EVENTS, World
from mineralgame.config.load import load_scenario

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
            ui.choice("cr-scores", {"live": "live", "end": "at the end", "never": "never"}, "live"),
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


def login_panel(code: str) -> html.Div:
    """The form that asks for the session's facilitator secret."""
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


def _event_form(world: World) -> html.Div:
    return html.Div(
        className="grid2",
        children=[
            html.H4("Inject an event"),
            html.Label("Event"),
            ui.choice("ev-kind", FACILITATOR_EVENTS, "news"),
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


def console(engine: Engine, session: Session, public_url: str | None) -> html.Div:
    """The console: join card, controls, roster, proposals, preview, events, broadcast."""
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
            ui.join_card(code, public_url, "fac-join"),
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
            ui.card("Roster", "fac-roster"),
            ui.card("Proposal summary (this round)", "fac-submissions", ("Offers", "fac-offers")),
            ui.card(
                "Results preview (only you see this until you publish)",
                "fac-preview",
                ("Resolved rounds", "fac-rounds"),
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


def preview(engine: Engine, fac: Facilitator, session: Session) -> Any:
    """The previewed round's system table and scores (only the facilitator sees them)."""
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
