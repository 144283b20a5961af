"""Comparing an RFQ's quotes side by side, and awarding it into purchase orders.

The comparison prices every quoted line at the RFQ quantity (after price breaks) with the
lead time and the supplier's scorecard figures (`scorecard.summary`). An
award splits each line's quantity across suppliers; it creates one released purchase order
per supplier, priced at that supplier's quote for the awarded quantity, and the open answers
the supplier will give — all in the caller's one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from supplymesh.collab import purchasing, scorecard
from supplymesh.collab.procurement_model import (
    INVITATION_TRANSITIONS,
    RFQ_TRANSITIONS,
    InvitationStatus,
    QuoteLine,
    QuoteStatus,
    RfqAward,
    RfqStatus,
)
from supplymesh.collab.purchasing_moves import move, record_move, require_side, require_version
from supplymesh.collab.rfq import RfqView, approved_suppliers, get_rfq, list_quotes, view_of
from supplymesh.collab.rfq_schemas import (
    AwardIn,
    ComparedLine,
    ComparedQuote,
    Comparison,
)
from supplymesh.inventory import orders
from supplymesh.inventory.model import Order, OrderKind, check_transition
from supplymesh.inventory.schemas import OrderCreate, OrderLineIn
from supplymesh.network.model import Enterprise
from supplymesh.platform.db import utcnow
from supplymesh.platform.errors import FieldError, ValidationFailed
from supplymesh.platform.uow import UnitOfWork

CENT = Decimal("0.0001")


def _current_lines(uow: UnitOfWork, view: RfqView) -> dict[int, dict[int, tuple[int, QuoteLine]]]:
    """Per supplier, per RFQ line: (quote id, the line of its current submitted revision)."""
    out: dict[int, dict[int, tuple[int, QuoteLine]]] = defaultdict(dict)
    for quote_view in list_quotes(uow, view.rfq.id):
        if quote_view.quote.status != QuoteStatus.SUBMITTED:
            continue
        for line in quote_view.lines:
            out[quote_view.quote.enterprise_id][line.rfq_line_id] = (quote_view.quote.id, line)
    return out


def compare(uow: UnitOfWork, rfq_id: int) -> Comparison:
    """Every supplier's current quote per line, priced at the RFQ quantity (buyer only)."""
    view = get_rfq(uow, rfq_id)
    require_side(uow, "buyer", view.rfq.enterprise_id, None)
    quoted = _current_lines(uow, view)
    codes = {
        e.id: e.code
        for e in uow.session.scalars(select(Enterprise).where(Enterprise.id.in_(list(quoted))))
    }
    cards = {supplier: scorecard.summary(uow, supplier) for supplier in quoted}
    compared = []
    for rfq_line in view.lines:
        rows = []
        for supplier, by_line in sorted(quoted.items()):
            if rfq_line.id not in by_line:
                continue
            quote_id, line = by_line[rfq_line.id]
            price = line.price_for(rfq_line.quantity)
            rows.append(
                ComparedQuote(
                    supplier_enterprise_id=supplier,
                    supplier_code=codes.get(supplier),
                    quote_id=quote_id,
                    revision=line.revision,
                    unit_price=price,
                    amount=(price * rfq_line.quantity).quantize(CENT, ROUND_HALF_UP),
                    lead_time_days=line.lead_time_days,
                    valid_until=line.valid_until,
                    scorecard=cards[supplier],
                )
            )
        cheapest = min(rows, key=lambda r: (r.unit_price, r.lead_time_days), default=None)
        fastest = min(rows, key=lambda r: (r.lead_time_days, r.unit_price), default=None)
        compared.append(
            ComparedLine(
                rfq_line_id=rfq_line.id,
                line_no=rfq_line.line_no,
                item_sku=rfq_line.item_sku,
                quantity=rfq_line.quantity,
                needed_by=rfq_line.needed_by,
                quotes=rows,
                lowest_price_supplier_id=cheapest.supplier_enterprise_id if cheapest else None,
                shortest_lead_time_supplier_id=fastest.supplier_enterprise_id if fastest else None,
            )
        )
    return Comparison(
        rfq_id=view.rfq.id, number=view.rfq.number, currency=view.rfq.currency, lines=compared
    )


@dataclass(frozen=True)
class _Share:
    rfq_line_id: int
    quantity: Decimal
    quote_id: int
    quote_line: QuoteLine


def _shares(uow: UnitOfWork, view: RfqView, cmd: AwardIn) -> dict[int, list[_Share]]:
    """The award's allocations, checked, grouped by supplier (in the order given)."""
    quoted = _current_lines(uow, view)
    approved = approved_suppliers(uow, sorted({a.supplier_enterprise_id for a in cmd.allocations}))
    lines = {line.id: line for line in view.lines}
    today = utcnow().date()
    errors: list[FieldError] = []
    awarded: dict[int, Decimal] = defaultdict(Decimal)
    out: dict[int, list[_Share]] = defaultdict(list)
    for index, alloc in enumerate(cmd.allocations):
        where = f"allocations.{index}"
        rfq_line = lines.get(alloc.rfq_line_id)
        if rfq_line is None:
            errors.append(FieldError(f"{where}.rfq_line_id", f"{alloc.rfq_line_id} is not a line"))
            continue
        found = quoted.get(alloc.supplier_enterprise_id, {}).get(rfq_line.id)
        if found is None:
            errors.append(
                FieldError(
                    f"{where}.supplier_enterprise_id",
                    f"enterprise {alloc.supplier_enterprise_id} has no quote for line "
                    f"{rfq_line.line_no}",
                )
            )
            continue
        if alloc.supplier_enterprise_id not in approved:
            errors.append(
                FieldError(
                    f"{where}.supplier_enterprise_id",
                    f"enterprise {alloc.supplier_enterprise_id} is no longer an approved supplier",
                )
            )
        if found[1].valid_until < today:
            errors.append(
                FieldError(
                    f"{where}.supplier_enterprise_id", f"the quote expired {found[1].valid_until}"
                )
            )
        awarded[rfq_line.id] += alloc.quantity
        if awarded[rfq_line.id] > rfq_line.quantity:
            errors.append(
                FieldError(
                    f"{where}.quantity",
                    f"line {rfq_line.line_no} asks for {rfq_line.quantity}; "
                    f"{awarded[rfq_line.id]} awarded",
                )
            )
        out[alloc.supplier_enterprise_id].append(
            _Share(rfq_line.id, alloc.quantity, found[0], found[1])
        )
    if errors:
        raise ValidationFailed(errors)
    return out


def award(uow: UnitOfWork, rfq_id: int, cmd: AwardIn) -> tuple[RfqView, list[Order]]:
    """Award all or part of the RFQ; returns it and the released purchase orders created."""
    view = get_rfq(uow, rfq_id)
    rfq = view.rfq
    require_side(uow, "buyer", rfq.enterprise_id, None)
    require_version("RFQ", rfq.number, cmd.version, rfq.version)
    check_transition("rfq", RFQ_TRANSITIONS, rfq.status, RfqStatus.AWARDED)
    shares = _shares(uow, view, cmd)
    rfq_lines = {line.id: line for line in view.lines}
    created: list[Order] = []
    for supplier, picked in shares.items():
        order_lines = [
            OrderLineIn(
                item_id=rfq_lines[s.rfq_line_id].item_id,
                quantity=s.quantity,
                unit_price=s.quote_line.price_for(s.quantity),
                requested_date=rfq_lines[s.rfq_line_id].needed_by,
            )
            for s in picked
        ]
        draft = orders.create_order(
            uow,
            OrderCreate(
                kind=OrderKind.PURCHASE,
                partner_enterprise_id=supplier,
                ship_to_site_id=cmd.ship_to_site_id,
                ship_to_site_code=cmd.ship_to_site_code,
                currency=rfq.currency,
                note=f"awarded from {rfq.number}",
                lines=order_lines,
            ),
        )
        released = orders.release(uow, draft.order.id)
        order = released.order
        record_move(
            uow,
            order,
            order.id,
            "order",
            "draft",
            order.status,
            order.id,
            rfq.id,
            note=f"awarded from {rfq.number}",
        )
        purchasing.open_answers(uow, order, released.lines)
        for share, line in zip(picked, released.lines, strict=True):
            uow.add(
                RfqAward(
                    enterprise_id=rfq.enterprise_id,
                    partner_enterprise_id=supplier,
                    rfq_id=rfq.id,
                    rfq_line_id=share.rfq_line_id,
                    quote_id=share.quote_id,
                    quote_revision=share.quote_line.revision,
                    order_id=order.id,
                    order_line_id=line.id,
                    quantity=share.quantity,
                    unit_price=line.unit_price or Decimal(0),
                )
            )
        created.append(order)
    for invitation in view.invitations:
        won = invitation.partner_enterprise_id in shares
        target = InvitationStatus.AWARDED if won else InvitationStatus.NOT_AWARDED
        move(uow, invitation, target, INVITATION_TRANSITIONS, rfq_id=rfq.id)
    move(uow, rfq, RfqStatus.AWARDED, RFQ_TRANSITIONS, rfq_id=rfq.id)
    return view_of(uow, rfq), created
