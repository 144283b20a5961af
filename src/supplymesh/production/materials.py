"""When a work order's components are there: stock first, then purchase receipts by date.

One BOM level: each component's free stock at the plant (on hand − allocated, status
available) is shared among the open orders in planning order (priority, then due); what is
missing must come from open purchase orders to the plant, and the order's material is ready
on the day of the last receipt it needs. With no receipt to cover it the order is blocked,
naming the item. Orders already in progress have their material issued and are not checked.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from supplymesh.inventory.model import (
    ORDER_EXPECTING,
    Order,
    OrderKind,
    OrderLine,
    StockPosition,
    StockStatus,
)
from supplymesh.network.model import BomLine, Item, Site
from supplymesh.platform.uow import UnitOfWork
from supplymesh.production.model import WorkOrder, WorkOrderStatus


@dataclass(frozen=True)
class Shortage:
    """Why a work order cannot be scheduled: `item_sku` is short by `missing`."""

    item_id: int
    item_sku: str
    needed: Decimal
    available: Decimal
    incoming: Decimal

    @property
    def missing(self) -> Decimal:
        return self.needed - self.available - self.incoming

    def describe(self) -> str:
        return (
            f"short of {self.item_sku}: needs {_plain(self.needed)}, {_plain(self.available)} "
            f"in stock and {_plain(self.incoming)} incoming"
        )


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


@dataclass
class _Supply:
    on_hand: Decimal = Decimal(0)
    receipts: list[tuple[datetime, Decimal]] = field(default_factory=list)


@dataclass(frozen=True)
class MaterialVerdict:
    """`ready_at` when the material is there (None: now), or the shortage that blocks it."""

    ready_at: datetime | None = None
    shortage: Shortage | None = None


def _day_start(day: date, site: Site) -> datetime:
    return datetime.combine(day, time(0, 0), ZoneInfo(site.timezone))


def _supplies(uow: UnitOfWork, site: Site, item_ids: set[int]) -> dict[int, _Supply]:
    supplies: dict[int, _Supply] = defaultdict(_Supply)
    if not item_ids:
        return supplies
    for pos in uow.session.scalars(
        select(StockPosition).where(
            StockPosition.site_id == site.id,
            StockPosition.item_id.in_(sorted(item_ids)),
            StockPosition.status == StockStatus.AVAILABLE.value,
        )
    ):
        supplies[pos.item_id].on_hand += max(Decimal(0), pos.on_hand - pos.allocated)
    rows = uow.session.execute(
        select(OrderLine, Order)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.kind == OrderKind.PURCHASE.value,
            Order.ship_to_site_id == site.id,
            Order.status.in_([str(s) for s in ORDER_EXPECTING]),
            OrderLine.item_id.in_(sorted(item_ids)),
        )
    )
    for line, order in rows:
        if line.still_expected > 0:
            day = line.requested_date or order.requested_date or order.order_date
            supplies[line.item_id].receipts.append((_day_start(day, site), line.still_expected))
    for supply in supplies.values():
        supply.receipts.sort()
    return supplies


def check_materials(
    uow: UnitOfWork, site: Site, orders: list[WorkOrder], on: date
) -> dict[int, MaterialVerdict]:
    """A verdict per work order id; `orders` must be in planning order (first served first)."""
    boms: dict[int, list[BomLine]] = defaultdict(list)
    parents = {o.item_id for o in orders}
    if parents:
        for line in uow.session.scalars(
            select(BomLine).where(BomLine.parent_item_id.in_(sorted(parents)))
        ):
            if line.valid_from <= on and (line.valid_to is None or on <= line.valid_to):
                boms[line.parent_item_id].append(line)
    components = {line.component_item_id for lines in boms.values() for line in lines}
    supplies = _supplies(uow, site, components)
    skus = {
        i.id: i.sku
        for i in uow.session.scalars(select(Item).where(Item.id.in_(sorted(components))))
    }
    verdicts: dict[int, MaterialVerdict] = {}
    for order in orders:
        if order.status == WorkOrderStatus.IN_PROGRESS:
            verdicts[order.id] = MaterialVerdict()
            continue
        verdicts[order.id] = _take(order, boms[order.item_id], supplies, skus)
    return verdicts


def _take(
    order: WorkOrder, lines: list[BomLine], supplies: dict[int, _Supply], skus: dict[int, str]
) -> MaterialVerdict:
    """Reserve the order's components from stock, then from receipts; all or nothing."""
    ready: datetime | None = None
    plan: list[tuple[_Supply, Decimal, Decimal]] = []  # supply, from stock, from receipts
    for line in lines:
        need = order.quantity * line.quantity_per * (1 + line.scrap_pct / 100)
        supply = supplies[line.component_item_id]
        from_stock = min(need, supply.on_hand)
        rest = need - from_stock
        used = 0
        while rest > 0 and used < len(supply.receipts):
            when, quantity = supply.receipts[used]
            rest -= quantity
            ready = when if ready is None else max(ready, when)
            used += 1
        if rest > 0:
            incoming = sum((q for _w, q in supply.receipts), Decimal(0))
            shortage = Shortage(
                line.component_item_id,
                skus.get(line.component_item_id, str(line.component_item_id)),
                need,
                supply.on_hand,
                incoming,
            )
            return MaterialVerdict(shortage=shortage)
        plan.append((supply, from_stock, need - from_stock))
    for supply, from_stock, from_receipts in plan:
        supply.on_hand -= from_stock
        while from_receipts > 0:  # what a receipt brings beyond this order serves the next
            when, quantity = supply.receipts[0]
            if quantity <= from_receipts:
                supply.receipts.pop(0)
            else:
                supply.receipts[0] = (when, quantity - from_receipts)
            from_receipts -= quantity
    return MaterialVerdict(ready_at=ready)
