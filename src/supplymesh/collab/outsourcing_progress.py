"""Progress reports (报工) of an outsourcing order, and the components they use up.

Finished and scrapped units consume the buyer's components lying at the subcontractor's site
at the order's ratio (required ÷ ordered quantity), oldest lot first; with `supplier_item_id`
the finished units enter the subcontractor's own stock, from where its ship notice takes them.
Until consumed, the material stays the buyer's stock at that site.
"""

from __future__ import annotations

from decimal import Decimal

from supplymesh.collab.outsourcing import (
    OutsourcingView,
    load,
    outsourcing_order,
    require_producing,
    rows_of,
)
from supplymesh.collab.outsourcing_model import (
    OutsourcingComponent,
    OutsourcingOrder,
    ProgressReport,
)
from supplymesh.collab.outsourcing_schemas import ProgressIn
from supplymesh.collab.outsourcing_stock import ConsignedLedger
from supplymesh.collab.purchasing_moves import acting_for_owner, record_move, require_side
from supplymesh.inventory import refs
from supplymesh.inventory.model import InsufficientStock, MovementKind, StockStatus
from supplymesh.inventory.stock import StockLedger, ensure_lot
from supplymesh.network.model import Item, Site
from supplymesh.platform.errors import invalid
from supplymesh.platform.types import QUANTITY_PLACES
from supplymesh.platform.uow import UnitOfWork

STEP = Decimal(1).scaleb(-QUANTITY_PLACES)


def _consumed(component: OutsourcingComponent, row: OutsourcingOrder, made: Decimal) -> Decimal:
    """Component used for `made` units (finished or scrapped) at the order's BOM ratio."""
    return (component.required_quantity * made / row.quantity).quantize(STEP)


def report_progress(uow: UnitOfWork, outsourcing_id: int, cmd: ProgressIn) -> OutsourcingView:
    """The subcontractor reports quantities; finished and scrapped units use up the components."""
    row, order = outsourcing_order(uow, outsourcing_id)
    require_side(uow, "supplier", order.enterprise_id, order.partner_enterprise_id)
    require_producing(order, "progress_reported")
    started = row.started_quantity + cmd.started_quantity
    made = cmd.finished_quantity + cmd.scrapped_quantity
    if row.finished_quantity + row.scrapped_quantity + made > started:
        raise invalid(
            "finished_quantity",
            f"{row.finished_quantity + row.scrapped_quantity + made} finished and scrapped in all "
            f"is more than the {started} started",
        )
    if cmd.supplier_item_id is not None and cmd.finished_quantity == 0:
        raise invalid("supplier_item_id", "no finished quantity to put into stock")
    site = refs.own_site(uow, cmd.site_id, None)
    report = ProgressReport(
        enterprise_id=order.enterprise_id,
        partner_enterprise_id=order.partner_enterprise_id,
        outsourcing_order_id=row.id,
        order_id=order.id,
        site_id=site.id,
        started_quantity=cmd.started_quantity,
        finished_quantity=cmd.finished_quantity,
        scrapped_quantity=cmd.scrapped_quantity,
        note=cmd.note,
    )
    uow.add(report)
    uow.flush()
    reference = f"WIP-{order.number}-{report.id}"
    if cmd.supplier_item_id is not None:
        goods = uow.session.get(Item, cmd.supplier_item_id)
        if goods is None or goods.enterprise_id != uow.ctx.enterprise_id:
            raise invalid("supplier_item_id", f"{cmd.supplier_item_id} is not one of your items")
        ensure_lot(uow, site, goods, cmd.lot)
        own = StockLedger(uow, reference)
        pos = own.move(
            site,
            goods,
            cmd.lot,
            cmd.finished_quantity,
            MovementKind.RECEIPT,
            None,
            StockStatus.AVAILABLE,
        )
        own.event(pos, site, goods, "StockReceived", quantity=cmd.finished_quantity)
        uow.flush()  # the subcontractor's own rows, before acting as the buyer
    if made > 0:
        with acting_for_owner(uow, order.enterprise_id) as owner:
            _consume(owner, row, site, made, reference)
    row.started_quantity = started
    row.finished_quantity += cmd.finished_quantity
    row.scrapped_quantity += cmd.scrapped_quantity
    record_move(
        uow, report, report.id, "progress_report", None, "reported", order.id, note=cmd.note
    )
    return load(uow, row.id)


def _consume(
    owner: UnitOfWork, row: OutsourcingOrder, site: Site, made: Decimal, reference: str
) -> None:
    """Take the buyer's components at the subcontractor's site out of stock, oldest lot first."""
    ledger = ConsignedLedger(owner, row.enterprise_id, reference)
    for component in rows_of(owner, OutsourcingComponent, row.id):
        need = _consumed(component, row, made)
        item = owner.session.get(Item, component.item_id)
        assert item is not None, "a component the buyer named"
        left = need
        for pos in ledger.lots_at(site, item):
            take = min(left, pos.on_hand)
            if take <= 0:
                break
            ledger.move(
                site, item, pos.lot, take, MovementKind.ISSUE, StockStatus.AT_SUBCONTRACTOR, None
            )
            left -= take
        if left > 0:
            raise InsufficientStock(
                item.sku, site.code, "", StockStatus.AT_SUBCONTRACTOR, need - left, need, "on_hand"
            )
        component.consumed_quantity += need
