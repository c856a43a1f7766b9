"""Classroom play: a facilitator runs a session; student delegations play countries from their
browsers; bots play the rest (see ``docs/facilitator-guide.md``).

``Engine`` holds the game logic over a SQLite ``Store``; ``create_app`` builds the Dash/Flask
app; ``serve`` runs it with waitress.
"""

from __future__ import annotations

from mineralgame.classroom.engine import ClassroomError, Engine, Facilitator
from mineralgame.classroom.persistence import Store
from mineralgame.classroom.validation import InputError

__all__ = ["ClassroomError", "Engine", "Facilitator", "InputError", "Store"]
