"""Experiment files (YAML): a typed, frozen, validated ``Experiment``.

An experiment names a scenario file and says what to vary (``uncertainties``: exogenous,
sampled; ``levers``: policies, always enumerated and crossed with every sampled point), how
many seeded ``replicates`` to run per point, what to keep (``outputs``) and how to sample
(``design``). Every parameter maps onto scenario fields by dotted ``path`` (default: its name)
with an ``op`` (set the value, or scale the scenario's own value). Problems are reported like
scenario problems: file, field, what is wrong, how to fix.

Example::

    name: demo
    scenario: ../configs/classroom.yaml
    root_seed: 7
    replicates: 4
    uncertainties:
      hazard: {type: real, low: 0.0, high: 0.3, path: shocks.export_control_hazard}
    levers:
      strategy: {type: categorical, values: [derisk, decouple], path: strategy}
    design: {sampler: lhs, n: 32}
    outputs: {scalars: [cumulative_shortfall_share, cumulative_cost_usd]}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from mineralgame.config.load import Problem, problems_from_validation, read_yaml_mapping

NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
EVALUATOR_RE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
MODEL_EVALUATOR = "mineralgame"
RESERVED = frozenset(
    {
        "run_id",
        "design_row",
        "scenario_id",
        "scenario_name",
        "policy_id",
        "replicate",
        "seed",
        "overrides",
        "status",
        "error_type",
        "error",
        "wall_s",
        "worker",
        "finished_at",
        "part",
        "model",
        "policy",
        "scenario",
    }
)

Scalar = str | bool | int | float
PosInt = Annotated[int, Field(ge=1)]


class ExperimentError(Exception):
    """An experiment could not be loaded or run; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class Frozen(BaseModel):
    """Base record: immutable, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


class Parameter(Frozen):
    """One uncertainty or lever: its range or values and where it lands in the scenario."""

    type: Literal["real", "int", "categorical"] = Field(description="Kind of value.")
    low: float | None = Field(default=None, description="Lower bound (real, int).")
    high: float | None = Field(default=None, description="Upper bound (real, int).")
    values: tuple[Scalar, ...] | None = Field(
        default=None,
        description="Explicit values: categories, lever settings or full-factorial levels.",
    )
    path: str | tuple[str, ...] | None = Field(
        default=None,
        description=(
            "Dotted scenario path(s) set by this parameter; default: its name. '*' matches every "
            "key at that level (minerals.*.demand_elasticity); '{lever}' is replaced by another "
            "parameter's value (strategies.{strategy}.dependence_cap). The path 'strategy' "
            "selects the members' strategy."
        ),
    )
    op: Literal["set", "scale", "scale_growth"] = Field(
        default="set",
        description=(
            "set: write the value; scale: multiply the scenario's value (numbers inside "
            "mappings too); scale_growth: m -> 1 + (m - 1) * value, for growth multiples."
        ),
    )
    default: Scalar | None = Field(
        default=None, description="Value used by named scenarios that do not give one."
    )
    unit: str = Field(default="", description="Unit, for tables and figures.")
    description: str = Field(default="", description="What it means.")

    @model_validator(mode="after")
    def _consistent(self) -> Parameter:
        if self.type == "categorical":
            if not self.values:
                raise ValueError("a categorical parameter needs 'values' (a non-empty list)")
            if self.op != "set":
                raise ValueError("op must be 'set' for a categorical parameter")
        elif self.values is None:
            self._check_range()
        else:
            self._check_numeric_values()
        if self.values is not None and len(set(map(repr, self.values))) != len(self.values):
            raise ValueError("'values' lists the same value twice; remove the duplicate")
        return self

    def _check_range(self) -> None:
        if self.low is None or self.high is None:
            raise ValueError(f"a {self.type} parameter needs 'low' and 'high' (or 'values')")
        if not self.low < self.high:
            raise ValueError(f"'low' ({self.low}) must be below 'high' ({self.high})")
        if self.type == "int" and not (self.low.is_integer() and self.high.is_integer()):
            raise ValueError("'low' and 'high' of an int parameter must be whole numbers")

    def _check_numeric_values(self) -> None:
        assert self.values is not None
        for value in self.values:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"'values' of a {self.type} parameter must be numbers")
            if self.type == "int" and not float(value).is_integer():
                raise ValueError("'values' of an int parameter must be whole numbers")

    @property
    def paths(self) -> tuple[str, ...]:
        """Dotted paths this parameter writes (empty tuple means: use its name)."""
        if self.path is None:
            return ()
        return (self.path,) if isinstance(self.path, str) else self.path

    @property
    def has_range(self) -> bool:
        """Whether the parameter can be sampled from a continuous range."""
        return self.type != "categorical" and self.low is not None and self.high is not None


class Design(Frozen):
    """How the uncertainties are sampled (levers are always enumerated)."""

    sampler: Literal["full_factorial", "lhs", "sobol", "morris"] = Field(
        default="full_factorial", description="Sampler of the uncertainty points."
    )
    n: PosInt = Field(
        default=8,
        description="lhs: points; sobol: base sample N (a power of 2); morris: trajectories.",
    )
    levels: Annotated[int, Field(ge=2)] = Field(
        default=3, description="full_factorial: levels of a range given without 'values'."
    )
    second_order: bool = Field(default=False, description="sobol: also estimate S2 indices.")
    num_levels: Annotated[int, Field(ge=2)] = Field(default=4, description="morris: grid levels.")
    seed: int | None = Field(
        default=None, ge=0, description="Seed of the sampler; default: the root seed."
    )
    common_random_numbers: bool = Field(
        default=True,
        description=(
            "True: a replicate's seed depends only on (root_seed, replicate), so every lever "
            "setting and point faces the same random shocks; False: seeds also depend on the point."
        ),
    )


class SeriesOutputs(Frozen):
    """Which per-round series to keep, in long format."""

    every: PosInt = Field(default=1, description="Keep every k-th round (and the last) [rounds].")
    tables: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="Run-record table -> numeric columns to keep, e.g. system: [refining_hhi].",
    )


class Outputs(Frozen):
    """What each run keeps."""

    scalars: tuple[str, ...] = Field(
        default=(), description="Run scalars to keep; empty = every numeric scalar."
    )
    series: SeriesOutputs | None = Field(default=None, description="Per-round series to keep.")
    events: bool = Field(default=False, description="Keep the run's events table.")


class Execution(Frozen):
    """Hints for the runner; they never change results."""

    chunk_size: PosInt | None = Field(
        default=None, description="Runs per task; default: sized from a pilot wave."
    )
    chunk_target_seconds: Annotated[float, Field(gt=0)] = Field(
        default=5.0, description="Target duration of a task when sizing chunks [s]."
    )
    task_retries: Annotated[int, Field(ge=0)] = Field(
        default=1,
        description=(
            "Times a task that raised is resubmitted (a worker that dies is handled by Dask's "
            "allowed-failures, 3 by default)."
        ),
    )


class Experiment(Frozen):
    """A complete experiment: what to run, how to sample it and what to keep."""

    name: str = Field(description="Experiment name (letters, digits, _ and -).")
    description: str = Field(default="", description="The question it asks.")
    schema_version: Literal[1] = Field(default=1, description="Experiment file format version.")
    evaluator: str = Field(
        default=MODEL_EVALUATOR,
        description="'mineralgame' (the model) or an importable 'module:function' evaluator.",
    )
    scenario: str | None = Field(
        default=None, description="Scenario file, relative to the experiment file."
    )
    root_seed: int = Field(ge=0, description="The one number that pins every run's seed.")
    replicates: PosInt = Field(default=1, description="Seeded runs per design point.")
    rounds: PosInt | None = Field(default=None, description="Horizon; default: the scenario's.")
    constants: dict[str, Any] = Field(
        default_factory=dict, description="Fixed scenario overrides: dotted path -> value."
    )
    uncertainties: dict[str, Parameter] = Field(
        default_factory=dict, description="Exogenous factors, sampled by the design."
    )
    levers: dict[str, Parameter] = Field(
        default_factory=dict, description="Policy choices, enumerated and crossed with points."
    )
    scenarios: dict[str, dict[str, Scalar]] = Field(
        default_factory=dict,
        description="Named points (name -> uncertainty values) added to the sampled ones.",
    )
    design: Design = Field(default_factory=Design)
    outputs: Outputs = Field(default_factory=Outputs)
    execution: Execution = Field(default_factory=Execution)
    file: str | None = Field(
        default=None, exclude=True, description="Where it was loaded from (set by the loader)."
    )

    @model_validator(mode="after")
    def _cross_checks(self, info: ValidationInfo) -> Experiment:
        if info.context and info.context.get("defer_checks"):
            return self
        problems = check_experiment(self)
        if problems:
            raise ValueError("; ".join(f"{path}: {msg}" for path, msg in problems))
        return self

    @property
    def parameters(self) -> dict[str, Parameter]:
        """Uncertainties then levers, by name."""
        return {**self.uncertainties, **self.levers}

    def scenario_path(self) -> Path | None:
        """The scenario file, resolved against the experiment file's folder."""
        if self.scenario is None:
            return None
        base = Path(self.file).parent if self.file else Path.cwd()
        return (base / self.scenario).resolve()


def check_experiment(exp: Experiment) -> list[tuple[str, str]]:
    """Cross-field checks; return ``(field path, message)`` per problem (empty if none)."""
    out = [*_check_names(exp), *_check_design(exp), *_check_scenarios(exp)]
    if exp.evaluator != MODEL_EVALUATOR and not EVALUATOR_RE.match(exp.evaluator):
        out.append(("evaluator", f"'{exp.evaluator}' must be 'mineralgame' or 'module:function'"))
    if exp.evaluator == MODEL_EVALUATOR and exp.scenario is None:
        out.append(("scenario", "the mineralgame evaluator needs 'scenario' (a scenario file)"))
    if not re.match(r"^[\w-]+$", exp.name):
        out.append(("name", f"'{exp.name}' may only hold letters, digits, '_' and '-'"))
    return out


def _check_names(exp: Experiment) -> list[tuple[str, str]]:
    out = []
    for name in sorted(set(exp.uncertainties) & set(exp.levers)):
        out.append((f"levers.{name}", f"'{name}' is both an uncertainty and a lever; rename one"))
    for group in ("uncertainties", "levers"):
        for name in getattr(exp, group):
            where = f"{group}.{name}"
            if not NAME_RE.match(name):
                out.append((where, "the name must be a Python identifier (letters, _, digits)"))
            elif name in RESERVED:
                out.append((where, f"the name '{name}' is reserved for a results column"))
    for name, param in exp.levers.items():
        if param.type == "real" and param.values is None:
            out.append((f"levers.{name}", "a real lever needs 'values' (levers are enumerated)"))
    return out


def _check_design(exp: Experiment) -> list[tuple[str, str]]:
    sampler = exp.design.sampler
    if sampler == "full_factorial":
        return []
    out = []
    if not exp.uncertainties:
        out.append(("uncertainties", f"the {sampler} sampler needs at least one uncertainty"))
    for name, param in exp.uncertainties.items():
        if param.type != "categorical" and not param.has_range:
            msg = f"needs 'low' and 'high' for the {sampler} sampler"
            out.append((f"uncertainties.{name}", msg))
    n = exp.design.n
    if sampler == "sobol" and n & (n - 1):
        out.append(("design.n", f"{n} is not a power of 2, which the sobol sampler needs"))
    if sampler == "morris" and n < 2:
        out.append(("design.n", "the morris sampler needs at least 2 trajectories"))
    return out


def _check_scenarios(exp: Experiment) -> list[tuple[str, str]]:
    out = []
    for scen, values in exp.scenarios.items():
        for key in values:
            if key not in exp.uncertainties:
                known = ", ".join(sorted(exp.uncertainties)) or "none defined"
                msg = f"'{key}' is not an uncertainty (uncertainties: {known})"
                out.append((f"scenarios.{scen}.{key}", msg))
    return out


def _fix_for(message: str) -> str:
    fixes = {
        "power of 2": "use 64, 128, 256, 512 ...",
        "needs 'values'": "add values: [...]",
        "reserved": "rename the parameter",
        "both an uncertainty": "rename one of them",
        "needs 'scenario'": "add scenario: path/to/scenario.yaml",
        "not an uncertainty": "use an uncertainty's name or add the uncertainty",
        "module:function": "e.g. evaluator: mineralgame.experiments.toys:ishigami",
        "Python identifier": "e.g. demand_growth",
        "needs 'low' and 'high'": "add low: and high:",
        "at least one uncertainty": "add uncertainties or use sampler: full_factorial",
        "needs 'low' and 'high' (or": "add low: and high:, or values: [...]",
        "must be below": "swap low and high",
        "same value twice": "remove the duplicate",
        "op must be 'set'": "remove op",
        "whole numbers": "use whole numbers, or type: real",
        "must be numbers": "write numbers, or use type: categorical",
    }
    return next((fix for key, fix in fixes.items() if key in message), "")


def experiment_from_raw(raw: Mapping[str, Any], file: str = "<experiment>") -> Experiment:
    """Validate a raw mapping into an Experiment; raise ExperimentError with every problem."""
    try:
        exp = Experiment.model_validate({**raw, "file": file}, context={"defer_checks": True})
    except ValidationError as exc:
        found = problems_from_validation(file, exc)
        fixed = [Problem(p.file, p.path, p.message, p.fix or _fix_for(p.message)) for p in found]
        raise ExperimentError(fixed) from exc
    problems = [Problem(file, path, msg, _fix_for(msg)) for path, msg in check_experiment(exp)]
    scen = exp.scenario_path()
    if scen is not None and not scen.is_file():
        fix = "give the path relative to the experiment file"
        problems.append(Problem(file, "scenario", f"file {scen} does not exist", fix))
    if problems:
        raise ExperimentError(problems)
    return exp


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment file.

    Args:
        path: YAML experiment file.

    Returns:
        The validated, frozen experiment (``file`` set to ``path``).

    Raises:
        ExperimentError: listing every problem (file, field, what is wrong, how to fix).
    """
    from mineralgame.config.load import ScenarioError

    p = Path(path)
    try:
        raw = read_yaml_mapping(p)
    except ScenarioError as exc:
        raise ExperimentError(exc.problems) from exc
    return experiment_from_raw(raw, str(p))
