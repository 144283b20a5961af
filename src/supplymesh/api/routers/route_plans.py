"""Delivery-route plans: plan the depot's open orders onto trucks, read stored plans."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from supplymesh.api.deps import UowDep
from supplymesh.logistics import route_plans
from supplymesh.logistics.route_schemas import RoutePlanCreate, RoutePlanOut
from supplymesh.platform.types import MAX_INT

Id = Annotated[int, Path(ge=1, le=MAX_INT)]

router = APIRouter(prefix="/api/v1", tags=["logistics"])


@router.post("/route-plans", response_model=RoutePlanOut, status_code=201)
def create_route_plan(payload: RoutePlanCreate, uow: UowDep, response: Response) -> RoutePlanOut:
    """Plan routes for the depot's open orders (by id or requested date) and store the plan."""
    out = route_plans.create_route_plan(uow, payload)
    uow.commit()
    response.headers["Location"] = f"/api/v1/route-plans/{out.id}"
    return out


@router.get("/route-plans", response_model=list[RoutePlanOut])
def list_route_plans(uow: UowDep) -> list[RoutePlanOut]:
    """The latest plans, newest first."""
    return route_plans.list_route_plans(uow)


@router.get("/route-plans/{plan_id}", response_model=RoutePlanOut)
def get_route_plan(plan_id: Id, uow: UowDep) -> RoutePlanOut:
    """One stored plan: routes per truck with their stop lists and times."""
    return route_plans.get_route_plan(uow, plan_id)
