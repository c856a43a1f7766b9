"""Who is asking: the signed, HTTP-only session cookie and the facilitator's bearer secret.

The cookie (Flask's signed session, ``HttpOnly``, ``SameSite=Lax``) holds, per join code, the
seat token of this browser and, for the facilitator, the session's secret. The signing key is
kept in the database so a restarted server still accepts its cookies. A tampered cookie fails
the signature check and counts as no cookie; a valid cookie still only proves a token, which is
checked against the database on every request.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import flask

from mineralgame.classroom import security
from mineralgame.classroom.entities import Seat

if TYPE_CHECKING:
    from mineralgame.classroom.engine import Engine, Facilitator

SEATS_KEY = "seats"
FACILITATOR_KEY = "fac"
MAX_REMEMBERED = 6
COOKIE_NAME = "mg_classroom"


def configure(app: flask.Flask, engine: Engine, *, secure_cookies: bool = False) -> None:
    """Set the cookie-signing key (stored in the database) and the cookie's flags."""
    app.config.update(
        SECRET_KEY=engine.store.meta("cookie_key", security.new_secret() + security.new_secret()),
        SESSION_COOKIE_NAME=COOKIE_NAME,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(days=7),
        MAX_CONTENT_LENGTH=256 * 1024,
    )


def _remember(key: str, code: str, secret: str) -> None:
    held = dict(flask.session.get(key) or {})
    held.pop(code, None)
    held[code] = secret
    while len(held) > MAX_REMEMBERED:
        held.pop(next(iter(held)))
    flask.session[key] = held
    flask.session.permanent = True


def remember_seat(code: str, token: str) -> None:
    """Keep this browser's seat token for a session in the cookie."""
    _remember(SEATS_KEY, code, token)


def remember_facilitator(code: str, secret: str) -> None:
    """Keep the facilitator secret for a session in the cookie."""
    _remember(FACILITATOR_KEY, code, secret)


def _held(key: str, code: str) -> object:
    held = flask.session.get(key)
    return held.get(code) if isinstance(held, dict) else None


def current_seat(engine: Engine, code: object) -> Seat | None:
    """The seat of this browser in a session (from the cookie), or None."""
    clean = security.normalise_code(code)
    if clean is None:
        return None
    return engine.seat(clean, _held(SEATS_KEY, clean))


def current_facilitator(engine: Engine, code: object) -> Facilitator | None:
    """The facilitator of a session if this request holds its secret (cookie or bearer)."""
    clean = security.normalise_code(code)
    if clean is None:
        return None
    secret = _held(FACILITATOR_KEY, clean)
    header = flask.request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        secret = header.removeprefix("Bearer ").strip()
    return engine.facilitator(clean, secret)


def held_facilitator_secret(code: str) -> str | None:
    """The facilitator secret this browser holds for a session (shown on its own console)."""
    secret = _held(FACILITATOR_KEY, code)
    return secret if isinstance(secret, str) else None
