"""Outsourcing orders (委外) waiting for the subcontractor to take them on, in its inbox.

An outsourcing order is a one-line purchase order with the components the buyer supplies;
the subcontractor takes it on by accepting that line, or declines it with a reason. This page
shows what it is asked to make and with which components, and answers the line through
`collab.purchasing`, so it refuses what the purchase-order answers refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import Form
from fastapi.responses import HTMLResponse, Response

from supplymesh.collab import outsourcing, purchasing
from supplymesh.collab.outsourcing import OutsourcingView
from supplymesh.collab.procurement_model import LINE_MOVES, LineAnswerStatus
from supplymesh.collab.purchasing_schemas import LineAnswerIn
from supplymesh.inventory.model import OrderStatus
from supplymesh.platform.errors import NotFound
from supplymesh.web.context import Web, WebDep, render
from supplymesh.web.form_post import optional, posted_int, submit
from supplymesh.web.nav import PageSet, web_router
from supplymesh.web.pages.supplier_inbox_common import (
    INBOX,
    Id,
    customers,
    not_found,
    notice,
    shared_items,
)

router = web_router()
DECISIONS = ("accept", "reject")
#: Order states in which the subcontractor may still answer (as `purchasing.answer_line`).
ANSWERABLE = (OrderStatus.RELEASED, OrderStatus.CONFIRMED)


@dataclass(frozen=True)
class OutsourcingRow:
    id: int
    number: str
    customer: str
    item: str
    quantity: Decimal
    due_date: date | None


def _answer_status(web: Web, view: OutsourcingView) -> tuple[str, int]:
    """The state and version of the subcontractor's answer to the order's one line."""
    answer = purchasing.get_purchase_order(web.uow, view.order.id).answers.get(
        view.outsourcing.order_line_id
    )
    return (answer.status, answer.version) if answer else (LineAnswerStatus.OPEN.value, 0)


def outsourcing_rows(web: Web) -> list[OutsourcingRow]:
    """Outsourcing orders addressed to the caller that it has not answered yet, newest first."""
    me = web.caller.enterprise_id
    views = [
        v
        for v in outsourcing.list_outsourcing_orders(web.uow)
        if v.order.partner_enterprise_id == me
        and v.order.status in ANSWERABLE
        and _answer_status(web, v)[0] == LineAnswerStatus.OPEN
    ]
    names = customers(web, [v.order.enterprise_id for v in views])
    items = shared_items(web, [v.outsourcing.item_id for v in views])
    return [
        OutsourcingRow(
            id=v.outsourcing.id,
            number=v.order.number,
            customer=names.get(v.order.enterprise_id, f"#{v.order.enterprise_id}"),
            item=items.get(v.outsourcing.item_id, f"#{v.outsourcing.item_id}"),
            quantity=v.outsourcing.quantity,
            due_date=v.outsourcing.due_date,
        )
        for v in views
    ]


def _addressed(web: Web, outsourcing_id: int) -> OutsourcingView:
    """The outsourcing order if the caller is its subcontractor (the buyer's is not here)."""
    view = outsourcing.load(web.uow, outsourcing_id)
    if view.order.partner_enterprise_id != web.caller.enterprise_id:
        raise NotFound("OutsourcingOrder", outsourcing_id)
    return view


def _page(
    web: Web, outsourcing_id: int, done: str = "", alert: str = "", status_code: int = 200
) -> HTMLResponse:
    view = _addressed(web, outsourcing_id)
    status, version = _answer_status(web, view)
    open_to_answer = view.order.status in ANSWERABLE
    items = shared_items(web, [view.outsourcing.item_id, *(c.item_id for c in view.components)])
    return render(
        web,
        "inbox_outsourcing.html",
        title=f"{web.t('inbox.outsourcing_order')} {view.order.number}",
        active="inbox",
        view=view,
        status=status,
        version=version,
        moves=[m for m in DECISIONS if (status, m) in LINE_MOVES and open_to_answer],
        items=items,
        customer=customers(web, [view.order.enterprise_id]).get(view.order.enterprise_id, ""),
        notice=notice(web, done),
        alert=alert,
        status_code=status_code,
    )


@router.get("/inbox/outsourcing/{outsourcing_id}", response_class=HTMLResponse)
def outsourcing_page(web: WebDep, outsourcing_id: Id, done: str = "") -> HTMLResponse:
    """What the customer asks to be made, with which components, and accept / decline."""
    try:
        return _page(web, outsourcing_id, done=done)
    except NotFound:
        return not_found(web)


@router.post("/inbox/outsourcing/{outsourcing_id}/{action}", response_model=None)
def decide(
    web: WebDep,
    outsourcing_id: Id,
    action: str,
    version: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Take the outsourcing order on (accept its line) or decline it with a reason."""
    if action not in DECISIONS:
        return not_found(web)
    try:
        view = _addressed(web, outsourcing_id)
    except NotFound:
        return not_found(web)
    return submit(
        web,
        parse=lambda: LineAnswerIn.model_validate(
            {
                "action": action,
                "version": posted_int(version),
                "reason": optional(reason),
            }
        ),
        run=lambda cmd: purchasing.answer_line(
            web.uow, view.order.id, view.outsourcing.order_line_id, cmd
        ),
        redisplay=lambda alert, status: _page(web, outsourcing_id, alert=alert, status_code=status),
        done=lambda _: f"/inbox/outsourcing/{outsourcing_id}?done=outsourcing_{action}",
        wording=INBOX,
    )


PAGES = PageSet(router)
