"""Frozen horizon and breakdown repair: re-plan without moving work that must stay put.

Both derive a new :class:`ApsProblem` whose ``fixed`` operations are the ones that may not
move, then solve it with the previous schedule as the hint, so the new plan stays close to
the old one where nothing forces a change.
"""

from __future__ import annotations

from dataclasses import replace

from supplymesh.planning.scheduling.aps_problem import (
    ApsJob,
    ApsProblem,
    ApsSchedule,
    Placement,
)
from supplymesh.planning.scheduling.aps_solve import ApsResult, solve_aps
from supplymesh.planning.scheduling.params import SchedulingParams
from supplymesh.planning.scheduling.problem import MalformedProblem


class Unrepairable(MalformedProblem):
    """The breakdown leaves an operation with no machine it may run on."""


def freeze(problem: ApsProblem, schedule: ApsSchedule, freeze_until: int) -> ApsProblem:
    """`problem` with every operation that starts before `freeze_until` fixed where it is."""
    fixed = dict(problem.fixed)
    for j, row in enumerate(schedule.placements):
        for k, place in enumerate(row):
            if place.start < freeze_until:
                fixed[(j, k)] = place
    return replace(problem, fixed=fixed)


def repair(
    problem: ApsProblem,
    schedule: ApsSchedule,
    down_machine: int,
    from_time: int,
    params: SchedulingParams,
    up_time: int | None = None,
    freeze_until: int | None = None,
) -> ApsResult:
    """Re-plan after `down_machine` fails at `from_time`.

    Work started before `from_time` stays as it is (an operation already running on the
    failed machine is taken to finish; the machine is down from its end). Operations that
    start in ``[from_time, freeze_until)`` on other machines stay too (frozen horizon), unless
    an earlier operation of their job has to move.
    Everything else is re-planned to start at `from_time` or later, off the failed machine
    until `up_time` (for good when None). Raises :class:`Unrepairable` when an operation that
    must move can only run on the failed machine and it never comes back.
    """
    if not 0 <= down_machine < problem.n_machines:
        raise MalformedProblem(f"machine {down_machine} does not exist")
    if up_time is not None and up_time <= from_time:
        raise MalformedProblem(f"up_time {up_time} is not after from_time {from_time}")
    frozen_until = from_time if freeze_until is None else max(from_time, freeze_until)
    fixed = dict(problem.fixed)
    for j, row in enumerate(schedule.placements):
        for k, place in enumerate(row):
            started = place.start < from_time
            # A frozen operation whose predecessor must move could not keep its start.
            frozen = (
                place.start < frozen_until
                and place.machine != down_machine
                and (k == 0 or (j, k - 1) in fixed)
            )
            if started or frozen:
                fixed[(j, k)] = place
    running_until = max(
        [from_time]
        + [p.end for p in fixed.values() if p.machine == down_machine and p.start < from_time]
    )
    jobs = problem.jobs
    downtime = dict(problem.downtime)
    if up_time is None:
        jobs = _without_machine(problem, fixed, down_machine)
    elif up_time > running_until:
        downtime[down_machine] = (*downtime.get(down_machine, ()), (running_until, up_time))
    repaired = replace(
        problem,
        jobs=jobs,
        downtime=downtime,
        fixed=fixed,
        earliest_start=max(problem.earliest_start, from_time),
    )
    # The old plan as the hint: CP-SAT repairs the placements the breakdown invalidates.
    return solve_aps(repaired, params, hint=schedule)


def _without_machine(
    problem: ApsProblem, fixed: dict[tuple[int, int], Placement], machine: int
) -> tuple[ApsJob, ...]:
    jobs = []
    for j, job in enumerate(problem.jobs):
        tasks = []
        for k, task in enumerate(job.tasks):
            if (j, k) in fixed:
                tasks.append(task)
                continue
            options = tuple(a for a in task.alternatives if a.machine != machine)
            if not options:
                raise Unrepairable(
                    f"job {j} task {k} can only run on machine {machine}, which is down for good"
                )
            tasks.append(replace(task, alternatives=options))
        jobs.append(ApsJob(tuple(tasks), job.release, job.due, job.weight))
    return tuple(jobs)
