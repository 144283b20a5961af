"""Inputs and outputs of supplier invoices and reconciliation statements."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from supplymesh.platform.schemas import (
    Amount,
    Currency,
    Input,
    NonNegAmount,
    NonNegQty,
    Output,
    PosQty,
    Qty,
)
from supplymesh.platform.types import MAX_INT


class InvoiceLineIn(Input):
    order_line_id: int = Field(ge=1, le=MAX_INT)
    quantity: PosQty
    unit_price: NonNegAmount
    vat_rate: NonNegQty = Field(description="percent: 0, 1, 3, 6, 9 or 13")
    vat_amount: Amount
    amount: Amount


class InvoiceIn(Input):
    """An invoice the supplier sends; `replaces_invoice_id` makes it a correction."""

    buyer_enterprise_id: int = Field(ge=1, le=MAX_INT)
    number: str = Field(min_length=1, max_length=40)
    fapiao_number: str = Field(pattern=r"^(\d{8}|\d{20})$", description="8 or 20 digits")
    currency: Currency = "CNY"
    issue_date: date
    replaces_invoice_id: int | None = Field(default=None, ge=1, le=MAX_INT)
    lines: list[InvoiceLineIn] = Field(min_length=1)


class MismatchOut(Output):
    kind: str  # price, quantity, not_received, over_invoiced, unknown_line
    invoiced: Qty | None
    ordered: Qty | None  # the order's unit price for `price`, else its quantity
    received: Qty | None  # accepted by QC
    difference: Qty | None


class InvoiceLineOut(Output):
    id: int
    line_no: int
    order_line_id: int
    quantity: Qty
    unit_price: Amount
    vat_rate: Qty
    vat_amount: Amount
    amount: Amount
    matched: bool
    mismatches: list[MismatchOut]


class InvoiceOut(Output):
    id: int
    number: str
    fapiao_number: str
    enterprise_id: int
    partner_enterprise_id: int | None
    currency: str
    issue_date: date
    replaces_invoice_id: int | None
    status: str
    version: int
    amount: Amount
    vat_amount: Amount
    lines: list[InvoiceLineOut]


class ReconciliationIn(Input):
    """A statement for one pair and period; the supplier names its buyer, the buyer its supplier."""

    partner_enterprise_id: int = Field(ge=1, le=MAX_INT)
    period_from: date
    period_to: date
    price_tolerance_pct: NonNegQty | None = None
    quantity_tolerance: NonNegQty | None = None
    note: str | None = Field(default=None, max_length=500)


class StatementMoveIn(Input):
    version: int | None = None
    note: str | None = Field(default=None, max_length=500)


class ReconciliationOut(Output):
    id: int
    enterprise_id: int
    partner_enterprise_id: int | None
    period_from: date
    period_to: date
    price_tolerance_pct: Qty
    quantity_tolerance: Qty
    status: str
    allowed_moves: list[str]
    version: int
    received: Amount
    invoiced: Amount
    matched: Amount
    disputed: Amount
    invoices: list[InvoiceOut]
