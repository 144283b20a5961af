"""An independent check of an APS schedule against every rule of ``aps_problem.py``.

Shares no code with the CP-SAT model: it walks the placements directly.
"""

from __future__ import annotations

import itertools

from supplymesh.planning.scheduling.aps_problem import (
    ApsProblem,
    ApsSchedule,
    Objective,
    Placement,
)


def check_aps(problem: ApsProblem, schedule: ApsSchedule) -> list[str]:
    """Every violated rule as a sentence; an empty list means the schedule is feasible.

    Checks machine choice and duration, release, the re-planning moment, job order, fixed
    operations, one operation at a time per machine with setups between consecutive ones,
    unavailability windows (for operations and their setups) and the objective value.
    """
    placements = schedule.placements
    if len(placements) != len(problem.jobs):
        return [f"expected {len(problem.jobs)} jobs, got {len(placements)}"]
    found: list[str] = []
    on_machine: list[list[tuple[Placement, int, int, int]]] = [
        [] for _ in range(problem.n_machines)
    ]
    for j, (job, row) in enumerate(zip(problem.jobs, placements, strict=True)):
        if len(row) != len(job.tasks):
            found.append(f"job {j}: expected {len(job.tasks)} operations, got {len(row)}")
            continue
        for k, (task, place) in enumerate(zip(job.tasks, row, strict=True)):
            found += _check_operation(problem, j, k, place, row[k - 1] if k else None)
            durations = {a.machine: a.duration for a in task.alternatives}
            if place.machine in durations and 0 <= place.machine < problem.n_machines:
                on_machine[place.machine].append((place, task.setup_class, j, k))
    for m, ops in enumerate(on_machine):
        found += _check_machine(problem, m, ops)
    expected = _objective(problem, placements) if not found else None
    if expected is not None and expected != schedule.objective_value:
        found.append(f"objective {schedule.objective_value} differs from the schedule's {expected}")
    return found


def _check_operation(
    problem: ApsProblem, j: int, k: int, place: Placement, before: Placement | None
) -> list[str]:
    job = problem.jobs[j]
    task = job.tasks[k]
    durations = {a.machine: a.duration for a in task.alternatives}
    found: list[str] = []
    if place.machine not in durations:
        found.append(f"job {j} task {k}: machine {place.machine} is not one of its options")
    elif place.end - place.start != durations[place.machine]:
        found.append(
            f"job {j} task {k}: lasts {place.end - place.start} on machine {place.machine}, "
            f"duration is {durations[place.machine]}"
        )
    fixed = problem.fixed.get((j, k))
    if fixed is not None and fixed != place:
        found.append(f"job {j} task {k}: fixed at {fixed}, placed at {place}")
    if fixed is None and place.start < problem.earliest_start:
        found.append(
            f"job {j} task {k}: starts at {place.start} before re-planning time "
            f"{problem.earliest_start}"
        )
    if k == 0 and place.start < job.release:
        found.append(f"job {j}: starts at {place.start} before its release {job.release}")
    if before is not None and place.start < before.end:
        found.append(f"job {j} task {k}: starts at {place.start} before task {k - 1} ends")
    if place.start < 0:
        found.append(f"job {j} task {k}: negative start {place.start}")
    return found


def _check_machine(
    problem: ApsProblem, m: int, ops: list[tuple[Placement, int, int, int]]
) -> list[str]:
    found: list[str] = []
    ops.sort(key=lambda item: (item[0].start, item[0].end))
    for (p1, c1, j1, k1), (p2, c2, j2, k2) in itertools.pairwise(ops):
        setup = problem.setup(m, c1, c2)
        if p2.start < p1.end + setup:
            what = "overlaps" if p2.start < p1.end else f"follows within the setup time {setup} of"
            found.append(f"machine {m}: job {j2} task {k2} {what} job {j1} task {k1}")
    previous_class: int | None = None
    for place, setup_class, j, k in ops:
        setup = 0 if previous_class is None else problem.setup(m, previous_class, setup_class)
        previous_class = setup_class
        busy_from = place.start - setup
        for start, end in problem.downtime.get(m, ()):
            if busy_from < end and start < place.end:
                found.append(
                    f"machine {m}: job {j} task {k} (with its setup) overlaps downtime "
                    f"[{start}, {end})"
                )
    return found


def _objective(problem: ApsProblem, placements: tuple[tuple[Placement, ...], ...]) -> int:
    if problem.objective is Objective.TOTAL_TARDINESS:
        return sum(
            job.weight * max(0, row[-1].end - job.due)
            for job, row in zip(problem.jobs, placements, strict=True)
            if job.due is not None
        )
    return max(p.end for row in placements for p in row)
