"""Supplier invoices, and the reconciliation statement (对账单) both sides sign.

A corrected invoice supersedes the one it replaces, so only current invoices count. The
statement's totals and per-line results (`reconciliation_match`) are computed when read, so
a correction shows at once on both sides and the tolerances are the statement's own.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext

from sqlalchemy import func, select

from supplymesh.collab.procurement_model import WrongParty
from supplymesh.collab.purchasing_moves import record_move, require_version, side_of
from supplymesh.collab.receiving_model import QcInspection, ReceivingLine, ReceivingNotice
from supplymesh.collab.reconciliation_match import (
    InvoiceView,
    Tolerances,
    current_invoices,
    match,
)
from supplymesh.collab.reconciliation_model import (
    DEFAULT_PRICE_TOLERANCE_PCT,
    DEFAULT_QUANTITY_TOLERANCE,
    INVOICE_TRANSITIONS,
    STATEMENT_MOVES,
    VAT_RATES,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Reconciliation,
    StatementStatus,
)
from supplymesh.collab.reconciliation_schemas import InvoiceIn, ReconciliationIn, StatementMoveIn
from supplymesh.inventory.model import Order, OrderLine
from supplymesh.platform.errors import (
    FieldError,
    IllegalTransition,
    NotFound,
    ValidationFailed,
    invalid,
)
from supplymesh.platform.uow import UnitOfWork

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)


@dataclass(frozen=True)
class StatementView:
    statement: Reconciliation
    invoices: list[InvoiceView]
    received: Decimal

    @property
    def invoiced(self) -> Decimal:
        return sum((v.amount for v in self.invoices), ZERO)

    @property
    def matched(self) -> Decimal:
        return sum((m.line.amount for v in self.invoices for m in v.lines if m.matched), ZERO)

    @property
    def disputed(self) -> Decimal:
        return self.invoiced - self.matched


# --- invoices -----------------------------------------------------------------------------------


def _check_lines(cmd: InvoiceIn) -> list[FieldError]:
    """VAT and amount of every line; products of the largest inputs need more than 28 digits."""
    with localcontext() as exact:
        exact.prec = 60
        return _line_errors(cmd)


def _line_errors(cmd: InvoiceIn) -> list[FieldError]:
    errors = []
    for index, want in enumerate(cmd.lines):
        n = index + 1
        if want.vat_rate not in VAT_RATES:
            rates = ", ".join(str(r) for r in sorted(VAT_RATES))
            errors.append(
                FieldError(
                    f"lines.{index}.vat_rate",
                    f"line {n}: VAT rate {want.vat_rate} % is not one of {rates}",
                )
            )
            continue
        due = (want.amount * want.vat_rate / HUNDRED).quantize(CENT)
        if abs(want.vat_amount - due) > CENT:
            errors.append(
                FieldError(
                    f"lines.{index}.vat_amount",
                    f"line {n}: VAT {want.vat_amount} should be {due} "
                    f"({want.vat_rate} % of {want.amount})",
                )
            )
        extended = (want.quantity * want.unit_price).quantize(CENT)
        if abs(want.amount - extended) > CENT:
            errors.append(
                FieldError(
                    f"lines.{index}.amount",
                    f"line {n}: amount {want.amount} should be {extended} "
                    f"({want.quantity} × {want.unit_price})",
                )
            )
    return errors


def submit_invoice(uow: UnitOfWork, cmd: InvoiceIn) -> InvoiceView:
    """The supplier invoices its buyer; a line naming no order line of the pair is kept, flagged."""
    me, buyer = uow.ctx.enterprise_id, cmd.buyer_enterprise_id
    if me == buyer:
        raise WrongParty("only the supplier submits an invoice; you are the buyer")
    has_order = uow.session.scalar(
        select(func.count(Order.id)).where(
            Order.enterprise_id == buyer, Order.partner_enterprise_id == me
        )
    )
    if not has_order:
        raise NotFound("buyer", buyer)
    errors = _check_lines(cmd)
    if errors:
        raise ValidationFailed(errors)
    taken = uow.session.scalar(
        select(Invoice.id).where(Invoice.partner_enterprise_id == me, Invoice.number == cmd.number)
    )
    if taken is not None:
        raise invalid("number", f"invoice number {cmd.number} is already used")
    if cmd.replaces_invoice_id is not None:
        old = get_invoice_row(uow, cmd.replaces_invoice_id)
        if (old.enterprise_id, old.partner_enterprise_id) != (buyer, me):
            raise invalid("replaces_invoice_id", f"invoice {old.number} is not yours to this buyer")
        previous = old.move_to(InvoiceStatus.SUPERSEDED, INVOICE_TRANSITIONS)
        record_move(uow, old, old.id, "invoice", previous, old.status, note=cmd.number)
    invoice = Invoice(
        enterprise_id=buyer,
        partner_enterprise_id=me,
        number=cmd.number,
        fapiao_number=cmd.fapiao_number,
        currency=cmd.currency,
        issue_date=cmd.issue_date,
        replaces_invoice_id=cmd.replaces_invoice_id,
        status=InvoiceStatus.SUBMITTED.value,
    )
    uow.add(invoice)
    uow.flush()
    for index, want in enumerate(cmd.lines):
        uow.add(
            InvoiceLine(
                enterprise_id=buyer,
                partner_enterprise_id=me,
                invoice_id=invoice.id,
                line_no=index + 1,
                **want.model_dump(),
            )
        )
    record_move(uow, invoice, invoice.id, "invoice", None, invoice.status)
    uow.flush()
    return match(uow, buyer, me, [invoice], Tolerances())[0]


def get_invoice_row(uow: UnitOfWork, invoice_id: int) -> Invoice:
    found = uow.session.get(Invoice, invoice_id)
    if found is None:
        raise NotFound("invoice", invoice_id)
    return found


def get_invoice(uow: UnitOfWork, invoice_id: int) -> InvoiceView:
    inv = get_invoice_row(uow, invoice_id)
    return match(uow, inv.enterprise_id, inv.partner_enterprise_id, [inv], Tolerances())[0]


def list_invoices(uow: UnitOfWork) -> list[InvoiceView]:
    """Invoices you sent or received, each matched against its pair's receipts."""
    invoices = list(uow.session.scalars(select(Invoice).order_by(Invoice.id)))
    pairs: dict[tuple[int, int | None], list[Invoice]] = defaultdict(list)
    for inv in invoices:
        pairs[(inv.enterprise_id, inv.partner_enterprise_id)].append(inv)
    views = [v for (b, s), group in pairs.items() for v in match(uow, b, s, group, Tolerances())]
    return sorted(views, key=lambda v: v.invoice.id)


# --- statements ---------------------------------------------------------------------------------


def create_statement(uow: UnitOfWork, cmd: ReconciliationIn) -> StatementView:
    """A draft statement of the caller and its partner (whichever side it is) for a period."""
    if cmd.period_to < cmd.period_from:
        raise invalid("period_to", f"{cmd.period_to} is before {cmd.period_from}")
    me, other = uow.ctx.enterprise_id, cmd.partner_enterprise_id
    for buyer, supplier in ((me, other), (other, me)):
        has_order = uow.session.scalar(
            select(func.count(Order.id)).where(
                Order.enterprise_id == buyer, Order.partner_enterprise_id == supplier
            )
        )
        if has_order:
            break
    else:
        raise NotFound("partner", other)
    statement = Reconciliation(
        enterprise_id=buyer,
        partner_enterprise_id=supplier,
        period_from=cmd.period_from,
        period_to=cmd.period_to,
        price_tolerance_pct=(
            DEFAULT_PRICE_TOLERANCE_PCT
            if cmd.price_tolerance_pct is None
            else cmd.price_tolerance_pct
        ),
        quantity_tolerance=(
            DEFAULT_QUANTITY_TOLERANCE if cmd.quantity_tolerance is None else cmd.quantity_tolerance
        ),
        note=cmd.note,
        status=StatementStatus.DRAFT.value,
    )
    uow.add(statement)
    uow.flush()
    record_move(uow, statement, statement.id, "reconciliation", None, statement.status)
    return _view(uow, statement)


def _received_value(uow: UnitOfWork, s: Reconciliation) -> Decimal:
    """What QC accepted in the period, at the order's price."""
    rows = uow.session.execute(
        select(QcInspection.accepted_quantity, OrderLine.unit_price)
        .join(ReceivingLine, ReceivingLine.id == QcInspection.receiving_line_id)
        .join(ReceivingNotice, ReceivingNotice.id == ReceivingLine.receiving_notice_id)
        .join(OrderLine, OrderLine.id == ReceivingLine.order_line_id)
        .where(
            QcInspection.enterprise_id == s.enterprise_id,
            QcInspection.partner_enterprise_id == s.partner_enterprise_id,
            ReceivingNotice.received_on.between(s.period_from, s.period_to),
        )
    )
    with localcontext() as exact:
        exact.prec = 60
        return sum((q * (p or ZERO) for q, p in rows), ZERO).quantize(CENT)


def _in_period(invoice: Invoice, start: date, end: date) -> bool:
    return start <= invoice.issue_date <= end


def _view(uow: UnitOfWork, s: Reconciliation) -> StatementView:
    invoices = [
        i
        for i in current_invoices(uow, s.enterprise_id, s.partner_enterprise_id)
        if _in_period(i, s.period_from, s.period_to)
    ]
    tol = Tolerances(s.price_tolerance_pct, s.quantity_tolerance)
    views = match(uow, s.enterprise_id, s.partner_enterprise_id, invoices, tol)
    return StatementView(s, views, _received_value(uow, s))


def list_statements(uow: UnitOfWork) -> list[StatementView]:
    """Statements with your buyers and your suppliers, newest period first."""
    found = uow.session.scalars(
        select(Reconciliation).order_by(Reconciliation.period_from.desc(), Reconciliation.id)
    )
    return [_view(uow, s) for s in found]


def get_statement(uow: UnitOfWork, statement_id: int) -> StatementView:
    found = uow.session.get(Reconciliation, statement_id)
    if found is None:
        raise NotFound("reconciliation", statement_id)
    return _view(uow, found)


def move_statement(
    uow: UnitOfWork, statement_id: int, action: str, cmd: StatementMoveIn
) -> StatementView:
    """Submit (supplier), dispute or agree (buyer), sign (each side once, in any order)."""
    s = get_statement(uow, statement_id).statement
    side = side_of(uow, s.enterprise_id, s.partner_enterprise_id)
    target = STATEMENT_MOVES.get((s.status, action, side))
    if target is None:
        others = [
            to for (st, m, _side), to in STATEMENT_MOVES.items() if (st, m) == (s.status, action)
        ]
        if others:
            raise WrongParty(f"the other side makes the move {action} now; you are the {side}")
        allowed = sorted(
            {str(to) for (st, _m, _side), to in STATEMENT_MOVES.items() if st == s.status}
        )
        raise IllegalTransition("reconciliation", s.status, action, allowed)
    require_version("reconciliation", s.id, cmd.version, s.version)
    previous = s.enter(target)
    record_move(uow, s, s.id, "reconciliation", previous, target, note=cmd.note)
    uow.flush()
    return _view(uow, s)
