"""Shipment use cases: plan against an order, ship, deliver, cancel, read.

The enterprise that owns the order owns its shipments and performs every step; stock moves
only at its own sites (cross-enterprise documents — ship notices, receiving notices — come
with the collaboration context):

- sales: `ship` issues from the ship-from site; `deliver` receives nothing (the goods are
  the customer's now) and only counts them as received.
- purchase: `ship` moves no stock (it is the supplier's until it arrives); `deliver`
  receives at the caller's ship-to site and takes the quantity off on-order.
- transfer: `ship` moves stock out of the source and into the destination as in transit;
  `deliver` turns it available (or qc_hold) there.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from supplymesh.inventory import refs
from supplymesh.inventory.model import (
    MovementKind,
    Order,
    OrderKind,
    OrderLine,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    StockStatus,
)
from supplymesh.inventory.orders import lines_of, next_number, owned_order
from supplymesh.inventory.schemas import ShipmentCreate, ShipmentLineIn
from supplymesh.inventory.stock import StockLedger, ensure_lot, move_between
from supplymesh.network.model import Item, Site
from supplymesh.platform import crud
from supplymesh.platform.crud import Page
from supplymesh.platform.errors import (
    FieldError,
    NotFound,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
    invalid,
)
from supplymesh.platform.types import plain
from supplymesh.platform.uow import UnitOfWork


@dataclass(frozen=True)
class ShipmentView:
    """A shipment with its lines, as use cases return it."""

    shipment: Shipment
    lines: list[ShipmentLine]


def _lines_of(uow: UnitOfWork, shipment_ids: list[int]) -> dict[int, list[ShipmentLine]]:
    out: dict[int, list[ShipmentLine]] = defaultdict(list)
    if shipment_ids:
        query = (
            select(ShipmentLine)
            .where(ShipmentLine.shipment_id.in_(shipment_ids))
            .order_by(ShipmentLine.shipment_id, ShipmentLine.id)
        )
        for line in uow.session.scalars(query):
            out[line.shipment_id].append(line)
    return out


def _view(uow: UnitOfWork, shipment: Shipment) -> ShipmentView:
    uow.flush()
    return ShipmentView(shipment, _lines_of(uow, [shipment.id])[shipment.id])


def _planned(uow: UnitOfWork, order_line_ids: list[int]) -> dict[int, Decimal]:
    """How much of each order line is already on a shipment that is not cancelled."""
    if not order_line_ids:
        return {}
    query = (
        select(ShipmentLine.order_line_id, func.sum(ShipmentLine.quantity))
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .where(
            ShipmentLine.order_line_id.in_(order_line_ids),
            Shipment.status != ShipmentStatus.CANCELLED.value,
        )
        .group_by(ShipmentLine.order_line_id)
    )
    rows = uow.session.execute(query).all()
    return {int(k): plain(v) for k, v in rows if k is not None}


def _order_for(uow: UnitOfWork, cmd: ShipmentCreate) -> Order:
    if cmd.order_number:
        found = uow.session.scalar(
            select(Order.id).where(
                Order.enterprise_id == uow.ctx.enterprise_id, Order.number == cmd.order_number
            )
        )
        if found is None:
            raise NotFound("Order", cmd.order_number)
        if cmd.order_id is not None and cmd.order_id != found:
            raise invalid("order_id", "order_id and order_number name different orders")
        return owned_order(uow, found)
    if cmd.order_id is None:
        raise invalid("order_id", "give order_id or order_number")
    return owned_order(uow, cmd.order_id)


def _ends(uow: UnitOfWork, order: Order, cmd: ShipmentCreate) -> tuple[Site, Site]:
    """From and to sites: the caller's end(s) are the order's; the far end may be given."""
    own_ends = {
        OrderKind.PURCHASE: {"to"},
        OrderKind.SALES: {"from"},
        OrderKind.TRANSFER: {"from", "to"},
    }[OrderKind(order.kind)]
    ends: dict[str, Site] = {}
    for end in ("from", "to"):
        field = f"{end}_site_id"
        order_site_id = getattr(order, f"ship_{end}_site_id")
        given = refs.site(uow, getattr(cmd, field), getattr(cmd, f"{end}_site_code"), field)
        if given is not None and end in own_ends and given.id != order_site_id:
            raise invalid(field, f"must be the order's own site (id {order_site_id})")
        if given is not None and given.enterprise_id not in (
            order.enterprise_id,
            order.partner_enterprise_id,
        ):
            raise invalid(field, f"site {given.code} belongs to neither party of the order")
        site = given
        if site is None and order_site_id is not None:
            site = uow.session.get(Site, order_site_id)
        if site is None:
            raise invalid(field, f"the order names no ship-{end} site: give {field}")
        ends[end] = site
    return ends["from"], ends["to"]


def create_shipment(uow: UnitOfWork, cmd: ShipmentCreate) -> ShipmentView:
    """Plan a shipment against a released order, for at most what is not yet planned."""
    order = _order_for(uow, cmd)
    order.require_shippable()
    source, target = _ends(uow, order, cmd)
    carrier = refs.enterprise(
        uow, cmd.carrier_enterprise_id, cmd.carrier_enterprise_code, "carrier_enterprise_id"
    )
    order_lines = {line.id: line for line in lines_of(uow, [order.id])[order.id]}
    planned = _planned(uow, list(order_lines))
    wanted = cmd.lines
    if wanted is None:
        wanted = [
            ShipmentLineIn(order_line_id=line.id, quantity=rest)
            for line in order_lines.values()
            if (rest := line.quantity - planned.get(line.id, Decimal(0))) > 0
        ]
        if not wanted:
            raise invalid("lines", f"everything on order {order.number} is already planned")
    errors: list[FieldError] = []
    items: dict[int, Item] = {}
    for index, want in enumerate(wanted):
        line = order_lines.get(want.order_line_id)
        if line is None:
            errors.append(FieldError(f"lines.{index}.order_line_id", "not a line of this order"))
            continue
        rest = line.quantity - planned.get(line.id, Decimal(0))
        if want.quantity > rest:
            errors.append(
                FieldError(
                    f"lines.{index}.quantity",
                    f"line {line.line_no} has {rest} left to ship, {want.quantity} requested",
                )
            )
        planned[line.id] = planned.get(line.id, Decimal(0)) + want.quantity
        item = uow.session.get(Item, line.item_id)
        if item is None:
            raise NotFound("Item", line.item_id)
        if item.lot_controlled and not want.lot:
            errors.append(FieldError(f"lines.{index}.lot", f"item {item.sku} is lot-controlled"))
        items[index] = item
    if errors:
        raise ValidationFailed(errors)
    shipment = Shipment(
        enterprise_id=order.enterprise_id,
        partner_enterprise_id=order.partner_enterprise_id,
        number=cmd.number or next_number(uow, Shipment, "SH"),
        order_id=order.id,
        from_site_id=source.id,
        to_site_id=target.id,
        carrier_enterprise_id=None if carrier is None else carrier.id,
        status=ShipmentStatus.PLANNED.value,
        planned_ship_date=cmd.planned_ship_date,
    )
    uow.add(shipment)
    uow.flush()
    for index, want in enumerate(wanted):
        uow.add(
            ShipmentLine(
                enterprise_id=shipment.enterprise_id,
                partner_enterprise_id=shipment.partner_enterprise_id,
                shipment_id=shipment.id,
                order_line_id=want.order_line_id,
                item_id=items[index].id,
                lot=want.lot,
                quantity=want.quantity,
                unit_cost=want.unit_cost,
            )
        )
    return _view(uow, shipment)


def _owned(uow: UnitOfWork, shipment_id: int, expected_version: int | None) -> Shipment:
    shipment = uow.session.get(Shipment, shipment_id)
    if shipment is None:
        raise NotFound("Shipment", shipment_id)
    if not uow.ctx.is_system and shipment.enterprise_id != uow.ctx.enterprise_id:
        raise PermissionDenied(
            f"shipment {shipment.number} belongs to another enterprise; "
            "only its owner may change it"
        )
    if expected_version is not None and expected_version != shipment.version:
        raise StaleVersion("Shipment", shipment.number, expected_version, shipment.version)
    return shipment


@dataclass(frozen=True)
class _Loaded:
    order: Order
    order_lines: dict[int, OrderLine]
    source: Site
    target: Site
    lines: list[tuple[ShipmentLine, OrderLine, Item]]


def _load(uow: UnitOfWork, shipment: Shipment) -> _Loaded:
    if shipment.order_id is None:
        raise invalid("order_id", f"shipment {shipment.number} has no order")
    order = owned_order(uow, shipment.order_id)
    order_lines = {line.id: line for line in lines_of(uow, [order.id])[order.id]}
    source = uow.session.get(Site, shipment.from_site_id)
    target = uow.session.get(Site, shipment.to_site_id)
    if source is None or target is None:
        raise NotFound("Site", shipment.from_site_id if source is None else shipment.to_site_id)
    lines = []
    for line in _lines_of(uow, [shipment.id])[shipment.id]:
        item = uow.session.get(Item, line.item_id)
        if item is None or line.order_line_id not in order_lines:
            raise NotFound("Item", line.item_id)
        lines.append((line, order_lines[line.order_line_id], item))
    return _Loaded(order, order_lines, source, target, lines)


def ship(uow: UnitOfWork, shipment_id: int, expected_version: int | None = None) -> ShipmentView:
    """Goods leave: stock is issued at an own source and the order moves to (partially) shipped."""
    shipment = _owned(uow, shipment_id, expected_version)
    loaded = _load(uow, shipment)
    loaded.order.require_shippable()
    shipment.transition(ShipmentStatus.SHIPPED)
    ledger = StockLedger(uow, shipment.number)
    for line, order_line, item in loaded.lines:
        if loaded.order.kind == OrderKind.SALES:
            pos = ledger.move(
                loaded.source,
                item,
                line.lot,
                line.quantity,
                MovementKind.ISSUE,
                StockStatus.AVAILABLE,
                None,
            )
            ledger.event(pos, loaded.source, item, "StockIssued", quantity=line.quantity)
        elif loaded.order.kind == OrderKind.TRANSFER:
            move_between(
                ledger,
                loaded.source,
                loaded.target,
                item,
                line.lot,
                line.quantity,
                StockStatus.AVAILABLE,
                StockStatus.IN_TRANSIT,
            )
        order_line.quantity_shipped += line.quantity
    loaded.order.after_shipping(list(loaded.order_lines.values()))
    return _view(uow, shipment)


def deliver(
    uow: UnitOfWork,
    shipment_id: int,
    expected_version: int | None = None,
    into_status: str = StockStatus.AVAILABLE,
) -> ShipmentView:
    """Goods arrive: stock is received at an own destination; the order may become received."""
    shipment = _owned(uow, shipment_id, expected_version)
    loaded = _load(uow, shipment)
    shipment.transition(ShipmentStatus.DELIVERED)
    order, target = loaded.order, loaded.target
    ledger = StockLedger(uow, shipment.number)
    for line, order_line, item in loaded.lines:
        if order.kind == OrderKind.PURCHASE:
            ensure_lot(uow, target, item, line.lot)
            if order.expects_stock:
                ledger.expect(target, item, -min(line.quantity, order_line.still_expected))
            pos = ledger.move(
                target, item, line.lot, line.quantity, MovementKind.RECEIPT, None, into_status
            )
            ledger.event(pos, target, item, "StockReceived", quantity=line.quantity)
        elif order.kind == OrderKind.TRANSFER:
            pos = ledger.move(
                target,
                item,
                line.lot,
                line.quantity,
                MovementKind.TRANSFER,
                StockStatus.IN_TRANSIT,
                into_status,
            )
            ledger.event(pos, target, item, "StockReceived", quantity=line.quantity)
        order_line.quantity_received += line.quantity
    order.after_delivery(list(loaded.order_lines.values()))
    return _view(uow, shipment)


def cancel_shipment(
    uow: UnitOfWork, shipment_id: int, expected_version: int | None = None
) -> ShipmentView:
    """Drop a planned shipment; its quantities become plannable again."""
    shipment = _owned(uow, shipment_id, expected_version)
    shipment.transition(ShipmentStatus.CANCELLED)
    return _view(uow, shipment)


def get_shipment(uow: UnitOfWork, shipment_id: int) -> ShipmentView:
    """A shipment the caller owns or that is addressed to it."""
    shipment = uow.session.get(Shipment, shipment_id)
    if shipment is None:
        raise NotFound("Shipment", shipment_id)
    return ShipmentView(shipment, _lines_of(uow, [shipment.id])[shipment.id])


def list_shipments(
    uow: UnitOfWork,
    order_id: int | None = None,
    status: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page:
    """Shipments the caller owns or that are addressed to it, newest first."""
    query = select(Shipment)
    if order_id is not None:
        query = query.where(Shipment.order_id == order_id)
    if status is not None:
        query = query.where(Shipment.status == status)
    total = crud.count(uow, query)
    rows = list(uow.session.scalars(query.order_by(Shipment.id.desc()).offset(offset).limit(limit)))
    lines = _lines_of(uow, [s.id for s in rows])
    return Page([ShipmentView(s, lines[s.id]) for s in rows], int(total), offset, limit)
