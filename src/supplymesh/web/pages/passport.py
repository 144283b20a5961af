"""The scan page: a GS1 Digital Link served by us opens the product passport.

Public on purpose (a consumer or an inspector scans a label without an account); a signed-in
caller is recognised from the same session cookie or token as everywhere else and may see
more (see `trace.passport`). The same URL answers JSON for ``Accept: application/json`` or
``?format=json`` (link type ``gs1:pip``), and a GS1 resolver linkset (RFC 9264) for
``?linkType=linkset`` or ``Accept: application/linkset+json``.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from supplymesh.api.deps import get_container
from supplymesh.api.middleware import authenticate
from supplymesh.platform.errors import AuthenticationFailed
from supplymesh.platform.tenancy import TenantContext
from supplymesh.trace.ident.model import InvalidCode
from supplymesh.trace.passport import Passport, ScannedCode, UnknownCode, build
from supplymesh.web.context import language_of, render_page
from supplymesh.web.nav import PageSet, web_router

router = web_router()
LINKSET = "application/linkset+json"
GS1_VOC = "https://gs1.org/voc/"


def _viewer(request: Request) -> TenantContext | None:
    container = get_container(request)
    try:
        principal = authenticate(container, dict(request.headers))
    except AuthenticationFailed:
        return None
    return container.db.context_for(principal.enterprise_id, principal.user_id, principal.role)


def _wants(request: Request) -> str:
    """ "json", "linkset" or "html", from the query first, then the Accept header."""
    params = request.query_params
    if params.get("linkType") in ("linkset", "all"):
        return "linkset"
    if params.get("format") == "json":
        return "json"
    accept = request.headers.get("accept", "")
    if LINKSET in accept:
        return "linkset"
    if "application/json" in accept and "text/html" not in accept:
        return "json"
    return "html"


def _problem(status: int, title: str, detail: str) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def _linkset(request: Request, passport: Passport) -> JSONResponse:
    here = str(request.url.replace(query=""))
    link = {"href": here, "title": passport.item_name, "type": "text/html"}
    body = {
        "linkset": [
            {
                "anchor": here,
                f"{GS1_VOC}pip": [
                    link,
                    {**link, "href": f"{here}?format=json", "type": "application/json"},
                ],
                f"{GS1_VOC}defaultLink": [link],
                "itemDescription": passport.item_name,
            }
        ]
    }
    return JSONResponse(body, media_type=LINKSET)


@router.get("/01/{rest:path}", response_model=None)
def scan(request: Request, rest: str) -> Response:
    """Open a scanned GTIN-based Digital Link: the passport page, or its JSON forms."""
    wants = _wants(request)
    t = language_of(request)
    uri = str(request.url)
    try:
        code = ScannedCode.parse(uri)
        passport = build(get_container(request).db, code, _viewer(request))
    except (InvalidCode, UnknownCode) as exc:
        status = 404 if isinstance(exc, UnknownCode) else 400
        kind = "unknown" if status == 404 else "invalid"
        if wants != "html":
            return _problem(status, t(f"passport.error.{kind}"), exc.message)
        return render_page(
            request,
            "error.html",
            t,
            title=t(f"passport.error.{kind}"),
            message=f"{t(f'passport.error.{kind}_hint')} {exc.message}",
            status_code=status,
        )
    if wants == "json":
        return JSONResponse(passport.to_json())
    if wants == "linkset":
        return _linkset(request, passport)
    return render_page(
        request,
        "passport.html",
        t,
        title=passport.item_name,
        passport=passport,
        counts=passport.counts(),
        json_href=str(request.url.include_query_params(format="json")),
    )


PAGES = PageSet(router, ())
