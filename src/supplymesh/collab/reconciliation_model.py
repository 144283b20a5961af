"""Supplier invoices and reconciliation statements (对账单) between a buyer and a supplier.

Both belong to the buyer's purchasing: the buyer owns the rows and the supplier is their
partner, so both sides read every invoice and statement of their pair and an outsider finds
none. Either party writes; the use cases in `reconciliation.py` decide whose move it is.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from supplymesh.collab.procurement_model import Stateful, party_writes
from supplymesh.platform.db import Base, BigId, UTCDateTime, Versioned, utcnow
from supplymesh.platform.tenancy import PartyScoped, register
from supplymesh.platform.types import Money, Quantity

#: VAT rates (percent) a 增值税发票 may carry.
VAT_RATES = frozenset(Decimal(r) for r in (0, 1, 3, 6, 9, 13))
DEFAULT_PRICE_TOLERANCE_PCT = Decimal("0.5")
DEFAULT_QUANTITY_TOLERANCE = Decimal(0)


class InvoiceStatus(StrEnum):
    SUBMITTED = "submitted"
    SUPERSEDED = "superseded"  # by a corrected invoice


INVOICE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    InvoiceStatus.SUBMITTED: (InvoiceStatus.SUPERSEDED,),
    InvoiceStatus.SUPERSEDED: (),
}


class StatementStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    DISPUTED = "disputed"
    AGREED = "agreed"
    SUPPLIER_SIGNED = "supplier_signed"
    BUYER_SIGNED = "buyer_signed"
    SIGNED = "signed"


#: (state, move, side) → next state: signing is the only move both sides make.
STATEMENT_MOVES: dict[tuple[str, str, str], str] = {
    (StatementStatus.DRAFT, "submit", "supplier"): StatementStatus.SUBMITTED,
    (StatementStatus.DISPUTED, "submit", "supplier"): StatementStatus.SUBMITTED,
    (StatementStatus.SUBMITTED, "dispute", "buyer"): StatementStatus.DISPUTED,
    (StatementStatus.SUBMITTED, "agree", "buyer"): StatementStatus.AGREED,
    (StatementStatus.AGREED, "sign", "supplier"): StatementStatus.SUPPLIER_SIGNED,
    (StatementStatus.AGREED, "sign", "buyer"): StatementStatus.BUYER_SIGNED,
    (StatementStatus.SUPPLIER_SIGNED, "sign", "buyer"): StatementStatus.SIGNED,
    (StatementStatus.BUYER_SIGNED, "sign", "supplier"): StatementStatus.SIGNED,
}


class Invoice(PartyScoped, Stateful, Base, Versioned):
    """A supplier's invoice to the buyer, against one or more of their orders."""

    __tablename__ = "invoices"
    __table_args__ = (UniqueConstraint("partner_enterprise_id", "number"),)
    document_kind = "invoice"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(40))
    fapiao_number: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    issue_date: Mapped[date] = mapped_column(Date, index=True)
    replaces_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    status: Mapped[str] = mapped_column(String(20), default=InvoiceStatus.SUBMITTED.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class InvoiceLine(PartyScoped, Base):
    """One invoiced order line; `order_line_id` is what the supplier sent, found or not."""

    __tablename__ = "invoice_lines"
    __table_args__ = (UniqueConstraint("invoice_id", "line_no"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    line_no: Mapped[int]
    order_line_id: Mapped[int] = mapped_column(BigId, index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    unit_price: Mapped[Decimal] = mapped_column(Money())
    vat_rate: Mapped[Decimal] = mapped_column(Quantity())
    vat_amount: Mapped[Decimal] = mapped_column(Money())
    amount: Mapped[Decimal] = mapped_column(Money())


class Reconciliation(PartyScoped, Stateful, Base, Versioned):
    """A statement of one buyer–supplier pair for one period, with its match tolerances."""

    __tablename__ = "reconciliations"
    document_kind = "reconciliation"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    price_tolerance_pct: Mapped[Decimal] = mapped_column(Quantity())
    quantity_tolerance: Mapped[Decimal] = mapped_column(Quantity())
    status: Mapped[str] = mapped_column(String(20), default=StatementStatus.DRAFT.value)
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def allowed_moves(self) -> list[str]:
        return sorted({m for (state, m, _side) in STATEMENT_MOVES if state == self.status})


for _shared in (Invoice, InvoiceLine, Reconciliation):
    register(_shared, write=party_writes)
