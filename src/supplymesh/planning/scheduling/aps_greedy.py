"""A constructive APS schedule: every operation at its earliest completion, job by job.

CP-SAT's circuit model of setups needs a long time to find a first schedule on plant-sized
problems with one or two workers (measured: none in 10 s for 20 jobs × 5 operations on six
machines with two options each). This list scheduler finds one in milliseconds; it is the
solver's hint and its fallback answer. Rule: of the jobs' next operations, place the one
(and the machine) that can finish first, ties to the earlier due date, in the earliest gap of
that machine that fits the operation, its setup from the operation before, the setup to the
operation after, and the calendar.
"""

from __future__ import annotations

from dataclasses import dataclass

from supplymesh.planning.scheduling.aps_problem import (
    ApsProblem,
    ApsSchedule,
    Placement,
    Task,
)


@dataclass(frozen=True)
class _Busy:
    start: int
    end: int
    setup_class: int


def greedy_schedule(problem: ApsProblem) -> ApsSchedule | None:
    """A feasible schedule, or None when the fixed operations leave no room for the rest."""
    from supplymesh.planning.scheduling.aps_solve import objective_value

    booked: list[list[_Busy]] = [[] for _ in range(problem.n_machines)]
    placed: dict[tuple[int, int], Placement] = {}
    for (j, k), place in problem.fixed.items():
        cls = problem.jobs[j].tasks[k].setup_class
        booked[place.machine].append(_Busy(place.start, place.end, cls))
        placed[(j, k)] = place
    for row in booked:
        row.sort(key=lambda b: (b.start, b.end))
    next_task = [0] * len(problem.jobs)
    while True:
        best: tuple[int, int, int, int, int] | None = None  # end, due, job, machine, start
        for j, job in enumerate(problem.jobs):
            while next_task[j] < len(job.tasks) and (j, next_task[j]) in placed:
                next_task[j] += 1
            k = next_task[j]
            if k == len(job.tasks):
                continue
            ready = max(problem.earliest_start, job.release if k == 0 else 0)
            if k > 0:
                ready = max(ready, placed[(j, k - 1)].end)
            task = job.tasks[k]
            for alt in task.alternatives:
                start = _earliest_fit(problem, booked, alt.machine, ready, alt.duration, task)
                due = job.due if job.due is not None else 1 << 62
                option = (start + alt.duration, due, j, alt.machine, start)
                if best is None or option < best:
                    best = option
        if best is None:
            break
        end, _due, j, machine, start = best
        k = next_task[j]
        placed[(j, k)] = Placement(machine, start, end)
        booked[machine].append(_Busy(start, end, problem.jobs[j].tasks[k].setup_class))
        booked[machine].sort(key=lambda b: (b.start, b.end))
        if (j, k + 1) in problem.fixed and problem.fixed[(j, k + 1)].start < end:
            return None
    placements = tuple(
        tuple(placed[(j, k)] for k in range(len(job.tasks))) for j, job in enumerate(problem.jobs)
    )
    return ApsSchedule(placements, objective_value(problem, placements))


def _earliest_fit(
    problem: ApsProblem,
    booked: list[list[_Busy]],
    machine: int,
    ready: int,
    duration: int,
    task: Task,
) -> int:
    """Earliest start ≥ `ready` on `machine` where the operation and its setups fit."""
    row = booked[machine]
    windows = problem.downtime.get(machine, ())
    # The machine frees up (for the setup, then the operation) at a booking's or window's end.
    free_from = sorted({ready, *(b.end for b in row), *(end for _s, end in windows)})
    for t in free_from:
        start = _fits_from(problem, row, windows, machine, t, ready, duration, task.setup_class)
        if start is not None:
            return start
    raise AssertionError("after the last booking and window everything fits")  # pragma: no cover


def _fits_from(
    problem: ApsProblem,
    row: list[_Busy],
    windows: tuple[tuple[int, int], ...],
    machine: int,
    t: int,
    ready: int,
    duration: int,
    cls: int,
) -> int | None:
    """The start if the setup can begin at `t` and the operation follows it, else None."""
    before = [b for b in row if b.end <= t]
    after = [b for b in row if b.end > t]
    previous = max(before, key=lambda b: (b.start, b.end), default=None)
    lead_in = problem.setup(machine, previous.setup_class, cls) if previous else 0
    start = max(ready, t + lead_in)
    end = start + duration
    busy = [(start - lead_in, end)]
    following = min(after, key=lambda b: (b.start, b.end), default=None)
    if following is not None:
        lead_out = problem.setup(machine, cls, following.setup_class)
        if following.start < end + lead_out or following.start < start - lead_in:
            return None
        busy.append((following.start - lead_out, following.start))
    for lo, hi in busy:
        for w_start, w_end in windows:
            if lo < w_end and w_start < hi:
                return None
    return start
