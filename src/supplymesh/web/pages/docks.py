"""Dock plans of the park and the driver's status page (月台排队: which dock, how many ahead).

The driver's page is deliberately plain and large: it is read on a phone in a truck cab,
and refreshes itself every 30 seconds so the place in line moves without a tap. Staff see it
inside the shell with the link to send; the driver opens that signed link with no account.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request
from fastapi.responses import HTMLResponse

from supplymesh.api.deps import get_container
from supplymesh.logistics import services
from supplymesh.platform.errors import NotFound
from supplymesh.platform.types import MAX_INT
from supplymesh.web.context import Web, WebDep, language_of, render, render_page
from supplymesh.web.nav import NavEntry, PageSet, web_router

router = web_router()
PlanId = Annotated[int, Path(ge=1, le=MAX_INT)]
TruckId = Annotated[str, Path(max_length=60)]


def _not_found(web: Web) -> HTMLResponse:
    t = web.t
    return render_page(
        web.request,
        "error.html",
        t,
        title=t("error.not_found.title"),
        message=t("docks.not_found"),
        back_href="/docks",
        back_label=t("error.back_to", page=t("nav.docks")),
        status_code=404,
    )


@router.get("/docks", response_class=HTMLResponse)
def docks_page(web: WebDep) -> HTMLResponse:
    """The enterprise's stored dock plans, latest first."""
    plans = services.list_plans(web.uow)
    return render(web, "docks.html", title=web.t("nav.docks"), active="docks", plans=plans)


@router.get("/docks/{plan_id}", response_class=HTMLResponse)
def dock_plan_page(web: WebDep, plan_id: PlanId) -> HTMLResponse:
    """One plan: each dock's queue in calling order, with a link to every driver's page."""
    try:
        plan = services.get_plan(web.uow, plan_id)
    except NotFound:
        return _not_found(web)
    visits = {v.truck_id: v for v in plan.visits}
    queues = {dock: [visits[tid] for tid in ids] for dock, ids in plan.queues.items()}
    return render(web, "dock_plan.html", title=plan.name, active="docks", plan=plan, queues=queues)


@router.get("/docks/{plan_id}/trucks/{truck_id}", response_class=HTMLResponse)
def driver_page(web: WebDep, plan_id: PlanId, truck_id: TruckId) -> HTMLResponse:
    """A driver's view: the dock to drive to, trucks ahead, and the planned start."""
    secret = web.container.settings.signing_key()
    try:
        status = services.truck_status(web.uow, plan_id, truck_id, secret)
    except NotFound:
        return _not_found(web)
    title = web.t("driver.title", truck=truck_id)
    return render(web, "driver.html", title=title, active="docks", status=status)


@router.get("/driver/{token}", response_class=HTMLResponse)
def public_driver_page(
    request: Request, token: Annotated[str, Path(max_length=300)]
) -> HTMLResponse:
    """The same status for a driver without an account: the signed link is the credential."""
    t = language_of(request)
    secret = get_container(request).settings.signing_key()
    try:
        status = services.truck_status_by_link(get_container(request).db, secret, token)
    except NotFound:
        return render_page(
            request,
            "error.html",
            t,
            title=t("error.not_found.title"),
            message=t("driver.invalid_link"),
            status_code=404,
        )
    title = t("driver.title", truck=status.truck_id)
    return render_page(request, "driver_public.html", t, title=title, status=status)


PAGES = PageSet(router, (NavEntry("docks", "/docks", "nav.docks", "list", "operations", 60),))
