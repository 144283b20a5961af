"""Returns of rejected goods and stock-in notices: the moves after QC.

The buyer ships a return out of its blocked stock; the supplier receives it back, into its
own blocked stock at the site the goods first left (or the one it names) when it keeps stock
here. The supplier acknowledges each stock-in notice.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from supplymesh.collab.procurement_model import check_move
from supplymesh.collab.purchasing import purchase_order
from supplymesh.collab.purchasing_moves import record_move, require_side, require_version
from supplymesh.collab.receiving_model import (
    RETURN_MOVE_SIDE,
    RETURN_MOVES,
    STOCK_IN_MOVES,
    QcInspection,
    ReceivingLine,
    ShipNotice,
    ShipNoticeLine,
    StockInNotice,
    SupplierReturn,
)
from supplymesh.collab.receiving_schemas import MoveIn
from supplymesh.inventory import refs
from supplymesh.inventory.model import MovementKind, StockStatus
from supplymesh.inventory.stock import StockLedger, ensure_lot
from supplymesh.network.model import Item, Site
from supplymesh.platform.errors import NotFound, invalid
from supplymesh.platform.uow import UnitOfWork


def allowed_moves(table: dict[tuple[str, str], str], status: str) -> list[str]:
    return sorted(m for (start, m) in table if start == status)


def get_return(uow: UnitOfWork, return_id: int) -> SupplierReturn:
    found = uow.session.get(SupplierReturn, return_id)
    if found is None:
        raise NotFound("Return", return_id)
    return found


def list_of(uow: UnitOfWork, model: Any, order_id: int | None) -> list[Any]:
    query = select(model).order_by(model.id)
    if order_id is not None:
        query = query.where(model.order_id == order_id)
    return list(uow.session.scalars(query))


def get_inspection(uow: UnitOfWork, inspection_id: int) -> QcInspection:
    found = uow.session.get(QcInspection, inspection_id)
    if found is None:
        raise NotFound("QcInspection", inspection_id)
    return found


def get_stock_in(uow: UnitOfWork, notice_id: int) -> StockInNotice:
    found = uow.session.get(StockInNotice, notice_id)
    if found is None:
        raise NotFound("StockInNotice", notice_id)
    return found


def _origin(uow: UnitOfWork, returned: SupplierReturn) -> tuple[int | None, int | None]:
    """The supplier's site and item the returned goods first left from, if it said."""
    inspection = uow.session.get(QcInspection, returned.qc_inspection_id)
    line = uow.session.get(ReceivingLine, inspection.receiving_line_id) if inspection else None
    asn_line = uow.session.get(ShipNoticeLine, line.ship_notice_line_id) if line else None
    asn = uow.session.get(ShipNotice, asn_line.ship_notice_id) if asn_line else None
    if asn_line is None or asn is None:
        return None, None
    return asn.from_site_id, asn_line.supplier_item_id


def move_return(uow: UnitOfWork, return_id: int, action: str, cmd: MoveIn) -> SupplierReturn:
    """`ship` (buyer: out of blocked stock) or `receive` (supplier: back into its stock)."""
    returned = get_return(uow, return_id)
    order = purchase_order(uow, returned.order_id)
    require_side(uow, RETURN_MOVE_SIDE[action], order.enterprise_id, order.partner_enterprise_id)
    require_version("Return", returned.number, cmd.version, returned.version)
    target = check_move("return", RETURN_MOVES, returned.status, action)
    ledger = StockLedger(uow, returned.number)
    if action == "ship":
        site = uow.session.get(Site, returned.site_id)
        item = uow.session.get(Item, returned.item_id)
        assert site is not None and item is not None
        pos = ledger.move(
            site,
            item,
            returned.lot,
            returned.quantity,
            MovementKind.ISSUE,
            StockStatus.BLOCKED,
            None,
        )
        ledger.event(pos, site, item, "StockIssued", quantity=returned.quantity)
    else:
        site_id, item_id = _origin(uow, returned)
        site_id = cmd.site_id or site_id
        item_id = cmd.supplier_item_id or item_id
        if site_id is not None and item_id is not None:
            site = refs.own_site(uow, site_id, None)
            item = uow.session.get(Item, item_id)
            if item is None or item.enterprise_id != uow.ctx.enterprise_id:
                raise invalid("supplier_item_id", f"{item_id} is not one of your items")
            ensure_lot(uow, site, item, returned.lot)
            pos = ledger.move(
                site,
                item,
                returned.lot,
                returned.quantity,
                MovementKind.RECEIPT,
                None,
                StockStatus.BLOCKED,
            )
            ledger.event(pos, site, item, "StockReceived", quantity=returned.quantity)
    previous = returned.enter(target)
    uow.flush()
    record_move(uow, returned, returned.id, "return", previous, target, order.id)
    return returned


def acknowledge_stock_in(uow: UnitOfWork, notice_id: int, cmd: MoveIn) -> StockInNotice:
    """The supplier confirms it has seen what the buyer took into stock."""
    notice = get_stock_in(uow, notice_id)
    order = purchase_order(uow, notice.order_id)
    require_side(uow, "supplier", order.enterprise_id, order.partner_enterprise_id)
    require_version("StockInNotice", notice.number, cmd.version, notice.version)
    target = check_move("stock_in_notice", STOCK_IN_MOVES, notice.status, "acknowledge")
    previous = notice.enter(target)
    uow.flush()
    record_move(uow, notice, notice.id, "stock_in_notice", previous, target, order.id)
    return notice
