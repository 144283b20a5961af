"""Inputs and outputs of purchase-order answers, proposals and change orders."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from supplymesh.platform.schemas import Amount, Input, NonNegAmount, NonNegQty, Output, Qty


class LineAnswerIn(Input):
    """The supplier's answer to one line; `propose` names at least one new value."""

    action: Literal["accept", "reject", "propose"]
    version: int | None = Field(default=None, description="the line answer's version")
    reason: str | None = Field(default=None, max_length=500)
    quantity: NonNegQty | None = None
    requested_date: date | None = None
    unit_price: NonNegAmount | None = None


class DecisionIn(Input):
    """A yes/no on a proposal or change order, based on the version the caller saw."""

    version: int | None = None
    reason: str | None = Field(default=None, max_length=500)


class ChangeOrderIn(Input):
    """A change to one line of a confirmed order, or a cancellation (of one line or the order).

    `kind: cancel` with an `order_line_id` cancels that line only; without one, the order.
    """

    version: int | None = Field(default=None, description="the order's version")
    kind: Literal["change", "cancel"]
    order_line_id: int | None = None
    quantity: NonNegQty | None = None
    requested_date: date | None = None
    unit_price: NonNegAmount | None = None
    note: str | None = Field(default=None, max_length=500)


class LineAnswerPublic(Output):
    status: str
    allowed_moves: list[str]
    reason: str | None
    proposed_quantity: Qty | None
    proposed_date: date | None
    proposed_price: Amount | None
    answered_at: datetime | None
    version: int


class PurchaseOrderLinePublic(Output):
    id: int
    line_no: int
    item_id: int
    quantity: Qty
    unit_price: Amount | None
    requested_date: date | None
    quantity_shipped: Qty
    quantity_received: Qty
    cancelled_quantity: Qty
    version: int
    answer: LineAnswerPublic


class ChangeOrderPublic(Output):
    id: int
    order_id: int
    order_line_id: int | None
    kind: str
    quantity: Qty | None
    requested_date: date | None
    unit_price: Amount | None
    note: str | None
    reason: str | None
    status: str
    created_at: datetime
    version: int


class PurchaseOrderPublic(Output):
    id: int
    number: str
    enterprise_id: int
    partner_enterprise_id: int | None
    order_status: str
    status: str = Field(description="where the supplier's answer stands")
    allowed_transitions: list[str]
    acknowledgement_version: int
    currency: str
    version: int
    lines: list[PurchaseOrderLinePublic]
    change_orders: list[ChangeOrderPublic]


class PurchaseOrderPage(Output):
    items: list[PurchaseOrderPublic]
    total: int
    offset: int
    limit: int


class TimelineEntry(Output):
    at: datetime
    document_kind: str
    document_id: int
    from_state: str | None
    to_state: str
    actor_enterprise_id: int | None
    actor_enterprise_code: str | None
    actor_user_id: int | None
    actor_username: str | None
    note: str | None


class Timeline(Output):
    order_id: int
    number: str
    entries: list[TimelineEntry]
