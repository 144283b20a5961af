"""A purchase order delivered: ship notice → receiving notice → QC → return / stock-in notice.

The supplier's ship notice takes goods out of its own stock (when it says from where) and
counts them as shipped on the buyer's order; the buyer receives them into quarantine
(`qc_hold`) at the order's ship-to site; QC (`receiving_qc`) moves what passes to available
and what fails to blocked, from where a return (`receiving_returns`) takes it back. A line
counts as delivered once it is within the tolerance below its quantity; more than the
tolerance above it is refused. The supplier's moves change the buyer's order under
`acting_for_owner`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from supplymesh.collab.purchasing import purchase_order
from supplymesh.collab.purchasing_moves import (
    acting_for_owner,
    move,
    record_move,
    require_side,
    require_version,
)
from supplymesh.collab.receiving_model import (
    DEFAULT_TOLERANCE_PCT,
    SHIP_NOTICE_TRANSITIONS,
    ReceivingLine,
    ReceivingLineStatus,
    ReceivingNotice,
    ReceivingStatus,
    ReceivingTolerance,
    ShipNotice,
    ShipNoticeLine,
    ShipNoticeStatus,
    StockInNotice,
    SupplierReturn,
)
from supplymesh.collab.receiving_schemas import (
    ReceivingNoticeIn,
    ShipNoticeIn,
    ToleranceIn,
)
from supplymesh.collab.rfq import SUPPLY_RELATIONS
from supplymesh.inventory import refs
from supplymesh.inventory.model import (
    MovementKind,
    Order,
    OrderLine,
    OrderStatus,
    StockStatus,
)
from supplymesh.inventory.orders import lines_of
from supplymesh.inventory.stock import StockLedger, ensure_lot
from supplymesh.network.model import Item, Partnership, Site
from supplymesh.platform.errors import (
    FieldError,
    IllegalTransition,
    NotFound,
    ValidationFailed,
    invalid,
)
from supplymesh.platform.uow import UnitOfWork

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Tolerance:
    over_pct: Decimal
    under_pct: Decimal

    def most(self, quantity: Decimal) -> Decimal:
        return quantity * (HUNDRED + self.over_pct) / HUNDRED

    def least(self, quantity: Decimal) -> Decimal:
        return quantity * (HUNDRED - self.under_pct) / HUNDRED


@dataclass(frozen=True)
class ShipNoticeView:
    notice: ShipNotice
    lines: list[ShipNoticeLine]


@dataclass(frozen=True)
class ReceivingView:
    notice: ReceivingNotice
    lines: list[ReceivingLine]
    order: Order
    receipt_status: str  # of the whole order: received or partially_received


# --- tolerances ---------------------------------------------------------------------------------


def tolerance_for(uow: UnitOfWork, order: Order) -> Tolerance:
    """The order's own tolerance, else the supplier's, else ±5 %."""
    rows = uow.session.scalars(
        select(ReceivingTolerance).where(
            ReceivingTolerance.enterprise_id == order.enterprise_id,
            ReceivingTolerance.partner_enterprise_id == order.partner_enterprise_id,
            (ReceivingTolerance.order_id == order.id) | ReceivingTolerance.order_id.is_(None),
        )
    )
    best = sorted(rows, key=lambda r: r.order_id is None)
    if not best:
        return Tolerance(DEFAULT_TOLERANCE_PCT, DEFAULT_TOLERANCE_PCT)
    return Tolerance(best[0].over_pct, best[0].under_pct)


def require_supplier(uow: UnitOfWork, supplier_id: int) -> None:
    """404 unless the enterprise supplies the caller (suspended and blocked ones still count)."""
    partner = uow.session.scalar(
        select(Partnership.id).where(
            Partnership.enterprise_id == uow.ctx.enterprise_id,
            Partnership.partner_enterprise_id == supplier_id,
            Partnership.relation.in_(SUPPLY_RELATIONS),
        )
    )
    if partner is None:
        raise NotFound("Supplier", supplier_id)


def set_tolerance(uow: UnitOfWork, cmd: ToleranceIn) -> ReceivingTolerance:
    """The buyer sets a supplier's tolerance, or one order's (replacing what was there)."""
    if cmd.order_id is not None:  # the supplier sees the order: tell it the move is not its
        order = purchase_order(uow, cmd.order_id)
        require_side(uow, "buyer", order.enterprise_id, order.partner_enterprise_id)
        if order.partner_enterprise_id != cmd.supplier_enterprise_id:
            raise invalid("order_id", f"order {order.number} is not with this supplier")
    require_supplier(uow, cmd.supplier_enterprise_id)
    if cmd.under_pct > HUNDRED:
        raise invalid("under_pct", f"{cmd.under_pct} is more than 100 %")
    row = uow.session.scalar(
        select(ReceivingTolerance).where(
            ReceivingTolerance.enterprise_id == uow.ctx.enterprise_id,
            ReceivingTolerance.partner_enterprise_id == cmd.supplier_enterprise_id,
            ReceivingTolerance.order_id.is_(None)
            if cmd.order_id is None
            else ReceivingTolerance.order_id == cmd.order_id,
        )
    )
    if row is None:
        row = ReceivingTolerance(
            enterprise_id=uow.ctx.enterprise_id,
            partner_enterprise_id=cmd.supplier_enterprise_id,
            order_id=cmd.order_id,
        )
        uow.add(row)
    row.over_pct, row.under_pct = cmd.over_pct, cmd.under_pct
    uow.flush()
    return row


def list_tolerances(uow: UnitOfWork) -> list[ReceivingTolerance]:
    """The caller's tolerances as buyer, and those its buyers set for it as supplier."""
    query = select(ReceivingTolerance).order_by(ReceivingTolerance.id)
    return list(uow.session.scalars(query))


# --- ship notices -------------------------------------------------------------------------------


def number_for(
    uow: UnitOfWork,
    model: type[ShipNotice | ReceivingNotice | SupplierReturn | StockInNotice],
    prefix: str,
    order: Order,
) -> str:
    count = uow.session.scalar(
        select(func.count()).select_from(model).where(model.order_id == order.id)
    )
    return f"{prefix}-{order.number}-{int(count or 0) + 1:02d}"


def _order_lines(uow: UnitOfWork, order: Order) -> dict[int, OrderLine]:
    return {line.id: line for line in lines_of(uow, [order.id])[order.id]}


def _supplier_stock(
    uow: UnitOfWork, cmd: ShipNoticeIn, index: int, item_id: int | None
) -> tuple[Site, Item] | None:
    """The supplier's own site and item a line leaves from, when it keeps stock here."""
    if cmd.from_site_id is None or item_id is None:
        return None
    site = refs.own_site(uow, cmd.from_site_id, None)
    item = uow.session.get(Item, item_id)
    if item is None or item.enterprise_id != uow.ctx.enterprise_id:
        raise invalid(f"lines.{index}.supplier_item_id", f"{item_id} is not one of your items")
    return site, item


def _missing_lots(
    uow: UnitOfWork, order: Order, lines: dict[int, OrderLine], cmd: ShipNoticeIn
) -> list[FieldError]:
    """Lines without a lot for an item the buyer tracks by lot (read as the buyer's)."""
    item_ids = {lines[w.order_line_id].item_id for w in cmd.lines if w.order_line_id in lines}
    with acting_for_owner(uow, order.enterprise_id) as owner:
        tracked = set(
            owner.session.scalars(
                select(Item.id).where(Item.id.in_(item_ids), Item.lot_controlled.is_(True))
            )
        )
    return [
        FieldError(f"lines.{index}.lot", f"line {lines[w.order_line_id].line_no} needs a lot")
        for index, w in enumerate(cmd.lines)
        if w.order_line_id in lines and lines[w.order_line_id].item_id in tracked and not w.lot
    ]


def create_ship_notice(uow: UnitOfWork, cmd: ShipNoticeIn) -> ShipNoticeView:
    """The supplier ships part or all of a confirmed order, within the line tolerances."""
    order = purchase_order(uow, cmd.order_id)
    require_side(uow, "supplier", order.enterprise_id, order.partner_enterprise_id)
    if order.status not in (OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_SHIPPED):
        raise IllegalTransition("order", order.status, "shipped", order.allowed_transitions)
    lines = _order_lines(uow, order)
    tolerance = tolerance_for(uow, order)
    shipping: dict[int, Decimal] = {}
    errors: list[FieldError] = []
    for index, want in enumerate(cmd.lines):
        line = lines.get(want.order_line_id)
        if line is None:
            errors.append(FieldError(f"lines.{index}.order_line_id", "not a line of this order"))
            continue
        total = line.quantity_shipped + shipping.get(line.id, Decimal(0)) + want.quantity
        shipping[line.id] = shipping.get(line.id, Decimal(0)) + want.quantity
        if total > tolerance.most(line.quantity):
            errors.append(
                FieldError(
                    f"lines.{index}.quantity",
                    f"line {line.line_no}: {total} shipped in all is over the "
                    f"{line.quantity} ordered +{tolerance.over_pct} % "
                    f"(at most {tolerance.most(line.quantity)})",
                )
            )
    errors += _missing_lots(uow, order, lines, cmd)
    if errors:
        raise ValidationFailed(errors)
    notice = ShipNotice(
        enterprise_id=order.enterprise_id,
        partner_enterprise_id=order.partner_enterprise_id,
        number=number_for(uow, ShipNotice, "ASN", order),
        order_id=order.id,
        from_site_id=cmd.from_site_id,
        ship_date=cmd.ship_date,
        expected_arrival=cmd.expected_arrival,
        note=cmd.note,
        status=ShipNoticeStatus.SHIPPED.value,
    )
    uow.add(notice)
    uow.flush()
    ledger = StockLedger(uow, notice.number)
    rows = []
    for index, want in enumerate(cmd.lines):
        line = lines[want.order_line_id]
        source = _supplier_stock(uow, cmd, index, want.supplier_item_id)
        if source is not None:
            site, item = source
            pos = ledger.move(
                site, item, want.lot, want.quantity, MovementKind.ISSUE, StockStatus.AVAILABLE, None
            )
            ledger.event(pos, site, item, "StockIssued", quantity=want.quantity)
        row = ShipNoticeLine(
            enterprise_id=order.enterprise_id,
            partner_enterprise_id=order.partner_enterprise_id,
            ship_notice_id=notice.id,
            order_line_id=line.id,
            item_id=line.item_id,
            supplier_item_id=want.supplier_item_id if source else None,
            lot=want.lot,
            expires_on=want.expires_on,
            quantity=want.quantity,
        )
        uow.add(row)
        rows.append(row)
    record_move(uow, notice, notice.id, "ship_notice", None, ShipNoticeStatus.SHIPPED, order.id)
    was = order.status
    uow.flush()  # the supplier's own stock rows, before acting as the buyer
    with acting_for_owner(uow, order.enterprise_id):
        for line_id, quantity in shipping.items():
            lines[line_id].quantity_shipped += quantity
        done = all(
            line.quantity_shipped >= tolerance.least(line.quantity) for line in lines.values()
        )
        order.transition(OrderStatus.SHIPPED if done else OrderStatus.PARTIALLY_SHIPPED)
    if order.status != was:
        record_move(uow, order, order.id, "order", was, order.status, order.id)
    uow.flush()
    return ShipNoticeView(notice, rows)


def _ship_notice_lines(uow: UnitOfWork, notice_id: int) -> list[ShipNoticeLine]:
    return list(
        uow.session.scalars(
            select(ShipNoticeLine)
            .where(ShipNoticeLine.ship_notice_id == notice_id)
            .order_by(ShipNoticeLine.id)
        )
    )


def get_ship_notice(uow: UnitOfWork, notice_id: int) -> ShipNoticeView:
    notice = uow.session.get(ShipNotice, notice_id)
    if notice is None:
        raise NotFound("ShipNotice", notice_id)
    return ShipNoticeView(notice, _ship_notice_lines(uow, notice.id))


def list_ship_notices(uow: UnitOfWork, order_id: int | None = None) -> list[ShipNoticeView]:
    query = select(ShipNotice).order_by(ShipNotice.id)
    if order_id is not None:
        query = query.where(ShipNotice.order_id == order_id)
    return [ShipNoticeView(n, _ship_notice_lines(uow, n.id)) for n in uow.session.scalars(query)]


# --- receiving ----------------------------------------------------------------------------------


def _receiving_view(uow: UnitOfWork, notice: ReceivingNotice) -> ReceivingView:
    uow.flush()
    lines = list(
        uow.session.scalars(
            select(ReceivingLine)
            .where(ReceivingLine.receiving_notice_id == notice.id)
            .order_by(ReceivingLine.id)
        )
    )
    order = purchase_order(uow, notice.order_id)
    status = receipt_status(tolerance_for(uow, order), list(_order_lines(uow, order).values()))
    return ReceivingView(notice, lines, order, status)


def _ship_to(uow: UnitOfWork, order: Order) -> Site:
    site = uow.session.get(Site, order.ship_to_site_id) if order.ship_to_site_id else None
    if site is None:
        raise invalid("order_id", f"order {order.number} names no ship-to site")
    return site


def create_receiving_notice(uow: UnitOfWork, cmd: ReceivingNoticeIn) -> ReceivingView:
    """The buyer takes a ship notice's goods into quarantine at the order's ship-to site."""
    shipped = get_ship_notice(uow, cmd.ship_notice_id)
    asn = shipped.notice
    order = purchase_order(uow, asn.order_id)
    require_side(uow, "buyer", order.enterprise_id, order.partner_enterprise_id)
    require_version("ShipNotice", asn.number, cmd.version, asn.version)
    move(uow, asn, ShipNoticeStatus.RECEIVED, SHIP_NOTICE_TRANSITIONS, order_id=order.id)
    given = {line.ship_notice_line_id: line for line in cmd.lines}
    unknown = set(given) - {line.id for line in shipped.lines}
    if unknown:
        raise invalid("lines", f"not lines of ship notice {asn.number}: {sorted(unknown)}")
    site = _ship_to(uow, order)
    notice = ReceivingNotice(
        enterprise_id=order.enterprise_id,
        partner_enterprise_id=order.partner_enterprise_id,
        number=number_for(uow, ReceivingNotice, "RN", order),
        order_id=order.id,
        ship_notice_id=asn.id,
        site_id=site.id,
        received_on=cmd.received_on or asn.expected_arrival or asn.ship_date,
        note=cmd.note,
        status=ReceivingStatus.RECEIVED.value,
    )
    uow.add(notice)
    uow.flush()
    lines = _order_lines(uow, order)
    tolerance = tolerance_for(uow, order)
    ledger = StockLedger(uow, notice.number)
    for asn_line in shipped.lines:
        got = given.get(asn_line.id)
        quantity = asn_line.quantity if got is None else got.quantity
        lot = asn_line.lot if got is None or got.lot is None else got.lot
        uow.add(
            ReceivingLine(
                enterprise_id=order.enterprise_id,
                partner_enterprise_id=order.partner_enterprise_id,
                receiving_notice_id=notice.id,
                ship_notice_line_id=asn_line.id,
                order_line_id=asn_line.order_line_id,
                item_id=asn_line.item_id,
                lot=lot,
                shipped_quantity=asn_line.quantity,
                received_quantity=quantity,
                difference=quantity - asn_line.quantity,
                status=ReceivingLineStatus.PENDING.value,
            )
        )
        line = lines[asn_line.order_line_id]
        item = uow.session.get(Item, line.item_id)
        if item is None:
            raise NotFound("Item", line.item_id)
        before = _still_on_order(line, tolerance)
        line.quantity_received += quantity
        if line.quantity_received > tolerance.most(line.quantity):
            raise invalid(
                "lines",
                f"line {line.line_no}: {line.quantity_received} received in all is over the "
                f"{line.quantity} ordered +{tolerance.over_pct} % "
                f"(at most {tolerance.most(line.quantity)})",
            )
        if order.expects_stock:
            ledger.expect(site, item, _still_on_order(line, tolerance) - before)
        if quantity > 0:
            ensure_lot(uow, site, item, lot, expires_on=asn_line.expires_on)
            pos = ledger.move(
                site, item, lot, quantity, MovementKind.RECEIPT, None, StockStatus.QC_HOLD
            )
            ledger.event(pos, site, item, "StockReceived", quantity=quantity)
    record_move(uow, notice, notice.id, "receiving_notice", None, notice.status, order.id)
    _close_if_received(uow, order, list(lines.values()), tolerance)
    return _receiving_view(uow, notice)


def _still_on_order(line: OrderLine, tolerance: Tolerance) -> Decimal:
    """What still counts as on order: nothing once the line is within its under-tolerance."""
    if line.quantity_received >= tolerance.least(line.quantity):
        return Decimal(0)
    return line.still_expected


def _close_if_received(
    uow: UnitOfWork, order: Order, lines: list[OrderLine], tolerance: Tolerance
) -> None:
    if receipt_status(tolerance, lines) != "received":
        return
    for target in (OrderStatus.SHIPPED, OrderStatus.RECEIVED):
        if order.status != target and target in order.allowed_transitions:
            was = order.status
            order.transition(target)
            record_move(uow, order, order.id, "order", was, target, order.id)


def receipt_status(tolerance: Tolerance, lines: list[OrderLine]) -> str:
    """``received`` once every line is delivered within tolerance, else ``partially_received``."""
    done = all(line.quantity_received >= tolerance.least(line.quantity) for line in lines)
    return "received" if done else "partially_received"


def get_receiving_notice(uow: UnitOfWork, notice_id: int) -> ReceivingView:
    notice = uow.session.get(ReceivingNotice, notice_id)
    if notice is None:
        raise NotFound("ReceivingNotice", notice_id)
    return _receiving_view(uow, notice)


def list_receiving_notices(uow: UnitOfWork, order_id: int | None = None) -> list[ReceivingView]:
    query = select(ReceivingNotice).order_by(ReceivingNotice.id)
    if order_id is not None:
        query = query.where(ReceivingNotice.order_id == order_id)
    return [_receiving_view(uow, n) for n in uow.session.scalars(query)]
