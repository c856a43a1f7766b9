"""Batch experiments: sweeps, replicates and sensitivity analysis, resumable, on Dask.

Typical use::

    from mineralgame.experiments import load_experiment, run_experiment, open_results

    exp = load_experiment("experiments/derisk_vs_decouple.yaml")
    run_experiment(exp, "results/derisk_vs_decouple", workers=8)
    runs = open_results("results/derisk_vs_decouple").runs()

Modules: ``spec`` (experiment files), ``design`` (samplers, run ids, seeds), ``runner``
(chunked, resumable execution; the worker side in ``chunks``, backends in ``executors``),
``evaluate`` (the model evaluator and ``RunOutput``), ``store`` (results folder and DuckDB
views), ``analysis`` (outcome summaries and the outputs every analysis writes),
``sensitivity`` (Sobol, Morris), ``discovery`` (PRIM scenario discovery), ``toys`` (analytic
and fake evaluators).
"""

from mineralgame.experiments.design import Design, RunSpec, build_design, design_size
from mineralgame.experiments.evaluate import Evaluator, RunOutput, evaluate_model
from mineralgame.experiments.runner import SweepReport, run_experiment
from mineralgame.experiments.spec import Experiment, ExperimentError, load_experiment
from mineralgame.experiments.store import Results, SweepStatus, open_results

__all__ = [
    "Design",
    "Evaluator",
    "Experiment",
    "ExperimentError",
    "Results",
    "RunOutput",
    "RunSpec",
    "SweepReport",
    "SweepStatus",
    "build_design",
    "design_size",
    "evaluate_model",
    "load_experiment",
    "open_results",
    "run_experiment",
]
