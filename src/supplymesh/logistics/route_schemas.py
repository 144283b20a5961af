"""What a delivery-route plan is asked with and what it answers (API and CLI alike)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from supplymesh.platform.schemas import Input, Output

Clock = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["08:00"])]
_CLOCK = re.compile(r"^(\d\d):(\d\d)$")


def clock_seconds(value: str) -> int:
    """Seconds after midnight of an ``HH:MM`` time (already checked by the schema)."""
    match = _CLOCK.match(value)
    assert match is not None, value
    return int(match.group(1)) * 3600 + int(match.group(2)) * 60


class VehicleTypeIn(Input):
    """Identical trucks of one kind based at the plan's depot."""

    name: str = Field(min_length=1, max_length=40)
    capacity_kg: int = Field(gt=0, le=100_000)
    count: int = Field(1, ge=1, le=500)
    shift_start: Clock = "08:00"
    shift_end: Clock = "18:00"

    @model_validator(mode="after")
    def _shift_order(self) -> VehicleTypeIn:
        if clock_seconds(self.shift_end) <= clock_seconds(self.shift_start):
            raise ValueError(f"vehicle type {self.name}: shift_end must be after shift_start")
        return self


class StopWindowIn(Input):
    """A delivery window (and service time) for one order's stop."""

    order_id: int = Field(ge=1)
    window_start: Clock | None = None
    window_end: Clock | None = None
    service_minutes: int | None = Field(None, ge=0, le=600)


class RoutePlanCreate(Input):
    """Plan deliveries from one depot: the orders it ships, or those wanted on `date`.

    Distances are great-circle × `road_factor` unless a lane between the two sites gives its
    road distance; travel time is distance / `speed_kmh`.
    """

    name: str = Field(min_length=1, max_length=80)
    depot_site_id: int = Field(ge=1)
    date: dt.date | None = Field(None, description="plan released orders requested for this day")
    order_ids: list[int] | None = Field(None, max_length=2000)
    vehicles: list[VehicleTypeIn] = Field(min_length=1, max_length=20)
    windows: list[StopWindowIn] = Field(default_factory=list, max_length=2000)
    service_minutes: int = Field(15, ge=0, le=600)
    speed_kmh: float = Field(40.0, gt=0, le=150)
    road_factor: float = Field(1.3, ge=1.0, le=3.0)
    time_limit_s: float = Field(5.0, gt=0, le=600)
    solver: Literal["pyvrp", "ortools"] = "pyvrp"

    @field_validator("order_ids")
    @classmethod
    def _unique(cls, value: list[int] | None) -> list[int] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("order_ids repeats an order")
        return value

    @model_validator(mode="after")
    def _what_to_plan(self) -> RoutePlanCreate:
        if (self.date is None) == (self.order_ids is None):
            raise ValueError("give either date or order_ids")
        return self


class StopOut(Output):
    order_id: int
    order_number: str
    site_id: int
    site_code: str
    site_name: str
    latitude: float
    longitude: float
    demand_kg: int
    arrival: str
    service_start: str
    departure: str
    window: list[str] | None


class RouteOut(Output):
    vehicle: str
    vehicle_type: str
    capacity_kg: int
    load_kg: int
    distance_km: float
    start: str
    back: str
    stops: list[StopOut]


class RoutePlanOut(Output):
    id: int
    name: str
    status: str
    depot: dict[str, object]
    routes: list[RouteOut]
    distance_km: float
    vehicles_used: int
    orders: int
    feasible: bool
    violations: list[str]
    solver: str
    runtime_s: float
    created_at: dt.datetime
