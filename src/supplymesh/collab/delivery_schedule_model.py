"""Delivery schedules (要货计划): when the buyer wants how much of each line of an order.

The buyer sends a schedule against a purchase (or outsourcing) order; the supplier answers
each line: confirm it, confirm part of the quantity, or propose another date. The schedule's
state follows its lines. The buyer answers changes by revising the schedule: a new revision
with new lines, answered afresh (old revisions are kept). Owned by the buyer, the supplier is
the partner; either writes, `delivery_schedule.py` decides whose move it is.
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


class ScheduleStatus(StrEnum):
    SENT = "sent"  # a new revision, no line answered yet
    PARTIALLY_ANSWERED = "partially_answered"
    CONFIRMED = "confirmed"  # every line confirmed in full
    CHANGES_PROPOSED = "changes_proposed"  # every line answered, some partly or for another date
    CANCELLED = "cancelled"


_OPEN = (ScheduleStatus.SENT, ScheduleStatus.CANCELLED)
SCHEDULE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ScheduleStatus.SENT: (
        ScheduleStatus.PARTIALLY_ANSWERED,
        ScheduleStatus.CONFIRMED,
        ScheduleStatus.CHANGES_PROPOSED,
        *_OPEN,
    ),
    ScheduleStatus.PARTIALLY_ANSWERED: (
        ScheduleStatus.CONFIRMED,
        ScheduleStatus.CHANGES_PROPOSED,
        *_OPEN,
    ),
    ScheduleStatus.CONFIRMED: _OPEN,
    ScheduleStatus.CHANGES_PROPOSED: _OPEN,
    ScheduleStatus.CANCELLED: (),
}


class ScheduleLineStatus(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    PARTIAL = "partial"
    RESCHEDULED = "rescheduled"


#: (state, move) → next state; every line move is the supplier's.
SCHEDULE_LINE_MOVES: dict[tuple[str, str], str] = {
    (ScheduleLineStatus.OPEN, "confirm"): ScheduleLineStatus.CONFIRMED,
    (ScheduleLineStatus.OPEN, "partial"): ScheduleLineStatus.PARTIAL,
    (ScheduleLineStatus.OPEN, "reschedule"): ScheduleLineStatus.RESCHEDULED,
}


class DeliverySchedule(PartyScoped, Stateful, Base, Versioned):
    """One order's schedule; `revision` counts the buyer's revisions."""

    __tablename__ = "delivery_schedules"
    __table_args__ = (UniqueConstraint("enterprise_id", "number"),)
    document_kind = "delivery_schedule"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(60))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(30), default=ScheduleStatus.SENT.value)
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def allowed_transitions(self) -> list[str]:
        return [str(s) for s in SCHEDULE_TRANSITIONS.get(self.status, ())]


class DeliveryScheduleLine(PartyScoped, Base, Versioned):
    """A quantity of one order line wanted on one date, and the supplier's answer to it."""

    __tablename__ = "delivery_schedule_lines"
    __table_args__ = (UniqueConstraint("schedule_id", "revision", "line_no"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("delivery_schedules.id", ondelete="CASCADE"), index=True
    )
    revision: Mapped[int]
    line_no: Mapped[int]
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"))
    wanted_on: Mapped[date] = mapped_column(Date)
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    status: Mapped[str] = mapped_column(String(20), default=ScheduleLineStatus.OPEN.value)
    confirmed_quantity: Mapped[Decimal | None] = mapped_column(Quantity())
    confirmed_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(500))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def allowed_moves(self) -> list[str]:
        return sorted(m for (s, m) in SCHEDULE_LINE_MOVES if s == self.status)


for _shared in (DeliverySchedule, DeliveryScheduleLine):
    register(_shared, write=party_writes)
