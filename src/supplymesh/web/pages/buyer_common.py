"""What the buyer's pages share: refusals shown on the page, partner names, not-found pages.

A refused write is rolled back and rendered on the page it came from with the status the API
would answer (409 for a state or version conflict, naming the current state), never a 500.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from fastapi.responses import HTMLResponse

from supplymesh.network.model import Enterprise
from supplymesh.platform.errors import DomainError
from supplymesh.platform.types import MAX_INT
from supplymesh.web import form_post
from supplymesh.web.context import Web, render_page
from supplymesh.web.form_post import Wording
from supplymesh.web.tables import by_id

Id = Annotated[int, Path(ge=1, le=MAX_INT)]


def partner_names(web: Web, ids: list[int | None]) -> dict[int, str]:
    """Enterprise id → the name to show (in the page language), for the partners visible."""
    found = by_id(web.uow, Enterprise, ids)
    return {i: web.local_name(e.name, e.name_en) for i, e in found.items()}


BUYER = Wording(states="buy.state", illegal="buy.error.illegal", forbidden_reason=True)


def refused(web: Web, exc: DomainError) -> tuple[str, int]:
    """The translated message and status of a refused buyer write (its changes discarded)."""
    return form_post.refused(web, exc, BUYER)


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
