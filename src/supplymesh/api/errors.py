"""Map domain errors to RFC 9457 problem documents."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from supplymesh.platform.errors import (
    DomainError,
    IllegalTransition,
    TooManyAttempts,
    ValidationFailed,
)

PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def domain_problem(exc: DomainError) -> JSONResponse:
    extra: dict[str, Any] = {}
    if isinstance(exc, ValidationFailed):
        extra["errors"] = [
            {"line": e.line, "field": e.field, "message": e.message} for e in exc.errors
        ]
    if isinstance(exc, IllegalTransition):
        extra["current_state"] = exc.current_state
        extra["allowed_transitions"] = exc.allowed_transitions
    response = problem(exc.status, exc.title, exc.message, **extra)
    if isinstance(exc, TooManyAttempts):
        response.headers["Retry-After"] = str(exc.retry_after_s)
    return response


def install(app: FastAPI) -> None:
    """Register the handlers that turn errors into problem documents."""

    async def on_domain(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        return domain_problem(exc)

    async def on_validation(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = []
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
            errors.append(
                {
                    "line": None,
                    "field": ".".join(loc) or "body",
                    "message": err.get("msg", "invalid"),
                }
            )
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return problem(422, "Validation failed", detail, errors=errors)

    app.add_exception_handler(DomainError, on_domain)
    app.add_exception_handler(RequestValidationError, on_validation)
