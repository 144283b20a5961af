"""The supplier's own profile: contact, certificates, capacities and categories it supplies.

A plain form with a few repeated rows; blank rows are ignored, so adding a certificate is
filling in an empty row and removing one is clearing it. The rules are the API's
(`ProfileUpdate`), and the profile is written by `admission.update_profile`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from supplymesh.api.routers.admission import ProfileUpdate
from supplymesh.collab import admission
from supplymesh.collab.model import SupplierProfile
from supplymesh.platform.errors import DomainError, PermissionDenied
from supplymesh.web.context import Web, WebDep, render
from supplymesh.web.i18n import Translator
from supplymesh.web.nav import NavEntry, PageSet, web_router

router = web_router()
CERTIFICATE_FIELDS = ("name", "number", "issuer", "valid_until")
CAPACITY_FIELDS = ("category", "quantity_per_month", "unit")
#: At least this many rows per table, and always a few blank ones to fill in.
MIN_ROWS, BLANK_ROWS = 5, 2
Rows = list[dict[str, str]]
FormList = Annotated[list[str], Form()]


def _padded(rows: Rows, fields: tuple[str, ...]) -> Rows:
    blank = max(BLANK_ROWS, MIN_ROWS - len(rows))
    return rows + [dict.fromkeys(fields, "") for _ in range(blank)]


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _profile_values(profile: SupplierProfile | None) -> dict[str, Any]:
    if profile is None:
        return {"contact_name": "", "contact_phone": "", "contact_email": "", "categories": ""}
    return {
        "contact_name": profile.contact_name or "",
        "contact_phone": profile.contact_phone or "",
        "contact_email": profile.contact_email or "",
        "categories": "\n".join(profile.categories or []),
    }


def _page(
    web: Web,
    profile: SupplierProfile | None,
    values: dict[str, Any],
    certificates: Rows,
    capacities: Rows,
    *,
    notice: str = "",
    alert: str = "",
    problems: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        web,
        "supplier_profile.html",
        title=web.t("nav.supplier_profile"),
        active="supplier_profile",
        profile=profile,
        values=values,
        certificates=_padded(certificates, CERTIFICATE_FIELDS),
        capacities=_padded(capacities, CAPACITY_FIELDS),
        can_edit=web.tenant.can_write,
        notice=notice,
        alert=alert,
        problems=problems or [],
        status_code=status_code,
    )


@router.get("/supplier-profile", response_class=HTMLResponse)
def profile_page(web: WebDep, saved: int = 0) -> HTMLResponse:
    """The caller's supplier profile as an editable form."""
    notice = web.t("profile.saved") if saved else ""
    try:
        profile: SupplierProfile | None = admission.own_profile(web.uow)
        web.uow.commit()  # the profile is created empty on first use
    except PermissionDenied:
        web.uow.session.rollback()  # a viewer cannot create it; show it empty
        profile = None
    certificates = [
        {f: _text(c.get(f)) for f in CERTIFICATE_FIELDS}
        for c in (profile.certificates if profile else [])
    ]
    capacities = [
        {f: _text(c.get(f)) for f in CAPACITY_FIELDS}
        for c in (profile.capacities if profile else [])
    ]
    return _page(web, profile, _profile_values(profile), certificates, capacities, notice=notice)


def _rows(columns: dict[str, list[str]], fields: tuple[str, ...]) -> Rows:
    """The non-blank rows of repeated form fields (one list per column), stripped."""
    count = max((len(v) for v in columns.values()), default=0)
    rows = []
    for i in range(count):
        row = {f: (columns[f][i] if i < len(columns[f]) else "").strip() for f in fields}
        if any(row.values()):
            rows.append(row)
    return rows


def _problem(t: Translator, loc: tuple[int | str, ...], message: str) -> str:
    """A validation problem in the page's words: which table, which row, which field."""
    if len(loc) >= 3 and isinstance(loc[1], int):
        field = t(f"profile.{loc[0]}.{loc[2]}")
        section = t(f"profile.{loc[0]}")
        return t("profile.error.row", section=section, row=loc[1] + 1, field=field)
    return t("error.invalid", detail=f"{'.'.join(str(p) for p in loc)}: {message}")


@router.post("/supplier-profile", response_model=None)
def save_profile(
    web: WebDep,
    contact_name: Annotated[str, Form()] = "",
    contact_phone: Annotated[str, Form()] = "",
    contact_email: Annotated[str, Form()] = "",
    categories: Annotated[str, Form()] = "",
    cert_name: FormList = [],  # noqa: B006 - FastAPI copies defaults per request
    cert_number: FormList = [],  # noqa: B006
    cert_issuer: FormList = [],  # noqa: B006
    cert_valid_until: FormList = [],  # noqa: B006
    cap_category: FormList = [],  # noqa: B006
    cap_quantity_per_month: FormList = [],  # noqa: B006
    cap_unit: FormList = [],  # noqa: B006
) -> Response:
    """Replace the profile with what the form holds (blank rows are dropped)."""
    t = web.t
    values = {
        "contact_name": contact_name.strip(),
        "contact_phone": contact_phone.strip(),
        "contact_email": contact_email.strip(),
        "categories": categories.strip(),
    }
    certificates = _rows(
        {
            "name": cert_name,
            "number": cert_number,
            "issuer": cert_issuer,
            "valid_until": cert_valid_until,
        },
        CERTIFICATE_FIELDS,
    )
    capacities = _rows(
        {"category": cap_category, "quantity_per_month": cap_quantity_per_month, "unit": cap_unit},
        CAPACITY_FIELDS,
    )
    payload = {
        "contact_name": values["contact_name"] or None,
        "contact_phone": values["contact_phone"] or None,
        "contact_email": values["contact_email"] or None,
        "certificates": [{k: v or None for k, v in row.items()} for row in certificates],
        "capacities": [
            {
                "category": r["category"],
                "quantity_per_month": r["quantity_per_month"],
                "unit": r["unit"] or "EA",
            }
            for r in capacities
        ],
        "categories": [c.strip() for c in re.split(r"[\n,，、;；]+", categories) if c.strip()],
    }
    try:
        update = ProfileUpdate.model_validate(payload)
    except ValidationError as exc:
        problems = [_problem(t, tuple(p["loc"]), p["msg"]) for p in exc.errors()]
        return _page(
            web,
            None,
            values,
            certificates,
            capacities,
            alert=t("register.fix"),
            problems=problems,
            status_code=422,
        )
    try:
        admission.update_profile(web.uow, update.model_dump(mode="json", exclude_unset=True))
        web.uow.commit()
    except DomainError as exc:
        web.uow.session.rollback()
        forbidden = isinstance(exc, PermissionDenied)
        alert = t("error.forbidden") if forbidden else t("error.invalid", detail=exc.message)
        return _page(
            web,
            None,
            values,
            certificates,
            capacities,
            alert=alert,
            status_code=403 if forbidden else exc.status,
        )
    return RedirectResponse("/supplier-profile?saved=1", status_code=303)


PAGES = PageSet(
    router,
    (
        NavEntry(
            "supplier_profile",
            "/supplier-profile",
            "nav.supplier_profile",
            "badge",
            "collaboration",
            30,
        ),
    ),
)
