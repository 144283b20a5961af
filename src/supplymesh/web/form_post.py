"""How a page's write ends: one flow and one wording for refusals, in every context.

A form posts, the command runs in the request's unit of work, and either it commits and the
browser is redirected (so a reload never posts twice) or the page the form came from is shown
again with the message and the status the API would answer: 422 for a form that fails
validation (naming each field), 403, 409 naming the current state and the allowed moves, or the
domain error's own status. A refused write is rolled back, never half-kept.

The words for states come from each context's label catalogue and its own illegal-move sentence
("this proposal is …" reads better than a generic line); everything else is worded once here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from supplymesh.platform.errors import (
    Conflict,
    DomainError,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    StaleVersion,
)
from supplymesh.web.context import Web

Command = TypeVar("Command")
Outcome = TypeVar("Outcome")


@dataclass(frozen=True)
class Wording:
    """A context's words for its refusals.

    states
        Label catalogue of the documents' states (``t.label(states, value)``).
    illegal
        Message key taking ``{current}`` and ``{allowed}`` for a move the state does not allow.
    forbidden_reason
        Say the domain's reason for a 403 (a role or a party rule); otherwise the generic "only
        an administrator of your enterprise" line of pages that only admins may use.
    """

    states: str
    illegal: str
    forbidden_reason: bool = False


def refused(web: Web, exc: DomainError, wording: Wording) -> tuple[str, int]:
    """The translated message and status of a refused write, after discarding its changes."""
    web.uow.session.rollback()
    t = web.t
    if isinstance(exc, PermissionDenied):
        if wording.forbidden_reason:
            return t("error.forbidden_because", detail=exc.message), 403
        return t("error.forbidden"), 403
    if isinstance(exc, IllegalTransition):
        current = t.label(wording.states, exc.current_state)
        allowed = "、".join(t.label(wording.states, s) for s in exc.allowed_transitions)
        return t(wording.illegal, current=current, allowed=allowed or "—"), 409
    if isinstance(exc, StaleVersion):
        return t("error.stale", version=exc.actual), 409
    if isinstance(exc, Conflict):
        return t("error.conflict", detail=exc.message), 409
    return t("error.invalid", detail=exc.message), exc.status


def optional(text: str) -> str | None:
    """A form field as the command wants it: stripped, and None when left empty."""
    return text.strip() or None


def posted_int(text: str) -> int | None:
    """A whole number the form carried (a version for optimistic locking, an id), or None."""
    return int(text) if text.strip().isdigit() else None


def invalid_form(web: Web, exc: ValidationError) -> str:
    """The translated message of a form that failed validation, naming each field."""
    detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
    return web.t("error.invalid", detail=detail)


def submit(
    web: Web,
    *,
    parse: Callable[[], Command],
    run: Callable[[Command], Outcome],
    redisplay: Callable[[str, int], Response],
    done: Callable[[Outcome], str],
    wording: Wording,
    missing: Callable[[], Response] | None = None,
) -> Response:
    """Parse the form, run the command and commit; redirect to ``done(outcome)`` (303).

    ``redisplay(alert, status)`` renders the page the form came from; ``missing()`` answers a
    document the caller may not see (404, without saying whether it exists). Without it a
    ``NotFound`` propagates.
    """
    try:
        try:
            command = parse()
        except ValidationError as exc:
            return redisplay(invalid_form(web, exc), 422)
        try:
            outcome = run(command)
            web.uow.commit()
        except NotFound:
            raise
        except DomainError as exc:
            message, status = refused(web, exc, wording)
            return redisplay(message, status)
    except NotFound:
        web.uow.session.rollback()
        if missing is None:
            raise
        return missing()
    return RedirectResponse(done(outcome), status_code=303)
