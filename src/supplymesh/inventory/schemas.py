"""Schemas and master-data resources of the inventory context.

Inputs name sites, items and enterprises either by id (``site_id``) or by business code
(``site_code``, ``item_code`` = SKU, ``partner_enterprise_code``), as the generic CRUD does;
quantities and money travel as decimal strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Literal, Self

from pydantic import Field

from supplymesh.inventory.model import (
    Lot,
    Order,
    OrderKind,
    OrderLine,
    Shipment,
    ShipmentLine,
    StockMovement,
    StockPosition,
    StockStatus,
)
from supplymesh.network.model import Item
from supplymesh.platform.crud import Reference, Resource
from supplymesh.platform.schemas import (
    Amount,
    Code,
    Currency,
    Input,
    NonNegAmount,
    NonNegQty,
    Output,
    PosQty,
    Qty,
    partial,
)

LotCode = Annotated[str, Field(max_length=60, description="lot code; empty for no lot")]
DocumentReference = Annotated[
    str, Field(max_length=80, description="the document behind the movement")
]


class LotCreate(Input):
    item_id: int | None = None
    item_code: str | None = None
    code: str = Field(min_length=1, max_length=60)
    produced_on: date | None = None
    expires_on: date | None = None
    supplier_enterprise_id: int | None = None
    supplier_lot: str | None = None


class LotPublic(Output):
    id: int
    enterprise_id: int
    item_id: int
    code: str
    produced_on: date | None
    expires_on: date | None
    supplier_enterprise_id: int | None
    supplier_lot: str | None


class StockPositionPublic(Output):
    id: int
    enterprise_id: int
    site_id: int
    item_id: int
    lot: str
    status: str
    on_hand: Qty
    allocated: Qty
    on_order: Qty
    updated_at: datetime
    version: int


class StockMovementPublic(Output):
    id: int
    enterprise_id: int
    site_id: int
    item_id: int
    lot: str
    kind: str
    from_status: str | None
    to_status: str | None
    quantity: Qty
    reference: str | None
    at: datetime
    user_id: int | None


# --- stock commands -------------------------------------------------------------------------


class _AtSite(Input):
    site_id: int | None = None
    site_code: str | None = None
    item_id: int | None = None
    item_code: str | None = Field(default=None, description="the item's SKU")
    lot: LotCode = ""
    reference: DocumentReference | None = None


class StockReceipt(_AtSite):
    """Goods arriving at one of the caller's sites; a new lot of a lot-controlled item is kept."""

    quantity: PosQty
    status: StockStatus = StockStatus.AVAILABLE
    produced_on: date | None = None
    expires_on: date | None = None
    supplier_lot: str | None = Field(default=None, max_length=60)


class StockIssue(_AtSite):
    """Goods leaving one of the caller's sites (consumption, scrap, sale over the counter)."""

    quantity: PosQty
    status: StockStatus = StockStatus.AVAILABLE


class StockTransfer(Input):
    """Goods moving between two of the caller's own sites."""

    from_site_id: int | None = None
    from_site_code: str | None = None
    to_site_id: int | None = None
    to_site_code: str | None = None
    item_id: int | None = None
    item_code: str | None = None
    lot: LotCode = ""
    quantity: PosQty
    from_status: StockStatus = StockStatus.AVAILABLE
    arrive_as: Literal["in_transit", "available"] = "in_transit"
    reference: DocumentReference | None = None


class StockAdjustment(_AtSite):
    """A cycle count: the position is set to `counted_quantity` and the difference recorded."""

    counted_quantity: NonNegQty
    status: StockStatus = StockStatus.AVAILABLE
    version: int | None = Field(
        default=None, description="the position version the count was taken against"
    )


class StockStatusChange(_AtSite):
    """Stock changing status at one site, e.g. qc_hold → available or available → blocked."""

    quantity: PosQty
    from_status: StockStatus
    to_status: StockStatus


class StockAllocation(_AtSite):
    """Available stock promised to (or released from) a demand."""

    quantity: PosQty


class StockChangePublic(Output):
    movements: list[StockMovementPublic]
    positions: list[StockPositionPublic]

    @classmethod
    def of(cls, movements: Sequence[StockMovement], positions: Sequence[StockPosition]) -> Self:
        return cls.model_validate({"movements": list(movements), "positions": list(positions)})


class StockSummaryRow(Output):
    """Totals of one site × item (× lot × status when asked); `free` = available − allocated."""

    enterprise_id: int
    site_id: int
    item_id: int
    lot: str | None
    status: str | None
    on_hand: Qty
    available: Qty
    allocated: Qty
    free: Qty
    on_order: Qty


class StockSummaryPage(Output):
    items: list[StockSummaryRow]
    total: int
    offset: int
    limit: int


# --- orders ---------------------------------------------------------------------------------


class OrderLineIn(Input):
    item_id: int | None = None
    item_code: str | None = Field(default=None, description="the item's SKU")
    quantity: PosQty
    unit_price: NonNegAmount | None = None
    requested_date: date | None = None


class OrderCreate(Input):
    """A new draft order.

    Purchase orders name the supplier (`partner_enterprise_*`) and the caller's receiving site
    (`ship_to_site_*`); sales orders the caller's shipping site and optionally the customer;
    transfer orders two of the caller's sites and no partner.
    """

    kind: OrderKind
    number: Code | None = Field(default=None, description="generated (PO-000001) when omitted")
    partner_enterprise_id: int | None = None
    partner_enterprise_code: str | None = None
    ship_from_site_id: int | None = None
    ship_from_site_code: str | None = None
    ship_to_site_id: int | None = None
    ship_to_site_code: str | None = None
    order_date: date | None = Field(default=None, description="today when omitted")
    requested_date: date | None = None
    currency: Currency = "CNY"
    note: str | None = Field(default=None, max_length=500)
    lines: list[OrderLineIn] = Field(default_factory=list)


class OrderUpdate(Input):
    """Changes to a draft order; `lines`, when given, replace all lines."""

    version: int = Field(description="the version the change is based on")
    number: Code | None = None
    partner_enterprise_id: int | None = None
    partner_enterprise_code: str | None = None
    ship_from_site_id: int | None = None
    ship_from_site_code: str | None = None
    ship_to_site_id: int | None = None
    ship_to_site_code: str | None = None
    order_date: date | None = None
    requested_date: date | None = None
    currency: Currency | None = None
    note: str | None = Field(default=None, max_length=500)
    lines: list[OrderLineIn] | None = None


class VersionedAction(Input):
    """A state change; `version`, when given, must match (optimistic locking)."""

    version: int | None = None


class OrderLinePublic(Output):
    id: int
    line_no: int
    item_id: int
    quantity: Qty
    unit_price: Amount | None
    requested_date: date | None
    quantity_shipped: Qty
    quantity_received: Qty
    cancelled_quantity: Qty
    open_quantity: Qty


class OrderPublic(Output):
    id: int
    enterprise_id: int
    partner_enterprise_id: int | None
    number: str
    kind: str
    status: str
    allowed_transitions: list[str]
    ship_from_site_id: int | None
    ship_to_site_id: int | None
    order_date: date
    requested_date: date | None
    currency: str
    note: str | None
    created_at: datetime
    version: int
    lines: list[OrderLinePublic]

    @classmethod
    def of(cls, order: Order, lines: Sequence[OrderLine]) -> Self:
        """The order with its lines (the table has no relationship to load them through)."""
        fields = {name: getattr(order, name) for name in cls.model_fields if name != "lines"}
        return cls.model_validate({**fields, "lines": list(lines)})


class OrderPage(Output):
    items: list[OrderPublic]
    total: int
    offset: int
    limit: int


# --- shipments ------------------------------------------------------------------------------


class ShipmentLineIn(Input):
    order_line_id: int
    quantity: PosQty
    lot: LotCode = ""
    unit_cost: NonNegAmount | None = None


class ShipmentCreate(Input):
    """A planned shipment against an order; without `lines` it takes everything not yet planned.

    The sites default to the order's; the end that is not the caller's (a supplier's ship-from
    site, a customer's ship-to site) must be visible to the caller.
    """

    order_id: int | None = None
    order_number: str | None = None
    number: Code | None = Field(default=None, description="generated (SH-000001) when omitted")
    from_site_id: int | None = None
    from_site_code: str | None = None
    to_site_id: int | None = None
    to_site_code: str | None = None
    carrier_enterprise_id: int | None = None
    carrier_enterprise_code: str | None = None
    planned_ship_date: date | None = None
    lines: list[ShipmentLineIn] | None = None


class ShipmentDelivery(VersionedAction):
    """Delivery of a shipment; received goods go into `into_status` at the destination."""

    into_status: Literal["available", "qc_hold"] = "available"


class ShipmentLinePublic(Output):
    id: int
    order_line_id: int | None
    item_id: int
    lot: str
    quantity: Qty
    unit_cost: Amount | None


class ShipmentPublic(Output):
    id: int
    enterprise_id: int
    partner_enterprise_id: int | None
    number: str
    order_id: int | None
    from_site_id: int
    to_site_id: int
    carrier_enterprise_id: int | None
    status: str
    allowed_transitions: list[str]
    planned_ship_date: date | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    version: int
    lines: list[ShipmentLinePublic]

    @classmethod
    def of(cls, shipment: Shipment, lines: Sequence[ShipmentLine]) -> Self:
        """The shipment with its lines."""
        fields = {name: getattr(shipment, name) for name in cls.model_fields if name != "lines"}
        return cls.model_validate({**fields, "lines": list(lines)})


class ShipmentPage(Output):
    items: list[ShipmentPublic]
    total: int
    offset: int
    limit: int


RESOURCES: tuple[Resource, ...] = (
    Resource(
        "lots",
        Lot,
        LotCreate,
        partial(LotCreate, "LotUpdate"),
        LotPublic,
        natural_key=("item_id", "code"),
        references=(Reference("item_id", Item, "sku"),),
        filters=("item_id", "code"),
    ),
    Resource(
        "stock-positions",
        StockPosition,
        Input,
        Input,
        StockPositionPublic,
        read_only=True,
        filters=("site_id", "item_id", "lot", "status", "enterprise_id"),
    ),
    Resource(
        "stock-movements",
        StockMovement,
        Input,
        Input,
        StockMovementPublic,
        read_only=True,
        filters=("site_id", "item_id", "lot", "kind", "reference"),
    ),
)
