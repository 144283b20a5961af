"""Documents of a purchase delivery: ship notice, receiving notice, QC, return, stock-in notice.

Each belongs to the buyer's purchase order: the buyer owns the row and the supplier is its
partner, so both read every one of them (an outsider finds none). Either party writes them;
the use cases in `receiving.py` decide which side makes which move, as for PO answers.
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
from supplymesh.platform.types import Quantity

#: Allowed deviation of a delivered line from its ordered quantity, in percent.
DEFAULT_TOLERANCE_PCT = Decimal(5)


class ShipNoticeStatus(StrEnum):
    SHIPPED = "shipped"
    RECEIVED = "received"


SHIP_NOTICE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ShipNoticeStatus.SHIPPED: (ShipNoticeStatus.RECEIVED,),
    ShipNoticeStatus.RECEIVED: (),
}


class ReceivingStatus(StrEnum):
    RECEIVED = "received"  # in quarantine, waiting for QC
    PARTIALLY_INSPECTED = "partially_inspected"
    INSPECTED = "inspected"


RECEIVING_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ReceivingStatus.RECEIVED: (ReceivingStatus.PARTIALLY_INSPECTED, ReceivingStatus.INSPECTED),
    ReceivingStatus.PARTIALLY_INSPECTED: (ReceivingStatus.INSPECTED,),
    ReceivingStatus.INSPECTED: (),
}


class ReceivingLineStatus(StrEnum):
    PENDING = "pending"
    INSPECTED = "inspected"


RECEIVING_LINE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ReceivingLineStatus.PENDING: (ReceivingLineStatus.INSPECTED,),
    ReceivingLineStatus.INSPECTED: (),
}


class ReturnStatus(StrEnum):
    CREATED = "created"
    SHIPPED = "shipped"
    RECEIVED = "received"  # by the supplier


#: (state, move) → next state; the move's side is in `RETURN_MOVE_SIDE`.
RETURN_MOVES: dict[tuple[str, str], str] = {
    (ReturnStatus.CREATED, "ship"): ReturnStatus.SHIPPED,
    (ReturnStatus.SHIPPED, "receive"): ReturnStatus.RECEIVED,
}
RETURN_MOVE_SIDE = {"ship": "buyer", "receive": "supplier"}


class StockInStatus(StrEnum):
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"


STOCK_IN_MOVES: dict[tuple[str, str], str] = {
    (StockInStatus.SENT, "acknowledge"): StockInStatus.ACKNOWLEDGED,
}


class ReceivingTolerance(PartyScoped, Base, Versioned):
    """The buyer's delivery tolerance for one supplier, or for one of its orders.

    The order's own row wins over the supplier's; without either the default (±5 %) holds.
    """

    __tablename__ = "receiving_tolerances"
    __table_args__ = (UniqueConstraint("enterprise_id", "partner_enterprise_id", "order_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    over_pct: Mapped[Decimal] = mapped_column(Quantity())
    under_pct: Mapped[Decimal] = mapped_column(Quantity())


class ShipNotice(PartyScoped, Stateful, Base, Versioned):
    """The supplier's advance ship notice (发货单/ASN) for part or all of a purchase order."""

    __tablename__ = "ship_notices"
    __table_args__ = (UniqueConstraint("enterprise_id", "number"),)
    document_kind = "ship_notice"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(60))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    from_site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    ship_date: Mapped[date] = mapped_column(Date)
    expected_arrival: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=ShipNoticeStatus.SHIPPED.value)
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def allowed_transitions(self) -> list[str]:
        return [str(s) for s in SHIP_NOTICE_TRANSITIONS.get(self.status, ())]


class ShipNoticeLine(PartyScoped, Base):
    """A quantity of one order line in one lot; `supplier_item_id` when it left supplier stock."""

    __tablename__ = "ship_notice_lines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ship_notice_id: Mapped[int] = mapped_column(
        ForeignKey("ship_notices.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    supplier_item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"))
    lot: Mapped[str] = mapped_column(String(60), default="")
    expires_on: Mapped[date | None] = mapped_column(Date)
    quantity: Mapped[Decimal] = mapped_column(Quantity())


class ReceivingNotice(PartyScoped, Stateful, Base, Versioned):
    """The buyer's receiving notice (收料通知单): what arrived from one ship notice."""

    __tablename__ = "receiving_notices"
    __table_args__ = (UniqueConstraint("enterprise_id", "number"),)
    document_kind = "receiving_notice"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(60))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    ship_notice_id: Mapped[int] = mapped_column(ForeignKey("ship_notices.id"), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    received_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(30), default=ReceivingStatus.RECEIVED.value)
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def allowed_transitions(self) -> list[str]:
        return [str(s) for s in RECEIVING_TRANSITIONS.get(self.status, ())]


class ReceivingLine(PartyScoped, Stateful, Base, Versioned):
    """What arrived of one ship-notice line; `difference` = received − shipped."""

    __tablename__ = "receiving_lines"
    document_kind = "receiving_line"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    receiving_notice_id: Mapped[int] = mapped_column(
        ForeignKey("receiving_notices.id", ondelete="CASCADE"), index=True
    )
    ship_notice_line_id: Mapped[int] = mapped_column(ForeignKey("ship_notice_lines.id"))
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    lot: Mapped[str] = mapped_column(String(60), default="")
    shipped_quantity: Mapped[Decimal] = mapped_column(Quantity())
    received_quantity: Mapped[Decimal] = mapped_column(Quantity())
    difference: Mapped[Decimal] = mapped_column(Quantity())
    status: Mapped[str] = mapped_column(String(20), default=ReceivingLineStatus.PENDING.value)


class QcInspection(PartyScoped, Stateful, Base):
    """The buyer's inspection of one receiving line: what it accepts and what it rejects."""

    __tablename__ = "qc_inspections"
    __table_args__ = (UniqueConstraint("receiving_line_id"),)
    document_kind = "qc_inspection"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    receiving_notice_id: Mapped[int] = mapped_column(ForeignKey("receiving_notices.id"), index=True)
    receiving_line_id: Mapped[int] = mapped_column(ForeignKey("receiving_lines.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    accepted_quantity: Mapped[Decimal] = mapped_column(Quantity())
    rejected_quantity: Mapped[Decimal] = mapped_column(Quantity())
    reason: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default="completed")
    inspected_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SupplierReturn(PartyScoped, Stateful, Base, Versioned):
    """Rejected goods going back to the supplier (退货), from the buyer's quarantine."""

    __tablename__ = "supplier_returns"
    __table_args__ = (UniqueConstraint("enterprise_id", "number"),)
    document_kind = "return"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(60))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    qc_inspection_id: Mapped[int] = mapped_column(ForeignKey("qc_inspections.id"))
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    lot: Mapped[str] = mapped_column(String(60), default="")
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    reason: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default=ReturnStatus.CREATED.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StockInNotice(PartyScoped, Stateful, Base, Versioned):
    """The buyer's stock-in notice (入库通知) telling the supplier what QC took into stock."""

    __tablename__ = "stock_in_notices"
    __table_args__ = (UniqueConstraint("enterprise_id", "number"),)
    document_kind = "stock_in_notice"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(60))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    qc_inspection_id: Mapped[int] = mapped_column(ForeignKey("qc_inspections.id"))
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    lot: Mapped[str] = mapped_column(String(60), default="")
    accepted_quantity: Mapped[Decimal] = mapped_column(Quantity())
    rejected_quantity: Mapped[Decimal] = mapped_column(Quantity())
    return_id: Mapped[int | None] = mapped_column(ForeignKey("supplier_returns.id"))
    status: Mapped[str] = mapped_column(String(20), default=StockInStatus.SENT.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


register(ReceivingTolerance)
for _shared in (
    ShipNotice,
    ShipNoticeLine,
    ReceivingNotice,
    ReceivingLine,
    QcInspection,
    SupplierReturn,
    StockInNotice,
):
    register(_shared, write=party_writes)
