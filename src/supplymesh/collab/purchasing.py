"""Purchase orders answered line by line, proposals, change orders and cancellations.

The purchase order is the buyer's `inventory` order of kind purchase; the supplier is its
partner. The supplier answers each line (accept, reject with a reason, or propose a new
quantity, date or price); the buyer accepts or rejects each proposal, and an accepted one is
applied to the line. The order-level acknowledgement follows the lines; when every line is
agreed the order itself becomes confirmed. A change to a confirmed line, or a cancellation,
is a change order the supplier signs off. Every move is checked against its state machine
and side (buyer or supplier), versioned, recorded and published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from supplymesh.collab.procurement_model import (
    ACK_TRANSITIONS,
    CHANGE_MOVE_SIDE,
    CHANGE_MOVES,
    LINE_MOVE_SIDE,
    LINE_MOVES,
    AckStatus,
    ChangeKind,
    ChangeOrder,
    ChangeStatus,
    LineAnswerStatus,
    PoLineAnswer,
    PurchaseOrderAck,
    check_move,
)
from supplymesh.collab.purchasing_moves import (
    acting_for_owner,
    move,
    record_move,
    require_side,
    require_version,
)
from supplymesh.collab.purchasing_schemas import ChangeOrderIn, DecisionIn, LineAnswerIn
from supplymesh.inventory import orders
from supplymesh.inventory.model import Order, OrderKind, OrderLine, OrderStatus
from supplymesh.inventory.stock import StockLedger
from supplymesh.network.model import Item, Site
from supplymesh.platform import crud
from supplymesh.platform.crud import Page
from supplymesh.platform.db import utcnow
from supplymesh.platform.errors import Conflict, IllegalTransition, NotFound, invalid
from supplymesh.platform.uow import UnitOfWork


@dataclass(frozen=True)
class PurchaseOrderView:
    order: Order
    lines: list[OrderLine]
    ack: PurchaseOrderAck
    answers: dict[int, PoLineAnswer]
    change_orders: list[ChangeOrder]


def purchase_order(uow: UnitOfWork, order_id: int) -> Order:
    """A purchase order with a supplier that the caller owns or is addressed to (else 404)."""
    order = uow.session.get(Order, order_id)
    if order is None or order.kind != OrderKind.PURCHASE or order.partner_enterprise_id is None:
        raise NotFound("PurchaseOrder", order_id)
    return order


def open_answers(uow: UnitOfWork, order: Order, lines: list[OrderLine]) -> PurchaseOrderAck:
    """The acknowledgement and one open answer per line of a released purchase order."""
    if order.status == OrderStatus.DRAFT:
        raise IllegalTransition("purchase_order", "draft", "answered", [OrderStatus.RELEASED])
    ack = PurchaseOrderAck(
        enterprise_id=order.enterprise_id,
        partner_enterprise_id=order.partner_enterprise_id,
        order_id=order.id,
        status=AckStatus.RELEASED.value,
    )
    uow.add(ack)
    for line in lines:
        uow.add(
            PoLineAnswer(
                enterprise_id=order.enterprise_id,
                partner_enterprise_id=order.partner_enterprise_id,
                order_id=order.id,
                order_line_id=line.id,
                status=LineAnswerStatus.OPEN.value,
            )
        )
    uow.flush()
    record_move(uow, ack, ack.id, "purchase_order", None, AckStatus.RELEASED, order_id=order.id)
    return ack


def _load(uow: UnitOfWork, order: Order, create: bool) -> PurchaseOrderView:
    uow.flush()
    lines = orders.lines_of(uow, [order.id])[order.id]
    ack = uow.session.scalar(select(PurchaseOrderAck).where(PurchaseOrderAck.order_id == order.id))
    if ack is None:
        if not create:
            # Not answered yet and not created by an award: show it as just released.
            ack = PurchaseOrderAck(
                enterprise_id=order.enterprise_id,
                partner_enterprise_id=order.partner_enterprise_id,
                order_id=order.id,
                status=AckStatus.RELEASED.value,
                version=0,
            )
            blank = {
                line.id: PoLineAnswer(order_line_id=line.id, status="open", version=0)
                for line in lines
            }
            return PurchaseOrderView(order, lines, ack, blank, [])
        ack = open_answers(uow, order, lines)
    answers = {
        a.order_line_id: a
        for a in uow.session.scalars(select(PoLineAnswer).where(PoLineAnswer.order_id == order.id))
    }
    # A released order's lines are frozen (only drafts are edited), so every line has its answer.
    changes = list(
        uow.session.scalars(
            select(ChangeOrder).where(ChangeOrder.order_id == order.id).order_by(ChangeOrder.id)
        )
    )
    return PurchaseOrderView(order, lines, ack, answers, changes)


def get_purchase_order(uow: UnitOfWork, order_id: int) -> PurchaseOrderView:
    """A purchase order with its answers and change orders, for either party."""
    return _load(uow, purchase_order(uow, order_id), create=False)


def list_purchase_orders(
    uow: UnitOfWork, status: str | None = None, offset: int = 0, limit: int = 50
) -> Page:
    """Purchase orders the caller placed or received (released or later), newest first."""
    query = select(Order).where(
        Order.kind == OrderKind.PURCHASE.value,
        Order.partner_enterprise_id.is_not(None),
        Order.status != OrderStatus.DRAFT.value,
    )
    if status is not None:
        acked = select(PurchaseOrderAck.order_id).where(PurchaseOrderAck.status == status)
        if status == AckStatus.RELEASED:
            query = query.where(
                Order.id.in_(acked) | Order.id.not_in(select(PurchaseOrderAck.order_id))
            )
        else:
            query = query.where(Order.id.in_(acked))
    total = crud.count(uow, query)
    found = uow.session.scalars(query.order_by(Order.id.desc()).offset(offset).limit(limit))
    return Page([_load(uow, o, create=False) for o in found], total, offset, limit)


def _line(view: PurchaseOrderView, line_id: int) -> OrderLine:
    line = next((line for line in view.lines if line.id == line_id), None)
    if line is None:
        raise NotFound("OrderLine", line_id)
    return line


def _apply(
    uow: UnitOfWork,
    order: Order,
    line: OrderLine,
    quantity: Decimal | None,
    requested_date: date | None,
    unit_price: Decimal | None,
) -> None:
    """Change the buyer's order line (as its owner), keeping what is on order right.

    All fields change in one flush, so the line's version goes up by exactly one.
    """
    delta = Decimal(0)
    if quantity is not None and quantity != line.quantity:
        if quantity < line.quantity_shipped:
            raise invalid(
                "quantity", f"{quantity} is less than the {line.quantity_shipped} already shipped"
            )
        delta = max(Decimal(0), quantity - line.quantity_received) - line.still_expected
    site = uow.session.get(Site, order.ship_to_site_id) if order.ship_to_site_id else None
    item = uow.session.get(Item, line.item_id)
    if quantity is not None:
        line.quantity = quantity
    if requested_date is not None:
        line.requested_date = requested_date
    if unit_price is not None:
        line.unit_price = unit_price
    uow.flush()
    if delta and order.expects_stock and site is not None and item is not None:
        StockLedger(uow, order.number).expect(site, item, delta)
        uow.flush()


def _follow(uow: UnitOfWork, view: PurchaseOrderView) -> None:
    """Move the acknowledgement (and, once agreed, the order) to where the lines stand.

    Cancelled lines are settled and do not hold the order back; when every line is cancelled
    the order itself is.
    """
    states = {a.status for a in view.answers.values()} - {LineAnswerStatus.CANCELLED}
    if not states:
        _cancel_order(uow, view)
        return
    if LineAnswerStatus.OPEN in states:
        untouched = states == {LineAnswerStatus.OPEN} and view.ack.status == AckStatus.RELEASED
        target = AckStatus.RELEASED if untouched else AckStatus.PARTIALLY_ACKNOWLEDGED
    elif LineAnswerStatus.PROPOSED in states:
        target = AckStatus.CHANGES_PROPOSED
    elif LineAnswerStatus.REJECTED in states:
        target = AckStatus.ACKNOWLEDGED
    else:
        target = AckStatus.CONFIRMED
    if target != view.ack.status:
        move(uow, view.ack, target, ACK_TRANSITIONS, order_id=view.order.id)
    if target == AckStatus.CONFIRMED:
        _confirm_order(uow, view.order)


def _cancel_order(uow: UnitOfWork, view: PurchaseOrderView) -> None:
    order, was = view.order, view.order.status
    if was in (OrderStatus.RELEASED, OrderStatus.CONFIRMED):
        with acting_for_owner(uow, order.enterprise_id) as owner:
            orders.cancel(owner, order.id)
        record_move(uow, order, order.id, "order", was, OrderStatus.CANCELLED, order.id)
    if view.ack.status != AckStatus.CANCELLED:
        move(uow, view.ack, AckStatus.CANCELLED, ACK_TRANSITIONS, order_id=order.id)


def _drop_line(
    uow: UnitOfWork, view: PurchaseOrderView, line: OrderLine, action: str, reason: str | None
) -> None:
    """Cancel one line: what has not shipped leaves the line and the buyer's on-order stock."""
    answer = view.answers[line.id]
    target = check_move("po_line", LINE_MOVES, answer.status, action)
    dropped = line.quantity - line.quantity_shipped
    with acting_for_owner(uow, view.order.enterprise_id) as owner:
        _apply(owner, view.order, line, line.quantity_shipped, None, None)
        line.cancelled_quantity += dropped
    previous = answer.enter(target)
    uow.flush()
    record_move(uow, answer, answer.id, "po_line", previous, target, view.order.id, note=reason)


def _confirm_order(uow: UnitOfWork, order: Order) -> None:
    if order.status != OrderStatus.RELEASED:
        return
    with acting_for_owner(uow, order.enterprise_id):
        order.transition(OrderStatus.CONFIRMED)
    record_move(
        uow, order, order.id, "order", OrderStatus.RELEASED, OrderStatus.CONFIRMED, order.id
    )


def answer_line(
    uow: UnitOfWork, order_id: int, line_id: int, cmd: LineAnswerIn
) -> PurchaseOrderView:
    """The supplier accepts, rejects (with a reason) or proposes a change to one line."""
    order = purchase_order(uow, order_id)
    require_side(uow, LINE_MOVE_SIDE[cmd.action], order.enterprise_id, order.partner_enterprise_id)
    fresh = (
        uow.session.scalar(select(PurchaseOrderAck.id).where(PurchaseOrderAck.order_id == order.id))
        is None
    )
    view = _load(uow, order, create=True)
    line = _line(view, line_id)
    answer = view.answers[line.id]
    if not fresh:
        require_version("PoLineAnswer", line.id, cmd.version, answer.version)
    if view.ack.status == AckStatus.CANCELLED:
        raise IllegalTransition("purchase_order", view.ack.status, "answered", [])
    if order.status not in (OrderStatus.RELEASED, OrderStatus.CONFIRMED):
        # cancelled or closed by the buyer through the order itself: nothing left to answer
        raise IllegalTransition("order", order.status, "answered", order.allowed_transitions)
    target = check_move("po_line", LINE_MOVES, answer.status, cmd.action)
    if cmd.action == "reject" and not cmd.reason:
        raise invalid("reason", "say why the line is rejected")
    if cmd.action == "propose":
        if cmd.quantity is None and cmd.requested_date is None and cmd.unit_price is None:
            raise invalid("quantity", "propose a new quantity, requested_date or unit_price")
        answer.proposed_quantity = cmd.quantity
        answer.proposed_date = cmd.requested_date
        answer.proposed_price = cmd.unit_price
    answer.reason = cmd.reason
    answer.answered_at = utcnow()
    previous = answer.enter(target)
    uow.flush()
    record_move(uow, answer, answer.id, "po_line", previous, target, order.id, note=cmd.reason)
    _follow(uow, view)
    return _load(uow, order, create=False)


def decide_proposal(
    uow: UnitOfWork, order_id: int, line_id: int, accept: bool, cmd: DecisionIn
) -> PurchaseOrderView:
    """The buyer accepts a proposal (applied to the line) or rejects it (the line reopens)."""
    action = "accept_proposal" if accept else "reject_proposal"
    order = purchase_order(uow, order_id)
    require_side(uow, LINE_MOVE_SIDE[action], order.enterprise_id, order.partner_enterprise_id)
    view = _load(uow, order, create=True)
    line = _line(view, line_id)
    answer = view.answers[line.id]
    require_version("PoLineAnswer", line.id, cmd.version, answer.version)
    target = check_move("po_line", LINE_MOVES, answer.status, action)
    if accept:
        _apply(
            uow, order, line, answer.proposed_quantity, answer.proposed_date, answer.proposed_price
        )
    previous = answer.enter(target)
    uow.flush()
    record_move(uow, answer, answer.id, "po_line", previous, target, order.id, note=cmd.reason)
    _follow(uow, view)
    return _load(uow, order, create=False)


def confirm(uow: UnitOfWork, order_id: int, cmd: DecisionIn) -> PurchaseOrderView:
    """The buyer goes ahead with an acknowledged order; the lines the supplier rejected are
    cancelled (their quantity leaves on-order stock), and if that is all of them, the order."""
    order = purchase_order(uow, order_id)
    require_side(uow, "buyer", order.enterprise_id, order.partner_enterprise_id)
    view = _load(uow, order, create=True)
    require_version("PurchaseOrderAck", order.number, cmd.version, view.ack.version)
    if view.ack.status != AckStatus.ACKNOWLEDGED:
        allowed = view.ack.allowed_transitions
        raise IllegalTransition("purchase_order", view.ack.status, AckStatus.CONFIRMED, allowed)
    for line in view.lines:
        if view.answers[line.id].status == LineAnswerStatus.REJECTED:
            _drop_line(uow, view, line, "cancel", view.answers[line.id].reason)
    if all(a.status == LineAnswerStatus.CANCELLED for a in view.answers.values()):
        _cancel_order(uow, view)  # every line was refused: nothing is left to confirm
    else:
        move(
            uow, view.ack, AckStatus.CONFIRMED, ACK_TRANSITIONS, order_id=order.id, note=cmd.reason
        )
        _confirm_order(uow, order)
    return _load(uow, order, create=False)


def cancel_line(uow: UnitOfWork, order_id: int, line_id: int, cmd: DecisionIn) -> PurchaseOrderView:
    """The buyer drops a line the supplier has not accepted (open, proposed or rejected)."""
    order = purchase_order(uow, order_id)
    require_side(uow, "buyer", order.enterprise_id, order.partner_enterprise_id)
    if order.status not in (OrderStatus.RELEASED, OrderStatus.CONFIRMED):
        raise IllegalTransition("order", order.status, "line_cancelled", order.allowed_transitions)
    view = _load(uow, order, create=True)
    line = _line(view, line_id)
    require_version("PoLineAnswer", line.id, cmd.version, view.answers[line.id].version)
    _drop_line(uow, view, line, "cancel", cmd.reason)
    _follow(uow, view)
    return _load(uow, order, create=False)


# --- change orders and cancellations ------------------------------------------------------------


def request_change(uow: UnitOfWork, order_id: int, cmd: ChangeOrderIn) -> PurchaseOrderView:
    """The buyer asks to change a confirmed line, or to cancel the order; the supplier decides."""
    order = purchase_order(uow, order_id)
    require_side(uow, "buyer", order.enterprise_id, order.partner_enterprise_id)
    require_version("Order", order.number, cmd.version, order.version)
    view = _load(uow, order, create=True)
    if any(c.status == ChangeStatus.REQUESTED for c in view.change_orders):
        raise Conflict(f"order {order.number} already has a change order waiting for sign-off")
    if cmd.kind == ChangeKind.CHANGE.value:
        if view.ack.status != AckStatus.CONFIRMED:
            raise IllegalTransition(
                "purchase_order", view.ack.status, "change", view.ack.allowed_transitions
            )
        if cmd.order_line_id is None:
            raise invalid("order_line_id", "a change names the line it changes")
        line = _line(view, cmd.order_line_id)
        if cmd.quantity is None and cmd.requested_date is None and cmd.unit_price is None:
            raise invalid("quantity", "change the quantity, requested_date or unit_price")
        if cmd.quantity is not None and cmd.quantity < line.quantity_shipped:
            raise invalid("quantity", f"{cmd.quantity} is less than what has shipped")
    elif order.status not in (OrderStatus.RELEASED, OrderStatus.CONFIRMED):
        raise IllegalTransition(
            "order", order.status, OrderStatus.CANCELLED, order.allowed_transitions
        )
    elif cmd.order_line_id is not None:
        line = _line(view, cmd.order_line_id)
        status = view.answers[line.id].status
        check_move("po_line", LINE_MOVES, status, "cancel_committed")
        if line.quantity_shipped >= line.quantity:
            raise invalid("order_line_id", f"line {line.line_no} has shipped in full")
    change = ChangeOrder(
        enterprise_id=order.enterprise_id,
        partner_enterprise_id=order.partner_enterprise_id,
        order_id=order.id,
        order_line_id=cmd.order_line_id,
        kind=cmd.kind,
        quantity=cmd.quantity,
        requested_date=cmd.requested_date,
        unit_price=cmd.unit_price,
        note=cmd.note,
        status=ChangeStatus.REQUESTED.value,
    )
    uow.add(change)
    uow.flush()
    record_move(
        uow,
        change,
        change.id,
        "change_order",
        None,
        ChangeStatus.REQUESTED,
        order.id,
        note=cmd.note,
    )
    return _load(uow, order, create=False)


def decide_change(
    uow: UnitOfWork, order_id: int, change_id: int, action: str, cmd: DecisionIn
) -> PurchaseOrderView:
    """The supplier accepts or rejects a change order; the buyer may withdraw it."""
    if action not in CHANGE_MOVE_SIDE:
        raise NotFound("change-order action", action)
    order = purchase_order(uow, order_id)
    require_side(uow, CHANGE_MOVE_SIDE[action], order.enterprise_id, order.partner_enterprise_id)
    change = uow.session.get(ChangeOrder, change_id)
    if change is None or change.order_id != order.id:
        raise NotFound("ChangeOrder", change_id)
    require_version("ChangeOrder", change.id, cmd.version, change.version)
    target = check_move("change_order", CHANGE_MOVES, change.status, action)
    view = _load(uow, order, create=True)
    was = order.status
    if target == ChangeStatus.ACCEPTED:
        if change.kind == ChangeKind.CANCEL and change.order_line_id is not None:
            line = _line(view, change.order_line_id)
            _drop_line(uow, view, line, "cancel_committed", change.note)
            _follow(uow, view)
        elif change.kind == ChangeKind.CANCEL:
            with acting_for_owner(uow, order.enterprise_id) as owner:
                orders.cancel(owner, order.id)
            record_move(uow, order, order.id, "order", was, OrderStatus.CANCELLED, order.id)
            move(uow, view.ack, AckStatus.CANCELLED, ACK_TRANSITIONS, order_id=order.id)
        elif change.order_line_id is not None:
            with acting_for_owner(uow, order.enterprise_id) as owner:
                line = _line(view, change.order_line_id)
                _apply(
                    owner, order, line, change.quantity, change.requested_date, change.unit_price
                )
    change.reason = cmd.reason
    previous = change.enter(target)
    uow.flush()
    record_move(uow, change, change.id, "change_order", previous, target, order.id, note=cmd.reason)
    return _load(uow, order, create=False)
