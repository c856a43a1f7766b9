"""Per-session derived data (views' tables, scores, records), kept for one session version.

Every change to a session bumps its ``version`` (see :class:`~mineralgame.classroom.persistence.
Store`), so data derived from a session read at version *v* stays valid until the version moves
on: requests at the same version reuse it, and the first request at a newer version drops every
entry of the older one. A value is computed from data read after the session, so it is never
older than the version it is stored under.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from mineralgame.classroom.entities import Session

T = TypeVar("T")


class VersionCache:
    """Values derived from a session, keyed by ``(code, version, key)``.

    Args:
        max_sessions: Sessions kept (least recently used dropped first).
    """

    def __init__(self, max_sessions: int = 32) -> None:
        self._lock = threading.Lock()
        self._data: OrderedDict[str, tuple[int, dict[Hashable, Any]]] = OrderedDict()
        self._max = max_sessions
        self.hits = 0
        self.misses = 0

    def get(self, session: Session, key: Hashable, compute: Callable[[], T]) -> T:
        """The value of ``key`` at the session's version, computed once per version."""
        code, version = session.code, session.version
        with self._lock:
            entry = self._data.get(code)
            if entry is not None and entry[0] == version and key in entry[1]:
                self._data.move_to_end(code)
                self.hits += 1
                return entry[1][key]  # type: ignore[no-any-return]
            self.misses += 1
        value = compute()
        with self._lock:
            entry = self._data.get(code)
            if entry is None or entry[0] < version:
                entry = (version, {})
                self._data[code] = entry
            if entry[0] == version:
                entry[1][key] = value
            self._data.move_to_end(code)
            while len(self._data) > self._max:
                self._data.popitem(last=False)
        return value

    def clear(self, code: str | None = None) -> None:
        """Forget one session's values (or all)."""
        with self._lock:
            if code is None:
                self._data.clear()
            else:
                self._data.pop(code, None)


class Memo:
    """A small thread-safe LRU of values keyed by what determines them (e.g. a record's hash).

    Args:
        size: Values kept.
    """

    def __init__(self, size: int = 512) -> None:
        self._lock = threading.Lock()
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._size = size

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value of ``key``, computed on first use."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]  # type: ignore[no-any-return]
        value = compute()
        with self._lock:
            self._data[key] = value
            while len(self._data) > self._size:
                self._data.popitem(last=False)
        return value
