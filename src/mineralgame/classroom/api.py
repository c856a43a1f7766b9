"""The JSON API and the export downloads (Flask routes on the Dash app's server).

Every route finds its caller from the cookie (or the facilitator's bearer secret) and checks it
before doing anything; the acting country is always the caller's seat's. State-changing routes
accept JSON bodies only (a cross-site form cannot send one without a CORS preflight, which this
server never grants). Errors come back as ``{"error": message, "field": name}`` with 400 (bad
input), 403 (not allowed), 404 (not found) or 409 (not now).
"""

from __future__ import annotations

import functools
import io
import json
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import flask

from mineralgame.classroom import auth, views
from mineralgame.classroom.engine import ClassroomError, Engine, Facilitator, NotFoundError
from mineralgame.classroom.entities import Seat, Session
from mineralgame.classroom.validation import InputError

FORBIDDEN = "not allowed: join the session first (or log in as its facilitator)"
Response = tuple[flask.Response, int] | flask.Response
Route = Callable[..., Response]


def _error(message: str, status: int, field: str = "") -> tuple[flask.Response, int]:
    return flask.jsonify({"error": message, "field": field}), status


def _body() -> dict[str, Any]:
    if not flask.request.is_json:
        raise InputError("body", "send JSON (Content-Type: application/json)")
    data = flask.request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InputError("body", "send a JSON object")
    return data


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn engine errors into JSON error responses."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            return _error(str(exc), 400, exc.field)
        except NotFoundError as exc:
            return _error(str(exc), 404)
        except ClassroomError as exc:
            return _error(str(exc), 409)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


def _session_or_404(engine: Engine, code: str) -> Session:
    session = engine.session(code)
    if session is None:
        raise NotFoundError("no session with this code")
    return session


def _seat(engine: Engine, code: str) -> Seat | None:
    seat = auth.current_seat(engine, code)
    if seat is not None:
        engine.touch(seat)
    return seat


def _with_caller(find: Callable[[str], object]) -> Callable[[Route], Route]:
    """A decorator that calls a route with ``find(code)`` (the caller's seat or facilitator
    proof) in place of the session code, and answers 403 when ``find`` returns None."""

    def decorate(route: Route) -> Route:
        @functools.wraps(route)
        def wrapper(code: str, **kwargs: Any) -> Response:
            caller = find(code)
            if caller is None:
                return _error(FORBIDDEN, 403)
            return route(caller, **kwargs)

        return wrapper

    return decorate


def blueprint(engine: Engine) -> flask.Blueprint:
    """The API routes, bound to one engine (no module state)."""
    bp = flask.Blueprint("classroom_api", __name__)

    def facilitator(code: str) -> Facilitator | None:
        return auth.current_facilitator(engine, code)

    seated = _with_caller(lambda code: _seat(engine, code))
    facilitating = _with_caller(facilitator)

    @bp.post("/api/sessions")
    @guarded
    def create() -> Response:
        """Create a session; the response holds the facilitator secret (shown once)."""
        session, secret = engine.create_session(_body())
        auth.remember_facilitator(session.code, secret)
        return flask.jsonify(
            {
                "code": session.code,
                "secret": secret,
                "facilitator_url": f"/facilitator/{session.code}",
                "join_url": f"/play/{session.code}",
            }
        ), 201

    @bp.post("/api/<code>/facilitator/login")
    @guarded
    def login(code: str) -> Response:
        """Log in as the facilitator with the secret."""
        secret = _body().get("secret")
        fac = engine.facilitator(code, secret)
        if fac is None:
            return _error("wrong facilitator secret", 403, "secret")
        auth.remember_facilitator(fac.code, str(secret))
        return flask.jsonify({"ok": True})

    @bp.post("/api/<code>/join")
    @guarded
    def join(code: str) -> Response:
        """Take a seat; the token goes into the HTTP-only cookie only."""
        body = _body()
        existing = auth.current_seat(engine, code)
        if existing is not None:
            return flask.jsonify({"seat": existing.id, "country": existing.country})
        seat, token = engine.join(code, body.get("name"), body.get("country"))
        auth.remember_seat(seat.code, token)
        return flask.jsonify({"seat": seat.id, "country": seat.country}), 201

    @bp.get("/api/<code>/me")
    @guarded
    @seated
    def me(seat: Seat) -> Response:
        """The caller's student view."""
        return flask.jsonify(views.student_view(engine, seat, time.time()))

    @bp.post("/api/<code>/decision")
    @guarded
    @seated
    def decision(seat: Seat) -> Response:
        """Submit the delegation's decision (committed before the answer)."""
        sub = engine.submit(seat, _body().get("decision"))
        return flask.jsonify({"submitted": sub.id, "round": sub.round, "country": sub.country})

    @bp.post("/api/<code>/offers")
    @guarded
    @seated
    def offer(seat: Seat) -> Response:
        """Make an offer."""
        made = engine.make_offer(seat, _body().get("offer"))
        return flask.jsonify({"offer": made.id, "status": made.status}), 201

    @bp.post("/api/<code>/offers/<int:offer_id>/<action>")
    @guarded
    @seated
    def answer(seat: Seat, offer_id: int, action: str) -> Response:
        """Accept, reject, counter or withdraw an offer."""
        body = _body()
        if action == "withdraw":
            done = engine.withdraw_offer(seat, offer_id)
        else:
            done = engine.answer_offer(seat, offer_id, action, body.get("counter"))
        return flask.jsonify({"offer": done.id, "status": done.status})

    @bp.get("/api/<code>/projector")
    @guarded
    def projector(code: str) -> Response:
        """The public view."""
        session = _session_or_404(engine, code)
        return flask.jsonify(views.projector_view(engine, session, time.time()))

    @bp.get("/api/<code>/facilitator")
    @guarded
    @facilitating
    def facilitator_state(fac: Facilitator) -> Response:
        """The facilitator's view."""
        return flask.jsonify(views.facilitator_view(engine, fac, time.time()))

    @bp.post("/api/<code>/control/<action>")
    @guarded
    @facilitating
    def control(fac: Facilitator, action: str) -> Response:
        """A facilitator control."""
        body = _body()
        result = run_control(engine, fac, action, body)
        return flask.jsonify({"ok": True, "result": result})

    @bp.get("/api/<code>/debrief")
    @guarded
    def debrief(code: str) -> Response:
        """The debrief (public once the session has ended; the facilitator any time)."""
        session = _session_or_404(engine, code)
        if session.phase != "ended" and facilitator(code) is None:
            return _error("the debrief opens when the facilitator ends the session", 403)
        return flask.jsonify(views.debrief_view(engine, session))

    @bp.get("/export/<code>/<name>")
    @guarded
    @facilitating
    def export(fac: Facilitator, name: str) -> Response:
        """Downloads: ``record.zip``, ``tables-csv.zip``, ``decisions.json``, ``log.json``."""
        session = _session_or_404(engine, fac.code)
        return export_file(engine, fac, session, name)

    return bp


def run_control(engine: Engine, fac: Facilitator, action: str, body: dict[str, Any]) -> Any:
    """Run one facilitator control by name; return a JSON-ready result."""
    simple: dict[str, Callable[[Facilitator], Any]] = {
        "start": engine.start,
        "advance": engine.advance,
        "resolve": engine.resolve,
        "publish": engine.publish,
        "pause": engine.pause,
        "undo": engine.undo,
        "end": engine.end,
        "force-submit": engine.force_submit,
    }
    if action in simple:
        out = simple[action](fac)
        return out.phase if isinstance(out, Session) else out
    if action == "extend":
        return engine.extend(fac, body.get("seconds")).remaining(time.time())
    if action == "event":
        return engine.inject_event(fac, body.get("event"))
    if action == "broadcast":
        return engine.broadcast(fac, body.get("text")).broadcast
    raise NotFoundError(f"unknown control {action!r}")


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in sorted(files.items()):
            zf.writestr(name, data)
    return buf.getvalue()


def export_file(engine: Engine, fac: Facilitator, session: Session, name: str) -> Response:
    """Build one export download."""
    if name == "log.json":
        body = json.dumps(engine.log(fac), indent=1).encode()
        return _download(body, name, "application/json")
    record = engine.published_record(session)
    if record is None:
        return _error("nothing to export yet: publish a round first", 409)
    if name == "decisions.json":
        keys = ("scenario_file", "seed", "strategy", "rounds", "humans", "decisions")
        doc = {k: record.manifest.get(k) for k in keys}
        doc["content_hash"] = record.manifest["content_hash"]
        return _download(json.dumps(doc, indent=1).encode(), name, "application/json")
    if name == "tables-csv.zip":
        files = {f"{t}.csv": df.to_csv(index=False).encode() for t, df in record.tables.items()}
        return _download(_zip(files), name, "application/zip")
    if name == "record.zip":
        with TemporaryDirectory() as tmp:
            folder = record.save(Path(tmp) / f"classroom_{session.code}")
            files = {f"{folder.name}/{p.name}": p.read_bytes() for p in folder.iterdir()}
        return _download(_zip(files), name, "application/zip")
    return _error(f"unknown export {name!r}", 404)


def _download(data: bytes, name: str, mimetype: str) -> flask.Response:
    response = flask.Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
