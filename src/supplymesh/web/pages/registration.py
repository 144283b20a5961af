"""Public self-registration of an invited supplier (供应商准入): ``/register?invite=TOKEN``.

Like the login form this page needs no session: the invitation token is the credential. It
only calls `admission.look_up` and `admission.register`, which open their own system unit of
work; the form's rules are the API's (`SupplierRegistration`), so both say the same thing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from supplymesh.api.deps import get_container
from supplymesh.api.routers.admission import SupplierRegistration
from supplymesh.collab import admission
from supplymesh.platform.errors import Conflict, NotFound, ValidationFailed
from supplymesh.web.context import format_date, language_of, render_page
from supplymesh.web.i18n import Translator
from supplymesh.web.nav import PageSet, web_router

router = web_router()

#: The form's fields, in order; the password fields are never sent back to the browser.
TEXT_FIELDS = ("code", "name", "name_en", "uscc", "city", "admin_username", "admin_display_name")
REQUIRED = ("code", "name", "uscc", "admin_username", "admin_password")
#: Conflicts the service reports as sentences, by the field they are about.
CONFLICT_FIELDS = (
    ("enterprise code", "code", "register.error.code_taken"),
    ("an enterprise with USCC", "uscc", "register.error.uscc_taken"),
    ("username", "admin_username", "register.error.username_taken"),
)


def _invalid_link(request: Request, t: Translator) -> HTMLResponse:
    return render_page(
        request,
        "error.html",
        t,
        title=t("register.invalid.title"),
        message=t("register.invalid.message"),
        back_href="/login",
        back_label=t("register.to_login"),
        status_code=404,
    )


def _field_message(t: Translator, field: str, detail: str) -> str:
    key = f"register.error.{field}"
    return t(key) if t.has(key) else t("register.error.other", detail=detail)


def _form(
    request: Request,
    t: Translator,
    token: str,
    info: admission.InvitationInfo,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    alert: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    expires = format_date(datetime.fromisoformat(info.expires_at))
    return render_page(
        request,
        "register.html",
        t,
        title=t("register.title"),
        token=token,
        info=info,
        expires=expires,
        values=values,
        errors=errors or {},
        alert=alert,
        status_code=status_code,
    )


@router.get("/register", response_class=HTMLResponse)
def register_page(request: Request, invite: str = "") -> HTMLResponse:
    """Who invites the visitor, and the form for its enterprise and first admin."""
    t = language_of(request)
    try:
        info = admission.look_up(get_container(request).db, invite)
    except NotFound:
        return _invalid_link(request, t)
    return _form(request, t, invite, info, dict.fromkeys(TEXT_FIELDS, ""))


@router.post("/register", response_class=HTMLResponse)
def register_submit(
    request: Request,
    invite: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    name_en: Annotated[str, Form()] = "",
    uscc: Annotated[str, Form()] = "",
    city: Annotated[str, Form()] = "",
    admin_username: Annotated[str, Form()] = "",
    admin_display_name: Annotated[str, Form()] = "",
    admin_password: Annotated[str, Form()] = "",
    admin_password_confirm: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Register the supplier in one transaction; on a problem show the form again."""
    t = language_of(request)
    db = get_container(request).db
    try:
        info = admission.look_up(db, invite)
    except NotFound:
        return _invalid_link(request, t)
    values = {
        "code": code.strip().upper(),
        "name": name.strip(),
        "name_en": name_en.strip(),
        "uscc": uscc.strip().upper(),
        "city": city.strip(),
        "admin_username": admin_username.strip(),
        "admin_display_name": admin_display_name.strip(),
    }
    entered = {**values, "admin_password": admin_password}
    errors = {f: t("register.error.required") for f in REQUIRED if not entered[f]}
    if admin_password and admin_password != admin_password_confirm:
        errors["admin_password_confirm"] = t("register.error.admin_password_confirm")
    form: SupplierRegistration | None = None
    try:
        form = SupplierRegistration.model_validate(
            {"invitation_token": invite, **{k: v or None for k, v in entered.items()}}
        )
    except ValidationError as exc:
        for problem in exc.errors():
            field = str(problem["loc"][0]) if problem["loc"] else "form"
            errors.setdefault(field, _field_message(t, field, problem["msg"]))
    if errors or form is None:
        return _form(request, t, invite, info, values, errors, t("register.fix"), 422)
    try:
        result = admission.register(db, invite, form.to_spec())
    except NotFound:
        return _invalid_link(request, t)
    except ValidationFailed as exc:
        errors = {e.field: _field_message(t, e.field, e.message) for e in exc.errors}
        return _form(request, t, invite, info, values, errors, t("register.fix"), 422)
    except Conflict as exc:
        for prefix, field, key in CONFLICT_FIELDS:
            if exc.message.startswith(prefix):
                errors = {field: t(key)}
                return _form(request, t, invite, info, values, errors, t("register.fix"), 409)
        alert = t("error.conflict", detail=exc.message)
        return _form(request, t, invite, info, values, None, alert, 409)
    return render_page(
        request,
        "register_done.html",
        t,
        title=t("register.done.title"),
        info=info,
        result=result,
    )


PAGES = PageSet(router)
