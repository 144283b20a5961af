"""Use cases of the inventory context, in one place for the API, the CLI and other contexts.

The use cases live in `stock`, `positions`, `orders` and `shipments` (each reads in one
sitting); this module names them. Each takes the caller's `UnitOfWork` and a validated
command, calls the model, and flushes; the caller commits once.
"""

from __future__ import annotations

from supplymesh.inventory.orders import (
    OrderView,
    cancel,
    close,
    confirm,
    create_order,
    get_order,
    list_orders,
    release,
    update_order,
)
from supplymesh.inventory.positions import SummaryRow, summary
from supplymesh.inventory.shipments import (
    ShipmentView,
    cancel_shipment,
    create_shipment,
    deliver,
    get_shipment,
    list_shipments,
    ship,
)
from supplymesh.inventory.stock import (
    StockChange,
    StockLedger,
    adjust,
    allocate,
    change_status,
    deallocate,
    issue,
    receive,
    transfer,
)

__all__ = [
    "OrderView",
    "ShipmentView",
    "StockChange",
    "StockLedger",
    "SummaryRow",
    "adjust",
    "allocate",
    "cancel",
    "cancel_shipment",
    "change_status",
    "close",
    "confirm",
    "create_order",
    "create_shipment",
    "deallocate",
    "deliver",
    "get_order",
    "get_shipment",
    "issue",
    "list_orders",
    "list_shipments",
    "receive",
    "release",
    "ship",
    "summary",
    "transfer",
    "update_order",
]
