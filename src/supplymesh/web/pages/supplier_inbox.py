"""The supplier's inbox: RFQs to quote and purchase orders to answer, line by line.

Every read and write goes through the collaboration use cases in the caller's unit of work,
so the page shows exactly what the API would (RFQs the caller is invited to, orders addressed
to it) and refuses what the API refuses: the refusal is shown on the page with its status.
Delivery schedules and outsourcing orders to answer are listed here too; their pages are in
`supplier_inbox_schedules.py` and `supplier_inbox_outsourcing.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from supplymesh.collab import purchasing, rfq
from supplymesh.collab.procurement_model import LINE_MOVES, Quote
from supplymesh.collab.purchasing_schemas import LineAnswerIn
from supplymesh.collab.rfq_schemas import QuoteIn
from supplymesh.inventory.model import Order, OrderKind
from supplymesh.platform.errors import NotFound
from supplymesh.web.context import Web, WebDep, render
from supplymesh.web.form_post import optional, posted_int, submit
from supplymesh.web.nav import NavEntry, PageSet, web_router
from supplymesh.web.pages.supplier_inbox_common import (
    INBOX,
    Id,
    customers,
    item_labels,
    not_found,
    notice,
)
from supplymesh.web.pages.supplier_inbox_outsourcing import outsourcing_rows
from supplymesh.web.pages.supplier_inbox_schedules import schedule_rows

router = web_router()
ANSWERS = ("accept", "reject", "propose")


@dataclass(frozen=True)
class RfqRow:
    id: int
    number: str
    title: str
    customer: str
    deadline: datetime
    quoting_open: bool
    revision: int | None


@dataclass(frozen=True)
class OrderRow:
    id: int
    number: str
    customer: str
    status: str
    to_answer: int


def _rfq_rows(web: Web) -> list[RfqRow]:
    me = web.caller.enterprise_id
    views = [v for v in rfq.list_rfqs(web.uow, limit=100).items if v.rfq.enterprise_id != me]
    names = customers(web, [v.rfq.enterprise_id for v in views])
    quotes = {
        q.rfq_id: q.revision
        for q in web.uow.session.scalars(select(Quote).where(Quote.enterprise_id == me))
    }
    return [
        RfqRow(
            id=v.rfq.id,
            number=v.rfq.number,
            title=v.rfq.title or "",
            customer=names.get(v.rfq.enterprise_id, f"#{v.rfq.enterprise_id}"),
            deadline=v.rfq.deadline,
            quoting_open=v.quoting_open,
            revision=quotes.get(v.rfq.id),
        )
        for v in views
    ]


def _order_rows(web: Web) -> list[OrderRow]:
    me = web.caller.enterprise_id
    views = [
        v
        for v in purchasing.list_purchase_orders(web.uow, limit=100).items
        if v.order.partner_enterprise_id == me
    ]
    names = customers(web, [v.order.enterprise_id for v in views])
    return [
        OrderRow(
            id=v.order.id,
            number=v.order.number,
            customer=names.get(v.order.enterprise_id, f"#{v.order.enterprise_id}"),
            status=v.ack.status,
            to_answer=sum(1 for a in v.answers.values() if a.status == "open"),
        )
        for v in views
    ]


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(web: WebDep) -> HTMLResponse:
    """RFQs the caller is invited to; orders, schedules and outsourcing orders addressed to it."""
    return render(
        web,
        "inbox.html",
        title=web.t("nav.inbox"),
        active="inbox",
        rfqs=_rfq_rows(web),
        orders=_order_rows(web),
        schedules=schedule_rows(web),
        outsourcing=outsourcing_rows(web),
    )


# --- quoting ------------------------------------------------------------------------------------


def _rfq_page(
    web: Web, rfq_id: int, notice: str = "", alert: str = "", status_code: int = 200
) -> HTMLResponse:
    view = rfq.get_rfq(web.uow, rfq_id)
    if view.rfq.enterprise_id == web.caller.enterprise_id:
        raise NotFound("RFQ", rfq_id)  # the inbox is the supplier's side
    mine = rfq.list_quotes(web.uow, rfq_id)  # a supplier sees its own quote only
    quote = mine[0] if mine else None
    current = {line.rfq_line_id: line for line in quote.lines} if quote else {}
    return render(
        web,
        "inbox_rfq.html",
        title=f"{web.t('inbox.rfq')} {view.rfq.number}",
        active="inbox",
        rfq=view.rfq,
        lines=view.lines,
        quoting_open=view.quoting_open,
        quote=quote.quote if quote else None,
        current=current,
        customer=customers(web, [view.rfq.enterprise_id]).get(view.rfq.enterprise_id, ""),
        notice=notice,
        alert=alert,
        status_code=status_code,
    )


@router.get("/inbox/rfqs/{rfq_id}", response_class=HTMLResponse)
def rfq_page(web: WebDep, rfq_id: Id, done: str = "") -> HTMLResponse:
    """One RFQ with the form to quote (or revise the quote) for each line."""
    try:
        return _rfq_page(web, rfq_id, notice=notice(web, done))
    except NotFound:
        return not_found(web)


def _quote_form(form: dict[str, str], line_ids: list[int]) -> QuoteIn:
    lines = [
        {
            "rfq_line_id": line_id,
            "unit_price": form.get(f"unit_price_{line_id}", "").strip(),
            "lead_time_days": form.get(f"lead_time_days_{line_id}", "").strip(),
            "valid_until": form.get(f"valid_until_{line_id}", "").strip(),
        }
        for line_id in line_ids
        if form.get(f"unit_price_{line_id}", "").strip()
    ]
    version = form.get("version", "").strip()
    return QuoteIn.model_validate(
        {"lines": lines, "version": int(version) if version.isdigit() else None}
    )


@router.post("/inbox/rfqs/{rfq_id}/quote", response_model=None)
async def submit_quote(web: WebDep, rfq_id: Id, request: Request) -> Response:
    """Submit (or revise) the caller's quote from the form."""
    raw = {k: str(v) for k, v in (await request.form()).items()}
    try:
        view = rfq.get_rfq(web.uow, rfq_id)
    except NotFound:
        return not_found(web)
    existing = raw.get("quote_id", "").strip()
    return submit(
        web,
        parse=lambda: _quote_form(raw, [line.id for line in view.lines]),
        run=lambda cmd: rfq.submit_quote(
            web.uow, rfq_id, cmd, int(existing) if existing.isdigit() else None
        ),
        redisplay=lambda alert, status: _rfq_page(web, rfq_id, alert=alert, status_code=status),
        done=lambda _: f"/inbox/rfqs/{rfq_id}?done=quoted",
        wording=INBOX,
    )


# --- answering purchase orders ------------------------------------------------------------------


def _order_page(
    web: Web, order_id: int, notice: str = "", alert: str = "", status_code: int = 200
) -> HTMLResponse:
    view = purchasing.get_purchase_order(web.uow, order_id)
    order: Order = view.order
    if order.kind != OrderKind.PURCHASE or order.partner_enterprise_id != web.caller.enterprise_id:
        raise NotFound("PurchaseOrder", order_id)
    labels = item_labels(web, order.id)
    moves = {
        line.id: sorted(
            {m for (s, m) in LINE_MOVES if s == view.answers[line.id].status} & set(ANSWERS)
        )
        for line in view.lines
    }
    return render(
        web,
        "inbox_po.html",
        title=f"{web.t('inbox.order')} {order.number}",
        active="inbox",
        order=order,
        status=view.ack.status,
        lines=view.lines,
        answers=view.answers,
        moves=moves,
        labels={line.id: labels.get(line.id, f"#{line.item_id}") for line in view.lines},
        customer=customers(web, [order.enterprise_id]).get(order.enterprise_id, ""),
        notice=notice,
        alert=alert,
        status_code=status_code,
    )


@router.get("/inbox/purchase-orders/{order_id}", response_class=HTMLResponse)
def order_page(web: WebDep, order_id: Id, done: str = "") -> HTMLResponse:
    """One purchase order with accept / reject / propose on every open line."""
    try:
        return _order_page(web, order_id, notice=notice(web, done))
    except NotFound:
        return not_found(web)


@router.post("/inbox/purchase-orders/{order_id}/lines/{line_id}/{action}", response_model=None)
def answer_line(
    web: WebDep,
    order_id: Id,
    line_id: Id,
    action: str,
    version: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "",
    requested_date: Annotated[str, Form()] = "",
    unit_price: Annotated[str, Form()] = "",
) -> Response:
    """Accept, reject or propose a change to one line."""
    if action not in ANSWERS:
        return not_found(web)
    return submit(
        web,
        parse=lambda: LineAnswerIn.model_validate(
            {
                "action": action,
                "version": posted_int(version),
                "reason": optional(reason),
                "quantity": optional(quantity),
                "requested_date": optional(requested_date),
                "unit_price": optional(unit_price),
            }
        ),
        run=lambda cmd: purchasing.answer_line(web.uow, order_id, line_id, cmd),
        redisplay=lambda alert, status: _order_page(web, order_id, alert=alert, status_code=status),
        done=lambda _: f"/inbox/purchase-orders/{order_id}?done={action}",
        wording=INBOX,
        missing=lambda: not_found(web),
    )


PAGES = PageSet(router, (NavEntry("inbox", "/inbox", "nav.inbox", "mail", "collaboration", 30),))
