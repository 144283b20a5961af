"""Values and errors of identifier parsing: what every scheme hands back."""

from __future__ import annotations

from dataclasses import dataclass, field

from supplymesh.platform.errors import DomainError

SCHEMES = ("gs1", "gs1-dl", "epc", "handle", "oid")


class InvalidCode(DomainError):
    """A code that no scheme accepts, or that breaks its scheme's rules; says which rule."""

    status = 422
    title = "Invalid code"


@dataclass(frozen=True)
class ParsedCode:
    """The outcome of parsing one code: valid or not, with its GS1 AIs where it has any.

    An invalid code is still a value (``valid=False`` and ``error``), so that callers that
    validate many codes need no exception handling; `require_valid` turns it into an error.
    """

    scheme: str
    valid: bool
    text: str
    ais: tuple[tuple[str, str], ...] = ()
    bracketed: str | None = None
    unbracketed: str | None = None
    digital_link: str | None = None
    epc_urn: str | None = None
    parts: tuple[tuple[str, str], ...] = ()
    error: str | None = None
    warnings: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, object]:
        """The CLI/API shape: `ais` as [ai, value] lists in input order."""
        return {
            "scheme": self.scheme,
            "valid": self.valid,
            "input": self.text,
            "ais": [[ai, value] for ai, value in self.ais],
            "bracketed": self.bracketed,
            "unbracketed": self.unbracketed,
            "digital_link": self.digital_link,
            "epc_urn": self.epc_urn,
            "parts": dict(self.parts),
            "error": self.error,
            "warnings": list(self.warnings),
        }

    def require_valid(self) -> ParsedCode:
        """Return self, or raise `InvalidCode` with the reason."""
        if not self.valid:
            raise InvalidCode(self.error or f"invalid {self.scheme} code {self.text!r}")
        return self


def invalid(scheme: str, text: str, reason: str) -> ParsedCode:
    """An invalid result for `scheme`, naming the reason."""
    return ParsedCode(scheme=scheme, valid=False, text=text, error=reason)
