"""The landing page: a few counts of what the caller's enterprise sees."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.responses import HTMLResponse

from supplymesh.web.context import WebDep, render
from supplymesh.web.nav import NavEntry, PageSet, web_router
from supplymesh.web.pages.lists import OPEN_ORDER_STATUSES, orders_resource
from supplymesh.web.tables import count, resource

router = web_router()


@dataclass(frozen=True)
class Tile:
    """One figure on the dashboard, linking to the list it counts."""

    key: str
    label: str
    value: int
    href: str
    icon: str


@router.get("/", response_class=HTMLResponse)
def dashboard(web: WebDep) -> HTMLResponse:
    """Counts of sites, items, open orders, stock lines and partners."""
    uow, t = web.uow, web.t
    orders = orders_resource()
    open_orders = sum(count(uow, orders, {"status": s}) for s in OPEN_ORDER_STATUSES)
    partners = max(0, count(uow, resource("enterprises")) - 1)
    tiles = (
        Tile("sites", t("dashboard.sites"), count(uow, resource("sites")), "/sites", "site"),
        Tile("items", t("dashboard.items"), count(uow, resource("items")), "/items", "item"),
        Tile("orders", t("dashboard.open_orders"), open_orders, "/orders", "order"),
        Tile(
            "stock",
            t("dashboard.stock_lines"),
            count(uow, resource("stock-positions")),
            "/inventory",
            "stock",
        ),
        Tile("partners", t("dashboard.partners"), partners, "/enterprises", "enterprise"),
    )
    return render(web, "dashboard.html", title=t("nav.dashboard"), active="dashboard", tiles=tiles)


PAGES = PageSet(router, (NavEntry("dashboard", "/", "nav.dashboard", "home", "overview", 10),))
