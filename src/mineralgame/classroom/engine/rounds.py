"""Resolving a round: stragglers time out, the round is simulated and previewed, then
published (bots' offers to people arrive for the next round) or undone."""

from __future__ import annotations

from typing import Any

from mineralgame.classroom import queries
from mineralgame.classroom.engine.core import ClassroomError, Facilitator
from mineralgame.classroom.engine.records import RunRecords
from mineralgame.classroom.entities import OPEN_PHASES, Offer, RoundResult, Session
from mineralgame.classroom.resolution import bot_offers
from mineralgame.record import RunRecord


class RoundResolution(RunRecords):
    """The facilitator's steps that close, publish or reopen a round."""

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
            done = {s.country for s in queries.submissions(con, session.code, session.round)}
            missing = [c for c in session.humans if c not in done]
            for country in missing:
                queries.insert_submission(
                    con, session.code, session.round, country, None, empty, now, timed_out=True
                )
            if missing:
                queries.bump(con, session.code)
                queries.log(con, session.code, now, "facilitator", "force-submit", missing)
        return missing

    def resolve(self, fac: Facilitator) -> Session:
        """Close the round (missing delegations time out), simulate it, and show a preview."""
        session = self._session(fac.code)
        if session.phase not in OPEN_PHASES:
            raise ClassroomError("the round can be resolved from negotiation or decisions")
        self._force(session)
        with self.store.write() as con:
            queries.expire_offers(con, fac.code, session.round)
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
            queries.put_round(con, result)
            queries.bump(con, session.code)

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
                queries.insert_offer(con, offer)

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
            queries.void_after(con, fac.code, target)
            queries.reopen_round(con, fac.code, target)
            queries.reopen_offers(con, fac.code, target)
            queries.delete_round(con, fac.code, target)
            queries.log(con, fac.code, self.clock(), "facilitator", "undo", target)
        return self._set_phase(fac, "decide", round=target)
