"""The job-shop problem: jobs as ordered machine operations, read from the standard format."""

from __future__ import annotations

from dataclasses import dataclass


class MalformedProblem(ValueError):
    """A problem text or value is not a valid job shop; the message says what and where."""


@dataclass(frozen=True)
class Operation:
    """One step of a job: `duration` time units on `machine` (0-based)."""

    machine: int
    duration: int


@dataclass(frozen=True)
class Job:
    """Operations in processing order; optional release time and due date (time units)."""

    operations: tuple[Operation, ...]
    release: int = 0
    due: int | None = None


@dataclass(frozen=True)
class JobShopProblem:
    """A job shop: every job runs its operations in order, each machine one at a time.

    Parameters
    ----------
    jobs
        The jobs, each a :class:`Job`.
    n_machines
        Number of machines; operations name machines ``0 … n_machines − 1``.
    name
        Label for reports (the instance's file stem).
    """

    jobs: tuple[Job, ...]
    n_machines: int
    name: str = ""

    def __post_init__(self) -> None:
        if self.n_machines < 1:
            raise MalformedProblem(f"n_machines must be ≥ 1, got {self.n_machines}")
        if not self.jobs:
            raise MalformedProblem("a job shop needs at least one job")
        for j, job in enumerate(self.jobs):
            if not job.operations:
                raise MalformedProblem(f"job {j} has no operations")
            if job.release < 0:
                raise MalformedProblem(f"job {j} has negative release {job.release}")
            for op in job.operations:
                if not 0 <= op.machine < self.n_machines:
                    raise MalformedProblem(f"job {j}: machine {op.machine} out of range")
                if op.duration < 0:
                    raise MalformedProblem(f"job {j}: negative duration {op.duration}")

    @property
    def n_jobs(self) -> int:
        """Number of jobs."""
        return len(self.jobs)

    def lower_bound(self) -> int:
        """A bound no schedule beats: the longest job, or per machine the earliest head
        (work that must precede) plus its load plus the shortest tail (work that must follow).
        """
        job_bound = max(
            job.release + sum(op.duration for op in job.operations) for job in self.jobs
        )
        load = [0] * self.n_machines
        head = [-1] * self.n_machines
        tail = [-1] * self.n_machines
        for job in self.jobs:
            before = job.release
            after = sum(op.duration for op in job.operations)
            for op in job.operations:
                after -= op.duration
                load[op.machine] += op.duration
                head[op.machine] = before if head[op.machine] < 0 else min(head[op.machine], before)
                tail[op.machine] = after if tail[op.machine] < 0 else min(tail[op.machine], after)
                before += op.duration
        machine_bound = max(
            max(h, 0) + w + max(t, 0) for h, w, t in zip(head, load, tail, strict=True)
        )
        return max(job_bound, machine_bound)

    def horizon(self) -> int:
        """Latest release plus the sum of all durations: every active schedule ends by then."""
        total = sum(op.duration for job in self.jobs for op in job.operations)
        return max(job.release for job in self.jobs) + total


def parse_standard(text: str, name: str = "") -> JobShopProblem:
    """Read the standard JSSP text format (Taillard/OR-Library style, machines from 0).

    First line ``n m``; then one line per job with ``m`` pairs ``machine duration`` in
    processing order. Lines starting with ``#`` and blank lines are skipped. Raises
    :class:`MalformedProblem` naming the offending line.
    """
    lines = [
        (i + 1, ln.split())
        for i, ln in enumerate(text.splitlines())
        if ln.strip() and not ln.lstrip().startswith("#")
    ]
    if not lines:
        raise MalformedProblem("empty file")
    head_no, head = lines[0]
    try:
        n, m = (int(tok) for tok in head)
    except ValueError:
        raise MalformedProblem(f"line {head_no}: expected 'n_jobs n_machines'") from None
    if n < 1 or m < 1:
        raise MalformedProblem(f"line {head_no}: n_jobs and n_machines must be positive")
    body = lines[1:]
    if len(body) != n:
        raise MalformedProblem(f"expected {n} job lines, found {len(body)}")
    jobs = []
    for line_no, tokens in body:
        try:
            values = [int(tok) for tok in tokens]
        except ValueError:
            raise MalformedProblem(f"line {line_no}: non-integer value") from None
        if len(values) != 2 * m:
            raise MalformedProblem(f"line {line_no}: expected {2 * m} numbers, got {len(values)}")
        ops = tuple(Operation(values[2 * k], values[2 * k + 1]) for k in range(m))
        for op in ops:
            if not 0 <= op.machine < m:
                raise MalformedProblem(f"line {line_no}: machine {op.machine} not in 0..{m - 1}")
            if op.duration < 0:
                raise MalformedProblem(f"line {line_no}: negative duration {op.duration}")
        jobs.append(Job(ops))
    return JobShopProblem(tuple(jobs), m, name)
