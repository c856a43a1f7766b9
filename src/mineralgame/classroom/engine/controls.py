"""The facilitator's controls: phase transitions, timers, injected events, broadcasts, ending.

Phases of a round: ``negotiate`` → ``decide`` → (resolve) ``preview`` → (publish)
``results`` → next round's ``negotiate`` …, after ``lobby`` and until ``ended``.
"""

from __future__ import annotations

from typing import Any

from mineralgame.classroom import queries
from mineralgame.classroom.engine.core import ClassroomError, Facilitator
from mineralgame.classroom.engine.rounds import RoundResolution
from mineralgame.classroom.entities import OPEN_PHASES, Session
from mineralgame.classroom.validation import InputError, clean_event, clean_text

MAX_EVENTS_PER_ROUND = 12


class FacilitatorControls(RoundResolution):
    """What a :class:`Facilitator` (proof of the session's secret) may do to a session."""

    def start(self, fac: Facilitator) -> Session:
        """Start round 0: the countries with seated students become human, the rest bots."""
        session = self._session(fac.code)
        if session.phase != "lobby":
            raise ClassroomError("the session has already started")
        seated = {s.country for s in self.seats(fac.code)}
        humans = tuple(sorted(c for c in session.config.human_countries if c in seated))
        return self._set_phase(fac, "negotiate", humans=humans, round=0)

    def advance(self, fac: Facilitator) -> Session:
        """Move to the next phase (resolving the round after the decision phase)."""
        session = self._session(fac.code)
        if session.phase == "lobby":
            return self.start(fac)
        if session.phase == "negotiate":
            return self._set_phase(fac, "decide")
        if session.phase == "decide":
            return self.resolve(fac)
        if session.phase == "preview":
            return self.publish(fac)
        if session.phase == "results":
            if session.round + 1 >= session.config.rounds:
                return self.end(fac)
            return self._set_phase(fac, "negotiate", round=session.round + 1)
        raise ClassroomError("the session has ended")

    def pause(self, fac: Facilitator) -> Session:
        """Pause (or resume) the phase timer."""
        session = self._session(fac.code)
        now = self.clock()
        with self.store.write() as con:
            if session.paused_remaining is not None:
                queries.update_session(
                    con, fac.code, ends_at=now + session.paused_remaining, paused_remaining=None
                )
            elif session.ends_at is not None:
                left = max(0.0, session.ends_at - now)
                queries.update_session(con, fac.code, ends_at=None, paused_remaining=left)
            else:
                raise ClassroomError("no timer is running")
            updated = queries.session(con, fac.code)
        assert updated is not None
        return updated

    def extend(self, fac: Facilitator, seconds: object) -> Session:
        """Add time to the phase timer (1 s to 1 h)."""
        session = self._session(fac.code)
        try:
            add = float(seconds)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise InputError("seconds", "enter a number of seconds") from None
        if not 1 <= add <= 3600:
            raise InputError("seconds", "extend by 1 to 3600 seconds")
        if session.phase not in OPEN_PHASES:
            raise ClassroomError("timers run during negotiation and decisions only")
        now = self.clock()
        with self.store.write() as con:
            if session.paused_remaining is not None:
                queries.update_session(
                    con, fac.code, paused_remaining=session.paused_remaining + add
                )
            else:
                base = max(session.ends_at or now, now)
                queries.update_session(con, fac.code, ends_at=base + add)
            updated = queries.session(con, fac.code)
        assert updated is not None
        return updated

    def inject_event(self, fac: Facilitator, raw: object) -> dict[str, Any]:
        """Inject an event: it starts in the current round, or the next one once resolved."""
        session = self._session(fac.code)
        if session.phase == "ended":
            raise ClassroomError("the session has ended")
        rnd = session.round + (1 if session.phase in ("preview", "results") else 0)
        if rnd >= session.config.rounds:
            raise ClassroomError("no round is left for an event to happen in")
        spec = clean_event(raw, self.world(session), rnd)
        now = self.clock()
        with self.store.write() as con:
            count = sum(e.round == rnd for e in queries.events(con, fac.code))
            if count >= MAX_EVENTS_PER_ROUND:
                raise ClassroomError(f"at most {MAX_EVENTS_PER_ROUND} events per round")
            queries.insert_event(con, fac.code, rnd, spec, now)
            queries.bump(con, fac.code)
            queries.log(con, fac.code, now, "facilitator", "event", spec)
        return spec

    def broadcast(self, fac: Facilitator, text: object) -> Session:
        """Show a banner message to everyone (empty text clears it)."""
        message = clean_text("message", text, required=False)
        now = self.clock()
        with self.store.write() as con:
            queries.update_session(con, fac.code, broadcast=message)
            if message:
                queries.insert_message(con, fac.code, message, now)
            updated = queries.session(con, fac.code)
        assert updated is not None
        return updated

    def end(self, fac: Facilitator) -> Session:
        """End the session (unpublished results are dropped) and save its run record."""
        session = self._session(fac.code)
        if session.phase == "ended":
            return session
        if session.phase == "preview":
            with self.store.write() as con:
                queries.delete_round(con, fac.code, session.round)
        updated = self._set_phase(fac, "ended")
        self.save_final(updated)
        return updated

    def log(self, fac: Facilitator) -> list[dict[str, Any]]:
        """The session's audit log."""
        with self.store.read() as con:
            return queries.log_rows(con, fac.code)
