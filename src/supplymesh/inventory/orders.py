"""Order use cases: create and edit drafts, release, confirm, cancel, close, read.

Owner rules: only the enterprise that owns an order changes it. The partner it is addressed
to (the supplier of a purchase order, the customer of a sales order) reads it and its lines,
and gets `PermissionDenied` (403) when it tries to change it; answering an order is the
collaboration context's job. Everyone else gets `NotFound`. A released purchase order's open
quantity counts as on order at its ship-to site until it is received, cancelled or closed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm.attributes import flag_modified

from supplymesh.inventory import refs
from supplymesh.inventory.model import (
    Order,
    OrderKind,
    OrderLine,
    OrderStatus,
    Shipment,
    ShipmentStatus,
)
from supplymesh.inventory.schemas import OrderCreate, OrderLineIn, OrderUpdate
from supplymesh.inventory.stock import StockLedger
from supplymesh.network.model import Item, Site
from supplymesh.platform import crud, numbering
from supplymesh.platform.crud import Page
from supplymesh.platform.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
    invalid,
)
from supplymesh.platform.numbering import highest_suffix
from supplymesh.platform.uow import UnitOfWork

NUMBER_PREFIX = {OrderKind.PURCHASE: "PO", OrderKind.SALES: "SO", OrderKind.TRANSFER: "TO"}


@dataclass(frozen=True)
class OrderView:
    """An order with its lines, as use cases return it."""

    order: Order
    lines: list[OrderLine]


def next_number(uow: UnitOfWork, model: type[Order] | type[Shipment], prefix: str) -> str:
    """The owner's next free number ``PREFIX-000001`` from its counter (see numbering)."""

    def highest_in_use() -> int:
        numbers = uow.session.scalars(
            select(model.number)
            .where(model.enterprise_id == uow.ctx.enterprise_id, model.number.like(f"{prefix}-%"))
            .order_by(func.length(model.number).desc(), model.number.desc())
            .limit(200)
        )
        return highest_suffix(list(numbers), prefix)

    def taken(number: str) -> bool:
        return (
            uow.session.scalar(
                select(model.id).where(
                    model.enterprise_id == uow.ctx.enterprise_id, model.number == number
                )
            )
            is not None
        )

    return numbering.next_number(uow, prefix, highest_in_use, taken)


def owned_order(uow: UnitOfWork, order_id: int, expected_version: int | None = None) -> Order:
    """An order the caller may change: visible, its own, and at the version the caller saw."""
    order = uow.session.get(Order, order_id)
    if order is None:
        raise NotFound("Order", order_id)
    if not uow.ctx.is_system and order.enterprise_id != uow.ctx.enterprise_id:
        raise PermissionDenied(
            f"order {order.number} belongs to another enterprise; only its owner may change it"
        )
    if expected_version is not None and expected_version != order.version:
        raise StaleVersion("Order", order.number, expected_version, order.version)
    return order


def lines_of(uow: UnitOfWork, order_ids: list[int]) -> dict[int, list[OrderLine]]:
    """The lines of several orders in one query, by order id, in line order."""
    out: dict[int, list[OrderLine]] = defaultdict(list)
    if order_ids:
        query = (
            select(OrderLine)
            .where(OrderLine.order_id.in_(order_ids))
            .order_by(OrderLine.order_id, OrderLine.line_no)
        )
        for line in uow.session.scalars(query):
            out[line.order_id].append(line)
    return out


def _view(uow: UnitOfWork, order: Order) -> OrderView:
    uow.flush()
    return OrderView(order, lines_of(uow, [order.id])[order.id])


@dataclass(frozen=True)
class _Header:
    partner_id: int | None
    ship_from: Site | None
    ship_to: Site | None


def _header(
    uow: UnitOfWork,
    kind: str,
    partner_id: int | None,
    ship_from: Site | None,
    ship_to: Site | None,
) -> _Header:
    """Check who and where for `kind`: the caller's end(s) must be its own sites.

    The far end (a supplier's ship-from site, a customer's ship-to site) must be visible and
    belong to the caller or to the partner.
    """
    me = uow.ctx.enterprise_id
    if partner_id == me:
        raise invalid("partner_enterprise_id", "an order cannot be addressed to yourself")
    own_end: dict[str, tuple[str, ...]] = {
        OrderKind.PURCHASE: ("ship_to_site_id",),
        OrderKind.SALES: ("ship_from_site_id",),
        OrderKind.TRANSFER: ("ship_from_site_id", "ship_to_site_id"),
    }
    sites = {"ship_from_site_id": ship_from, "ship_to_site_id": ship_to}
    for field, site in sites.items():
        if field in own_end[kind]:
            if site is None:
                raise invalid(field, f"a {kind} order needs {field} (one of your own sites)")
            refs.require_own_site(uow, site)
        elif site is not None and site.enterprise_id not in (me, partner_id):
            raise invalid(field, f"site {site.code} belongs to neither you nor the order's partner")
    if kind == OrderKind.PURCHASE and partner_id is None:
        raise invalid("partner_enterprise_id", "a purchase order names its supplier")
    if kind == OrderKind.TRANSFER:
        if partner_id is not None:
            raise invalid("partner_enterprise_id", "a transfer order has no partner")
        if ship_from is not None and ship_to is not None and ship_from.id == ship_to.id:
            raise invalid("ship_to_site_id", "a transfer needs two different sites")
    return _Header(partner_id, ship_from, ship_to)


def _partner_id(uow: UnitOfWork, given_id: int | None, code: str | None) -> int | None:
    ent = refs.enterprise(uow, given_id, code, "partner_enterprise_id")
    return None if ent is None else ent.id


def _add_lines(uow: UnitOfWork, order: Order, lines: list[OrderLineIn]) -> None:
    errors = []
    for index, line in enumerate(lines):
        try:
            item: Item = refs.item(uow, line.item_id, line.item_code)
        except ValidationFailed as exc:
            errors.extend(refs.prefixed(exc, f"lines.{index}").errors)
            continue
        uow.add(
            OrderLine(
                enterprise_id=order.enterprise_id,
                partner_enterprise_id=order.partner_enterprise_id,
                order_id=order.id,
                line_no=index + 1,
                item_id=item.id,
                quantity=line.quantity,
                unit_price=line.unit_price,
                requested_date=line.requested_date,
                quantity_shipped=Decimal(0),
                quantity_received=Decimal(0),
            )
        )
    if errors:
        raise ValidationFailed(errors)


def create_order(uow: UnitOfWork, cmd: OrderCreate) -> OrderView:
    """A new draft order with its lines."""
    header = _header(
        uow,
        cmd.kind,
        _partner_id(uow, cmd.partner_enterprise_id, cmd.partner_enterprise_code),
        refs.site(uow, cmd.ship_from_site_id, cmd.ship_from_site_code, "ship_from_site_id"),
        refs.site(uow, cmd.ship_to_site_id, cmd.ship_to_site_code, "ship_to_site_id"),
    )
    number = cmd.number or next_number(uow, Order, NUMBER_PREFIX[cmd.kind])
    _require_free_number(uow, number)
    order = Order(
        enterprise_id=uow.ctx.enterprise_id,
        partner_enterprise_id=header.partner_id,
        number=number,
        kind=cmd.kind.value,
        status=OrderStatus.DRAFT.value,
        ship_from_site_id=header.ship_from.id if header.ship_from else None,
        ship_to_site_id=header.ship_to.id if header.ship_to else None,
        order_date=cmd.order_date or date.today(),
        requested_date=cmd.requested_date,
        currency=cmd.currency,
        note=cmd.note,
    )
    uow.add(order)
    uow.flush()
    _add_lines(uow, order, cmd.lines)
    return _view(uow, order)


def _require_free_number(uow: UnitOfWork, number: str, exclude_id: int | None = None) -> None:
    query = select(Order.id).where(
        Order.enterprise_id == uow.ctx.enterprise_id, Order.number == number
    )
    found = uow.session.scalar(query)
    if found is not None and found != exclude_id:
        raise Conflict(f"order number {number} is already used")


def update_order(uow: UnitOfWork, order_id: int, cmd: OrderUpdate) -> OrderView:
    """Change a draft order; `lines`, when given, replace all its lines."""
    order = owned_order(uow, order_id, cmd.version)
    order.require_draft("be changed")
    given = cmd.model_fields_set
    partner_id = order.partner_enterprise_id
    if given & {"partner_enterprise_id", "partner_enterprise_code"}:
        partner_id = _partner_id(uow, cmd.partner_enterprise_id, cmd.partner_enterprise_code)
    sites: dict[str, Site | None] = {}
    for end in ("ship_from", "ship_to"):
        field = f"{end}_site_id"
        if given & {field, f"{end}_site_code"}:
            sites[end] = refs.site(
                uow, getattr(cmd, field), getattr(cmd, f"{end}_site_code"), field
            )
        else:
            current = getattr(order, field)
            sites[end] = None if current is None else uow.session.get(Site, current)
    header = _header(uow, order.kind, partner_id, sites["ship_from"], sites["ship_to"])
    renumber = "number" in given and cmd.number is not None and cmd.number != order.number
    if renumber and cmd.number is not None:
        _require_free_number(uow, cmd.number, order.id)
    existing = lines_of(uow, [order.id])[order.id]
    # Everything is looked up; now change the order in one flush. Lines are part of the
    # order, so any edit bumps the order's version once and a stale editor of the lines is
    # refused as well.
    flag_modified(order, "note")
    order.partner_enterprise_id = header.partner_id
    order.ship_from_site_id = header.ship_from.id if header.ship_from else None
    order.ship_to_site_id = header.ship_to.id if header.ship_to else None
    if renumber and cmd.number is not None:
        order.number = cmd.number
    for name in ("order_date", "currency"):
        if name in given and getattr(cmd, name) is not None:
            setattr(order, name, getattr(cmd, name))
    for name in ("requested_date", "note"):
        if name in given:
            setattr(order, name, getattr(cmd, name))
    for line in existing:
        if cmd.lines is not None:
            uow.session.delete(line)
        else:
            line.partner_enterprise_id = order.partner_enterprise_id
    uow.flush()  # also frees the line numbers before new lines take them
    if cmd.lines is not None:
        _add_lines(uow, order, cmd.lines)
    return _view(uow, order)


def get_order(uow: UnitOfWork, order_id: int) -> OrderView:
    """An order the caller owns or that is addressed to it."""
    order = uow.session.get(Order, order_id)
    if order is None:
        raise NotFound("Order", order_id)
    return OrderView(order, lines_of(uow, [order.id])[order.id])


def list_orders(
    uow: UnitOfWork,
    kind: str | None = None,
    status: str | None = None,
    partner_enterprise_id: int | None = None,
    enterprise_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page:
    """Orders the caller owns or that are addressed to it, newest first."""
    query = select(Order)
    for column, value in (
        (Order.kind, kind),
        (Order.status, status),
        (Order.partner_enterprise_id, partner_enterprise_id),
        (Order.enterprise_id, enterprise_id),
    ):
        if value is not None:
            query = query.where(column == value)
    total = crud.count(uow, query)
    orders = list(uow.session.scalars(query.order_by(Order.id.desc()).offset(offset).limit(limit)))
    lines = lines_of(uow, [o.id for o in orders])
    return Page([OrderView(o, lines[o.id]) for o in orders], int(total), offset, limit)


def _on_order(uow: UnitOfWork, order: Order, lines: list[OrderLine], sign: int) -> None:
    """Add (sign 1) or take back (sign -1) what the order still expects at its ship-to site."""
    if order.kind != OrderKind.PURCHASE or order.ship_to_site_id is None:
        return
    site = uow.session.get(Site, order.ship_to_site_id)
    if site is None:
        raise NotFound("Site", order.ship_to_site_id)
    ledger = StockLedger(uow, order.number)
    for line in lines:
        item = uow.session.get(Item, line.item_id)
        if item is None:
            raise NotFound("Item", line.item_id)
        if line.still_expected:
            ledger.expect(site, item, sign * line.still_expected)


def release(uow: UnitOfWork, order_id: int, expected_version: int | None = None) -> OrderView:
    """Release a draft: it becomes a promise, and a purchase order's lines go on order."""
    order = owned_order(uow, order_id, expected_version)
    lines = lines_of(uow, [order.id])[order.id]
    if order.status == OrderStatus.DRAFT and not lines:
        raise invalid("lines", f"order {order.number} has no lines to release")
    order.transition(OrderStatus.RELEASED)
    _on_order(uow, order, lines, +1)
    return _view(uow, order)


def confirm(uow: UnitOfWork, order_id: int, expected_version: int | None = None) -> OrderView:
    """Record that the partner accepted the order."""
    order = owned_order(uow, order_id, expected_version)
    order.transition(OrderStatus.CONFIRMED)
    return _view(uow, order)


def cancel(uow: UnitOfWork, order_id: int, expected_version: int | None = None) -> OrderView:
    """Cancel an order that has not shipped; its planned shipments are cancelled with it."""
    order = owned_order(uow, order_id, expected_version)
    was_expecting = order.expects_stock
    order.transition(OrderStatus.CANCELLED)
    if was_expecting:
        _on_order(uow, order, lines_of(uow, [order.id])[order.id], -1)
    planned = select(Shipment).where(
        Shipment.order_id == order.id, Shipment.status == ShipmentStatus.PLANNED.value
    )
    for shipment in uow.session.scalars(planned):
        shipment.transition(ShipmentStatus.CANCELLED)
    return _view(uow, order)


def close(uow: UnitOfWork, order_id: int, expected_version: int | None = None) -> OrderView:
    """Close a shipped or received order; whatever was never received is no longer expected."""
    order = owned_order(uow, order_id, expected_version)
    was_expecting = order.expects_stock
    order.transition(OrderStatus.CLOSED)
    if was_expecting:
        _on_order(uow, order, lines_of(uow, [order.id])[order.id], -1)
    return _view(uow, order)
