"""RFQ use cases: issue to chosen suppliers, quote and revise until the deadline, cancel, read.

The buyer owns the RFQ, its lines and the invitations; each invited supplier owns its quote.
What a supplier may see (the RFQ, its own invitation and quote, never a competitor's) comes
from the tenancy rules in `procurement_model`. Comparison and award are in `rfq_award`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select

from supplymesh.collab.procurement_model import (
    INVITATION_TRANSITIONS,
    QUOTE_TRANSITIONS,
    RFQ_TRANSITIONS,
    InvitationStatus,
    Quote,
    QuoteLine,
    QuoteStatus,
    Rfq,
    RfqInvitation,
    RfqLine,
    RfqStatus,
)
from supplymesh.collab.purchasing_moves import move, record_move, require_side, require_version
from supplymesh.collab.rfq_schemas import QuoteIn, RfqCreate
from supplymesh.inventory import refs
from supplymesh.network.model import Partnership
from supplymesh.platform import crud, numbering
from supplymesh.platform.crud import Page
from supplymesh.platform.db import utcnow
from supplymesh.platform.errors import (
    FieldError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    invalid,
)
from supplymesh.platform.numbering import highest_suffix
from supplymesh.platform.uow import UnitOfWork

SUPPLY_RELATIONS = ("supplier", "subcontractor")


@dataclass(frozen=True)
class RfqView:
    rfq: Rfq
    lines: list[RfqLine]
    invitations: list[RfqInvitation]

    @property
    def quoting_open(self) -> bool:
        return self.rfq.status == RfqStatus.OPEN and utcnow() < self.rfq.deadline


@dataclass(frozen=True)
class QuoteView:
    quote: Quote
    lines_by_revision: dict[int, list[QuoteLine]]

    @property
    def lines(self) -> list[QuoteLine]:
        return self.lines_by_revision.get(self.quote.revision, [])


def _next_number(uow: UnitOfWork) -> str:
    def highest_in_use() -> int:
        numbers = uow.session.scalars(
            select(Rfq.number)
            .where(Rfq.enterprise_id == uow.ctx.enterprise_id, Rfq.number.like("RFQ-%"))
            .order_by(func.length(Rfq.number).desc(), Rfq.number.desc())
            .limit(50)
        )
        return highest_suffix(list(numbers), "RFQ")

    return numbering.next_number(uow, "RFQ", highest_in_use)


def approved_suppliers(uow: UnitOfWork, ids: list[int]) -> set[int]:
    """Which of `ids` are active supplier or subcontractor partners of the caller."""
    return set(
        uow.session.scalars(
            select(Partnership.partner_enterprise_id).where(
                Partnership.enterprise_id == uow.ctx.enterprise_id,
                Partnership.partner_enterprise_id.in_(ids),
                Partnership.relation.in_(SUPPLY_RELATIONS),
                Partnership.status == "active",
            )
        )
    )


def view_of(uow: UnitOfWork, rfq: Rfq) -> RfqView:
    uow.flush()
    lines = list(
        uow.session.scalars(
            select(RfqLine).where(RfqLine.rfq_id == rfq.id).order_by(RfqLine.line_no)
        )
    )
    invitations = list(
        uow.session.scalars(
            select(RfqInvitation).where(RfqInvitation.rfq_id == rfq.id).order_by(RfqInvitation.id)
        )
    )
    return RfqView(rfq, lines, invitations)


def create_rfq(uow: UnitOfWork, cmd: RfqCreate) -> RfqView:
    """Issue an RFQ to approved suppliers; it is open for quotes until its deadline."""
    errors: list[FieldError] = []
    if cmd.deadline.tzinfo is None:
        errors.append(FieldError("deadline", "give a time zone (e.g. +08:00 or Z)"))
    elif cmd.deadline <= utcnow():
        errors.append(FieldError("deadline", f"{cmd.deadline.isoformat()} is in the past"))
    wanted = list(dict.fromkeys(cmd.supplier_enterprise_ids))
    approved = approved_suppliers(uow, wanted)
    for index, supplier in enumerate(cmd.supplier_enterprise_ids):
        if supplier not in approved:
            errors.append(
                FieldError(
                    f"supplier_enterprise_ids.{index}",
                    f"enterprise {supplier} is not an approved supplier of yours",
                )
            )
    items = []
    for index, line in enumerate(cmd.lines):
        try:
            items.append(refs.item(uow, line.item_id, line.item_code))
        except ValidationFailed as exc:
            errors.extend(refs.prefixed(exc, f"lines.{index}").errors)
        except NotFound as exc:
            errors.append(FieldError(f"lines.{index}.item_id", exc.message))
    if errors:
        raise ValidationFailed(errors)
    rfq = Rfq(
        enterprise_id=uow.ctx.enterprise_id,
        number=_next_number(uow),
        title=cmd.title,
        currency=cmd.currency,
        deadline=cmd.deadline,
        status=RfqStatus.OPEN.value,
        note=cmd.note,
        created_by_user_id=uow.ctx.user_id,
    )
    uow.add(rfq)
    uow.flush()
    record_move(uow, rfq, rfq.id, "rfq", None, RfqStatus.OPEN, rfq_id=rfq.id)
    for index, (line, item) in enumerate(zip(cmd.lines, items, strict=True)):
        uow.add(
            RfqLine(
                enterprise_id=rfq.enterprise_id,
                rfq_id=rfq.id,
                line_no=index + 1,
                item_id=item.id,
                item_sku=item.sku,
                item_name=item.name,
                quantity=line.quantity,
                needed_by=line.needed_by,
            )
        )
    for supplier in wanted:
        invitation = RfqInvitation(
            enterprise_id=rfq.enterprise_id,
            partner_enterprise_id=supplier,
            rfq_id=rfq.id,
            status=InvitationStatus.INVITED.value,
        )
        uow.add(invitation)
        uow.flush()
        record_move(
            uow, invitation, invitation.id, "rfq_invitation", None, "invited", rfq_id=rfq.id
        )
    return view_of(uow, rfq)


def get_rfq(uow: UnitOfWork, rfq_id: int) -> RfqView:
    """An RFQ the caller issued or was invited to (404 otherwise)."""
    rfq = uow.session.get(Rfq, rfq_id)
    if rfq is None:
        raise NotFound("RFQ", rfq_id)
    return view_of(uow, rfq)


def list_rfqs(uow: UnitOfWork, status: str | None = None, offset: int = 0, limit: int = 50) -> Page:
    """RFQs the caller issued or was invited to, newest first."""
    query = select(Rfq)
    if status is not None:
        query = query.where(Rfq.status == status)
    total = crud.count(uow, query)
    rfqs = list(uow.session.scalars(query.order_by(Rfq.id.desc()).offset(offset).limit(limit)))
    return Page([view_of(uow, r) for r in rfqs], total, offset, limit)


def cancel_rfq(uow: UnitOfWork, rfq_id: int, version: int | None) -> RfqView:
    """The buyer withdraws an open RFQ; the invitations end with it."""
    rfq = get_rfq(uow, rfq_id).rfq
    require_side(uow, "buyer", rfq.enterprise_id, None)
    require_version("RFQ", rfq.number, version, rfq.version)
    move(uow, rfq, RfqStatus.CANCELLED, RFQ_TRANSITIONS, rfq_id=rfq.id)
    for invitation in view_of(uow, rfq).invitations:
        move(uow, invitation, InvitationStatus.CANCELLED, INVITATION_TRANSITIONS, rfq_id=rfq.id)
    return view_of(uow, rfq)


# --- quotes -----------------------------------------------------------------------------------


def _quote_lines(uow: UnitOfWork, quote_ids: list[int]) -> dict[int, dict[int, list[QuoteLine]]]:
    out: dict[int, dict[int, list[QuoteLine]]] = defaultdict(lambda: defaultdict(list))
    if quote_ids:
        query = (
            select(QuoteLine)
            .where(QuoteLine.quote_id.in_(quote_ids))
            .order_by(QuoteLine.quote_id, QuoteLine.revision, QuoteLine.rfq_line_id)
        )
        for line in uow.session.scalars(query):
            out[line.quote_id][line.revision].append(line)
    return out


def _check_lines(view: RfqView, cmd: QuoteIn) -> None:
    known = {line.id for line in view.lines}
    errors = []
    seen: set[int] = set()
    for index, line in enumerate(cmd.lines):
        if line.rfq_line_id not in known:
            errors.append(
                FieldError(
                    f"lines.{index}.rfq_line_id",
                    f"{line.rfq_line_id} is not a line of RFQ {view.rfq.number}",
                )
            )
        elif line.rfq_line_id in seen:
            errors.append(
                FieldError(f"lines.{index}.rfq_line_id", f"line {line.rfq_line_id} quoted twice")
            )
        seen.add(line.rfq_line_id)
        if line.valid_until < utcnow().date():
            errors.append(
                FieldError(f"lines.{index}.valid_until", f"{line.valid_until} is in the past")
            )
    if errors:
        raise ValidationFailed(errors)


def submit_quote(
    uow: UnitOfWork, rfq_id: int, cmd: QuoteIn, quote_id: int | None = None
) -> QuoteView:
    """The invited supplier quotes (or, with `quote_id`, revises its quote) before the deadline.

    A revision keeps the earlier lines under their revision number.
    """
    view = get_rfq(uow, rfq_id)
    rfq = view.rfq
    invitation = next(
        (i for i in view.invitations if i.partner_enterprise_id == uow.ctx.enterprise_id), None
    )
    if invitation is None:
        raise PermissionDenied(f"enterprise {uow.ctx.enterprise_id} was not invited to quote")
    rfq.require_quoting_open(utcnow())
    _check_lines(view, cmd)
    existing = uow.session.scalar(
        select(Quote).where(Quote.rfq_id == rfq.id, Quote.enterprise_id == uow.ctx.enterprise_id)
    )
    if quote_id is not None and (existing is None or existing.id != quote_id):
        raise NotFound("Quote", quote_id)
    if existing is None:
        quote = Quote(
            enterprise_id=uow.ctx.enterprise_id,
            partner_enterprise_id=rfq.enterprise_id,
            rfq_id=rfq.id,
            invitation_id=invitation.id,
            revision=1,
            status=QuoteStatus.SUBMITTED.value,
            note=cmd.note,
            submitted_at=utcnow(),
        )
        uow.add(quote)
        uow.flush()
        record_move(
            uow,
            quote,
            quote.id,
            "quote",
            None,
            QuoteStatus.SUBMITTED,
            rfq_id=rfq.id,
            note="revision 1",
        )
    else:
        if quote_id is None:
            raise invalid("quote", f"you already quoted (quote {existing.id}); revise that quote")
        quote = existing
        require_version("Quote", quote.id, cmd.version, quote.version)
        quote.revision += 1
        quote.note = cmd.note
        quote.submitted_at = utcnow()
        move(
            uow,
            quote,
            QuoteStatus.SUBMITTED,
            QUOTE_TRANSITIONS,
            rfq_id=rfq.id,
            note=f"revision {quote.revision}",
        )
    for line in cmd.lines:
        uow.add(
            QuoteLine(
                enterprise_id=quote.enterprise_id,
                partner_enterprise_id=quote.partner_enterprise_id,
                quote_id=quote.id,
                revision=quote.revision,
                rfq_line_id=line.rfq_line_id,
                unit_price=line.unit_price,
                price_breaks=[
                    {"min_quantity": str(b.min_quantity), "unit_price": str(b.unit_price)}
                    for b in line.price_breaks
                ],
                lead_time_days=line.lead_time_days,
                valid_until=line.valid_until,
            )
        )
    uow.flush()
    return QuoteView(quote, _quote_lines(uow, [quote.id])[quote.id])


def get_quote(uow: UnitOfWork, rfq_id: int, quote_id: int) -> QuoteView:
    """A quote of the RFQ: the buyer sees every one, a supplier only its own (404 otherwise)."""
    quote = uow.session.get(Quote, quote_id)
    if quote is None or quote.rfq_id != rfq_id:
        raise NotFound("Quote", quote_id)
    return QuoteView(quote, _quote_lines(uow, [quote.id])[quote.id])


def list_quotes(uow: UnitOfWork, rfq_id: int) -> list[QuoteView]:
    """The quotes of an RFQ the caller may see (all for the buyer, its own for a supplier)."""
    get_rfq(uow, rfq_id)
    quotes = list(
        uow.session.scalars(select(Quote).where(Quote.rfq_id == rfq_id).order_by(Quote.id))
    )
    lines = _quote_lines(uow, [q.id for q in quotes])
    return [QuoteView(q, lines[q.id]) for q in quotes]
