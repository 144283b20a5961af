"""Priority-rule schedules: a fast, feasible starting point and upper bound for CP-SAT.

Giffler & Thompson's active-schedule generation (B. Giffler, G. L. Thompson, "Algorithms for
solving production-scheduling problems", Operations Research 8(4), 1960) picks, on the
machine of the earliest-completing schedulable operation, one of the operations that could
start before that completion. Which one is the priority rule's choice (S. S. Panwalkar,
W. Iskander, "A survey of scheduling rules", Operations Research 25(1), 1977). No single rule
wins everywhere, so several rules and randomised variants run and the shortest makespan is kept.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from supplymesh.planning.scheduling.problem import JobShopProblem

Schedule = tuple[list[list[int]], int]
# A rule scores a candidate (job, step); the lowest score is dispatched.
Rule = Callable[[int, int], float]


def giffler_thompson(problem: JobShopProblem, rule: Rule) -> Schedule:
    """One active schedule built with `rule`; returns (starts[j][k], makespan)."""
    n = problem.n_jobs
    next_op = [0] * n
    job_ready = [job.release for job in problem.jobs]
    machine_ready = [0] * problem.n_machines
    starts = [[0] * len(job.operations) for job in problem.jobs]
    remaining = sum(len(job.operations) for job in problem.jobs)
    while remaining:
        best_end = None
        best_machine = -1
        for j in range(n):
            k = next_op[j]
            if k == len(problem.jobs[j].operations):
                continue
            op = problem.jobs[j].operations[k]
            end = max(job_ready[j], machine_ready[op.machine]) + op.duration
            if best_end is None or end < best_end:
                best_end, best_machine = end, op.machine
        assert best_end is not None
        chosen = -1
        chosen_score = 0.0
        for j in range(n):
            k = next_op[j]
            if k == len(problem.jobs[j].operations):
                continue
            op = problem.jobs[j].operations[k]
            if op.machine != best_machine:
                continue
            start = max(job_ready[j], machine_ready[op.machine])
            if start >= best_end and op.duration > 0:
                continue
            score = rule(j, k)
            if chosen < 0 or score < chosen_score:
                chosen, chosen_score = j, score
        k = next_op[chosen]
        op = problem.jobs[chosen].operations[k]
        start = max(job_ready[chosen], machine_ready[op.machine])
        starts[chosen][k] = start
        job_ready[chosen] = machine_ready[op.machine] = start + op.duration
        next_op[chosen] += 1
        remaining -= 1
    return starts, max(job_ready)


def best_dispatch(problem: JobShopProblem, seed: int, randomised: int = 12) -> Schedule:
    """The best of SPT, MWKR, MOR, LRPT-ratio and `randomised` noisy-MWKR schedules."""
    durations = [[op.duration for op in job.operations] for job in problem.jobs]
    work_left = [[sum(d[k:]) for k in range(len(d))] for d in durations]
    ops_left = [[len(d) - k for k in range(len(d))] for d in durations]
    rules: list[Rule] = [
        lambda j, k: durations[j][k],  # shortest processing time
        lambda j, k: -work_left[j][k],  # most work remaining
        lambda j, k: -ops_left[j][k],  # most operations remaining
        lambda j, k: durations[j][k] / (1 + work_left[j][k]),  # short op, long tail
    ]
    rng = random.Random(seed)
    for _ in range(randomised):
        noise = [[rng.random() for _ in d] for d in durations]
        rules.append(_noisy_mwkr(work_left, noise, rng.uniform(0.05, 0.5)))
    best: Schedule | None = None
    for rule in rules:
        candidate = giffler_thompson(problem, rule)
        if best is None or candidate[1] < best[1]:
            best = candidate
    assert best is not None
    return best


def _noisy_mwkr(work_left: list[list[int]], noise: list[list[float]], weight: float) -> Rule:
    """Most-work-remaining with each score scaled by a random factor in [1 − w, 1 + w]."""

    def rule(j: int, k: int) -> float:
        return -work_left[j][k] * (1 - weight + 2 * weight * noise[j][k])

    return rule
