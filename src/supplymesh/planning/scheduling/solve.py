"""Our job-shop solver: tabu search for the schedule, CP-SAT for the bound, dispatch to start.

What it adds to the textbook model (``plain.py``), in the default order:

1. **Dispatching rules** (``dispatch.py``) give a feasible schedule in milliseconds, so a
   schedule exists whatever happens next, and its makespan is an upper bound UB.
2. **Tabu search** (``tabu.py``, N7 critical-block moves, compiled with numba, one search per
   worker) for the first 10 % of the time limit: within seconds it is far below the
   dispatching schedule, and it stops at once if it meets the lower bound LB.
3. **CP-SAT on a tightened model** for ``1 − tabu_share`` of the time (default 15 %), with
   the tabu schedule as hint: each start lives in ``[head, UB − tail]`` (work that must
   precede / follow it in its job), the makespan in ``[LB, UB]`` with LB = max(longest job,
   per machine earliest head + load + shortest tail). On small instances (la01–la40) this
   proves the tabu schedule optimal or finds the optimum; on 20×15 and 20×20 it only raises
   the bound — measured on ta15 and a random 20×20, 18 s of hinted CP-SAT after 40 s of tabu
   search improved nothing, whereas the same 18 s of tabu search sometimes did.
4. **Tabu search again** to the deadline, from the best schedule, stopping at the bound
   CP-SAT proved.

With ``tabu_share = 0`` the solver is CP-SAT only (the previous default): the tightened
model without a hint (on ta15 a dispatching-rule hint made CP-SAT's LP worker crawl down
from the hinted makespan), then, if ``full_solve_share < 1``, large-neighbourhood search on
the incumbent's partial-order schedule (random jobs, a time window, or whole machines
re-optimised by CP-SAT with the incumbent as hint; C. Godard, P. Laborie, W. Nuijten,
ICAPS 2005; P. Shaw, CP 1998). That LNS improved more slowly than CP-SAT's own interleaved
LNS workers in trials here (ta15, 20 s: 1438 with 40 % LNS vs 1404 without).
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from supplymesh.planning.scheduling.dispatch import best_dispatch
from supplymesh.planning.scheduling.params import SchedulingParams
from supplymesh.planning.scheduling.problem import JobShopProblem
from supplymesh.planning.scheduling.result import ScheduleResult, ScheduleStatus
from supplymesh.planning.scheduling.tabu import tabu_search

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

Starts = list[list[int]]

# Neighbourhood size as a share of all operations: start, floor, ceiling, adaptation factor.
_SIZE_START, _SIZE_MIN, _SIZE_MAX, _SIZE_STEP = 0.12, 0.03, 0.8, 1.1
# Wall-clock limit of one LNS sub-problem, seconds.
_SUB_LIMIT_S = 1.0
# Share of the time limit for the first tabu-search phase (before the CP-SAT bound run).
_TABU_FIRST = 0.1


@dataclass
class _Built:
    model: cp_model.CpModel
    starts: list[list[cp_model.IntVar]]
    makespan: cp_model.IntVar


def schedule(problem: JobShopProblem, params: SchedulingParams) -> ScheduleResult:
    """Minimise the makespan of `problem` within ``params.time_limit_s`` seconds.

    Parameters
    ----------
    problem
        The job shop.
    params
        Time limit (s, default 60), workers (CP-SAT threads and parallel tabu searches,
        default 2), seed (default 1) and how the time is shared between the methods.

    Returns
    -------
    ScheduleResult
        Starts and ends per operation, makespan, proven lower bound and status. A schedule is
        always found (dispatching rules never fail on a job shop).
    """
    began = time.perf_counter()
    deadline = began + params.time_limit_s
    best, best_ms = best_dispatch(problem, params.seed)
    lower = problem.lower_bound()
    if params.tabu_share > 0:
        best, best_ms, lower = _tabu_then_proof(problem, params, best, best_ms, lower, deadline)
    else:
        best, best_ms, lower = _cp_sat_then_lns(problem, params, best, best_ms, lower, deadline)

    ends = tuple(
        tuple(best[j][k] + op.duration for k, op in enumerate(job.operations))
        for j, job in enumerate(problem.jobs)
    )
    status = ScheduleStatus.OPTIMAL if best_ms <= lower else ScheduleStatus.FEASIBLE
    return ScheduleResult(
        tuple(tuple(row) for row in best),
        ends,
        best_ms,
        min(lower, best_ms),
        status,
        time.perf_counter() - began,
    )


def _tabu_then_proof(
    problem: JobShopProblem,
    params: SchedulingParams,
    best: Starts,
    best_ms: int,
    lower: int,
    deadline: float,
) -> tuple[Starts, int, int]:
    """Tabu search, a hinted CP-SAT run for the bound, then tabu search to the deadline."""
    total = params.time_limit_s
    if best_ms > lower:
        best, best_ms = tabu_search(
            problem, best, total * _TABU_FIRST, params.seed, lower, params.workers
        )
    if best_ms > lower:
        budget = min(deadline - time.perf_counter(), total * (1 - params.tabu_share))
        built = _build(problem, lower, best_ms, makespan_interval=False)
        _hint(built, best, best_ms)
        found = _solve(built, budget, params.workers, params.seed)
        if found is not None:
            starts, ms, bound, proved = found
            lower = max(lower, bound)
            if ms < best_ms:
                best, best_ms = starts, ms
            if proved:
                lower = max(lower, best_ms)
    left = deadline - time.perf_counter()
    if best_ms > lower and left > 0.05:
        best, best_ms = tabu_search(problem, best, left, params.seed + 1, lower, params.workers)
    return best, best_ms, lower


def _cp_sat_then_lns(
    problem: JobShopProblem,
    params: SchedulingParams,
    best: Starts,
    best_ms: int,
    lower: int,
    deadline: float,
) -> tuple[Starts, int, int]:
    """The CP-SAT-only path: the tightened model, then (optionally) LNS to the deadline."""
    if best_ms > lower:
        budget = max(
            0.0, min(deadline - time.perf_counter(), params.time_limit_s * params.full_solve_share)
        )
        # No hint: on ta15 a dispatching-rule hint made CP-SAT's LP worker crawl down from it.
        built = _build(problem, lower, best_ms, makespan_interval=False)
        found = _solve(built, budget, params.workers, params.seed)
        if found is not None:
            starts, ms, bound, proved = found
            lower = max(lower, bound)
            if ms <= best_ms:
                best, best_ms = starts, ms
            if proved:
                lower = max(lower, best_ms)
    if best_ms > lower:
        rng = random.Random(params.seed)
        best, best_ms = _lns(problem, params, rng, best, best_ms, lower, deadline)
    return best, best_ms, lower


def _lns(
    problem: JobShopProblem,
    params: SchedulingParams,
    rng: random.Random,
    best: Starts,
    best_ms: int,
    lower: int,
    deadline: float,
) -> tuple[Starts, int]:
    """Improve `best` by re-optimising neighbourhoods until the deadline or the bound."""
    ops = [(j, k) for j, job in enumerate(problem.jobs) for k in range(len(job.operations))]
    # Built once; each iteration works on a clone (a C++ proto copy), far cheaper than
    # rebuilding hundreds of interval variables through the Python layer.
    base = _build(problem, lower, best_ms, makespan_interval=False)
    size = _SIZE_START
    iteration = 0
    while best_ms > lower:
        left = deadline - time.perf_counter()
        if left < 0.05:
            break
        iteration += 1
        relaxed = _neighbourhood(problem, rng, best, best_ms, size, ops)
        built = _clone(base)
        built.model.add(built.makespan <= best_ms)
        _fix_orders(problem, built, best, relaxed)
        _hint(built, best, best_ms)
        found = _solve(built, min(left, _SUB_LIMIT_S), params.workers, params.seed + iteration)
        if found is None:
            size = max(_SIZE_MIN, size / _SIZE_STEP)
            continue
        starts, ms, _bound, proved = found
        if ms <= best_ms:
            best, best_ms = starts, ms
        # A neighbourhood solved to optimality was too easy: grow; a timed-out one: shrink.
        size = min(_SIZE_MAX, size * _SIZE_STEP) if proved else max(_SIZE_MIN, size / _SIZE_STEP)
    return best, best_ms


def _clone(base: _Built) -> _Built:
    """A copy of `base` whose variables refer to the copy."""
    model = base.model.clone()  # `base` carries no hint, so neither does the copy
    starts = [[model.get_int_var_from_proto_index(v.index) for v in row] for row in base.starts]
    return _Built(model, starts, model.get_int_var_from_proto_index(base.makespan.index))


def _neighbourhood(
    problem: JobShopProblem,
    rng: random.Random,
    best: Starts,
    best_ms: int,
    size: float,
    ops: Sequence[tuple[int, int]],
) -> set[tuple[int, int]]:
    """Operations whose machine order is freed: random jobs, a time window or machines."""
    kind = rng.random()
    if kind < 0.4:
        count = max(2, math.ceil(size * problem.n_jobs))
        jobs = set(rng.sample(range(problem.n_jobs), min(count, problem.n_jobs)))
        return {(j, k) for j, k in ops if j in jobs}
    if kind < 0.8:
        # A window holding about `size` of the operations, placed at random.
        ordered = sorted(ops, key=lambda jk: best[jk[0]][jk[1]])
        width = max(2, math.ceil(size * len(ordered)))
        first = rng.randrange(0, max(1, len(ordered) - width + 1))
        return set(ordered[first : first + width])
    count = max(2, math.ceil(size * problem.n_machines))
    machines = set(rng.sample(range(problem.n_machines), min(count, problem.n_machines)))
    return {(j, k) for j, k in ops if problem.jobs[j].operations[k].machine in machines}


def _build(
    problem: JobShopProblem, lower: int, upper: int, makespan_interval: bool = True
) -> _Built:
    """The tightened model: starts in [head, upper − tail], makespan in [lower, upper]."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    makespan = model.new_int_var(lower, upper, "makespan")
    machines: list[list[cp_model.IntervalVar]] = [[] for _ in range(problem.n_machines)]
    starts: list[list[cp_model.IntVar]] = []
    for j, job in enumerate(problem.jobs):
        head = job.release
        tail = sum(op.duration for op in job.operations)
        row: list[cp_model.IntVar] = []
        for k, op in enumerate(job.operations):
            start = model.new_int_var(head, max(head, upper - tail), f"s{j}_{k}")
            machines[op.machine].append(
                model.new_fixed_size_interval_var(start, op.duration, f"i{j}_{k}")
            )
            if row:
                model.add(start >= row[-1] + job.operations[k - 1].duration)
            row.append(start)
            head += op.duration
            tail -= op.duration
        model.add(makespan >= row[-1] + job.operations[-1].duration)
        starts.append(row)
    if makespan_interval:
        # Every machine is idle from the makespan to the horizon: one interval
        # [makespan, upper) joins each machine's no-overlap, so edge finding on that machine
        # pushes the makespan itself (head + load + tail reasoning inside the propagator).
        tail_size = model.new_int_var(0, upper - lower, "tail_size")
        idle = model.new_interval_var(makespan, tail_size, upper, "idle")
        for intervals in machines:
            intervals.append(idle)
    for intervals in machines:
        if len(intervals) > 1:
            model.add_no_overlap(intervals)
    model.minimize(makespan)
    return _Built(model, starts, makespan)


def _fix_orders(
    problem: JobShopProblem, built: _Built, best: Starts, relaxed: set[tuple[int, int]]
) -> None:
    """Keep the incumbent's machine order among the operations outside `relaxed`."""
    per_machine: list[list[tuple[int, int, int]]] = [[] for _ in range(problem.n_machines)]
    for j, job in enumerate(problem.jobs):
        for k, op in enumerate(job.operations):
            if (j, k) not in relaxed:
                per_machine[op.machine].append((best[j][k], j, k))
    for chain in per_machine:
        chain.sort()
        for (_s, j1, k1), (_t, j2, k2) in itertools.pairwise(chain):
            duration = problem.jobs[j1].operations[k1].duration
            built.model.add(built.starts[j2][k2] >= built.starts[j1][k1] + duration)


def _hint(built: _Built, best: Starts, best_ms: int) -> None:
    """Give CP-SAT the incumbent as a complete hint."""
    for row, values in zip(built.starts, best, strict=True):
        for var, value in zip(row, values, strict=True):
            built.model.add_hint(var, value)
    built.model.add_hint(built.makespan, best_ms)


def _solve(
    built: _Built, seconds: float, workers: int, seed: int
) -> tuple[Starts, int, int, bool] | None:
    """Run CP-SAT; (starts, makespan, bound, proved optimal) or None when nothing found."""
    from ortools.sat.python import cp_model

    if seconds <= 0:
        return None
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    code = solver.solve(built.model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    starts = [[int(solver.value(v)) for v in row] for row in built.starts]
    return (
        starts,
        int(solver.objective_value),
        math.ceil(solver.best_objective_bound - 1e-6),
        code == cp_model.OPTIMAL,
    )
