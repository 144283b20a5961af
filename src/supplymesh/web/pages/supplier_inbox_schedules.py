"""Delivery schedules (要货计划) in the supplier's inbox: answer each line of the buyer's dates.

The supplier confirms a line as asked, confirms part of its quantity, or proposes another
date, always with an optional reason; the buyer follows the answers on `/buy/schedules`.
Reads and writes go through `collab.delivery_schedule` in the caller's unit of work, so the
page refuses exactly what the API refuses and shows why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import Form
from fastapi.responses import HTMLResponse, Response

from supplymesh.collab import delivery_schedule
from supplymesh.collab.delivery_schedule import ScheduleView
from supplymesh.collab.delivery_schedule_model import (
    ScheduleLineStatus,
    ScheduleStatus,
)
from supplymesh.collab.delivery_schedule_schemas import ScheduleAnswerIn
from supplymesh.inventory.model import Order, OrderLine
from supplymesh.platform.errors import NotFound
from supplymesh.web.context import Web, WebDep, render
from supplymesh.web.form_post import optional, posted_int, submit
from supplymesh.web.nav import PageSet, web_router
from supplymesh.web.pages.supplier_inbox_common import (
    INBOX,
    Id,
    customers,
    item_labels,
    not_found,
    notice,
    shared_items,
)
from supplymesh.web.tables import by_id

router = web_router()
SCHEDULE_ANSWERS = ("confirm", "partial", "reschedule")


@dataclass(frozen=True)
class ScheduleRow:
    id: int
    number: str
    customer: str
    order_number: str
    revision: int
    status: str
    to_answer: int
    first_wanted_on: date | None


def schedule_rows(web: Web) -> list[ScheduleRow]:
    """Schedules addressed to the caller and not withdrawn, the newest first."""
    me = web.caller.enterprise_id
    views = [
        v
        for v in delivery_schedule.list_schedules(web.uow)
        if v.schedule.partner_enterprise_id == me and v.schedule.status != ScheduleStatus.CANCELLED
    ]
    names = customers(web, [v.schedule.enterprise_id for v in views])
    orders = by_id(web.uow, Order, [v.schedule.order_id for v in views])
    rows = []
    for v in reversed(views):
        s = v.schedule
        order = orders.get(s.order_id)
        rows.append(
            ScheduleRow(
                id=s.id,
                number=s.number,
                customer=names.get(s.enterprise_id, f"#{s.enterprise_id}"),
                order_number=order.number if order else f"#{s.order_id}",
                revision=s.revision,
                status=s.status,
                to_answer=sum(1 for x in v.lines if x.status == ScheduleLineStatus.OPEN),
                first_wanted_on=min((x.wanted_on for x in v.lines), default=None),
            )
        )
    return rows


def _addressed(web: Web, schedule_id: int) -> ScheduleView:
    """The schedule if it is addressed to the caller; the buyer's own is not in its inbox."""
    view = delivery_schedule.get_schedule(web.uow, schedule_id)
    if view.schedule.partner_enterprise_id != web.caller.enterprise_id:
        raise NotFound("DeliverySchedule", schedule_id)
    return view


def _line_labels(web: Web, view: ScheduleView) -> dict[int, str]:
    """Schedule line → what to deliver: the quoted or shared SKU and name, else the line number."""
    quoted = item_labels(web, view.schedule.order_id)
    order_lines = by_id(web.uow, OrderLine, [line.order_line_id for line in view.lines])
    shared = shared_items(web, [x.item_id for x in order_lines.values()])
    labels = {}
    for line in view.lines:
        order_line = order_lines.get(line.order_line_id)
        if order_line is None:
            labels[line.id] = f"#{line.order_line_id}"
            continue
        fallback = shared.get(order_line.item_id) or web.t(
            "inbox.order_line", line_no=order_line.line_no
        )
        labels[line.id] = quoted.get(line.order_line_id, fallback)
    return labels


def _schedule_page(
    web: Web, schedule_id: int, done: str = "", alert: str = "", status_code: int = 200
) -> HTMLResponse:
    view = _addressed(web, schedule_id)
    schedule = view.schedule
    answerable = schedule.status != ScheduleStatus.CANCELLED
    return render(
        web,
        "inbox_schedule.html",
        title=f"{web.t('inbox.schedule')} {schedule.number}",
        active="inbox",
        schedule=schedule,
        order=web.uow.session.get(Order, schedule.order_id),
        lines=view.lines,
        moves={
            line.id: [m for m in SCHEDULE_ANSWERS if m in line.allowed_moves and answerable]
            for line in view.lines
        },
        labels=_line_labels(web, view),
        customer=customers(web, [schedule.enterprise_id]).get(schedule.enterprise_id, ""),
        notice=notice(web, done),
        alert=alert,
        status_code=status_code,
    )


@router.get("/inbox/delivery-schedules/{schedule_id}", response_class=HTMLResponse)
def schedule_page(web: WebDep, schedule_id: Id, done: str = "") -> HTMLResponse:
    """One schedule's current revision with confirm / partial / new date on every open line."""
    try:
        return _schedule_page(web, schedule_id, done=done)
    except NotFound:
        return not_found(web)


@router.post(
    "/inbox/delivery-schedules/{schedule_id}/lines/{line_id}/{action}", response_model=None
)
def answer_schedule_line(
    web: WebDep,
    schedule_id: Id,
    line_id: Id,
    action: str,
    version: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "",
    wanted_on: Annotated[str, Form()] = "",
) -> Response:
    """Confirm one line, confirm part of it, or propose another date for it."""
    if action not in SCHEDULE_ANSWERS:
        return not_found(web)
    try:
        _addressed(web, schedule_id)  # 404 before judging a form about someone else's
    except NotFound:
        return not_found(web)
    return submit(
        web,
        parse=lambda: ScheduleAnswerIn.model_validate(
            {
                "action": action,
                "version": posted_int(version),
                "note": optional(reason),
                "quantity": optional(quantity),
                "wanted_on": optional(wanted_on),
            }
        ),
        run=lambda cmd: delivery_schedule.answer_line(web.uow, schedule_id, line_id, cmd),
        redisplay=lambda alert, status: _schedule_page(
            web, schedule_id, alert=alert, status_code=status
        ),
        done=lambda _: f"/inbox/delivery-schedules/{schedule_id}?done={action}",
        wording=INBOX,
        missing=lambda: not_found(web),
    )


PAGES = PageSet(router)
