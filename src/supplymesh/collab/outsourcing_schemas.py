"""Inputs and outputs of outsourcing orders, material issues, supplements and progress reports."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import Field

from supplymesh.platform.schemas import Input, NonNegAmount, NonNegQty, Output, PosQty, Qty
from supplymesh.platform.types import MAX_INT

IdField = Field(ge=1, le=MAX_INT)


class ComponentIn(Input):
    item_id: int = IdField
    quantity: PosQty = Field(description="for the whole order")


class OutsourcingOrderIn(Input):
    """An outsourcing order; without `components` they come from the item's BOM × quantity."""

    subcontractor_enterprise_id: int = IdField
    ship_to_site_id: int = IdField
    item_id: int = IdField
    quantity: PosQty
    due_date: date | None = None
    unit_price: NonNegAmount | None = None
    note: str | None = Field(default=None, max_length=500)
    components: list[ComponentIn] | None = None


class ComponentsIn(Input):
    """New required quantities for the components named (new items are added)."""

    version: int | None = Field(default=None, description="the outsourcing order's version")
    components: list[ComponentIn] = Field(min_length=1)


class MaterialLineIn(Input):
    component_id: int = IdField
    quantity: PosQty
    lot: str = Field(default="", max_length=60)


class MaterialIssueIn(Input):
    """Components leaving one of the buyer's sites for the subcontractor."""

    outsourcing_order_id: int = IdField
    from_site_id: int = IdField
    supplement_id: int | None = Field(default=None, ge=1, le=MAX_INT)
    note: str | None = Field(default=None, max_length=500)
    lines: list[MaterialLineIn] = Field(min_length=1)


class AcknowledgeIn(Input):
    site_id: int = Field(ge=1, le=MAX_INT, description="your site the material arrived at")
    version: int | None = None


class SupplementIn(Input):
    outsourcing_order_id: int = IdField
    component_id: int = IdField
    quantity: PosQty
    reason: str = Field(min_length=1, max_length=500)


class DecisionIn(Input):
    version: int | None = None
    note: str | None = Field(default=None, max_length=500)


class ProgressIn(Input):
    """Quantities since the last report; finished goods go into your stock at `site_id`."""

    site_id: int = IdField
    started_quantity: NonNegQty = Decimal(0)
    finished_quantity: NonNegQty = Decimal(0)
    scrapped_quantity: NonNegQty = Decimal(0)
    supplier_item_id: int | None = Field(
        default=None, ge=1, le=MAX_INT, description="your own item the finished goods are"
    )
    lot: str = Field(default="", max_length=60)
    note: str | None = Field(default=None, max_length=500)


class ComponentPublic(Output):
    id: int
    item_id: int
    required_quantity: Qty
    issued_quantity: Qty
    received_quantity: Qty
    consumed_quantity: Qty
    at_subcontractor: Qty


class MaterialLinePublic(Output):
    id: int
    component_id: int
    item_id: int
    lot: str
    quantity: Qty


class MaterialIssuePublic(Output):
    id: int
    number: str
    outsourcing_order_id: int
    order_id: int
    from_site_id: int
    to_site_id: int | None
    supplement_id: int | None
    status: str
    allowed_moves: list[str]
    version: int
    lines: list[MaterialLinePublic]


class SupplementPublic(Output):
    id: int
    outsourcing_order_id: int
    component_id: int
    quantity: Qty
    reason: str
    decision_note: str | None
    status: str
    allowed_moves: list[str]
    version: int


class ProgressPublic(Output):
    id: int
    site_id: int | None
    started_quantity: Qty
    finished_quantity: Qty
    scrapped_quantity: Qty
    note: str | None
    reported_at: datetime


class OutsourcingOrderPublic(Output):
    id: int
    order_id: int
    order_number: str
    order_status: str
    order_line_id: int
    enterprise_id: int
    subcontractor_enterprise_id: int | None
    item_id: int
    quantity: Qty
    due_date: date | None
    started_quantity: Qty
    finished_quantity: Qty
    scrapped_quantity: Qty
    version: int
    components: list[ComponentPublic]
    material_issues: list[MaterialIssuePublic]
    supplements: list[SupplementPublic]
    progress_reports: list[ProgressPublic]
