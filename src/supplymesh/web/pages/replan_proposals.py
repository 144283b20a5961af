"""The planner's proposals: edit quantity or dates, release into an order, or dismiss.

Every action goes through the replan use cases in the caller's unit of work, so the page
refuses what the API refuses (a stale version, a released proposal) and says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import Form, Path
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from supplymesh.inventory.model import Order
from supplymesh.network.model import Enterprise, Item, Site
from supplymesh.platform.errors import DomainError, NotFound
from supplymesh.platform.types import MAX_INT
from supplymesh.replan import forecasting, proposals, release
from supplymesh.replan.model import ReplenishmentProposal
from supplymesh.web.context import Web, WebDep, render
from supplymesh.web.form_post import Wording, posted_int, refused
from supplymesh.web.nav import NavEntry, PageSet, web_router
from supplymesh.web.tables import by_id

router = web_router()
Id = Annotated[int, Path(ge=1, le=MAX_INT)]
OPEN = ("proposed", "edited")


@dataclass(frozen=True)
class Row:
    p: ReplenishmentProposal
    sku: str
    site: str
    supplier: str
    order_number: str | None


def _rows(web: Web, state: str) -> list[Row]:
    found: list[ReplenishmentProposal] = []
    for s in OPEN if state == "open" else (state,):
        found += release.list_proposals(web.uow, s, limit=500).items
    found.sort(key=lambda p: (p.order_date, p.id))
    items = by_id(web.uow, Item, [p.item_id for p in found])
    sites = by_id(web.uow, Site, [p.site_id for p in found])
    ents = by_id(
        web.uow, Enterprise, [p.supplier_enterprise_id for p in found if p.supplier_enterprise_id]
    )
    orders = by_id(web.uow, Order, [p.order_id for p in found if p.order_id])
    rows = []
    for p in found:
        ent = ents.get(p.supplier_enterprise_id or 0)
        order = orders.get(p.order_id or 0)
        rows.append(
            Row(
                p,
                items[p.item_id].sku if p.item_id in items else f"#{p.item_id}",
                sites[p.site_id].code if p.site_id in sites else f"#{p.site_id}",
                web.local_name(ent.name, ent.name_en) if ent else web.t("replan.internal"),
                order.number if order else None,
            )
        )
    return rows


def _page(
    web: Web, state: str = "open", notice: str = "", alert: str = "", status_code: int = 200
) -> HTMLResponse:
    return render(
        web,
        "replan_proposals.html",
        title=web.t("nav.plan_proposals"),
        active="plan_proposals",
        rows=_rows(web, state),
        state=state,
        states=("open", "released", "dismissed"),
        has_run=forecasting.latest_run(web.uow) is not None,
        notice=notice,
        alert=alert,
        status_code=status_code,
    )


@router.get("/plan/proposals", response_class=HTMLResponse)
def proposals_page(web: WebDep, state: str = "open", done: str = "") -> HTMLResponse:
    """Open (or released, dismissed) proposals, earliest order date first."""
    if state not in ("open", "released", "dismissed"):
        state = "open"
    key = f"replan.done.{done}"
    return _page(web, state, notice=web.t(key) if done and web.t.has(key) else "")


_WORDING = Wording(states="replan.state", illegal="replan.error.illegal")


def _refused(web: Web, exc: DomainError) -> tuple[str, int]:
    return refused(web, exc, _WORDING)


@router.post("/plan/proposals/run", response_model=None)
def run_replenishment(web: WebDep) -> Response:
    """Propose orders from the latest forecast (policies chosen by simulation)."""
    settings = web.request.app.state.container.settings
    try:
        proposals.run_replenishment(
            web.uow,
            proposals.ReplenishRequest(paths=30, simulation_days=90),
            forecasting.Compute(dask_address=settings.dask_address),
        )
        web.uow.commit()
    except DomainError as exc:
        message, status = _refused(web, exc)
        return _page(web, alert=message, status_code=status)
    return RedirectResponse("/plan/proposals?done=run", status_code=303)


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


@router.post("/plan/proposals/{proposal_id}/{action}", response_model=None)
def act(
    web: WebDep,
    proposal_id: Id,
    action: str,
    version: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "",
    need_date: Annotated[str, Form()] = "",
    order_date: Annotated[str, Form()] = "",
) -> Response:
    """Edit, release or dismiss one proposal."""
    if action not in ("edit", "release", "dismiss"):
        return _page(web, alert=web.t("replan.not_found"), status_code=404)
    expected = posted_int(version)
    try:
        if action == "edit":
            try:
                qty = Decimal(quantity.strip()) if quantity.strip() else None
            except InvalidOperation:
                return _page(web, alert=web.t("error.invalid", detail=quantity), status_code=422)
            change = release.ProposalEdit(expected or 0, qty, _day(order_date), _day(need_date))
            release.edit(web.uow, proposal_id, change)
        elif action == "release":
            release.release(web.uow, proposal_id, expected)
        else:
            release.dismiss(web.uow, proposal_id, expected)
        web.uow.commit()
    except NotFound:
        web.uow.session.rollback()
        return _page(web, alert=web.t("replan.not_found"), status_code=404)
    except DomainError as exc:
        message, status = _refused(web, exc)
        return _page(web, alert=message, status_code=status)
    return RedirectResponse(f"/plan/proposals?done={action}", status_code=303)


PAGES = PageSet(
    router,
    (NavEntry("plan_proposals", "/plan/proposals", "nav.plan_proposals", "order", "planning", 41),),
)
