"""Assign docks and start times to booked trucks with CP-SAT, and re-plan around a late one.

The model is a parallel-machine schedule with eligibility: one optional interval per
(truck, fitting dock), exactly one chosen, no overlap on a dock, start no earlier than the
truck's arrival (or "now"), minimising total waiting plus weighted lateness past the booked
windows. Greedy insertion in a few orders gives the starting plan (and the fallback, so an
answer always comes back in time); CP-SAT on the whole model proves small days optimal, and
large-neighbourhood search over time slices improves busy ones with a single worker.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import replace

from ortools.sat.python import cp_model

from supplymesh.planning.docks.params import DockParams
from supplymesh.planning.docks.problem import DockProblem, InvalidDockInput, Pinned, Truck
from supplymesh.planning.docks.result import DockPlan, DockVisit, PlanStatus

Assignment = dict[str, tuple[str, int]]  # truck id → (dock code, start minute)
WHOLE_SHARE = 0.2  # of the budget for the first whole-model run
SLICE_SECONDS = 0.2  # per neighbourhood re-solve
NEIGHBOURHOOD = 10  # trucks re-planned together


class TruckAlreadyStarted(ValueError):
    """A truck whose service has begun cannot be re-timed."""

    def __init__(self, truck_id: str, start: int) -> None:
        super().__init__(f"truck {truck_id} started at minute {start}; it can no longer be late")
        self.truck_id = truck_id
        self.start = start


def _earliest_gap(busy: list[tuple[int, int]], ready: int, length: int) -> int:
    """The first start ≥ ready where [start, start+length) misses every busy span."""
    start = ready
    for b0, b1 in sorted(busy):
        if start + length <= b0:
            break
        start = max(start, b1)
    return start


def _shortest(problem: DockProblem, truck: Truck) -> int:
    return min(problem.service_minutes(truck, d) for d in problem.docks_for(truck))


#: Orders in which the greedy inserts trucks: first come first served, then two that do
#: better when trucks bunch up (shortest service first; earliest window end first).
ORDERS: tuple[Callable[[DockProblem, Truck], tuple[int, int, str]], ...] = (
    lambda _p, t: (t.arrival, t.window_end, t.id),
    lambda p, t: (t.arrival, _shortest(p, t), t.id),
    lambda p, t: (t.arrival + _shortest(p, t), t.window_end, t.id),
    lambda _p, t: (t.window_end, t.arrival, t.id),
)


def _greedy(problem: DockProblem, order: int = 0) -> Assignment:
    """Insert trucks one by one, each into the earliest gap of the dock that frees it first."""
    docks = {d.code: d for d in problem.docks}
    trucks = {t.id: t for t in problem.trucks}
    busy: dict[str, list[tuple[int, int]]] = {d.code: [] for d in problem.docks}
    chosen: Assignment = {}
    for p in problem.pinned:
        span = problem.service_minutes(trucks[p.truck_id], docks[p.dock])
        busy[p.dock].append((p.start, p.start + span))
        chosen[p.truck_id] = (p.dock, p.start)
    key = ORDERS[order]
    pending = sorted(
        (t for t in problem.trucks if t.id not in chosen), key=lambda t: key(problem, t)
    )
    for t in pending:
        ready = max(t.arrival, problem.not_before)
        options = []
        for d in problem.docks_for(t):
            span = problem.service_minutes(t, d)
            start = _earliest_gap(busy[d.code], ready, span)
            options.append((start + span, start, d.code))
        _end, start, code = min(options)
        busy[code].append((start, start + problem.service_minutes(t, docks[code])))
        chosen[t.id] = (code, start)
    return chosen


def _plan(
    problem: DockProblem,
    chosen: dict[str, tuple[str, int]],
    status: PlanStatus,
    weight: int,
    seconds: float,
) -> DockPlan:
    docks = {d.code: d for d in problem.docks}
    pinned = {p.truck_id for p in problem.pinned}
    visits = []
    for t in problem.trucks:
        code, start = chosen[t.id]
        end = start + problem.service_minutes(t, docks[code])
        wait, late = max(0, start - t.arrival), max(0, start - t.window_end)
        visits.append(DockVisit(t.id, code, start, end, wait, late, t.id in pinned))
    visits.sort(key=lambda v: (v.dock, v.start, v.truck_id))
    wait_total = sum(v.wait_min for v in visits)
    late_total = sum(v.late_min for v in visits)
    objective = wait_total + weight * late_total
    return DockPlan(tuple(visits), status, wait_total, late_total, objective, seconds)


def _objective(problem: DockProblem, chosen: Assignment, weight: int) -> int:
    by_id = {t.id: t for t in problem.trucks}
    total = 0
    for tid, (_code, start) in chosen.items():
        t = by_id[tid]
        total += max(0, start - t.arrival) + weight * max(0, start - t.window_end)
    return total


def _solve_cpsat(
    problem: DockProblem, hint: Assignment, params: DockParams, seconds: float
) -> tuple[bool, Assignment | None]:
    """(proved optimal, assignment) of one CP-SAT run on `problem`, warm-started by `hint`."""
    pinned = {p.truck_id: p for p in problem.pinned}
    horizon = max(
        [problem.not_before]
        + [t.arrival for t in problem.trucks]
        + [start for _, start in hint.values()]
    ) + sum(
        max(problem.service_minutes(t, d) for d in problem.docks_for(t))
        for t in problem.trucks
        if t.id not in pinned
    )
    model = cp_model.CpModel()
    per_dock: dict[str, list[cp_model.IntervalVar]] = {d.code: [] for d in problem.docks}
    choice: dict[tuple[str, str], cp_model.IntVar] = {}
    starts: dict[str, cp_model.IntVar] = {}
    cost = []
    for t in problem.trucks:
        if t.id in pinned:
            pin = pinned[t.id]
            dock = next(d for d in problem.docks if d.code == pin.dock)
            span = problem.service_minutes(t, dock)
            per_dock[pin.dock].append(
                model.new_fixed_size_interval_var(pin.start, span, f"pin_{t.id}")
            )
            continue
        start = model.new_int_var(max(t.arrival, problem.not_before), horizon, f"s_{t.id}")
        starts[t.id] = start
        for d in problem.docks_for(t):
            x = model.new_bool_var(f"x_{t.id}_{d.code}")
            span = problem.service_minutes(t, d)
            per_dock[d.code].append(
                model.new_optional_fixed_size_interval_var(start, span, x, f"i_{t.id}_{d.code}")
            )
            choice[t.id, d.code] = x
        model.add_exactly_one(choice[t.id, d.code] for d in problem.docks_for(t))
        late = model.new_int_var(0, horizon, f"late_{t.id}")
        model.add(late >= start - t.window_end)
        cost.append(start - t.arrival + params.lateness_weight * late)
        code, at = hint[t.id]
        model.add_hint(start, at)
        model.add_hint(late, max(0, at - t.window_end))
        for d in problem.docks_for(t):
            model.add_hint(choice[t.id, d.code], d.code == code)
    for intervals in per_dock.values():
        model.add_no_overlap(intervals)
    model.minimize(sum(cost))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(seconds, 0.01)
    solver.parameters.num_workers = params.workers
    solver.parameters.random_seed = params.seed
    outcome = solver.solve(model)
    if outcome not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False, None
    chosen = {p.truck_id: (p.dock, p.start) for p in problem.pinned}
    by_id = {t.id: t for t in problem.trucks}
    for tid, start in starts.items():
        docks = problem.docks_for(by_id[tid])
        code = next(d.code for d in docks if solver.value(choice[tid, d.code]))
        chosen[tid] = (code, solver.value(start))
    return outcome == cp_model.OPTIMAL, chosen


def _neighbourhood(problem: DockProblem, best: Assignment, rng: random.Random) -> set[str]:
    """Trucks to re-plan together: those planned closest in time to a random one.

    Trucks far apart in time rarely compete for a dock, so freeing a time slice (and
    keeping everything else where it is) lets a small exact model find real improvements.
    """
    free = [t.id for t in problem.trucks if t.id not in {p.truck_id for p in problem.pinned}]
    if len(free) <= NEIGHBOURHOOD:
        return set(free)
    centre = best[rng.choice(free)][1]
    free.sort(key=lambda tid: (abs(best[tid][1] - centre), rng.random()))
    return set(free[:NEIGHBOURHOOD])


def plan_docks(problem: DockProblem, params: DockParams | None = None) -> DockPlan:
    """A dock and start minute for every truck, minimising waiting and lateness.

    One CP-SAT run on the whole model gets part of the budget; when it has not proved
    optimality, large-neighbourhood search (Shaw 1998) spends the rest re-solving time
    slices of the best plan with everything else fixed. The greedy plan is the starting
    point, so the answer is never worse than first-come-first-served.

    Raises
    ------
    InvalidDockInput
        Naming every bad record, including a truck whose load fits no dock.
    """
    params = params or DockParams()
    problem.validate()
    began = time.perf_counter()
    deadline = began + params.time_limit_s
    weight = params.lateness_weight
    best = min(
        (_greedy(problem, k) for k in range(len(ORDERS))),
        key=lambda chosen: _objective(problem, chosen, weight),
    )
    best_cost = _objective(problem, best, weight)
    proved, found = _solve_cpsat(problem, best, params, params.time_limit_s * WHOLE_SHARE)
    status = PlanStatus.HEURISTIC
    if found is not None and _objective(problem, found, weight) <= best_cost:
        best, best_cost, status = found, _objective(problem, found, weight), PlanStatus.FEASIBLE
    if proved:
        return _plan(problem, best, PlanStatus.OPTIMAL, weight, time.perf_counter() - began)
    rng = random.Random(params.seed)
    while time.perf_counter() < deadline - 0.05:
        free = _neighbourhood(problem, best, rng)
        # Pinned trucks are never free, and `best` holds them at their pins.
        kept = tuple(Pinned(tid, *best[tid]) for tid in best if tid not in free)
        sub = replace(problem, pinned=kept)
        left = deadline - time.perf_counter()
        _, found = _solve_cpsat(sub, best, params, min(SLICE_SECONDS, left))
        if found is not None and (cost := _objective(problem, found, weight)) < best_cost:
            best, best_cost, status = found, cost, PlanStatus.FEASIBLE
    return _plan(problem, best, status, weight, time.perf_counter() - began)


def replan(
    problem: DockProblem,
    plan: DockPlan,
    now: int,
    late_truck: str,
    new_eta: int,
    params: DockParams | None = None,
) -> tuple[DockProblem, DockPlan]:
    """Re-plan at minute ``now`` after ``late_truck`` announces ``new_eta``.

    Work started before ``now`` (and finished work) stays where it is; everything else is
    re-optimised, starting no earlier than ``now``. Returns the updated problem (so later
    re-plans build on it) and the new plan.
    """
    if late_truck not in {t.id for t in problem.trucks}:
        raise InvalidDockInput([(f"truck {late_truck}", "late_truck", "is not in the plan")])
    started = [v for v in plan.visits if v.start < now]
    for v in started:
        if v.truck_id == late_truck:
            raise TruckAlreadyStarted(v.truck_id, v.start)
    trucks = tuple(replace(t, eta=new_eta) if t.id == late_truck else t for t in problem.trucks)
    keep = {p.truck_id: p for p in problem.pinned}
    for v in started:
        keep.setdefault(v.truck_id, Pinned(v.truck_id, v.dock, v.start))
    updated = DockProblem(problem.docks, trucks, tuple(keep.values()), max(now, problem.not_before))
    return updated, plan_docks(updated, params)
