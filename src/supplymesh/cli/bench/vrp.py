"""`supplymesh bench vrp DIR`: the routing engine on VRPLIB and Solomon instances.

Each instance is parsed, solved by `plan_routes` (or, with ``--solver pyvrp-direct``, by
PyVRP called on the file as its documentation does, the yardstick of issue 6) and re-checked
by the engine's independent checker, which alone decides `feasible` and the cost
(CONTRACTS.md, "Bench contract"). Heavy imports
(vrplib, PyVRP, OR-Tools) happen inside the command so `supplymesh --help` stays fast.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Annotated, Any

import typer

from supplymesh.cli.bench.common import (
    best_known,
    emit,
    fail,
    find_instances,
    gap_pct,
    mean_or_none,
)

COLUMNS = ("instance", "cost", "bks", "gap_pct", "seconds", "feasible", "routes")
#: PyVRP called on the file as its documentation does, the yardstick for ours.
DIRECT = "pyvrp-direct"
SOLVERS = ("pyvrp", "ortools")


def register(app: typer.Typer) -> None:
    """Add the `vrp` command to the bench app."""
    app.command("vrp")(vrp)


def vrp(
    directory: Annotated[Path, typer.Argument(help="Folder (searched recursively) or one file.")],
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.001, help="Seconds of search per instance.")
    ] = 60.0,
    max_instances: Annotated[
        int | None,
        typer.Option("--max-instances", min=1, help="Only the first N instances, sorted by path."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Solver seed.")] = 1,
    json_file: Annotated[
        Path | None, typer.Option("--json", help="Write the JSON result here ('-' = stdout).")
    ] = None,
    solver: Annotated[
        str,
        typer.Option(
            "--solver",
            help="pyvrp (ours, default), ortools (baseline) or pyvrp-direct (pyvrp.read + "
            "pyvrp.solve on the file, one core, VRPLIB files only).",
        ),
    ] = "pyvrp",
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Ours: search processes per instance (default: one per core; 1 with --jobs).",
        ),
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", min=1, help="Instances solved at once, one process each.")
    ] = 1,
) -> None:
    """Solve every VRPLIB (CVRP, VRPTW) and Solomon instance in DIR and compare to bks.csv."""
    from supplymesh.planning.routing.instances import sniff

    if solver not in (*SOLVERS, DIRECT):
        fail(f"--solver must be one of {', '.join((*SOLVERS, DIRECT))}, got {solver!r}")
    if workers is None and jobs > 1:
        workers = 1  # the cores already go to instances side by side
    paths = find_instances(directory, lambda p: sniff(p) is not None)
    if max_instances is not None:
        paths = paths[:max_instances]
    if solver == DIRECT:
        other = next((p for p in paths if sniff(p) != "vrplib"), None)
        if other is not None:
            fail(f"{other}: --solver {DIRECT} reads VRPLIB files only (pyvrp.read)")
    task = Task(directory, solver, time_limit, seed, workers)

    rows: list[dict[str, Any]] = []
    conventions: list[str] = []
    pool = ProcessPoolExecutor(jobs, mp_context=_pool_context()) if jobs > 1 else None
    outcomes: Iterator[tuple[dict[str, Any] | None, str]] = (
        map(task.solve, paths) if pool is None else pool.map(task.solve, paths)
    )
    try:
        for path, (row, convention) in zip(paths, outcomes, strict=True):
            if row is None:
                fail(f"{path}: {convention}")
                return
            rows.append(row)
            if convention not in conventions:
                conventions.append(convention)
            typer.echo(
                f"{row['instance']}: cost {row['cost']} bks {row['bks']} feasible "
                f"{row['feasible']} {row['seconds']:.1f}s",
                err=True,
            )
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)

    infeasible = sum(1 for r in rows if not r["feasible"])
    scored = [r for r in rows if r["bks"] is not None]
    summary: dict[str, Any] = {
        "mean_gap_pct": None if infeasible else mean_or_none(r["gap_pct"] for r in scored),
        "instances": len(rows),
        "infeasible": infeasible,
        "convention": " | ".join(conventions) if conventions else None,
        "solver": solver,
        "time_limit_s": time_limit,
        "seed": seed,
        "with_bks": len(scored),
        "workers": _workers_used(solver, time_limit, workers),
        "jobs": jobs,
    }
    mean_seconds = mean_or_none(r["seconds"] for r in rows)
    summary["mean_seconds"] = None if mean_seconds is None else round(mean_seconds, 3)
    emit(summary, rows, json_file, COLUMNS)


def _workers_used(solver: str, time_limit: float, workers: int | None) -> int:
    """Search processes per instance, as `plan_routes` will decide them."""
    if solver != "pyvrp":
        return 1
    from supplymesh.planning.routing.parallel import available_cores
    from supplymesh.planning.routing.params import RoutingParams

    return RoutingParams(time_limit_s=time_limit, workers=workers).worker_count(available_cores())


def _pool_context() -> BaseContext:
    # Never a plain fork: the pool's processes start clean.
    methods = mp.get_all_start_methods()
    return mp.get_context("forkserver" if "forkserver" in methods else "spawn")


@dataclass(frozen=True)
class Task:
    """How to solve one instance; picklable, so `--jobs` can hand it to other processes."""

    directory: Path
    solver: str
    time_limit: float
    seed: int
    workers: int | None

    def solve(self, path: Path) -> tuple[dict[str, Any] | None, str]:
        """The instance's row and convention, or None and the reason it cannot be read."""
        from supplymesh.planning.routing.check import check_routes
        from supplymesh.planning.routing.direct import solve_file_directly
        from supplymesh.planning.routing.instances import read_bench_instance
        from supplymesh.planning.routing.params import RoutingParams
        from supplymesh.planning.routing.solve import plan_routes

        started = time.perf_counter()
        try:
            instance = read_bench_instance(path)
        except ValueError as exc:
            return None, str(exc)
        if self.solver == DIRECT:
            routes = solve_file_directly(
                path,
                time_windows=instance.scale != 1,
                time_limit_s=self.time_limit,
                seed=self.seed,
            )
            report = check_routes(instance.problem, routes)
            cost_units, feasible = report.cost, report.feasible
            violations: tuple[str, ...] = report.violations
        else:
            params = RoutingParams(
                time_limit_s=self.time_limit,
                seed=self.seed,
                solver=self.solver,  # type: ignore[arg-type]
                workers=self.workers,
            )
            result = plan_routes(instance.problem, params)
            routes, cost_units = list(result.routes), result.cost
            feasible, violations = result.feasible, result.violations
        seconds = time.perf_counter() - started

        cost: float | None = cost_units / instance.scale if routes else None
        if cost is not None and instance.scale == 1:
            cost = int(cost)
        elif cost is not None:
            cost = round(cost, 1)
        known = best_known(path, self.directory)
        bks = known.value if known is not None else None
        row: dict[str, Any] = {
            "instance": path.stem,
            "cost": cost,
            "bks": bks,
            "gap_pct": gap_pct(cost, bks) if feasible else None,
            "seconds": round(seconds, 3),
            "feasible": feasible,
            "routes": len(routes),
            "plan": [[instance.client_ids[c] for c in r.clients] for r in routes],
        }
        if not feasible:
            row["violations"] = list(violations[:10])
        return row, instance.convention
