"""A resolver node as its own small ASGI app: ``GET /resolve?code=…`` and ``GET /healthz``.

Resolution is public, like DNS: no login; partner-only attributes need a bearer token the
owning enterprise signed (`grants.py`). Errors are RFC 9457 problem documents with a ``kind``
the client maps back to the resolver's errors.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Header, Query
from fastapi.responses import JSONResponse

from supplymesh.platform.errors import DomainError
from supplymesh.trace.resolver.model import Record, ResolutionError
from supplymesh.trace.resolver.node import ResolverNode


def _problem(exc: DomainError) -> JSONResponse:
    kind = exc.kind if isinstance(exc, ResolutionError) else getattr(exc, "kind", "invalid-code")
    return JSONResponse(
        {"type": "about:blank", "title": exc.title, "status": exc.status,
         "detail": exc.message, "kind": kind},
        status_code=exc.status,
        media_type="application/problem+json",
    )  # fmt: skip


def create_node_app(node: ResolverNode) -> FastAPI:
    """The HTTP face of one node."""
    app = FastAPI(title=f"SupplyMesh resolver node {node.name} ({node.tier})", docs_url=None)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "tier": node.tier, "prefix": node.name}

    @app.get("/resolve", response_model=None)
    async def resolve(
        code: Annotated[str, Query(min_length=1)],
        authorization: Annotated[str | None, Header()] = None,
    ) -> dict[str, object] | JSONResponse:
        token = None
        if authorization and authorization.lower().startswith("bearer "):
            token = authorization[7:].strip()
        try:
            answer = node.answer(code, token)
        except DomainError as exc:
            return _problem(exc)
        if isinstance(answer, Record):
            return {"record": answer.to_json()}
        return {"referral": answer.to_json()}

    return app
