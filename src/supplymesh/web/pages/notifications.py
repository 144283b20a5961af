"""The signed-in person's notifications, and which channels they want them on.

The unread count in the top bar comes from here too: this module puts
`unread_notifications(web)` among the template globals, so `base.html` can show the badge on
every page without each page passing it in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from supplymesh.notify import services
from supplymesh.notify.texts import KINDS
from supplymesh.platform.errors import DomainError, NotFound
from supplymesh.platform.types import MAX_INT
from supplymesh.web.context import Web, WebDep, environment, render
from supplymesh.web.nav import NavEntry, PageSet, web_router

router = web_router()
Id = Annotated[int, Path(ge=1, le=MAX_INT)]
#: kinds a person can choose about (the test message is not one of them)
CHOOSABLE = tuple(k for k in KINDS if k != "test")


def unread_notifications(web: Web) -> int:
    """The caller's unread count for the top-bar badge (0 for an API key)."""
    return services.unread_count(web.uow)


environment().globals["unread_notifications"] = unread_notifications


@dataclass(frozen=True)
class Row:
    id: int
    kind: str
    title: str
    body: str
    link: str | None
    unread: bool
    created_at: object


def _page(
    web: Web, unread_only: bool, notice: str = "", alert: str = "", status: int = 200
) -> HTMLResponse:
    page = services.inbox(web.uow, unread_only, 0, 100)
    rows = [
        Row(
            n.id,
            n.kind,
            n.title(web.lang),
            n.body(web.lang),
            n.link,
            n.read_at is None,
            n.created_at,
        )
        for n in page.items
    ]
    prefs = {(p.kind, p.channel): p for p in services.preferences(web.uow)}
    phone = prefs.get(("*", "sms"))
    return render(
        web,
        "notifications.html",
        title=web.t("notify.inbox"),
        active="notifications",
        rows=rows,
        unread=page.unread,
        unread_only=unread_only,
        kinds=CHOOSABLE,
        channels=services.PERSONAL_CHANNELS,
        enabled={
            (k, c): prefs[(k, c)].enabled if (k, c) in prefs else (c != "sms")
            for k in CHOOSABLE
            for c in services.PERSONAL_CHANNELS
        },
        phone=phone.address if phone is not None and phone.address else "",
        notice=notice,
        alert=alert,
        status_code=status,
    )


@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(web: WebDep, unread: str = "", done: str = "") -> HTMLResponse:
    """Newest first; the preferences form below the list."""
    notice = web.t(f"notify.done.{done}") if done in ("saved", "read") else ""
    return _page(web, unread == "1", notice=notice)


@router.post("/notifications/{notification_id}/read", response_model=None)
def read_one(web: WebDep, notification_id: Id) -> Response:
    """Mark it read and go where it points (or back to the list)."""
    try:
        note = services.mark_read(web.container.db, web.tenant, notification_id)
    except NotFound:
        return _page(web, False, alert=web.t("notify.not_found"), status=404)
    target = (
        note.link
        if note.link and note.link.startswith("/") and not note.link.startswith("//")
        else "/notifications"
    )
    return RedirectResponse(target, status_code=303)


@router.post("/notifications/read-all", response_model=None)
def read_all(web: WebDep) -> Response:
    services.mark_all_read(web.container.db, web.tenant)
    return RedirectResponse("/notifications?done=read", status_code=303)


@router.post("/notifications/preferences", response_model=None)
async def save_preferences(web: WebDep, request: Request) -> Response:
    """Every kind × channel box of the form; an unticked box is an explicit 'off'."""
    form = await request.form()
    wanted = [
        services.Preference(kind, channel, form.get(f"{kind}:{channel}") == "on")
        for kind in CHOOSABLE
        for channel in services.PERSONAL_CHANNELS
    ]
    phone = str(form.get("sms_phone", "")).strip()
    if phone:
        wanted.append(services.Preference("*", "sms", True, phone[:200]))
    try:
        services.set_preferences(web.container.db, web.tenant, wanted)
    except DomainError as exc:
        return _page(web, False, alert=exc.message, status=exc.status)
    return RedirectResponse("/notifications?done=saved", status_code=303)


PAGES = PageSet(
    router,
    (NavEntry("notifications", "/notifications", "notify.inbox", "mail", "overview", 20),),
)
