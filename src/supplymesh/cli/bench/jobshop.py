"""`supplymesh bench jobshop DIR`: makespan on standard job-shop instance files.

Instances are files in the standard JSSP format (first line ``n m``, then one line per job of
``machine duration`` pairs, machines from 0); best-known makespans come from ``bks.csv``.
Every schedule is re-checked by the independent checker before it counts as feasible.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

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

COLUMNS = ("instance", "makespan", "bks", "gap_pct", "seconds", "feasible")
_NOT_INSTANCES = (".csv", ".json", ".md", ".sol", ".py", ".gz", ".zip", ".xml", ".html", ".pdf")


def looks_like_jobshop(path: Path) -> bool:
    """A file whose first meaningful line is two integers (``n_jobs n_machines``)."""
    if path.suffix.lower() in _NOT_INSTANCES:
        return False
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            for _ in range(50):
                line = fh.readline()
                if not line:
                    return False
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                tokens = line.split()
                return len(tokens) == 2 and all(t.lstrip("-").isdigit() for t in tokens)
    except OSError:
        return False
    return False


def register(app: typer.Typer) -> None:
    """Add the `jobshop` command to the bench app."""

    @app.command("jobshop")
    def jobshop(
        directory: Annotated[Path, typer.Argument(help="Folder searched recursively, or a file.")],
        time_limit: Annotated[float, typer.Option(help="Seconds per instance.")] = 60.0,
        max_instances: Annotated[
            int | None, typer.Option(help="Only the first N instances, sorted by path.")
        ] = None,
        seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
        json_file: Annotated[
            Path | None, typer.Option("--json", help="Write the JSON result here ('-': stdout).")
        ] = None,
        model: Annotated[str, typer.Option(help="'ours' or the textbook 'plain' model.")] = "ours",
        workers: Annotated[int, typer.Option(help="CP-SAT search workers.")] = 2,
    ) -> None:
        """Solve job-shop instances (makespan) and compare with best-known values."""
        from supplymesh.planning.scheduling.check import check_schedule
        from supplymesh.planning.scheduling.params import SchedulingParams
        from supplymesh.planning.scheduling.plain import schedule_plain
        from supplymesh.planning.scheduling.problem import MalformedProblem, parse_standard
        from supplymesh.planning.scheduling.solve import schedule

        if model not in ("ours", "plain"):
            fail(f"--model must be 'ours' or 'plain', got {model!r}")
        try:
            params = SchedulingParams(time_limit_s=time_limit, workers=workers, seed=seed)
        except ValueError as exc:
            fail(str(exc))
        if max_instances is not None and max_instances < 1:
            fail("--max-instances must be ≥ 1")
        paths = find_instances(directory, looks_like_jobshop)
        if max_instances is not None:
            paths = paths[:max_instances]
        solver = schedule if model == "ours" else schedule_plain
        rows: list[dict[str, Any]] = []
        for path in paths:
            began = time.perf_counter()
            try:
                try:
                    text = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    raise MalformedInstance(path, f"unreadable ({exc})") from exc
                try:
                    problem = parse_standard(text, path.stem)
                except MalformedProblem as exc:
                    raise MalformedInstance(path, str(exc)) from exc
            except MalformedInstance as exc:
                fail(str(exc))
            result = solver(problem, params)
            feasible = result.makespan is not None and not check_schedule(
                problem, result.starts, result.ends, result.makespan
            )
            bks = best_known(path, directory)
            bks_value = bks.value if bks is not None else None
            makespan = result.makespan if feasible else None
            rows.append(
                {
                    "instance": path.stem,
                    "makespan": makespan,
                    "bks": bks_value,
                    "gap_pct": gap_pct(makespan, bks_value) if feasible else None,
                    "seconds": round(time.perf_counter() - began, 3),
                    "feasible": feasible,
                    "lower_bound": result.lower_bound,
                    "status": result.status.value,
                }
            )
            typer.echo(
                f"{path.stem}: makespan={makespan} bks={bks_value} seconds={rows[-1]['seconds']}",
                err=True,
            )
        counted = [r for r in rows if r["bks"] is not None or not r["feasible"]]
        summary = {
            "mean_gap_pct": mean_or_none(r["gap_pct"] for r in counted),
            "instances": len(rows),
            "infeasible": sum(1 for r in rows if not r["feasible"]),
            "model": model,
            "time_limit_s": time_limit,
            "workers": workers,
            "seed": seed,
        }
        emit(summary, rows, json_file, COLUMNS)
