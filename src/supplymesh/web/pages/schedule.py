"""The production schedule page: a Gantt chart of a plant's schedule, run and publish.

Rows are machines, bars operations coloured by work order (setups lighter and hatched before
them), unavailability greyed, the frozen horizon a line, late orders outlined in red. Under
the chart, each work order's due time, planned finish and lateness, and the orders the
material check blocked. Runs and publishing go through the same use cases as the API.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Form, Path
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from supplymesh.network.model import Machine, Site
from supplymesh.planning.scheduling import Objective
from supplymesh.platform.errors import DomainError, IllegalTransition
from supplymesh.platform.types import MAX_INT
from supplymesh.production import schedules
from supplymesh.production.model import Schedule
from supplymesh.production.services import run_schedule
from supplymesh.production.settings import ProductionSettings
from supplymesh.web.context import Web, WebDep, render
from supplymesh.web.nav import NavEntry, PageSet, web_router

router = web_router()
Id = Annotated[int, Path(ge=1, le=MAX_INT)]
OBJECTIVES = tuple(o.value for o in Objective)


def _plants(web: Web) -> list[Site]:
    """The caller's own sites that have machines."""
    with_machines = select(Machine.site_id).where(Machine.enterprise_id == web.caller.enterprise_id)
    return list(
        web.uow.session.scalars(select(Site).where(Site.id.in_(with_machines)).order_by(Site.code))
    )


def _shown(web: Web, site: Site | None, schedule_id: int | None) -> Schedule | None:
    if schedule_id is not None:
        found = web.uow.session.get(Schedule, schedule_id)
        return found if found is not None and (site is None or found.site_id == site.id) else None
    if site is None:
        return None
    query = select(Schedule).where(Schedule.site_id == site.id)
    published = web.uow.session.scalar(query.where(Schedule.status == "published"))
    return published or web.uow.session.scalar(query.order_by(Schedule.id.desc()).limit(1))


def _labels(web: Web) -> dict[str, str]:
    t = web.t
    keys = ("order", "item", "quantity", "start", "end", "setup", "late", "frozen", "down", "fixed")
    return {k: t(f"schedule.tip.{k}") for k in keys}


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str).replace("</", "<\\/")


def _page(
    web: Web,
    site_id: int | None,
    schedule_id: int | None,
    notice: str = "",
    alert: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    plants = _plants(web)
    site = next((p for p in plants if p.id == site_id), plants[0] if plants else None)
    schedule = _shown(web, site, schedule_id)
    if schedule is not None and (site is None or site.id != schedule.site_id):
        site = next((p for p in plants if p.id == schedule.site_id), site)
    chart = None if schedule is None else schedules.gantt_public(web.uow, schedule)
    history = (
        []
        if site is None
        else list(
            web.uow.session.scalars(
                select(Schedule)
                .where(Schedule.site_id == site.id)
                .order_by(Schedule.id.desc())
                .limit(10)
            )
        )
    )
    return render(
        web,
        "schedule.html",
        title=web.t("nav.schedule"),
        active="schedule",
        plants=plants,
        site=site,
        schedule=schedule,
        chart=chart,
        history=history,
        objectives=OBJECTIVES,
        data=_json(
            {
                "gantt": None if chart is None else chart.model_dump(mode="json"),
                "labels": _labels(web),
            }
        ),
        notice=notice,
        alert=alert,
        status_code=status_code,
    )


@router.get("/production/schedule", response_class=HTMLResponse)
def schedule_page(
    web: WebDep, site_id: int | None = None, schedule_id: int | None = None, done: str = ""
) -> HTMLResponse:
    """The latest (published first) schedule of a plant as a Gantt chart."""
    key = f"schedule.done.{done}"
    return _page(web, site_id, schedule_id, notice=web.t(key) if web.t.has(key) else "")


def _refused(web: Web, site_id: int | None, exc: DomainError) -> HTMLResponse:
    web.uow.session.rollback()
    if isinstance(exc, IllegalTransition):
        message = web.t("schedule.error.illegal", current=exc.current_state)
    else:
        message = web.t("schedule.error.refused", detail=exc.message)
    return _page(web, site_id, None, alert=message, status_code=exc.status)


@router.post("/production/schedule/run", response_model=None)
def run(
    web: WebDep,
    site_id: Annotated[int, Form(ge=1, le=MAX_INT)],
    objective: Annotated[str, Form()] = Objective.TOTAL_TARDINESS.value,
    time_limit_s: Annotated[float, Form(gt=0, le=120)] = 10.0,
) -> Response:
    """Plan the plant's open work orders into a new draft and show it."""
    site = next((p for p in _plants(web) if p.id == site_id), None)
    if site is None:
        return _page(web, None, None, alert=web.t("schedule.error.site"), status_code=404)
    chosen = Objective(objective) if objective in OBJECTIVES else Objective.TOTAL_TARDINESS
    try:
        made = run_schedule(web.uow, site, chosen, ProductionSettings(), time_limit_s)
        web.uow.commit()
    except DomainError as exc:
        return _refused(web, site_id, exc)
    return RedirectResponse(
        f"/production/schedule?site_id={site.id}&schedule_id={made.id}&done=run", status_code=303
    )


@router.post("/production/schedule/{schedule_id}/publish", response_model=None)
def publish(web: WebDep, schedule_id: Id) -> Response:
    """Make the shown draft the plant's current plan."""
    try:
        made = schedules.publish(web.uow, schedule_id)
        web.uow.commit()
    except DomainError as exc:
        return _refused(web, None, exc)
    return RedirectResponse(
        f"/production/schedule?site_id={made.site_id}&schedule_id={made.id}&done=publish",
        status_code=303,
    )


PAGES = PageSet(
    router,
    (NavEntry("schedule", "/production/schedule", "nav.schedule", "list", "planning", 30),),
)
