"""The one interface every code scheme plugs in behind."""

from __future__ import annotations

from typing import Protocol

from supplymesh.trace.ident.model import ParsedCode


class Scheme(Protocol):
    """A code scheme: recognises its codes cheaply and parses them into a `ParsedCode`."""

    name: str

    def claims(self, text: str) -> bool:
        """Whether `text` looks like this scheme's code (syntax sniffing only, no validation)."""
        ...

    def parse(self, text: str) -> ParsedCode:
        """Parse and validate `text`; invalid codes come back with ``valid=False``."""
        ...
