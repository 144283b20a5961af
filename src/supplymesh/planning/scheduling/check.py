"""An independent feasibility check of a schedule, sharing no code with the solvers."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from supplymesh.planning.scheduling.problem import JobShopProblem


def check_schedule(
    problem: JobShopProblem,
    starts: Sequence[Sequence[int]],
    ends: Sequence[Sequence[int]],
    makespan: int | None = None,
) -> list[str]:
    """Every violated rule as a sentence; an empty list means the schedule is feasible.

    Checks shape, durations (end − start), releases, job precedence, one operation at a
    time per machine, and, when given, that `makespan` equals the latest end.
    """
    problems: list[str] = []
    if len(starts) != problem.n_jobs or len(ends) != problem.n_jobs:
        return [f"expected {problem.n_jobs} jobs, got {len(starts)} starts, {len(ends)} ends"]
    busy: list[list[tuple[int, int, int, int]]] = [[] for _ in range(problem.n_machines)]
    latest = 0
    for j, job in enumerate(problem.jobs):
        n_ops = len(job.operations)
        if len(starts[j]) != n_ops or len(ends[j]) != n_ops:
            problems.append(f"job {j}: expected {n_ops} operations")
            continue
        for k, op in enumerate(job.operations):
            s, e = starts[j][k], ends[j][k]
            if e - s != op.duration:
                problems.append(f"job {j} op {k}: lasts {e - s}, duration is {op.duration}")
            if k == 0 and s < job.release:
                problems.append(f"job {j}: starts at {s} before its release {job.release}")
            if k > 0 and s < ends[j][k - 1]:
                problems.append(f"job {j} op {k}: starts at {s} before op {k - 1} ends")
            if s < 0:
                problems.append(f"job {j} op {k}: negative start {s}")
            if op.duration > 0:
                busy[op.machine].append((s, e, j, k))
            latest = max(latest, e)
    for m, spans in enumerate(busy):
        spans.sort()
        for (_s1, e1, j1, k1), (s2, _e2, j2, k2) in itertools.pairwise(spans):
            if s2 < e1:
                problems.append(f"machine {m}: job {j1} op {k1} overlaps job {j2} op {k2}")
    if makespan is not None and makespan != latest:
        problems.append(f"makespan {makespan} differs from the latest end {latest}")
    return problems
