"""Order dispatch by area (智能分单) on a page: orders in, each one's station and reason out.

The page calls the same use case as `POST /api/v1/dispatch/assign` with the caller's stored
station fences; a dispatcher pastes the day's orders (an id and an address, or an id and a
point) and reads, for every order, the station it goes to or why it matches none or several.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy import select

from supplymesh.logistics.dispatch import dispatch
from supplymesh.logistics.model import StationFence
from supplymesh.logistics.schemas import DispatchRequest, DispatchResponse
from supplymesh.platform.errors import DomainError
from supplymesh.web.context import Web, WebDep, render
from supplymesh.web.form_post import invalid_form
from supplymesh.web.nav import NavEntry, PageSet, web_router

router = web_router()
SAMPLE_ORDERS = "SO-1001, 浙江省杭州市西湖区文三路 90 号\nSO-1002, 30.27, 120.16"


def _orders(text: str) -> list[dict[str, Any]]:
    """One order a line: ``id, address`` or ``id, latitude, longitude``."""
    orders: list[dict[str, Any]] = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        if not parts[0]:
            continue
        if len(parts) == 3:
            try:
                orders.append(
                    {"id": parts[0], "latitude": float(parts[1]), "longitude": float(parts[2])}
                )
                continue
            except ValueError:
                pass
        orders.append({"id": parts[0], "address": ", ".join(parts[1:]) or None})
    return orders


def _page(
    web: Web,
    text: str,
    result: DispatchResponse | None = None,
    alert: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    fences = list(web.uow.session.scalars(select(StationFence).order_by(StationFence.station)))
    return render(
        web,
        "dispatch.html",
        title=web.t("nav.dispatch"),
        active="dispatch",
        fences=fences,
        orders_text=text,
        result=result,
        notice=None,
        alert=alert,
        status_code=status_code,
    )


@router.get("/logistics/dispatch", response_class=HTMLResponse)
def dispatch_page(web: WebDep) -> HTMLResponse:
    """The stored station fences and an order form with a sample filled in."""
    return _page(web, SAMPLE_ORDERS)


@router.post("/logistics/dispatch", response_class=HTMLResponse)
def dispatch_form(web: WebDep, orders: Annotated[str, Form()] = "") -> HTMLResponse:
    """Assign the typed orders to stations; refusals name the order or the field."""
    parsed = _orders(orders)
    if not parsed:
        alert = web.t("error.invalid", detail="orders: one order a line, none given")
        return _page(web, orders, alert=alert, status_code=422)
    try:
        request = DispatchRequest.model_validate({"orders": parsed})
    except ValidationError as exc:
        return _page(web, orders, alert=invalid_form(web, exc), status_code=422)
    try:
        result = dispatch(web.uow, request)
    except DomainError as exc:
        web.uow.session.rollback()
        alert = web.t("error.invalid", detail=exc.message)
        return _page(web, orders, alert=alert, status_code=exc.status)
    return _page(web, orders, result)


PAGES = PageSet(
    router, (NavEntry("dispatch", "/logistics/dispatch", "nav.dispatch", "map", "operations", 47),)
)
