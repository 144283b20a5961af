"""Production orders (生产工单) and the finite-capacity schedules planned for them.

A `WorkOrder` asks a plant to make a quantity of an item by a due time. A `Schedule` is one
planning run for a site: the operations it places (`ScheduledOperation`), its KPIs, and
whether it is a draft or the published plan the shop floor follows. Only one schedule per
site is published at a time; publishing another supersedes it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from supplymesh.platform.db import Base, BigId, UTCDateTime, Versioned, utcnow
from supplymesh.platform.errors import DomainError, IllegalTransition
from supplymesh.platform.events import Aggregate, DomainEvent
from supplymesh.platform.tenancy import TenantOwned, scoped
from supplymesh.platform.types import Quantity


class ProductionError(DomainError):
    """A production rule was broken."""


class NothingToSchedule(ProductionError):
    """The site has no open work order that can be scheduled."""

    status = 422
    title = "Nothing to schedule"


class WorkOrderStatus(StrEnum):
    PLANNED = "planned"
    RELEASED = "released"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


WORK_ORDER_TRANSITIONS: dict[str, tuple[str, ...]] = {
    WorkOrderStatus.PLANNED: (WorkOrderStatus.RELEASED, WorkOrderStatus.CANCELLED),
    WorkOrderStatus.RELEASED: (WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.CANCELLED),
    WorkOrderStatus.IN_PROGRESS: (WorkOrderStatus.DONE, WorkOrderStatus.CANCELLED),
    WorkOrderStatus.DONE: (),
    WorkOrderStatus.CANCELLED: (),
}

#: Work orders that still need machine time.
OPEN_WORK_ORDER_STATES = (
    WorkOrderStatus.PLANNED.value,
    WorkOrderStatus.RELEASED.value,
    WorkOrderStatus.IN_PROGRESS.value,
)


class ScheduleStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"


@scoped
class WorkOrder(TenantOwned, Aggregate, Base, Versioned):
    """Make `quantity` of an item at a plant, not before `release_at`, by `due_at`.

    `priority` 1–9 (9 most urgent) is the tardiness weight of the order in scheduling.
    """

    __tablename__ = "work_orders"
    __table_args__ = (UniqueConstraint("enterprise_id", "number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(40))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    release_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    priority: Mapped[int] = mapped_column(Integer, default=5)
    status: Mapped[str] = mapped_column(String(20), default=WorkOrderStatus.PLANNED.value)
    sales_order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def transition(self, wanted: str) -> None:
        """Move along planned → released → in_progress → done (or cancelled)."""
        allowed = [str(s) for s in WORK_ORDER_TRANSITIONS.get(self.status, ())]
        if wanted not in allowed:
            raise IllegalTransition("work order", self.status, wanted, allowed)
        previous, self.status = self.status, wanted
        self.record(DomainEvent("WorkOrderStatusChanged", {"from": previous, "to": wanted}))


@scoped
class Schedule(TenantOwned, Aggregate, Base, Versioned):
    """One planning run for a site; times of its operations are absolute (UTC).

    `revision` counts the site's schedules (1, 2, …); `version` is the row's optimistic lock.
    `origin_at` is the solver's time zero; `frozen_until` ends the frozen horizon it kept.
    """

    __tablename__ = "schedules"
    __table_args__ = (UniqueConstraint("enterprise_id", "site_id", "revision"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=ScheduleStatus.DRAFT.value)
    objective: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(String(300))
    alarm_id: Mapped[int | None] = mapped_column(ForeignKey("alarms.id", ondelete="SET NULL"))
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("schedules.id"))
    origin_at: Mapped[datetime] = mapped_column(UTCDateTime())
    frozen_until: Mapped[datetime] = mapped_column(UTCDateTime())
    horizon_end: Mapped[datetime] = mapped_column(UTCDateTime())
    solver_status: Mapped[str] = mapped_column(String(20))
    solver_seconds: Mapped[float] = mapped_column(Float)
    objective_value: Mapped[int | None] = mapped_column(Integer)
    bound: Mapped[int | None] = mapped_column(Integer)
    makespan_minutes: Mapped[int | None] = mapped_column(Integer)
    total_tardiness_minutes: Mapped[int | None] = mapped_column(Integer)
    late_orders: Mapped[int] = mapped_column(Integer, default=0)
    utilisation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    blocked: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    downtime: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


@scoped
class ScheduledOperation(TenantOwned, Base):
    """One routing step of one work order, placed on a machine; `fixed` when it was frozen."""

    __tablename__ = "scheduled_operations"
    __table_args__ = (Index("ix_scheduled_operations_machine_start", "machine_id", "start_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("schedules.id", ondelete="CASCADE"), index=True
    )
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    routing_step_id: Mapped[int] = mapped_column(ForeignKey("routing_steps.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    machine_id: Mapped[int] = mapped_column(ForeignKey("machines.id"))
    setup_start_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    fixed: Mapped[bool] = mapped_column(Boolean, default=False)
