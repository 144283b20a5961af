"""Authentication of every ``/api/v1`` request and replay of idempotent POSTs.

Both live in one ASGI middleware so that no route can be added without them: any method on
any path under ``/api/v1`` (``/api/v1/auth/**`` aside) answers 401 without valid
credentials, whether or not the path exists.
"""

from __future__ import annotations

import hmac

from anyio import to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from supplymesh.api.container import Container
from supplymesh.api.errors import domain_problem
from supplymesh.network.services import principal_from_api_key, principal_from_token
from supplymesh.platform.auth import Principal
from supplymesh.platform.errors import AuthenticationFailed, DomainError, PermissionDenied
from supplymesh.platform.idempotency import StoredResponse, request_hash

API_PREFIX = "/api/v1"
PUBLIC_PREFIX = "/api/v1/auth/"
SESSION_COOKIE = "sm_session"
CSRF_COOKIE = "sm_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _cookie(headers: dict[str, str], name: str) -> str | None:
    for part in headers.get("cookie", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def authenticate(container: Container, headers: dict[str, str], method: str = "GET") -> Principal:
    """The principal behind a bearer token, an API key, or the web session cookie."""
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return principal_from_token(container.db, container.settings, auth[7:].strip())
    if key := headers.get("x-api-key"):
        return principal_from_api_key(container.db, key.strip())
    if cookie := _cookie(headers, SESSION_COOKIE):
        # A browser sends the cookie by itself: a state-changing call must also prove it
        # comes from our page (double-submit token, as the web forms do).
        if method not in SAFE_METHODS:
            expected = _cookie(headers, CSRF_COOKIE) or ""
            sent = headers.get("x-csrf-token", "")
            if not expected or not hmac.compare_digest(expected, sent):
                raise PermissionDenied("missing or wrong X-CSRF-Token for a cookie session")
        return principal_from_token(container.db, container.settings, cookie)
    raise AuthenticationFailed("authentication required: send a bearer token or an X-API-Key")


class ApiGuard:
    """ASGI middleware: authenticate `/api/v1`, then honour `Idempotency-Key` on POST."""

    def __init__(self, app: ASGIApp, container: Container) -> None:
        self.app = app
        self.container = container

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or not path.startswith(API_PREFIX)
            or path.startswith(PUBLIC_PREFIX)
        ):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        try:
            principal = await to_thread.run_sync(
                authenticate, self.container, headers, scope["method"]
            )
        except DomainError as exc:
            await domain_problem(exc)(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        key = headers.get("idempotency-key")
        if scope["method"] != "POST" or not key:
            await self.app(scope, receive, send)
            return
        await self._idempotent(scope, receive, send, principal, key)

    async def _idempotent(
        self, scope: Scope, receive: Receive, send: Send, principal: Principal, key: str
    ) -> None:
        body = bytearray()
        more = True
        while more:
            message = await receive()
            body.extend(message.get("body", b""))
            more = message.get("more_body", False)
        digest = request_hash(
            "POST", scope["path"] + "?" + scope.get("query_string", b"").decode(), bytes(body)
        )
        store = self.container.idempotency
        try:
            stored = await to_thread.run_sync(
                store.claim, principal.enterprise_id, key, "POST", scope["path"], digest
            )
        except DomainError as exc:
            await domain_problem(exc)(scope, receive, send)
            return
        if stored is not None:
            await _replay(stored, scope, receive, send)
            return

        sent_body = False

        async def replay_receive() -> Message:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        status = 500
        content_type = "application/json"
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = message["status"]
                for k, v in message.get("headers", []):
                    if k.lower() == b"content-type":
                        content_type = v.decode("latin-1")
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_receive, capture)
        except BaseException:
            await to_thread.run_sync(store.release, principal.enterprise_id, key)
            raise
        await to_thread.run_sync(
            store.complete,
            principal.enterprise_id,
            key,
            StoredResponse(status, content_type, b"".join(chunks)),
        )


async def _replay(stored: StoredResponse, scope: Scope, receive: Receive, send: Send) -> None:
    headers: list[tuple[bytes, bytes]] = [
        (b"content-type", stored.content_type.encode("latin-1")),
        (b"content-length", str(len(stored.body)).encode()),
        (b"idempotent-replayed", b"true"),
    ]
    await send({"type": "http.response.start", "status": stored.status, "headers": headers})
    await send({"type": "http.response.body", "body": stored.body})
