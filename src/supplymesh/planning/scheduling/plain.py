"""The textbook CP-SAT job-shop model, kept as the baseline the bench compares against.

Interval variables, one no-overlap per machine, job precedences, minimise makespan, horizon
= sum of all durations, no hint and no tuning (the OR-Tools job-shop example's model).
"""

from __future__ import annotations

import time

from supplymesh.planning.scheduling.params import SchedulingParams
from supplymesh.planning.scheduling.problem import JobShopProblem
from supplymesh.planning.scheduling.result import ScheduleResult, ScheduleStatus


def schedule_plain(problem: JobShopProblem, params: SchedulingParams) -> ScheduleResult:
    """Solve `problem` with the plain model under `params` (time limit, workers, seed)."""
    from ortools.sat.python import cp_model

    began = time.perf_counter()
    model = cp_model.CpModel()
    horizon = problem.horizon()
    starts: list[list[cp_model.IntVar]] = []
    machines: list[list[cp_model.IntervalVar]] = [[] for _ in range(problem.n_machines)]
    makespan = model.new_int_var(0, horizon, "makespan")
    for j, job in enumerate(problem.jobs):
        row: list[cp_model.IntVar] = []
        for k, op in enumerate(job.operations):
            start = model.new_int_var(job.release if k == 0 else 0, horizon, f"s{j}_{k}")
            machines[op.machine].append(
                model.new_fixed_size_interval_var(start, op.duration, f"i{j}_{k}")
            )
            if row:
                model.add(start >= row[-1] + job.operations[k - 1].duration)
            row.append(start)
        model.add(makespan >= row[-1] + job.operations[-1].duration)
        starts.append(row)
    for intervals in machines:
        model.add_no_overlap(intervals)
    model.minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = params.time_limit_s
    solver.parameters.num_workers = params.workers
    solver.parameters.random_seed = params.seed
    code = solver.solve(model)
    seconds = time.perf_counter() - began
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        status = (
            ScheduleStatus.INFEASIBLE if code == cp_model.INFEASIBLE else ScheduleStatus.UNKNOWN
        )
        return ScheduleResult((), (), None, int(solver.best_objective_bound), status, seconds)
    s = tuple(tuple(int(solver.value(v)) for v in row) for row in starts)
    e = tuple(
        tuple(s[j][k] + op.duration for k, op in enumerate(job.operations))
        for j, job in enumerate(problem.jobs)
    )
    status = ScheduleStatus.OPTIMAL if code == cp_model.OPTIMAL else ScheduleStatus.FEASIBLE
    return ScheduleResult(
        s, e, int(solver.objective_value), int(solver.best_objective_bound), status, seconds
    )
