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
    """Taking `requested` would leave less than nothing (or less than is promised) at a position.

    `item` and `site` are the business codes when the caller knows them (SKU, site code), so
    the message names what a person recognises rather than row ids.
    """

    status = 409
    title = "Insufficient stock"

    def __init__(
        self,
        item: str,
        site: str,
        lot: str,
        status: str,
        available: Decimal,
        requested: Decimal,
        what: str = "on hand",
    ) -> None:
        super().__init__(
            f"not enough stock of item {item} at site {site} (lot {lot or '-'}, {status}): "
            f"{available} {what}, {requested} requested"
        )
        self.item = item
        self.site = site
        self.lot = lot
        self.stock_status = status
        self.available = available
        self.requested = requested


class OrderLocked(InventoryError):
    """The order is past the state in which the requested change is allowed."""

    status = 409
    title = "Conflict"


class StockStatus(StrEnum):
    AVAILABLE = "available"
    QC_HOLD = "qc_hold"
    IN_TRANSIT = "in_transit"
    AT_SUBCONTRACTOR = "at_subcontractor"
    BLOCKED = "blocked"


class MovementKind(StrEnum):
    """Why stock moved; the sign is given by `from_status` / `to_status`, never the quantity."""

    RECEIPT = "receipt"
    ISSUE = "issue"
    ADJUSTMENT = "adjustment"
    TRANSFER = "transfer"
    STATUS = "status"


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
    OrderStatus.RELEASED: (
        OrderStatus.CONFIRMED,
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.SHIPPED,
        OrderStatus.CANCELLED,
    ),
    OrderStatus.CONFIRMED: (
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.SHIPPED,
        OrderStatus.CANCELLED,
    ),
    OrderStatus.PARTIALLY_SHIPPED: (OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED),
    OrderStatus.SHIPPED: (OrderStatus.RECEIVED, OrderStatus.CLOSED),
    OrderStatus.RECEIVED: (OrderStatus.CLOSED,),
    OrderStatus.CLOSED: (),
    OrderStatus.CANCELLED: (),
}


#: States in which a purchase order's open quantity counts as on order at its ship-to site.
ORDER_EXPECTING = frozenset(
    {
        OrderStatus.RELEASED,
        OrderStatus.CONFIRMED,
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.SHIPPED,
    }
)
#: States in which shipments may be planned and shipped against an order.
ORDER_SHIPPABLE = frozenset(
    {OrderStatus.RELEASED, OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_SHIPPED}
)


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


def check_transition(
    kind: str, table: dict[str, tuple[str, ...]], current: str, wanted: str
) -> None:
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
class StockPosition(TenantOwned, Aggregate, Base, Versioned):
    """How much of an item the owner has at a site, per lot and status.

    `allocated` is promised out of the available on-hand; `on_order` is expected from open
    purchase orders and does not count as on hand. Positions record named stock events
    (`StockReceived`, `StockIssued`, ...) so subscribers need not diff generic updates.
    """

    __tablename__ = "stock_positions"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "site_id", "item_id", "lot", "status"),
        Index("ix_stock_positions_site_item", "site_id", "item_id"),
    )
    grant_kind = "site_inventory"
    grant_column = "site_id"
    extra_grants = (("item_inventory", "item_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    lot: Mapped[str] = mapped_column(String(60), default="")
    status: Mapped[str] = mapped_column(String(20), default=StockStatus.AVAILABLE.value)
    on_hand: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    allocated: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    on_order: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @classmethod
    def empty(cls, site_id: int, item_id: int, lot: str, status: str) -> StockPosition:
        """A new position holding nothing (column defaults apply only at insert)."""
        return cls(
            site_id=site_id,
            item_id=item_id,
            lot=lot,
            status=status,
            on_hand=Decimal(0),
            allocated=Decimal(0),
            on_order=Decimal(0),
        )

    @property
    def free(self) -> Decimal:
        """On hand and not allocated."""
        return self.on_hand - self.allocated

    def apply(self, delta: Decimal, item: str | None = None, site: str | None = None) -> None:
        """Add `delta` to on-hand; refuse to go negative or below what is allocated.

        Stock promised to an order cannot be issued for something else: release the
        allocation first. `item` and `site` label the error message.
        """
        if delta < 0 and -delta > self.free:
            raise self._shortage(
                item, site, self.free, -delta, "free" if self.allocated else "on hand"
            )
        self.on_hand += delta

    def count(self, counted: Decimal) -> Decimal:
        """Set on-hand to a counted quantity and return the difference.

        A count is the truth, so it is never refused; an allocation larger than what was
        counted is cut down to the count (the caller reports that).
        """
        if counted < 0:
            raise ValueError(f"a counted quantity cannot be negative: {counted}")
        delta = counted - self.on_hand
        self.on_hand = counted
        self.allocated = min(self.allocated, counted)
        return delta

    def allocate(self, quantity: Decimal, item: str | None = None, site: str | None = None) -> None:
        """Promise `quantity` of the free stock; only available stock can be promised."""
        if self.status != StockStatus.AVAILABLE:
            raise InventoryError(
                f"only available stock can be allocated; this position is {self.status}"
            )
        if quantity > self.free:
            raise self._shortage(item, site, self.free, quantity, "free")
        self.allocated += quantity

    def deallocate(
        self, quantity: Decimal, item: str | None = None, site: str | None = None
    ) -> None:
        """Release a promise; more than is allocated cannot be released."""
        if quantity > self.allocated:
            raise self._shortage(item, site, self.allocated, quantity, "allocated")
        self.allocated -= quantity

    def expect(self, delta: Decimal) -> None:
        """Change what is on order; it never drops below zero (over-deliveries end at zero)."""
        self.on_order = max(Decimal(0), self.on_order + delta)

    def _shortage(
        self, item: str | None, site: str | None, available: Decimal, requested: Decimal, what: str
    ) -> InsufficientStock:
        return InsufficientStock(
            item or str(self.item_id),
            site or str(self.site_id),
            self.lot,
            self.status,
            available,
            requested,
            what,
        )


@scoped
class StockMovement(TenantOwned, Base):
    """An immutable record of stock moving into, out of, or between statuses at a site."""

    __tablename__ = "stock_movements"
    __table_args__ = (Index("ix_stock_movements_site_item", "site_id", "item_id"),)
    grant_kind = "site_inventory"
    grant_column = "site_id"
    extra_grants = (("item_inventory", "item_id"),)

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

    def delta_for(self, status: str) -> Decimal:
        """What this movement did to the on-hand of `status` at its site and lot.

        `quantity` is always positive: it leaves `from_status` (if any) and enters
        `to_status` (if any). A status change is one movement touching two positions.
        """
        delta = Decimal(0)
        if self.to_status == status:
            delta += self.quantity
        if self.from_status == status:
            delta -= self.quantity
        return delta


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

    @property
    def allowed_transitions(self) -> list[str]:
        """The states this order may move to next."""
        return [str(s) for s in ORDER_TRANSITIONS.get(self.status, ())]

    def transition(self, wanted: str) -> None:
        """Move to `wanted` if the state machine allows it, recording the event."""
        check_transition("order", ORDER_TRANSITIONS, self.status, wanted)
        previous, self.status = self.status, wanted
        self.record(
            DomainEvent(
                "OrderStatusChanged",
                {"number": self.number, "kind": self.kind, "from": previous, "to": wanted},
            )
        )

    def require_draft(self, action: str) -> None:
        """Refuse `action` unless the order is still a draft (released orders are promises)."""
        if self.status != OrderStatus.DRAFT:
            raise OrderLocked(
                f"order {self.number} is {self.status}; only a draft order can {action}"
            )

    def require_shippable(self) -> None:
        """Refuse shipping unless the order is released and not yet fully shipped."""
        if self.status not in ORDER_SHIPPABLE:
            raise IllegalTransition(
                "order",
                self.status,
                OrderStatus.SHIPPED,
                [str(s) for s in ORDER_TRANSITIONS.get(self.status, ())],
            )

    @property
    def expects_stock(self) -> bool:
        """True while a purchase order's open quantity counts as on order."""
        return self.kind == OrderKind.PURCHASE and self.status in ORDER_EXPECTING

    def after_shipping(self, lines: list[OrderLine]) -> None:
        """Move to shipped once every line shipped in full, else to partially shipped."""
        done = all(line.quantity_shipped >= line.quantity for line in lines)
        self.transition(OrderStatus.SHIPPED if done else OrderStatus.PARTIALLY_SHIPPED)

    def after_delivery(self, lines: list[OrderLine]) -> None:
        """Move to received once everything shipped has arrived and nothing is left to ship."""
        if self.status == OrderStatus.SHIPPED and all(
            line.quantity_received >= line.quantity for line in lines
        ):
            self.transition(OrderStatus.RECEIVED)


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
    #: What was taken off the line when it was cancelled (`quantity` keeps what still counts).
    cancelled_quantity: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))

    @property
    def open_quantity(self) -> Decimal:
        """Still to be shipped."""
        return self.quantity - self.quantity_shipped

    @property
    def still_expected(self) -> Decimal:
        """Ordered and not yet received (what counts as on order); never negative."""
        return max(Decimal(0), self.quantity - self.quantity_received)


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
    status: Mapped[str] = mapped_column(
        String(20), default=ShipmentStatus.PLANNED.value, index=True
    )
    planned_ship_date: Mapped[date | None] = mapped_column(Date)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def allowed_transitions(self) -> list[str]:
        """The states this shipment may move to next."""
        return [str(s) for s in SHIPMENT_TRANSITIONS.get(self.status, ())]

    def transition(self, wanted: str) -> None:
        """Move to `wanted` if allowed, stamping when it shipped or arrived."""
        check_transition("shipment", SHIPMENT_TRANSITIONS, self.status, wanted)
        previous, self.status = self.status, wanted
        if wanted == ShipmentStatus.SHIPPED:
            self.shipped_at = utcnow()
        elif wanted == ShipmentStatus.DELIVERED:
            self.delivered_at = utcnow()
        self.record(
            DomainEvent(
                "ShipmentStatusChanged", {"number": self.number, "from": previous, "to": wanted}
            )
        )


@scoped
class ShipmentLine(PartyScoped, Base):
    """An item and lot on a shipment."""

    __tablename__ = "shipment_lines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_lines.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    lot: Mapped[str] = mapped_column(String(60), default="")
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    unit_cost: Mapped[Decimal | None] = mapped_column(Money())
