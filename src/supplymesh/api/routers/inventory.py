"""Inventory routes beyond plain CRUD: stock movements, orders, shipments.

Thin: parse, call a use case, commit once, present. Errors are the use cases' `DomainError`s,
turned into problem documents by the app. A partner that tries to change an order or
shipment addressed to it gets 403 (it may read it, so 404 would be a lie); anyone else 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response

from supplymesh.api.deps import UowDep
from supplymesh.inventory import orders, positions, shipments, stock
from supplymesh.inventory.model import OrderKind, OrderStatus, ShipmentStatus
from supplymesh.inventory.schemas import (
    OrderCreate,
    OrderPage,
    OrderPublic,
    OrderUpdate,
    ShipmentCreate,
    ShipmentDelivery,
    ShipmentPage,
    ShipmentPublic,
    StockAdjustment,
    StockAllocation,
    StockChangePublic,
    StockIssue,
    StockReceipt,
    StockStatusChange,
    StockSummaryPage,
    StockSummaryRow,
    StockTransfer,
    VersionedAction,
)
from supplymesh.platform.types import MAX_INT
from supplymesh.platform.uow import UnitOfWork

router = APIRouter(prefix="/api/v1", tags=["inventory"])

# Anything outside BIGINT cannot exist, so it is a 422 rather than a database error.
Id = Annotated[int, Path(ge=1, le=MAX_INT)]
IdFilter = Annotated[int | None, Query(ge=1, le=MAX_INT)]
Offset = Annotated[int, Query(ge=0, le=MAX_INT)]
Limit = Annotated[int, Query(ge=1, le=500)]
IfMatch = Annotated[str | None, Header(description="the version the change is based on")]


def _version(payload: VersionedAction | None, if_match: str | None) -> int | None:
    """The version from the body, else from an ``If-Match`` header (``"3"`` or ``W/"3"``)."""
    if payload is not None and payload.version is not None:
        return payload.version
    digits = (if_match or "").strip('W/" ')
    return int(digits) if digits.isdigit() else None


def _change(uow: UnitOfWork, change: stock.StockChange) -> StockChangePublic:
    uow.commit()
    return StockChangePublic.of(change.movements, change.positions)


# --- stock ------------------------------------------------------------------------------------


@router.post("/stock/receipts", response_model=StockChangePublic, status_code=201, tags=["stock"])
def receive(payload: StockReceipt, uow: UowDep) -> StockChangePublic:
    """Receive goods into a status at one of your sites."""
    return _change(uow, stock.receive(uow, payload))


@router.post("/stock/issues", response_model=StockChangePublic, status_code=201, tags=["stock"])
def issue(payload: StockIssue, uow: UowDep) -> StockChangePublic:
    """Issue goods from one of your sites; negative stock answers 409."""
    return _change(uow, stock.issue(uow, payload))


@router.post("/stock/transfers", response_model=StockChangePublic, status_code=201, tags=["stock"])
def transfer(payload: StockTransfer, uow: UowDep) -> StockChangePublic:
    """Move goods between two of your sites, arriving in transit or available."""
    return _change(uow, stock.transfer(uow, payload))


@router.post(
    "/stock/adjustments", response_model=StockChangePublic, status_code=201, tags=["stock"]
)
def adjust(payload: StockAdjustment, uow: UowDep) -> StockChangePublic:
    """Record a cycle count: the position becomes the counted quantity."""
    return _change(uow, stock.adjust(uow, payload))


@router.post(
    "/stock/status-changes", response_model=StockChangePublic, status_code=201, tags=["stock"]
)
def change_status(payload: StockStatusChange, uow: UowDep) -> StockChangePublic:
    """Move stock between statuses at one site (qc_hold → available, available → blocked)."""
    return _change(uow, stock.change_status(uow, payload))


@router.post("/stock/allocations", response_model=StockChangePublic, tags=["stock"])
def allocate(payload: StockAllocation, uow: UowDep) -> StockChangePublic:
    """Promise free available stock."""
    return _change(uow, stock.allocate(uow, payload))


@router.post("/stock/deallocations", response_model=StockChangePublic, tags=["stock"])
def deallocate(payload: StockAllocation, uow: UowDep) -> StockChangePublic:
    """Release promised stock."""
    return _change(uow, stock.deallocate(uow, payload))


@router.get("/stock/summary", response_model=StockSummaryPage, tags=["stock"])
def summary(
    uow: UowDep,
    site_id: IdFilter = None,
    site_code: str | None = None,
    item_id: IdFilter = None,
    item_code: str | None = None,
    by_lot: bool = False,
    by_status: bool = False,
    offset: Offset = 0,
    limit: Limit = 100,
) -> StockSummaryPage:
    """On hand, available, allocated, free and on order per site × item.

    Covers your own sites and the sites others share with you for inventory.
    """
    page = positions.summary(
        uow, site_id, site_code, item_id, item_code, by_lot, by_status, offset, limit
    )
    rows = [StockSummaryRow.model_validate(row) for row in page.items]
    return StockSummaryPage(items=rows, total=page.total, offset=page.offset, limit=page.limit)


# --- orders -----------------------------------------------------------------------------------


def _order(view: orders.OrderView) -> OrderPublic:
    return OrderPublic.of(view.order, view.lines)


@router.post("/orders", response_model=OrderPublic, status_code=201, tags=["orders"])
def create_order(payload: OrderCreate, uow: UowDep, response: Response) -> OrderPublic:
    """Create a draft sales, purchase or transfer order with its lines."""
    view = orders.create_order(uow, payload)
    uow.commit()
    response.headers["Location"] = f"/api/v1/orders/{view.order.id}"
    return _order(view)


@router.get("/orders", response_model=OrderPage, tags=["orders"])
def list_orders(
    uow: UowDep,
    kind: OrderKind | None = None,
    status: OrderStatus | None = None,
    partner_enterprise_id: IdFilter = None,
    enterprise_id: IdFilter = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> OrderPage:
    """Your orders and the orders addressed to you, newest first."""
    page = orders.list_orders(
        uow, kind, status, partner_enterprise_id, enterprise_id, offset, limit
    )
    return OrderPage(
        items=[_order(v) for v in page.items],
        total=page.total,
        offset=page.offset,
        limit=page.limit,
    )


@router.get("/orders/{order_id}", response_model=OrderPublic, tags=["orders"])
def read_order(order_id: Id, uow: UowDep) -> OrderPublic:
    """One order with its lines."""
    return _order(orders.get_order(uow, order_id))


@router.patch("/orders/{order_id}", response_model=OrderPublic, tags=["orders"])
def update_order(order_id: Id, payload: OrderUpdate, uow: UowDep) -> OrderPublic:
    """Change a draft order (``version`` required; ``lines`` replace all lines)."""
    view = orders.update_order(uow, order_id, payload)
    uow.commit()
    return _order(view)


OrderAction = Callable[[UnitOfWork, int, int | None], orders.OrderView]


def _order_action(name: str, action: OrderAction, summary: str) -> None:
    def endpoint(
        order_id: Id,
        uow: UowDep,
        payload: VersionedAction | None = None,
        if_match: IfMatch = None,
    ) -> OrderPublic:
        view = action(uow, order_id, _version(payload, if_match))
        uow.commit()
        return _order(view)

    router.add_api_route(
        f"/orders/{{order_id}}/{name}",
        endpoint,
        methods=["POST"],
        response_model=OrderPublic,
        summary=summary,
        name=f"{name}_order",
        tags=["orders"],
    )


_order_action("release", orders.release, "Release a draft order (a PO goes on order)")
_order_action("confirm", orders.confirm, "Record that the partner accepted the order")
_order_action("cancel", orders.cancel, "Cancel an order that has not shipped")
_order_action("close", orders.close, "Close a shipped or received order")


# --- shipments --------------------------------------------------------------------------------


def _shipment(view: shipments.ShipmentView) -> ShipmentPublic:
    return ShipmentPublic.of(view.shipment, view.lines)


@router.post("/shipments", response_model=ShipmentPublic, status_code=201, tags=["shipments"])
def create_shipment(payload: ShipmentCreate, uow: UowDep, response: Response) -> ShipmentPublic:
    """Plan a shipment against one of your released orders."""
    view = shipments.create_shipment(uow, payload)
    uow.commit()
    response.headers["Location"] = f"/api/v1/shipments/{view.shipment.id}"
    return _shipment(view)


@router.get("/shipments", response_model=ShipmentPage, tags=["shipments"])
def list_shipments(
    uow: UowDep,
    order_id: IdFilter = None,
    status: ShipmentStatus | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> ShipmentPage:
    """Your shipments and those addressed to you, newest first."""
    page = shipments.list_shipments(uow, order_id, status, offset, limit)
    return ShipmentPage(
        items=[_shipment(v) for v in page.items],
        total=page.total,
        offset=page.offset,
        limit=page.limit,
    )


@router.get("/shipments/{shipment_id}", response_model=ShipmentPublic, tags=["shipments"])
def read_shipment(shipment_id: Id, uow: UowDep) -> ShipmentPublic:
    """One shipment with its lines."""
    return _shipment(shipments.get_shipment(uow, shipment_id))


@router.post("/shipments/{shipment_id}/ship", response_model=ShipmentPublic, tags=["shipments"])
def ship(
    shipment_id: Id,
    uow: UowDep,
    payload: VersionedAction | None = None,
    if_match: IfMatch = None,
) -> ShipmentPublic:
    """Goods leave: stock is issued at your source site; the order moves to shipped."""
    view = shipments.ship(uow, shipment_id, _version(payload, if_match))
    uow.commit()
    return _shipment(view)


@router.post("/shipments/{shipment_id}/deliver", response_model=ShipmentPublic, tags=["shipments"])
def deliver(
    shipment_id: Id,
    uow: UowDep,
    payload: ShipmentDelivery | None = None,
    if_match: IfMatch = None,
) -> ShipmentPublic:
    """Goods arrive: stock is received at your destination; the order may become received."""
    into = payload.into_status if payload is not None else "available"
    view = shipments.deliver(uow, shipment_id, _version(payload, if_match), into)
    uow.commit()
    return _shipment(view)


@router.post("/shipments/{shipment_id}/cancel", response_model=ShipmentPublic, tags=["shipments"])
def cancel_shipment(
    shipment_id: Id,
    uow: UowDep,
    payload: VersionedAction | None = None,
    if_match: IfMatch = None,
) -> ShipmentPublic:
    """Drop a planned shipment; its quantities can be planned again."""
    view = shipments.cancel_shipment(uow, shipment_id, _version(payload, if_match))
    uow.commit()
    return _shipment(view)
