"""Use cases of identifiers: parse any code, turn an element string into a Digital Link URI."""

from __future__ import annotations

from supplymesh.trace.ident.digital_link import DEFAULT_STEM, generate_dl_uri
from supplymesh.trace.ident.handle import HandleScheme, OidScheme
from supplymesh.trace.ident.model import InvalidCode, ParsedCode, invalid
from supplymesh.trace.ident.ports import Scheme
from supplymesh.trace.ident.schemes import DigitalLinkScheme, EpcUrnScheme, Gs1Scheme

# Order matters only where claims overlap: URIs and URNs before Handle's prefix/suffix test.
SCHEMES: tuple[Scheme, ...] = (
    DigitalLinkScheme(),
    EpcUrnScheme(),
    Gs1Scheme(),
    OidScheme(),
    HandleScheme(),
)


def parse_code(text: str) -> ParsedCode:
    """Parse a code of any supported scheme; an unrecognised one comes back invalid."""
    text = text.strip("\r\n")  # not str.strip(): spaces are data and GS (0x1d) a separator
    for scheme in SCHEMES:
        if scheme.claims(text):
            return scheme.parse(text)
    return invalid("gs1", text, f"not a code of any supported scheme: {text!r}")


def element_string_to_dl(element_string: str, stem: str = DEFAULT_STEM) -> str:
    """The GS1 Digital Link URI for a bracketed or unbracketed element string (or scan data)."""
    parsed = Gs1Scheme().parse(element_string.strip()).require_valid()
    return generate_dl_uri(parsed.ais, stem)


__all__ = ["InvalidCode", "element_string_to_dl", "parse_code"]
