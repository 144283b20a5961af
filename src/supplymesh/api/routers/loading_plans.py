"""Logistics decisions computed on request: truck loading (with a picture) and network design."""

from __future__ import annotations

from fastapi import APIRouter, Response

from supplymesh.api.deps import PrincipalDep, UowDep
from supplymesh.logistics.design_schemas import NetworkDesignRequest, NetworkDesignResponse
from supplymesh.logistics.loading_plans import plan_loading
from supplymesh.logistics.loading_schemas import LoadingPlanRequest, LoadingPlanResponse
from supplymesh.logistics.network_designs import design_network

router = APIRouter(prefix="/api/v1", tags=["logistics"])


@router.post("/loading/plan", response_model=LoadingPlanResponse)
def loading_plan(payload: LoadingPlanRequest, _caller: PrincipalDep) -> LoadingPlanResponse:
    """Pack the boxes into the load space (support, orientation, weight, drop order kept)."""
    return plan_loading(payload)


@router.post("/loading/plan.svg", response_class=Response)
def loading_picture(payload: LoadingPlanRequest, _caller: PrincipalDep) -> Response:
    """The same plan as an SVG picture only (isometric view and the view from the door)."""
    return Response(plan_loading(payload).picture_svg, media_type="image/svg+xml")


@router.post("/network-designs", response_model=NetworkDesignResponse)
def network_design(payload: NetworkDesignRequest, uow: UowDep) -> NetworkDesignResponse:
    """Which candidate DCs to open and who each serves, for each scenario side by side."""
    return design_network(uow, payload)
