"""Creating sessions and taking seats, and telling facilitators and seats from their secrets.

Authorisation is structural: only :meth:`Seating.seat` makes a :class:`Seat` (from a valid seat
token) and only :meth:`Seating.facilitator` makes a :class:`Facilitator` (from the secret).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from mineralgame.classroom import queries, security
from mineralgame.classroom.engine.core import (
    ClassroomError,
    EngineCore,
    Facilitator,
    default_scenario,
)
from mineralgame.classroom.entities import ScoreVisibility, Seat, Session, SessionConfig
from mineralgame.classroom.validation import (
    InputError,
    World,
    clean_config_numbers,
    clean_name,
    clean_text,
)
from mineralgame.config.load import load_scenario

MAX_SEATS_PER_COUNTRY = 8
MAX_SEATS = 200
SEEN_EVERY = 10.0


class Seating(EngineCore):
    """Sessions are created and joined here; the secrets that prove who acts are checked here."""

    def create_session(self, raw: Mapping[str, Any]) -> tuple[Session, str]:
        """Create a session from the facilitator's form; return it and the facilitator secret.

        Raises:
            InputError: A field is invalid (the message names it).
        """
        path = str(raw.get("scenario") or default_scenario())
        try:
            scenario = load_scenario(path)
        except Exception as exc:
            raise InputError("scenario", f"cannot load {path}: {exc}") from None
        world = World.of(scenario)
        numbers = clean_config_numbers(raw, scenario.rounds)
        humans = raw.get("human_countries") or list(world.playable)
        if not isinstance(humans, list | tuple) or any(h not in world.playable for h in humans):
            raise InputError("human_countries", f"choose from {', '.join(world.playable)}")
        strategy = raw.get("strategy") or None
        if strategy is not None and strategy not in scenario.strategies:
            raise InputError("strategy", f"choose one of {', '.join(scenario.strategies)}")
        scores = raw.get("scores", "live")
        if scores not in ("live", "end", "never"):
            raise InputError("scores", "choose live, end or never")
        config = SessionConfig(
            scenario_path=path,
            strategy=strategy,
            human_countries=tuple(sorted(set(humans))),
            scores=cast(ScoreVisibility, scores),
            title=clean_text("title", raw.get("title", ""), required=False)[:80],
            **numbers,
        )
        self._scenarios[path] = scenario
        secret = security.new_secret()
        now = self.clock()
        for _ in range(20):
            code = security.new_join_code()
            with self.store.write() as con:
                if queries.session(con, code) is None:
                    queries.insert_session(con, code, security.digest(secret), config, now)
                    queries.log(con, code, now, "facilitator", "create", config.to_json())
                    created = queries.session(con, code)
                    assert created is not None
                    return created, secret
        raise ClassroomError("could not find a free join code; try again")

    def facilitator(self, code: object, secret: object) -> Facilitator | None:
        """The facilitator of a session if ``secret`` is its secret, else None."""
        clean = security.normalise_code(code)
        if clean is None:
            return None
        with self.store.read() as con:
            stored = queries.secret_digest(con, clean)
        if stored is None or not security.matches(secret, stored):
            return None
        return Facilitator(clean)

    def seat(self, code: object, token: object) -> Seat | None:
        """The seat holding ``token`` in session ``code``, or None."""
        clean = security.normalise_code(code)
        if clean is None or not isinstance(token, str) or not security.TOKEN_RE.match(token):
            return None
        with self.store.read() as con:
            return queries.seat_by_token(con, clean, security.digest(token))

    def join(self, code: object, name: object, country: object) -> tuple[Seat, str]:
        """Take a seat in a country's delegation; return the seat and its token.

        Raises:
            InputError: Bad name or country.
            ClassroomError: The session has ended or is full.
        """
        session = self.session(code)
        if session is None:
            raise InputError("code", "no session with this code; check the code on the screen")
        clean_name_ = clean_name(name)
        open_to = session.humans if session.phase != "lobby" else session.config.human_countries
        world = self.world(session)
        if country not in open_to:
            names = ", ".join(f"{c} ({world.names[c]})" for c in open_to) or "none"
            raise InputError("country", f"choose a country open to students: {names}")
        if session.phase == "ended":
            raise ClassroomError("this session has ended")
        token = security.new_secret()
        now = self.clock()
        with self.store.write() as con:
            seats = queries.seats(con, session.code)
            if len(seats) >= MAX_SEATS:
                raise ClassroomError("the session is full")
            if sum(s.country == country for s in seats) >= MAX_SEATS_PER_COUNTRY:
                raise ClassroomError(f"the {country} delegation is full; choose another country")
            seat_id = queries.insert_seat(
                con, session.code, str(country), clean_name_, security.digest(token), now
            )
            queries.bump(con, session.code)
            queries.log(con, session.code, now, f"seat {seat_id}", "join", str(country))
            seat = queries.seat_by_token(con, session.code, security.digest(token))
        assert seat is not None
        return seat, token

    def touch(self, seat: Seat) -> None:
        """Record that a seat's browser is connected (at most every few seconds)."""
        now = self.clock()
        if now - seat.last_seen < SEEN_EVERY:
            return
        with self.store.write() as con:
            queries.touch_seat(con, seat.id, now)
