"""Supplier invoices and reconciliation statements (对账单).

Thin: parse, call the collaboration use case, commit once, present. Both parties read every
invoice and statement of their pair; the use case decides whose move it is (403 otherwise).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Response

from supplymesh.api.deps import UowDep
from supplymesh.collab import reconciliation
from supplymesh.collab.reconciliation import StatementView
from supplymesh.collab.reconciliation_match import InvoiceView
from supplymesh.collab.reconciliation_schemas import (
    InvoiceIn,
    InvoiceLineOut,
    InvoiceOut,
    MismatchOut,
    ReconciliationIn,
    ReconciliationOut,
    StatementMoveIn,
)
from supplymesh.platform.types import MAX_INT

router = APIRouter(prefix="/api/v1", tags=["reconciliation"])

Id = Annotated[int, Path(ge=1, le=MAX_INT)]


def _invoice(view: InvoiceView) -> InvoiceOut:
    inv = view.invoice
    lines = [
        InvoiceLineOut(
            id=m.line.id,
            line_no=m.line.line_no,
            order_line_id=m.line.order_line_id,
            quantity=m.line.quantity,
            unit_price=m.line.unit_price,
            vat_rate=m.line.vat_rate,
            vat_amount=m.line.vat_amount,
            amount=m.line.amount,
            matched=m.matched,
            mismatches=[MismatchOut.model_validate(x) for x in m.mismatches],
        )
        for m in view.lines
    ]
    return InvoiceOut(
        id=inv.id,
        number=inv.number,
        fapiao_number=inv.fapiao_number,
        enterprise_id=inv.enterprise_id,
        partner_enterprise_id=inv.partner_enterprise_id,
        currency=inv.currency,
        issue_date=inv.issue_date,
        replaces_invoice_id=inv.replaces_invoice_id,
        status=inv.status,
        version=inv.version,
        amount=view.amount,
        vat_amount=view.vat_amount,
        lines=lines,
    )


def _statement(view: StatementView) -> ReconciliationOut:
    s = view.statement
    return ReconciliationOut(
        id=s.id,
        enterprise_id=s.enterprise_id,
        partner_enterprise_id=s.partner_enterprise_id,
        period_from=s.period_from,
        period_to=s.period_to,
        price_tolerance_pct=s.price_tolerance_pct,
        quantity_tolerance=s.quantity_tolerance,
        status=s.status,
        allowed_moves=s.allowed_moves(),
        version=s.version,
        received=view.received,
        invoiced=view.invoiced,
        matched=view.matched,
        disputed=view.disputed,
        invoices=[_invoice(v) for v in view.invoices],
    )


@router.post("/invoices", response_model=InvoiceOut, status_code=201)
def submit_invoice(payload: InvoiceIn, uow: UowDep, response: Response) -> InvoiceOut:
    """Invoice the buyer (supplier); `replaces_invoice_id` supersedes an earlier invoice."""
    view = reconciliation.submit_invoice(uow, payload)
    uow.commit()
    response.headers["Location"] = f"/api/v1/invoices/{view.invoice.id}"
    return _invoice(view)


@router.get("/invoices", response_model=list[InvoiceOut])
def list_invoices(uow: UowDep) -> list[InvoiceOut]:
    """Invoices you sent or received, each line matched against order and receipts."""
    return [_invoice(v) for v in reconciliation.list_invoices(uow)]


@router.get("/invoices/{invoice_id}", response_model=InvoiceOut)
def read_invoice(invoice_id: Id, uow: UowDep) -> InvoiceOut:
    return _invoice(reconciliation.get_invoice(uow, invoice_id))


@router.post("/reconciliations", response_model=ReconciliationOut, status_code=201)
def create_reconciliation(
    payload: ReconciliationIn, uow: UowDep, response: Response
) -> ReconciliationOut:
    """A draft statement with your partner for a period (either side)."""
    view = reconciliation.create_statement(uow, payload)
    uow.commit()
    response.headers["Location"] = f"/api/v1/reconciliations/{view.statement.id}"
    return _statement(view)


@router.get("/reconciliations", response_model=list[ReconciliationOut])
def list_reconciliations(uow: UowDep) -> list[ReconciliationOut]:
    """Statements with your buyers and suppliers."""
    return [_statement(v) for v in reconciliation.list_statements(uow)]


@router.get("/reconciliations/{statement_id}", response_model=ReconciliationOut)
def read_reconciliation(statement_id: Id, uow: UowDep) -> ReconciliationOut:
    """Totals received, invoiced, matched and disputed, with every line's three-way match."""
    return _statement(reconciliation.get_statement(uow, statement_id))


@router.post("/reconciliations/{statement_id}/{action}", response_model=ReconciliationOut)
def move_reconciliation(
    statement_id: Id,
    action: Literal["submit", "dispute", "agree", "sign"],
    uow: UowDep,
    payload: StatementMoveIn | None = None,
) -> ReconciliationOut:
    """Submit (supplier); dispute or agree (buyer); sign (each side, any order)."""
    view = reconciliation.move_statement(uow, statement_id, action, payload or StatementMoveIn())
    uow.commit()
    return _statement(view)
