"""Load scenario files (YAML) into a validated ``Scenario``.

Two loader-level keys are resolved before validation:

* ``extends: other.yaml`` — start from another scenario file (relative to this one) and
  deep-merge this file's keys over it (mappings merge, everything else replaces).
* ``event_files: [events/x.yaml, ...]`` — append the ``events`` list of each file.

Overrides (``{"minerals.lithium.demand_elasticity": -0.3}``) are applied to the merged raw
mapping by dotted path, so validation messages still name the field.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from mineralgame.config.schema import Scenario

MAX_EXTENDS_DEPTH = 8


@dataclass(frozen=True)
class Problem:
    """One problem found in a scenario file."""

    file: str
    path: str
    message: str
    fix: str = ""

    def __str__(self) -> str:
        fix = f" Fix: {self.fix}" if self.fix else ""
        where = f"{self.path}: " if self.path else ""
        return f"{self.file}: {where}{self.message}.{fix}"


class ScenarioError(Exception):
    """A scenario could not be loaded; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """Read a YAML file that must hold a mapping; raise ScenarioError otherwise."""
    name = str(path)
    if not path.exists():
        raise ScenarioError([Problem(name, "", "file not found", "check the path")])
    if path.is_dir():
        raise ScenarioError([Problem(name, "", "is a directory", "give a YAML file")])
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(name, "", f"cannot be read ({exc})", "")]) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        msg = f"is not valid YAML ({getattr(exc, 'problem', None) or exc})"
        raise ScenarioError([Problem(name, where, msg, "fix the YAML syntax")]) from exc
    if data is None:
        raise ScenarioError([Problem(name, "", "is empty", "write a scenario mapping")])
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise ScenarioError([Problem(name, "", f"holds a {kind}, not a mapping", "")])
    return data


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``over`` into a copy of ``base``: mappings merge, other values replace."""
    out = copy.deepcopy(dict(base))
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def resolve_raw(path: Path, depth: int = 0) -> dict[str, Any]:
    """Read ``path`` and resolve ``extends`` and ``event_files``; return the raw mapping."""
    raw = read_yaml_mapping(path)
    if depth > MAX_EXTENDS_DEPTH:
        msg = "extends chain is too deep (a cycle?)"
        raise ScenarioError([Problem(str(path), "extends", msg, "")])
    parent = raw.pop("extends", None)
    if parent is not None:
        if not isinstance(parent, str):
            msg = "must be a file name"
            raise ScenarioError([Problem(str(path), "extends", msg, "e.g. extends: baseline.yaml")])
        raw = deep_merge(resolve_raw(path.parent / parent, depth + 1), raw)
    event_files = raw.pop("event_files", None) or []
    if not isinstance(event_files, list):
        msg = "must be a list of file names"
        raise ScenarioError([Problem(str(path), "event_files", msg, "")])
    events = list(raw.get("events") or [])
    for name in event_files:
        sub = read_yaml_mapping(path.parent / str(name))
        more = sub.get("events") or []
        if not isinstance(more, list):
            msg = "'events' must be a list"
            raise ScenarioError([Problem(str(path.parent / str(name)), "events", msg, "")])
        events.extend(more)
    if events:
        raw["events"] = events
    return raw


def apply_overrides(raw: dict[str, Any], overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return a copy of ``raw`` with dotted-path overrides set (missing mappings created)."""
    out = copy.deepcopy(raw)
    for dotted, value in sorted((overrides or {}).items()):
        node: Any = out
        keys = dotted.split(".")
        for key in keys[:-1]:
            if not isinstance(node, dict):
                raise ScenarioError([Problem("<overrides>", dotted, "path is not a mapping", "")])
            node = node.setdefault(key, {})
        if not isinstance(node, dict):
            raise ScenarioError([Problem("<overrides>", dotted, "path is not a mapping", "")])
        node[keys[-1]] = copy.deepcopy(value)
    return out


def _fix_for(err_type: str, msg: str) -> str:
    fixes = {
        "extra_forbidden": "remove the key or check its spelling",
        "missing": "add this field",
        "greater_than_equal": "use a value within the allowed range",
        "less_than_equal": "use a value within the allowed range",
        "greater_than": "use a larger value",
        "less_than": "use a smaller value",
        "literal_error": "use one of the allowed values",
        "float_parsing": "write a number",
        "int_parsing": "write a whole number",
        "dict_type": "write a mapping (key: value)",
        "tuple_type": "write a list",
        "string_type": "write a text value",
    }
    return fixes.get(err_type, "")


def problems_from_validation(file: str, exc: ValidationError) -> list[Problem]:
    """Translate pydantic errors into file/field/what/fix problems."""
    out = []
    for err in exc.errors(include_url=False):
        path = ".".join(str(p) for p in err["loc"])
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        out.append(Problem(file, path, msg, _fix_for(err["type"], msg)))
    return out


def scenario_from_raw(raw: Mapping[str, Any], file: str = "<scenario>") -> Scenario:
    """Validate a raw mapping into a Scenario, running the cross-reference checks too."""
    from mineralgame.config.checks import check_scenario

    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(file, exc)) from exc
    problems = check_scenario(scenario, file)
    if problems:
        raise ScenarioError(problems)
    return scenario


def load_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Load, resolve, override and validate a scenario file."""
    p = Path(path)
    raw = apply_overrides(resolve_raw(p), overrides)
    return scenario_from_raw(raw, str(p))
