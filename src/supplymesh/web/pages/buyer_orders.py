"""The buyer's order pipeline, one order's answers and proposals, and its timeline.

The pipeline groups the caller's purchase orders by where they stand (`buyer_views`), with
the count and value of each stage. On an order the buyer decides the supplier's proposals,
goes ahead with an acknowledged order, and asks for changes or a cancellation, all through
`purchasing`, so the page refuses exactly what the API refuses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import Form
from fastapi.responses import HTMLResponse, Response

from supplymesh.collab import buyer_views, purchasing, timeline
from supplymesh.collab.procurement_model import AckStatus, ChangeStatus, LineAnswerStatus
from supplymesh.collab.purchasing import PurchaseOrderView
from supplymesh.collab.purchasing_schemas import ChangeOrderIn, DecisionIn
from supplymesh.inventory import orders as order_service
from supplymesh.inventory.model import Order, OrderStatus
from supplymesh.network.model import Item
from supplymesh.platform.errors import NotFound
from supplymesh.web.context import Web, WebDep, render
from supplymesh.web.form_post import Command, optional, posted_int, submit
from supplymesh.web.nav import NavEntry, PageSet, web_router
from supplymesh.web.pages.buyer_common import (
    BUYER,
    Id,
    not_found,
    notice,
    partner_names,
)
from supplymesh.web.tables import by_id

router = web_router()
DECISIONS = ("accept_proposal", "reject_proposal")
CHANGEABLE = (OrderStatus.RELEASED, OrderStatus.CONFIRMED)


@dataclass(frozen=True)
class PipelineRow:
    id: int
    number: str
    supplier_id: int | None
    supplier: str
    stage: str
    order_status: str
    order_date: date
    lines: int
    to_decide: int
    value: Decimal
    currency: str


@dataclass
class Stage:
    key: str
    rows: list[PipelineRow] = field(default_factory=list)

    @property
    def values(self) -> dict[str, Decimal]:
        """Total value per currency (orders in different currencies are not added up)."""
        out: dict[str, Decimal] = defaultdict(Decimal)
        for row in self.rows:
            out[row.currency] += row.value
        return dict(sorted(out.items()))


def _pipeline_rows(web: Web) -> list[PipelineRow]:
    me = web.caller.enterprise_id
    placed = [
        v
        for v in purchasing.list_purchase_orders(web.uow, limit=500).items
        if v.order.enterprise_id == me
    ]
    drafts = buyer_views.draft_purchase_orders(web.uow)
    draft_lines = order_service.lines_of(web.uow, [o.id for o in drafts])
    names = partner_names(
        web,
        [v.order.partner_enterprise_id for v in placed] + [o.partner_enterprise_id for o in drafts],
    )

    def row(
        order: Order, lines: int, value: Decimal, ack: str | None, to_decide: int
    ) -> PipelineRow:
        partner = order.partner_enterprise_id
        return PipelineRow(
            id=order.id,
            number=order.number,
            supplier_id=partner,
            supplier=names.get(partner or 0, f"#{partner}"),
            stage=buyer_views.pipeline_stage(order.status, ack),
            order_status=order.status,
            order_date=order.order_date,
            lines=lines,
            to_decide=to_decide,
            value=value,
            currency=order.currency,
        )

    rows = [
        row(
            v.order,
            len(v.lines),
            buyer_views.order_value(v.lines),
            v.ack.status,
            sum(1 for a in v.answers.values() if a.status == LineAnswerStatus.PROPOSED),
        )
        for v in placed
    ]
    rows += [
        row(o, len(draft_lines[o.id]), buyer_views.order_value(draft_lines[o.id]), None, 0)
        for o in drafts
    ]
    return rows


@router.get("/buy/orders", response_class=HTMLResponse)
def pipeline_page(web: WebDep, supplier: str = "") -> HTMLResponse:
    """Purchase orders by stage, with count and value per stage; filter by supplier."""
    rows = _pipeline_rows(web)
    suppliers = sorted({(r.supplier_id, r.supplier) for r in rows}, key=lambda s: s[1])
    chosen = int(supplier) if supplier.isdigit() else None
    if chosen is not None:
        rows = [r for r in rows if r.supplier_id == chosen]
    stages = {key: Stage(key) for key in buyer_views.PIPELINE_STAGES}
    for r in rows:
        stages[r.stage].rows.append(r)
    return render(
        web,
        "buyer_orders.html",
        title=web.t("nav.buy_orders"),
        active="buy_orders",
        stages=list(stages.values()),
        suppliers=suppliers,
        chosen=chosen,
        total=len(rows),
    )


# --- one order ----------------------------------------------------------------------------------


def _own_order(web: Web, order_id: int) -> PurchaseOrderView:
    view = purchasing.get_purchase_order(web.uow, order_id)
    if view.order.enterprise_id != web.caller.enterprise_id:
        raise NotFound("PurchaseOrder", order_id)  # the supplier answers it from its inbox
    return view


def _order_page(
    web: Web, order_id: int, notice_text: str = "", alert: str = "", status_code: int = 200
) -> HTMLResponse:
    view = _own_order(web, order_id)
    order = view.order
    items = by_id(web.uow, Item, [line.item_id for line in view.lines])
    labels = {i.id: f"{i.sku} {web.local_name(i.name, i.name_en)}" for i in items.values()}
    pending_change = any(c.status == ChangeStatus.REQUESTED for c in view.change_orders)
    return render(
        web,
        "buyer_order.html",
        title=f"{web.t('buy.order')} {order.number}",
        active="buy_orders",
        order=order,
        view=view,
        stage=buyer_views.pipeline_stage(order.status, view.ack.status),
        labels=labels,
        supplier=partner_names(web, [order.partner_enterprise_id]).get(
            order.partner_enterprise_id or 0, ""
        ),
        value=buyer_views.order_value(view.lines),
        can_confirm=view.ack.status == AckStatus.ACKNOWLEDGED,
        can_change=view.ack.status == AckStatus.CONFIRMED and not pending_change,
        can_cancel=order.status in CHANGEABLE
        and view.ack.status != AckStatus.CANCELLED
        and not pending_change,
        notice=notice_text,
        alert=alert,
        status_code=status_code,
    )


@router.get("/buy/orders/{order_id}", response_class=HTMLResponse)
def order_page(web: WebDep, order_id: Id, done: str = "") -> HTMLResponse:
    """One purchase order: lines, the supplier's answers, proposals to decide, change orders."""
    try:
        return _order_page(web, order_id, notice_text=notice(web, done))
    except NotFound:
        return not_found(web, "/buy/orders", "nav.buy_orders")


def _act(
    web: Web,
    order_id: int,
    done: str,
    parse: Callable[[], Command],
    action: Callable[[Command], object],
) -> Response:
    """Run a buyer move on the caller's own order; a refusal is shown on the order's page."""

    def run(cmd: Command) -> object:
        _own_order(web, order_id)
        return action(cmd)

    return submit(
        web,
        parse=parse,
        run=run,
        redisplay=lambda alert, status: _order_page(web, order_id, alert=alert, status_code=status),
        done=lambda _: f"/buy/orders/{order_id}?done={done}",
        wording=BUYER,
        missing=lambda: not_found(web, "/buy/orders", "nav.buy_orders"),
    )


@router.post("/buy/orders/{order_id}/lines/{line_id}/{decision}", response_model=None)
def decide_proposal(
    web: WebDep,
    order_id: Id,
    line_id: Id,
    decision: str,
    version: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Accept (applied to the line) or reject (the line reopens) the supplier's proposal."""
    if decision not in DECISIONS:
        return not_found(web, "/buy/orders", "nav.buy_orders")
    accept = decision == "accept_proposal"
    return _act(
        web,
        order_id,
        decision,
        parse=lambda: DecisionIn(version=posted_int(version), reason=optional(reason)),
        action=lambda cmd: purchasing.decide_proposal(web.uow, order_id, line_id, accept, cmd),
    )


@router.post("/buy/orders/{order_id}/confirm", response_model=None)
def confirm_order(web: WebDep, order_id: Id, version: Annotated[str, Form()] = "") -> Response:
    """Go ahead with an acknowledged order, accepting the lines the supplier rejected."""
    return _act(
        web,
        order_id,
        "confirmed",
        parse=lambda: DecisionIn(version=posted_int(version)),
        action=lambda cmd: purchasing.confirm(web.uow, order_id, cmd),
    )


@router.post("/buy/orders/{order_id}/changes", response_model=None)
def request_change(
    web: WebDep,
    order_id: Id,
    kind: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
    order_line_id: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "",
    requested_date: Annotated[str, Form()] = "",
    unit_price: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Ask the supplier to sign off a change to a confirmed line, or the cancellation."""
    return _act(
        web,
        order_id,
        f"change_{kind.strip()}",  # only used once the form validated, so a known kind
        parse=lambda: ChangeOrderIn.model_validate(
            {
                "kind": kind.strip(),
                "version": posted_int(version),
                "order_line_id": posted_int(order_line_id),
                "quantity": optional(quantity),
                "requested_date": optional(requested_date),
                "unit_price": optional(unit_price),
                "note": optional(note),
            }
        ),
        action=lambda cmd: purchasing.request_change(web.uow, order_id, cmd),
    )


@router.post("/buy/orders/{order_id}/changes/{change_id}/withdraw", response_model=None)
def withdraw_change(
    web: WebDep, order_id: Id, change_id: Id, version: Annotated[str, Form()] = ""
) -> Response:
    """Take back a change order the supplier has not answered yet."""
    return _act(
        web,
        order_id,
        "withdrawn",
        parse=lambda: DecisionIn(version=posted_int(version)),
        action=lambda cmd: purchasing.decide_change(web.uow, order_id, change_id, "withdraw", cmd),
    )


@router.get("/buy/orders/{order_id}/timeline", response_class=HTMLResponse)
def timeline_page(web: WebDep, order_id: Id) -> HTMLResponse:
    """Every document and move linked to the order, oldest first, with who did it."""
    try:
        view = _own_order(web, order_id)
        entries = timeline.order_timeline(web.uow, order_id).entries
    except NotFound:
        return not_found(web, "/buy/orders", "nav.buy_orders")
    return render(
        web,
        "buyer_timeline.html",
        title=f"{web.t('buy.timeline')} {view.order.number}",
        active="buy_orders",
        order=view.order,
        entries=entries,
    )


PAGES = PageSet(
    router, (NavEntry("buy_orders", "/buy/orders", "nav.buy_orders", "order", "collaboration", 41),)
)
