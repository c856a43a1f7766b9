"""Run records of a session: what determines them, the published and previewed ones, the
all-bots counterfactual, and the record saved when the session ends."""

from __future__ import annotations

from pathlib import Path

from mineralgame.classroom import queries
from mineralgame.classroom.engine.core import EngineCore, Facilitator
from mineralgame.classroom.entities import Session
from mineralgame.classroom.resolution import RunInputs, assemble, facilitator_events_only
from mineralgame.record import RunRecord


class RunRecords(EngineCore):
    """Records simulated from a session's decisions (cached by the resolver and per version)."""

    def inputs(self, session: Session, upto: int) -> RunInputs:
        """What determines the record of rounds ``0..upto``."""
        with self.store.read() as con:
            events = queries.events(con, session.code)
            subs = queries.submissions(con, session.code)
            offers = queries.offers(con, session.code)
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
