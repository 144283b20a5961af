"""Procurement between enterprises: RFQs and quotes, purchase-order answers, the timeline.

Thin: parse, call a collaboration use case, commit once, present. Who may see a document is
the tenancy layer's business (a competitor's quote is simply not found); who may make a move
is the use case's (the other side's move answers 403).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from supplymesh.api.deps import UowDep
from supplymesh.collab import purchasing, rfq, rfq_award, timeline
from supplymesh.collab.procurement_model import LINE_MOVES, AckStatus, RfqStatus
from supplymesh.collab.purchasing import PurchaseOrderView
from supplymesh.collab.purchasing_schemas import (
    ChangeOrderIn,
    ChangeOrderPublic,
    DecisionIn,
    LineAnswerIn,
    LineAnswerPublic,
    PurchaseOrderLinePublic,
    PurchaseOrderPage,
    PurchaseOrderPublic,
    Timeline,
)
from supplymesh.collab.rfq import QuoteView, RfqView
from supplymesh.collab.rfq_schemas import (
    AwardedOrder,
    AwardIn,
    AwardPublic,
    Comparison,
    InvitationPublic,
    QuoteIn,
    QuoteLinePublic,
    QuotePublic,
    QuoteRevisionPublic,
    RfqCreate,
    RfqLinePublic,
    RfqPage,
    RfqPublic,
    VersionIn,
)
from supplymesh.platform.types import MAX_INT

router = APIRouter(prefix="/api/v1", tags=["procurement"])

Id = Annotated[int, Path(ge=1, le=MAX_INT)]
Offset = Annotated[int, Query(ge=0, le=MAX_INT)]
Limit = Annotated[int, Query(ge=1, le=500)]


def _rfq(view: RfqView) -> RfqPublic:
    rfq_ = view.rfq
    return RfqPublic(
        id=rfq_.id,
        enterprise_id=rfq_.enterprise_id,
        number=rfq_.number,
        title=rfq_.title,
        currency=rfq_.currency,
        deadline=rfq_.deadline,
        status=rfq_.status,
        allowed_transitions=rfq_.allowed_transitions,
        quoting_open=view.quoting_open,
        note=rfq_.note,
        created_at=rfq_.created_at,
        version=rfq_.version,
        lines=[RfqLinePublic.model_validate(line) for line in view.lines],
        invitations=[InvitationPublic.model_validate(i) for i in view.invitations],
    )


def _quote(view: QuoteView) -> QuotePublic:
    q = view.quote

    def lines(revision: int) -> list[QuoteLinePublic]:
        return [
            QuoteLinePublic.model_validate(line)
            for line in view.lines_by_revision.get(revision, [])
        ]

    return QuotePublic(
        id=q.id,
        rfq_id=q.rfq_id,
        enterprise_id=q.enterprise_id,
        partner_enterprise_id=q.partner_enterprise_id,
        revision=q.revision,
        status=q.status,
        note=q.note,
        submitted_at=q.submitted_at,
        version=q.version,
        lines=lines(q.revision),
        revisions=[
            QuoteRevisionPublic(revision=r, lines=lines(r)) for r in sorted(view.lines_by_revision)
        ],
    )


def _po(view: PurchaseOrderView) -> PurchaseOrderPublic:
    order = view.order
    lines = []
    for line in view.lines:
        answer = view.answers[line.id]
        moves = sorted({m for (start, m) in LINE_MOVES if start == answer.status})
        lines.append(
            PurchaseOrderLinePublic(
                id=line.id,
                line_no=line.line_no,
                item_id=line.item_id,
                quantity=line.quantity,
                unit_price=line.unit_price,
                requested_date=line.requested_date,
                quantity_shipped=line.quantity_shipped,
                quantity_received=line.quantity_received,
                cancelled_quantity=line.cancelled_quantity,
                version=line.version,
                answer=LineAnswerPublic(
                    status=answer.status,
                    allowed_moves=moves,
                    reason=answer.reason,
                    proposed_quantity=answer.proposed_quantity,
                    proposed_date=answer.proposed_date,
                    proposed_price=answer.proposed_price,
                    answered_at=answer.answered_at,
                    version=answer.version,
                ),
            )
        )
    return PurchaseOrderPublic(
        id=order.id,
        number=order.number,
        enterprise_id=order.enterprise_id,
        partner_enterprise_id=order.partner_enterprise_id,
        order_status=order.status,
        status=view.ack.status,
        allowed_transitions=view.ack.allowed_transitions,
        acknowledgement_version=view.ack.version,
        currency=order.currency,
        version=order.version,
        lines=lines,
        change_orders=[ChangeOrderPublic.model_validate(c) for c in view.change_orders],
    )


# --- RFQs and quotes ----------------------------------------------------------------------------


@router.post("/rfqs", response_model=RfqPublic, status_code=201)
def create_rfq(payload: RfqCreate, uow: UowDep, response: Response) -> RfqPublic:
    """Issue an RFQ to approved suppliers (open for quotes until its deadline)."""
    view = rfq.create_rfq(uow, payload)
    uow.commit()
    response.headers["Location"] = f"/api/v1/rfqs/{view.rfq.id}"
    return _rfq(view)


@router.get("/rfqs", response_model=RfqPage)
def list_rfqs(
    uow: UowDep, status: RfqStatus | None = None, offset: Offset = 0, limit: Limit = 50
) -> RfqPage:
    """RFQs you issued and RFQs you are invited to, newest first."""
    page = rfq.list_rfqs(uow, status, offset, limit)
    return RfqPage(
        items=[_rfq(v) for v in page.items], total=page.total, offset=offset, limit=limit
    )


@router.get("/rfqs/{rfq_id}", response_model=RfqPublic)
def read_rfq(rfq_id: Id, uow: UowDep) -> RfqPublic:
    """One RFQ; a supplier sees only its own invitation."""
    return _rfq(rfq.get_rfq(uow, rfq_id))


@router.post("/rfqs/{rfq_id}/cancel", response_model=RfqPublic)
def cancel_rfq(rfq_id: Id, uow: UowDep, payload: VersionIn | None = None) -> RfqPublic:
    """Withdraw an open RFQ (buyer)."""
    view = rfq.cancel_rfq(uow, rfq_id, payload.version if payload else None)
    uow.commit()
    return _rfq(view)


@router.post("/rfqs/{rfq_id}/quotes", response_model=QuotePublic, status_code=201)
def submit_quote(rfq_id: Id, payload: QuoteIn, uow: UowDep, response: Response) -> QuotePublic:
    """Quote for an RFQ you are invited to, before its deadline (supplier)."""
    view = rfq.submit_quote(uow, rfq_id, payload)
    uow.commit()
    response.headers["Location"] = f"/api/v1/rfqs/{rfq_id}/quotes/{view.quote.id}"
    return _quote(view)


@router.put("/rfqs/{rfq_id}/quotes/{quote_id}", response_model=QuotePublic)
def revise_quote(rfq_id: Id, quote_id: Id, payload: QuoteIn, uow: UowDep) -> QuotePublic:
    """Revise your quote before the deadline (``version`` of the quote; earlier revisions kept)."""
    view = rfq.submit_quote(uow, rfq_id, payload, quote_id)
    uow.commit()
    return _quote(view)


@router.get("/rfqs/{rfq_id}/quotes", response_model=list[QuotePublic])
def list_quotes(rfq_id: Id, uow: UowDep) -> list[QuotePublic]:
    """The buyer sees every quote; a supplier only its own."""
    return [_quote(v) for v in rfq.list_quotes(uow, rfq_id)]


@router.get("/rfqs/{rfq_id}/quotes/{quote_id}", response_model=QuotePublic)
def read_quote(rfq_id: Id, quote_id: Id, uow: UowDep) -> QuotePublic:
    """One quote with all its revisions (404 for a competitor's)."""
    return _quote(rfq.get_quote(uow, rfq_id, quote_id))


@router.get("/rfqs/{rfq_id}/comparison", response_model=Comparison)
def compare(rfq_id: Id, uow: UowDep) -> Comparison:
    """Quotes side by side per line: price at the RFQ quantity, lead time, scorecard (buyer)."""
    return rfq_award.compare(uow, rfq_id)


@router.post("/rfqs/{rfq_id}/award", response_model=AwardPublic)
def award(rfq_id: Id, payload: AwardIn, uow: UowDep) -> AwardPublic:
    """Award all or part of the RFQ; creates released purchase orders (buyer)."""
    view, created = rfq_award.award(uow, rfq_id, payload)
    uow.commit()
    return AwardPublic(
        rfq=_rfq(view),
        purchase_orders=[
            AwardedOrder(
                order_id=o.id,
                number=o.number,
                supplier_enterprise_id=o.partner_enterprise_id or 0,
                status=o.status,
            )
            for o in created
        ],
    )


# --- purchase orders ----------------------------------------------------------------------------


@router.get("/purchase-orders", response_model=PurchaseOrderPage)
def list_purchase_orders(
    uow: UowDep, status: AckStatus | None = None, offset: Offset = 0, limit: Limit = 50
) -> PurchaseOrderPage:
    """Purchase orders you placed or received, with where the supplier's answer stands."""
    page = purchasing.list_purchase_orders(uow, status, offset, limit)
    return PurchaseOrderPage(
        items=[_po(v) for v in page.items], total=page.total, offset=offset, limit=limit
    )


@router.get("/purchase-orders/{order_id}", response_model=PurchaseOrderPublic)
def read_purchase_order(order_id: Id, uow: UowDep) -> PurchaseOrderPublic:
    """One purchase order with its line answers and change orders."""
    return _po(purchasing.get_purchase_order(uow, order_id))


@router.post(
    "/purchase-orders/{order_id}/lines/{line_id}/answer", response_model=PurchaseOrderPublic
)
def answer_line(
    order_id: Id, line_id: Id, payload: LineAnswerIn, uow: UowDep
) -> PurchaseOrderPublic:
    """Accept, reject (with a reason) or propose a change to one line (supplier)."""
    view = purchasing.answer_line(uow, order_id, line_id, payload)
    uow.commit()
    return _po(view)


@router.post(
    "/purchase-orders/{order_id}/lines/{line_id}/proposal/{decision}",
    response_model=PurchaseOrderPublic,
)
def decide_proposal(
    order_id: Id,
    line_id: Id,
    decision: Literal["accept", "reject"],
    uow: UowDep,
    payload: DecisionIn | None = None,
) -> PurchaseOrderPublic:
    """Accept (applied to the line) or reject (the line reopens) a proposal (buyer)."""
    view = purchasing.decide_proposal(
        uow, order_id, line_id, decision == "accept", payload or DecisionIn()
    )
    uow.commit()
    return _po(view)


@router.post(
    "/purchase-orders/{order_id}/lines/{line_id}/cancel", response_model=PurchaseOrderPublic
)
def cancel_line(
    order_id: Id, line_id: Id, uow: UowDep, payload: DecisionIn | None = None
) -> PurchaseOrderPublic:
    """Drop a line the supplier has not accepted (buyer); accepted lines need a change order."""
    view = purchasing.cancel_line(uow, order_id, line_id, payload or DecisionIn())
    uow.commit()
    return _po(view)


@router.post("/purchase-orders/{order_id}/confirm", response_model=PurchaseOrderPublic)
def confirm(order_id: Id, uow: UowDep, payload: DecisionIn | None = None) -> PurchaseOrderPublic:
    """Go ahead with an acknowledged order despite its rejected lines (buyer)."""
    view = purchasing.confirm(uow, order_id, payload or DecisionIn())
    uow.commit()
    return _po(view)


@router.post(
    "/purchase-orders/{order_id}/change-orders", response_model=PurchaseOrderPublic, status_code=201
)
def request_change(order_id: Id, payload: ChangeOrderIn, uow: UowDep) -> PurchaseOrderPublic:
    """Ask to change a confirmed line or to cancel the order (buyer; the supplier signs off)."""
    view = purchasing.request_change(uow, order_id, payload)
    uow.commit()
    return _po(view)


@router.post(
    "/purchase-orders/{order_id}/change-orders/{change_id}/{action}",
    response_model=PurchaseOrderPublic,
)
def decide_change(
    order_id: Id,
    change_id: Id,
    action: Literal["accept", "reject", "withdraw"],
    uow: UowDep,
    payload: DecisionIn | None = None,
) -> PurchaseOrderPublic:
    """The supplier accepts or rejects a change order; the buyer may withdraw it."""
    view = purchasing.decide_change(uow, order_id, change_id, action, payload or DecisionIn())
    uow.commit()
    return _po(view)


@router.get("/orders/{order_id}/timeline", response_model=Timeline)
def order_timeline(order_id: Id, uow: UowDep) -> Timeline:
    """Every document and move linked to the order, with who and when (both parties)."""
    return timeline.order_timeline(uow, order_id)
