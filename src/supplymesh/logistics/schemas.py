"""Request and response bodies of the logistics API (dispatch, addresses, docks).

Fence geometry is taken loosely typed on purpose: a ring that does not close or crosses
itself must come back as an error naming the station and the ring, which only the engine's
checks can say, not a generic schema mismatch. Dock times are ISO 8601 with a time zone;
the planner works in whole minutes, so seconds are rounded up.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, Field

from supplymesh.logistics.fences import create_fence, guard_fence
from supplymesh.logistics.model import StationFence
from supplymesh.network.model import Site
from supplymesh.platform.crud import Reference, Resource
from supplymesh.platform.schemas import Input, NonNegQty, Output, partial

Datum = Literal["wgs84", "gcj02"]
Label = Annotated[str, Field(min_length=1, max_length=60)]


class GeoJsonGeometry(Input):
    type: str = Field(description="Polygon or MultiPolygon (a Feature wrapping one is accepted)")
    coordinates: list[Any] = Field(max_length=1000, description="[longitude, latitude] rings")


class FenceIn(Input):
    station: Label | None = Field(None, description="station name; defaults to site_code")
    site_code: str | None = Field(None, max_length=40, description="one of the caller's sites")
    priority: int = Field(0, ge=-1000, le=1000, description="higher wins where fences overlap")
    geometry: GeoJsonGeometry


class OrderIn(Input):
    id: Label
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = Field(None, max_length=300)


class DispatchRequest(Input):
    datum: Datum = Field("wgs84", description="datum of every coordinate in and out")
    tie_break: Literal["priority_then_area", "smallest_area"] = "priority_then_area"
    coarsest_level: Literal["site", "district", "city", "province"] = "district"
    fences: list[FenceIn] | None = Field(
        None, min_length=1, max_length=500, description="omit to use the stored station fences"
    )
    orders: list[OrderIn] = Field(max_length=20000)


class AssignmentOut(BaseModel):
    order_id: str
    station: str | None
    site_id: int | None
    status: Literal["assigned", "tie_broken", "unmatched", "unlocated"]
    reason: str
    candidates: list[str]
    latitude: float | None
    longitude: float | None
    location_level: str
    location_note: str
    nearest_station: str | None
    nearest_km: float | None


class DispatchResponse(BaseModel):
    tie_break_rule: str
    datum: Datum
    assignments: list[AssignmentOut]
    by_station: dict[str, list[str]]


class AddressParseRequest(Input):
    datum: Datum = Field("wgs84", description="datum of the points returned")
    addresses: list[Annotated[str, Field(max_length=300)]] = Field(min_length=1, max_length=1000)


class DivisionOut(BaseModel):
    code: str
    name: str


class ParsedAddressOut(BaseModel):
    text: str
    province: DivisionOut | None
    city: DivisionOut | None
    district: DivisionOut | None
    detail: str
    unrecognised: str | None
    ambiguous: list[DivisionOut]
    level: Literal["site", "district", "city", "province", "none"]
    latitude: float | None
    longitude: float | None
    matched: str | None
    note: str


class AddressParseResponse(BaseModel):
    datum: Datum
    results: list[ParsedAddressOut]


class DockIn(Input):
    code: Label
    capabilities: list[Label] = Field(default_factory=lambda: ["standard"], max_length=20)
    max_pallets: int | None = Field(None, ge=0, le=10000)
    docking_min: int = Field(10, ge=0, le=1440)
    minutes_per_pallet: NonNegQty = Decimal(2)


class TruckIn(Input):
    id: Label
    window_start: AwareDatetime
    window_end: AwareDatetime
    pallets: int = Field(ge=0, le=10000)
    needs: list[Label] = Field(default_factory=lambda: ["standard"], max_length=20)
    eta: AwareDatetime | None = None


class DockPlanRequest(Input):
    docks: list[DockIn] = Field(min_length=1, max_length=200)
    trucks: list[TruckIn] = Field(max_length=500)
    called: list[Label] = Field(default_factory=list, max_length=500)
    time_limit_s: float = Field(5.0, gt=0, le=30)
    lateness_weight: int = Field(10, ge=0, le=1000)


class VisitIn(Input):
    truck_id: Label
    dock: Label
    start: AwareDatetime


class DockReplanRequest(DockPlanRequest):
    plan: list[VisitIn] = Field(max_length=500, description="the plan in force (from /plan)")
    now: AwareDatetime
    late_truck: Label
    new_eta: AwareDatetime


class VisitOut(BaseModel):
    truck_id: str
    dock: str
    start: datetime
    end: datetime
    wait_min: int
    late_min: int
    pinned: bool
    queue_position: int = Field(description="place in the dock's line; 0 = called or started")


class DockPlanResponse(BaseModel):
    status: Literal["optimal", "feasible", "heuristic"]
    total_wait_min: int
    total_late_min: int
    objective: int
    seconds: float
    visits: list[VisitOut]
    queues: dict[str, list[str]]
    next_calls: dict[str, str | None]


class StoredPlanCreate(DockPlanRequest):
    name: Label = Field(description="e.g. the park and the day: 嘉兴园区 2026-11-30")


class StoredPlanOut(DockPlanResponse):
    id: int
    name: str
    version: int
    called: list[str]
    created_at: datetime
    updated_at: datetime


class StoredReplan(Input):
    now: AwareDatetime
    late_truck: Label
    new_eta: AwareDatetime
    version: int | None = Field(None, description="the version the change is based on")


class CallNext(Input):
    dock: Label
    version: int | None = Field(None, description="the version the call is based on")


class CallNextOut(BaseModel):
    dock: str
    truck_id: str | None = Field(description="the truck called; null when the queue is empty")
    plan: StoredPlanOut


class TruckStatus(BaseModel):
    plan_id: int
    plan_name: str
    truck_id: str
    dock: str
    position: int = Field(description="place in the dock's line; 0 = called or started")
    ahead: list[str]
    start: datetime
    end: datetime
    called: bool
    driver_link: str = Field(description="a link the driver opens without an account")


class FenceCreate(Input):
    station: Label
    site_id: int | None = Field(None, description="the station's site, if it is one of yours")
    site_code: str | None = Field(None, max_length=40)
    priority: int = Field(0, ge=-1000, le=1000, description="higher wins where fences overlap")
    geometry: dict[str, Any] = Field(description="GeoJSON Polygon or MultiPolygon, WGS-84")


class FencePublic(Output):
    id: int
    enterprise_id: int
    station: str
    site_id: int | None
    priority: int
    geometry: dict[str, Any]
    version: int
    created_at: datetime


RESOURCES: tuple[Resource, ...] = (
    Resource(
        "station-fences",
        StationFence,
        FenceCreate,
        partial(FenceCreate, "FenceUpdate"),
        FencePublic,
        natural_key=("station",),
        references=(Reference("site_id", Site, required=False),),
        filters=("station", "site_id"),
        label="station fence",
        extra={"create": create_fence, "guard": guard_fence},
    ),
)
