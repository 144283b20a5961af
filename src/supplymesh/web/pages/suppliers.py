"""The buyer's side of supplier admission: partners and their decisions, invitation links.

Decisions, invitations and revocations go through `supplymesh.collab.admission` in the
caller's unit of work; the tenancy layer lets only the owner's admins write partnerships and
invitations, and a refusal is shown on the page (403), as is an illegal decision (409).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Form, Path
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from supplymesh.api.routers.admission import InvitationCreate
from supplymesh.collab import admission
from supplymesh.collab.model import InvitationStatus, SupplierInvitation
from supplymesh.network.model import Enterprise, Partnership
from supplymesh.platform.db import utcnow
from supplymesh.platform.errors import (
    DomainError,
    NotFound,
)
from supplymesh.platform.types import MAX_INT
from supplymesh.web.context import Web, WebDep, render, render_page
from supplymesh.web.form_post import Wording, refused
from supplymesh.web.nav import NavEntry, PageSet, web_router
from supplymesh.web.tables import by_id, fetch_all, resource

router = web_router()
Id = Annotated[int, Path(ge=1, le=MAX_INT)]


def actions_for(status: str) -> tuple[str, ...]:
    """The decisions the admission rules allow on a partnership in `status`."""
    return admission.allowed_actions(status)


@dataclass(frozen=True)
class PartnerRow:
    """One partnership as the caller sees it; `decides` when the caller owns it."""

    id: int
    partner_id: int
    code: str
    name: str
    relation: str
    status: str
    decides: bool
    actions: tuple[str, ...]


@dataclass(frozen=True)
class InvitationRow:
    id: int
    relation: str
    email: str
    note: str
    status: str
    expires_at: datetime
    accepted_code: str


def _rows(web: Web) -> list[PartnerRow]:
    links: list[Partnership] = fetch_all(web.uow, resource("partnerships"))
    own = web.caller.enterprise_id

    def other(link: Partnership) -> int:
        partner = link.partner_enterprise_id if link.enterprise_id == own else link.enterprise_id
        return partner or 0  # a partnership always names its partner

    names = by_id(web.uow, Enterprise, (other(link) for link in links))
    rows = []
    for link in links:
        partner_id = other(link)
        ent = names.get(partner_id)
        decides = link.enterprise_id == own
        rows.append(
            PartnerRow(
                id=link.id,
                partner_id=partner_id,
                code=ent.code if ent is not None else f"#{partner_id}",
                name=web.local_name(ent.name, ent.name_en) if ent is not None else "",
                relation=link.relation,
                status=link.status,
                decides=decides,
                actions=actions_for(link.status) if decides else (),
            )
        )
    return rows


def _suppliers(web: Web, notice: str = "", alert: str = "", status_code: int = 200) -> HTMLResponse:
    rows = _rows(web)
    return render(
        web,
        "suppliers.html",
        title=web.t("nav.suppliers"),
        active="suppliers",
        own_rows=[r for r in rows if r.decides],
        their_rows=[r for r in rows if not r.decides],
        can_decide=web.tenant.is_admin,
        notice=notice,
        alert=alert,
        status_code=status_code,
    )


_WORDING = Wording(states="partnership_status", illegal="suppliers.error.illegal")


def _refused(web: Web, exc: DomainError) -> tuple[str, int]:
    return refused(web, exc, _WORDING)


def _not_found(web: Web, message: str, back: str) -> HTMLResponse:
    t = web.t
    return render_page(
        web.request,
        "error.html",
        t,
        title=t("error.not_found.title"),
        message=message,
        back_href=back,
        back_label=t("error.back_to", page=t("nav.suppliers")),
        status_code=404,
    )


@router.get("/suppliers", response_class=HTMLResponse)
def suppliers_page(web: WebDep, done: str = "") -> HTMLResponse:
    """The caller's partnerships with the decisions their status allows."""
    key = f"suppliers.done.{done}"
    return _suppliers(web, notice=web.t(key) if web.t.has(key) else "")


@router.post("/suppliers/{partnership_id}/{action}", response_model=None)
def decide(web: WebDep, partnership_id: Id, action: str) -> Response:
    """Approve, suspend, reinstate or block a partner (admins of the owner only)."""
    if action not in admission.ACTIONS:
        return _not_found(web, web.t("suppliers.error.unknown"), "/suppliers")
    try:
        admission.decide(web.uow, partnership_id, action)
        web.uow.commit()
    except NotFound:
        return _not_found(web, web.t("suppliers.error.unknown"), "/suppliers")
    except DomainError as exc:
        message, status = _refused(web, exc)
        return _suppliers(web, alert=message, status_code=status)
    return RedirectResponse(f"/suppliers?done={action}", status_code=303)


@router.get("/suppliers/invitations", response_class=HTMLResponse)
def invitations_page(web: WebDep, done: str = "") -> HTMLResponse:
    """The caller's invitations and, for admins, the form to invite another supplier."""
    key = f"invitations.done.{done}"
    return _invitations(web, notice=web.t(key) if web.t.has(key) else "")


def _invitation_rows(web: Web) -> list[InvitationRow]:
    found = list(
        web.uow.session.scalars(select(SupplierInvitation).order_by(SupplierInvitation.id.desc()))
    )
    accepted = by_id(web.uow, Enterprise, (i.accepted_enterprise_id for i in found))
    now = utcnow()
    rows = []
    for inv in found:
        expired = inv.status == InvitationStatus.OPEN and inv.expires_at <= now
        ent = accepted.get(inv.accepted_enterprise_id or 0)
        rows.append(
            InvitationRow(
                id=inv.id,
                relation=inv.relation,
                email=inv.email or "",
                note=inv.note or "",
                status="expired" if expired else inv.status,
                expires_at=inv.expires_at,
                accepted_code=ent.code if ent is not None else "",
            )
        )
    return rows


def _invitations(
    web: Web,
    *,
    notice: str = "",
    alert: str = "",
    link: str = "",
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        web,
        "invitations.html",
        title=web.t("nav.invitations"),
        active="invitations",
        rows=_invitation_rows(web),
        relations=admission.RELATIONS,
        can_invite=web.tenant.is_admin,
        notice=notice,
        alert=alert,
        link=link,
        values=values or {"relation": "supplier", "email": "", "note": "", "valid_days": "14"},
        errors=errors or {},
        status_code=status_code,
    )


@router.post("/suppliers/invitations", response_class=HTMLResponse)
def create_invitation(
    web: WebDep,
    relation: Annotated[str, Form()] = "supplier",
    email: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    valid_days: Annotated[str, Form()] = "14",
) -> HTMLResponse:
    """Create an invitation and show its registration link, this once."""
    t = web.t
    values = {
        "relation": relation,
        "email": email.strip(),
        "note": note.strip(),
        "valid_days": valid_days.strip(),
    }
    try:
        form = InvitationCreate.model_validate({k: v or None for k, v in values.items()})
    except ValidationError as exc:
        errors = {
            str(p["loc"][0]): t(f"invitations.error.{p['loc'][0]}")
            if t.has(f"invitations.error.{p['loc'][0]}")
            else t("error.invalid", detail=p["msg"])
            for p in exc.errors()
            if p["loc"]
        }
        return _invitations(
            web, alert=t("register.fix"), values=values, errors=errors, status_code=422
        )
    try:
        _inv, token = admission.invite(
            web.uow, form.relation, form.email, form.note, form.valid_days
        )
        web.uow.commit()
    except DomainError as exc:
        message, status = _refused(web, exc)
        return _invitations(web, alert=message, values=values, status_code=status)
    base = str(web.request.base_url).rstrip("/")
    link = f"{base}{register_path(token)}"
    return _invitations(web, notice=t("invitations.created"), link=link)


def register_path(token: str) -> str:
    """Where an invited supplier registers (the same path the API hands out)."""
    return f"/register?invite={token}"


@router.post("/suppliers/invitations/{invitation_id}/revoke", response_model=None)
def revoke_invitation(web: WebDep, invitation_id: Id) -> Response:
    """Withdraw an open invitation; its link stops working at once."""
    try:
        admission.revoke(web.uow, invitation_id)
        web.uow.commit()
    except NotFound:
        return _not_found(web, web.t("invitations.error.unknown"), "/suppliers/invitations")
    except DomainError as exc:
        message, status = _refused(web, exc)
        return _invitations(web, alert=message, status_code=status)
    return RedirectResponse("/suppliers/invitations?done=revoked", status_code=303)


@router.get("/suppliers/{enterprise_id}/profile", response_class=HTMLResponse)
def partner_profile_page(web: WebDep, enterprise_id: Id) -> HTMLResponse:
    """A partner's supplier profile; anyone else's is not found."""
    try:
        profile = admission.partner_profile(web.uow, enterprise_id)
    except NotFound:
        return _not_found(web, web.t("profile.not_found"), "/suppliers")
    ent = by_id(web.uow, Enterprise, [enterprise_id]).get(enterprise_id)
    name = web.local_name(ent.name, ent.name_en) if ent is not None else f"#{enterprise_id}"
    return render(
        web,
        "partner_profile.html",
        title=web.t("profile.partner_title", name=name),
        active="suppliers",
        enterprise=ent,
        profile=profile,
    )


PAGES = PageSet(
    router,
    (
        NavEntry("suppliers", "/suppliers", "nav.suppliers", "supplier", "collaboration", 10),
        NavEntry(
            "invitations", "/suppliers/invitations", "nav.invitations", "mail", "collaboration", 20
        ),
    ),
)
