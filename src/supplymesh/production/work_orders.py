"""Work-order use cases: create by hand or from sales shortfalls, edit, move along, read."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import Decimal

from sqlalchemy import func, select

from supplymesh.inventory import refs
from supplymesh.inventory.model import (
    ORDER_SHIPPABLE,
    Order,
    OrderKind,
    OrderLine,
    StockPosition,
    StockStatus,
)
from supplymesh.network.model import Item, RoutingStep, Site
from supplymesh.platform import crud
from supplymesh.platform.crud import Page
from supplymesh.platform.errors import Conflict, NotFound, StaleVersion, invalid
from supplymesh.platform.uow import UnitOfWork
from supplymesh.production.model import OPEN_WORK_ORDER_STATES, WorkOrder, WorkOrderStatus
from supplymesh.production.schemas import WorkOrderCreate, WorkOrderUpdate

PREFIX = "WO"


def _next_number(uow: UnitOfWork) -> str:
    numbers = uow.session.scalars(
        select(WorkOrder.number)
        .where(
            WorkOrder.enterprise_id == uow.ctx.enterprise_id,
            WorkOrder.number.like(f"{PREFIX}-%"),
        )
        .order_by(func.length(WorkOrder.number).desc(), WorkOrder.number.desc())
        .limit(50)
    )
    last = next((int(n[3:]) for n in numbers if n[3:].isdigit()), 0)
    return f"{PREFIX}-{last + 1:06d}"


def _aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None:
        raise invalid(field, f"{value.isoformat()} has no time zone")
    return value.astimezone(UTC)


def create_work_order(uow: UnitOfWork, cmd: WorkOrderCreate) -> WorkOrder:
    """A planned work order at one of the caller's own plants."""
    site = refs.own_site(uow, cmd.site_id, cmd.site_code)
    item = refs.item(uow, cmd.item_id, cmd.item_code)
    if item.enterprise_id != uow.ctx.enterprise_id:
        raise invalid("item_id", f"item {item.sku} belongs to another enterprise")
    number = cmd.number or _next_number(uow)
    taken = uow.session.scalar(
        select(WorkOrder.id).where(
            WorkOrder.enterprise_id == uow.ctx.enterprise_id, WorkOrder.number == number
        )
    )
    if taken is not None:
        raise Conflict(f"work order number {number} is already used")
    order = WorkOrder(
        enterprise_id=uow.ctx.enterprise_id,
        number=number,
        item_id=item.id,
        site_id=site.id,
        quantity=cmd.quantity,
        due_at=_aware(cmd.due_at, "due_at"),
        release_at=None if cmd.release_at is None else _aware(cmd.release_at, "release_at"),
        priority=cmd.priority,
        status=WorkOrderStatus.PLANNED.value,
        note=cmd.note,
    )
    uow.add(order)
    uow.flush()
    return order


def get_work_order(
    uow: UnitOfWork, work_order_id: int, expected_version: int | None = None
) -> WorkOrder:
    order = uow.session.get(WorkOrder, work_order_id)
    if order is None:
        raise NotFound("WorkOrder", work_order_id)
    if expected_version is not None and expected_version != order.version:
        raise StaleVersion("WorkOrder", order.number, expected_version, order.version)
    return order


def update_work_order(uow: UnitOfWork, work_order_id: int, cmd: WorkOrderUpdate) -> WorkOrder:
    """Change quantity, dates, priority or note of an order that is not finished."""
    order = get_work_order(uow, work_order_id, cmd.version)
    if order.status not in OPEN_WORK_ORDER_STATES:
        raise Conflict(f"work order {order.number} is {order.status} and can no longer change")
    given = cmd.model_fields_set
    if "quantity" in given and cmd.quantity is not None:
        order.quantity = cmd.quantity
    if "due_at" in given and cmd.due_at is not None:
        order.due_at = _aware(cmd.due_at, "due_at")
    if "release_at" in given:
        order.release_at = None if cmd.release_at is None else _aware(cmd.release_at, "release_at")
    if "priority" in given and cmd.priority is not None:
        order.priority = cmd.priority
    if "note" in given:
        order.note = cmd.note
    uow.flush()
    return order


def transition(
    uow: UnitOfWork, work_order_id: int, wanted: str, expected_version: int | None = None
) -> WorkOrder:
    """Release, start, finish or cancel (`IllegalTransition` names the allowed moves)."""
    order = get_work_order(uow, work_order_id, expected_version)
    order.transition(wanted)
    uow.flush()
    return order


def list_work_orders(
    uow: UnitOfWork,
    site_id: int | None = None,
    status: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page:
    query = select(WorkOrder)
    if site_id is not None:
        query = query.where(WorkOrder.site_id == site_id)
    if status is not None:
        query = query.where(WorkOrder.status == status)
    total = crud.count(uow, query)
    rows = list(
        uow.session.scalars(
            query.order_by(WorkOrder.due_at, WorkOrder.id).offset(offset).limit(limit)
        )
    )
    return Page(rows, total, offset, limit)


@dataclass(frozen=True)
class Shortfall:
    """What open sales orders need of a made item at a plant beyond its free stock."""

    site: Site
    item: Item
    quantity: Decimal
    due_at: datetime
    sales_order_id: int


def sales_shortfalls(uow: UnitOfWork, site: Site) -> list[Shortfall]:
    """Open sales-order lines shipped from `site` for made items, less free stock and less
    what open work orders already make, earliest need first (one BOM level: components are
    the scheduler's material check, not new work orders)."""
    rows = uow.session.execute(
        select(OrderLine, Order)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.kind == OrderKind.SALES.value,
            Order.enterprise_id == uow.ctx.enterprise_id,
            Order.ship_from_site_id == site.id,
            Order.status.in_([str(s) for s in ORDER_SHIPPABLE]),
        )
    ).all()
    routed = set(
        uow.session.scalars(
            select(RoutingStep.item_id).where(
                RoutingStep.item_id.in_(sorted({line.item_id for line, _o in rows}))
            )
        )
    )
    free: dict[int, Decimal] = defaultdict(Decimal)
    for pos in uow.session.scalars(
        select(StockPosition).where(
            StockPosition.site_id == site.id,
            StockPosition.item_id.in_(sorted(routed)),
            StockPosition.status == StockStatus.AVAILABLE.value,
        )
    ):
        free[pos.item_id] += max(Decimal(0), pos.on_hand - pos.allocated)
    for wo in uow.session.scalars(
        select(WorkOrder).where(
            WorkOrder.site_id == site.id, WorkOrder.status.in_(OPEN_WORK_ORDER_STATES)
        )
    ):
        free[wo.item_id] += wo.quantity
    needs = []
    for line, order in rows:
        if line.item_id not in routed or line.open_quantity <= 0:
            continue
        day = line.requested_date or order.requested_date or order.order_date
        needs.append((datetime.combine(day, time(0, 0), UTC), line, order))
    shortfalls: list[Shortfall] = []
    for due_at, line, order in sorted(needs, key=lambda n: (n[0], n[1].id)):
        covered = min(free[line.item_id], line.open_quantity)
        free[line.item_id] -= covered
        missing = line.open_quantity - covered
        if missing > 0:
            item = uow.session.get(Item, line.item_id)
            assert item is not None
            shortfalls.append(Shortfall(site, item, missing, due_at, order.id))
    return shortfalls


def create_from_sales(uow: UnitOfWork, site: Site) -> list[WorkOrder]:
    """One planned work order per sales-order line whose need stock and open work miss."""
    refs.require_own_site(uow, site)
    created = []
    for gap in sales_shortfalls(uow, site):
        order = WorkOrder(
            enterprise_id=uow.ctx.enterprise_id,
            number=_next_number(uow),
            item_id=gap.item.id,
            site_id=site.id,
            quantity=gap.quantity,
            due_at=gap.due_at,
            priority=5,
            status=WorkOrderStatus.PLANNED.value,
            sales_order_id=gap.sales_order_id,
        )
        uow.add(order)
        uow.flush()
        created.append(order)
    return created
