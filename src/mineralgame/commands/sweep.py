"""``mineralgame sweep``: run, inspect, analyse and replay batch experiments.

Forms::

    mineralgame sweep EXP [--out DIR] [--workers N | --scheduler ADDRESS | --serial]
                          [--max-runs K] [--skip-failed] [--no-progress]
    mineralgame sweep status DIR
    mineralgame sweep analyze DIR summary [--outcomes A,B] [--where SQL]
    mineralgame sweep analyze DIR sobol|morris --outcome X
    mineralgame sweep analyze DIR prim --outcome X --threshold '> 0.15'
                                       [--where SQL | --contrast A,B]
    mineralgame sweep rerun DIR RUN_ID --out PATH
    mineralgame sweep export DIR (--csv FOLDER | --ema FILE.tar.gz)

Running the same sweep command again continues where it stopped. Exit codes: 0 all runs ok,
1 some runs failed or are still pending, 2 invalid experiment or arguments.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2
ACTIONS = ("status", "analyze", "rerun", "export")


def _out(text: str) -> None:
    sys.stdout.write(f"{text}\n")


def _err(text: str) -> None:
    sys.stderr.write(f"{text}\n")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``sweep`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "sweep",
        help="run, inspect, analyse and replay batch experiments",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("target", metavar="EXP|status|analyze|rerun|export")
    parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Dispatch to the sweep form named by ``args.target``; return the exit code."""
    from mineralgame.config.load import ScenarioError
    from mineralgame.experiments.spec import ExperimentError

    handlers: dict[str, Callable[[Sequence[str]], int]] = {
        "status": status_main,
        "analyze": analyze_main,
        "rerun": rerun_main,
        "export": export_main,
    }
    try:
        if args.target in handlers:
            return handlers[args.target](args.rest)
        return sweep_main([args.target, *args.rest])
    except (ExperimentError, ScenarioError) as exc:
        for problem in exc.problems:
            _err(str(problem))
        return EXIT_INVALID
    except FileNotFoundError as exc:
        _err(f"error: {exc}")
        return EXIT_INVALID


# ---------------------------------------------------------------------------------------------
# sweep EXP


def sweep_parser() -> argparse.ArgumentParser:
    """Parser of ``mineralgame sweep EXP``."""
    p = argparse.ArgumentParser(
        prog="mineralgame sweep",
        description="Run (or continue) the experiment EXP on a local Dask cluster, an existing "
        "scheduler or serially; results stream to DIR as Parquet parts.",
    )
    p.add_argument("experiment", metavar="EXP", help="experiment file (YAML)")
    p.add_argument("--out", metavar="DIR", help="results folder (default: results/<name>)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, metavar="N", help="local worker processes")
    where.add_argument(
        "--scheduler", metavar="ADDRESS", help="Dask scheduler address or scheduler file"
    )
    where.add_argument("--serial", action="store_true", help="run in this process, no Dask")
    p.add_argument("--max-runs", type=int, metavar="K", help="execute at most K pending runs")
    p.add_argument("--skip-failed", action="store_true", help="do not retry failed runs")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    return p


def sweep_main(argv: Sequence[str]) -> int:
    """Run or continue a sweep."""
    from mineralgame.experiments.runner import run_experiment
    from mineralgame.experiments.spec import load_experiment

    args = sweep_parser().parse_args(argv)
    if args.workers is not None and args.workers < 1:
        _err("error: --workers must be at least 1")
        return EXIT_INVALID
    exp = load_experiment(args.experiment)
    out = Path(args.out or Path("results") / exp.name)
    report = run_experiment(
        exp,
        out,
        workers=args.workers,
        scheduler=args.scheduler,
        serial=args.serial,
        max_runs=args.max_runs,
        progress=not args.no_progress,
        retry_failed=not args.skip_failed,
    )
    where = (
        "nothing left to run"
        if report.backend == "none"
        else f"{report.wall_s:.1f} s on {report.workers} worker(s) [{report.backend}, started in "
        f"{report.startup_s:.1f} s]"
    )
    _out(
        f"{exp.name}: {report.executed} runs executed ({report.failed} failed), "
        f"{report.skipped} already done, {report.pending} pending; {where} -> {out}"
    )
    if report.failed:
        _err(f"see {out}/failures/ or: mineralgame sweep status {out}")
    return EXIT_OK if report.failed == 0 and report.pending == 0 else EXIT_FAILED


# ---------------------------------------------------------------------------------------------
# status


def status_main(argv: Sequence[str]) -> int:
    """Print done / failed / pending counts, throughput and an ETA."""
    from mineralgame.experiments.store import open_results, read_manifest

    p = argparse.ArgumentParser(prog="mineralgame sweep status", description="Sweep progress.")
    p.add_argument("dir", metavar="DIR", help="results folder")
    args = p.parse_args(argv)
    with open_results(args.dir) as res:
        st = res.status()
        failures = res.failures()[:5]
    manifest = read_manifest(Path(args.dir))
    _out(f"{manifest.get('experiment', '?')} in {args.dir}")
    _out(f"  runs: {st.total} total, {st.ok} ok, {st.failed} failed, {st.pending} pending")
    last = (manifest.get("invocations") or [{}])[-1]
    if st.pending and st.mean_run_s:
        work = st.pending * st.mean_run_s
        where = f", ~{work / last['workers']:.0f} s on {last['workers']}" if last else ""
        _out(f"  mean run {st.mean_run_s:.3f} s; work left ~{work:.0f} s of one worker{where}")
    if last:
        _out(f"  last invocation: {last.get('executed')} runs, {last.get('runs_per_s')} runs/s")
    if st.duplicate_rows:
        _out(f"  {st.duplicate_rows} duplicate rows (recomputed chunks; views keep one copy)")
    if st.stale_temporaries:
        _out(f"  {st.stale_temporaries} temporary files from killed writers (cleaned next run)")
    for failure in failures:
        _out(f"  failed {failure['run_id']}: {failure['error_type']}: {failure['error']}")
    return EXIT_OK if st.pending == 0 and st.failed == 0 else EXIT_FAILED


# ---------------------------------------------------------------------------------------------
# analyze


def analyze_parser() -> argparse.ArgumentParser:
    """Parser of ``mineralgame sweep analyze``."""
    p = argparse.ArgumentParser(
        prog="mineralgame sweep analyze",
        description="Analyse a sweep; tables (CSV) and self-contained HTML figures go to "
        "DIR/analysis/.",
    )
    p.add_argument("dir", metavar="DIR", help="results folder")
    p.add_argument("method", choices=("summary", "sobol", "morris", "prim"))
    p.add_argument("--outcome", help="run scalar to analyse (sobol, morris, prim)")
    p.add_argument("--outcomes", help="comma-separated run scalars (summary; default all)")
    p.add_argument("--threshold", help="prim: condition of interest, e.g. '> 0.15'")
    p.add_argument("--where", help="SQL filter over the runs, e.g. \"strategy = 'decouple'\"")
    p.add_argument("--contrast", help="prim: two policies A,B; analyse A minus B (paired)")
    p.add_argument("--min-coverage", type=float, default=0.5, help="prim: chosen box coverage")
    return p


def analyze_main(argv: Sequence[str]) -> int:
    """Run one analysis and list the files it wrote."""
    args = analyze_parser().parse_args(argv)
    needs_outcome = args.method in ("sobol", "morris", "prim")
    if needs_outcome and not args.outcome:
        _err(f"error: {args.method} needs --outcome")
        return EXIT_INVALID
    if args.method == "prim" and not args.threshold:
        _err("error: prim needs --threshold, e.g. --threshold '> 0.15'")
        return EXIT_INVALID
    result = _analyze(args)
    for name, table in result.tables.items():
        _out(f"== {name or args.method}")
        _out(table.to_string(index=False, max_rows=40))
    for path in result.files:
        _out(f"wrote {path}")
    return EXIT_OK


def _analyze(args: argparse.Namespace) -> Any:
    from mineralgame.experiments import analysis, discovery, sensitivity

    if args.method == "summary":
        outcomes = args.outcomes.split(",") if args.outcomes else None
        return analysis.summary(args.dir, outcomes, where=args.where)
    if args.method in ("sobol", "morris"):
        return getattr(sensitivity, args.method)(args.dir, args.outcome)
    contrast = tuple(args.contrast.split(",", 1)) if args.contrast else None
    return discovery.prim(
        args.dir,
        args.outcome,
        args.threshold,
        where=args.where,
        contrast=contrast,
        min_coverage=args.min_coverage,
    )


# ---------------------------------------------------------------------------------------------
# rerun and export


def rerun_main(argv: Sequence[str]) -> int:
    """Rebuild one run of a sweep into a full run record (opens in the dashboard)."""
    from mineralgame.experiments.rerun import rerun

    p = argparse.ArgumentParser(
        prog="mineralgame sweep rerun",
        description="Run one run of a sweep again, with its stored parameters and seed, and save "
        "the full run record (manifest + tables) that the dashboard opens.",
    )
    p.add_argument("dir", metavar="DIR", help="results folder")
    p.add_argument("run_id", metavar="RUN_ID", help="run id (see the runs table)")
    p.add_argument("--out", metavar="PATH", help="record folder (default: runs/<RUN_ID>)")
    args = p.parse_args(argv)
    done = rerun(args.dir, args.run_id, args.out or Path("runs") / args.run_id)
    _out(f"wrote run record {done.path}")
    for name, stored, now in done.mismatches:
        _err(f"{name}: sweep stored {stored!r}, rerun gave {now!r}")
    if done.mismatches:
        _err("the rerun does not reproduce the sweep (did the code or scenario change?)")
        return EXIT_FAILED
    _out("the rerun reproduces the run scalars stored by the sweep")
    return EXIT_OK


def export_main(argv: Sequence[str]) -> int:
    """Export results to CSV files or an EMA Workbench archive."""
    from mineralgame.experiments.store import open_results

    p = argparse.ArgumentParser(prog="mineralgame sweep export", description="Export results.")
    p.add_argument("dir", metavar="DIR", help="results folder")
    fmt = p.add_mutually_exclusive_group(required=True)
    fmt.add_argument("--csv", metavar="FOLDER", help="write design/runs/series/events CSV")
    fmt.add_argument("--ema", metavar="FILE", help="write an EMA Workbench .tar.gz archive")
    args = p.parse_args(argv)
    with open_results(args.dir) as res:
        paths = res.to_csv(args.csv) if args.csv else [res.save_ema(args.ema)]
    for path in paths:
        _out(f"wrote {path}")
    return EXIT_OK
