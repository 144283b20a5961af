"""Outsourcing (委外) documents: the order's components, material issues, supplements, progress.

An outsourcing order is a purchase order (so the subcontractor answers, ships and is received,
inspected and paid exactly as any supplier) with an `OutsourcingOrder` row beside it naming
the finished item and the components the buyer supplies. The buyer owns every row and the
subcontractor is its partner: both read them, either writes, and the use cases in
`outsourcing.py` decide which side makes which move.
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


class MaterialIssueStatus(StrEnum):
    ISSUED = "issued"  # left the buyer's site, in transit
    RECEIVED = "received"  # acknowledged by the subcontractor


#: (state, move) → next state; the move's side is in `MATERIAL_ISSUE_MOVE_SIDE`.
MATERIAL_ISSUE_MOVES: dict[tuple[str, str], str] = {
    (MaterialIssueStatus.ISSUED, "acknowledge"): MaterialIssueStatus.RECEIVED,
}
MATERIAL_ISSUE_MOVE_SIDE = {"acknowledge": "supplier"}


class SupplementStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    ISSUED = "issued"


SUPPLEMENT_MOVES: dict[tuple[str, str], str] = {
    (SupplementStatus.REQUESTED, "approve"): SupplementStatus.APPROVED,
    (SupplementStatus.REQUESTED, "reject"): SupplementStatus.REJECTED,
    (SupplementStatus.APPROVED, "issue"): SupplementStatus.ISSUED,
}
SUPPLEMENT_MOVE_SIDE = {"approve": "buyer", "reject": "buyer", "issue": "buyer"}


class OutsourcingOrder(PartyScoped, Base, Versioned):
    """What the subcontractor makes on a purchase order, and how far it has got."""

    __tablename__ = "outsourcing_orders"
    __table_args__ = (UniqueConstraint("order_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    due_date: Mapped[date | None] = mapped_column(Date)
    started_quantity: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    finished_quantity: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    scrapped_quantity: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OutsourcingComponent(PartyScoped, Base, Versioned):
    """A component the buyer supplies: required for the whole order, issued and consumed so far."""

    __tablename__ = "outsourcing_components"
    __table_args__ = (UniqueConstraint("outsourcing_order_id", "item_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    outsourcing_order_id: Mapped[int] = mapped_column(
        ForeignKey("outsourcing_orders.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    required_quantity: Mapped[Decimal] = mapped_column(Quantity())
    issued_quantity: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    received_quantity: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    consumed_quantity: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))


class MaterialIssue(PartyScoped, Stateful, Base, Versioned):
    """Components sent from the buyer's site to the subcontractor (发料), or a supplement (补料)."""

    __tablename__ = "material_issues"
    __table_args__ = (UniqueConstraint("enterprise_id", "number"),)
    document_kind = "material_issue"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(60))
    outsourcing_order_id: Mapped[int] = mapped_column(
        ForeignKey("outsourcing_orders.id", ondelete="CASCADE"), index=True
    )
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    from_site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    to_site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    supplement_id: Mapped[int | None] = mapped_column(ForeignKey("material_supplements.id"))
    status: Mapped[str] = mapped_column(String(20), default=MaterialIssueStatus.ISSUED.value)
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def allowed_moves(self) -> list[str]:
        return sorted(m for (s, m) in MATERIAL_ISSUE_MOVES if s == self.status)


class MaterialIssueLine(PartyScoped, Base):
    """One component lot sent on a material issue."""

    __tablename__ = "material_issue_lines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    material_issue_id: Mapped[int] = mapped_column(
        ForeignKey("material_issues.id", ondelete="CASCADE"), index=True
    )
    component_id: Mapped[int] = mapped_column(ForeignKey("outsourcing_components.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    lot: Mapped[str] = mapped_column(String(60), default="")
    quantity: Mapped[Decimal] = mapped_column(Quantity())


class MaterialSupplement(PartyScoped, Stateful, Base, Versioned):
    """The subcontractor asks for more of a component (scrap, loss); the buyer decides."""

    __tablename__ = "material_supplements"
    document_kind = "material_supplement"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    outsourcing_order_id: Mapped[int] = mapped_column(
        ForeignKey("outsourcing_orders.id", ondelete="CASCADE"), index=True
    )
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    component_id: Mapped[int] = mapped_column(ForeignKey("outsourcing_components.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    reason: Mapped[str] = mapped_column(String(500))
    decision_note: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default=SupplementStatus.REQUESTED.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def allowed_moves(self) -> list[str]:
        return sorted(m for (s, m) in SUPPLEMENT_MOVES if s == self.status)


class ProgressReport(PartyScoped, Base):
    """Quantities started, finished and scrapped since the last report (cumulated on the order)."""

    __tablename__ = "outsourcing_progress_reports"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    outsourcing_order_id: Mapped[int] = mapped_column(
        ForeignKey("outsourcing_orders.id", ondelete="CASCADE"), index=True
    )
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    started_quantity: Mapped[Decimal] = mapped_column(Quantity())
    finished_quantity: Mapped[Decimal] = mapped_column(Quantity())
    scrapped_quantity: Mapped[Decimal] = mapped_column(Quantity())
    note: Mapped[str | None] = mapped_column(String(500))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


for _shared in (
    OutsourcingOrder,
    OutsourcingComponent,
    MaterialIssue,
    MaterialIssueLine,
    MaterialSupplement,
    ProgressReport,
):
    register(_shared, write=party_writes)
