"""What delegations do in a round: submit their decision, make, answer and withdraw offers.

Every action takes a :class:`Seat` (proof of a valid seat token); the acting country is always
the seat's, never a value from the request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from mineralgame.classroom import queries
from mineralgame.classroom.engine.core import ClassroomError, EngineCore, NotFoundError
from mineralgame.classroom.entities import OPEN_PHASES, Offer, OfferKind, Seat, Session, Submission
from mineralgame.classroom.validation import InputError, clean_decision, clean_offer

MAX_OFFERS_PER_ROUND = 12


class DelegationActions(EngineCore):
    """Student actions: decisions and offers, allowed while a round is open."""

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
            current = queries.session(con, session.code)
            if current is None or current.phase not in OPEN_PHASES:
                raise ClassroomError("the phase changed; decisions are closed")
            done = [
                s
                for s in queries.submissions(con, session.code, current.round)
                if s.country == seat.country
            ]
            if done and not done[0].reopened:
                raise ClassroomError("your delegation already submitted its decision this round")
            sub_id = queries.insert_submission(
                con, session.code, current.round, seat.country, seat.id, payload, now
            )
            queries.bump(con, session.code)
            queries.log(con, session.code, now, f"seat {seat.id}", "submit", payload)
            subs = queries.submissions(con, session.code, current.round)
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
                for o in queries.offers(con, session.code, session.round)
                if o.proposer == offer.proposer and o.origin == "human"
            ]
            if len(mine) >= MAX_OFFERS_PER_ROUND:
                raise ClassroomError(f"at most {MAX_OFFERS_PER_ROUND} offers per round")
            offer_id = queries.insert_offer(con, offer)
            queries.bump(con, session.code)
            queries.log(con, session.code, offer.created_at, actor, "offer", offer_id)
            stored = queries.offer(con, session.code, offer_id)
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
            fresh = queries.offer(con, session.code, offer.id)
            if fresh is None or fresh.status != "open":
                raise ClassroomError("this offer was answered or withdrawn meanwhile")
            queries.set_offer_status(con, offer.id, cast(Any, status))
            queries.log(con, session.code, now, f"seat {seat.id}", status, offer.id)
            new_id = queries.insert_offer(con, new) if new is not None else offer.id
            queries.bump(con, session.code)
            result = queries.offer(con, session.code, new_id)
        assert result is not None
        return result

    def withdraw_offer(self, seat: Seat, offer_id: object) -> Offer:
        """Withdraw one of the delegation's offers that nobody has answered yet."""
        session = self._open_session(seat)
        offer = self._own_offer(session, offer_id, proposer=seat.country)
        if offer.status not in ("open", "sent"):
            raise ClassroomError(f"this offer is already {offer.status}")
        with self.store.write() as con:
            queries.set_offer_status(con, offer.id, "withdrawn")
            queries.bump(con, session.code)
            result = queries.offer(con, session.code, offer.id)
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
            offer = queries.offer(con, session.code, oid)
        if (
            offer is None
            or offer.round != session.round
            or (responder is not None and offer.responder != responder)
            or (proposer is not None and offer.proposer != proposer)
        ):
            raise NotFoundError("no such offer for your delegation in this round")
        return offer
