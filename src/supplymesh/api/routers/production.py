"""Work orders and schedules: thin routes over `production` use cases (commit once, present)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from supplymesh.api.deps import UowDep
from supplymesh.inventory import refs
from supplymesh.planning.scheduling import Objective
from supplymesh.platform.errors import Conflict
from supplymesh.platform.types import MAX_INT
from supplymesh.production import schedules, work_orders
from supplymesh.production.builder import operations_of
from supplymesh.production.model import WorkOrderStatus
from supplymesh.production.schemas import (
    GanttPublic,
    OperationPublic,
    ScheduleDetail,
    SchedulePage,
    SchedulePublic,
    ScheduleRun,
    VersionedAction,
    WorkOrderCreate,
    WorkOrderPage,
    WorkOrderPublic,
    WorkOrderUpdate,
)
from supplymesh.production.services import run_schedule
from supplymesh.production.settings import ProductionSettings

router = APIRouter(prefix="/api/v1", tags=["production"])
Id = Annotated[int, Path(ge=1, le=MAX_INT)]
IdFilter = Annotated[int | None, Query(ge=1, le=MAX_INT)]
Offset = Annotated[int, Query(ge=0, le=MAX_INT)]
Limit = Annotated[int, Query(ge=1, le=500)]


class SiteRef(BaseModel):
    site_id: int | None = Field(default=None, ge=1, le=MAX_INT)
    site_code: str | None = Field(default=None, max_length=40)


@router.post("/work-orders", response_model=WorkOrderPublic, status_code=201)
def create_work_order(body: WorkOrderCreate, uow: UowDep, response: Response) -> WorkOrderPublic:
    """A planned work order (生产工单) at one of your plants."""
    order = work_orders.create_work_order(uow, body)
    uow.commit()
    response.headers["Location"] = f"/api/v1/work-orders/{order.id}"
    return WorkOrderPublic.model_validate(order)


@router.get("/work-orders", response_model=WorkOrderPage)
def list_work_orders(
    uow: UowDep,
    site_id: IdFilter = None,
    status: WorkOrderStatus | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> WorkOrderPage:
    page = work_orders.list_work_orders(
        uow, site_id, None if status is None else status.value, offset, limit
    )
    return WorkOrderPage(
        items=[WorkOrderPublic.model_validate(o) for o in page.items],
        total=page.total,
        offset=page.offset,
        limit=page.limit,
    )


@router.post("/work-orders/from-sales", response_model=list[WorkOrderPublic], status_code=201)
def work_orders_from_sales(body: SiteRef, uow: UowDep) -> list[WorkOrderPublic]:
    """Work orders for what open sales orders need beyond stock and open work (one level)."""
    site = refs.own_site(uow, body.site_id, body.site_code)
    created = work_orders.create_from_sales(uow, site)
    uow.commit()
    return [WorkOrderPublic.model_validate(o) for o in created]


@router.get("/work-orders/{work_order_id}", response_model=WorkOrderPublic)
def read_work_order(work_order_id: Id, uow: UowDep) -> WorkOrderPublic:
    return WorkOrderPublic.model_validate(work_orders.get_work_order(uow, work_order_id))


@router.patch("/work-orders/{work_order_id}", response_model=WorkOrderPublic)
def update_work_order(work_order_id: Id, body: WorkOrderUpdate, uow: UowDep) -> WorkOrderPublic:
    order = work_orders.update_work_order(uow, work_order_id, body)
    uow.commit()
    return WorkOrderPublic.model_validate(order)


@router.delete("/work-orders/{work_order_id}", status_code=204)
def delete_work_order(work_order_id: Id, uow: UowDep) -> Response:
    """Delete a planned order that no schedule holds (otherwise cancel it)."""
    order = work_orders.get_work_order(uow, work_order_id)
    if order.status != WorkOrderStatus.PLANNED:
        raise Conflict(f"work order {order.number} is {order.status}: cancel it instead")
    uow.session.delete(order)
    uow.commit()
    return Response(status_code=204)


_MOVES = {
    "release": WorkOrderStatus.RELEASED,
    "start": WorkOrderStatus.IN_PROGRESS,
    "finish": WorkOrderStatus.DONE,
    "cancel": WorkOrderStatus.CANCELLED,
}


@router.post("/work-orders/{work_order_id}/{action}", response_model=WorkOrderPublic)
def move_work_order(
    work_order_id: Id,
    action: Literal["release", "start", "finish", "cancel"],
    uow: UowDep,
    body: VersionedAction | None = None,
) -> WorkOrderPublic:
    """Move the order along planned → released → in_progress → done, or cancel it."""
    version = None if body is None else body.version
    order = work_orders.transition(uow, work_order_id, _MOVES[action].value, version)
    uow.commit()
    return WorkOrderPublic.model_validate(order)


@router.post("/schedules", response_model=SchedulePublic, status_code=201)
def run(body: ScheduleRun, uow: UowDep, response: Response) -> SchedulePublic:
    """Plan a site's open work orders into a draft schedule with its KPIs."""
    site = refs.own_site(uow, body.site_id, body.site_code)
    schedule = run_schedule(
        uow,
        site,
        Objective(body.objective),
        ProductionSettings(),
        body.time_limit_s,
        body.horizon_days,
    )
    uow.commit()
    response.headers["Location"] = f"/api/v1/schedules/{schedule.id}"
    return SchedulePublic.model_validate(schedule)


@router.get("/schedules", response_model=SchedulePage)
def list_schedules(
    uow: UowDep,
    site_id: IdFilter = None,
    status: Literal["draft", "published", "superseded"] | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> SchedulePage:
    page = schedules.list_schedules(uow, site_id, status, offset, limit)
    return SchedulePage(
        items=[SchedulePublic.model_validate(s) for s in page.items],
        total=page.total,
        offset=page.offset,
        limit=page.limit,
    )


@router.get("/schedules/{schedule_id}", response_model=ScheduleDetail | GanttPublic)
def read_schedule(
    schedule_id: Id, uow: UowDep, format: Literal["full", "gantt"] = "full"
) -> ScheduleDetail | GanttPublic:
    """The schedule with its operations, or with ``?format=gantt`` rows for a chart."""
    schedule = schedules.get_schedule(uow, schedule_id)
    if format == "gantt":
        return schedules.gantt_public(uow, schedule)
    detail = SchedulePublic.model_validate(schedule).model_dump()
    ops = [OperationPublic.model_validate(op) for op in operations_of(uow, schedule.id)]
    return ScheduleDetail(**detail, operations=ops)


@router.post("/schedules/{schedule_id}/publish", response_model=SchedulePublic)
def publish(schedule_id: Id, uow: UowDep, body: VersionedAction | None = None) -> SchedulePublic:
    """Make a draft the site's current plan (the previous one is superseded)."""
    schedule = schedules.publish(uow, schedule_id, None if body is None else body.version)
    uow.commit()
    return SchedulePublic.model_validate(schedule)
