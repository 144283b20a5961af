"""Values and errors of EPCIS validation."""

from __future__ import annotations

from dataclasses import dataclass

from supplymesh.platform.errors import DomainError


class EpcisSchemaMissing(DomainError):
    """GS1's EPCIS schemas are not where `SUPPLYMESH_DATA_DIR` points (we do not ship them)."""


@dataclass(frozen=True)
class ValidationReport:
    """The verdict on one document: valid, or every error found with where it is."""

    source: str
    syntax: str  # "json" or "xml"
    kind: str  # EPCISDocument, EPCISQueryDocument, ObjectEvent, query, …
    errors: tuple[str, ...]

    @property
    def valid(self) -> bool:
        """Whether no error was found."""
        return not self.errors

    def to_json(self) -> dict[str, object]:
        """The `epcis validate --json` shape of one document."""
        return {
            "file": self.source,
            "syntax": self.syntax,
            "kind": self.kind,
            "valid": self.valid,
            "errors": list(self.errors),
        }
