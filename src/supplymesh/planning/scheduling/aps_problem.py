"""The APS scheduling problem: a flexible job shop with setups, calendars, due dates, freezes.

The classic job shop (``problem.py``) is the special case with one machine per operation,
no setups and no calendars; :meth:`ApsProblem.from_job_shop` converts it.

Conventions, all times integers in the plant's time unit:

- an operation runs on exactly one of its alternatives' machines, for that alternative's
  duration, without interruption;
- a machine runs one operation at a time; between two consecutive operations on a machine
  the gap is at least the setup time from the first's setup class to the second's (no setup
  before a machine's first operation); a setup is machine work, so it may not overlap an
  unavailability window either;
- no operation overlaps an unavailability window ``[start, end)`` of its machine;
- a job's operations run in order, the first not before the job's release;
- a fixed operation (frozen horizon, started work) keeps its machine and start; no other
  operation starts before the problem's ``earliest_start`` (the moment of re-planning).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from supplymesh.planning.scheduling.problem import JobShopProblem, MalformedProblem


class Objective(StrEnum):
    """What the schedule minimises."""

    MAKESPAN = "makespan"
    TOTAL_TARDINESS = "total_tardiness"  # Σ weight · max(0, completion − due)


@dataclass(frozen=True)
class Alternative:
    """Running an operation on `machine` takes `duration`."""

    machine: int
    duration: int


@dataclass(frozen=True)
class Task:
    """One operation of a job: where it may run, and its setup class (for changeovers)."""

    alternatives: tuple[Alternative, ...]
    setup_class: int = 0


@dataclass(frozen=True)
class ApsJob:
    """Tasks in processing order, release time, optional due date and tardiness weight."""

    tasks: tuple[Task, ...]
    release: int = 0
    due: int | None = None
    weight: int = 1


@dataclass(frozen=True)
class Placement:
    """Where and when one operation runs."""

    machine: int
    start: int
    end: int


@dataclass(frozen=True)
class ApsProblem:
    """A flexible job shop with setups and calendars.

    Parameters
    ----------
    jobs
        The jobs.
    n_machines
        Machines are ``0 … n_machines − 1``.
    setups
        ``(machine, from_class, to_class) → time`` between consecutive operations on that
        machine; missing entries are 0.
    downtime
        ``machine → [(start, end), …]``: windows when the machine cannot work.
    fixed
        ``(job, task) → Placement`` that the solver must keep (frozen or started work).
    objective
        Minimise the makespan or the total weighted tardiness.
    earliest_start
        No operation that is not fixed starts before this time (the re-planning moment).
    """

    jobs: tuple[ApsJob, ...]
    n_machines: int
    setups: Mapping[tuple[int, int, int], int] = field(default_factory=dict)
    downtime: Mapping[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    fixed: Mapping[tuple[int, int], Placement] = field(default_factory=dict)
    objective: Objective = Objective.MAKESPAN
    earliest_start: int = 0

    def __post_init__(self) -> None:
        if self.n_machines < 1:
            raise MalformedProblem(f"n_machines must be ≥ 1, got {self.n_machines}")
        for j, job in enumerate(self.jobs):
            if not job.tasks:
                raise MalformedProblem(f"job {j} has no tasks")
            if job.release < 0 or job.weight < 0:
                raise MalformedProblem(f"job {j}: negative release or weight")
            for k, task in enumerate(job.tasks):
                if not task.alternatives:
                    raise MalformedProblem(f"job {j} task {k} has no machine to run on")
                for alt in task.alternatives:
                    if not 0 <= alt.machine < self.n_machines or alt.duration < 0:
                        raise MalformedProblem(f"job {j} task {k}: bad alternative {alt}")
        for (m, a, b), time in self.setups.items():
            if not 0 <= m < self.n_machines or time < 0:
                raise MalformedProblem(f"setup ({m}, {a}, {b}) = {time} is invalid")
        for m, windows in self.downtime.items():
            if not 0 <= m < self.n_machines:
                raise MalformedProblem(f"downtime for unknown machine {m}")
            for start, end in windows:
                if not 0 <= start < end:
                    raise MalformedProblem(f"machine {m}: bad downtime window [{start}, {end})")
        for (j, k), place in self.fixed.items():
            if not (0 <= j < len(self.jobs) and 0 <= k < len(self.jobs[j].tasks)):
                raise MalformedProblem(f"fixed operation ({j}, {k}) does not exist")
            durations = {a.machine: a.duration for a in self.jobs[j].tasks[k].alternatives}
            if durations.get(place.machine) != place.end - place.start:
                raise MalformedProblem(f"fixed operation ({j}, {k}): {place} is not an option")

    def setup(self, machine: int, before: int, after: int) -> int:
        """Changeover time on `machine` from setup class `before` to `after`."""
        return self.setups.get((machine, before, after), 0)

    def horizon(self) -> int:
        """A time by which some feasible schedule always ends (if any exists)."""
        latest = max([self.earliest_start, *(job.release for job in self.jobs)])
        latest = max([latest, *(end for w in self.downtime.values() for _s, end in w)])
        latest = max([latest, *(place.end for place in self.fixed.values())])
        longest_setup = max(self.setups.values(), default=0)
        work = sum(
            max(a.duration for a in task.alternatives) + longest_setup
            for job in self.jobs
            for task in job.tasks
        )
        return latest + work

    @classmethod
    def from_job_shop(cls, problem: JobShopProblem) -> ApsProblem:
        """The classic job shop as an APS problem (one alternative per operation)."""
        jobs = tuple(
            ApsJob(
                tuple(Task((Alternative(op.machine, op.duration),)) for op in job.operations),
                release=job.release,
                due=job.due,
            )
            for job in problem.jobs
        )
        return cls(jobs, problem.n_machines)


@dataclass(frozen=True)
class ApsSchedule:
    """A schedule: ``placements[j][k]`` for job j, task k; the objective value it reaches."""

    placements: tuple[tuple[Placement, ...], ...]
    objective_value: int

    def completion(self, job: int) -> int:
        """When job `job` finishes."""
        return self.placements[job][-1].end

    @property
    def makespan(self) -> int:
        """Latest end of any operation."""
        return max(p.end for row in self.placements for p in row)


def tardiness(problem: ApsProblem, placements: tuple[tuple[Placement, ...], ...]) -> int:
    """Σ weight · max(0, completion − due) over jobs with a due date."""
    return sum(
        job.weight * max(0, row[-1].end - job.due)
        for job, row in zip(problem.jobs, placements, strict=True)
        if job.due is not None
    )
