"""Delivery routes on the map (plan a depot's day, see each truck's stops and times) and
loading a truck (boxes in, the plan and its picture out), and the network design (which
warehouses to open, who each serves) on the map.

The page calls the same use case as `POST /api/v1/route-plans`; the map is drawn from the
stored plan (`/logistics/routes/{id}.json`) over the offline base layer, so it works without
internet like the network map.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import Form, Path
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from supplymesh.logistics import route_plans
from supplymesh.logistics.design_schemas import NetworkDesignRequest, NetworkDesignResponse
from supplymesh.logistics.loading_plans import plan_loading
from supplymesh.logistics.loading_schemas import PRESETS, LoadingPlanRequest, LoadingPlanResponse
from supplymesh.logistics.network_designs import design_network
from supplymesh.logistics.route_schemas import RoutePlanCreate
from supplymesh.network.model import Site
from supplymesh.platform.errors import DomainError, NotFound
from supplymesh.platform.types import MAX_INT
from supplymesh.web.context import DataDep, Web, WebDep, render
from supplymesh.web.form_post import invalid_form
from supplymesh.web.nav import NavEntry, PageSet, web_router
from supplymesh.web.pages.map import BASE_LAYER

router = web_router()
Id = Annotated[int, Path(ge=1, le=MAX_INT)]


def _list_page(
    web: Web, alert: str | None = None, status_code: int = 200, form: dict[str, str] | None = None
) -> HTMLResponse:
    return render(
        web,
        "routes.html",
        title=web.t("nav.routes"),
        active="routes",
        plans=route_plans.list_route_plans(web.uow),
        depots=_design_sites(web, DEPOT_KINDS),
        form=form or {},
        alert=alert,
        notice=None,
        status_code=status_code,
    )


@router.get("/logistics/routes", response_class=HTMLResponse)
def routes_page(web: WebDep) -> HTMLResponse:
    """Stored route plans, newest first, and the form to plan a depot's day."""
    return _list_page(web)


@router.post("/logistics/routes", response_model=None)
def plan_routes(
    web: WebDep,
    depot_site_id: Annotated[str, Form()] = "",
    day: Annotated[str, Form()] = "",
    vehicle_name: Annotated[str, Form()] = "",
    capacity_kg: Annotated[str, Form()] = "",
    count: Annotated[str, Form()] = "1",
    shift_start: Annotated[str, Form()] = "08:00",
    shift_end: Annotated[str, Form()] = "18:00",
    time_limit_s: Annotated[str, Form()] = "5",
) -> Response:
    """Plan and store; a refused request shows the reason above the form, nothing is kept."""
    form = {
        "depot_site_id": depot_site_id,
        "day": day,
        "vehicle_name": vehicle_name,
        "capacity_kg": capacity_kg,
        "count": count,
        "shift_start": shift_start,
        "shift_end": shift_end,
        "time_limit_s": time_limit_s,
    }
    try:
        body = RoutePlanCreate.model_validate(
            {
                "name": f"{day}",
                "depot_site_id": depot_site_id or 0,
                "date": day or None,
                "vehicles": [
                    {
                        "name": vehicle_name,
                        "capacity_kg": capacity_kg or 0,
                        "count": count or 1,
                        "shift_start": shift_start,
                        "shift_end": shift_end,
                    }
                ],
                "time_limit_s": time_limit_s or 5,
            }
        )
    except ValidationError as exc:
        return _list_page(web, invalid_form(web, exc), 422, form)
    try:
        plan = route_plans.create_route_plan(web.uow, body)
        web.uow.commit()
    except DomainError as exc:
        web.uow.session.rollback()
        return _list_page(web, web.t("error.invalid", detail=exc.message), exc.status, form)
    return RedirectResponse(f"/logistics/routes/{plan.id}", status_code=303)


@router.get("/logistics/routes/{plan_id}.json", response_class=JSONResponse)
def plan_json(web: DataDep, plan_id: Id) -> JSONResponse:
    """The stored plan as the map script reads it."""
    plan = route_plans.get_route_plan(web.uow, plan_id)
    return JSONResponse(plan.model_dump(mode="json"), headers={"Cache-Control": "no-store"})


@router.get("/logistics/routes/{plan_id}", response_class=HTMLResponse)
def plan_page(web: WebDep, plan_id: Id) -> HTMLResponse:
    """One plan: the trucks' routes on the map and each truck's stop list with times."""
    try:
        plan = route_plans.get_route_plan(web.uow, plan_id)
    except NotFound:
        return render(
            web,
            "error.html",
            title=web.t("error.not_found.title"),
            message=web.t("routes.not_found"),
            back_href="/logistics/routes",
            back_label=web.t("error.back_to", page=web.t("nav.routes")),
            status_code=404,
        )
    config = {
        "data": f"/logistics/routes/{plan_id}.json",
        "base": BASE_LAYER,
        "labels": {"depot": web.t("routes.depot"), "stop": web.t("routes.stop")},
    }
    return render(
        web,
        "route_plan.html",
        title=f"{web.t('nav.routes')} · {plan.name}",
        active="routes",
        plan=plan,
        config=json.dumps(config, ensure_ascii=False).replace("</", "<\\/"),
    )


# --- loading a truck -------------------------------------------------------------------------

BOX_COLUMNS = ("label", "length_mm", "width_mm", "height_mm", "quantity", "weight_kg", "stop")
SAMPLE_BOXES = "\n".join(
    (
        "冰箱 BCD-218,600,650,1450,12,48,1",
        "洗衣机 XQB80,560,580,900,16,32,1",
        "微波炉 M1-L213,480,380,300,40,12,2",
        "电饭煲 FB40,380,300,280,60,4,2",
    )
)


def _boxes(text: str) -> list[dict[str, str]]:
    """CSV lines (no header) → box dicts; a wrong column count names the line."""
    rows = []
    for number, line in enumerate(text.strip().splitlines(), start=1):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.replace("，", ",").split(",")]
        if len(cells) != len(BOX_COLUMNS):
            raise ValueError(f"line {number}: {len(cells)} values, expected {len(BOX_COLUMNS)}")
        rows.append(dict(zip(BOX_COLUMNS, cells, strict=True)))
    return rows


def _loading_page(
    web: Web,
    form: dict[str, str],
    result: LoadingPlanResponse | None = None,
    alert: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        web,
        "loading.html",
        title=web.t("nav.loading"),
        active="loading",
        presets=list(PRESETS),
        form=form,
        result=result,
        columns=BOX_COLUMNS,
        alert=alert,
        notice=None,
        status_code=status_code,
    )


@router.get("/logistics/loading", response_class=HTMLResponse)
def loading_page(web: WebDep) -> HTMLResponse:
    """The loading form with a sample load filled in."""
    return _loading_page(web, {"preset": "van_4_2m", "boxes": SAMPLE_BOXES, "time_limit_s": "3"})


@router.post("/logistics/loading", response_class=HTMLResponse)
def plan_loading_form(
    web: WebDep,
    preset: Annotated[str, Form()] = "van_4_2m",
    boxes: Annotated[str, Form()] = "",
    time_limit_s: Annotated[str, Form()] = "3",
) -> HTMLResponse:
    """Pack the typed boxes and show the plan with its picture; refusals name the box."""
    form = {"preset": preset, "boxes": boxes, "time_limit_s": time_limit_s}
    try:
        request = LoadingPlanRequest.model_validate(
            {
                "container": {"preset": preset},
                "boxes": _boxes(boxes),
                "time_limit_s": time_limit_s or 3,
            }
        )
    except (ValidationError, ValueError) as exc:
        alert = (
            invalid_form(web, exc)
            if isinstance(exc, ValidationError)
            else web.t("error.invalid", detail=str(exc))
        )
        return _loading_page(web, form, alert=alert, status_code=422)
    try:
        result = plan_loading(request)
    except DomainError as exc:
        return _loading_page(
            web, form, alert=web.t("error.invalid", detail=exc.message), status_code=exc.status
        )
    return _loading_page(web, form, result)


# --- network design ---------------------------------------------------------------------------

DEPOT_KINDS = ("warehouse", "dc", "plant")
CANDIDATE_KINDS = ("warehouse", "dc")
CUSTOMER_KINDS = ("store", "plant")


def _design_sites(web: Web, kinds: tuple[str, ...]) -> list[Site]:
    """The caller's own sites of `kinds` that have coordinates (depots, candidates, customers)."""
    query = select(Site).where(
        Site.enterprise_id == web.caller.enterprise_id,
        Site.latitude.is_not(None),
        Site.kind.in_(kinds),
    )
    return list(web.uow.session.scalars(query.order_by(Site.code)))


def _design_page(
    web: Web,
    form: dict[str, str],
    result: NetworkDesignResponse | None = None,
    alert: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    config = {
        "base": BASE_LAYER,
        "result": result.model_dump(mode="json") if result else None,
        "labels": {"open": web.t("design.open"), "closed": web.t("design.closed")},
    }
    return render(
        web,
        "network_design.html",
        title=web.t("nav.design"),
        active="design",
        candidates=_design_sites(web, CANDIDATE_KINDS),
        customers=_design_sites(web, CUSTOMER_KINDS),
        form=form,
        result=result,
        config=json.dumps(config, ensure_ascii=False).replace("</", "<\\/"),
        alert=alert,
        notice=None,
        status_code=status_code,
    )


DESIGN_DEFAULTS = {
    "fixed_cost": "500000",
    "capacity": "1000000",
    "cost_per_unit_km": "0.002",
    "history_from": "",
    "history_to": "",
    "max_service_km": "300",
}


@router.get("/logistics/network-design", response_class=HTMLResponse)
def design_page(web: WebDep) -> HTMLResponse:
    """The caller's warehouses as candidates and its stores as customers, ready to solve."""
    return _design_page(web, dict(DESIGN_DEFAULTS))


@router.post("/logistics/network-design", response_class=HTMLResponse)
def design_network_form(
    web: WebDep,
    fixed_cost: Annotated[str, Form()] = "",
    capacity: Annotated[str, Form()] = "",
    cost_per_unit_km: Annotated[str, Form()] = "",
    history_from: Annotated[str, Form()] = "",
    history_to: Annotated[str, Form()] = "",
    max_service_km: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Solve the base case and, with a distance cap, a service-level scenario beside it."""
    form = {
        "fixed_cost": fixed_cost,
        "capacity": capacity,
        "cost_per_unit_km": cost_per_unit_km,
        "history_from": history_from,
        "history_to": history_to,
        "max_service_km": max_service_km,
    }
    scenarios: list[dict[str, object]] = [{"name": web.t("design.base")}]
    if max_service_km.strip():
        label = web.t("design.capped", km=max_service_km.strip())
        scenarios.append({"name": label, "max_service_km": max_service_km.strip()})
    try:
        request = NetworkDesignRequest.model_validate(
            {
                "candidates": [
                    {"site_id": s.id, "fixed_cost": fixed_cost, "capacity": capacity}
                    for s in _design_sites(web, CANDIDATE_KINDS)
                ],
                "customers": [{"site_id": s.id} for s in _design_sites(web, CUSTOMER_KINDS)],
                "cost_per_unit_km": cost_per_unit_km,
                "history_from": history_from or None,
                "history_to": history_to or None,
                "scenarios": scenarios,
                "time_limit_s": 10,
            }
        )
        result = design_network(web.uow, request)
    except ValidationError as exc:
        return _design_page(web, form, alert=invalid_form(web, exc), status_code=422)
    except DomainError as exc:
        return _design_page(
            web, form, alert=web.t("error.invalid", detail=exc.message), status_code=exc.status
        )
    return _design_page(web, form, result)


PAGES = PageSet(
    router,
    (
        NavEntry("design", "/logistics/network-design", "nav.design", "map", "planning", 50),
        NavEntry("routes", "/logistics/routes", "nav.routes", "map", "operations", 45),
        NavEntry("loading", "/logistics/loading", "nav.loading", "item", "operations", 46),
    ),
)
