"""The classroom engine: sessions, seats, phases, timers, decisions, offers and resolution.

Every operation reads the session from the database, checks who may do what, writes its change
in one committed transaction, and returns the new state. Authorisation is structural: student
operations take a :class:`~mineralgame.classroom.entities.Seat`, which only
:meth:`Engine.seat` returns (from a valid seat token), and facilitator operations take a
:class:`Facilitator`, which only :meth:`Engine.facilitator` returns (from the secret). The
acting country is always the seat's, never a value from the request.

The engine is one class assembled from a part per concern: :mod:`.core` (state, reading,
errors, phase changes), :mod:`.seating` (creating and joining), :mod:`.delegations` (student
actions), :mod:`.records` (run records), :mod:`.rounds` (resolving, publishing, undoing) and
:mod:`.controls` (the facilitator's other controls).
"""

from __future__ import annotations

from mineralgame.classroom.engine.controls import FacilitatorControls
from mineralgame.classroom.engine.core import (
    ClassroomError,
    Facilitator,
    NotFoundError,
    default_scenario,
)
from mineralgame.classroom.engine.delegations import DelegationActions
from mineralgame.classroom.engine.seating import Seating


class Engine(Seating, DelegationActions, FacilitatorControls):
    """Classroom sessions over a :class:`~mineralgame.classroom.persistence.Store`.

    Args:
        store: The database.
        clock: Time source (epoch seconds; tests pass a fake one).
        records_dir: Where finished sessions are saved as run records (None: not saved).
        resolver: Runs and caches records (a new one by default).
    """


__all__ = ["ClassroomError", "Engine", "Facilitator", "NotFoundError", "default_scenario"]
