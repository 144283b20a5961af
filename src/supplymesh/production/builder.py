"""Work orders of a plant → the engine's `ApsProblem`, and back.

Times are whole minutes from the problem's origin. Each routing step becomes a task that may
run on any machine of the step's work centre for ⌈run minutes per unit × quantity⌉ (setups
come from setup classes: the item's family, its category, else the item itself). Calendars
and machines down on an open alarm become unavailability windows; material availability
(`materials.py`) sets the release; operations of the published schedule that have started
or start within the frozen horizon are fixed where they are.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from supplymesh.devices.alarm_model import OPEN_STATES, Alarm
from supplymesh.devices.model import Device
from supplymesh.network.model import Calendar, Item, Machine, RoutingStep, Site, WorkCenter
from supplymesh.planning.scheduling import (
    Alternative,
    ApsJob,
    ApsProblem,
    Objective,
    Placement,
    Task,
)
from supplymesh.platform.db import utcnow
from supplymesh.platform.uow import UnitOfWork
from supplymesh.production.calendars import off_windows
from supplymesh.production.materials import check_materials
from supplymesh.production.model import (
    OPEN_WORK_ORDER_STATES,
    NothingToSchedule,
    Schedule,
    ScheduledOperation,
    ScheduleStatus,
    WorkOrder,
)
from supplymesh.production.settings import ProductionSettings


@dataclass(frozen=True)
class OperationRef:
    """Which work order and routing step a task of the problem stands for."""

    work_order_id: int
    routing_step_id: int
    sequence: int


@dataclass(frozen=True)
class Blocked:
    """A work order left out of the schedule, and why (naming the item at fault)."""

    work_order_id: int
    number: str
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"work_order_id": self.work_order_id, "number": self.number, "reason": self.reason}


@dataclass(frozen=True)
class Outage:
    """A machine planned off: `kind` is ``calendar`` or ``alarm``."""

    machine: int
    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class BuiltProblem:
    """The problem and everything needed to turn its answer back into rows."""

    problem: ApsProblem
    origin: datetime
    frozen_until: datetime
    horizon_end: datetime
    machines: tuple[Machine, ...]
    orders: tuple[WorkOrder, ...]
    refs: tuple[tuple[OperationRef, ...], ...]
    blocked: tuple[Blocked, ...]
    outages: tuple[Outage, ...]
    previous: dict[tuple[int, int], ScheduledOperation] = field(default_factory=dict)

    def minutes(self, at: datetime) -> int:
        """`at` in whole minutes from the origin (rounded up: never earlier than `at`)."""
        return _minutes(self.origin, at)

    def at(self, minutes: int) -> datetime:
        return _at(self.origin, minutes)

    def machine_index(self, machine_id: int) -> int | None:
        return next((i for i, m in enumerate(self.machines) if m.id == machine_id), None)


def _minutes(origin: datetime, at: datetime) -> int:
    return math.ceil((at - origin).total_seconds() / 60)


def _at(origin: datetime, minutes: int) -> datetime:
    return origin + timedelta(minutes=minutes)


def published_schedule(uow: UnitOfWork, site_id: int) -> Schedule | None:
    """The site's current plan, if one was published."""
    return uow.session.scalar(
        select(Schedule).where(
            Schedule.site_id == site_id, Schedule.status == ScheduleStatus.PUBLISHED.value
        )
    )


def operations_of(uow: UnitOfWork, schedule_id: int) -> list[ScheduledOperation]:
    return list(
        uow.session.scalars(
            select(ScheduledOperation)
            .where(ScheduledOperation.schedule_id == schedule_id)
            .order_by(ScheduledOperation.start_at, ScheduledOperation.id)
        )
    )


def _open_orders(uow: UnitOfWork, site: Site, only: set[int] | None) -> list[WorkOrder]:
    query = select(WorkOrder).where(
        WorkOrder.site_id == site.id, WorkOrder.status.in_(OPEN_WORK_ORDER_STATES)
    )
    orders = list(uow.session.scalars(query))
    if only is not None:
        orders = [o for o in orders if o.id in only]
    # Planning order: who gets scarce material first.
    orders.sort(key=lambda o: (-o.priority, o.due_at, o.id))
    return orders


def _calendars(uow: UnitOfWork, machines: list[Machine]) -> dict[int, Calendar | None]:
    centres = {
        wc.id: wc
        for wc in uow.session.scalars(
            select(WorkCenter).where(
                WorkCenter.id.in_(sorted({m.work_center_id for m in machines if m.work_center_id}))
            )
        )
    }
    out: dict[int, Calendar | None] = {}
    for m in machines:
        cal_id = m.calendar_id
        if cal_id is None and m.work_center_id is not None and m.work_center_id in centres:
            cal_id = centres[m.work_center_id].calendar_id
        out[m.id] = None if cal_id is None else uow.session.get(Calendar, cal_id)
    return out


def down_machines(uow: UnitOfWork, machine_ids: list[int], severities: tuple[str, ...]) -> set[int]:
    """Machines whose linked device has an open alarm severe enough to stop them."""
    if not machine_ids:
        return set()
    rows = uow.session.execute(
        select(Device.machine_id)
        .join(Alarm, Alarm.device_id == Device.id)
        .where(
            Device.machine_id.in_(sorted(machine_ids)),
            Alarm.state.in_(OPEN_STATES),
            Alarm.severity.in_(list(severities)),
        )
    )
    return {int(r[0]) for r in rows if r[0] is not None}


def build_problem(
    uow: UnitOfWork,
    site: Site,
    objective: Objective,
    settings: ProductionSettings,
    now: datetime | None = None,
    horizon_days: int | None = None,
    origin: datetime | None = None,
    only_orders: set[int] | None = None,
    freeze: bool = True,
) -> BuiltProblem:
    """The APS problem of `site`'s open work orders as of `now`.

    `origin` (default: `now`, or the earliest frozen operation) is time zero; `freeze` keeps
    the published schedule's started and imminent operations fixed; `only_orders` limits the
    problem to those work orders (a repair re-plans exactly the published ones).
    """
    now = (now or utcnow()).replace(second=0, microsecond=0)
    horizon = timedelta(days=horizon_days or settings.horizon_days)
    machines = list(
        uow.session.scalars(
            select(Machine).where(Machine.site_id == site.id).order_by(Machine.code)
        )
    )
    if not machines:
        raise NothingToSchedule(f"site {site.code} has no machines")
    index = {m.id: i for i, m in enumerate(machines)}
    by_centre: dict[int, list[int]] = defaultdict(list)
    for i, m in enumerate(machines):
        if m.work_center_id is not None:
            by_centre[m.work_center_id].append(i)
    orders = _open_orders(uow, site, only_orders)
    steps: dict[int, list[RoutingStep]] = defaultdict(list)
    items: dict[int, Item] = {}
    if orders:
        item_ids = sorted({o.item_id for o in orders})
        for step in uow.session.scalars(
            select(RoutingStep)
            .where(RoutingStep.item_id.in_(item_ids))
            .order_by(RoutingStep.item_id, RoutingStep.sequence)
        ):
            steps[step.item_id].append(step)
        items = {i.id: i for i in uow.session.scalars(select(Item).where(Item.id.in_(item_ids)))}
    verdicts = check_materials(uow, site, orders, now.date())
    blocked: list[Blocked] = []
    kept: list[WorkOrder] = []
    for order in orders:
        item = items[order.item_id]
        verdict = verdicts[order.id]
        missing_centre = next(
            (s for s in steps[order.item_id] if not by_centre.get(s.work_center_id)), None
        )
        if not steps[order.item_id]:
            blocked.append(Blocked(order.id, order.number, f"item {item.sku} has no routing"))
        elif missing_centre is not None:
            reason = (
                f"item {item.sku} step {missing_centre.sequence}: its work centre has no "
                f"machine at site {site.code}"
            )
            blocked.append(Blocked(order.id, order.number, reason))
        elif verdict.shortage is not None:
            blocked.append(Blocked(order.id, order.number, verdict.shortage.describe()))
        else:
            kept.append(order)
    previous: dict[tuple[int, int], ScheduledOperation] = {}
    published = published_schedule(uow, site.id)
    if published is not None:
        previous = {
            (op.work_order_id, op.routing_step_id): op for op in operations_of(uow, published.id)
        }
    frozen_until = now + timedelta(minutes=settings.frozen_minutes)
    if origin is None:
        frozen_starts = [
            op.start_at for op in previous.values() if freeze and op.start_at < frozen_until
        ]
        origin = min([now, *frozen_starts])
    horizon_minutes = _minutes(origin, now + horizon)
    outages: list[Outage] = []
    calendars = _calendars(uow, machines)
    for m in machines:
        cal = calendars[m.id]
        if cal is not None:
            for start, end in off_windows(
                cal.shifts, cal.exceptions, site.timezone, origin, horizon_minutes
            ):
                outages.append(Outage(index[m.id], start, end, "calendar"))
    earliest = _minutes(origin, now)
    # Without freezing (a repair) the caller places the breakdown itself, after running work.
    down = (
        {index[m] for m in down_machines(uow, list(index), settings.down_severities)}
        if freeze
        else set()
    )
    classes: dict[str, int] = {}
    jobs: list[ApsJob] = []
    refs: list[tuple[OperationRef, ...]] = []
    fixed: dict[tuple[int, int], Placement] = {}
    setup_times: dict[tuple[int, int], int] = {}  # (machine, class) → longest setup to it
    for j, order in enumerate(kept):
        item = items[order.item_id]
        family = item.category or f"sku:{item.sku}"
        setup_class = classes.setdefault(family, len(classes))
        tasks: list[Task] = []
        job_refs: list[OperationRef] = []
        chain_fixed = True
        for k, step in enumerate(steps[order.item_id]):
            duration = max(1, math.ceil(step.run_minutes_per_unit * order.quantity))
            alternatives = tuple(Alternative(i, duration) for i in by_centre[step.work_center_id])
            tasks.append(Task(alternatives, setup_class))
            job_refs.append(OperationRef(order.id, step.id, step.sequence))
            setup = math.ceil(step.setup_minutes)
            for i in by_centre[step.work_center_id]:
                setup_times[(i, setup_class)] = max(setup_times.get((i, setup_class), 0), setup)
            old = previous.get((order.id, step.id))
            keep = old is not None and (
                old.start_at < now
                or (old.start_at < frozen_until and index.get(old.machine_id) not in down)
            )
            if freeze and chain_fixed and old is not None and keep:
                start = _minutes(origin, old.start_at)
                place = Placement(index.get(old.machine_id, -1), start, start + duration)
                if (
                    place.machine >= 0
                    and old.end_at == _at(origin, place.end)
                    and any(a.machine == place.machine for a in alternatives)
                ):
                    fixed[(j, k)] = place
                    continue
            chain_fixed = False
        release = max(earliest, _minutes(origin, order.release_at) if order.release_at else 0)
        ready_at = verdicts[order.id].ready_at
        if ready_at is not None:
            release = max(release, _minutes(origin, ready_at))
        if (j, 0) in fixed:
            release = min(release, fixed[(j, 0)].start)
        jobs.append(
            # A due date already past counts from time zero: the same plan, and the solver's
            # tardiness variables keep a bounded domain.
            ApsJob(
                tuple(tasks),
                release,
                max(0, _minutes(origin, order.due_at)),
                max(1, order.priority),
            )
        )
        refs.append(tuple(job_refs))
    for machine in sorted(down):
        # Work already running on a machine that went down is taken to finish first.
        running = [p.end for p in fixed.values() if p.machine == machine and p.start < earliest]
        start = max([earliest, *running])
        outages.append(Outage(machine, start, start + settings.repair_minutes, "alarm"))
    if not jobs:
        reasons = "; ".join(f"{b.number}: {b.reason}" for b in blocked) or "no open work orders"
        raise NothingToSchedule(f"nothing to schedule at site {site.code} ({reasons})")
    setups = {
        (m, a, b): time
        for (m, b), time in setup_times.items()
        for a in classes.values()
        if a != b and time > 0
    }
    downtime: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for o in outages:
        downtime[o.machine].append((o.start, o.end))
    problem = ApsProblem(
        tuple(jobs),
        len(machines),
        setups=setups,
        downtime={m: tuple(sorted(w)) for m, w in downtime.items()},
        fixed=fixed,
        objective=objective,
        earliest_start=earliest,
    )
    return BuiltProblem(
        problem,
        origin,
        frozen_until,
        now + horizon,
        tuple(machines),
        tuple(kept),
        tuple(refs),
        tuple(blocked),
        tuple(outages),
        previous,
    )
