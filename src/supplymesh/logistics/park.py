"""Stored dock plans: plan once, re-plan when a truck is late, call trucks, show a driver's place.

The stored plan is the one in force at the park. Calling goes through the engine's
`call_next` on the stored visits, so the order is the plan's, and each call bumps the plan's
version: two dispatchers pressing "next" on the same dock at once get one call and one 409.
"""

from __future__ import annotations

from sqlalchemy import select

from supplymesh.logistics import docks, driver_links
from supplymesh.logistics.model import DockPlanRecord
from supplymesh.logistics.schemas import (
    CallNext,
    CallNextOut,
    DockPlanRequest,
    DockPlanResponse,
    DockReplanRequest,
    StoredPlanCreate,
    StoredPlanOut,
    StoredReplan,
    TruckStatus,
    VisitIn,
)
from supplymesh.planning.docks import DockPlan, DockVisit, PlanStatus, call_next, queue_place
from supplymesh.platform.db import utcnow
from supplymesh.platform.errors import NotFound, StaleVersion
from supplymesh.platform.uow import Database, UnitOfWork


def _load(uow: UnitOfWork, plan_id: int, version: int | None = None) -> DockPlanRecord:
    record = uow.session.get(DockPlanRecord, plan_id)
    if record is None:
        raise NotFound("DockPlan", plan_id)
    if version is not None and version != record.version:
        raise StaleVersion("DockPlan", plan_id, version, record.version)
    return record


def _engine_plan(record: DockPlanRecord) -> tuple[DockPlan, docks.Clock]:
    """The stored visits as an engine plan (minutes from the earliest start)."""
    stored = DockPlanResponse.model_validate(record.plan)
    clock = docks.Clock([v.start for v in stored.visits] or [utcnow()])
    visits = tuple(
        DockVisit(
            v.truck_id,
            v.dock,
            clock.minutes(v.start),
            clock.minutes(v.end),
            v.wait_min,
            v.late_min,
            v.pinned,
        )
        for v in stored.visits
    )
    plan = DockPlan(
        visits,
        PlanStatus(stored.status),
        stored.total_wait_min,
        stored.total_late_min,
        stored.objective,
        stored.seconds,
    )
    return plan, clock


def _out(record: DockPlanRecord) -> StoredPlanOut:
    plan, clock = _engine_plan(record)
    fresh = docks.respond(plan, clock, record.called)
    return StoredPlanOut(
        **fresh.model_dump(),
        id=record.id,
        name=record.name,
        version=record.version,
        called=list(record.called),
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


def _request_fields(request: DockPlanRequest) -> dict[str, object]:
    return request.model_dump(mode="json", exclude={"name", "called"})


def create_plan(uow: UnitOfWork, request: StoredPlanCreate) -> StoredPlanOut:
    """Plan the booked trucks and store the plan as the one in force."""
    planned = docks.plan(request)
    record = DockPlanRecord(
        enterprise_id=uow.ctx.enterprise_id,
        name=request.name,
        request=_request_fields(request),
        plan=planned.model_dump(mode="json"),
        called=list(request.called),
        status=planned.status,
    )
    uow.add(record)
    uow.flush()
    return _out(record)


def get_plan(uow: UnitOfWork, plan_id: int) -> StoredPlanOut:
    """A stored plan with its queues as they stand."""
    return _out(_load(uow, plan_id))


def replan_stored(uow: UnitOfWork, plan_id: int, change: StoredReplan) -> StoredPlanOut:
    """Re-plan a stored plan for a late truck; the truck's new ETA is kept for later re-plans."""
    record = _load(uow, plan_id, change.version)
    current = DockPlanResponse.model_validate(record.plan)
    request = DockReplanRequest.model_validate(
        {
            **record.request,
            "called": record.called,
            "plan": [
                VisitIn(truck_id=v.truck_id, dock=v.dock, start=v.start).model_dump(mode="json")
                for v in current.visits
            ],
            "now": change.now,
            "late_truck": change.late_truck,
            "new_eta": change.new_eta,
        }
    )
    replanned = docks.replan_late(request)
    trucks = [
        {**t, "eta": change.new_eta.isoformat()} if t["id"] == change.late_truck else t
        for t in record.request["trucks"]
    ]
    record.request = {**record.request, "trucks": trucks}
    record.plan = replanned.model_dump(mode="json")
    record.status = replanned.status
    record.updated_at = utcnow()
    uow.flush()
    return _out(record)


def call_next_truck(uow: UnitOfWork, plan_id: int, call: CallNext) -> CallNextOut:
    """Call the next truck to a dock (排队叫号) and record the call."""
    record = _load(uow, plan_id, call.version)
    plan, _clock = _engine_plan(record)
    if call.dock not in {d["code"] for d in record.request["docks"]}:
        raise NotFound("Dock", call.dock)
    visit = call_next(plan, call.dock, record.called)
    if visit is not None:
        record.called = [*record.called, visit.truck_id]
        record.updated_at = utcnow()
        uow.flush()
    return CallNextOut(
        dock=call.dock, truck_id=visit.truck_id if visit else None, plan=_out(record)
    )


def truck_status(uow: UnitOfWork, plan_id: int, truck_id: str, secret: str) -> TruckStatus:
    """Where a truck stands in a stored plan: dock, place in line, times, the driver's link."""
    record = _load(uow, plan_id)
    plan, clock = _engine_plan(record)
    try:
        visit = plan.visit(truck_id)
    except KeyError:
        raise NotFound("Truck", truck_id) from None
    place = queue_place(plan, truck_id, record.called)
    return TruckStatus(
        plan_id=record.id,
        plan_name=record.name,
        truck_id=truck_id,
        dock=visit.dock,
        position=place.position,
        ahead=list(place.ahead),
        start=clock.instant(visit.start),
        end=clock.instant(visit.end),
        called=truck_id in record.called,
        driver_link="/driver/"
        + driver_links.sign(secret, record.enterprise_id, record.id, truck_id),
    )


def truck_status_by_link(db: Database, secret: str, token: str) -> TruckStatus:
    """A truck's status from a driver's signed link (NotFound for a link that does not verify)."""
    found = driver_links.verify(secret, token)
    if found is None:
        raise NotFound("Driver link", "(invalid)")
    enterprise_id, plan_id, truck_id = found
    with db.unit_of_work(db.context_for(enterprise_id, None, "viewer")) as uow:
        return truck_status(uow, plan_id, truck_id, secret)


def list_plans(uow: UnitOfWork, limit: int = 50) -> list[DockPlanRecord]:
    """The caller's stored plans, most recently changed first."""
    query = select(DockPlanRecord).order_by(DockPlanRecord.updated_at.desc()).limit(limit)
    return list(uow.session.scalars(query))
