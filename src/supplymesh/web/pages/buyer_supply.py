"""The buyer's delivery schedules (要货计划) and outsourcing orders (委外), read-only.

The supplier answers schedules and reports outsourcing progress from its side; here the buyer
follows them: each schedule line's answer, and for an outsourcing order how far it is through
the eight steps, the material issued, and the buyer's own stock still at the subcontractor.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.responses import HTMLResponse

from supplymesh.collab import buyer_views, delivery_schedule, outsourcing, receiving
from supplymesh.collab.outsourcing import OutsourcingView
from supplymesh.collab.outsourcing_model import MaterialIssueStatus
from supplymesh.inventory.model import Order, OrderLine, OrderStatus
from supplymesh.network.model import Item, Site
from supplymesh.platform.errors import NotFound
from supplymesh.web.context import Web, WebDep, render
from supplymesh.web.nav import NavEntry, PageSet, web_router
from supplymesh.web.pages.buyer_common import Id, not_found, partner_names
from supplymesh.web.tables import by_id

router = web_router()
AFTER_CONFIRMATION = (
    OrderStatus.CONFIRMED,
    OrderStatus.PARTIALLY_SHIPPED,
    OrderStatus.SHIPPED,
    OrderStatus.RECEIVED,
    OrderStatus.CLOSED,
)


@dataclass(frozen=True)
class Step:
    key: str
    done: bool


def _orders(web: Web, ids: list[int]) -> dict[int, Order]:
    return by_id(web.uow, Order, ids)


# --- delivery schedules -------------------------------------------------------------------------


@router.get("/buy/schedules", response_class=HTMLResponse)
def schedules_page(web: WebDep) -> HTMLResponse:
    """Delivery schedules the caller sent, with how far the supplier has answered them."""
    me = web.caller.enterprise_id
    views = [v for v in delivery_schedule.list_schedules(web.uow) if v.schedule.enterprise_id == me]
    return render(
        web,
        "buyer_schedules.html",
        title=web.t("nav.buy_schedules"),
        active="buy_schedules",
        schedules=list(reversed(views)),
        orders=_orders(web, [v.schedule.order_id for v in views]),
        names=partner_names(web, [v.schedule.partner_enterprise_id for v in views]),
    )


@router.get("/buy/schedules/{schedule_id}", response_class=HTMLResponse)
def schedule_page(web: WebDep, schedule_id: Id) -> HTMLResponse:
    """One schedule's current revision, line by line with the supplier's answer."""
    try:
        view = delivery_schedule.get_schedule(web.uow, schedule_id)
        if view.schedule.enterprise_id != web.caller.enterprise_id:
            raise NotFound("DeliverySchedule", schedule_id)
    except NotFound:
        return not_found(web, "/buy/schedules", "nav.buy_schedules")
    order_lines = by_id(web.uow, OrderLine, [line.order_line_id for line in view.lines])
    items = by_id(web.uow, Item, [line.item_id for line in order_lines.values()])
    return render(
        web,
        "buyer_schedule.html",
        title=f"{web.t('buy.schedule')} {view.schedule.number}",
        active="buy_schedules",
        schedule=view.schedule,
        lines=view.lines,
        order=_orders(web, [view.schedule.order_id]).get(view.schedule.order_id),
        order_lines=order_lines,
        items=items,
        supplier=partner_names(web, [view.schedule.partner_enterprise_id]).get(
            view.schedule.partner_enterprise_id or 0, ""
        ),
    )


# --- outsourcing --------------------------------------------------------------------------------


def steps_of(web: Web, view: OutsourcingView) -> list[Step]:
    """The eight steps of the outsourcing flow (五.三) and whether each has happened."""
    order = view.order
    schedules = delivery_schedule.list_schedules(web.uow, order.id)
    ship_notices = receiving.list_ship_notices(web.uow, order.id)
    receipts = receiving.list_receiving_notices(web.uow, order.id)
    issued = bool(view.issues)
    acknowledged = issued and all(
        i.issue.status == MaterialIssueStatus.RECEIVED for i in view.issues
    )
    return [
        Step("ordered", True),
        Step("scheduled", bool(schedules)),
        Step("confirmed", order.status in AFTER_CONFIRMATION),
        Step("material_issued", issued and acknowledged),
        Step("progress", bool(view.reports)),
        Step("shipped", bool(ship_notices)),
        Step("received", bool(receipts)),
        Step("stocked_in", order.status in (OrderStatus.RECEIVED, OrderStatus.CLOSED)),
    ]


def _own_outsourcing(web: Web) -> list[OutsourcingView]:
    me = web.caller.enterprise_id
    return [v for v in outsourcing.list_outsourcing_orders(web.uow) if v.order.enterprise_id == me]


@router.get("/buy/outsourcing", response_class=HTMLResponse)
def outsourcing_page(web: WebDep) -> HTMLResponse:
    """Outsourcing orders the caller placed, with their progress through the steps."""
    views = _own_outsourcing(web)
    items = by_id(web.uow, Item, [v.outsourcing.item_id for v in views])
    return render(
        web,
        "buyer_outsourcing.html",
        title=web.t("nav.buy_outsourcing"),
        active="buy_outsourcing",
        rows=[(v, steps_of(web, v)) for v in views],
        items=items,
        names=partner_names(web, [v.order.partner_enterprise_id for v in views]),
    )


@router.get("/buy/outsourcing/{outsourcing_id}", response_class=HTMLResponse)
def outsourcing_order_page(web: WebDep, outsourcing_id: Id) -> HTMLResponse:
    """One outsourcing order: steps, components issued and consumed, stock at the subcontractor."""
    try:
        view = outsourcing.load(web.uow, outsourcing_id)
        if view.order.enterprise_id != web.caller.enterprise_id:
            raise NotFound("OutsourcingOrder", outsourcing_id)
    except NotFound:
        return not_found(web, "/buy/outsourcing", "nav.buy_outsourcing")
    component_items = [c.item_id for c in view.components]
    stock = buyer_views.consigned_stock(web.uow, component_items)
    items = by_id(web.uow, Item, [view.outsourcing.item_id, *component_items])
    sites = by_id(web.uow, Site, [p.site_id for p in stock])
    return render(
        web,
        "buyer_outsourcing_order.html",
        title=f"{web.t('buy.outsourcing_order')} {view.order.number}",
        active="buy_outsourcing",
        view=view,
        steps=steps_of(web, view),
        items=items,
        stock=stock,
        sites=sites,
        supplier=partner_names(web, [view.order.partner_enterprise_id]).get(
            view.order.partner_enterprise_id or 0, ""
        ),
    )


PAGES = PageSet(
    router,
    (
        NavEntry(
            "buy_schedules", "/buy/schedules", "nav.buy_schedules", "list", "collaboration", 43
        ),
        NavEntry(
            "buy_outsourcing",
            "/buy/outsourcing",
            "nav.buy_outsourcing",
            "supplier",
            "collaboration",
            44,
        ),
    ),
)
