"""The ``mineralgame dashboard`` command and ``dashboard.serve``."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import waitress
from dashboard.server import page_url

import dashboard
from mineralgame.cli import build_parser, main


def test_parser_defaults() -> None:
    args = build_parser().parse_args(["dashboard"])
    assert (args.host, args.port, args.records, args.debug) == (
        "127.0.0.1",
        8050,
        Path("records"),
        False,
    )
    assert args.handler.__module__ == "mineralgame.commands.dashboard"


def test_missing_folder_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["dashboard", "--records", str(tmp_path / "nope")])
    assert code == 2
    err = capsys.readouterr().err
    assert "does not exist" in err
    assert "Fix:" in err


def test_bad_port(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dashboard", "--records", str(tmp_path), "--port", "0"]) == 2
    assert "not a TCP port" in capsys.readouterr().err


def test_command_serves_with_waitress_on_localhost(
    one_record: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: calls.append({"app": app, **kw}))
    assert main(["dashboard", "--records", str(one_record), "--port", "8123"]) == 0
    (call,) = calls
    assert (call["host"], call["port"]) == ("127.0.0.1", 8123)
    assert "http://127.0.0.1:8123/records" in capsys.readouterr().out


def test_serve_api_for_the_demo(one_record: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: calls.append(kw))
    out = io.StringIO()
    dashboard.serve(one_record, "127.0.0.1", 8124, open_page="compare", out=out)
    assert calls[0]["port"] == 8124
    assert "http://127.0.0.1:8124/compare" in out.getvalue()


def test_page_url() -> None:
    assert page_url("0.0.0.0", 80, "records") == "http://127.0.0.1:80/records"
    assert page_url("::1", 8050, "compare") == "http://[::1]:8050/compare"
