"""Expand an experiment into its runs: points × policies × replicates.

* **Points** come from the sampler over the uncertainties (full factorial, or Latin hypercube,
  Sobol/Saltelli and Morris through SALib in the unit cube, then mapped onto each range), plus
  the named scenarios.
* **Policies** are the full factorial of the levers.
* **Seeds** follow common random numbers: replicate ``r`` gets
  ``SeedSequence(root_seed, spawn_key=(r,))``, the same for every lever setting and point, so
  strategies are compared on the same random shocks.
* **Run ids** are a content hash of the point, the policy, the replicate, the seed and the run
  context (evaluator, scenario content, constants, horizon, outputs), so they are stable across
  processes and machines and an extended design reuses every finished run.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mineralgame.config.load import Problem
from mineralgame.experiments.spec import Experiment, ExperimentError, Outputs, Parameter

ID_COLUMNS = (
    "run_id",
    "design_row",
    "scenario_id",
    "scenario_name",
    "policy_id",
    "replicate",
    "seed",
)
TEMPLATE_RE = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class RunSpec:
    """Everything one run needs; small, picklable, and the only thing sent to a worker.

    Attributes:
        run_id: Stable content hash (16 hex characters).
        design_row: Index of the (point, policy) pair; SALib order within a policy.
        scenario_id: Index of the uncertainty point (sampled first, then named).
        scenario_name: Name of a named scenario, '' for sampled points.
        policy_id: Index of the lever combination.
        replicate: Replicate index.
        seed: Seed of the run's random generator.
        params: The design point: uncertainty and lever values by name.
        overrides: Scenario overrides by dotted path (constants included).
        scenario: Scenario file (absolute path) or None for toy evaluators.
        strategy: Strategy of member states, if a parameter or constant sets it.
        rounds: Horizon, if the experiment sets it.
        outputs: What to keep.
    """

    run_id: str
    design_row: int
    scenario_id: int
    scenario_name: str
    policy_id: int
    replicate: int
    seed: int
    params: Mapping[str, Any]
    overrides: Mapping[str, Any]
    scenario: str | None
    strategy: str | None
    rounds: int | None
    outputs: Outputs


@dataclass(frozen=True)
class Design:
    """An expanded design.

    Attributes:
        runs: One row per run: the id columns, one column per parameter and ``overrides``
            (JSON of the run's scenario overrides, ``strategy`` included).
        sample: Unit-cube coordinates of the sampled points: ``scenario_id`` plus one column
            per uncertainty (what SALib's analysers need).
        problem: SALib problem over the unit cube.
    """

    runs: pd.DataFrame
    sample: pd.DataFrame
    problem: dict[str, Any]


def canonical_json(obj: Any) -> str:
    """JSON with sorted keys, no spaces and plain Python numbers: stable across processes."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=_plain)


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple | set | frozenset):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"cannot encode {type(value).__name__} in an experiment")


def digest(obj: Any, nbytes: int = 8) -> str:
    """Short blake2b hex digest of the canonical JSON of ``obj``."""
    data = canonical_json(obj).encode()
    return hashlib.blake2b(data, digest_size=nbytes).hexdigest()


def replicate_seed(root_seed: int, replicate: int, point_key: int | None = None) -> int:
    """Seed of a run, spawned from the root seed.

    Args:
        root_seed: The experiment's root seed.
        replicate: Replicate index.
        point_key: None under common random numbers (the seed then depends on the replicate
            only); otherwise a non-negative integer identifying the point and policy.

    Returns:
        A 63-bit non-negative integer seed.
    """
    key = (replicate,) if point_key is None else (replicate, point_key)
    state = np.random.SeedSequence(root_seed, spawn_key=key).generate_state(1, np.uint64)
    return int(state[0] >> np.uint64(1))


def run_context(exp: Experiment, base: Mapping[str, Any] | None) -> str:
    """Digest of everything besides the point that shapes a run's output."""
    return digest(
        {
            "evaluator": exp.evaluator,
            "scenario": digest(base) if base is not None else None,
            "constants": exp.constants,
            "rounds": exp.rounds,
            "outputs": exp.outputs.model_dump(mode="json"),
            "design": exp.design.model_dump(mode="json"),
        }
    )


def design_size(exp: Experiment) -> int:
    """Number of runs the design expands to, from the samplers' formulas."""
    d, n = len(exp.uncertainties), exp.design.n
    sizes: dict[str, int] = {
        "full_factorial": math.prod(
            len(levels(p, exp.design.levels)) for p in exp.uncertainties.values()
        ),
        "lhs": n,
        "sobol": n * ((2 * d + 2) if exp.design.second_order else (d + 2)),
        "morris": n * (d + 1),
    }
    points = sizes[exp.design.sampler] + len(exp.scenarios)
    policies = math.prod(len(levels(p, 0)) for p in exp.levers.values())
    return points * policies * exp.replicates


def levels(param: Parameter, n_levels: int) -> list[Any]:
    """Enumerated values of a parameter: its values, else an even grid over its range."""
    if param.values is not None:
        return [int(v) if param.type == "int" else v for v in param.values]
    assert param.low is not None
    assert param.high is not None
    if param.type == "int":
        span = int(param.high) - int(param.low) + 1
        if span <= n_levels:
            return list(range(int(param.low), int(param.high) + 1))
        grid = np.linspace(param.low, param.high, n_levels)
        return sorted({round(float(x)) for x in grid})
    return [float(x) for x in np.linspace(param.low, param.high, n_levels)]


def from_unit(param: Parameter, u: float) -> Any:
    """Map a unit-cube coordinate onto a parameter's range or categories."""
    if param.type == "categorical" or param.values is not None:
        options = list(param.values or ())
        return options[min(int(u * len(options)), len(options) - 1)]
    assert param.low is not None
    assert param.high is not None
    if param.type == "int":
        span = int(param.high) - int(param.low)
        return int(param.low) + min(int(u * (span + 1)), span)
    return float(param.low + u * (param.high - param.low))


def unit_problem(names: Sequence[str]) -> dict[str, Any]:
    """SALib problem over the unit cube."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def unit_sample(exp: Experiment) -> np.ndarray:
    """The sampler's points in the unit cube (rows: points; columns: uncertainties)."""
    from SALib.sample import latin, morris, sobol

    problem = unit_problem(list(exp.uncertainties))
    d = exp.design
    seed = exp.root_seed if d.seed is None else d.seed
    samplers: dict[str, Callable[[], np.ndarray]] = {
        "lhs": lambda: latin.sample(problem, d.n, seed=seed),
        "sobol": lambda: sobol.sample(problem, d.n, calc_second_order=d.second_order, seed=seed),
        "morris": lambda: morris.sample(problem, d.n, num_levels=d.num_levels, seed=seed),
    }
    return np.asarray(samplers[d.sampler](), dtype=float)


@dataclass(frozen=True)
class Point:
    """An uncertainty point: its values and the key its run ids hash."""

    name: str
    values: dict[str, Any]
    key: dict[str, Any]


def points(exp: Experiment) -> tuple[list[Point], np.ndarray]:
    """Sampled then named uncertainty points, and the unit sample (empty for full factorial)."""
    names = list(exp.uncertainties)
    if exp.design.sampler == "full_factorial":
        grids = [levels(p, exp.design.levels) for p in exp.uncertainties.values()]
        sampled = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*grids)]
        keys = [dict(v) for v in sampled]
        unit = np.empty((0, len(names)))
    else:
        unit = unit_sample(exp)
        sampled = [unit_point(exp, row) for row in unit]
        keys = [{"sample": i, **v} for i, v in enumerate(sampled)]
    out = [Point("", v, k) for v, k in zip(sampled, keys, strict=True)]
    for scen, given in exp.scenarios.items():
        values = {n: p.default for n, p in exp.uncertainties.items() if p.default is not None}
        values.update(given)
        out.append(Point(scen, values, {"scenario": scen, **values}))
    return out, unit


def unit_point(exp: Experiment, row: np.ndarray) -> dict[str, Any]:
    """Parameter values of one row of the unit sample."""
    items = zip(exp.uncertainties.items(), row, strict=True)
    return {name: from_unit(param, float(u)) for (name, param), u in items}


def policies(exp: Experiment) -> list[dict[str, Any]]:
    """Full factorial of the levers (one empty policy when there are none)."""
    names = list(exp.levers)
    grids = [levels(p, 0) for p in exp.levers.values()]
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*grids)]


def build_design(exp: Experiment, base: Mapping[str, Any] | None = None) -> Design:
    """Expand an experiment into one row per run.

    Args:
        exp: The experiment.
        base: The resolved scenario as a plain mapping (every field, defaults included), used
            to expand ``*`` in paths and as the value that ``scale`` ops multiply; None for
            evaluators that take no scenario.

    Returns:
        The design: runs, unit sample and SALib problem.

    Raises:
        ExperimentError: if a path or op cannot be applied to the scenario.
    """
    pts, unit = points(exp)
    pols = policies(exp)
    context = run_context(exp, base)
    rows = []
    for (sid, point), (pid, policy) in itertools.product(enumerate(pts), enumerate(pols)):
        params = {**point.values, **policy}
        overrides = canonical_json(overrides_for(exp, params, base))
        for rep in range(exp.replicates):
            seed = _seed(exp, point.key, policy, rep)
            ident = {"point": point.key, "policy": policy, "replicate": rep, "seed": seed}
            rows.append(
                {
                    "run_id": digest({**ident, "context": context}),
                    "design_row": sid * len(pols) + pid,
                    "scenario_id": sid,
                    "scenario_name": point.name,
                    "policy_id": pid,
                    "replicate": rep,
                    "seed": seed,
                    **params,
                    "overrides": overrides,
                }
            )
    runs = pd.DataFrame(rows, columns=[*ID_COLUMNS, *exp.parameters, "overrides"])
    runs = runs.astype({name: _dtype(p) for name, p in exp.parameters.items()})
    sample = pd.DataFrame(unit, columns=list(exp.uncertainties))
    sample.insert(0, "scenario_id", np.arange(len(unit)))
    return Design(runs, sample, unit_problem(list(exp.uncertainties)))


def _dtype(param: Parameter) -> str:
    return {"int": "Int64", "real": "float64"}.get(param.type, "object")


def _seed(exp: Experiment, key: Mapping[str, Any], policy: Mapping[str, Any], rep: int) -> int:
    if exp.design.common_random_numbers:
        return replicate_seed(exp.root_seed, rep)
    point_key = int(digest({"point": key, "policy": policy}), 16)
    return replicate_seed(exp.root_seed, rep, point_key)


# ---------------------------------------------------------------------------------------------
# Parameters -> scenario overrides


def overrides_for(
    exp: Experiment, params: Mapping[str, Any], base: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Scenario overrides (dotted path -> value) of one point, constants included.

    Args:
        exp: The experiment.
        params: Parameter values by name (a parameter absent or None is not set).
        base: The resolved scenario mapping, or None.

    Returns:
        Overrides; the key ``strategy`` (if present) is the members' strategy.
    """
    out: dict[str, Any] = {}
    for path, value in exp.constants.items():
        for concrete in expand_path(path, base, f"constants.{path}"):
            out[concrete] = value
    for name, param in exp.parameters.items():
        value = params.get(name)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        group = "uncertainties" if name in exp.uncertainties else "levers"
        where = f"{group}.{name}.path"
        for template in param.paths or (name,):
            path = fill_template(template, params, where)
            for concrete in expand_path(path, base, where):
                out[concrete] = apply_op(param.op, _plain_value(value), base, concrete, where)
    return out


def _plain_value(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _problem(where: str, message: str, fix: str = "") -> ExperimentError:
    return ExperimentError([Problem("<experiment>", where, message, fix)])


def fill_template(template: str, params: Mapping[str, Any], where: str) -> str:
    """Replace ``{name}`` in a path with the value of parameter ``name``."""

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if params.get(name) is None:
            raise _problem(where, f"'{{{name}}}' names no parameter set at this point", "")
        return str(params[name])

    return TEMPLATE_RE.sub(sub, template)


def expand_path(path: str, base: Mapping[str, Any] | None, where: str) -> list[str]:
    """Expand ``*`` segments against the scenario's keys (sorted)."""
    if "*" not in path.split(".") or base is None:
        return [path]
    head, _, tail = path.partition("*")
    node = lookup(base, head.rstrip("."), where) if head else base
    if not isinstance(node, Mapping):
        raise _problem(where, f"'{head}*' does not name a mapping in the scenario", "")
    prefix = head
    return [p for key in sorted(node) for p in expand_path(f"{prefix}{key}{tail}", base, where)]


def lookup(base: Mapping[str, Any], path: str, where: str) -> Any:
    """Value at a dotted path of the scenario mapping."""
    node: Any = base
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            fix = "check the path against the scenario file (dotted keys)"
            raise _problem(where, f"the scenario has no value at '{path}'", fix)
        node = node[key]
    return node


def apply_op(op: str, value: Any, base: Mapping[str, Any] | None, path: str, where: str) -> Any:
    """Apply ``set``, ``scale`` or ``scale_growth`` of ``value`` at ``path``."""
    if op == "set":
        return value
    if base is None:
        raise _problem(where, f"op '{op}' needs a scenario to take the base value from", "")
    current = lookup(base, path, where)
    if op == "scale":
        return map_numbers(current, lambda b: b * value, where)
    return map_numbers(current, lambda b: 1.0 + (b - 1.0) * value, where)


def map_numbers(node: Any, fn: Callable[[float], float], where: str) -> Any:
    """Apply ``fn`` to every number in a value (ints stay whole numbers)."""
    if isinstance(node, bool) or node is None:
        raise _problem(where, "op 'scale' needs a number (or numbers) at this path", "use op: set")
    if isinstance(node, int):
        return round(fn(float(node)))
    if isinstance(node, float):
        return float(fn(node))
    if isinstance(node, Mapping):
        return {k: map_numbers(v, fn, where) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [map_numbers(v, fn, where) for v in node]
    raise _problem(where, f"cannot scale a {type(node).__name__}", "use op: set")


# ---------------------------------------------------------------------------------------------
# Design rows -> run specs


def run_specs(exp: Experiment, runs: pd.DataFrame) -> Iterator[RunSpec]:
    """Turn design rows into run specs (lazily, in row order)."""
    scenario = exp.scenario_path()
    names = list(exp.parameters)
    columns = list(runs.columns)
    for values in runs.itertuples(index=False, name=None):
        row = dict(zip(columns, values, strict=True))
        yield spec_from_row(exp, row, names, str(scenario) if scenario else None)


def spec_from_row(
    exp: Experiment, row: Mapping[str, Any], names: Sequence[str], scenario: str | None
) -> RunSpec:
    """Build one run spec from a design row."""
    overrides = json.loads(row["overrides"])
    strategy = overrides.pop("strategy", None)
    params = {n: _plain_value(row[n]) for n in names if not _missing(row[n])}
    return RunSpec(
        run_id=str(row["run_id"]),
        design_row=int(row["design_row"]),
        scenario_id=int(row["scenario_id"]),
        scenario_name=str(row["scenario_name"]),
        policy_id=int(row["policy_id"]),
        replicate=int(row["replicate"]),
        seed=int(row["seed"]),
        params=params,
        overrides=overrides,
        scenario=scenario,
        strategy=None if strategy is None else str(strategy),
        rounds=exp.rounds,
        outputs=exp.outputs,
    )


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
