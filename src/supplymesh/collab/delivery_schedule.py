"""Delivery schedules: the buyer asks for dates and quantities, the supplier answers each line.

A schedule belongs to a released (or later, still open) purchase or outsourcing order. The
quantities of one order line across its dates may not exceed what is still to be received.
The supplier's line answers drive the schedule's state; the buyer answers changes by sending
a new revision, which reopens every line. Cancelling ends the schedule.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from supplymesh.collab.delivery_schedule_model import (
    SCHEDULE_LINE_MOVES,
    SCHEDULE_TRANSITIONS,
    DeliverySchedule,
    DeliveryScheduleLine,
    ScheduleLineStatus,
    ScheduleStatus,
)
from supplymesh.collab.delivery_schedule_schemas import (
    ScheduleAnswerIn,
    ScheduleIn,
    ScheduleLineIn,
    ScheduleRevisionIn,
)
from supplymesh.collab.procurement_model import check_move
from supplymesh.collab.purchasing import purchase_order
from supplymesh.collab.purchasing_moves import move, record_move, require_side, require_version
from supplymesh.inventory.model import ORDER_SHIPPABLE, Order
from supplymesh.inventory.orders import lines_of
from supplymesh.platform.db import utcnow
from supplymesh.platform.errors import (
    FieldError,
    IllegalTransition,
    NotFound,
    ValidationFailed,
    invalid,
)
from supplymesh.platform.uow import UnitOfWork


@dataclass(frozen=True)
class ScheduleView:
    schedule: DeliverySchedule
    lines: list[DeliveryScheduleLine]


def _lines(uow: UnitOfWork, schedule: DeliverySchedule) -> list[DeliveryScheduleLine]:
    uow.flush()
    query = (
        select(DeliveryScheduleLine)
        .where(
            DeliveryScheduleLine.schedule_id == schedule.id,
            DeliveryScheduleLine.revision == schedule.revision,
        )
        .order_by(DeliveryScheduleLine.line_no)
    )
    return list(uow.session.scalars(query))


def get_schedule(uow: UnitOfWork, schedule_id: int) -> ScheduleView:
    schedule = uow.session.get(DeliverySchedule, schedule_id)
    if schedule is None:
        raise NotFound("DeliverySchedule", schedule_id)
    return ScheduleView(schedule, _lines(uow, schedule))


def list_schedules(uow: UnitOfWork, order_id: int | None = None) -> list[ScheduleView]:
    query = select(DeliverySchedule).order_by(DeliverySchedule.id)
    if order_id is not None:
        query = query.where(DeliverySchedule.order_id == order_id)
    return [ScheduleView(s, _lines(uow, s)) for s in uow.session.scalars(query)]


def _open_order(uow: UnitOfWork, order_id: int) -> Order:
    order = purchase_order(uow, order_id)
    require_side(uow, "buyer", order.enterprise_id, order.partner_enterprise_id)
    if order.status not in ORDER_SHIPPABLE:
        raise IllegalTransition("order", order.status, "scheduled", order.allowed_transitions)
    return order


def _add_lines(
    uow: UnitOfWork, order: Order, schedule: DeliverySchedule, wanted: list[ScheduleLineIn]
) -> None:
    """The revision's lines, refused (422) where a line's dates ask for more than is open."""
    order_lines = {line.id: line for line in lines_of(uow, [order.id])[order.id]}
    totals: dict[int, Decimal] = {}
    errors: list[FieldError] = []
    for index, want in enumerate(wanted):
        line = order_lines.get(want.order_line_id)
        if line is None:
            errors.append(FieldError(f"lines.{index}.order_line_id", "not a line of this order"))
            continue
        totals[line.id] = totals.get(line.id, Decimal(0)) + want.quantity
        still_open = line.quantity - line.quantity_received
        if totals[line.id] > still_open:
            errors.append(
                FieldError(
                    f"lines.{index}.quantity",
                    f"line {line.line_no}: {totals[line.id]} scheduled is more than the "
                    f"{still_open} still to receive",
                )
            )
    if errors:
        raise ValidationFailed(errors)
    for line_no, want in enumerate(wanted, start=1):
        uow.add(
            DeliveryScheduleLine(
                enterprise_id=order.enterprise_id,
                partner_enterprise_id=order.partner_enterprise_id,
                schedule_id=schedule.id,
                revision=schedule.revision,
                line_no=line_no,
                order_line_id=want.order_line_id,
                wanted_on=want.wanted_on,
                quantity=want.quantity,
                status=ScheduleLineStatus.OPEN.value,
            )
        )


def send_schedule(uow: UnitOfWork, cmd: ScheduleIn) -> ScheduleView:
    """The buyer sends a schedule against an open order."""
    order = _open_order(uow, cmd.order_id)
    count = uow.session.scalar(
        select(func.count())
        .select_from(DeliverySchedule)
        .where(DeliverySchedule.order_id == order.id)
    )
    schedule = DeliverySchedule(
        enterprise_id=order.enterprise_id,
        partner_enterprise_id=order.partner_enterprise_id,
        number=f"DS-{order.number}-{int(count or 0) + 1:02d}",
        order_id=order.id,
        revision=1,
        note=cmd.note,
        status=ScheduleStatus.SENT.value,
    )
    uow.add(schedule)
    uow.flush()
    _add_lines(uow, order, schedule, cmd.lines)
    record_move(
        uow,
        schedule,
        schedule.id,
        "delivery_schedule",
        None,
        schedule.status,
        order.id,
        note=cmd.note,
    )
    return ScheduleView(schedule, _lines(uow, schedule))


def revise_schedule(uow: UnitOfWork, schedule_id: int, cmd: ScheduleRevisionIn) -> ScheduleView:
    """The buyer replaces the lines with a new revision; the supplier answers it again."""
    schedule = get_schedule(uow, schedule_id).schedule
    order = _open_order(uow, schedule.order_id)
    require_version("DeliverySchedule", schedule.number, cmd.version, schedule.version)
    if ScheduleStatus.SENT not in SCHEDULE_TRANSITIONS.get(schedule.status, ()):
        raise IllegalTransition(
            "delivery_schedule", schedule.status, "revised", schedule.allowed_transitions
        )
    schedule.revision += 1
    schedule.note = cmd.note
    uow.flush()
    _add_lines(uow, order, schedule, cmd.lines)
    note = f"revision {schedule.revision}" + (f": {cmd.note}" if cmd.note else "")
    move(uow, schedule, ScheduleStatus.SENT, SCHEDULE_TRANSITIONS, order_id=order.id, note=note)
    return ScheduleView(schedule, _lines(uow, schedule))


def cancel_schedule(uow: UnitOfWork, schedule_id: int, version: int | None) -> ScheduleView:
    """The buyer withdraws the schedule."""
    schedule = get_schedule(uow, schedule_id).schedule
    order = purchase_order(uow, schedule.order_id)
    require_side(uow, "buyer", order.enterprise_id, order.partner_enterprise_id)
    require_version("DeliverySchedule", schedule.number, version, schedule.version)
    move(uow, schedule, ScheduleStatus.CANCELLED, SCHEDULE_TRANSITIONS, order_id=order.id)
    return ScheduleView(schedule, _lines(uow, schedule))


def answer_line(
    uow: UnitOfWork, schedule_id: int, line_id: int, cmd: ScheduleAnswerIn
) -> ScheduleView:
    """The supplier confirms a line, confirms part of it, or proposes another date."""
    view = get_schedule(uow, schedule_id)
    schedule = view.schedule
    order = purchase_order(uow, schedule.order_id)
    require_side(uow, "supplier", order.enterprise_id, order.partner_enterprise_id)
    line = next((x for x in view.lines if x.id == line_id), None)
    if line is None:
        raise NotFound("DeliveryScheduleLine", line_id)
    require_version("DeliveryScheduleLine", line.id, cmd.version, line.version)
    if schedule.status == ScheduleStatus.CANCELLED:
        raise IllegalTransition("delivery_schedule", schedule.status, "answered", [])
    target = check_move("delivery_schedule_line", SCHEDULE_LINE_MOVES, line.status, cmd.action)
    quantity, on = line.quantity, line.wanted_on
    if cmd.action == "partial":
        if cmd.quantity is None or cmd.quantity >= line.quantity:
            raise invalid("quantity", f"give a quantity below the {line.quantity} asked for")
        quantity = cmd.quantity
        on = cmd.wanted_on or on
    elif cmd.action == "reschedule":
        if cmd.wanted_on is None or cmd.wanted_on == line.wanted_on:
            raise invalid("wanted_on", f"give a date other than {line.wanted_on.isoformat()}")
        on = cmd.wanted_on
        quantity = cmd.quantity or quantity
    previous, line.status = line.status, target
    line.confirmed_quantity, line.confirmed_on = quantity, on
    line.note, line.answered_at = cmd.note, utcnow()
    uow.flush()
    record_move(
        uow, schedule, line.id, "delivery_schedule_line", previous, target, order.id, note=cmd.note
    )
    states = {x.status for x in view.lines}
    if ScheduleLineStatus.OPEN in states:
        wanted = ScheduleStatus.PARTIALLY_ANSWERED
    elif states == {ScheduleLineStatus.CONFIRMED}:
        wanted = ScheduleStatus.CONFIRMED
    else:
        wanted = ScheduleStatus.CHANGES_PROPOSED
    if wanted != schedule.status:
        move(uow, schedule, wanted, SCHEDULE_TRANSITIONS, order_id=order.id)
    return ScheduleView(schedule, _lines(uow, schedule))
