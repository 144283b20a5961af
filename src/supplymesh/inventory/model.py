"""Stock, its movements, and the orders and shipments that move it.

A `StockPosition` is keyed by owner × site × item × lot × status; quantities change only
through `StockMovement`s recorded by the service, so the position is always the sum of its
movements. Orders and shipments are state machines: an illegal transition raises
`IllegalTransition` with the allowed ones.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from supplymesh.platform.db import Base, BigId, UTCDateTime, Versioned, utcnow
from supplymesh.platform.errors import DomainError, IllegalTransition
from supplymesh.platform.events import Aggregate, DomainEvent
from supplymesh.platform.tenancy import PartyScoped, TenantOwned, scoped
from supplymesh.platform.types import Money, Quantity


class InventoryError(DomainError):
    """An inventory rule was broken."""


class InsufficientStock(InventoryError):
    status = 409
    title = "Conflict"


class StockStatus(StrEnum):
    AVAILABLE = "available"
    QC_HOLD = "qc_hold"
    IN_TRANSIT = "in_transit"
    AT_SUBCONTRACTOR = "at_subcontractor"
    BLOCKED = "blocked"


class OrderKind(StrEnum):
    SALES = "sales"
    PURCHASE = "purchase"
    TRANSFER = "transfer"


class OrderStatus(StrEnum):
    DRAFT = "draft"
    RELEASED = "released"
    CONFIRMED = "confirmed"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    RECEIVED = "received"
    CLOSED = "closed"
    CANCELLED = "cancelled"


ORDER_TRANSITIONS: dict[str, tuple[str, ...]] = {
    OrderStatus.DRAFT: (OrderStatus.RELEASED, OrderStatus.CANCELLED),
    OrderStatus.RELEASED: (OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.CANCELLED),
    OrderStatus.CONFIRMED: (OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.CANCELLED),
    OrderStatus.PARTIALLY_SHIPPED: (OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED),
    OrderStatus.SHIPPED: (OrderStatus.RECEIVED, OrderStatus.CLOSED),
    OrderStatus.RECEIVED: (OrderStatus.CLOSED,),
    OrderStatus.CLOSED: (),
    OrderStatus.CANCELLED: (),
}


class ShipmentStatus(StrEnum):
    PLANNED = "planned"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


SHIPMENT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ShipmentStatus.PLANNED: (ShipmentStatus.SHIPPED, ShipmentStatus.CANCELLED),
    ShipmentStatus.SHIPPED: (ShipmentStatus.DELIVERED,),
    ShipmentStatus.DELIVERED: (),
    ShipmentStatus.CANCELLED: (),
}


def check_transition(kind: str, table: dict[str, tuple[str, ...]], current: str, wanted: str) -> None:
    """Raise `IllegalTransition` unless `current` → `wanted` is in `table`."""
    allowed = [str(s) for s in table.get(current, ())]
    if wanted not in allowed:
        raise IllegalTransition(kind, current, wanted, allowed)


@scoped
class Lot(TenantOwned, Base):
    """A batch of one item, with its dates and where it came from."""

    __tablename__ = "lots"
    __table_args__ = (UniqueConstraint("enterprise_id", "item_id", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    produced_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    supplier_enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    supplier_lot: Mapped[str | None] = mapped_column(String(60))


@scoped
class StockPosition(TenantOwned, Base, Versioned):
    """How much of an item the owner has at a site, per lot and status."""

    __tablename__ = "stock_positions"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "site_id", "item_id", "lot", "status"),
        Index("ix_stock_positions_site_item", "site_id", "item_id"),
    )
    grant_kind = "site_inventory"
    grant_column = "site_id"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    lot: Mapped[str] = mapped_column(String(60), default="")
    status: Mapped[str] = mapped_column(String(20), default=StockStatus.AVAILABLE.value)
    on_hand: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    allocated: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    on_order: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def free(self) -> Decimal:
        """On hand and not allocated."""
        return self.on_hand - self.allocated

    def apply(self, delta: Decimal) -> None:
        """Add `delta` to on-hand; refuse to go negative or below what is allocated."""
        if self.on_hand + delta < 0:
            raise InsufficientStock(
                f"item {self.item_id} at site {self.site_id} lot {self.lot or '-'} ({self.status}): "
                f"on hand {self.on_hand}, cannot remove {-delta}"
            )
        self.on_hand += delta

    def allocate(self, quantity: Decimal) -> None:
        if quantity > self.free:
            raise InsufficientStock(
                f"item {self.item_id} at site {self.site_id}: free {self.free}, cannot allocate {quantity}"
            )
        self.allocated += quantity


@scoped
class StockMovement(TenantOwned, Base):
    """An immutable record of stock moving into, out of, or between statuses at a site."""

    __tablename__ = "stock_movements"
    __table_args__ = (Index("ix_stock_movements_site_item", "site_id", "item_id"),)
    grant_kind = "site_inventory"
    grant_column = "site_id"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    lot: Mapped[str] = mapped_column(String(60), default="")
    kind: Mapped[str] = mapped_column(String(30))  # receipt, issue, adjustment, transfer, status
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    reference: Mapped[str | None] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None]


@scoped
class Order(PartyScoped, Aggregate, Base, Versioned):
    """A sales, purchase or transfer order; the partner (supplier/customer) sees it too."""

    __tablename__ = "orders"
    __table_args__ = (UniqueConstraint("enterprise_id", "number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(30), default=OrderStatus.DRAFT.value, index=True)
    ship_from_site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    ship_to_site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    order_date: Mapped[date] = mapped_column(Date)
    requested_date: Mapped[date | None] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def transition(self, wanted: str) -> None:
        """Move to `wanted` if the state machine allows it, recording the event."""
        check_transition("order", ORDER_TRANSITIONS, self.status, wanted)
        previous, self.status = self.status, wanted
        self.record(DomainEvent("OrderStatusChanged", {"number": self.number, "from": previous, "to": wanted}))


@scoped
class OrderLine(PartyScoped, Base, Versioned):
    """One item on an order, with how much has shipped and arrived."""

    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("order_id", "line_no"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int]
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    unit_price: Mapped[Decimal | None] = mapped_column(Money())
    requested_date: Mapped[date | None] = mapped_column(Date)
    quantity_shipped: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    quantity_received: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))

    @property
    def open_quantity(self) -> Decimal:
        return self.quantity - self.quantity_shipped


@scoped
class Shipment(PartyScoped, Aggregate, Base, Versioned):
    """Goods moving from one site to another, usually against an order."""

    __tablename__ = "shipments"
    __table_args__ = (UniqueConstraint("enterprise_id", "number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(40))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    from_site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    to_site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    carrier_enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    status: Mapped[str] = mapped_column(String(20), default=ShipmentStatus.PLANNED.value, index=True)
    planned_ship_date: Mapped[date | None] = mapped_column(Date)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def transition(self, wanted: str) -> None:
        check_transition("shipment", SHIPMENT_TRANSITIONS, self.status, wanted)
        previous, self.status = self.status, wanted
        if wanted == ShipmentStatus.SHIPPED:
            self.shipped_at = utcnow()
        elif wanted == ShipmentStatus.DELIVERED:
            self.delivered_at = utcnow()
        self.record(DomainEvent("ShipmentStatusChanged", {"number": self.number, "from": previous, "to": wanted}))


@scoped
class ShipmentLine(PartyScoped, Base):
    """An item and lot on a shipment."""

    __tablename__ = "shipment_lines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_lines.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    lot: Mapped[str] = mapped_column(String(60), default="")
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    unit_cost: Mapped[Decimal | None] = mapped_column(Money())
