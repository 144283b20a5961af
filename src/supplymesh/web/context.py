"""Who is looking at a page, in which language, through which unit of work; and rendering.

Every page takes `WebDep` (JSON endpoints take `DataDep`): the principal is resolved by
``api.middleware.authenticate`` from the session cookie, and the page reads data only
through `Web.uow`, a unit of work opened for that caller's tenant context, so the same
tenancy rules as the API apply and no page can see more than its caller.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from supplymesh import __version__
from supplymesh.api.container import Container
from supplymesh.api.deps import get_container
from supplymesh.api.middleware import SESSION_COOKIE, authenticate
from supplymesh.network.model import Enterprise, User
from supplymesh.platform.auth import Principal
from supplymesh.platform.errors import AuthenticationFailed
from supplymesh.platform.tenancy import TenantContext
from supplymesh.platform.uow import UnitOfWork
from supplymesh.web.i18n import LANGUAGE_NAMES, Translator, negotiate
from supplymesh.web.session import LANG_COOKIE, LoginRequired, csrf_token, store_csrf

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
#: Sent with every page: nothing is cached (pages are per caller), framed or loaded from
#: elsewhere. Only the map adds image hosts, for the online tiles a user may switch on.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def content_security_policy(img_sources: tuple[str, ...] = ()) -> str:
    """Same-origin scripts, styles and data only; `img_sources` for optional map tiles."""
    images = " ".join(("'self'", "data:", *img_sources))
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src {images}; connect-src 'self'; font-src 'self'; object-src 'none'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )


@dataclass(frozen=True)
class Caller:
    """What the top bar shows about the signed-in user and their enterprise."""

    enterprise_id: int
    enterprise_code: str
    enterprise_name: str
    enterprise_name_en: str | None
    username: str
    display_name: str
    role: str


@dataclass(frozen=True)
class Web:
    """One page request: the caller, a tenant-scoped unit of work, the translator."""

    request: Request
    container: Container
    principal: Principal
    tenant: TenantContext
    uow: UnitOfWork
    caller: Caller
    t: Translator

    @property
    def lang(self) -> str:
        return self.t.lang

    def local_name(self, name: str, name_en: str | None) -> str:
        """The name to show in the page language (English names are optional)."""
        return name_en if self.lang == "en" and name_en else name


def language_of(request: Request, user_locale: str | None = None) -> Translator:
    """The translator for a request (cookie, then user setting, then browser, then default)."""
    lang = negotiate(
        request.cookies.get(LANG_COOKIE), user_locale, request.headers.get("accept-language")
    )
    return Translator(lang)


def current_path(request: Request) -> str:
    """This page's path and query, for ``next=`` links back to it."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _caller(uow: UnitOfWork, principal: Principal) -> tuple[Caller, str | None]:
    ent = uow.session.get(Enterprise, principal.enterprise_id)
    user = uow.session.get(User, principal.user_id) if principal.user_id is not None else None
    caller = Caller(
        enterprise_id=principal.enterprise_id,
        enterprise_code=ent.code if ent else str(principal.enterprise_id),
        enterprise_name=ent.name if ent else str(principal.enterprise_id),
        enterprise_name_en=ent.name_en if ent else None,
        username=principal.username,
        display_name=user.display_name if user else principal.username,
        role=principal.role,
    )
    return caller, user.locale if user else None


def _open(request: Request, html: bool) -> Iterator[Web]:
    container = get_container(request)
    try:
        principal = authenticate(container, dict(request.headers))
    except AuthenticationFailed as exc:
        stale = SESSION_COOKIE in request.cookies
        raise LoginRequired(current_path(request), html, stale) from exc
    tenant = container.db.context_for(principal.enterprise_id, principal.user_id, principal.role)
    with container.db.unit_of_work(tenant) as uow:
        caller, locale = _caller(uow, principal)
        yield Web(request, container, principal, tenant, uow, caller, language_of(request, locale))


def page_context(request: Request) -> Iterator[Web]:
    """Dependency of HTML pages: an anonymous caller is sent to the login form."""
    yield from _open(request, html=True)


def data_context(request: Request) -> Iterator[Web]:
    """Dependency of the pages' JSON endpoints: an anonymous caller gets 401."""
    yield from _open(request, html=False)


WebDep = Annotated[Web, Depends(page_context)]
DataDep = Annotated[Web, Depends(data_context)]


def format_quantity(value: Decimal | float | int | None) -> str:
    """A quantity without trailing zeros, with thousands separators (1,250.5)."""
    if value is None:
        return ""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    text = f"{number.normalize():,f}"
    return "0" if text in ("-0", "") else text


def format_date(value: date | datetime | None) -> str:
    """ISO dates; timestamps to the minute (UTC), as logistics people read them."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja2 environment: autoescaped HTML, undefined names fail loudly."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(("html",)),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["qty"] = format_quantity
    env.filters["day"] = format_date
    env.filters["quote"] = lambda s: quote(str(s), safe="")
    env.globals["version"] = __version__
    env.globals["languages"] = LANGUAGE_NAMES
    return env


def render_page(
    request: Request,
    template: str,
    t: Translator,
    *,
    title: str,
    caller: Caller | None = None,
    active: str = "",
    status_code: int = 200,
    img_sources: tuple[str, ...] = (),
    **context: object,
) -> HTMLResponse:
    """Render `template` with what every page needs; sends a freshly minted CSRF cookie."""
    html = (
        environment()
        .get_template(template)
        .render(
            t=t,
            lang=t.lang,
            title=title,
            caller=caller,
            active=active,
            nav=getattr(request.app.state, "web_nav", ()),
            csrf=csrf_token(request),
            here=current_path(request),
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)
    response.headers["Content-Security-Policy"] = content_security_policy(img_sources)
    store_csrf(request, response)
    return response


def render(
    web: Web,
    template: str,
    *,
    title: str,
    active: str = "",
    status_code: int = 200,
    img_sources: tuple[str, ...] = (),
    **context: object,
) -> HTMLResponse:
    """Render a page of the signed-in shell (top bar, side navigation)."""
    return render_page(
        web.request,
        template,
        web.t,
        title=title,
        caller=web.caller,
        active=active,
        status_code=status_code,
        img_sources=img_sources,
        web=web,
        **context,
    )
