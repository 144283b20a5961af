"""Mount the web shell on the FastAPI app: pages, static files, login redirects.

To add pages, write a module with a `PageSet` (a router from `nav.web_router()` and its
`NavEntry`s) and add it to `PAGES`; templates extend ``base.html``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from supplymesh.web.context import STATIC_DIR, language_of, render_page
from supplymesh.web.nav import PageSet, build_nav
from supplymesh.web.pages import alarms as alarm_pages
from supplymesh.web.pages import (
    auth,
    buyer_orders,
    buyer_reconciliation,
    buyer_rfqs,
    buyer_supply,
    dashboard,
    lists,
    plan_benchmarks,
    registration,
    supplier_profile,
    suppliers,
)
from supplymesh.web.pages import dispatch as dispatch_pages
from supplymesh.web.pages import docks as dock_pages
from supplymesh.web.pages import equipment as equipment_pages
from supplymesh.web.pages import map as map_pages
from supplymesh.web.pages import notifications as notification_pages
from supplymesh.web.pages import passport as passport_pages
from supplymesh.web.pages import recall as recall_pages
from supplymesh.web.pages import replan as replan_pages
from supplymesh.web.pages import replan_proposals as proposal_pages
from supplymesh.web.pages import routes as route_pages
from supplymesh.web.pages import schedule as schedule_pages
from supplymesh.web.pages import supplier_inbox as inbox_pages
from supplymesh.web.pages import supplier_inbox_outsourcing as inbox_outsourcing_pages
from supplymesh.web.pages import supplier_inbox_schedules as inbox_schedule_pages
from supplymesh.web.session import CsrfRejected, LoginRequired, end_session

#: Every page module of the shell, in no particular order (the nav sorts itself).
PAGES: tuple[PageSet, ...] = (
    auth.PAGES,
    dashboard.PAGES,
    map_pages.PAGES,
    lists.PAGES,
    registration.PAGES,
    suppliers.PAGES,
    supplier_profile.PAGES,
    dock_pages.PAGES,
    route_pages.PAGES,
    inbox_pages.PAGES,
    inbox_schedule_pages.PAGES,
    inbox_outsourcing_pages.PAGES,
    equipment_pages.PAGES,
    alarm_pages.PAGES,
    schedule_pages.PAGES,
    passport_pages.PAGES,
    recall_pages.PAGES,
    buyer_rfqs.PAGES,
    buyer_orders.PAGES,
    buyer_reconciliation.PAGES,
    buyer_supply.PAGES,
    notification_pages.PAGES,
    replan_pages.PAGES,
    proposal_pages.PAGES,
    plan_benchmarks.PAGES,
    dispatch_pages.PAGES,
)


def mount(app: FastAPI) -> None:
    """Add the web routes, the static files and the web's error pages to `app`."""
    app.state.web_nav = build_nav(PAGES)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="web-static")
    for page in PAGES:
        app.include_router(page.router)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(CsrfRejected, _csrf_rejected)


async def _login_required(request: Request, exc: Exception) -> Response:
    """Pages go to the login form (and back afterwards); JSON callers get a 401 problem."""
    assert isinstance(exc, LoginRequired)
    response: Response
    if exc.html:
        target = (
            "/login" if exc.next_path == "/" else "/login?" + urlencode({"next": exc.next_path})
        )
        response = RedirectResponse(target, status_code=303)
    else:
        response = JSONResponse(
            {
                "type": "about:blank",
                "title": "Unauthorized",
                "status": 401,
                "detail": "sign in first",
            },
            status_code=401,
            media_type="application/problem+json",
        )
    if exc.stale_cookie:
        end_session(request, response)
    return response


async def _csrf_rejected(request: Request, exc: Exception) -> Response:
    """A form without a valid token: explain, and offer to reload the page it came from."""
    t = language_of(request)
    return render_page(
        request,
        "error.html",
        t,
        title=t("error.csrf.title"),
        message=t("error.csrf.message"),
        status_code=403,
    )
