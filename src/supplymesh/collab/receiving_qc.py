"""QC of what was received: accepted goods to available, rejected ones to a return.

Each inspection also sends the supplier a stock-in notice (入库通知) of what was taken into
stock and what goes back, so the supplier learns the outcome of its delivery.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from supplymesh.collab.purchasing import purchase_order
from supplymesh.collab.purchasing_moves import move, record_move, require_side, require_version
from supplymesh.collab.receiving import number_for
from supplymesh.collab.receiving_model import (
    RECEIVING_LINE_TRANSITIONS,
    RECEIVING_TRANSITIONS,
    QcInspection,
    ReceivingLine,
    ReceivingLineStatus,
    ReceivingNotice,
    ReceivingStatus,
    ReturnStatus,
    StockInNotice,
    StockInStatus,
    SupplierReturn,
)
from supplymesh.collab.receiving_schemas import QcInspectionIn
from supplymesh.inventory.model import MovementKind, StockStatus
from supplymesh.inventory.stock import StockLedger
from supplymesh.network.model import Item, Site
from supplymesh.platform.errors import NotFound, invalid
from supplymesh.platform.uow import UnitOfWork


@dataclass(frozen=True)
class InspectionView:
    inspection: QcInspection
    returned: SupplierReturn | None
    stock_in: StockInNotice


def inspect(uow: UnitOfWork, cmd: QcInspectionIn) -> InspectionView:
    """QC of one receiving line: accepted → available, rejected → blocked and a return."""
    line = uow.session.get(ReceivingLine, cmd.receiving_line_id)
    if line is None:
        raise NotFound("ReceivingLine", cmd.receiving_line_id)
    notice = uow.session.get(ReceivingNotice, line.receiving_notice_id)
    assert notice is not None
    order = purchase_order(uow, notice.order_id)
    require_side(uow, "buyer", order.enterprise_id, order.partner_enterprise_id)
    require_version("ReceivingLine", line.id, cmd.version, line.version)
    if cmd.accepted_quantity + cmd.rejected_quantity != line.received_quantity:
        raise invalid(
            "accepted_quantity",
            f"accepted {cmd.accepted_quantity} + rejected {cmd.rejected_quantity} must equal "
            f"the {line.received_quantity} received",
        )
    if cmd.rejected_quantity > 0 and not cmd.reason:
        raise invalid("reason", "say why goods are rejected")
    line.move_to(ReceivingLineStatus.INSPECTED, RECEIVING_LINE_TRANSITIONS)
    site = uow.session.get(Site, notice.site_id)
    item = uow.session.get(Item, line.item_id)
    assert site is not None and item is not None
    ledger = StockLedger(uow, notice.number)
    for quantity, status in (
        (cmd.accepted_quantity, StockStatus.AVAILABLE),
        (cmd.rejected_quantity, StockStatus.BLOCKED),
    ):
        if quantity > 0:
            pos = ledger.move(
                site, item, line.lot, quantity, MovementKind.STATUS, StockStatus.QC_HOLD, status
            )
            ledger.event(
                pos, site, item, "StockStatusChanged", quantity=quantity, from_status="qc_hold"
            )
    inspection = QcInspection(
        enterprise_id=order.enterprise_id,
        partner_enterprise_id=order.partner_enterprise_id,
        receiving_notice_id=notice.id,
        receiving_line_id=line.id,
        order_id=order.id,
        accepted_quantity=cmd.accepted_quantity,
        rejected_quantity=cmd.rejected_quantity,
        reason=cmd.reason,
    )
    uow.add(inspection)
    uow.flush()
    record_move(uow, line, line.id, "receiving_line", "pending", "inspected", order.id)
    record_move(uow, inspection, inspection.id, "qc_inspection", None, "completed", order.id)
    returned = None
    if cmd.rejected_quantity > 0:
        returned = SupplierReturn(
            enterprise_id=order.enterprise_id,
            partner_enterprise_id=order.partner_enterprise_id,
            number=number_for(uow, SupplierReturn, "RT", order),
            order_id=order.id,
            qc_inspection_id=inspection.id,
            order_line_id=line.order_line_id,
            item_id=line.item_id,
            site_id=site.id,
            lot=line.lot,
            quantity=cmd.rejected_quantity,
            reason=cmd.reason,
            status=ReturnStatus.CREATED.value,
        )
        uow.add(returned)
        uow.flush()
        record_move(uow, returned, returned.id, "return", None, ReturnStatus.CREATED, order.id)
    stock_in = StockInNotice(
        enterprise_id=order.enterprise_id,
        partner_enterprise_id=order.partner_enterprise_id,
        number=number_for(uow, StockInNotice, "SI", order),
        order_id=order.id,
        qc_inspection_id=inspection.id,
        order_line_id=line.order_line_id,
        item_id=line.item_id,
        lot=line.lot,
        accepted_quantity=cmd.accepted_quantity,
        rejected_quantity=cmd.rejected_quantity,
        return_id=None if returned is None else returned.id,
        status=StockInStatus.SENT.value,
    )
    uow.add(stock_in)
    uow.flush()
    record_move(uow, stock_in, stock_in.id, "stock_in_notice", None, StockInStatus.SENT, order.id)
    pending = uow.session.scalar(
        select(func.count())
        .select_from(ReceivingLine)
        .where(
            ReceivingLine.receiving_notice_id == notice.id,
            ReceivingLine.status == ReceivingLineStatus.PENDING.value,
        )
    )
    target = ReceivingStatus.PARTIALLY_INSPECTED if pending else ReceivingStatus.INSPECTED
    if target != notice.status:
        move(uow, notice, target, RECEIVING_TRANSITIONS, order_id=order.id)
    uow.flush()
    return InspectionView(inspection, returned, stock_in)
