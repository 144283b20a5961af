"""`supplymesh bench facility DIR`: cost and proof of optimality on OR-Library `cap*` files.

Each file in Beasley's ``capinfo`` layout is one instance, except the capa/capb/capc kind whose
capacity column holds the word ``capacity``: it expands to ``<stem>-<capacity>`` for the four
standard capacities (CONTRACTS.md) or to the one given by ``--capacity``. Demand may be split,
as in the published optima (``bks.csv``, column ``bks``). Every plan is re-checked by the
independent checker and its cost recomputed before it counts.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from supplymesh.cli.bench.common import (
    MalformedInstance,
    best_known,
    emit,
    fail,
    find_instances,
    gap_pct,
    mean_or_none,
)

if TYPE_CHECKING:
    from supplymesh.planning.network_design.params import FacilityParams
    from supplymesh.planning.network_design.problem import FacilityProblem

COLUMNS = ("instance", "cost", "optimum", "gap_pct", "seconds", "proven_optimal")
_NOT_INSTANCES = (".csv", ".json", ".md", ".sol", ".py", ".gz", ".zip", ".xml", ".html", ".pdf")


def looks_like_orlib_cap(path: Path) -> bool:
    """A file that opens with ``m n`` and a site line (a number or the word ``capacity``)."""
    if path.suffix.lower() in _NOT_INSTANCES:
        return False
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            head = fh.read(4096).split()
    except OSError:
        return False
    if len(head) < 4 or not all(t.isdigit() for t in head[:2]):
        return False

    def numeric(token: str) -> bool:
        try:
            float(token)
        except ValueError:
            return False
        return True

    return (numeric(head[2]) or head[2].lower() == "capacity") and numeric(head[3])


def register(app: typer.Typer) -> None:
    """Add the `facility` command to the bench app."""

    @app.command("facility")
    def facility(
        directory: Annotated[Path, typer.Argument(help="Folder searched recursively, or a file.")],
        time_limit: Annotated[float, typer.Option(help="Seconds per instance.")] = 60.0,
        capacity: Annotated[
            float | None,
            typer.Option(help="Capacity for capa/capb/capc-style files (default: all four)."),
        ] = None,
        max_instances: Annotated[
            int | None, typer.Option(help="Only the first N instances per file.")
        ] = None,
        seed: Annotated[int, typer.Option(help="HiGHS random seed.")] = 1,
        json_file: Annotated[
            Path | None, typer.Option("--json", help="Write the JSON result here ('-': stdout).")
        ] = None,
        method: Annotated[
            str, typer.Option(help="'auto', the whole 'strong' MILP, or the textbook 'plain' one.")
        ] = "auto",
        threads: Annotated[int, typer.Option(help="HiGHS threads.")] = 1,
    ) -> None:
        """Solve capacitated facility location instances and compare with the known optima."""
        from supplymesh.planning.network_design.orlib import parse_orlib
        from supplymesh.planning.network_design.params import FacilityParams
        from supplymesh.planning.network_design.problem import InfeasibleProblem, MalformedProblem

        try:
            params = FacilityParams(
                time_limit_s=time_limit, method=method, threads=threads, seed=seed
            )
        except ValueError as exc:
            fail(str(exc))
        if max_instances is not None and max_instances < 1:
            fail("--max-instances must be ≥ 1")
        if capacity is not None and not capacity > 0:
            fail(f"--capacity must be > 0, got {capacity}")
        rows: list[dict[str, Any]] = []
        for path in find_instances(directory, looks_like_orlib_cap):
            began = time.perf_counter()
            try:
                try:
                    text = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    raise MalformedInstance(path, f"unreadable ({exc})") from exc
                try:
                    problems = parse_orlib(text, path.stem, capacity)
                except MalformedProblem as exc:
                    raise MalformedInstance(path, str(exc)) from exc
            except MalformedInstance as exc:
                fail(str(exc))
            parse_seconds = time.perf_counter() - began
            for problem in problems[:max_instances]:
                try:
                    row = _solve_row(problem, params)
                except InfeasibleProblem as exc:
                    row = _infeasible_row(problem.name, str(exc))
                row["seconds"] = round(row["seconds"] + parse_seconds, 3)
                # bks rows are keyed by instance name, which for capa-style files is not the
                # file stem: look it up as if the instance had a file of its own.
                bks = best_known(path.with_name(problem.name + path.suffix), directory)
                row["optimum"] = bks.value if bks is not None else None
                row["gap_pct"] = gap_pct(row["cost"], row["optimum"]) if row["feasible"] else None
                rows.append(row)
                typer.echo(
                    f"{problem.name}: cost={row['cost']} optimum={row['optimum']} "
                    f"proven={row['proven_optimal']} seconds={row['seconds']}",
                    err=True,
                )
        counted = [r for r in rows if r["optimum"] is not None or not r["feasible"]]
        summary = {
            "mean_gap_pct": mean_or_none(r["gap_pct"] for r in counted),
            "instances": len(rows),
            "proven_optimal": sum(1 for r in rows if r["proven_optimal"]),
            "infeasible": sum(1 for r in rows if not r["feasible"]),
            "method": params.method,
            "time_limit_s": time_limit,
            "threads": threads,
            "seed": seed,
        }
        emit(summary, rows, json_file, COLUMNS)


def _solve_row(problem: FacilityProblem, params: FacilityParams) -> dict[str, Any]:
    import numpy as np

    from supplymesh.planning.network_design.check import check_plan, plan_cost
    from supplymesh.planning.network_design.result import FacilityStatus
    from supplymesh.planning.network_design.solve import locate

    result = locate(problem, params)
    feasible = False
    cost: float | None = None
    if result.flows is not None:
        open_sites = np.zeros(problem.n_sites, dtype=bool)
        open_sites[list(result.open_sites)] = True
        feasible = not check_plan(problem, open_sites, result.flows)
        cost = round(plan_cost(problem, open_sites, result.flows), 6) if feasible else None
    return {
        "instance": problem.name,
        "cost": cost,
        "optimum": None,
        "gap_pct": None,
        "seconds": result.seconds,
        "proven_optimal": feasible and result.status is FacilityStatus.OPTIMAL,
        "feasible": feasible,
        "lower_bound": round(result.lower_bound, 6),
        "bound_gap_pct": result.gap_pct,
        "open_sites": len(result.open_sites),
        "status": result.status.value,
        "stages": dict(result.stages),
    }


def _infeasible_row(name: str, reason: str) -> dict[str, Any]:
    return {
        "instance": name,
        "cost": None,
        "optimum": None,
        "gap_pct": None,
        "seconds": 0.0,
        "proven_optimal": False,
        "feasible": False,
        "error": reason,
    }
