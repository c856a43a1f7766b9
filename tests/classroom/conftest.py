"""Fixtures for the classroom tests: engines over temporary databases, a live server in a
thread, and headless Chromium drivers (skipped when Chromium or its driver is missing)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from mineralgame.classroom import Engine, Store
from mineralgame.classroom.engine import default_scenario

SCENARIO = str(default_scenario())
HUMANS = ["JPN", "COD", "USA", "CHN"]


class FakeClock:
    """A settable clock for timers."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock starting at 1e6 s."""
    return FakeClock()


@pytest.fixture
def engine(tmp_path: Path, clock: FakeClock) -> Engine:
    """An engine over a fresh database, saving records under tmp_path/records."""
    return Engine(Store(tmp_path / "c.db"), clock=clock, records_dir=tmp_path / "records")


def new_session(engine: Engine, **extra: object) -> tuple[str, str]:
    """Create a 3-round session open to JPN, COD, USA and CHN; return (code, secret)."""
    raw = {"scenario": SCENARIO, "rounds": 3, "seed": 1, "human_countries": HUMANS, **extra}
    session, secret = engine.create_session(raw)
    return session.code, secret


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    """A classroom server running in a thread."""

    url: str
    engine: Engine


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The classroom app served on 127.0.0.1 by a threaded WSGI server in the background.

    (Werkzeug's server shuts down cleanly from another thread; the subprocess tests and the
    benchmark use the real command, served by waitress.)
    """
    import logging

    from werkzeug.serving import make_server

    from mineralgame.classroom.app import create_app

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    engine = Engine(Store(tmp_path / "live.db"), records_dir=tmp_path / "records")
    app = create_app(tmp_path / "live.db", engine=engine, warm=False)
    port = free_port()
    server = make_server("127.0.0.1", port, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(50):
        try:
            requests.get(url + "/_dash-layout", timeout=2)
            break
        except requests.ConnectionError:
            threading.Event().wait(0.1)
    yield LiveServer(url, engine)
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
