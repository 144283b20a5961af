"""Error hierarchy shared by every context.

Services raise these; `api/errors.py` maps them to HTTP problems and the CLI to one line on
stderr. Each error names what is wrong and the offending value.
"""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """Base of every error a use case raises on purpose."""

    status = 400
    title = "Bad request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The object does not exist or is not visible to the caller (never tell which)."""

    status = 404
    title = "Not found"

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key!s} not found")
        self.kind = kind
        self.key = key


class Conflict(DomainError):
    """The write would break a uniqueness rule or was made against a stale version."""

    status = 409
    title = "Conflict"


class StaleVersion(Conflict):
    """The caller wrote against an older version of the object (optimistic locking)."""

    def __init__(self, kind: str, key: object, expected: int, actual: int) -> None:
        super().__init__(
            f"{kind} {key!s} is at version {actual}, the write was based on version {expected}"
        )
        self.expected = expected
        self.actual = actual


class IllegalTransition(Conflict):
    """A state machine refused a transition."""

    def __init__(self, kind: str, current_state: str, wanted: str, allowed: list[str]) -> None:
        choices = ", ".join(allowed) or "none"
        move = f"{current_state!r} to {wanted!r}"
        super().__init__(f"{kind} cannot go from {move}; allowed: {choices}")
        self.current_state = current_state
        self.allowed_transitions = allowed


class PermissionDenied(DomainError):
    """The caller is authenticated but its role or enterprise may not do this."""

    status = 403
    title = "Forbidden"


class AuthenticationFailed(DomainError):
    """Credentials are missing, wrong or expired."""

    status = 401
    title = "Unauthorized"


class TooManyAttempts(DomainError):
    """Login throttled after repeated failures."""

    status = 429
    title = "Too many requests"

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of one input row (line 0 when not from a file)."""

    field: str
    message: str
    line: int | None = None


class ValidationFailed(DomainError):
    """Input was rejected; `errors` lists every problem found, not just the first."""

    status = 422
    title = "Validation failed"

    def __init__(self, errors: list[FieldError], summary: str = "Input is invalid") -> None:
        details = "; ".join(
            (f"line {e.line}: " if e.line is not None else "") + f"{e.field}: {e.message}"
            for e in errors[:5]
        )
        more = f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(f"{summary}: {details}{more}" if details else summary)
        self.errors = errors


def invalid(field: str, message: str, line: int | None = None) -> ValidationFailed:
    """Shorthand for a one-field validation error."""
    return ValidationFailed([FieldError(field, message, line)])
