"""What the buyer's pages share: refusals shown on the page, partner names, not-found pages.

A refused write is rolled back and rendered on the page it came from with the status the API
would answer (409 for a state or version conflict, naming the current state), never a 500.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from supplymesh.network.model import Enterprise
from supplymesh.platform.errors import (
    Conflict,
    DomainError,
    IllegalTransition,
    PermissionDenied,
    StaleVersion,
)
from supplymesh.platform.types import MAX_INT
from supplymesh.web.context import Web, render_page
from supplymesh.web.tables import by_id

Id = Annotated[int, Path(ge=1, le=MAX_INT)]


def partner_names(web: Web, ids: list[int | None]) -> dict[int, str]:
    """Enterprise id → the name to show (in the page language), for the partners visible."""
    found = by_id(web.uow, Enterprise, ids)
    return {i: web.local_name(e.name, e.name_en) for i, e in found.items()}


def refused(web: Web, exc: DomainError) -> tuple[str, int]:
    """The translated message and status of a refused write (whose changes are discarded)."""
    web.uow.session.rollback()
    t = web.t
    if isinstance(exc, IllegalTransition):
        current = t.label("buy.state", exc.current_state)
        allowed = "、".join(t.label("buy.state", s) for s in exc.allowed_transitions)
        return t("buy.error.illegal", current=current, allowed=allowed or "—"), 409
    if isinstance(exc, StaleVersion):
        return t("buy.error.stale", version=exc.actual), 409
    if isinstance(exc, Conflict):
        return t("error.conflict", detail=exc.message), 409
    if isinstance(exc, PermissionDenied):
        return t("buy.error.forbidden", detail=exc.message), 403
    return t("error.invalid", detail=exc.message), exc.status


def form_errors(exc: ValidationError) -> str:
    """Pydantic's complaints about a form, one per field."""
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())


def not_found(web: Web, back_href: str, back_page: str) -> HTMLResponse:
    t = web.t
    return render_page(
        web.request,
        "error.html",
        t,
        title=t("error.not_found.title"),
        message=t("buy.not_found"),
        back_href=back_href,
        back_label=t("error.back_to", page=t(back_page)),
        status_code=404,
    )


def notice(web: Web, done: str) -> str:
    """The confirmation for ``?done=<key>`` after a redirect, if it is one of ours."""
    key = f"buy.done.{done}"
    return web.t(key) if done and web.t.has(key) else ""
