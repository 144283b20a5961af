"""The browser session: the JWT cookie, the CSRF token, the language cookie, safe redirects.

The session cookie holds the same JWT the API issues, so ``api.middleware.authenticate``
resolves a browser exactly like an API client and there is one source of truth for who is
calling. Because a cookie is sent by the browser on its own, every state-changing form also
carries a CSRF token: a random per-session value kept in a second cookie and repeated in a
hidden field (the double-submit pattern), compared in constant time. A cross-site page can
make the browser send the cookie but cannot read it to fill in the field.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import Response

from supplymesh.api.middleware import SESSION_COOKIE

CSRF_COOKIE = "sm_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
LANG_COOKIE = "lang"
LANG_MAX_AGE_S = 365 * 24 * 3600
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class LoginRequired(Exception):
    """The request needs a signed-in user; pages redirect to the login form, JSON gets 401."""

    def __init__(self, next_path: str, html: bool, stale_cookie: bool) -> None:
        super().__init__("login required")
        self.next_path = next_path
        self.html = html
        self.stale_cookie = stale_cookie


class CsrfRejected(Exception):
    """A state-changing request came without the form's CSRF token, or with a wrong one."""


def is_https(request: Request) -> bool:
    """Whether cookies may be marked Secure (only then would a browser send them back)."""
    return request.url.scheme == "https"


def csrf_token(request: Request) -> str:
    """The caller's CSRF token, minting one (remembered on the request) if it has none."""
    existing = request.cookies.get(CSRF_COOKIE)
    if existing:
        return existing
    minted = getattr(request.state, "new_csrf", None)
    if isinstance(minted, str):
        return minted
    token = secrets.token_urlsafe(32)
    request.state.new_csrf = token
    return token


def rotate_csrf(request: Request) -> str:
    """A fresh token for a new session (after login), so a planted one does not survive."""
    token = secrets.token_urlsafe(32)
    request.state.new_csrf = token
    return token


def store_csrf(request: Request, response: Response) -> None:
    """Send the cookie of a token minted during this request, if any."""
    token = getattr(request.state, "new_csrf", None)
    if isinstance(token, str):
        response.set_cookie(
            CSRF_COOKIE,
            token,
            httponly=True,
            samesite="lax",
            path="/",
            secure=is_https(request),
        )


async def verify_csrf(request: Request) -> None:
    """Reject an unsafe request whose token (form field or header) differs from the cookie.

    Installed on every web router, so a page added later is protected without thinking
    about it. A request from another origin is refused outright as defence in depth.
    """
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.url.netloc:
        raise CsrfRejected("cross-origin form post")
    expected = request.cookies.get(CSRF_COOKIE, "")
    submitted = request.headers.get(CSRF_HEADER, "")
    if not submitted and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD, "")
        submitted = value if isinstance(value, str) else ""
    if not expected or not submitted:
        raise CsrfRejected("missing CSRF token")
    if not hmac.compare_digest(expected.encode(), submitted.encode()):
        raise CsrfRejected("wrong CSRF token")


def start_session(request: Request, response: Response, token: str, max_age_s: int) -> None:
    """Set the session cookie (HttpOnly, SameSite=Lax; Secure over HTTPS) and a new CSRF token."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age_s,
        httponly=True,
        samesite="lax",
        path="/",
        secure=is_https(request),
    )
    rotate_csrf(request)
    store_csrf(request, response)


def end_session(request: Request, response: Response) -> None:
    """Forget the session and its CSRF token."""
    secure = is_https(request)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure)
    response.delete_cookie(CSRF_COOKIE, path="/", httponly=True, samesite="lax", secure=secure)


def set_language(request: Request, response: Response, lang: str) -> None:
    """Remember the chosen language for a year."""
    response.set_cookie(
        LANG_COOKIE,
        lang,
        max_age=LANG_MAX_AGE_S,
        httponly=True,
        samesite="lax",
        path="/",
        secure=is_https(request),
    )


def safe_next(target: str | None, default: str = "/") -> str:
    """`target` if it is a path on this site, else `default` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
