"""The three-way match: each invoice line against its order line and what QC accepted.

A line matches when its price is within the price tolerance of the order's and the quantity
invoiced for the order line, over all current invoices of the pair, equals what QC accepted
within the quantity tolerance. Superseded invoices are judged on their own lines only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from supplymesh.collab.receiving_model import QcInspection, ReceivingLine
from supplymesh.collab.reconciliation_model import (
    DEFAULT_PRICE_TOLERANCE_PCT,
    DEFAULT_QUANTITY_TOLERANCE,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
)
from supplymesh.inventory.model import Order, OrderLine
from supplymesh.platform.uow import UnitOfWork

HUNDRED = Decimal(100)
ZERO = Decimal(0)


@dataclass(frozen=True)
class Mismatch:
    kind: str
    invoiced: Decimal | None
    ordered: Decimal | None
    received: Decimal | None
    difference: Decimal | None


@dataclass(frozen=True)
class MatchedLine:
    line: InvoiceLine
    mismatches: list[Mismatch]

    @property
    def matched(self) -> bool:
        return not self.mismatches


@dataclass(frozen=True)
class InvoiceView:
    invoice: Invoice
    lines: list[MatchedLine]

    @property
    def amount(self) -> Decimal:
        return sum((m.line.amount for m in self.lines), ZERO)

    @property
    def vat_amount(self) -> Decimal:
        return sum((m.line.vat_amount for m in self.lines), ZERO)


@dataclass(frozen=True)
class Tolerances:
    price_pct: Decimal = DEFAULT_PRICE_TOLERANCE_PCT
    quantity: Decimal = DEFAULT_QUANTITY_TOLERANCE


# --- the three-way match ------------------------------------------------------------------------


def _pair_lines(uow: UnitOfWork, buyer_id: int, supplier_id: int | None) -> dict[int, OrderLine]:
    rows = uow.session.scalars(
        select(OrderLine)
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.enterprise_id == buyer_id, Order.partner_enterprise_id == supplier_id)
    )
    return {line.id: line for line in rows}


def _accepted(uow: UnitOfWork, buyer_id: int, supplier_id: int | None) -> dict[int, Decimal]:
    """Quantity QC accepted per order line of the pair, over every receipt."""
    rows = uow.session.execute(
        select(ReceivingLine.order_line_id, QcInspection.accepted_quantity)
        .join(ReceivingLine, ReceivingLine.id == QcInspection.receiving_line_id)
        .where(
            QcInspection.enterprise_id == buyer_id,
            QcInspection.partner_enterprise_id == supplier_id,
        )
    )
    accepted: dict[int, Decimal] = defaultdict(Decimal)
    for order_line_id, quantity in rows:
        accepted[order_line_id] += quantity
    return accepted


def current_invoices(uow: UnitOfWork, buyer_id: int, supplier_id: int | None) -> list[Invoice]:
    return list(
        uow.session.scalars(
            select(Invoice)
            .where(
                Invoice.enterprise_id == buyer_id,
                Invoice.partner_enterprise_id == supplier_id,
                Invoice.status == InvoiceStatus.SUBMITTED.value,
            )
            .order_by(Invoice.issue_date, Invoice.id)
        )
    )


def _lines_of(uow: UnitOfWork, invoice_ids: list[int]) -> dict[int, list[InvoiceLine]]:
    found: dict[int, list[InvoiceLine]] = defaultdict(list)
    rows = uow.session.scalars(
        select(InvoiceLine)
        .where(InvoiceLine.invoice_id.in_(invoice_ids))
        .order_by(InvoiceLine.line_no)
    )
    for line in rows:
        found[line.invoice_id].append(line)
    return found


def mismatches(
    line: InvoiceLine,
    order_line: OrderLine | None,
    accepted: Decimal,
    invoiced_in_all: Decimal,
    tol: Tolerances,
) -> list[Mismatch]:
    """What keeps `line` from matching its order line and the quantity QC accepted."""
    if order_line is None:
        return [Mismatch("unknown_line", line.quantity, None, None, None)]
    found: list[Mismatch] = []
    price = order_line.unit_price
    if price is not None and abs(line.unit_price - price) > price * tol.price_pct / HUNDRED:
        found.append(Mismatch("price", line.unit_price, price, None, line.unit_price - price))
    ordered, gap = order_line.quantity, invoiced_in_all - accepted
    if accepted == 0:
        found.append(Mismatch("not_received", invoiced_in_all, ordered, ZERO, gap))
    elif gap > tol.quantity:
        found.append(Mismatch("over_invoiced", invoiced_in_all, ordered, accepted, gap))
    elif -gap > tol.quantity:
        found.append(Mismatch("quantity", invoiced_in_all, ordered, accepted, gap))
    return found


def match(
    uow: UnitOfWork,
    buyer_id: int,
    supplier_id: int | None,
    invoices: list[Invoice],
    tol: Tolerances,
) -> list[InvoiceView]:
    """Each invoice's lines with their mismatches, against all current invoices of the pair."""
    order_lines = _pair_lines(uow, buyer_id, supplier_id)
    accepted = _accepted(uow, buyer_id, supplier_id)
    current = current_invoices(uow, buyer_id, supplier_id)
    lines = _lines_of(uow, list({i.id for i in current} | {i.id for i in invoices}))
    invoiced: dict[int, Decimal] = defaultdict(Decimal)
    for inv in current:
        for line in lines[inv.id]:
            invoiced[line.order_line_id] += line.quantity
    views = []
    for inv in invoices:
        matched = []
        for line in lines[inv.id]:
            # a superseded invoice is judged on its own; a current one with all current ones
            current_one = inv.status == InvoiceStatus.SUBMITTED
            total = invoiced[line.order_line_id] if current_one else line.quantity
            found = mismatches(
                line,
                order_lines.get(line.order_line_id),
                accepted.get(line.order_line_id, ZERO),
                total,
                tol,
            )
            matched.append(MatchedLine(line, found))
        views.append(InvoiceView(inv, matched))
    return views
