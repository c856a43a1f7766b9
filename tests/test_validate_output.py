"""`mineralgame validate`: how problems are reported (event files and ``extends`` named, one
line per problem in a fixed order, several files, ``--quiet``, unexpected errors) and that the
shipped scenarios are valid."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from mineralgame.cli import main
from mineralgame.commands import validate as validate_command
from validate_support import BASE, ROOT, assert_fails, validate, write_scenario


def test_events_list_not_a_list_with_event_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "ev.yaml").write_text("events: []\n", encoding="utf-8")
    data = {**copy.deepcopy(BASE), "events": 5, "event_files": ["ev.yaml"]}
    code, out, err = validate(capsys, write_scenario(tmp_path, data))
    assert_fails(code, out, err, ["events:", "must be a list"])


def test_event_file_problem_names_the_event_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "events").mkdir()
    extra = {"events": [{"kind": "news", "year": 2026, "actor": "CHN", "minerals": ["cobolt"]}]}
    write_scenario(tmp_path / "events", extra, "history.yaml")
    data = {**copy.deepcopy(BASE), "event_files": ["events/history.yaml"]}
    code, out, err = validate(capsys, write_scenario(tmp_path, data))
    where = tmp_path / "events" / "history.yaml"
    assert_fails(code, out, err, [f"{where}: events.0.minerals.0:", "did you mean 'cobalt'"])


@pytest.mark.parametrize(
    ("parent", "child_text", "expected"),
    [
        pytest.param(  # merged, and the problem is the child's
            "base.yaml",
            "extends: base.yaml\nrounds: 4\ndominant: CNH\n",
            ["{child}: dominant:", "did you mean 'CHN'"],
            id="merges-and-reports-the-child",
        ),
        pytest.param(
            "baseline.yaml",
            "extends: basline.yaml\n",
            ["extends:", "did you mean 'baseline.yaml'"],
            id="missing-parent-suggests-a-close-name",
        ),
    ],
)
def test_extends(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    parent: str,
    child_text: str,
    expected: list[str],
) -> None:
    write_scenario(tmp_path, BASE, parent)
    child = tmp_path / "child.yaml"
    child.write_text(child_text, encoding="utf-8")
    code, out, err = validate(capsys, child)
    assert_fails(code, out, err, [text.format(child=child) for text in expected])


def test_problem_line_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = copy.deepcopy(BASE)
    data["events"][0]["actor"] = "CHNA"
    path = write_scenario(tmp_path, data)
    _, _, err = validate(capsys, path)
    first = err.splitlines()[0]
    assert first == (f"{path}: events.0.actor: unknown country 'CHNA'. Fix: did you mean 'CHN'?")


def test_problems_come_in_a_fixed_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = copy.deepcopy(BASE)
    data["events"] = [{**data["events"][1], "actor": f"X{i}"} for i in range(12)]
    data["rival_bloc"] = ["nobody"]
    path = write_scenario(tmp_path, data)
    _, _, first = validate(capsys, path)
    _, _, second = validate(capsys, path)
    assert first == second
    paths = [line.split(": ")[1] for line in first.splitlines()[:-1]]
    assert paths == [f"events.{i}.actor" for i in range(12)] + ["rival_bloc.0"]


def test_repeated_name_is_reported_once_per_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = copy.deepcopy(BASE)
    data["dominant"] = "XXX"
    path = write_scenario(tmp_path, data)
    _, _, err = validate(capsys, path)
    assert err.count("dominant:") == 1
    assert "countries.CHN.role" not in err


def test_several_files_ok_and_failed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write_scenario(tmp_path, BASE, "good.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("- not a mapping\n", encoding="utf-8")
    code, out, err = validate(capsys, good, bad, good)
    assert code == 2
    assert out.splitlines() == [f"{good}: OK", f"{good}: OK"]
    assert f"{bad}: FAILED (1 problem)" in err


def test_quiet_prints_only_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write_scenario(tmp_path, BASE)
    code = main(["validate", "--quiet", str(good)])
    assert code == 0
    assert capsys.readouterr().out == ""


def test_unexpected_error_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(path: str) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(validate_command, "load_scenario", explode)
    code, out, err = validate(capsys, write_scenario(tmp_path, BASE))
    assert_fails(code, out, err, ["internal error", "RuntimeError: boom second line"])
    assert len(err.splitlines()) == 2


SHIPPED = sorted((ROOT / "configs").glob("*.yaml"))


def test_shipped_configs_are_valid(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = validate(capsys, *SHIPPED)
    assert (code, err) == (0, "")
    assert out.splitlines() == [f"{p}: OK" for p in SHIPPED]
