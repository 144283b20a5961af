"""What the supplier inbox's pages share: customer names, item labels, refusals, not found.

Kept apart so the RFQ / purchase-order pages and the delivery-schedule pages use one wording
for a refused write and one "not addressed to you" page, without importing each other.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from supplymesh.collab.procurement_model import RfqAward, RfqLine
from supplymesh.network.model import Enterprise, Item
from supplymesh.platform.errors import DomainError
from supplymesh.platform.types import MAX_INT
from supplymesh.web import form_post
from supplymesh.web.context import Web, render_page
from supplymesh.web.form_post import Wording
from supplymesh.web.tables import by_id

Id = Annotated[int, Path(ge=1, le=MAX_INT)]


def customers(web: Web, ids: list[int]) -> dict[int, str]:
    """Enterprise id → its name in the page language."""
    found = by_id(web.uow, Enterprise, ids)
    return {i: web.local_name(e.name, e.name_en) for i, e in found.items()}


def item_labels(web: Web, order_id: int) -> dict[int, str]:
    """Order line → the SKU and name the buyer asked for (from the RFQ it came from).

    The buyer's item master is not shared with the supplier; the RFQ lines it quoted are.
    """
    awards = list(web.uow.session.scalars(select(RfqAward).where(RfqAward.order_id == order_id)))
    rfq_lines = by_id(web.uow, RfqLine, [a.rfq_line_id for a in awards])
    labels = {}
    for award in awards:
        line = rfq_lines.get(award.rfq_line_id)
        if line is not None:
            labels[award.order_line_id] = f"{line.item_sku} {line.item_name}"
    return labels


def shared_items(web: Web, ids: list[int]) -> dict[int, str]:
    """Item id → SKU and name, for the buyer's items it shares with the caller (else absent)."""
    found = by_id(web.uow, Item, ids)
    return {i: f"{x.sku} {web.local_name(x.name, x.name_en)}" for i, x in found.items()}


INBOX = Wording(states="inbox.state", illegal="inbox.error.illegal")


def refused(web: Web, exc: DomainError) -> tuple[str, int]:
    """The translated message and status of a refused supplier write (its changes discarded)."""
    return form_post.refused(web, exc, INBOX)


def not_found(web: Web) -> HTMLResponse:
    """404 for anything not addressed to the caller (never saying whether it exists)."""
    t = web.t
    return render_page(
        web.request,
        "error.html",
        t,
        title=t("error.not_found.title"),
        message=t("inbox.not_found"),
        back_href="/inbox",
        back_label=t("error.back_to", page=t("nav.inbox")),
        status_code=404,
    )


def notice(web: Web, done: str) -> str:
    """The success notice after a redirect (`?done=…`), empty for an unknown value."""
    key = f"inbox.done.{done}"
    return web.t(key) if web.t.has(key) else ""
