"""Load scenario files (YAML) into a validated ``Scenario``.

Two loader-level keys are resolved before validation:

* ``extends: other.yaml`` — start from another scenario file (relative to this one) and
  deep-merge this file's keys over it (mappings merge, everything else replaces).
* ``event_files: [events/x.yaml, ...]`` — append the ``events`` list of each file.

Overrides (``{"minerals.lithium.demand_elasticity": -0.3}``) are applied to the merged raw
mapping by dotted path, so validation messages still name the field.

Every failure is a ``ScenarioError`` holding ``Problem`` records (file, field path, what is
wrong, how to fix it); problems in events that came from an event file name that file.
"""

from __future__ import annotations

import copy
import difflib
import re
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from mineralgame.config.schema import Scenario

MAX_EXTENDS_DEPTH = 8
_EVENTS_EXAMPLE = "events/history_2020_2026.yaml"
_CLOSE = 0.75  # difflib similarity above which a name is suggested
_EVENT_PATH = re.compile(r"^events\.(\d+)(\..*)?$")


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
        line = f"{self.file}: {where}{self.message.rstrip('.')}.{fix}"
        return line.replace("\r", "\\r").replace("\n", "\\n")


class ScenarioError(Exception):
    """A scenario could not be loaded; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class _Origin:
    """Where one event of the merged ``events`` list was written."""

    file: str
    index: int


def _fail(file: str, path: str, message: str, fix: str = "") -> ScenarioError:
    return ScenarioError([Problem(file, path, message, fix)])


def did_you_mean(name: str, known: Sequence[str] | set[str]) -> str | None:
    """Return the known name closest to ``name``, or None if none is close.

    Tries, in order: the same name in another case, the only known name with the same letters
    (swapped letters), the only known name that starts with ``name`` (4 characters or more),
    then the closest by ``difflib`` similarity.

    Args:
        name: A name that is not defined (a misspelt country, mineral, key, ...).
        known: The names that are defined.

    Returns:
        The suggestion, spelt as in ``known``, or None.
    """
    by_lower = {str(k).lower(): str(k) for k in sorted(known, key=str)}
    low = str(name).lower()
    if low in by_lower:
        return by_lower[low]
    for found in (
        [k for k in by_lower if sorted(k) == sorted(low)],
        [k for k in by_lower if k.startswith(low)] if len(low) >= 4 else [],
    ):
        if len(found) == 1:
            return by_lower[found[0]]
    close = difflib.get_close_matches(low, list(by_lower), n=1, cutoff=_CLOSE)
    return by_lower[close[0]] if close else None


def _close_file(path: Path) -> str | None:
    """The path of a file next to ``path`` (same suffix) whose name is close, or None."""
    try:
        siblings = {p.stem: p.name for p in path.parent.iterdir() if p.suffix == path.suffix}
    except OSError:
        return None
    match = did_you_mean(path.stem, list(siblings))
    return str(path.with_name(siblings[match])) if match else None


def _file_problem(path: Path) -> tuple[str, str] | None:
    """Return (what is wrong, fix) if ``path`` is not a readable regular file."""
    try:
        if not path.exists():
            close = _close_file(path)
            return "file not found", f"did you mean '{close}'?" if close else "check the path"
        if path.is_dir():
            return "is a directory", "give a scenario file (YAML), e.g. configs/baseline.yaml"
        if not path.is_file():
            return "is not a regular file", "give a scenario file (YAML)"
    except (OSError, ValueError) as exc:
        return f"cannot be accessed ({_one_line(exc)})", "check the path"
    return None


def _one_line(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())


def _yaml_problem(name: str, exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    if isinstance(exc, yaml.reader.ReaderError):
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        what = f"character U+{char:04X} is not allowed (position {exc.position})"
    else:
        what = getattr(exc, "problem", None) or _one_line(exc)
        context = getattr(exc, "context", None)
        what = f"{what} ({context})" if context else what
    fix = "keep only one of them" if "twice" in what else "fix the YAML syntax at that place"
    return Problem(name, where, f"is not valid YAML: {what}", fix)


class _StrictLoader(yaml.SafeLoader):
    """A safe YAML loader that rejects a key written twice in the same mapping."""


def _construct_unique_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[object] = set()
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
            continue
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"found the key '{key}' twice in one mapping", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_unique_mapping,  # type: ignore[arg-type]
)


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """Read a YAML file that must hold a mapping; raise ScenarioError otherwise."""
    name = str(path)
    bad = _file_problem(path)
    if bad:
        raise _fail(name, "", *bad)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        msg = "is not a UTF-8 text file (binary?)"
        raise _fail(name, "", msg, "give a scenario file written in YAML") from exc
    except OSError as exc:
        raise _fail(name, "", f"cannot be read ({_one_line(exc)})", "check permissions") from exc
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # safe: _StrictLoader is a SafeLoader
    except yaml.YAMLError as exc:
        raise ScenarioError([_yaml_problem(name, exc)]) from exc
    except RecursionError as exc:
        raise _fail(name, "", "is nested too deeply to read", "flatten the structure") from exc
    if data is None:
        raise _fail(name, "", "is empty", "write a scenario mapping (name:, minerals:, ...)")
    if not isinstance(data, dict):
        kind = type(data).__name__
        fix = "the top level must be a mapping of keys (name:, minerals:, countries:, ...)"
        raise _fail(name, "", f"holds a {kind}, not a mapping", fix)
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


def _linked_file(path: Path, value: object, field: str, example: str) -> Path:
    """Resolve a file named in ``path`` under ``field``; raise if it is not usable."""
    if not isinstance(value, str) or not value.strip():
        raise _fail(str(path), field, "must be a file name", f"e.g. {example}")
    target = path.parent / value
    bad = _file_problem(target)
    if bad is None:
        return target
    what = f"'{value}': {bad[0]}" + (f" (looked for {target})" if str(target) != value else "")
    close = _close_file(target) if bad[0] == "file not found" else None
    fix = f"did you mean '{Path(value).with_name(Path(close).name)}'?" if close else bad[1]
    raise _fail(str(path), field, what, fix)


def _identity(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def _own_origins(name: str, raw: Mapping[str, Any]) -> list[_Origin]:
    events = raw.get("events")
    return [_Origin(name, i) for i in range(len(events))] if isinstance(events, list) else []


def _resolve_extends(
    path: Path, raw: dict[str, Any], chain: tuple[Path, ...]
) -> tuple[dict[str, Any], list[_Origin]]:
    """Merge ``raw`` over the file it ``extends`` (if any)."""
    parent = raw.pop("extends", None)
    if parent is None:
        return raw, _own_origins(str(path), raw)
    target = _linked_file(path, parent, "extends", "baseline.yaml")
    here = (*chain, _identity(path))
    if _identity(target) in here:
        loop = " -> ".join(p.name for p in (*here, target))
        raise _fail(str(path), "extends", f"is a cycle ({loop})", "remove one of the extends")
    if len(here) > MAX_EXTENDS_DEPTH:
        raise _fail(str(path), "extends", "chain is too deep", "extend a file more directly")
    base, origins = _resolve(target, here)
    if "events" in raw:
        origins = _own_origins(str(path), raw)
    return deep_merge(base, raw), origins


def _append_event_files(
    path: Path, raw: dict[str, Any], origins: list[_Origin]
) -> tuple[dict[str, Any], list[_Origin]]:
    """Append the events of every file in ``event_files`` to ``raw['events']``."""
    event_files = raw.pop("event_files", None) or []
    if not isinstance(event_files, list):
        fix = f"write a list, e.g. [{_EVENTS_EXAMPLE}]"
        raise _fail(str(path), "event_files", "must be a list of file names", fix)
    if not event_files:
        return raw, origins
    events = raw.get("events") or []
    if not isinstance(events, list):
        raise _fail(str(path), "events", "must be a list of events", "write '- kind: ...' items")
    events, origins = list(events), list(origins)
    for i, entry in enumerate(event_files):
        sub_path = _linked_file(path, entry, f"event_files.{i}", _EVENTS_EXAMPLE)
        sub = read_yaml_mapping(sub_path)
        more = sub.get("events")
        if not isinstance(more, list):
            where, what = ("events", "must be a list") if "events" in sub else ("", "has no events")
            fix = "write 'events:' followed by '- kind: ...' items"
            raise _fail(str(sub_path), where, what, fix)
        events.extend(more)
        origins.extend(_Origin(str(sub_path), j) for j in range(len(more)))
    raw["events"] = events
    return raw, origins


def _resolve(path: Path, chain: tuple[Path, ...]) -> tuple[dict[str, Any], list[_Origin]]:
    """Resolve ``extends`` and ``event_files``; also say where each event came from."""
    raw = read_yaml_mapping(path)
    raw, origins = _resolve_extends(path, raw, chain)
    return _append_event_files(path, raw, origins)


def resolve_raw(path: Path, depth: int = 0) -> dict[str, Any]:
    """Read ``path`` and resolve ``extends`` and ``event_files``; return the raw mapping."""
    if depth > MAX_EXTENDS_DEPTH:
        raise _fail(str(path), "extends", "chain is too deep", "extend a file more directly")
    return _resolve(Path(path), ())[0]


def apply_overrides(raw: dict[str, Any], overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return a copy of ``raw`` with dotted-path overrides set (missing mappings created)."""
    out = copy.deepcopy(raw)
    for dotted, value in sorted((overrides or {}).items()):
        node: Any = out
        keys = dotted.split(".")
        for key in keys[:-1]:
            if not isinstance(node, dict):
                raise _fail("<overrides>", dotted, "path is not a mapping", "")
            node = node.setdefault(key, {})
        if not isinstance(node, dict):
            raise _fail("<overrides>", dotted, "path is not a mapping", "")
        node[keys[-1]] = copy.deepcopy(value)
    return out


_FIXES = {
    "missing": "add this field",
    "greater_than_equal": "use a value within the allowed range",
    "less_than_equal": "use a value within the allowed range",
    "greater_than": "use a larger value",
    "less_than": "use a smaller value",
    "literal_error": "use one of the allowed values",
    "float_parsing": "write a number",
    "float_type": "write a number",
    "int_parsing": "write a whole number",
    "int_type": "write a whole number",
    "int_from_float": "write a whole number",
    "bool_parsing": "write true or false",
    "bool_type": "write true or false",
    "dict_type": "write a mapping (key: value)",
    "model_type": "write a mapping of this record's fields (key: value)",
    "model_attributes_type": "write a mapping of this record's fields (key: value)",
    "tuple_type": "write a list",
    "list_type": "write a list",
    "too_short": "give the expected number of values",
    "too_long": "give the expected number of values",
    "string_type": "write a text value (quote it if needed)",
    "finite_number": "write an ordinary number",
}


def _fix_for(err_type: str, msg: str) -> str:
    return _FIXES.get(err_type, "")


def _unwrap(tp: Any) -> Any:
    """Strip ``Annotated`` and ``X | None`` from a type annotation."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
            continue
        if origin in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            if len(args) == 1:
                tp = args[0]
                continue
        return tp


def _child_type(tp: Any, key: object) -> Any:
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        field = tp.model_fields.get(str(key))
        return field.annotation if field else None
    origin, args = get_origin(tp), get_args(tp)
    if origin is dict and len(args) == 2:
        return args[1]
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return args[0]
    return None


def _allowed_keys(root: type[BaseModel] | None, loc: Sequence[object]) -> list[str]:
    """Field names of the record at ``loc`` under ``root`` (empty if not a record)."""
    tp: Any = root
    if root is None:
        return []
    for key in loc:
        tp = _child_type(tp, key)
        if tp is None:
            return []
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return list(tp.model_fields)
    return []


def _unknown_key_fix(root: type[BaseModel] | None, loc: Sequence[object]) -> str:
    allowed = _allowed_keys(root, loc[:-1])
    match = did_you_mean(str(loc[-1]), allowed) if allowed else None
    if match:
        return f"did you mean '{match}'? Otherwise remove the key"
    if allowed:
        return "remove the key; allowed keys here: " + ", ".join(allowed)
    return "remove the key or check its spelling"


def _got(err: Mapping[str, Any]) -> str:
    value = err.get("input")
    if err["type"] == "missing" or isinstance(value, dict | list | tuple | set):
        return ""
    text = repr(value)
    return f" (got {text})" if len(text) <= 40 else ""


def _yaml_kind(value: object) -> str:
    names = {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list"}
    return names.get(type(value), f"a {type(value).__name__}")


def _literal_fix(err: Mapping[str, Any]) -> str:
    allowed = re.findall(r"'([^']*)'", str((err.get("ctx") or {}).get("expected", "")))
    match = did_you_mean(str(err.get("input")), allowed) if allowed else None
    return f"did you mean '{match}'?" if match else "use one of the allowed values"


def _problem_from_error(file: str, err: Mapping[str, Any], root: type[BaseModel] | None) -> Problem:
    loc = tuple(err["loc"])
    path = ".".join(str(p) for p in loc)
    kind, msg = err["type"], str(err["msg"])
    if kind == "extra_forbidden":
        return Problem(file, path, f"unknown key '{loc[-1]}'", _unknown_key_fix(root, loc))
    if kind == "value_error":
        msg = msg.removeprefix("Value error, ")
        if root is not Scenario:
            return Problem(file, path, msg, _fix_for(kind, msg))
        what, _, fix = msg.partition("; ")  # the schema's convention: "what is wrong; fix"
        return Problem(file, path, what, fix)
    if kind == "missing":
        return Problem(file, path, "required field is missing", "add this field")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        msg = f"should be a mapping (key: value), not {_yaml_kind(err.get('input'))}"
        return Problem(file, path, msg, _fix_for(kind, msg))
    if kind == "literal_error":
        return Problem(file, path, msg + _got(err), _literal_fix(err))
    return Problem(file, path, msg + _got(err), _fix_for(kind, msg))


def problems_from_validation(
    file: str, exc: ValidationError, model: type[BaseModel] | None = None
) -> list[Problem]:
    """Translate pydantic errors into file/field/what/fix problems.

    Args:
        file: Name of the file the data came from.
        exc: The error raised by ``model.model_validate``.
        model: The record type that was validated, used to suggest close field names for
            unknown keys; default: ``Scenario`` if the error came from it, else none.

    Returns:
        One problem per pydantic error, in pydantic's order.
    """
    root = model or (Scenario if exc.title == Scenario.__name__ else None)
    return [_problem_from_error(file, err, root) for err in exc.errors(include_url=False)]


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


def _relocate(problems: list[Problem], origins: list[_Origin], file: str) -> list[Problem]:
    """Point problems in merged events at the file and index where the event was written."""
    out = []
    for p in problems:
        m = _EVENT_PATH.match(p.path) if p.file == file else None
        if m and int(m.group(1)) < len(origins):
            origin = origins[int(m.group(1))]
            path = f"events.{origin.index}{m.group(2) or ''}"
            p = Problem(origin.file, path, p.message, p.fix)
        out.append(p)
    return out


def load_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Load, resolve, override and validate a scenario file."""
    p = Path(path)
    raw, origins = _resolve(p, ())
    if any(k == "events" or k.startswith("events.") for k in overrides or {}):
        origins = []
    raw = apply_overrides(raw, overrides)
    try:
        return scenario_from_raw(raw, str(p))
    except ScenarioError as exc:
        raise ScenarioError(_relocate(exc.problems, origins, str(p))) from exc
