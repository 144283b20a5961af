"""Use cases of the park's docks: plan appointments, re-plan for a late truck, call the queue.

Stateless for now: the caller sends the docks, the booked trucks and (to re-plan) the plan in
force, and gets the plan back with each dock's calling order. Times travel as ISO 8601 and
are turned into whole minutes from the earliest time in the request (rounded up, so no
truck is ever planned before it can arrive).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from supplymesh.logistics.schemas import (
    DockPlanRequest,
    DockPlanResponse,
    DockReplanRequest,
    VisitOut,
)
from supplymesh.planning.docks import (
    Dock,
    DockParams,
    DockPlan,
    DockProblem,
    DockVisit,
    InvalidDockInput,
    PlanStatus,
    Truck,
    TruckAlreadyStarted,
    call_next,
    plan_docks,
    queue_place,
    replan,
)
from supplymesh.platform.errors import FieldError, IllegalTransition, ValidationFailed


class Clock:
    """Minutes from the earliest instant of a request, and back."""

    def __init__(self, instants: list[datetime]) -> None:
        self.origin = min(instants)

    def minutes(self, at: datetime) -> int:
        return math.ceil((at - self.origin).total_seconds() / 60)

    def instant(self, minutes: int) -> datetime:
        return self.origin + timedelta(minutes=minutes)


def _instants(request: DockPlanRequest) -> list[datetime]:
    found = [t.window_start for t in request.trucks] + [t.eta for t in request.trucks if t.eta]
    if isinstance(request, DockReplanRequest):
        found += [request.now, request.new_eta] + [v.start for v in request.plan]
    return found or [datetime.fromtimestamp(0).astimezone()]


MAX_SPAN = timedelta(days=31)


def _check_span(request: DockPlanRequest, clock: Clock) -> None:
    """A dock plan covers days, not years: refuse times far from the earliest one."""
    errors = [
        FieldError(f"trucks.{i}", f"truck {t.id}: times span more than 31 days")
        for i, t in enumerate(request.trucks)
        if max(t.window_start, t.window_end, t.eta or t.window_start) - clock.origin > MAX_SPAN
    ]
    if (
        isinstance(request, DockReplanRequest)
        and max([request.now, request.new_eta] + [v.start for v in request.plan]) - clock.origin
        > MAX_SPAN
    ):
        errors.append(FieldError("now", "now, new_eta and the plan span more than 31 days"))
    if errors:
        raise ValidationFailed(errors, "Dock plan input is invalid")


def _problem(request: DockPlanRequest, clock: Clock) -> DockProblem:
    docks = tuple(
        Dock(d.code, frozenset(d.capabilities), d.max_pallets, d.docking_min, d.minutes_per_pallet)
        for d in request.docks
    )
    trucks = tuple(
        Truck(
            t.id,
            clock.minutes(t.window_start),
            clock.minutes(t.window_end),
            t.pallets,
            frozenset(t.needs),
            clock.minutes(t.eta) if t.eta else None,
        )
        for t in request.trucks
    )
    return DockProblem(docks, trucks)


def _invalid(exc: InvalidDockInput) -> ValidationFailed:
    errors = [FieldError(field, f"{record}: {message}") for record, field, message in exc.problems]
    return ValidationFailed(errors, "Dock plan input is invalid")


def _params(request: DockPlanRequest) -> DockParams:
    return DockParams(time_limit_s=request.time_limit_s, lateness_weight=request.lateness_weight)


def respond(plan: DockPlan, clock: Clock, called: list[str]) -> DockPlanResponse:
    docks = sorted({v.dock for v in plan.visits})
    visits = [
        VisitOut(
            truck_id=v.truck_id,
            dock=v.dock,
            start=clock.instant(v.start),
            end=clock.instant(v.end),
            wait_min=v.wait_min,
            late_min=v.late_min,
            pinned=v.pinned,
            queue_position=queue_place(plan, v.truck_id, called).position,
        )
        for v in plan.visits
    ]
    nexts = {d: call_next(plan, d, called) for d in docks}
    return DockPlanResponse(
        status=plan.status.value,
        total_wait_min=plan.total_wait_min,
        total_late_min=plan.total_late_min,
        objective=plan.objective,
        seconds=round(plan.seconds, 3),
        visits=visits,
        queues={d: [v.truck_id for v in plan.queue(d)] for d in docks},
        next_calls={d: (n.truck_id if n else None) for d, n in nexts.items()},
    )


def plan(request: DockPlanRequest) -> DockPlanResponse:
    """A dock and start time for every booked truck, and each dock's calling order."""
    clock = Clock(_instants(request))
    _check_span(request, clock)
    problem = _problem(request, clock)
    try:
        result = plan_docks(problem, _params(request))
    except InvalidDockInput as exc:
        raise _invalid(exc) from exc
    return respond(result, clock, request.called)


def _plan_in_force(request: DockReplanRequest, problem: DockProblem, clock: Clock) -> DockPlan:
    trucks = {t.id: t for t in problem.trucks}
    docks = {d.code: d for d in problem.docks}
    errors, visits = [], []
    for i, v in enumerate(request.plan):
        truck, dock = trucks.get(v.truck_id), docks.get(v.dock)
        if truck is None or dock is None:
            what = f"truck {v.truck_id}" if truck is None else f"dock {v.dock}"
            errors.append(FieldError(f"plan.{i}", f"{what} is not in the request"))
            continue
        start = clock.minutes(v.start)
        end = start + problem.service_minutes(truck, dock)
        visits.append(DockVisit(v.truck_id, v.dock, start, end, 0, 0))
    if errors:
        raise ValidationFailed(errors, "Dock plan input is invalid")
    return DockPlan(tuple(visits), PlanStatus.HEURISTIC, 0, 0, 0, 0.0)


def replan_late(request: DockReplanRequest) -> DockPlanResponse:
    """Re-plan at `now` for a late truck: started work stays, the rest is re-optimised."""
    clock = Clock(_instants(request))
    _check_span(request, clock)
    problem = _problem(request, clock)
    try:
        problem.validate()
        in_force = _plan_in_force(request, problem, clock)
        _, result = replan(
            problem,
            in_force,
            clock.minutes(request.now),
            request.late_truck,
            clock.minutes(request.new_eta),
            _params(request),
        )
    except InvalidDockInput as exc:
        raise _invalid(exc) from exc
    except TruckAlreadyStarted as exc:
        raise IllegalTransition(f"Truck {exc.truck_id}", "started", "late", []) from exc
    return respond(result, clock, request.called)
