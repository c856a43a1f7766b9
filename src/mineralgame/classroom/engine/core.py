"""What every part of the classroom engine shares: the store, clock and caches, reading
sessions, the errors it raises, and moving a session to another phase."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mineralgame.classroom import queries, security
from mineralgame.classroom.cache import Memo, VersionCache
from mineralgame.classroom.entities import (
    Offer,
    Phase,
    RoundResult,
    Seat,
    Session,
    SessionConfig,
    Submission,
)
from mineralgame.classroom.persistence import Store
from mineralgame.classroom.resolution import Resolver
from mineralgame.classroom.validation import World
from mineralgame.config.load import load_scenario
from mineralgame.config.schema import Scenario
from mineralgame.config.shipped import shipped_config


class ClassroomError(Exception):
    """An action is not allowed now; the message says why (safe to show)."""


class NotFoundError(ClassroomError):
    """No such session, seat or offer (for this user)."""


@dataclass(frozen=True, slots=True)
class Facilitator:
    """Proof that a request holds a session's facilitator secret (made by the engine only)."""

    code: str


def default_scenario() -> Path:
    """The classroom scenario shipped in the repository's configs folder."""
    return shipped_config("classroom.yaml")


class EngineCore:
    """The engine's state and the reads and phase changes every part of it uses.

    Args:
        store: The database.
        clock: Time source (epoch seconds; tests pass a fake one).
        records_dir: Where finished sessions are saved as run records (None: not saved).
        resolver: Runs and caches records (a new one by default).

    ``derived`` caches what views derive from a session (records, offers, tables) for the
    session's current version; every change bumps the version, so nothing stale is served.
    ``memo`` keeps what is derived from a published record (scores, results tables) by the
    record's content, so a change that leaves the published rounds alone does not redo it.
    """

    def __init__(
        self,
        store: Store,
        *,
        clock: Callable[[], float] = time.time,
        records_dir: Path | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.records_dir = records_dir
        self.resolver = resolver or Resolver()
        self.derived = VersionCache()
        self.memo = Memo()
        self._scenarios: dict[str, Scenario] = {}

    # --- scenario -------------------------------------------------------------------------

    def scenario(self, config: SessionConfig) -> Scenario:
        """The session's scenario (loaded once per file)."""
        path = config.scenario_path
        if path not in self._scenarios:
            self._scenarios[path] = load_scenario(path)
        return self._scenarios[path]

    def world(self, session: Session) -> World:
        """Names, roles, minerals and groups of the session's scenario."""
        return World.of(self.scenario(session.config))

    # --- reading --------------------------------------------------------------------------

    def session(self, code: object) -> Session | None:
        """A session by join code (None for a malformed or unknown code)."""
        clean = security.normalise_code(code)
        if clean is None:
            return None
        with self.store.read() as con:
            return queries.session(con, clean)

    def _session(self, code: str) -> Session:
        found = self.session(code)
        if found is None:
            raise NotFoundError("no session with this code")
        return found

    def seats(self, code: str) -> list[Seat]:
        """Every seat of a session."""
        with self.store.read() as con:
            return queries.seats(con, code)

    def submissions(self, code: str, rnd: int | None = None) -> list[Submission]:
        """Active submissions of a session (one round or all)."""
        with self.store.read() as con:
            return queries.submissions(con, code, rnd)

    def offers(self, code: str, rnd: int | None = None) -> list[Offer]:
        """Active offers of a session (one round or all)."""
        with self.store.read() as con:
            return queries.offers(con, code, rnd)

    def rounds(self, code: str) -> list[RoundResult]:
        """Resolved rounds of a session."""
        with self.store.read() as con:
            return queries.rounds(con, code)

    # --- phases ---------------------------------------------------------------------------

    def _timer(self, session: Session, phase: Phase) -> float | None:
        seconds = {
            "negotiate": session.config.negotiate_seconds,
            "decide": session.config.decide_seconds,
        }.get(phase, 0)
        return self.clock() + seconds if seconds else None

    def _set_phase(self, fac: Facilitator, phase: Phase, **extra: Any) -> Session:
        session = self._session(fac.code)
        with self.store.write() as con:
            queries.update_session(
                con,
                fac.code,
                phase=phase,
                ends_at=self._timer(session, phase),
                paused_remaining=None,
                **extra,
            )
            queries.log(con, fac.code, self.clock(), "facilitator", f"phase {phase}", extra)
            updated = queries.session(con, fac.code)
        assert updated is not None
        return updated
