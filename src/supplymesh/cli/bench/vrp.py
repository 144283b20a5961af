"""`supplymesh bench vrp DIR`: the routing engine on VRPLIB and Solomon instances.

Each instance is parsed, solved by `plan_routes` and re-checked by the engine's independent
checker, which alone decides `feasible` (CONTRACTS.md, "Bench contract"). Heavy imports
(vrplib, PyVRP, OR-Tools) happen inside the command so `supplymesh --help` stays fast.
"""

from __future__ import annotations

import time
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
        str, typer.Option("--solver", help="pyvrp (ours, default) or ortools (baseline).")
    ] = "pyvrp",
) -> None:
    """Solve every VRPLIB (CVRP, VRPTW) and Solomon instance in DIR and compare to bks.csv."""
    from supplymesh.planning.routing.instances import read_bench_instance, sniff
    from supplymesh.planning.routing.params import SOLVERS, RoutingParams
    from supplymesh.planning.routing.solve import plan_routes

    if solver not in SOLVERS:
        fail(f"--solver must be one of {', '.join(SOLVERS)}, got {solver!r}")
    params = RoutingParams(time_limit_s=time_limit, seed=seed, solver=solver)  # type: ignore[arg-type]
    paths = find_instances(directory, lambda p: sniff(p) is not None)
    if max_instances is not None:
        paths = paths[:max_instances]

    rows: list[dict[str, Any]] = []
    conventions: list[str] = []
    for path in paths:
        started = time.perf_counter()
        try:
            instance = read_bench_instance(path)
        except ValueError as exc:
            fail(f"{path}: {exc}")
        result = plan_routes(instance.problem, params)
        seconds = time.perf_counter() - started

        cost: float | None = result.cost / instance.scale if result.routes else None
        if cost is not None and instance.scale == 1:
            cost = int(cost)
        elif cost is not None:
            cost = round(cost, 1)
        known = best_known(path, directory)
        bks = known.value if known is not None else None
        row: dict[str, Any] = {
            "instance": path.stem,
            "cost": cost,
            "bks": bks,
            "gap_pct": gap_pct(cost, bks) if result.feasible else None,
            "seconds": round(seconds, 3),
            "feasible": result.feasible,
            "routes": len(result.routes),
            "plan": [[instance.client_ids[c] for c in r.clients] for r in result.routes],
        }
        if not result.feasible:
            row["violations"] = list(result.violations[:10])
        rows.append(row)
        if instance.convention not in conventions:
            conventions.append(instance.convention)
        typer.echo(
            f"{path.stem}: cost {cost} bks {bks} feasible {result.feasible} {seconds:.1f}s",
            err=True,
        )

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
    }
    mean_seconds = mean_or_none(r["seconds"] for r in rows)
    summary["mean_seconds"] = None if mean_seconds is None else round(mean_seconds, 3)
    emit(summary, rows, json_file, COLUMNS)
