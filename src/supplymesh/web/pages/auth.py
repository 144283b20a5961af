"""Sign in, sign out, and switch language."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from supplymesh.api.deps import get_container
from supplymesh.api.middleware import authenticate
from supplymesh.network.services import login
from supplymesh.platform.errors import AuthenticationFailed, TooManyAttempts
from supplymesh.web.context import language_of, render_page
from supplymesh.web.i18n import SUPPORTED, Translator
from supplymesh.web.nav import PageSet, web_router
from supplymesh.web.session import end_session, safe_next, set_language, start_session

router = web_router()


def _signed_in(request: Request) -> bool:
    try:
        authenticate(get_container(request), dict(request.headers))
    except AuthenticationFailed:
        return False
    return True


def _login_form(
    request: Request,
    t: Translator,
    next_path: str,
    username: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render_page(
        request,
        "login.html",
        t,
        title=t("login.title"),
        next_path=next_path,
        username=username,
        error=error,
        status_code=status_code,
    )


@router.get("/login", response_model=None)
def login_page(request: Request, next: str = "/") -> Response:
    """The login form; someone already signed in goes straight on."""
    target = safe_next(next)
    if _signed_in(request):
        return RedirectResponse(target, status_code=303)
    return _login_form(request, language_of(request), target)


@router.post("/login", response_model=None)
def login_submit(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the password; on success keep the token in the session cookie and go on."""
    t = language_of(request)
    target = safe_next(next)
    username = username.strip()
    if not username or not password:
        return _login_form(request, t, target, username, t("login.error.missing"), 400)
    container = get_container(request)
    client = request.client.host if request.client else "unknown"
    try:
        token, _principal = login(container.db, container.settings, username, password, client)
    except TooManyAttempts as exc:
        minutes = max(1, exc.retry_after_s // 60)
        throttled = _login_form(
            request, t, target, username, t("login.error.throttled", minutes=minutes), 429
        )
        throttled.headers["Retry-After"] = str(exc.retry_after_s)
        return throttled
    except AuthenticationFailed:
        return _login_form(request, t, target, username, t("login.error.invalid"), 401)
    response = RedirectResponse(target, status_code=303)
    start_session(request, response, token, container.settings.access_token_minutes * 60)
    return response


@router.post("/logout", response_model=None)
def logout(request: Request) -> Response:
    """End the session (the CSRF check on this router keeps other sites from doing it)."""
    response = RedirectResponse("/login", status_code=303)
    end_session(request, response)
    return response


@router.get("/lang/{lang}", response_model=None)
def switch_language(request: Request, lang: str, next: str = "/") -> Response:
    """Remember the chosen language and return to the page the link was on."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if lang in SUPPORTED:
        set_language(request, response, lang)
    return response


PAGES = PageSet(router)
