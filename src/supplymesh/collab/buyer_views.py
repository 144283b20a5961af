"""Reads the buyer's web pages need that the use cases do not offer on their own.

Pure queries in the caller's unit of work (so tenancy still decides what is visible): the
pipeline stage of a purchase order, the buyer's draft purchase orders (the collaboration
services list only released ones, since a supplier never sees a draft), the orders an RFQ's
award created, and the suppliers a buyer may invite.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import select

from supplymesh.collab.procurement_model import AckStatus, RfqAward
from supplymesh.collab.rfq import SUPPLY_RELATIONS
from supplymesh.inventory.model import (
    Order,
    OrderKind,
    OrderLine,
    OrderStatus,
    StockPosition,
    StockStatus,
)
from supplymesh.network.model import Partnership
from supplymesh.platform.uow import UnitOfWork

#: The columns of the order pipeline, left to right.
PIPELINE_STAGES = (
    "draft",
    "released",
    "acknowledged",
    "changes_proposed",
    "confirmed",
    "in_delivery",
    "received",
    "closed",
    "cancelled",
)

_BY_ORDER_STATUS = {
    OrderStatus.DRAFT: "draft",
    OrderStatus.PARTIALLY_SHIPPED: "in_delivery",
    OrderStatus.SHIPPED: "in_delivery",
    OrderStatus.RECEIVED: "received",
    OrderStatus.CLOSED: "closed",
    OrderStatus.CANCELLED: "cancelled",
}
_BY_ACK_STATUS = {
    AckStatus.RELEASED: "released",
    AckStatus.PARTIALLY_ACKNOWLEDGED: "acknowledged",
    AckStatus.ACKNOWLEDGED: "acknowledged",
    AckStatus.CHANGES_PROPOSED: "changes_proposed",
    AckStatus.CONFIRMED: "confirmed",
    AckStatus.CANCELLED: "cancelled",
}


def pipeline_stage(order_status: str, ack_status: str | None) -> str:
    """Where an order stands for its buyer: the goods' progress first, then the answer's."""
    by_order = _BY_ORDER_STATUS.get(OrderStatus(order_status))
    if by_order is not None:
        return by_order
    if ack_status is None:
        return "released"
    return _BY_ACK_STATUS.get(AckStatus(ack_status), "released")


def order_value(lines: Iterable[OrderLine]) -> Decimal:
    """Quantity × price over the lines (an unpriced line counts nothing)."""
    return sum((line.quantity * (line.unit_price or Decimal(0)) for line in lines), Decimal(0))


def draft_purchase_orders(uow: UnitOfWork, limit: int = 200) -> list[Order]:
    """The caller's purchase orders to suppliers that it has not released yet, newest first."""
    query = (
        select(Order)
        .where(
            Order.enterprise_id == uow.ctx.enterprise_id,
            Order.kind == OrderKind.PURCHASE.value,
            Order.partner_enterprise_id.is_not(None),
            Order.status == OrderStatus.DRAFT.value,
        )
        .order_by(Order.id.desc())
        .limit(limit)
    )
    return list(uow.session.scalars(query))


def awarded_orders(uow: UnitOfWork, rfq_id: int) -> list[Order]:
    """The purchase orders an RFQ's award created, in the order they were made."""
    order_ids = select(RfqAward.order_id).where(RfqAward.rfq_id == rfq_id)
    return list(
        uow.session.scalars(select(Order).where(Order.id.in_(order_ids)).order_by(Order.id))
    )


def supply_partners(uow: UnitOfWork) -> list[int]:
    """Enterprise ids of the caller's active suppliers and subcontractors (who may be invited)."""
    query = (
        select(Partnership.partner_enterprise_id)
        .where(
            Partnership.enterprise_id == uow.ctx.enterprise_id,
            Partnership.relation.in_(SUPPLY_RELATIONS),
            Partnership.status == "active",
        )
        .order_by(Partnership.partner_enterprise_id)
    )
    return list(dict.fromkeys(uow.session.scalars(query)))


def consigned_stock(uow: UnitOfWork, item_ids: list[int]) -> list[StockPosition]:
    """The caller's own material of these items lying at subcontractors' sites (on hand > 0)."""
    if not item_ids:
        return []
    query = (
        select(StockPosition)
        .where(
            StockPosition.enterprise_id == uow.ctx.enterprise_id,
            StockPosition.item_id.in_(item_ids),
            StockPosition.status == StockStatus.AT_SUBCONTRACTOR.value,
            StockPosition.on_hand > 0,
        )
        .order_by(StockPosition.site_id, StockPosition.item_id, StockPosition.lot)
    )
    return list(uow.session.scalars(query))
