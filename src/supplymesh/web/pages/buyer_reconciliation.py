"""The buyer's reconciliation (对账): invoices received, their three-way match, statements.

Every invoice line is shown against its order line and what QC accepted, with each mismatch's
kind and the three values. The buyer resolves a statement with the moves the use case allows
it (dispute, so the supplier corrects its invoice; agree; sign), each based on the version
shown, so a statement changed meanwhile answers 409 on the page.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from supplymesh.collab import buyer_views, reconciliation
from supplymesh.collab.reconciliation import StatementView
from supplymesh.collab.reconciliation_match import InvoiceView
from supplymesh.collab.reconciliation_model import STATEMENT_MOVES
from supplymesh.collab.reconciliation_schemas import ReconciliationIn, StatementMoveIn
from supplymesh.inventory.model import Order, OrderLine
from supplymesh.platform.errors import DomainError, NotFound
from supplymesh.web.context import Web, WebDep, render
from supplymesh.web.form_post import optional, posted_int, submit
from supplymesh.web.nav import NavEntry, PageSet, web_router
from supplymesh.web.pages.buyer_common import (
    BUYER,
    Id,
    not_found,
    notice,
    partner_names,
    refused,
)
from supplymesh.web.tables import by_id

router = web_router()
BUYER_MOVES = ("dispute", "agree", "sign")


def buyer_moves(status: str) -> list[str]:
    """The moves the buyer may make on a statement in `status`."""
    return sorted({m for (s, m, side) in STATEMENT_MOVES if s == status and side == "buyer"})


def _order_refs(web: Web, invoices: list[InvoiceView]) -> dict[int, str]:
    """Invoice's order line id → "PO-… / line n" (for the lines that name a known line)."""
    lines = by_id(web.uow, OrderLine, [m.line.order_line_id for v in invoices for m in v.lines])
    orders = by_id(web.uow, Order, [line.order_id for line in lines.values()])
    return {
        line_id: f"{orders[line.order_id].number} / {line.line_no}"
        for line_id, line in lines.items()
        if line.order_id in orders
    }


def _received_invoices(web: Web) -> list[InvoiceView]:
    me = web.caller.enterprise_id
    return [v for v in reconciliation.list_invoices(web.uow) if v.invoice.enterprise_id == me]


def _own_statements(web: Web) -> list[StatementView]:
    me = web.caller.enterprise_id
    return [s for s in reconciliation.list_statements(web.uow) if s.statement.enterprise_id == me]


def _list_page(
    web: Web, alert: str = "", status_code: int = 200, notice_text: str = ""
) -> HTMLResponse:
    invoices = _received_invoices(web)
    statements = _own_statements(web)
    suppliers = partner_names(web, list(buyer_views.supply_partners(web.uow)))
    names = partner_names(
        web,
        [v.invoice.partner_enterprise_id for v in invoices]
        + [s.statement.partner_enterprise_id for s in statements],
    )
    today = date.today()
    return render(
        web,
        "buyer_reconciliation.html",
        title=web.t("nav.buy_reconciliation"),
        active="buy_reconciliation",
        invoices=invoices,
        statements=statements,
        refs=_order_refs(web, invoices),
        names={**suppliers, **names},
        suppliers=sorted(suppliers.items(), key=lambda s: s[1]),
        period_from=today.replace(day=1).isoformat(),
        period_to=(
            (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        ).isoformat(),
        notice=notice_text,
        alert=alert,
        status_code=status_code,
    )


@router.get("/buy/reconciliation", response_class=HTMLResponse)
def reconciliation_page(web: WebDep, done: str = "") -> HTMLResponse:
    """Invoices received with their three-way match, and the statements with suppliers."""
    return _list_page(web, notice_text=notice(web, done))


@router.post("/buy/reconciliation/statements", response_model=None)
def create_statement(
    web: WebDep,
    partner_enterprise_id: Annotated[str, Form()] = "",
    period_from: Annotated[str, Form()] = "",
    period_to: Annotated[str, Form()] = "",
    price_tolerance_pct: Annotated[str, Form()] = "",
    quantity_tolerance: Annotated[str, Form()] = "",
) -> Response:
    """Open a draft statement with a supplier for a period."""
    return submit(
        web,
        parse=lambda: ReconciliationIn.model_validate(
            {
                "partner_enterprise_id": partner_enterprise_id.strip(),
                "period_from": period_from.strip(),
                "period_to": period_to.strip(),
                "price_tolerance_pct": optional(price_tolerance_pct),
                "quantity_tolerance": optional(quantity_tolerance),
            }
        ),
        run=lambda cmd: reconciliation.create_statement(web.uow, cmd),
        redisplay=lambda alert, status: _list_page(web, alert=alert, status_code=status),
        done=lambda view: f"/buy/reconciliation/{view.statement.id}?done=statement_created",
        wording=BUYER,
    )


def _statement_page(
    web: Web, statement_id: int, notice_text: str = "", alert: str = "", status_code: int = 200
) -> HTMLResponse:
    view = reconciliation.get_statement(web.uow, statement_id)
    s = view.statement
    if s.enterprise_id != web.caller.enterprise_id:
        raise NotFound("reconciliation", statement_id)  # the supplier's side is not these pages
    return render(
        web,
        "buyer_statement.html",
        title=f"{web.t('buy.statement')} #{s.id}",
        active="buy_reconciliation",
        view=view,
        statement=s,
        moves=buyer_moves(s.status),
        refs=_order_refs(web, view.invoices),
        supplier=partner_names(web, [s.partner_enterprise_id]).get(
            s.partner_enterprise_id or 0, ""
        ),
        notice=notice_text,
        alert=alert,
        status_code=status_code,
    )


@router.get("/buy/reconciliation/{statement_id}", response_class=HTMLResponse)
def statement_page(web: WebDep, statement_id: Id, done: str = "") -> HTMLResponse:
    """One statement: totals, every invoice line's match, and the buyer's moves."""
    try:
        return _statement_page(web, statement_id, notice_text=notice(web, done))
    except NotFound:
        return not_found(web, "/buy/reconciliation", "nav.buy_reconciliation")


@router.post("/buy/reconciliation/{statement_id}/{action}", response_model=None)
def move_statement(
    web: WebDep,
    statement_id: Id,
    action: str,
    version: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Dispute, agree or sign the statement."""
    if action not in BUYER_MOVES:
        return not_found(web, "/buy/reconciliation", "nav.buy_reconciliation")
    cmd = StatementMoveIn(
        version=posted_int(version),
        note=note.strip()[:500] or None,
    )
    try:
        view = reconciliation.get_statement(web.uow, statement_id)
        if view.statement.enterprise_id != web.caller.enterprise_id:
            raise NotFound("reconciliation", statement_id)
        reconciliation.move_statement(web.uow, statement_id, action, cmd)
        web.uow.commit()
    except NotFound:
        return not_found(web, "/buy/reconciliation", "nav.buy_reconciliation")
    except DomainError as exc:
        message, status = refused(web, exc)
        return _statement_page(web, statement_id, alert=message, status_code=status)
    return RedirectResponse(f"/buy/reconciliation/{statement_id}?done={action}", status_code=303)


PAGES = PageSet(
    router,
    (
        NavEntry(
            "buy_reconciliation",
            "/buy/reconciliation",
            "nav.buy_reconciliation",
            "list",
            "collaboration",
            42,
        ),
    ),
)
