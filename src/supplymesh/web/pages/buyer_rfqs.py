"""The buyer's RFQs: issue one, compare the quotes side by side, award whole or split.

The comparison is the one the API serves (`rfq_award.compare`: price after breaks at the RFQ
quantity, lead time, validity and the supplier's scorecard); this page only marks the best
value of each column. An award posts per line and supplier the quantity to give, and the
orders it created are listed on the RFQ afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from supplymesh.collab import buyer_views, rfq, rfq_award
from supplymesh.collab.rfq_schemas import AwardIn, ComparedQuote, Comparison, RfqCreate
from supplymesh.network.model import Item, Site
from supplymesh.platform.errors import DomainError, NotFound
from supplymesh.web.context import Web, WebDep, render
from supplymesh.web.form_post import submit
from supplymesh.web.nav import NavEntry, PageSet, web_router
from supplymesh.web.pages.buyer_common import (
    BUYER,
    Id,
    not_found,
    notice,
    partner_names,
    refused,
)

router = web_router()
FORM_LINES = 5
#: Comparison columns, and whether the lowest (min) or highest (max) value is best.
BEST: dict[str, tuple[str, Callable[[ComparedQuote], Any]]] = {
    "unit_price": ("min", lambda q: q.unit_price),
    "amount": ("min", lambda q: q.amount),
    "lead_time": ("min", lambda q: q.lead_time_days),
    "valid_until": ("max", lambda q: q.valid_until),
    "otif": ("max", lambda q: q.scorecard.on_time_in_full_pct),
    "quality": ("max", lambda q: q.scorecard.quality_acceptance_pct),
    "price_variance": ("min", lambda q: q.scorecard.price_variance_pct),
    "response": ("min", lambda q: q.scorecard.response_time_hours),
}


@dataclass(frozen=True)
class RfqRow:
    id: int
    number: str
    title: str
    deadline: datetime
    status: str
    lines: int
    invited: int
    quoting_open: bool


def best_of(quotes: Sequence[ComparedQuote]) -> dict[str, set[int]]:
    """Per column, the suppliers with the best value (ties share it; all equal, none)."""
    out: dict[str, set[int]] = {}
    for column, (direction, value_of) in BEST.items():
        values = [(value_of(q), q.supplier_enterprise_id) for q in quotes]
        known = [v for v, _ in values if v is not None]
        if len(values) < 2 or not known:
            out[column] = set()
            continue
        best = min(known) if direction == "min" else max(known)
        winners = {s for v, s in values if v == best}
        out[column] = winners if len(winners) < len(values) else set()  # all equal: no news
    return out


def _own_rfqs(web: Web) -> list[RfqRow]:
    me = web.caller.enterprise_id
    return [
        RfqRow(
            id=v.rfq.id,
            number=v.rfq.number,
            title=v.rfq.title or "",
            deadline=v.rfq.deadline,
            status=v.rfq.status,
            lines=len(v.lines),
            invited=len(v.invitations),
            quoting_open=v.quoting_open,
        )
        for v in rfq.list_rfqs(web.uow, limit=200).items
        if v.rfq.enterprise_id == me
    ]


def _list_page(
    web: Web, alert: str = "", status_code: int = 200, form: dict[str, str] | None = None
) -> HTMLResponse:
    items = list(
        web.uow.session.scalars(
            select(Item)
            .where(Item.enterprise_id == web.caller.enterprise_id)
            .order_by(Item.sku)
            .limit(500)
        )
    )
    suppliers = partner_names(web, list(buyer_views.supply_partners(web.uow)))
    deadline = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    return render(
        web,
        "buyer_rfqs.html",
        title=web.t("nav.buy_rfqs"),
        active="buy_rfqs",
        rfqs=_own_rfqs(web),
        items=[(i.id, i.sku, web.local_name(i.name, i.name_en)) for i in items],
        suppliers=sorted(suppliers.items(), key=lambda s: s[1]),
        form=form or {"deadline": deadline, "currency": "CNY"},
        form_lines=range(FORM_LINES),
        alert=alert,
        notice="",
        status_code=status_code,
    )


@router.get("/buy/rfqs", response_class=HTMLResponse)
def rfqs_page(web: WebDep) -> HTMLResponse:
    """The caller's RFQs, newest first, and the form to issue a new one."""
    return _list_page(web)


def _create_command(form: dict[str, str], suppliers: list[str]) -> RfqCreate:
    lines = [
        {
            "item_id": form[f"item_{i}"],
            "quantity": form.get(f"quantity_{i}", "").strip(),
            "needed_by": form.get(f"needed_by_{i}", "").strip() or None,
        }
        for i in range(FORM_LINES)
        if form.get(f"item_{i}", "").strip()
    ]
    deadline = form.get("deadline", "").strip()
    return RfqCreate.model_validate(
        {
            "title": form.get("title", "").strip() or None,
            "currency": form.get("currency", "CNY").strip() or "CNY",
            # the form's time is UTC, as every time the pages show
            "deadline": f"{deadline}:00+00:00" if len(deadline) == 16 else deadline,
            "lines": lines,
            "supplier_enterprise_ids": suppliers,
        }
    )


@router.post("/buy/rfqs", response_model=None)
async def create_rfq(web: WebDep, request: Request) -> Response:
    """Issue an RFQ to the suppliers ticked on the form."""
    posted = await request.form()
    raw = {k: str(v) for k, v in posted.items()}
    suppliers = [str(s) for s in posted.getlist("supplier")]
    return submit(
        web,
        parse=lambda: _create_command(raw, suppliers),
        run=lambda cmd: rfq.create_rfq(web.uow, cmd),
        redisplay=lambda alert, status: _list_page(web, alert=alert, status_code=status, form=raw),
        done=lambda view: f"/buy/rfqs/{view.rfq.id}?done=created",
        wording=BUYER,
    )


# --- comparison and award -----------------------------------------------------------------------


def _suggested(comparison: Comparison) -> dict[tuple[int, int], Decimal]:
    """The award the form proposes: each whole line to its lowest price."""
    return {
        (line.rfq_line_id, line.lowest_price_supplier_id): line.quantity
        for line in comparison.lines
        if line.lowest_price_supplier_id is not None
    }


def _own_sites(web: Web) -> list[tuple[int, str]]:
    """Where awarded orders may be shipped to: the caller's own sites."""
    query = select(Site).where(Site.enterprise_id == web.caller.enterprise_id).order_by(Site.code)
    return [
        (s.id, f"{s.code} {web.local_name(s.name, s.name_en)}")
        for s in web.uow.session.scalars(query)
    ]


def _quoting_every_line(comparison: Comparison) -> list[int]:
    """Suppliers that quoted every line: the RFQ can be awarded to them whole."""
    per_line = [{q.supplier_enterprise_id for q in line.quotes} for line in comparison.lines]
    return sorted(set.intersection(*per_line)) if per_line else []


def _rfq_page(
    web: Web, rfq_id: int, notice_text: str = "", alert: str = "", status_code: int = 200
) -> HTMLResponse:
    view = rfq.get_rfq(web.uow, rfq_id)
    if view.rfq.enterprise_id != web.caller.enterprise_id:
        raise NotFound("RFQ", rfq_id)  # an invited supplier answers it from its inbox
    comparison = rfq_award.compare(web.uow, rfq_id)
    invited = [i.partner_enterprise_id for i in view.invitations]
    orders = buyer_views.awarded_orders(web.uow, rfq_id)
    names = partner_names(web, [*invited, *(o.partner_enterprise_id for o in orders)])
    return render(
        web,
        "buyer_rfq.html",
        title=f"{web.t('buy.rfq')} {view.rfq.number}",
        active="buy_rfqs",
        rfq=view.rfq,
        invitations=view.invitations,
        comparison=comparison,
        best={line.rfq_line_id: best_of(line.quotes) for line in comparison.lines},
        suggested=_suggested(comparison),
        names=names,
        whole_suppliers=_quoting_every_line(comparison),
        orders=orders,
        sites=_own_sites(web),
        can_award=view.rfq.status == "open",
        notice=notice_text,
        alert=alert,
        status_code=status_code,
    )


@router.get("/buy/rfqs/{rfq_id}", response_class=HTMLResponse)
def rfq_page(web: WebDep, rfq_id: Id, done: str = "") -> HTMLResponse:
    """The quotes of one RFQ side by side per line, with the award form."""
    try:
        return _rfq_page(web, rfq_id, notice_text=notice(web, done))
    except NotFound:
        return not_found(web, "/buy/rfqs", "nav.buy_rfqs")


def _is_zero(text: str) -> bool:
    try:
        return Decimal(text) == 0
    except InvalidOperation:
        return False


def _allocations(form: dict[str, str], comparison: Comparison) -> list[dict[str, str | int]]:
    """Per line and supplier the quantity to award; a whole award gives one supplier all.

    Blank or zero means none; anything else goes to the schema, which names a bad value.
    """
    whole = form.get("whole_supplier", "").strip()
    out: list[dict[str, str | int]] = []
    for line in comparison.lines:
        for quote in line.quotes:
            supplier = quote.supplier_enterprise_id
            if whole:
                text = str(line.quantity) if whole == str(supplier) else ""
            else:
                text = form.get(f"qty_{line.rfq_line_id}_{supplier}", "").strip()
            if text and not _is_zero(text):
                out.append(
                    {
                        "rfq_line_id": line.rfq_line_id,
                        "supplier_enterprise_id": supplier,
                        "quantity": text,
                    }
                )
    return out


@router.post("/buy/rfqs/{rfq_id}/award", response_model=None)
async def award_rfq(web: WebDep, rfq_id: Id, request: Request) -> Response:
    """Award the quantities on the form (or everything to one supplier): creates the POs."""
    raw = {k: str(v) for k, v in (await request.form()).items()}
    try:
        view = rfq.get_rfq(web.uow, rfq_id)
        if view.rfq.enterprise_id != web.caller.enterprise_id:
            raise NotFound("RFQ", rfq_id)
        comparison = rfq_award.compare(web.uow, rfq_id)
    except NotFound:
        return not_found(web, "/buy/rfqs", "nav.buy_rfqs")
    version = raw.get("version", "").strip()
    return submit(
        web,
        parse=lambda: AwardIn.model_validate(
            {
                "version": int(version) if version.isdigit() else -1,
                "ship_to_site_id": raw.get("ship_to_site_id", "").strip() or None,
                "allocations": _allocations(raw, comparison),
            }
        ),
        run=lambda cmd: rfq_award.award(web.uow, rfq_id, cmd),
        redisplay=lambda alert, status: _rfq_page(web, rfq_id, alert=alert, status_code=status),
        done=lambda _: f"/buy/rfqs/{rfq_id}?done=awarded",
        wording=BUYER,
    )


@router.post("/buy/rfqs/{rfq_id}/cancel", response_model=None)
async def cancel_rfq(web: WebDep, rfq_id: Id, request: Request) -> Response:
    """Withdraw an open RFQ."""
    raw = {k: str(v) for k, v in (await request.form()).items()}
    version = raw.get("version", "").strip()
    try:
        view = rfq.get_rfq(web.uow, rfq_id)
        if view.rfq.enterprise_id != web.caller.enterprise_id:
            raise NotFound("RFQ", rfq_id)
        rfq.cancel_rfq(web.uow, rfq_id, int(version) if version.isdigit() else None)
        web.uow.commit()
    except NotFound:
        return not_found(web, "/buy/rfqs", "nav.buy_rfqs")
    except DomainError as exc:
        message, status = refused(web, exc)
        return _rfq_page(web, rfq_id, alert=message, status_code=status)
    return RedirectResponse(f"/buy/rfqs/{rfq_id}?done=cancelled", status_code=303)


PAGES = PageSet(
    router, (NavEntry("buy_rfqs", "/buy/rfqs", "nav.buy_rfqs", "list", "collaboration", 40),)
)
