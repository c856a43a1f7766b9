"""The classroom engine: sessions, seats, phases, timers, decisions, offers and resolution.

Every operation reads the session from the database, checks who may do what, writes its change
in one committed transaction, and returns the new state. Authorisation is structural: student
operations take a :class:`~mineralgame.classroom.entities.Seat`, which only
:meth:`Engine.seat` returns (from a valid seat token), and facilitator operations take a
:class:`Facilitator`, which only :meth:`Engine.facilitator` returns (from the secret). The
acting country is always the seat's, never a value from the request.

Phases of a round: ``negotiate`` → ``decide`` → (resolve) ``preview`` → (publish)
``results`` → next round's ``negotiate`` …, after ``lobby`` and until ``ended``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from mineralgame.classroom import security
from mineralgame.classroom.cache import Memo, VersionCache
from mineralgame.classroom.entities import (
    OPEN_PHASES,
    Offer,
    OfferKind,
    Phase,
    RoundResult,
    ScoreVisibility,
    Seat,
    Session,
    SessionConfig,
    Submission,
)
from mineralgame.classroom.persistence import Store
from mineralgame.classroom.resolution import (
    Resolver,
    RunInputs,
    assemble,
    bot_offers,
    facilitator_events_only,
)
from mineralgame.classroom.validation import (
    InputError,
    World,
    clean_config_numbers,
    clean_decision,
    clean_event,
    clean_name,
    clean_offer,
    clean_text,
)
from mineralgame.config.load import load_scenario
from mineralgame.config.schema import Scenario
from mineralgame.record import RunRecord

MAX_OFFERS_PER_ROUND = 12
MAX_EVENTS_PER_ROUND = 12
MAX_SEATS_PER_COUNTRY = 8
MAX_SEATS = 200
SEEN_EVERY = 10.0


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
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "configs" / "classroom.yaml"
        if candidate.is_file():
            return candidate
    return Path("configs/classroom.yaml")


class Engine:
    """Classroom sessions over a :class:`Store`.

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
            return self.store.session(con, clean)

    def _session(self, code: str) -> Session:
        found = self.session(code)
        if found is None:
            raise NotFoundError("no session with this code")
        return found

    def seats(self, code: str) -> list[Seat]:
        """Every seat of a session."""
        with self.store.read() as con:
            return self.store.seats(con, code)

    def submissions(self, code: str, rnd: int | None = None) -> list[Submission]:
        """Active submissions of a session (one round or all)."""
        with self.store.read() as con:
            return self.store.submissions(con, code, rnd)

    def offers(self, code: str, rnd: int | None = None) -> list[Offer]:
        """Active offers of a session (one round or all)."""
        with self.store.read() as con:
            return self.store.offers(con, code, rnd)

    def rounds(self, code: str) -> list[RoundResult]:
        """Resolved rounds of a session."""
        with self.store.read() as con:
            return self.store.rounds(con, code)

    # --- creating and joining -------------------------------------------------------------

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
                if self.store.session(con, code) is None:
                    self.store.insert_session(con, code, security.digest(secret), config, now)
                    self.store.log(con, code, now, "facilitator", "create", config.to_json())
                    created = self.store.session(con, code)
                    assert created is not None
                    return created, secret
        raise ClassroomError("could not find a free join code; try again")

    def facilitator(self, code: object, secret: object) -> Facilitator | None:
        """The facilitator of a session if ``secret`` is its secret, else None."""
        clean = security.normalise_code(code)
        if clean is None:
            return None
        with self.store.read() as con:
            stored = self.store.secret_digest(con, clean)
        if stored is None or not security.matches(secret, stored):
            return None
        return Facilitator(clean)

    def seat(self, code: object, token: object) -> Seat | None:
        """The seat holding ``token`` in session ``code``, or None."""
        clean = security.normalise_code(code)
        if clean is None or not isinstance(token, str) or not security.TOKEN_RE.match(token):
            return None
        with self.store.read() as con:
            return self.store.seat_by_token(con, clean, security.digest(token))

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
            seats = self.store.seats(con, session.code)
            if len(seats) >= MAX_SEATS:
                raise ClassroomError("the session is full")
            if sum(s.country == country for s in seats) >= MAX_SEATS_PER_COUNTRY:
                raise ClassroomError(f"the {country} delegation is full; choose another country")
            seat_id = self.store.insert_seat(
                con, session.code, str(country), clean_name_, security.digest(token), now
            )
            self.store.bump(con, session.code)
            self.store.log(con, session.code, now, f"seat {seat_id}", "join", str(country))
            seat = self.store.seat_by_token(con, session.code, security.digest(token))
        assert seat is not None
        return seat, token

    def touch(self, seat: Seat) -> None:
        """Record that a seat's browser is connected (at most every few seconds)."""
        now = self.clock()
        if now - seat.last_seen < SEEN_EVERY:
            return
        with self.store.write() as con:
            self.store.touch_seat(con, seat.id, now)

    # --- student actions ------------------------------------------------------------------

    def _open_session(self, seat: Seat) -> Session:
        session = self._session(seat.code)
        if session.phase not in OPEN_PHASES:
            raise ClassroomError(
                f"decisions and offers are closed during this phase ({session.phase}); wait for "
                "the next round"
            )
        if seat.country not in session.humans:
            raise ClassroomError(f"{seat.country} is played by a bot in this session")
        return session

    def submission(self, code: str, rnd: int, country: str) -> Submission | None:
        """A delegation's active submission for a round."""
        return next((s for s in self.submissions(code, rnd) if s.country == country), None)

    def submit(self, seat: Seat, raw: object) -> Submission:
        """Submit the delegation's decision for the current round (then locked).

        Raises:
            InputError: The decision is invalid.
            ClassroomError: Not now, or already submitted.
        """
        session = self._open_session(seat)
        payload = clean_decision(raw, self.world(session), seat.country)
        now = self.clock()
        with self.store.write() as con:
            current = self.store.session(con, session.code)
            if current is None or current.phase not in OPEN_PHASES:
                raise ClassroomError("the phase changed; decisions are closed")
            done = [
                s
                for s in self.store.submissions(con, session.code, current.round)
                if s.country == seat.country
            ]
            if done and not done[0].reopened:
                raise ClassroomError("your delegation already submitted its decision this round")
            sub_id = self.store.insert_submission(
                con, session.code, current.round, seat.country, seat.id, payload, now
            )
            self.store.bump(con, session.code)
            self.store.log(con, session.code, now, f"seat {seat.id}", "submit", payload)
            subs = self.store.submissions(con, session.code, current.round)
        return next(s for s in subs if s.id == sub_id)

    def make_offer(self, seat: Seat, raw: object) -> Offer:
        """Make an offer from the seat's country to another country.

        Raises:
            InputError: The offer is invalid.
            ClassroomError: Not now, or too many offers.
        """
        session = self._open_session(seat)
        responder, kind, terms = clean_offer(raw, self.world(session), seat.country)
        to_human = responder in session.humans
        if kind == "pact" and not to_human:
            raise InputError(
                "responder",
                "pact invitations go to countries played by students; bots decide pact "
                "membership themselves (use 'join pact' in your decision instead)",
            )
        offer = Offer(
            id=0,
            code=session.code,
            round=session.round,
            proposer=seat.country,
            responder=responder,
            kind=cast(OfferKind, kind),
            terms=terms,
            status="open" if to_human else "sent",
            created_at=self.clock(),
            seat_id=seat.id,
        )
        return self._insert_offer(session, offer, f"seat {seat.id}")

    def _insert_offer(self, session: Session, offer: Offer, actor: str) -> Offer:
        with self.store.write() as con:
            mine = [
                o
                for o in self.store.offers(con, session.code, session.round)
                if o.proposer == offer.proposer and o.origin == "human"
            ]
            if len(mine) >= MAX_OFFERS_PER_ROUND:
                raise ClassroomError(f"at most {MAX_OFFERS_PER_ROUND} offers per round")
            offer_id = self.store.insert_offer(con, offer)
            self.store.bump(con, session.code)
            self.store.log(con, session.code, offer.created_at, actor, "offer", offer_id)
            stored = self.store.offer(con, session.code, offer_id)
        assert stored is not None
        return stored

    def answer_offer(
        self, seat: Seat, offer_id: object, action: object, counter: object = None
    ) -> Offer:
        """Accept, reject or counter an offer made to the seat's country.

        Returns:
            The answered offer (for a counter: the new counter-offer).

        Raises:
            NotFoundError: No such open offer to this delegation.
            InputError: Bad action or counter terms.
        """
        session = self._open_session(seat)
        if action not in ("accept", "reject", "counter"):
            raise InputError("action", "choose accept, reject or counter")
        offer = self._own_offer(session, offer_id, responder=seat.country)
        if offer.status != "open":
            raise ClassroomError(f"this offer is already {offer.status}")
        new: Offer | None = None
        if action == "counter":
            raw = {"responder": offer.proposer, "kind": offer.kind}
            raw |= counter if isinstance(counter, Mapping) else {}
            responder, kind, terms = clean_offer(raw, self.world(session), seat.country)
            if responder != offer.proposer or kind != offer.kind:
                raise InputError("counter", "a counter-offer goes back to the proposer, same kind")
            to_human = offer.proposer in session.humans
            new = Offer(
                id=0,
                code=session.code,
                round=session.round,
                proposer=seat.country,
                responder=offer.proposer,
                kind=offer.kind,
                terms=terms,
                status="open" if to_human else "sent",
                created_at=self.clock(),
                seat_id=seat.id,
                parent_id=offer.id,
            )
        status = {"accept": "accepted", "reject": "rejected", "counter": "countered"}[str(action)]
        now = self.clock()
        with self.store.write() as con:
            fresh = self.store.offer(con, session.code, offer.id)
            if fresh is None or fresh.status != "open":
                raise ClassroomError("this offer was answered or withdrawn meanwhile")
            self.store.set_offer_status(con, offer.id, cast(Any, status))
            self.store.log(con, session.code, now, f"seat {seat.id}", status, offer.id)
            new_id = self.store.insert_offer(con, new) if new is not None else offer.id
            self.store.bump(con, session.code)
            result = self.store.offer(con, session.code, new_id)
        assert result is not None
        return result

    def withdraw_offer(self, seat: Seat, offer_id: object) -> Offer:
        """Withdraw one of the delegation's offers that nobody has answered yet."""
        session = self._open_session(seat)
        offer = self._own_offer(session, offer_id, proposer=seat.country)
        if offer.status not in ("open", "sent"):
            raise ClassroomError(f"this offer is already {offer.status}")
        with self.store.write() as con:
            self.store.set_offer_status(con, offer.id, "withdrawn")
            self.store.bump(con, session.code)
            result = self.store.offer(con, session.code, offer.id)
        assert result is not None
        return result

    def _own_offer(
        self,
        session: Session,
        offer_id: object,
        *,
        responder: str | None = None,
        proposer: str | None = None,
    ) -> Offer:
        try:
            oid = int(offer_id)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            raise NotFoundError("no such offer") from None
        with self.store.read() as con:
            offer = self.store.offer(con, session.code, oid)
        if (
            offer is None
            or offer.round != session.round
            or (responder is not None and offer.responder != responder)
            or (proposer is not None and offer.proposer != proposer)
        ):
            raise NotFoundError("no such offer for your delegation in this round")
        return offer

    # --- facilitator controls -------------------------------------------------------------

    def _timer(self, session: Session, phase: Phase) -> float | None:
        seconds = {
            "negotiate": session.config.negotiate_seconds,
            "decide": session.config.decide_seconds,
        }.get(phase, 0)
        return self.clock() + seconds if seconds else None

    def _set_phase(self, fac: Facilitator, phase: Phase, **extra: Any) -> Session:
        session = self._session(fac.code)
        with self.store.write() as con:
            self.store.update_session(
                con,
                fac.code,
                phase=phase,
                ends_at=self._timer(session, phase),
                paused_remaining=None,
                **extra,
            )
            self.store.log(con, fac.code, self.clock(), "facilitator", f"phase {phase}", extra)
            updated = self.store.session(con, fac.code)
        assert updated is not None
        return updated

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

    def force_submit(self, fac: Facilitator) -> list[str]:
        """Submit 'no change' for every human delegation that has not submitted (timed out)."""
        session = self._session(fac.code)
        if session.phase not in OPEN_PHASES:
            raise ClassroomError("force-submit works during negotiation and decisions")
        return self._force(session)

    def _force(self, session: Session) -> list[str]:
        now = self.clock()
        empty: dict[str, Any] = {"levers": {}, "policy": [], "pacts": []}
        with self.store.write() as con:
            done = {s.country for s in self.store.submissions(con, session.code, session.round)}
            missing = [c for c in session.humans if c not in done]
            for country in missing:
                self.store.insert_submission(
                    con, session.code, session.round, country, None, empty, now, timed_out=True
                )
            if missing:
                self.store.bump(con, session.code)
                self.store.log(con, session.code, now, "facilitator", "force-submit", missing)
        return missing

    def resolve(self, fac: Facilitator) -> Session:
        """Close the round (missing delegations time out), simulate it, and show a preview."""
        session = self._session(fac.code)
        if session.phase not in OPEN_PHASES:
            raise ClassroomError("the round can be resolved from negotiation or decisions")
        self._force(session)
        with self.store.write() as con:
            self.store.expire_offers(con, fac.code, session.round)
        updated = self._set_phase(fac, "preview")
        record, seconds = self.record_upto(updated, session.round)
        self._store_round(updated, session.round, record, seconds, "preview")
        return updated

    def _store_round(
        self, session: Session, rnd: int, record: RunRecord, seconds: float, status: str
    ) -> None:
        result = RoundResult(
            code=session.code,
            round=rnd,
            status="published" if status == "published" else "preview",
            content_hash=str(record.manifest["content_hash"]),
            decisions_hash=self.inputs(session, rnd).key,
            resolved_at=self.clock(),
            seconds=seconds,
        )
        with self.store.write() as con:
            self.store.put_round(con, result)
            self.store.bump(con, session.code)

    def publish(self, fac: Facilitator) -> Session:
        """Publish the previewed round; bots' offers to humans arrive for the next round."""
        session = self._session(fac.code)
        if session.phase != "preview":
            raise ClassroomError("there is no preview to publish; resolve the round first")
        record, seconds = self.record_upto(session, session.round)
        self._store_round(session, session.round, record, seconds, "published")
        if session.round + 1 < session.config.rounds:
            self._receive_bot_offers(session, record)
        return self._set_phase(fac, "results")

    def _receive_bot_offers(self, session: Session, record: RunRecord) -> None:
        now = self.clock()
        with self.store.write() as con:
            for raw in bot_offers(record, session.humans, session.round):
                offer = Offer(
                    id=0,
                    code=session.code,
                    round=session.round + 1,
                    proposer=raw["proposer"],
                    responder=raw["responder"],
                    kind=raw["kind"],
                    terms=raw["terms"],
                    status="open",
                    created_at=now,
                    origin="bot",
                )
                self.store.insert_offer(con, offer)

    def undo(self, fac: Facilitator) -> Session:
        """Undo the last round: withdraw its results and reopen it for decisions.

        Submissions of that round stay (delegations may change them); timed-out ones are
        dropped; everything done after it is voided.
        """
        session = self._session(fac.code)
        if session.phase == "ended":
            raise ClassroomError("the session has ended")
        if session.phase == "preview":
            target = session.round
        else:
            published = [r.round for r in self.rounds(fac.code) if r.status == "published"]
            if not published:
                raise ClassroomError("there is no resolved round to undo")
            target = max(published)
        with self.store.write() as con:
            self.store.void_after(con, fac.code, target)
            self.store.reopen_round(con, fac.code, target)
            self.store.reopen_offers(con, fac.code, target)
            self.store.delete_round(con, fac.code, target)
            self.store.log(con, fac.code, self.clock(), "facilitator", "undo", target)
        return self._set_phase(fac, "decide", round=target)

    def pause(self, fac: Facilitator) -> Session:
        """Pause (or resume) the phase timer."""
        session = self._session(fac.code)
        now = self.clock()
        with self.store.write() as con:
            if session.paused_remaining is not None:
                self.store.update_session(
                    con, fac.code, ends_at=now + session.paused_remaining, paused_remaining=None
                )
            elif session.ends_at is not None:
                left = max(0.0, session.ends_at - now)
                self.store.update_session(con, fac.code, ends_at=None, paused_remaining=left)
            else:
                raise ClassroomError("no timer is running")
            updated = self.store.session(con, fac.code)
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
                self.store.update_session(
                    con, fac.code, paused_remaining=session.paused_remaining + add
                )
            else:
                base = max(session.ends_at or now, now)
                self.store.update_session(con, fac.code, ends_at=base + add)
            updated = self.store.session(con, fac.code)
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
            count = sum(e.round == rnd for e in self.store.events(con, fac.code))
            if count >= MAX_EVENTS_PER_ROUND:
                raise ClassroomError(f"at most {MAX_EVENTS_PER_ROUND} events per round")
            self.store.insert_event(con, fac.code, rnd, spec, now)
            self.store.bump(con, fac.code)
            self.store.log(con, fac.code, now, "facilitator", "event", spec)
        return spec

    def broadcast(self, fac: Facilitator, text: object) -> Session:
        """Show a banner message to everyone (empty text clears it)."""
        message = clean_text("message", text, required=False)
        now = self.clock()
        with self.store.write() as con:
            self.store.update_session(con, fac.code, broadcast=message)
            if message:
                self.store.insert_message(con, fac.code, message, now)
            updated = self.store.session(con, fac.code)
        assert updated is not None
        return updated

    def end(self, fac: Facilitator) -> Session:
        """End the session (unpublished results are dropped) and save its run record."""
        session = self._session(fac.code)
        if session.phase == "ended":
            return session
        if session.phase == "preview":
            with self.store.write() as con:
                self.store.delete_round(con, fac.code, session.round)
        updated = self._set_phase(fac, "ended")
        self.save_final(updated)
        return updated

    # --- records --------------------------------------------------------------------------

    def inputs(self, session: Session, upto: int) -> RunInputs:
        """What determines the record of rounds ``0..upto``."""
        with self.store.read() as con:
            events = self.store.events(con, session.code)
            subs = self.store.submissions(con, session.code)
            offers = self.store.offers(con, session.code)
        decisions = assemble(upto, events, subs, offers)
        return RunInputs(
            scenario=self.scenario(session.config),
            scenario_key=session.config.scenario_path,
            seed=session.config.seed,
            strategy=session.config.strategy,
            rounds=upto + 1,
            decisions=tuple(decisions),
            humans=session.humans,
        )

    def record_upto(self, session: Session, upto: int) -> tuple[RunRecord, float]:
        """The record of rounds ``0..upto`` and the seconds it took to simulate."""
        return self.resolver.record(self.inputs(session, upto))

    def published_round(self, session: Session) -> int | None:
        """The last published round, or None."""
        published = [r.round for r in self.rounds(session.code) if r.status == "published"]
        return max(published) if published else None

    def published_record(self, session: Session) -> RunRecord | None:
        """The record of every published round (what students and the projector see).

        Cached for the session's version (``session`` must be read before the call).
        """

        def compute() -> RunRecord | None:
            published = [r for r in self.rounds(session.code) if r.status == "published"]
            if not published:
                return None
            last = max(published, key=lambda r: r.round)
            # the inputs of published rounds are frozen (undo deletes the round), so the
            # record stored under the round's decisions hash is the published one
            cached = self.resolver.cached(last.decisions_hash)
            return cached if cached is not None else self.record_upto(session, last.round)[0]

        return self.derived.get(session, "published_record", compute)

    def preview_record(self, fac: Facilitator) -> RunRecord | None:
        """The facilitator's preview of the round being resolved."""
        session = self._session(fac.code)
        if session.phase != "preview":
            return None
        return self.record_upto(session, session.round)[0]

    def counterfactual(self, session: Session, strategy: str) -> RunRecord | None:
        """The session replayed with every country a bot under ``strategy`` (same events)."""
        last = self.published_round(session)
        scenario = self.scenario(session.config)
        if last is None or strategy not in scenario.strategies:
            return None
        events = facilitator_events_only(self.inputs(session, last).decisions)
        inputs = RunInputs(
            scenario=scenario,
            scenario_key=session.config.scenario_path,
            seed=session.config.seed,
            strategy=strategy,
            rounds=last + 1,
            decisions=tuple(events),
            humans=(),
        )
        return self.resolver.record(inputs)[0]

    def save_final(self, session: Session) -> Path | None:
        """Save the published record under ``records_dir`` (opens in the dashboard)."""
        record = self.published_record(session)
        if record is None or self.records_dir is None:
            return None
        return record.save(self.records_dir / f"classroom_{session.code}")

    def log(self, fac: Facilitator) -> list[dict[str, Any]]:
        """The session's audit log."""
        with self.store.read() as con:
            return self.store.log_rows(con, fac.code)
