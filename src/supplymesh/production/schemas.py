"""Commands and views of the production API (decimal strings for quantities)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from supplymesh.platform.types import MAX_INT

RefId = Field(default=None, ge=1, le=MAX_INT)


class WorkOrderCreate(BaseModel):
    number: str | None = Field(default=None, min_length=1, max_length=40)
    item_id: int | None = RefId
    item_code: str | None = Field(default=None, max_length=60)
    site_id: int | None = RefId
    site_code: str | None = Field(default=None, max_length=40)
    quantity: Decimal = Field(gt=0, max_digits=18, decimal_places=6)
    due_at: datetime
    release_at: datetime | None = None
    priority: int = Field(default=5, ge=1, le=9)
    note: str | None = Field(default=None, max_length=500)


class WorkOrderUpdate(BaseModel):
    version: int = Field(ge=1)
    quantity: Decimal | None = Field(default=None, gt=0, max_digits=18, decimal_places=6)
    due_at: datetime | None = None
    release_at: datetime | None = None
    priority: int | None = Field(default=None, ge=1, le=9)
    note: str | None = Field(default=None, max_length=500)


class WorkOrderPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    number: str
    item_id: int
    site_id: int
    quantity: Decimal
    due_at: datetime
    release_at: datetime | None
    priority: int
    status: str
    sales_order_id: int | None
    note: str | None
    created_at: datetime

    @field_serializer("quantity")
    def _exact(self, value: Decimal) -> str:
        return str(value.normalize()) if value == value.to_integral() else str(value)


class WorkOrderPage(BaseModel):
    items: list[WorkOrderPublic]
    total: int
    offset: int
    limit: int


class VersionedAction(BaseModel):
    version: int | None = Field(default=None, ge=1)


class ScheduleRun(BaseModel):
    site_id: int | None = RefId
    site_code: str | None = Field(default=None, max_length=40)
    objective: Literal["makespan", "total_tardiness"] = "total_tardiness"
    time_limit_s: float = Field(default=10.0, gt=0, le=600)
    horizon_days: int | None = Field(default=None, ge=1, le=120)


class SchedulePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    site_id: int
    revision: int
    status: str
    objective: str
    reason: str
    alarm_id: int | None
    based_on_id: int | None
    origin_at: datetime
    frozen_until: datetime
    horizon_end: datetime
    solver_status: str
    solver_seconds: float
    objective_value: int | None
    bound: int | None
    makespan_minutes: int | None
    total_tardiness_minutes: int | None
    late_orders: int
    utilisation: dict[str, float]
    blocked: list[dict[str, Any]]
    created_at: datetime
    published_at: datetime | None


class SchedulePage(BaseModel):
    items: list[SchedulePublic]
    total: int
    offset: int
    limit: int


class OperationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    work_order_id: int
    routing_step_id: int
    sequence: int
    machine_id: int
    setup_start_at: datetime | None
    start_at: datetime
    end_at: datetime
    fixed: bool


class ScheduleDetail(SchedulePublic):
    operations: list[OperationPublic]


class GanttMachine(BaseModel):
    id: int
    code: str
    name: str


class GanttBarPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    operation_id: int
    machine_id: int
    machine_code: str
    work_order_id: int
    work_order_number: str
    item_sku: str
    quantity: str
    sequence: int
    setup_start: datetime | None
    start: datetime
    end: datetime
    fixed: bool
    late: bool


class OrderFinishPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    work_order_id: int
    number: str
    item_sku: str
    quantity: str
    due_at: datetime
    finish_at: datetime
    lateness_minutes: int


class GanttPublic(BaseModel):
    schedule: SchedulePublic
    machines: list[GanttMachine]
    bars: list[GanttBarPublic]
    downtime: list[dict[str, Any]]
    orders: list[OrderFinishPublic]
