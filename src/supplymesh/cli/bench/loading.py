"""`supplymesh bench loading DIR`: volume utilisation on Bischoff–Ratcliff (thpack) files.

Each file holds many problems of one class (BR1 … BR15); a row is one problem, named
``<stem>-<nnn>``. Every plan is re-checked by the independent checker (containment, overlap,
full support, orientation flags, quantities) before it counts as feasible.

With ``--workers 2`` problems run in a process pool, one problem per process at a time;
``seconds`` is still the wall time of that one problem (its share of the file's parsing,
the search and the check), measured inside the worker.
"""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from supplymesh.cli.bench.common import emit, fail, find_instances, mean_or_none

if TYPE_CHECKING:
    from supplymesh.planning.loading.params import LoadingParams
    from supplymesh.planning.loading.problem import LoadingProblem

COLUMNS = ("instance", "class", "problem", "utilisation_pct", "seconds", "feasible")
_NOT_INSTANCES = (".csv", ".json", ".md", ".sol", ".py", ".gz", ".zip", ".xml", ".html", ".pdf")


def looks_like_thpack(path: Path) -> bool:
    """A file that opens with a count line, a ``p seed`` line and an ``L W H`` line."""
    if path.suffix.lower() in _NOT_INSTANCES:
        return False
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            head = []
            for line in fh:
                if line.strip():
                    head.append(line.split())
                if len(head) == 3:
                    break
    except OSError:
        return False
    return [len(t) for t in head] == [1, 2, 3] and all(
        tok.lstrip("-").isdigit() for tokens in head for tok in tokens
    )


def _warm_up() -> None:
    """Compile the packer's kernels (or load them from numba's cache) once per process,
    before the first problem's `seconds` start: a one-off per process, like the imports."""
    from supplymesh.planning.loading.solve import _warm_up as warm_up

    warm_up()


def _solve_one(job: tuple[LoadingProblem, LoadingParams, float]) -> dict[str, Any]:
    """Pack and check one problem (runs in a worker process when --workers > 1)."""
    from supplymesh.planning.loading.check import check_loading
    from supplymesh.planning.loading.solve import pack

    problem, params, parse_share = job
    began = time.perf_counter()
    result = pack(problem, params)
    violations = check_loading(problem, result.placements)
    feasible = not violations
    return {
        "utilisation_pct": round(100.0 * result.utilisation, 3) if feasible else None,
        "seconds": round(time.perf_counter() - began + parse_share, 3),
        "feasible": feasible,
        "boxes": len(result.placements),
        # Whether the clock (not the repeatable work budget) ended the search, and how much
        # of the budget was spent.
        "clock_stop": bool(result.notes.get("clock", 0.0)),
        "work_share": round(result.notes.get("work_share", 0.0), 3),
        "left_out": [problem.box_types[i].label for i in result.too_large],
        "violations": violations[:5],
    }


def register(app: typer.Typer) -> None:
    """Add the `loading` command to the bench app."""

    @app.command("loading")
    def loading(
        directory: Annotated[Path, typer.Argument(help="Folder searched recursively, or a file.")],
        time_limit: Annotated[float, typer.Option(help="Seconds per problem.")] = 60.0,
        max_instances: Annotated[
            int | None, typer.Option(help="Only the first N problems of each file.")
        ] = None,
        seed: Annotated[int, typer.Option(help="Random seed (block tie-breaks).")] = 1,
        json_file: Annotated[
            Path | None, typer.Option("--json", help="Write the JSON result here ('-': stdout).")
        ] = None,
        workers: Annotated[int, typer.Option(help="Problems solved in parallel.")] = 1,
    ) -> None:
        """Load one container per problem and report volume utilisation per class."""
        from supplymesh.planning.loading.params import LoadingParams
        from supplymesh.planning.loading.problem import MalformedProblem, parse_thpack

        try:
            params = LoadingParams(time_limit_s=time_limit, seed=seed)
        except ValueError as exc:
            fail(str(exc))
        if max_instances is not None and max_instances < 1:
            fail("--max-instances must be ≥ 1")
        if workers < 1:
            fail("--workers must be ≥ 1")
        jobs: list[tuple[LoadingProblem, LoadingParams, float]] = []
        labels: list[tuple[str, str, int]] = []
        for path in find_instances(directory, looks_like_thpack):
            began = time.perf_counter()
            try:
                problems = parse_thpack(path.read_text(encoding="utf-8"), str(path))
            except (OSError, UnicodeDecodeError) as exc:
                fail(f"{path}: unreadable ({exc})")
            except MalformedProblem as exc:
                fail(str(exc))
            if max_instances is not None:
                problems = problems[:max_instances]
            share = (time.perf_counter() - began) / max(1, len(problems))
            for problem in problems:
                number = int(problem.name)
                labels.append((f"{path.stem}-{number:03d}", path.stem, number))
                jobs.append((problem, params, share))
        if workers == 1:
            _warm_up()
            rows = [_row(label, _solve_one(job)) for label, job in zip(labels, jobs, strict=True)]
        else:
            with ProcessPoolExecutor(max_workers=workers, initializer=_warm_up) as pool:
                outcomes = pool.map(_solve_one, jobs)
                rows = [_row(label, out) for label, out in zip(labels, outcomes, strict=True)]
        classes: dict[str, list[float | None]] = {}
        for r in rows:
            classes.setdefault(r["class"], []).append(r["utilisation_pct"])
        per_class = {name: _rounded(mean_or_none(vals)) for name, vals in classes.items()}
        summary = {
            "mean_utilisation_pct": _rounded(mean_or_none(r["utilisation_pct"] for r in rows)),
            "per_class": per_class,
            "instances": len(rows),
            "infeasible": sum(1 for r in rows if not r["feasible"]),
            "time_limit_s": time_limit,
            "seed": seed,
            "workers": workers,
        }
        emit(summary, rows, json_file, COLUMNS)


def _row(label: tuple[str, str, int], outcome: dict[str, Any]) -> dict[str, Any]:
    instance, cls, number = label
    row = {"instance": instance, "class": cls, "problem": number, **outcome}
    typer.echo(
        f"{instance}: utilisation={row['utilisation_pct']} seconds={row['seconds']}", err=True
    )
    return row


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
