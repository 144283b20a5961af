"""Inputs and outputs of delivery schedules (要货计划)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from supplymesh.platform.schemas import Input, Output, PosQty, Qty
from supplymesh.platform.types import MAX_INT


class ScheduleLineIn(Input):
    order_line_id: int = Field(ge=1, le=MAX_INT)
    wanted_on: date
    quantity: PosQty


class ScheduleIn(Input):
    """A schedule for one order (buyer); lines of one order line may fall on several dates."""

    order_id: int = Field(ge=1, le=MAX_INT)
    note: str | None = Field(default=None, max_length=500)
    lines: list[ScheduleLineIn] = Field(min_length=1)


class ScheduleRevisionIn(Input):
    """A new revision replacing every line; the supplier answers it afresh."""

    version: int | None = None
    note: str | None = Field(default=None, max_length=500)
    lines: list[ScheduleLineIn] = Field(min_length=1)


class ScheduleAnswerIn(Input):
    """`confirm` as asked, `partial` with the quantity you can, `reschedule` with your date."""

    action: Literal["confirm", "partial", "reschedule"]
    quantity: PosQty | None = None
    wanted_on: date | None = None
    note: str | None = Field(default=None, max_length=500)
    version: int | None = None


class ScheduleLinePublic(Output):
    id: int
    revision: int
    line_no: int
    order_line_id: int
    wanted_on: date
    quantity: Qty
    status: str
    allowed_moves: list[str]
    confirmed_quantity: Qty | None
    confirmed_on: date | None
    note: str | None
    answered_at: datetime | None
    version: int


class SchedulePublic(Output):
    id: int
    number: str
    order_id: int
    enterprise_id: int
    partner_enterprise_id: int | None
    revision: int
    status: str
    allowed_transitions: list[str]
    note: str | None
    version: int
    lines: list[ScheduleLinePublic] = Field(description="the current revision's lines")
