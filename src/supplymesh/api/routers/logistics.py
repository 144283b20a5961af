"""Logistics routes: order dispatch by geofence, address parsing, dock plans and re-plans.

Dispatch, address parsing and `/docks/plan` and `/docks/replan` are computations on the
request (dispatch and parsing also read the caller's sites). `/docks/plans` stores the park's
plan in force, which queue calling and the driver's status page work on.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from supplymesh.api.deps import ContainerDep, PrincipalDep, UowDep
from supplymesh.logistics import services
from supplymesh.logistics.schemas import (
    AddressParseRequest,
    AddressParseResponse,
    CallNext,
    CallNextOut,
    DispatchRequest,
    DispatchResponse,
    DockPlanRequest,
    DockPlanResponse,
    DockReplanRequest,
    StoredPlanCreate,
    StoredPlanOut,
    StoredReplan,
    TruckStatus,
)
from supplymesh.platform.types import MAX_INT

Id = Annotated[int, Path(ge=1, le=MAX_INT)]

router = APIRouter(prefix="/api/v1", tags=["logistics"])


@router.post("/dispatch/assign", response_model=DispatchResponse)
def assign(payload: DispatchRequest, uow: UowDep) -> DispatchResponse:
    """Assign orders to the station whose fence holds them, with a reason for every order."""
    return services.dispatch(uow, payload)


@router.post("/addresses/parse", response_model=AddressParseResponse)
def parse(payload: AddressParseRequest, uow: UowDep) -> AddressParseResponse:
    """Split addresses into province / city / district and geocode them, saying how precisely."""
    return services.parse_addresses(uow, payload)


@router.post("/docks/plan", response_model=DockPlanResponse)
def plan_docks(payload: DockPlanRequest, _caller: PrincipalDep) -> DockPlanResponse:
    """Docks and start times for booked trucks, minimising waiting and lateness."""
    return services.plan(payload)


@router.post("/docks/replan", response_model=DockPlanResponse)
def replan_docks(payload: DockReplanRequest, _caller: PrincipalDep) -> DockPlanResponse:
    """Re-plan for a late truck, keeping work that has started."""
    return services.replan_late(payload)


@router.post("/docks/plans", response_model=StoredPlanOut, status_code=201)
def create_stored_plan(payload: StoredPlanCreate, uow: UowDep, response: Response) -> StoredPlanOut:
    """Plan the booked trucks and store the plan as the park's plan in force."""
    out = services.create_plan(uow, payload)
    uow.commit()
    response.headers["Location"] = f"/api/v1/docks/plans/{out.id}"
    return out


@router.get("/docks/plans/{plan_id}", response_model=StoredPlanOut)
def get_stored_plan(plan_id: Id, uow: UowDep) -> StoredPlanOut:
    """A stored plan with each dock's queue as it stands."""
    return services.get_plan(uow, plan_id)


@router.post("/docks/plans/{plan_id}/replan", response_model=StoredPlanOut)
def replan_stored_plan(plan_id: Id, payload: StoredReplan, uow: UowDep) -> StoredPlanOut:
    """Re-plan the stored plan for a late truck, keeping work that has started."""
    out = services.replan_stored(uow, plan_id, payload)
    uow.commit()
    return out


@router.post("/docks/plans/{plan_id}/call-next", response_model=CallNextOut)
def call_next(plan_id: Id, payload: CallNext, uow: UowDep) -> CallNextOut:
    """Call the next truck to a dock (排队叫号); null when nobody is waiting for it."""
    out = services.call_next_truck(uow, plan_id, payload)
    uow.commit()
    return out


@router.get("/docks/plans/{plan_id}/trucks/{truck_id}", response_model=TruckStatus)
def truck_status(
    plan_id: Id,
    truck_id: Annotated[str, Path(max_length=60)],
    uow: UowDep,
    container: ContainerDep,
) -> TruckStatus:
    """A truck's dock, place in line, planned times, and the link to send its driver."""
    return services.truck_status(uow, plan_id, truck_id, container.settings.signing_key())
