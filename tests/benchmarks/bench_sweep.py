"""Benchmarks of the sweep runner (numbers for the issue note; nothing is asserted).

    python tests/benchmarks/bench_sweep.py [a] [t] [b] [c]      (default: all four)

(a) ``run_experiment`` (local Dask cluster, results written as Parquet) against
    ``mesa.batch_run`` (multiprocessing pool, results kept in memory) on the same model
    (the classroom scenario of ``MineralModel``), the same runs and the same processes.
    The experiment keeps run scalars only, so our workers run the model with
    ``tables=False`` (same scalars, no record tables built); ``batch_run`` cannot tell the
    model what it will not read.
(t) The cost of the record's tables: one process, the classroom runs of (a) with
    ``tables=True`` and ``tables=False``, alternating (what scalar-only sweeps save per run).
(b) Parallel efficiency on 2 workers for runs of 0.25 s of CPU: serial time / (2 x parallel).
(c) The driver's peak memory over a 10,000-run sweep of a tiny evaluator, against 1,000 runs.

Each measurement runs in a fresh Python process (``mesa.batch_run`` forces the spawn start
method; resident-set peaks are per process).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import mesa

from mineralgame.config.load import load_scenario
from mineralgame.model import MineralModel

REPO = Path(__file__).resolve().parents[2]
SCENARIO = REPO / "configs" / "classroom.yaml"
STRATEGIES = ["bau", "derisk", "decouple"]
ROUNDS = 8
SEEDS = 20  # 3 strategies x 20 seeds = 60 runs
WORKERS = 2
REPEAT = 5


class BatchMineralModel(MineralModel):  # type: ignore[misc]
    """MineralModel with the DataCollector that ``mesa.batch_run`` requires (run scalars)."""

    def __init__(self, scenario: Any, strategy: str, rng: int, rounds: int = ROUNDS) -> None:
        super().__init__(scenario.model_copy(update={"rounds": rounds}), strategy, rng)
        self.datacollector = mesa.DataCollector(model_reporters={"summary": MineralModel.summary})

    def step(self) -> None:
        """One round; collect the run scalars after the last."""
        super().step()
        if self.round == self.cfg.rounds - 1:
            self.datacollector.collect(self)


def bench_a_ours(backend: str = "dask") -> dict[str, Any]:
    import concurrent.futures as cf
    import multiprocessing

    from mineralgame.experiments import run_experiment
    from mineralgame.experiments.spec import Experiment

    exp = Experiment.model_validate(
        {
            "name": "bench_a",
            "scenario": str(SCENARIO),
            "root_seed": 1,
            "replicates": SEEDS,
            "rounds": ROUNDS,
            "levers": {
                "strategy": {"type": "categorical", "values": STRATEGIES, "path": "strategy"}
            },
        }
    )
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        if backend == "processes":
            ctx = multiprocessing.get_context("spawn")
            with cf.ProcessPoolExecutor(WORKERS, mp_context=ctx) as pool:
                report = run_experiment(exp, out, executor=pool, workers=WORKERS, progress=False)
        else:
            report = run_experiment(exp, out, workers=WORKERS, progress=False)
        wall = time.perf_counter() - start
    return {"wall_s": wall, "runs": report.executed, "failed": report.failed}


def bench_a_mesa() -> dict[str, Any]:
    scenario = load_scenario(SCENARIO)
    start = time.perf_counter()
    rows = mesa.batch_run(
        BatchMineralModel,
        {"scenario": [scenario], "strategy": STRATEGIES},
        number_processes=WORKERS,
        rng=list(range(SEEDS)),
        max_steps=ROUNDS,
        data_collection_period=-1,
        display_progress=False,
    )
    wall = time.perf_counter() - start
    return {"wall_s": wall, "runs": len(rows)}


def bench_tables(repeats: int = 4) -> dict[bool, list[float]]:
    """Seconds per run of the classroom scenario with and without the record's tables."""
    scenario = load_scenario(SCENARIO).model_copy(update={"rounds": ROUNDS})
    times: dict[bool, list[float]] = {True: [], False: []}
    for seed in range(repeats):
        for tables in (True, False):
            for strategy in STRATEGIES:
                start = time.perf_counter()
                model = MineralModel(scenario, strategy, rng=seed, tables=tables)
                for _ in range(ROUNDS):
                    model.step()
                model.summary()
                times[tables].append(time.perf_counter() - start)
    return {k: v[1:] for k, v in times.items()}  # the first run warms caches


def _busy_experiment(n: int, constants: dict[str, float]) -> Any:
    from mineralgame.experiments.spec import Experiment

    return Experiment.model_validate(
        {
            "name": "bench_b",
            "evaluator": "mineralgame.experiments.toys:busy",
            "root_seed": 1,
            "replicates": n,
            "constants": constants,
        }
    )


def calibrate_iters(seconds: float = 0.25) -> int:
    """Loop turns of ``toys.busy`` that take about ``seconds`` in this process."""
    from mineralgame.experiments.design import RunSpec
    from mineralgame.experiments.spec import Outputs
    from mineralgame.experiments.toys import busy

    def spec(iters: int) -> RunSpec:
        return RunSpec(
            "x", 0, 0, "", 0, 0, 0, {}, {"busy_iters": iters}, None, None, None, Outputs()
        )

    iters = 200_000
    start = time.perf_counter()
    busy(spec(iters))
    return int(iters * seconds / (time.perf_counter() - start))


def bench_b(mode: str, kind: str, iters: int = 0) -> dict[str, Any]:
    from mineralgame.experiments import run_experiment

    n = 40
    constants = {"busy_s": 0.25} if kind == "wall" else {"busy_iters": float(iters)}
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        report = run_experiment(
            _busy_experiment(n, constants),
            out,
            serial=(mode == "serial"),
            workers=WORKERS,
            progress=False,
        )
        wall = time.perf_counter() - start
    return {
        "wall_s": wall,  # everything: design, cluster start and stop, execution
        "execute_s": report.wall_s,  # from the first task submitted to the last result
        "startup_s": report.startup_s,
        "runs": report.executed,
    }


def bench_c(n: int) -> dict[str, Any]:
    import psutil

    from mineralgame.experiments import run_experiment
    from mineralgame.experiments.spec import Experiment

    exp = Experiment.model_validate(
        {
            "name": "bench_c",
            "evaluator": "mineralgame.experiments.toys:tiny",
            "root_seed": 1,
            "replicates": n // 10,
            "uncertainties": {"x": {"type": "real", "values": [float(i) for i in range(10)]}},
            "execution": {"chunk_size": 50},
        }
    )
    proc, samples, done = psutil.Process(), [], threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append((time.perf_counter(), proc.memory_info().rss))
            time.sleep(0.05)

    thread = threading.Thread(target=sample, daemon=True)
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        thread.start()
        report = run_experiment(exp, out, workers=WORKERS, progress=False)
        done.set()
        thread.join()
        wall = time.perf_counter() - start
    rss = [r for _, r in samples]
    third = max(len(rss) // 3, 1)
    return {
        "runs": report.executed,
        "wall_s": wall,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_first_third_max_mb": max(rss[:third]) / 2**20,
        "rss_last_third_max_mb": max(rss[-third:]) / 2**20,
    }


def _child(name: str, *args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "_" + name, *args], capture_output=True, text=True, cwd=REPO
    )
    if out.returncode:
        raise RuntimeError(f"{name} {args} failed:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main(which: list[str]) -> None:
    print(f"cores: {os.cpu_count()}; load average: {os.getloadavg()}")
    if "a" in which:
        times: dict[str, list[float]] = {"ours": [], "mesa": [], "processes": []}
        for _ in range(REPEAT):  # alternate, so that other load on the machine hits both
            ours, mesa_run, procs = (
                _child("a_ours"),
                _child("a_mesa"),
                _child("a_ours", "processes"),
            )
            assert ours["failed"] == procs["failed"] == 0, (ours, procs)
            assert ours["runs"] == procs["runs"] == mesa_run["runs"]
            times["ours"].append(ours["wall_s"])
            times["mesa"].append(mesa_run["wall_s"])
            times["processes"].append(procs["wall_s"])
        med = {k: statistics.median(v) for k, v in times.items()}
        runs = len(STRATEGIES) * SEEDS
        print(
            f"(a) {runs} runs of the classroom scenario, {ROUNDS} rounds, {WORKERS} processes, "
            f"{REPEAT} alternating repetitions (median; all)"
        )
        for key, label in (
            ("ours", "mineralgame sweep, Dask LocalCluster, incl. start + Parquet"),
            ("processes", "mineralgame sweep, ProcessPoolExecutor (spawn)"),
            ("mesa", "mesa.batch_run, Pool (spawn), results in memory"),
        ):
            print(f"    {label:<62} {med[key]:6.2f} s  {[round(t, 2) for t in times[key]]}")
        print(
            f"    ratio batch_run / sweep (Dask): {med['mesa'] / med['ours']:.2f}; "
            f"batch_run / sweep (processes): {med['mesa'] / med['processes']:.2f}"
        )
    if "t" in which:
        per_run = bench_tables()
        full, light = (statistics.median(per_run[k]) for k in (True, False))
        print(
            f"(t) per classroom run, one process: with tables {full:.3f} s, scalars only "
            f"{light:.3f} s (median of {len(per_run[True])}): {1 - light / full:.0%} saved"
        )
    if "b" in which:
        iters = calibrate_iters()
        for kind, what in (("wall", "0.25 s busy-wait"), ("work", f"{iters} loop turns")):
            serial = _child("b", "serial", kind, str(iters))
            par = _child("b", "local", kind, str(iters))
            eff_exec = serial["execute_s"] / (WORKERS * par["execute_s"])
            eff_total = serial["execute_s"] / (WORKERS * par["wall_s"])
            print(
                f"(b) {serial['runs']} runs of {what}: serial {serial['execute_s']:.2f} s, "
                f"{WORKERS} workers {par['execute_s']:.2f} s (all in: {par['wall_s']:.2f} s, "
                f"cluster start {par['startup_s']:.2f} s)"
            )
            print(
                f"    parallel efficiency: {eff_exec:.0%} (execution), {eff_total:.0%} (incl. "
                "cluster start and stop)"
            )
    if "c" in which:
        for n in (1_000, 10_000, 30_000):
            r = _child("c", str(n))
            print(
                f"(c) {r['runs']} tiny runs in {r['wall_s']:.1f} s: driver peak RSS "
                f"{r['peak_rss_mb']:.0f} MB; max RSS first third {r['rss_first_third_max_mb']:.0f}"
                f" MB, last third {r['rss_last_third_max_mb']:.0f} MB"
            )


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0].startswith("_"):
        jobs = {
            "_a_ours": lambda: bench_a_ours(*args[1:]),
            "_a_mesa": bench_a_mesa,
            "_b": lambda: bench_b(args[1], args[2], int(args[3])),
            "_c": lambda: bench_c(int(args[1])),
        }
        print(json.dumps(jobs[args[0]]()))
    else:
        main(args or ["a", "t", "b", "c"])
