"""Analytic and fake evaluators for tests, benchmarks and demos of the sweep machinery.

Each is a module-level ``Callable[[RunSpec], RunOutput]`` (so it pickles by reference) that
reads its inputs from ``spec.overrides`` (parameters and constants, by name):

* ``ishigami``: SALib's Ishigami function of ``x1, x2, x3`` (known Sobol indices).
* ``random_walk``: a seeded two-country random walk with series and events; honours the test
  switches ``sleep_s`` (sleep per run), ``fail_above`` (raise when ``drift`` exceeds it) and
  ``die_once_dir`` (the first run of each design row listed in ``die_once_rows``, or of every
  row, kills its own process as a crashing worker would; with ``die_always`` every attempt
  does).
* ``busy``: burns CPU for ``busy_s`` seconds, or ``busy_iters`` loop turns (parallel-efficiency
  benchmark).
* ``tiny``: returns one scalar at once (driver-memory benchmark).
"""

from __future__ import annotations

import math
import os
import signal
import time
from pathlib import Path

import numpy as np
import pandas as pd

from mineralgame.experiments.design import RunSpec
from mineralgame.experiments.evaluate import RunOutput


def _num(spec: RunSpec, name: str, default: float = 0.0) -> float:
    return float(spec.overrides.get(name, default))


def ishigami(spec: RunSpec) -> RunOutput:
    """Ishigami function, a = 7, b = 0.1 (S1 ≈ 0.314, 0.442, 0; ST ≈ 0.558, 0.442, 0.244)."""
    x1, x2, x3 = (_num(spec, n) for n in ("x1", "x2", "x3"))
    y = math.sin(x1) + 7.0 * math.sin(x2) ** 2 + 0.1 * x3**4 * math.sin(x1)
    return RunOutput({"y": y})


def random_walk(spec: RunSpec) -> RunOutput:
    """Seeded random walk of two countries' levels, with series and threshold events."""
    _test_switches(spec)
    rng = np.random.default_rng(spec.seed)
    rounds = spec.rounds or 10
    drift, sigma = _num(spec, "drift"), _num(spec, "sigma", 1.0)
    steps = drift + sigma * rng.standard_normal((rounds, 2))
    levels = np.cumsum(steps, axis=0)
    series = pd.DataFrame(
        {
            "table": "walk",
            "round": np.repeat(np.arange(rounds), 2),
            "country": np.tile(["AAA", "BBB"], rounds),
            "variable": "level",
            "value": levels.ravel(),
        }
    )
    every = spec.outputs.series.every if spec.outputs.series else 1
    series = series[(series["round"] % every == 0) | (series["round"] == rounds - 1)]
    hits = np.argwhere(levels > 2.0 * sigma)
    events = pd.DataFrame(
        {"round": hits[:, 0], "kind": "threshold", "actor": np.array(["AAA", "BBB"])[hits[:, 1]]}
    )
    scalars = {"final": float(levels[-1].mean()), "peak": float(levels.max())}
    return RunOutput(scalars, series.reset_index(drop=True), events)


def _test_switches(spec: RunSpec) -> None:
    if "sleep_s" in spec.overrides:
        time.sleep(_num(spec, "sleep_s"))
    if "fail_above" in spec.overrides and _num(spec, "drift") > _num(spec, "fail_above"):
        raise ValueError(f"drift {_num(spec, 'drift')} is above fail_above")
    marker_dir = spec.overrides.get("die_once_dir")
    rows = spec.overrides.get("die_once_rows")
    if marker_dir and (rows is None or spec.design_row in rows):
        marker = Path(str(marker_dir)) / f"row-{spec.design_row}"
        if not marker.exists() or spec.overrides.get("die_always"):
            marker.write_text(f"{os.getpid()} {spec.run_id}")
            os.kill(os.getpid(), signal.SIGKILL)


def busy(spec: RunSpec) -> RunOutput:
    """Burn CPU: ``busy_iters`` loop turns if given (fixed work), else ``busy_s`` seconds."""
    if "busy_iters" in spec.overrides:
        acc = 0
        for i in range(int(_num(spec, "busy_iters"))):
            acc = (acc + i * i) % 1_000_003
        return RunOutput({"turns": _num(spec, "busy_iters"), "acc": float(acc)})
    end = time.perf_counter() + _num(spec, "busy_s", 0.2)
    turns = 0
    while time.perf_counter() < end:
        turns += 1
    return RunOutput({"turns": float(turns), "x": _num(spec, "x")})


def tiny(spec: RunSpec) -> RunOutput:
    """One scalar, at once."""
    return RunOutput({"y": _num(spec, "x") * 2.0 + spec.replicate})
