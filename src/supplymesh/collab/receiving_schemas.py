"""Inputs and outputs of ship notices, receiving, QC, returns, stock-in notices, tolerances."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from supplymesh.platform.schemas import Input, NonNegQty, Output, PosQty, Qty
from supplymesh.platform.types import MAX_INT


class ShipNoticeLineIn(Input):
    order_line_id: int = Field(ge=1, le=MAX_INT)
    quantity: PosQty
    lot: str = Field(default="", max_length=60)
    expires_on: date | None = None
    supplier_item_id: int | None = Field(
        default=None, ge=1, le=MAX_INT, description="your own item, issued from from_site_id"
    )


class ShipNoticeIn(Input):
    """What the supplier ships; with `from_site_id` the lines leave its own stock there."""

    order_id: int = Field(ge=1, le=MAX_INT)
    ship_date: date
    expected_arrival: date | None = None
    from_site_id: int | None = Field(default=None, ge=1, le=MAX_INT)
    note: str | None = Field(default=None, max_length=500)
    lines: list[ShipNoticeLineIn] = Field(min_length=1)


class ReceivedLineIn(Input):
    ship_notice_line_id: int = Field(ge=1, le=MAX_INT)
    quantity: NonNegQty
    lot: str | None = Field(default=None, max_length=60, description="default: the ASN's lot")


class ReceivingNoticeIn(Input):
    """What arrived; a ship-notice line left out arrived as shipped."""

    ship_notice_id: int = Field(ge=1, le=MAX_INT)
    version: int | None = Field(default=None, description="the ship notice's version")
    received_on: date | None = None
    note: str | None = Field(default=None, max_length=500)
    lines: list[ReceivedLineIn] = Field(default_factory=list)


class QcInspectionIn(Input):
    receiving_line_id: int = Field(ge=1, le=MAX_INT)
    version: int | None = Field(default=None, description="the receiving line's version")
    accepted_quantity: NonNegQty
    rejected_quantity: NonNegQty
    reason: str | None = Field(default=None, max_length=500)
    return_to_site_id: int | None = Field(default=None, ge=1, le=MAX_INT)


class MoveIn(Input):
    version: int | None = None
    site_id: int | None = Field(
        default=None, ge=1, le=MAX_INT, description="supplier's site taking back a return"
    )
    supplier_item_id: int | None = Field(default=None, ge=1, le=MAX_INT)


class ToleranceIn(Input):
    """Delivery tolerance for a supplier, or (with `order_id`) for one of its orders."""

    supplier_enterprise_id: int = Field(ge=1, le=MAX_INT)
    order_id: int | None = Field(default=None, ge=1, le=MAX_INT)
    over_pct: NonNegQty
    under_pct: NonNegQty


class TolerancePublic(Output):
    id: int
    supplier_enterprise_id: int = Field(validation_alias="partner_enterprise_id")
    order_id: int | None
    over_pct: Qty
    under_pct: Qty
    version: int


class ShipNoticeLinePublic(Output):
    id: int
    order_line_id: int
    item_id: int
    supplier_item_id: int | None
    lot: str
    expires_on: date | None
    quantity: Qty


class ShipNoticePublic(Output):
    id: int
    number: str
    order_id: int
    enterprise_id: int
    partner_enterprise_id: int | None
    from_site_id: int | None
    ship_date: date
    expected_arrival: date | None
    status: str
    allowed_transitions: list[str]
    note: str | None
    version: int
    lines: list[ShipNoticeLinePublic]


class ReceivingLinePublic(Output):
    id: int
    ship_notice_line_id: int
    order_line_id: int
    item_id: int
    lot: str
    shipped_quantity: Qty
    received_quantity: Qty
    difference: Qty
    status: str
    version: int


class ReceivingNoticePublic(Output):
    id: int
    number: str
    order_id: int
    ship_notice_id: int
    site_id: int
    received_on: date
    status: str
    allowed_transitions: list[str]
    order_status: str
    receipt_status: str = Field(description="the order's: received or partially_received")
    version: int
    lines: list[ReceivingLinePublic]


class QcInspectionPublic(Output):
    id: int
    receiving_notice_id: int
    receiving_line_id: int
    order_id: int
    accepted_quantity: Qty
    rejected_quantity: Qty
    reason: str | None
    status: str
    inspected_at: datetime
    return_id: int | None = None
    stock_in_notice_id: int | None = None


class ReturnPublic(Output):
    id: int
    number: str
    order_id: int
    qc_inspection_id: int
    item_id: int
    site_id: int
    lot: str
    quantity: Qty
    reason: str | None
    status: str
    allowed_moves: list[str]
    version: int


class StockInNoticePublic(Output):
    id: int
    number: str
    order_id: int
    qc_inspection_id: int
    order_line_id: int
    item_id: int
    lot: str
    accepted_quantity: Qty
    rejected_quantity: Qty
    return_id: int | None
    status: str
    version: int
