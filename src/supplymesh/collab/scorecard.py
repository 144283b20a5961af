"""A supplier's scorecard for one buyer, from the platform's own records, with its evidence.

Every figure carries the documents it was computed from, so either side can check it:

- on-time-in-full: order lines requested in the window, counted when what arrived by the
  requested date (receiving notices) is within the line's tolerance;
- quality acceptance: accepted ÷ inspected quantity of the receipts in the window;
- price variance: order price against the quoted price (the award's quote line) or else the
  item's standard price, weighted by quantity, for orders placed in the window;
- response time: median hours from an order's release to the supplier's first move on it.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from pydantic import Field
from sqlalchemy import select

from supplymesh.collab.procurement_model import DocumentTransition, QuoteLine, RfqAward
from supplymesh.collab.receiving import require_supplier, tolerance_for
from supplymesh.collab.receiving_model import QcInspection, ReceivingLine, ReceivingNotice
from supplymesh.collab.rfq_schemas import Scorecard as RfqScorecard
from supplymesh.inventory.model import Order, OrderKind, OrderLine, OrderStatus
from supplymesh.network.model import Item
from supplymesh.platform.errors import NotFound, invalid
from supplymesh.platform.schemas import Output
from supplymesh.platform.uow import UnitOfWork

CENT = Decimal("0.01")
YEAR = timedelta(days=365)
HUNDRED = Decimal(100)
NOT_PLACED = (OrderStatus.DRAFT.value, OrderStatus.CANCELLED.value)


class Evidence(Output):
    """One document behind a figure, and what it contributed."""

    kind: str
    id: int
    number: str
    detail: dict[str, str] = Field(default_factory=dict)


class Figure(Output):
    value: Decimal | None = Field(description="null when nothing in the window counts")
    numerator: Decimal
    denominator: Decimal
    unit: str
    documents: list[Evidence]


class SupplierScorecard(Output):
    supplier_enterprise_id: int
    date_from: date = Field(serialization_alias="from")
    date_to: date = Field(serialization_alias="to")
    on_time_in_full: Figure
    quality_acceptance: Figure
    price_variance: Figure
    response_time: Figure


def _pct(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if denominator == 0:
        return None
    return (HUNDRED * numerator / denominator).quantize(CENT, ROUND_HALF_UP)


def _orders(uow: UnitOfWork, supplier_id: int) -> dict[int, Order]:
    query = select(Order).where(
        Order.enterprise_id == uow.ctx.enterprise_id,
        Order.partner_enterprise_id == supplier_id,
        Order.kind == OrderKind.PURCHASE.value,
        Order.status.not_in(NOT_PLACED),
    )
    return {o.id: o for o in uow.session.scalars(query)}


def _lines(uow: UnitOfWork, orders: dict[int, Order]) -> list[OrderLine]:
    if not orders:
        return []
    query = select(OrderLine).where(OrderLine.order_id.in_(list(orders))).order_by(OrderLine.id)
    return list(uow.session.scalars(query))


def on_time_in_full(
    uow: UnitOfWork, orders: dict[int, Order], lines: list[OrderLine], start: date, end: date
) -> Figure:
    due = [
        line
        for line in lines
        if (when := line.requested_date or orders[line.order_id].requested_date) is not None
        and start <= when <= end
    ]
    received: dict[int, list[tuple[ReceivingNotice, ReceivingLine]]] = defaultdict(list)
    if due:
        rows = uow.session.execute(
            select(ReceivingNotice, ReceivingLine)
            .join(ReceivingLine, ReceivingLine.receiving_notice_id == ReceivingNotice.id)
            .where(ReceivingLine.order_line_id.in_([line.id for line in due]))
            .order_by(ReceivingNotice.id)
        ).all()
        for notice, rline in rows:
            received[rline.order_line_id].append((notice, rline))
    hits = 0
    documents = []
    for line in due:
        order = orders[line.order_id]
        when = line.requested_date or order.requested_date
        assert when is not None
        in_time = sum(
            (r.received_quantity for n, r in received[line.id] if n.received_on <= when),
            Decimal(0),
        )
        tolerance = tolerance_for(uow, order)
        hit = tolerance.least(line.quantity) <= in_time <= tolerance.most(line.quantity)
        hits += hit
        documents.append(
            Evidence(
                kind="order_line",
                id=line.id,
                number=f"{order.number}/{line.line_no}",
                detail={
                    "requested_date": when.isoformat(),
                    "quantity": str(line.quantity),
                    "received_by_requested_date": str(in_time),
                    "on_time_in_full": str(hit).lower(),
                    "receiving_notices": ",".join(n.number for n, _r in received[line.id]),
                },
            )
        )
    return Figure(
        value=_pct(Decimal(hits), Decimal(len(due))),
        numerator=Decimal(hits),
        denominator=Decimal(len(due)),
        unit="%",
        documents=documents,
    )


def quality_acceptance(uow: UnitOfWork, supplier_id: int, start: date, end: date) -> Figure:
    rows = uow.session.execute(
        select(QcInspection, ReceivingNotice)
        .join(ReceivingNotice, ReceivingNotice.id == QcInspection.receiving_notice_id)
        .where(
            QcInspection.enterprise_id == uow.ctx.enterprise_id,
            QcInspection.partner_enterprise_id == supplier_id,
            ReceivingNotice.received_on >= start,
            ReceivingNotice.received_on <= end,
        )
        .order_by(QcInspection.id)
    ).all()
    accepted = sum((q.accepted_quantity for q, _n in rows), Decimal(0))
    inspected = sum((q.accepted_quantity + q.rejected_quantity for q, _n in rows), Decimal(0))
    documents = [
        Evidence(
            kind="qc_inspection",
            id=q.id,
            number=n.number,
            detail={"accepted": str(q.accepted_quantity), "rejected": str(q.rejected_quantity)},
        )
        for q, n in rows
    ]
    return Figure(
        value=_pct(accepted, inspected),
        numerator=accepted,
        denominator=inspected,
        unit="%",
        documents=documents,
    )


def _quoted_prices(uow: UnitOfWork, line_ids: list[int]) -> dict[int, Decimal]:
    """The quote's price (after price breaks) for order lines that came from an award."""
    if not line_ids:
        return {}
    out: dict[int, Decimal] = {}
    awards = uow.session.scalars(select(RfqAward).where(RfqAward.order_line_id.in_(line_ids)))
    for award in awards:
        quoted = uow.session.scalar(
            select(QuoteLine).where(
                QuoteLine.quote_id == award.quote_id,
                QuoteLine.revision == award.quote_revision,
                QuoteLine.rfq_line_id == award.rfq_line_id,
            )
        )
        if quoted is not None:
            out[award.order_line_id] = quoted.price_for(award.quantity)
    return out


def price_variance(
    uow: UnitOfWork, orders: dict[int, Order], lines: list[OrderLine], start: date, end: date
) -> Figure:
    placed = [
        line
        for line in lines
        if start <= orders[line.order_id].order_date <= end and line.unit_price is not None
    ]
    quoted = _quoted_prices(uow, [line.id for line in placed])
    paid_over = Decimal(0)
    reference_total = Decimal(0)
    documents = []
    for line in placed:
        assert line.unit_price is not None
        reference, source = quoted.get(line.id), "quote"
        if reference is None:
            item = uow.session.get(Item, line.item_id)
            reference, source = (item.price if item else None), "item_standard_price"
        if reference is None:
            continue
        paid_over += (line.unit_price - reference) * line.quantity
        reference_total += reference * line.quantity
        order = orders[line.order_id]
        documents.append(
            Evidence(
                kind="order_line",
                id=line.id,
                number=f"{order.number}/{line.line_no}",
                detail={
                    "unit_price": str(line.unit_price),
                    "reference_price": str(reference),
                    "reference": source,
                    "quantity": str(line.quantity),
                },
            )
        )
    return Figure(
        value=_pct(paid_over, reference_total),
        numerator=paid_over,
        denominator=reference_total,
        unit="%",
        documents=documents,
    )


def response_time(
    uow: UnitOfWork, supplier_id: int, orders: dict[int, Order], start: date, end: date
) -> Figure:
    placed = {i: o for i, o in orders.items() if start <= o.order_date <= end}
    moves: dict[int, list[DocumentTransition]] = defaultdict(list)
    if placed:
        query = (
            select(DocumentTransition)
            .where(DocumentTransition.order_id.in_(list(placed)))
            .order_by(DocumentTransition.at, DocumentTransition.id)
        )
        for move in uow.session.scalars(query):
            moves[move.order_id or 0].append(move)
    hours: list[Decimal] = []
    documents = []
    for order_id, order in sorted(placed.items()):
        released = next(
            (
                m.at
                for m in moves[order_id]
                if m.document_kind == "order" and m.to_state == OrderStatus.RELEASED
            ),
            None,
        )
        answered = next(
            (m.at for m in moves[order_id] if m.actor_enterprise_id == supplier_id), None
        )
        if released is None or answered is None:
            continue
        took = _hours(max(answered - released, timedelta(0)))
        hours.append(took)
        documents.append(
            Evidence(
                kind="purchase_order",
                id=order_id,
                number=order.number,
                detail={
                    "released_at": _iso(released),
                    "first_answer_at": _iso(answered),
                    "hours": str(took),
                },
            )
        )
    median = statistics.median(hours).quantize(CENT, ROUND_HALF_UP) if hours else None
    return Figure(
        value=median,
        numerator=sum(hours, Decimal(0)),
        denominator=Decimal(len(hours)),
        unit="hours",
        documents=documents,
    )


def _hours(delta: timedelta) -> Decimal:
    seconds = Decimal(str(delta.total_seconds()))
    return (seconds / 3600).quantize(CENT, ROUND_HALF_UP)


def _iso(at: datetime) -> str:
    return at.isoformat()


def scorecard(
    uow: UnitOfWork, supplier_id: int, start: date | None = None, end: date | None = None
) -> SupplierScorecard:
    """The caller's scorecard of one of its suppliers (404 for an enterprise that is not one)."""
    require_supplier(uow, supplier_id)
    end = end or date.today()
    start = start or (end - YEAR if end - date.min > YEAR else date.min)
    if start > end:
        raise invalid("from", f"{start} is after {end}")
    orders = _orders(uow, supplier_id)
    lines = _lines(uow, orders)
    return SupplierScorecard(
        supplier_enterprise_id=supplier_id,
        date_from=start,
        date_to=end,
        on_time_in_full=on_time_in_full(uow, orders, lines, start, end),
        quality_acceptance=quality_acceptance(uow, supplier_id, start, end),
        price_variance=price_variance(uow, orders, lines, start, end),
        response_time=response_time(uow, supplier_id, orders, start, end),
    )


def summary(uow: UnitOfWork, supplier_id: int) -> RfqScorecard:
    """The four figures of the last year, as the RFQ comparison shows them next to a quote."""
    try:
        card = scorecard(uow, supplier_id)
    except NotFound:
        return RfqScorecard()
    figures = (
        card.on_time_in_full.value,
        card.quality_acceptance.value,
        card.price_variance.value,
        card.response_time.value,
    )
    return RfqScorecard(
        on_time_in_full_pct=figures[0],
        quality_acceptance_pct=figures[1],
        price_variance_pct=figures[2],
        response_time_hours=figures[3],
        available=any(f is not None for f in figures),
    )
