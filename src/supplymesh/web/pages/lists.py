"""List pages of the master and operational data: enterprises, sites, items, stock, orders.

Each page reads one page of a registered resource through the caller's unit of work, so
what it lists is exactly what the API would return to the same caller.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.responses import HTMLResponse
from sqlalchemy import func, or_, select

from supplymesh.inventory.model import Order, StockPosition
from supplymesh.network.model import Enterprise, Item, Site
from supplymesh.platform.crud import Page, Resource
from supplymesh.platform.schemas import Input, Output
from supplymesh.resources import resource_by_name
from supplymesh.web.context import Web, WebDep, format_date, format_quantity, render
from supplymesh.web.nav import NavEntry, PageSet, web_router
from supplymesh.web.tables import (
    BATCH,
    PAGE_SIZE,
    Cell,
    Column,
    Paging,
    Table,
    by_id,
    code_cell,
    fetch_page,
    page_number,
    resource,
)

router = web_router()
OPEN_ORDER_STATUSES = ("draft", "released", "confirmed", "partially_shipped", "shipped")


class OrderRow(Output):
    """Read-only view of an order for the fallback `orders` resource."""

    id: int
    enterprise_id: int
    number: str
    kind: str
    status: str
    order_date: date


_ORDERS_FALLBACK = Resource(
    "orders",
    Order,
    Input,
    Input,
    OrderRow,
    read_only=True,
    filters=("status", "kind", "partner_enterprise_id"),
)


def orders_resource() -> Resource:
    """The registered `orders` resource, or a read-only one until the inventory context adds it."""
    found = resource_by_name("orders")
    if found is not None and "status" in found.filters:
        return found
    return _ORDERS_FALLBACK


def _owner(web: Web, enterprises: dict[int, Any], owner_id: int) -> Cell:
    if owner_id == web.caller.enterprise_id:
        return Cell(web.t("common.own"), "badge badge-own")
    ent = enterprises.get(owner_id)
    code = ent.code if ent is not None else f"#{owner_id}"
    return Cell(code, "badge badge-shared", title=web.t("common.shared_by", owner=code))


def _list(web: Web, key: str, title: str, q: str, table: Table, placeholder: str) -> HTMLResponse:
    return render(
        web, "list.html", title=title, active=key, table=table, q=q, placeholder=placeholder
    )


@router.get("/enterprises", response_class=HTMLResponse)
def enterprises_page(web: WebDep, q: str = "", page: int = 1) -> HTMLResponse:
    """The caller's enterprise and the partners it works with."""
    t, page = web.t, page_number(page)
    result = fetch_page(web.uow, resource("enterprises"), page, q)
    columns = [
        Column(t("field.code")),
        Column(t("field.name")),
        Column(t("field.roles")),
        Column(t("field.city")),
        Column(t("field.relation")),
        Column(t("field.status")),
    ]

    def row(ent: Enterprise) -> list[Cell]:
        own = ent.id == web.caller.enterprise_id
        return [
            Cell(ent.code, "code"),
            Cell(web.local_name(ent.name, ent.name_en)),
            Cell(" · ".join(t.label("role", r) for r in ent.roles or [])),
            Cell(ent.city or "—", "" if ent.city else "muted"),
            Cell(
                t("common.self" if own else "common.partner"), "badge badge-own" if own else "badge"
            ),
            Cell(t.label("status", ent.status), f"status status-{ent.status}"),
        ]

    table = Table(tuple(columns), [row(e) for e in result.items], Paging.of(result, page))
    return _list(web, "enterprises", t("nav.enterprises"), q, table, t("search.enterprises"))


@router.get("/sites", response_class=HTMLResponse)
def sites_page(web: WebDep, q: str = "", page: int = 1) -> HTMLResponse:
    """Own sites and the partner sites shared with the caller."""
    t, page = web.t, page_number(page)
    result = fetch_page(web.uow, resource("sites"), page, q)
    enterprises = by_id(web.uow, Enterprise, (s.enterprise_id for s in result.items))
    columns = [
        Column(t("field.code")),
        Column(t("field.name")),
        Column(t("field.kind")),
        Column(t("field.location")),
        Column(t("field.coordinates"), "num"),
        Column(t("field.owner")),
    ]

    def row(site: Site) -> list[Cell]:
        place = " · ".join(p for p in (site.province, site.city) if p)
        coords = (
            f"{site.latitude:.4f}, {site.longitude:.4f}"
            if site.latitude is not None and site.longitude is not None
            else "—"
        )
        return [
            Cell(site.code, "code"),
            Cell(web.local_name(site.name, site.name_en)),
            Cell(t.label("kind", site.kind), f"kind kind-{site.kind}"),
            Cell(place or "—", "" if place else "muted"),
            Cell(coords, "num"),
            _owner(web, enterprises, site.enterprise_id),
        ]

    table = Table(tuple(columns), [row(s) for s in result.items], Paging.of(result, page))
    return _list(web, "sites", t("nav.sites"), q, table, t("search.sites"))


@router.get("/items", response_class=HTMLResponse)
def items_page(web: WebDep, q: str = "", page: int = 1) -> HTMLResponse:
    """Own items and the partner items shared with the caller."""
    t, page = web.t, page_number(page)
    result = fetch_page(web.uow, resource("items"), page, q)
    enterprises = by_id(web.uow, Enterprise, (i.enterprise_id for i in result.items))
    columns = [
        Column(t("field.sku")),
        Column(t("field.name")),
        Column(t("field.category")),
        Column(t("field.item_type")),
        Column(t("field.unit")),
        Column(t("field.gtin")),
        Column(t("field.owner")),
    ]

    def row(item: Item) -> list[Cell]:
        return [
            Cell(item.sku, "code"),
            Cell(web.local_name(item.name, item.name_en)),
            Cell(item.category or "—", "" if item.category else "muted"),
            Cell(t.label("item_type", item.item_type)),
            Cell(item.base_unit),
            Cell(item.gtin or "—", "code" if item.gtin else "muted"),
            _owner(web, enterprises, item.enterprise_id),
        ]

    table = Table(tuple(columns), [row(i) for i in result.items], Paging.of(result, page))
    return _list(web, "items", t("nav.items"), q, table, t("search.items"))


def _stock_page(web: Web, q: str, page: int) -> Page:
    """Stock positions, optionally those whose site or item matches `q`, or whose lot does.

    The search goes through the tenant-scoped session: the sites and items it matches are
    only those the caller sees, and the positions are filtered by the same scoping rules.
    """
    if not q:
        return fetch_page(web.uow, resource("stock-positions"), page)
    sites = fetch_page(web.uow, resource("sites"), 1, q, size=BATCH).items
    items = fetch_page(web.uow, resource("items"), 1, q, size=BATCH).items
    clauses = [StockPosition.lot.ilike(f"%{q}%")]
    if sites:
        clauses.append(StockPosition.site_id.in_([s.id for s in sites]))
    if items:
        clauses.append(StockPosition.item_id.in_([i.id for i in items]))
    query = select(StockPosition).where(or_(*clauses))
    total = web.uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    offset = (page - 1) * PAGE_SIZE
    rows = web.uow.session.scalars(query.order_by(StockPosition.id).offset(offset).limit(PAGE_SIZE))
    return Page(list(rows), int(total), offset, PAGE_SIZE)


@router.get("/inventory", response_class=HTMLResponse)
def inventory_page(web: WebDep, q: str = "", page: int = 1) -> HTMLResponse:
    """Stock positions with their site and item codes."""
    t, page = web.t, page_number(page)
    result = _stock_page(web, q, page)
    sites = by_id(web.uow, Site, (p.site_id for p in result.items))
    items = by_id(web.uow, Item, (p.item_id for p in result.items))
    enterprises = by_id(web.uow, Enterprise, (p.enterprise_id for p in result.items))
    columns = [
        Column(t("field.site")),
        Column(t("field.item")),
        Column(t("field.item_name")),
        Column(t("field.lot")),
        Column(t("field.stock_status")),
        Column(t("field.on_hand"), "num"),
        Column(t("field.allocated"), "num"),
        Column(t("field.free"), "num"),
        Column(t("field.owner")),
    ]

    def row(pos: StockPosition) -> list[Cell]:
        item = items.get(pos.item_id)
        name = web.local_name(item.name, item.name_en) if item is not None else "—"
        return [
            code_cell(sites, pos.site_id),
            code_cell(items, pos.item_id, "sku"),
            Cell(name, "" if item is not None else "muted"),
            Cell(pos.lot or "—", "code" if pos.lot else "muted"),
            Cell(t.label("stock_status", pos.status), f"status status-{pos.status}"),
            Cell(format_quantity(pos.on_hand), "num"),
            Cell(format_quantity(pos.allocated), "num"),
            Cell(format_quantity(pos.on_hand - pos.allocated), "num"),
            _owner(web, enterprises, pos.enterprise_id),
        ]

    table = Table(tuple(columns), [row(p) for p in result.items], Paging.of(result, page))
    return _list(web, "inventory", t("nav.inventory"), q, table, t("search.inventory"))


@router.get("/orders", response_class=HTMLResponse)
def orders_page(web: WebDep, q: str = "", page: int = 1) -> HTMLResponse:
    """The caller's orders and the orders partners address to it."""
    t, page = web.t, page_number(page)
    result = fetch_page(web.uow, orders_resource(), page, q)
    orders: list[Order] = list(result.items)
    sites = by_id(
        web.uow, Site, [o.ship_from_site_id for o in orders] + [o.ship_to_site_id for o in orders]
    )
    enterprises = by_id(
        web.uow,
        Enterprise,
        [o.enterprise_id for o in orders] + [o.partner_enterprise_id for o in orders],
    )
    columns = [
        Column(t("field.number")),
        Column(t("field.order_kind")),
        Column(t("field.status")),
        Column(t("field.counterparty")),
        Column(t("field.ship_from")),
        Column(t("field.ship_to")),
        Column(t("field.order_date")),
        Column(t("field.requested_date")),
    ]

    def row(order: Order) -> list[Cell]:
        other = (
            order.partner_enterprise_id
            if order.enterprise_id == web.caller.enterprise_id
            else order.enterprise_id
        )
        return [
            Cell(order.number, "code"),
            Cell(t.label("order_kind", order.kind)),
            Cell(t.label("order_status", order.status), f"status status-{order.status}"),
            code_cell(enterprises, other),
            code_cell(sites, order.ship_from_site_id),
            code_cell(sites, order.ship_to_site_id),
            Cell(format_date(order.order_date)),
            Cell(format_date(order.requested_date) or "—", "" if order.requested_date else "muted"),
        ]

    table = Table(tuple(columns), [row(o) for o in orders], Paging.of(result, page))
    return _list(web, "orders", t("nav.orders"), q, table, t("search.orders"))


PAGES = PageSet(
    router,
    (
        NavEntry("enterprises", "/enterprises", "nav.enterprises", "enterprise", "network", 10),
        NavEntry("sites", "/sites", "nav.sites", "site", "network", 20),
        NavEntry("items", "/items", "nav.items", "item", "network", 30),
        NavEntry("inventory", "/inventory", "nav.inventory", "stock", "operations", 10),
        NavEntry("orders", "/orders", "nav.orders", "order", "operations", 20),
    ),
)
