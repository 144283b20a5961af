"""Procurement documents shared by a buyer and its suppliers: RFQs, quotes, PO answers.

Who sees what is decided here, in the tenancy rules, not in the services:

- an RFQ and its lines are seen by the buyer and by the suppliers it invited;
- an invitation, a quote and its lines are seen by the buyer and that one supplier only, so
  a supplier never sees a competitor's quote;
- purchase-order answers, change orders and transitions are seen by both parties of the
  order, and either party may write them: their state machines (in `purchasing.py`) decide
  which side may make which move.

Every document is a state machine; every move is kept as a `DocumentTransition` row.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, UniqueConstraint, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from supplymesh.inventory.model import check_transition
from supplymesh.platform.db import Base, BigId, UTCDateTime, Versioned, utcnow
from supplymesh.platform.errors import Conflict, DomainError, IllegalTransition, PermissionDenied
from supplymesh.platform.events import Aggregate, DomainEvent
from supplymesh.platform.tenancy import PartyScoped, TenantContext, TenantOwned, register
from supplymesh.platform.types import Money, Quantity


class ProcurementError(DomainError):
    """A procurement rule was broken."""


class QuotingClosed(Conflict):
    """A quote arrived after the RFQ's deadline, or after it was awarded or cancelled."""


class WrongParty(PermissionDenied):
    """The move belongs to the other side of the document (a buyer move made by a supplier)."""


class RfqStatus(StrEnum):
    OPEN = "open"
    AWARDED = "awarded"
    CANCELLED = "cancelled"


RFQ_TRANSITIONS: dict[str, tuple[str, ...]] = {
    RfqStatus.OPEN: (RfqStatus.AWARDED, RfqStatus.CANCELLED),
    RfqStatus.AWARDED: (),
    RfqStatus.CANCELLED: (),
}


class InvitationStatus(StrEnum):
    INVITED = "invited"
    AWARDED = "awarded"
    NOT_AWARDED = "not_awarded"
    CANCELLED = "cancelled"


INVITATION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    InvitationStatus.INVITED: (
        InvitationStatus.AWARDED,
        InvitationStatus.NOT_AWARDED,
        InvitationStatus.CANCELLED,
    ),
    InvitationStatus.AWARDED: (),
    InvitationStatus.NOT_AWARDED: (),
    InvitationStatus.CANCELLED: (),
}


class QuoteStatus(StrEnum):
    SUBMITTED = "submitted"  # each revision re-enters this state
    WITHDRAWN = "withdrawn"


QUOTE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    QuoteStatus.SUBMITTED: (QuoteStatus.SUBMITTED, QuoteStatus.WITHDRAWN),
    QuoteStatus.WITHDRAWN: (QuoteStatus.SUBMITTED,),
}


class AckStatus(StrEnum):
    """Where the supplier's answer to a whole purchase order stands."""

    RELEASED = "released"
    PARTIALLY_ACKNOWLEDGED = "partially_acknowledged"
    CHANGES_PROPOSED = "changes_proposed"
    ACKNOWLEDGED = "acknowledged"  # every line answered, some rejected: the buyer decides
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


ACK_TRANSITIONS: dict[str, tuple[str, ...]] = {
    AckStatus.RELEASED: (
        AckStatus.PARTIALLY_ACKNOWLEDGED,
        AckStatus.CHANGES_PROPOSED,
        AckStatus.ACKNOWLEDGED,
        AckStatus.CONFIRMED,
        AckStatus.CANCELLED,
    ),
    AckStatus.PARTIALLY_ACKNOWLEDGED: (
        AckStatus.CHANGES_PROPOSED,
        AckStatus.ACKNOWLEDGED,
        AckStatus.CONFIRMED,
        AckStatus.CANCELLED,
    ),
    AckStatus.CHANGES_PROPOSED: (
        AckStatus.PARTIALLY_ACKNOWLEDGED,
        AckStatus.ACKNOWLEDGED,
        AckStatus.CONFIRMED,
        AckStatus.CANCELLED,
    ),
    AckStatus.ACKNOWLEDGED: (AckStatus.CONFIRMED, AckStatus.CANCELLED),
    AckStatus.CONFIRMED: (AckStatus.CANCELLED,),
    AckStatus.CANCELLED: (),
}


class LineAnswerStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    PROPOSED = "proposed"
    CANCELLED = "cancelled"  # the buyer dropped the line; its open quantity left on-order stock


#: (state, move) → next state; the move's side is in `LINE_MOVE_SIDE`.
LINE_MOVES: dict[tuple[str, str], str] = {
    (LineAnswerStatus.OPEN, "accept"): LineAnswerStatus.ACCEPTED,
    (LineAnswerStatus.OPEN, "reject"): LineAnswerStatus.REJECTED,
    (LineAnswerStatus.OPEN, "propose"): LineAnswerStatus.PROPOSED,
    (LineAnswerStatus.PROPOSED, "accept_proposal"): LineAnswerStatus.ACCEPTED,
    (LineAnswerStatus.PROPOSED, "reject_proposal"): LineAnswerStatus.OPEN,
    # The buyer drops a line the supplier has not committed to; an accepted line is dropped
    # only through a cancellation change order the supplier signs (`cancel_committed`).
    (LineAnswerStatus.OPEN, "cancel"): LineAnswerStatus.CANCELLED,
    (LineAnswerStatus.PROPOSED, "cancel"): LineAnswerStatus.CANCELLED,
    (LineAnswerStatus.REJECTED, "cancel"): LineAnswerStatus.CANCELLED,
    (LineAnswerStatus.ACCEPTED, "cancel_committed"): LineAnswerStatus.CANCELLED,
}
LINE_MOVE_SIDE = {
    "accept": "supplier",
    "reject": "supplier",
    "propose": "supplier",
    "accept_proposal": "buyer",
    "reject_proposal": "buyer",
    "cancel": "buyer",
    "cancel_committed": "buyer",
}


class ChangeKind(StrEnum):
    CHANGE = "change"
    CANCEL = "cancel"


class ChangeStatus(StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


CHANGE_MOVES: dict[tuple[str, str], str] = {
    (ChangeStatus.REQUESTED, "accept"): ChangeStatus.ACCEPTED,
    (ChangeStatus.REQUESTED, "reject"): ChangeStatus.REJECTED,
    (ChangeStatus.REQUESTED, "withdraw"): ChangeStatus.WITHDRAWN,
}
CHANGE_MOVE_SIDE = {"accept": "supplier", "reject": "supplier", "withdraw": "buyer"}


def check_move(kind: str, moves: dict[tuple[str, str], str], current: str, move: str) -> str:
    """The state `move` leads to from `current`, or `IllegalTransition` naming the allowed ones."""
    target = moves.get((current, move))
    if target is None:
        allowed = sorted({to for (start, _m), to in moves.items() if start == current})
        raise IllegalTransition(kind, current, move, allowed)
    return target


class Stateful(Aggregate):
    """A document with a `status` that moves through a table and announces each move."""

    if TYPE_CHECKING:
        status: str
    document_kind: str = "document"

    def move_to(self, wanted: str, table: dict[str, tuple[str, ...]]) -> str:
        """Enter `wanted` if `table` allows it; returns the state left."""
        check_transition(self.document_kind, table, self.status, wanted)
        return self.enter(wanted)

    def enter(self, wanted: str) -> str:
        """Enter a state already checked by the caller; record the event."""
        previous, self.status = self.status, wanted
        name = "".join(part.title() for part in self.document_kind.split("_"))
        self.record(DomainEvent(f"{name}StatusChanged", {"from": previous, "to": wanted}))
        return previous


class Rfq(TenantOwned, Stateful, Base, Versioned):
    """A buyer's request for quotation to the suppliers it invites."""

    __tablename__ = "rfqs"
    __table_args__ = (UniqueConstraint("enterprise_id", "number"),)
    document_kind = "rfq"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(40))
    title: Mapped[str | None] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20), default=RfqStatus.OPEN.value, index=True)
    note: Mapped[str | None] = mapped_column(String(500))
    created_by_user_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def allowed_transitions(self) -> list[str]:
        return [str(s) for s in RFQ_TRANSITIONS.get(self.status, ())]

    def require_quoting_open(self, now: datetime) -> None:
        """Quotes are taken while the RFQ is open and its deadline has not passed."""
        if self.status != RfqStatus.OPEN:
            raise QuotingClosed(f"RFQ {self.number} is {self.status}; it takes no more quotes")
        if now >= self.deadline:
            raise QuotingClosed(
                f"RFQ {self.number} closed for quotes at {self.deadline.isoformat()}"
            )


class RfqLine(TenantOwned, Base):
    """An item, quantity and date asked for; the SKU and name are copied for the suppliers."""

    __tablename__ = "rfq_lines"
    __table_args__ = (UniqueConstraint("rfq_id", "line_no"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    rfq_id: Mapped[int] = mapped_column(ForeignKey("rfqs.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int]
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    item_sku: Mapped[str] = mapped_column(String(60))
    item_name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    needed_by: Mapped[date | None] = mapped_column(Date)


class RfqInvitation(PartyScoped, Stateful, Base, Versioned):
    """One supplier invited to one RFQ (the partner); it is what the supplier is shown."""

    __tablename__ = "rfq_invitations"
    __table_args__ = (UniqueConstraint("rfq_id", "partner_enterprise_id"),)
    document_kind = "rfq_invitation"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    rfq_id: Mapped[int] = mapped_column(ForeignKey("rfqs.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=InvitationStatus.INVITED.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Quote(PartyScoped, Stateful, Base, Versioned):
    """A supplier's quote (owner: the supplier, partner: the buyer); revisions keep old lines."""

    __tablename__ = "quotes"
    __table_args__ = (UniqueConstraint("rfq_id", "enterprise_id"),)
    document_kind = "quote"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    rfq_id: Mapped[int] = mapped_column(ForeignKey("rfqs.id", ondelete="CASCADE"), index=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("rfq_invitations.id"))
    revision: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(20), default=QuoteStatus.SUBMITTED.value)
    note: Mapped[str | None] = mapped_column(String(500))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class QuoteLine(PartyScoped, Base):
    """The supplier's price for one RFQ line in one revision of its quote.

    `price_breaks`: ``[{"min_quantity": "100", "unit_price": "9.5"}, ...]`` (decimal strings);
    the price for a quantity is the break with the largest minimum not above it, else
    `unit_price`.
    """

    __tablename__ = "quote_lines"
    __table_args__ = (UniqueConstraint("quote_id", "revision", "rfq_line_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int]
    rfq_line_id: Mapped[int] = mapped_column(ForeignKey("rfq_lines.id"))
    unit_price: Mapped[Decimal] = mapped_column(Money())
    price_breaks: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    lead_time_days: Mapped[int]
    valid_until: Mapped[date] = mapped_column(Date)

    def price_for(self, quantity: Decimal) -> Decimal:
        """Unit price at `quantity` after the price breaks."""
        price, reached = self.unit_price, Decimal(0)
        for brk in self.price_breaks:
            minimum = Decimal(brk["min_quantity"])
            if reached <= minimum <= quantity:
                price, reached = Decimal(brk["unit_price"]), minimum
        return price


class RfqAward(PartyScoped, Base):
    """Quantity of one RFQ line awarded to one supplier, and the order line it became."""

    __tablename__ = "rfq_awards"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    rfq_id: Mapped[int] = mapped_column(ForeignKey("rfqs.id"), index=True)
    rfq_line_id: Mapped[int] = mapped_column(ForeignKey("rfq_lines.id"))
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id"))
    quote_revision: Mapped[int]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    unit_price: Mapped[Decimal] = mapped_column(Money())
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PurchaseOrderAck(PartyScoped, Stateful, Base, Versioned):
    """The supplier's answer to a whole purchase order, following its line answers."""

    __tablename__ = "po_acknowledgements"
    __table_args__ = (UniqueConstraint("order_id"),)
    document_kind = "purchase_order"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(30), default=AckStatus.RELEASED.value)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def allowed_transitions(self) -> list[str]:
        return [str(s) for s in ACK_TRANSITIONS.get(self.status, ())]


class PoLineAnswer(PartyScoped, Stateful, Base, Versioned):
    """The supplier's answer to one order line: accept, reject (reason) or propose a change."""

    __tablename__ = "po_line_answers"
    __table_args__ = (UniqueConstraint("order_line_id"),)
    document_kind = "po_line"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20), default=LineAnswerStatus.OPEN.value)
    reason: Mapped[str | None] = mapped_column(String(500))
    proposed_quantity: Mapped[Decimal | None] = mapped_column(Quantity())
    proposed_date: Mapped[date | None] = mapped_column(Date)
    proposed_price: Mapped[Decimal | None] = mapped_column(Money())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ChangeOrder(PartyScoped, Stateful, Base, Versioned):
    """The buyer's change to a confirmed order line, or a cancellation: the supplier signs off."""

    __tablename__ = "change_orders"
    document_kind = "change_order"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_lines.id"))
    kind: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[Decimal | None] = mapped_column(Quantity())
    requested_date: Mapped[date | None] = mapped_column(Date)
    unit_price: Mapped[Decimal | None] = mapped_column(Money())
    note: Mapped[str | None] = mapped_column(String(500))
    reason: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default=ChangeStatus.REQUESTED.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DocumentTransition(PartyScoped, Base):
    """One move of one document: who (user and enterprise), when, from which state to which.

    Owner and partner are the document's, so both sides read it; `order_id` and `rfq_id`
    link it to the order and RFQ it belongs to, for the order's timeline.
    """

    __tablename__ = "document_transitions"
    __table_args__ = (Index("ix_document_transitions_document", "document_kind", "document_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    document_kind: Mapped[str] = mapped_column(String(30))
    document_id: Mapped[int]
    order_id: Mapped[int | None] = mapped_column(index=True)
    rfq_id: Mapped[int | None] = mapped_column(index=True)
    from_state: Mapped[str | None] = mapped_column(String(30))
    to_state: Mapped[str] = mapped_column(String(30))
    actor_user_id: Mapped[int | None]
    actor_enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str | None] = mapped_column(String(500))


def _invited_rfqs(ctx: TenantContext) -> Any:
    return select(RfqInvitation.rfq_id).where(
        RfqInvitation.partner_enterprise_id == ctx.enterprise_id
    )


def _rfq_visible(cls: type[Any], ctx: TenantContext) -> Any:
    """The buyer's own RFQs and those it was invited to."""
    return or_(cls.enterprise_id == ctx.enterprise_id, cls.id.in_(_invited_rfqs(ctx)))


def _rfq_line_visible(cls: type[Any], ctx: TenantContext) -> Any:
    return or_(cls.enterprise_id == ctx.enterprise_id, cls.rfq_id.in_(_invited_rfqs(ctx)))


def party_writes(obj: Any, ctx: TenantContext) -> bool:
    """Either party writes; the document's state machine decides which moves are whose."""
    return ctx.enterprise_id in (obj.enterprise_id, obj.partner_enterprise_id)


register(Rfq, _rfq_visible)
register(RfqLine, _rfq_line_visible)
for _owned in (RfqInvitation, Quote, QuoteLine, RfqAward):
    register(_owned)
for _shared in (PurchaseOrderAck, PoLineAnswer, ChangeOrder, DocumentTransition):
    register(_shared, write=party_writes)
