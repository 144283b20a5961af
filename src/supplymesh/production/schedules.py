"""Schedule runs: solve a site's problem, store the result with its KPIs, publish it.

A run is stored as a draft; publishing makes it the site's current plan (the one the frozen
horizon and alarm repairs start from) and supersedes the previous one.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from supplymesh.network.model import Item, Machine, Site
from supplymesh.planning.scheduling import ApsResult, ApsSchedule
from supplymesh.platform import crud
from supplymesh.platform.crud import Page
from supplymesh.platform.db import utcnow
from supplymesh.platform.errors import IllegalTransition, NotFound, StaleVersion
from supplymesh.platform.events import DomainEvent
from supplymesh.platform.uow import UnitOfWork
from supplymesh.production.builder import BuiltProblem, operations_of, published_schedule
from supplymesh.production.model import (
    ProductionError,
    Schedule,
    ScheduledOperation,
    ScheduleStatus,
    WorkOrder,
)
from supplymesh.production.schemas import (
    GanttBarPublic,
    GanttMachine,
    GanttPublic,
    OrderFinishPublic,
    SchedulePublic,
)


class NoScheduleFound(ProductionError):
    """The solver found no schedule within its limits."""

    status = 422
    title = "No schedule found"


def _revision(uow: UnitOfWork, site_id: int) -> int:
    last = uow.session.scalar(
        select(func.max(Schedule.revision)).where(
            Schedule.enterprise_id == uow.ctx.enterprise_id, Schedule.site_id == site_id
        )
    )
    return int(last or 0) + 1


def _kpis(built: BuiltProblem, plan: ApsSchedule) -> tuple[int, int, int, dict[str, float]]:
    """Makespan from the planning moment, total and count of lateness, utilisation per machine.

    Utilisation is busy time over available time (calendar and outages removed) between the
    planning moment and the makespan, in percent.
    """
    problem = built.problem
    now = problem.earliest_start
    end = max(p.end for row in plan.placements for p in row)
    tardiness = late = 0
    for order, row in zip(built.orders, plan.placements, strict=True):
        overdue = max(0, built.minutes(built.at(row[-1].end)) - built.minutes(order.due_at))
        tardiness += overdue
        late += overdue > 0
    utilisation: dict[str, float] = {}
    for m, machine in enumerate(built.machines):
        busy = sum(
            max(0, min(p.end, end) - max(p.start, now))
            for row in plan.placements
            for p in row
            if p.machine == m
        )
        off = sum(
            max(0, min(w_end, end) - max(w_start, now))
            for w_start, w_end in _merged(problem.downtime.get(m, ()))
        )
        available = max(0, end - now - off)
        utilisation[machine.code] = round(100.0 * busy / available, 1) if available else 0.0
    return max(0, end - now), tardiness, late, utilisation


def _merged(windows: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(windows):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def store(
    uow: UnitOfWork,
    site: Site,
    built: BuiltProblem,
    result: ApsResult,
    reason: str,
    alarm_id: int | None = None,
) -> Schedule:
    """Save a solve as a draft schedule with its operations and KPIs."""
    plan = result.schedule
    if plan is None:
        raise NoScheduleFound(
            f"no schedule for site {site.code} ({result.status.value} after {result.seconds:.1f} s)"
        )
    makespan, tardiness, late, utilisation = _kpis(built, plan)
    based_on = published_schedule(uow, site.id)
    schedule = Schedule(
        enterprise_id=site.enterprise_id,
        site_id=site.id,
        revision=_revision(uow, site.id),
        status=ScheduleStatus.DRAFT.value,
        objective=built.problem.objective.value,
        reason=reason[:300],
        alarm_id=alarm_id,
        based_on_id=None if based_on is None else based_on.id,
        origin_at=built.origin,
        frozen_until=built.frozen_until,
        horizon_end=built.horizon_end,
        solver_status=result.status.value,
        solver_seconds=round(result.seconds, 3),
        objective_value=plan.objective_value,
        bound=result.bound,
        makespan_minutes=makespan,
        total_tardiness_minutes=tardiness,
        late_orders=late,
        utilisation=utilisation,
        blocked=[b.as_json() for b in built.blocked],
        downtime=[
            {
                "machine_id": built.machines[o.machine].id,
                "start": built.at(o.start).isoformat(),
                "end": built.at(o.end).isoformat(),
                "kind": o.kind,
            }
            for o in built.outages
        ],
    )
    uow.add(schedule)
    uow.flush()
    _store_operations(uow, schedule, built, plan)
    schedule.record(
        DomainEvent("ScheduleCreated", {"site_id": site.id, "revision": schedule.revision})
    )
    uow.flush()
    return schedule


def _store_operations(
    uow: UnitOfWork, schedule: Schedule, built: BuiltProblem, plan: ApsSchedule
) -> None:
    problem = built.problem
    by_machine: dict[int, list[tuple[int, int, int]]] = {}
    for j, row in enumerate(plan.placements):
        for k, place in enumerate(row):
            by_machine.setdefault(place.machine, []).append((place.start, j, k))
    setup_start: dict[tuple[int, int], int] = {}
    for machine, ops in by_machine.items():
        ops.sort()
        for (_s0, j0, k0), (start, j, k) in itertools.pairwise(ops):
            before = problem.jobs[j0].tasks[k0].setup_class
            after = problem.jobs[j].tasks[k].setup_class
            setup = problem.setup(machine, before, after)
            if setup > 0:
                setup_start[(j, k)] = start - setup
    rows = []
    for j, row in enumerate(plan.placements):
        for k, place in enumerate(row):
            ref = built.refs[j][k]
            setup_at = setup_start.get((j, k))
            rows.append(
                ScheduledOperation(
                    enterprise_id=schedule.enterprise_id,
                    schedule_id=schedule.id,
                    work_order_id=ref.work_order_id,
                    routing_step_id=ref.routing_step_id,
                    sequence=ref.sequence,
                    machine_id=built.machines[place.machine].id,
                    setup_start_at=None if setup_at is None else built.at(setup_at),
                    start_at=built.at(place.start),
                    end_at=built.at(place.end),
                    fixed=(j, k) in problem.fixed,
                )
            )
    uow.session.add_all(rows)


def get_schedule(uow: UnitOfWork, schedule_id: int) -> Schedule:
    schedule = uow.session.get(Schedule, schedule_id)
    if schedule is None:
        raise NotFound("Schedule", schedule_id)
    return schedule


def list_schedules(
    uow: UnitOfWork, site_id: int | None, status: str | None, offset: int, limit: int
) -> Page:
    query = select(Schedule)
    if site_id is not None:
        query = query.where(Schedule.site_id == site_id)
    if status is not None:
        query = query.where(Schedule.status == status)
    total = crud.count(uow, query)
    rows = list(uow.session.scalars(query.order_by(Schedule.id.desc()).offset(offset).limit(limit)))
    return Page(rows, total, offset, limit)


def publish(uow: UnitOfWork, schedule_id: int, expected_version: int | None = None) -> Schedule:
    """Make a draft the site's current plan; the one published before is superseded."""
    schedule = get_schedule(uow, schedule_id)
    if expected_version is not None and expected_version != schedule.version:
        raise StaleVersion("Schedule", schedule_id, expected_version, schedule.version)
    if schedule.status != ScheduleStatus.DRAFT:
        # Only drafts are published; a superseded plan is history (run a new one).
        raise IllegalTransition("schedule", schedule.status, ScheduleStatus.PUBLISHED.value, [])
    current = published_schedule(uow, schedule.site_id)
    if current is not None:
        current.status = ScheduleStatus.SUPERSEDED.value
        uow.flush()
    schedule.status = ScheduleStatus.PUBLISHED.value
    schedule.published_at = utcnow()
    schedule.record(DomainEvent("SchedulePublished", {"site_id": schedule.site_id}))
    uow.flush()
    return schedule


@dataclass(frozen=True)
class GanttBar:
    """One operation as the Gantt chart draws it."""

    operation_id: int
    machine_id: int
    machine_code: str
    work_order_id: int
    work_order_number: str
    item_sku: str
    quantity: str
    sequence: int
    setup_start: datetime | None
    start: datetime
    end: datetime
    fixed: bool
    late: bool


@dataclass(frozen=True)
class OrderFinish:
    """A work order's due time, planned finish and lateness in minutes (0 when on time)."""

    work_order_id: int
    number: str
    item_sku: str
    quantity: str
    due_at: datetime
    finish_at: datetime
    lateness_minutes: int


@dataclass(frozen=True)
class Gantt:
    machines: list[tuple[int, str, str]]  # id, code, name
    bars: list[GanttBar]
    orders: list[OrderFinish]


def gantt(uow: UnitOfWork, schedule: Schedule) -> Gantt:
    """The schedule as rows for a Gantt chart: machines, bars, and each order's finish."""
    ops = operations_of(uow, schedule.id)
    machines = list(
        uow.session.scalars(
            select(Machine).where(Machine.site_id == schedule.site_id).order_by(Machine.code)
        )
    )
    codes = {m.id: m.code for m in machines}
    order_ids = sorted({op.work_order_id for op in ops})
    orders = {
        o.id: o for o in uow.session.scalars(select(WorkOrder).where(WorkOrder.id.in_(order_ids)))
    }
    skus = {
        i.id: i.sku
        for i in uow.session.scalars(
            select(Item).where(Item.id.in_(sorted({o.item_id for o in orders.values()})))
        )
    }
    finish: dict[int, datetime] = {}
    for op in ops:
        finish[op.work_order_id] = max(finish.get(op.work_order_id, op.end_at), op.end_at)
    finishes = [
        OrderFinish(
            o.id,
            o.number,
            skus[o.item_id],
            str(o.quantity),
            o.due_at,
            finish[o.id],
            max(0, int((finish[o.id] - o.due_at).total_seconds() // 60)),
        )
        for o in sorted(orders.values(), key=lambda o: (o.due_at, o.id))
    ]
    late = {f.work_order_id for f in finishes if f.lateness_minutes > 0}
    bars = [
        GanttBar(
            op.id,
            op.machine_id,
            codes.get(op.machine_id, str(op.machine_id)),
            op.work_order_id,
            orders[op.work_order_id].number,
            skus[orders[op.work_order_id].item_id],
            str(orders[op.work_order_id].quantity),
            op.sequence,
            op.setup_start_at,
            op.start_at,
            op.end_at,
            op.fixed,
            op.work_order_id in late,
        )
        for op in ops
    ]
    return Gantt([(m.id, m.code, m.name) for m in machines], bars, finishes)


def gantt_public(uow: UnitOfWork, schedule: Schedule) -> GanttPublic:
    """The Gantt rows as the API and the web page serve them."""
    chart = gantt(uow, schedule)
    return GanttPublic(
        schedule=SchedulePublic.model_validate(schedule),
        machines=[GanttMachine(id=i, code=c, name=n) for i, c, n in chart.machines],
        bars=[GanttBarPublic.model_validate(b) for b in chart.bars],
        downtime=schedule.downtime,
        orders=[OrderFinishPublic.model_validate(o) for o in chart.orders],
    )
