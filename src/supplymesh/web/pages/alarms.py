"""The alarm inbox: active, acknowledged and cleared alarms, acknowledged or cleared here.

Writes go through the same lifecycle functions as the API, so a refused move (an alarm
someone cleared meanwhile, a stale version) is shown as a notice with the current state.
The page subscribes to the alarm feed and reloads its rows (`/alarms/rows`) on every event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Form, Path
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select

from supplymesh.devices import alarms
from supplymesh.devices.alarm_model import Alarm, AlarmState
from supplymesh.devices.model import Device
from supplymesh.platform.errors import DomainError, IllegalTransition, NotFound, StaleVersion
from supplymesh.platform.types import MAX_INT
from supplymesh.web.context import DataDep, Web, WebDep, render, render_page
from supplymesh.web.form_post import posted_int
from supplymesh.web.nav import NavEntry, PageSet, web_router
from supplymesh.web.tables import by_id

router = web_router()
Id = Annotated[int, Path(ge=1, le=MAX_INT)]
TABS = tuple(s.value for s in AlarmState)
ACTIONS = ("acknowledge", "clear")


@dataclass(frozen=True)
class AlarmRow:
    id: int
    version: int
    state: str
    severity: str
    device_id: int
    machine: str
    message: str
    count: int
    since: datetime
    last_seen: datetime
    can_acknowledge: bool
    can_clear: bool


def _tab(tab: str) -> str:
    return tab if tab in TABS else AlarmState.ACTIVE.value


def _rows(web: Web, tab: str) -> list[AlarmRow]:
    found = list(
        web.uow.session.scalars(
            select(Alarm)
            .where(Alarm.state == tab)
            .order_by(Alarm.last_seen_at.desc(), Alarm.id.desc())
            .limit(200)
        )
    )
    devices = by_id(web.uow, Device, [a.device_id for a in found])
    return [
        AlarmRow(
            id=a.id,
            version=a.version,
            state=a.state,
            severity=a.severity,
            device_id=a.device_id,
            machine=devices[a.device_id].code if a.device_id in devices else f"#{a.device_id}",
            message=a.message,
            count=a.count,
            since=a.first_at,
            last_seen=a.last_seen_at,
            can_acknowledge=a.state == AlarmState.ACTIVE.value,
            can_clear=a.state != AlarmState.CLEARED.value,
        )
        for a in found
    ]


def _counts(web: Web) -> dict[str, int]:
    rows = web.uow.session.execute(select(Alarm.state, func.count()).group_by(Alarm.state))
    counts = {s: 0 for s in TABS}
    counts.update({str(s): int(n) for s, n in rows})
    return counts


def _page(
    web: Web, tab: str, notice: str = "", alert: str = "", status_code: int = 200
) -> HTMLResponse:
    return render(
        web,
        "alarms.html",
        title=web.t("nav.alarms"),
        active="alarms",
        tab=tab,
        tabs=TABS,
        counts=_counts(web),
        rows=_rows(web, tab),
        notice=notice,
        alert=alert,
        status_code=status_code,
    )


@router.get("/alarms", response_class=HTMLResponse)
def inbox(web: WebDep, tab: str = "active", done: str = "") -> HTMLResponse:
    """One tab of the inbox; live: new and changed alarms appear without a reload."""
    key = f"alarms.done.{done}"
    return _page(web, _tab(tab), notice=web.t(key) if web.t.has(key) else "")


@router.get("/alarms/rows", response_class=HTMLResponse)
def rows(web: DataDep, tab: str = "active") -> HTMLResponse:
    """The rows of one tab (what the live page swaps in after a feed event)."""
    tab = _tab(tab)
    return render_page(
        web.request,
        "alarms_rows.html",
        web.t,
        title="",
        tab=tab,
        rows=_rows(web, tab),
        counts=_counts(web),
    )


@router.post("/alarms/{alarm_id}/{action}", response_model=None)
def act(
    web: WebDep,
    alarm_id: Id,
    action: str,
    version: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    tab: Annotated[str, Form()] = "active",
) -> Response:
    """Acknowledge or clear one alarm at the version the page showed."""
    tab = _tab(tab)
    t = web.t
    if action not in ACTIONS:
        return _page(web, tab, alert=t("alarms.error.unknown_action"), status_code=404)
    expected = posted_int(version)
    try:
        if action == "acknowledge":
            alarms.acknowledge(web.uow, alarm_id, expected, note.strip()[:500] or None)
        else:
            alarms.clear(web.uow, alarm_id, expected)
    except NotFound:
        web.uow.session.rollback()
        return _page(web, tab, alert=t("alarms.error.not_found", id=alarm_id), status_code=404)
    except IllegalTransition as exc:
        web.uow.session.rollback()
        current = t.label("alarms.state", exc.current_state)
        allowed = "、".join(t.label("alarms.state", s) for s in exc.allowed_transitions)
        message = t("alarms.error.illegal", id=alarm_id, current=current, allowed=allowed or "—")
        return _page(web, tab, alert=message, status_code=409)
    except StaleVersion:
        web.uow.session.rollback()
        return _page(web, tab, alert=t("alarms.error.stale", id=alarm_id), status_code=409)
    except DomainError as exc:
        web.uow.session.rollback()
        return _page(web, tab, alert=t("error.invalid", detail=exc.message), status_code=exc.status)
    return RedirectResponse(f"/alarms?tab={tab}&done={action}", status_code=303)


PAGES = PageSet(router, (NavEntry("alarms", "/alarms", "nav.alarms", "badge", "operations", 41),))
