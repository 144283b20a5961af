"""CP-SAT model of the APS problem (``aps_problem.py``): flexible routing, setups, calendars.

Each operation has a start and an end shared by one optional interval per machine it may use
(exactly one present). Calendars are fixed intervals in each machine's no-overlap. Where a
machine has sequence-dependent setups, its intervals are widened to cover the setup before
the operation, whose length a circuit over the machine's operations decides (the successor
arcs of the circuit are the machine's sequence); the widened intervals in the no-overlap
keep setups off unavailability windows as well. A constructive schedule (``aps_greedy.py``)
is hinted in full (circuit arcs included), because on plant-sized problems CP-SAT alone may
not find a first schedule within a short limit; it is also the answer if CP-SAT finds none.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from supplymesh.planning.scheduling.aps_greedy import greedy_schedule
from supplymesh.planning.scheduling.aps_problem import (
    ApsProblem,
    ApsSchedule,
    Objective,
    Placement,
    tardiness,
)
from supplymesh.planning.scheduling.params import SchedulingParams
from supplymesh.planning.scheduling.result import ScheduleStatus

if TYPE_CHECKING:
    from ortools.sat.python import cp_model


@dataclass(frozen=True)
class ApsResult:
    """The schedule found (None if none), its status, the proven bound and the time used."""

    schedule: ApsSchedule | None
    status: ScheduleStatus
    bound: int
    seconds: float


@dataclass
class _Circuit:
    """A machine's setup circuit: node i + 1 is options[i], node 0 the machine's idle state."""

    options: list[_Option]
    arcs: list[tuple[int, int, cp_model.IntVar]]
    lead_ins: list[cp_model.IntVar]
    busy_from: list[cp_model.IntVar]
    gaps: dict[tuple[int, int], int]


@dataclass
class _Option:
    """One way to run one operation: on `machine`, present when `literal` is true."""

    job: int
    task: int
    machine: int
    duration: int
    setup_class: int
    literal: cp_model.IntVar
    start: cp_model.IntVar
    end: cp_model.IntVar


def solve_aps(
    problem: ApsProblem, params: SchedulingParams, hint: ApsSchedule | None = None
) -> ApsResult:
    """Minimise the problem's objective within ``params.time_limit_s``; `hint` seeds the search.

    Returns the best of CP-SAT's schedule and the constructive one (``aps_greedy.py``), or
    none with status INFEASIBLE (proved) or UNKNOWN (neither found one).
    """
    from ortools.sat.python import cp_model

    began = time.perf_counter()
    model = cp_model.CpModel()
    horizon = problem.horizon()
    starts: list[list[cp_model.IntVar]] = []
    ends: list[list[cp_model.IntVar]] = []
    options: list[_Option] = []
    for j, job in enumerate(problem.jobs):
        starts.append([])
        ends.append([])
        for k, task in enumerate(job.tasks):
            place = problem.fixed.get((j, k))
            if place is not None:
                start = model.new_int_var(place.start, place.start, f"s{j}_{k}")
                end = model.new_int_var(place.end, place.end, f"e{j}_{k}")
            else:
                earliest = max(problem.earliest_start, job.release if k == 0 else 0)
                start = model.new_int_var(earliest, horizon, f"s{j}_{k}")
                end = model.new_int_var(earliest, horizon, f"e{j}_{k}")
            if k > 0:
                model.add(start >= ends[j][k - 1])
            elif place is None:
                model.add(start >= job.release)
            literals = []
            for alt in task.alternatives:
                if place is not None and alt.machine != place.machine:
                    continue
                literal = model.new_bool_var(f"x{j}_{k}_m{alt.machine}")
                model.add(end == start + alt.duration).only_enforce_if(literal)
                literals.append(literal)
                options.append(
                    _Option(j, k, alt.machine, alt.duration, task.setup_class, literal, start, end)
                )
            model.add_exactly_one(literals)
            starts[j].append(start)
            ends[j].append(end)
    circuits = []
    for machine in range(problem.n_machines):
        mine = [o for o in options if o.machine == machine]
        circuit = _machine_constraints(model, problem, machine, mine, horizon)
        if circuit is not None:
            circuits.append(circuit)
    objective = _objective(model, problem, ends, horizon)
    fallback = greedy_schedule(problem)
    if hint is None:
        hint = fallback
    if hint is not None:
        _add_hint(model, hint, starts, options, circuits)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = params.time_limit_s
    solver.parameters.num_workers = params.workers
    solver.parameters.random_seed = params.seed
    code = solver.solve(model)
    seconds = time.perf_counter() - began
    if code == cp_model.INFEASIBLE:
        return ApsResult(None, ScheduleStatus.INFEASIBLE, 0, seconds)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # CP-SAT found nothing in time: the constructive schedule is still an answer.
        status = ScheduleStatus.UNKNOWN if fallback is None else ScheduleStatus.FEASIBLE
        return ApsResult(fallback, status, 0, seconds)
    chosen = {(o.job, o.task): o.machine for o in options if solver.boolean_value(o.literal)}
    placements = tuple(
        tuple(
            Placement(chosen[(j, k)], int(solver.value(s)), int(solver.value(e)))
            for k, (s, e) in enumerate(zip(starts[j], ends[j], strict=True))
        )
        for j in range(len(problem.jobs))
    )
    value = int(solver.value(objective))
    status = ScheduleStatus.OPTIMAL if code == cp_model.OPTIMAL else ScheduleStatus.FEASIBLE
    bound = int(solver.best_objective_bound + 1e-6)
    found = ApsSchedule(placements, value)
    if fallback is not None and fallback.objective_value < value:
        found = fallback
    return ApsResult(found, status, min(bound, found.objective_value), seconds)


def objective_value(problem: ApsProblem, placements: tuple[tuple[Placement, ...], ...]) -> int:
    """The problem's objective evaluated on `placements`."""
    if problem.objective is Objective.TOTAL_TARDINESS:
        return tardiness(problem, placements)
    return max(p.end for row in placements for p in row)


def _machine_constraints(
    model: cp_model.CpModel,
    problem: ApsProblem,
    machine: int,
    options: list[_Option],
    horizon: int,
) -> _Circuit | None:
    """No overlap with each other or with the calendar; setups through a circuit if any."""
    blocked = [
        model.new_fixed_size_interval_var(start, end - start, f"down{machine}_{start}")
        for start, end in _merged(problem.downtime.get(machine, ()))
    ]
    classes = {o.setup_class for o in options}
    setup = {(a, b): problem.setup(machine, a, b) for a in classes for b in classes}
    if len(options) < 2 or not any(setup.values()):
        intervals = [
            model.new_optional_fixed_size_interval_var(
                o.start, o.duration, o.literal, f"i{o.job}_{o.task}_m{machine}"
            )
            for o in options
        ]
        model.add_no_overlap(intervals + blocked)
        return None
    longest = max(setup.values())
    occupied = []
    arcs: list[tuple[int, int, cp_model.IntVar]] = []
    lead_ins = []
    starts_with_setup = []
    for i, o in enumerate(options, start=1):
        lead_in = model.new_int_var(0, longest, f"setup{o.job}_{o.task}_m{machine}")
        model.add(lead_in == 0).only_enforce_if(~o.literal)
        lead_ins.append(lead_in)
        busy_from = model.new_int_var(-longest, horizon, "")
        model.add(busy_from == o.start - lead_in)
        starts_with_setup.append(busy_from)
        occupied.append(
            model.new_optional_interval_var(
                busy_from, o.duration + lead_in, o.end, o.literal, f"w{o.job}_{o.task}"
            )
        )
        first = model.new_bool_var("")
        model.add(lead_in == 0).only_enforce_if(first)
        skipped = model.new_bool_var("")
        model.add(skipped == ~o.literal)
        arcs += [(0, i, first), (i, 0, model.new_bool_var("")), (i, i, skipped)]
    for i, a in enumerate(options, start=1):
        for j, b in enumerate(options, start=1):
            if i == j:
                continue
            follows = model.new_bool_var("")
            gap = setup[(a.setup_class, b.setup_class)]
            model.add(lead_ins[j - 1] == gap).only_enforce_if(follows)
            model.add(b.start >= a.end + gap).only_enforce_if(follows)
            arcs.append((i, j, follows))
    arcs.append((0, 0, model.new_bool_var("")))  # a machine left idle
    model.add_circuit(arcs)
    model.add_no_overlap(occupied + blocked)
    return _Circuit(options, arcs, lead_ins, starts_with_setup, setup)


def _merged(windows: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    """Overlapping windows joined: fixed intervals in one no-overlap may not overlap."""
    joined: list[tuple[int, int]] = []
    for start, end in sorted(windows):
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return joined


def _objective(
    model: cp_model.CpModel, problem: ApsProblem, ends: list[list[cp_model.IntVar]], horizon: int
) -> cp_model.IntVar:
    if problem.objective is Objective.MAKESPAN:
        makespan = model.new_int_var(0, horizon, "makespan")
        model.add_max_equality(makespan, [row[-1] for row in ends])
        model.minimize(makespan)
        return makespan
    late = []
    for job, row in zip(problem.jobs, ends, strict=True):
        if job.due is None or job.weight == 0:
            continue
        lateness = model.new_int_var(0, horizon, "")
        model.add_max_equality(lateness, [row[-1] - job.due, 0])
        late.append(job.weight * lateness)
    total = model.new_int_var(0, horizon * sum(job.weight for job in problem.jobs), "tardiness")
    model.add(total == sum(late))
    model.minimize(total)
    return total


def _add_hint(
    model: cp_model.CpModel,
    hint: ApsSchedule,
    starts: list[list[cp_model.IntVar]],
    options: list[_Option],
    circuits: list[_Circuit],
) -> None:
    """Hint every variable, circuits included, so a feasible hint is a complete first solution."""
    chosen: dict[tuple[int, int], Placement] = {}
    for j, (row, places) in enumerate(zip(starts, hint.placements, strict=False)):
        for k, (var, placed) in enumerate(zip(row, places, strict=False)):
            model.add_hint(var, placed.start)
            chosen[(j, k)] = placed
    for o in options:
        place = chosen.get((o.job, o.task))
        model.add_hint(o.literal, place is not None and place.machine == o.machine)
    for circuit in circuits:
        used = [
            (spot.start, spot.end, i)
            for i, o in enumerate(circuit.options, start=1)
            if (spot := chosen.get((o.job, o.task))) is not None and spot.machine == o.machine
        ]
        used.sort()
        nodes = [0] + [i for _s, _e, i in used] + [0]
        successor = dict(itertools.pairwise(nodes)) if used else {0: 0}
        present = {i for _s, _e, i in used}
        lead = dict.fromkeys(range(1, len(circuit.options) + 1), 0)
        for a, b in successor.items():
            if a and b:
                pair = (circuit.options[a - 1].setup_class, circuit.options[b - 1].setup_class)
                lead[b] = circuit.gaps[pair]
        for tail, head, literal in circuit.arcs:
            if tail == head and tail:
                model.add_hint(literal, tail not in present)
            else:
                model.add_hint(literal, successor.get(tail) == head)
        for i, (lead_in, busy_from) in enumerate(
            zip(circuit.lead_ins, circuit.busy_from, strict=True), start=1
        ):
            o = circuit.options[i - 1]
            place = chosen.get((o.job, o.task))
            model.add_hint(lead_in, lead[i])
            if place is not None:
                model.add_hint(busy_from, place.start - lead[i])
