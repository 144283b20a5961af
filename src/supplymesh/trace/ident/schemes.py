"""GS1 schemes behind the `Scheme` interface: element strings/scan data, Digital Link, EPC URNs."""

from __future__ import annotations

from supplymesh.trace.ident.digital_link import generate_dl_uri, parse_dl_uri
from supplymesh.trace.ident.element_string import (
    AIPairs,
    association_errors,
    parse_bracketed,
    parse_unbracketed,
    scan_data_to_unbracketed,
    to_bracketed,
    to_unbracketed,
)
from supplymesh.trace.ident.epc import urn_to_ais, urn_to_dl
from supplymesh.trace.ident.linters import gs1_check_digit
from supplymesh.trace.ident.model import InvalidCode, ParsedCode, invalid


def _gs1_result(scheme: str, text: str, pairs: AIPairs, **extra: str | None) -> ParsedCode:
    dl = extra.pop("digital_link", None)
    if dl is None:
        try:
            dl = generate_dl_uri(pairs)
        except InvalidCode:
            dl = None  # element strings without a DL primary key have no DL URI
    return ParsedCode(
        scheme=scheme,
        valid=True,
        text=text,
        ais=pairs,
        bracketed=to_bracketed(pairs),
        unbracketed=to_unbracketed(pairs),
        digital_link=dl,
        epc_urn=extra.get("epc_urn"),
        warnings=tuple(association_errors(pairs)),
    )


def _retail_gtin(digits: str) -> AIPairs:
    if not digits.isdigit() or len(digits) not in (8, 12, 13, 14):
        raise InvalidCode(f"not a GTIN: {digits!r}")
    if gs1_check_digit(digits[:-1]) != int(digits[-1]):
        raise InvalidCode(f"GTIN {digits} has a wrong check digit")
    return (("01", digits.zfill(14)),)


class Gs1Scheme:
    """GS1 element strings: bracketed, ``^``-unbracketed, scanner output, bare GTINs."""

    name = "gs1"

    def claims(self, text: str) -> bool:
        """Bracketed or FNC1-led data, a symbology identifier, or 8/12/13/14 digits."""
        return (
            text[:1] in ("(", "^")
            or (text[:1] == "]" and not text[3:].startswith("http"))
            or (text.isdigit() and len(text) in (8, 12, 13, 14))
        )

    def parse(self, text: str) -> ParsedCode:
        """Parse and validate every AI (format, character set, linters)."""
        try:
            if text.startswith("("):
                pairs = parse_bracketed(text)
            elif text.startswith("^"):
                pairs = parse_unbracketed(text)
            elif text[:3] in ("]E0", "]E4"):
                pairs = _retail_gtin(text[3:])
            elif text.startswith("]"):
                pairs = parse_unbracketed(scan_data_to_unbracketed(text))
            else:
                pairs = _retail_gtin(text)
        except InvalidCode as exc:
            return invalid(self.name, text, exc.message)
        return _gs1_result(self.name, text, pairs)


class DigitalLinkScheme:
    """GS1 Digital Link URIs (also as QR/DotCode scan data ``]Q1…``, ``]J0…``)."""

    name = "gs1-dl"

    def claims(self, text: str) -> bool:
        """An http(s) URI, bare or behind a plain-data symbology identifier."""
        body = text[3:] if text[:1] == "]" else text
        return body.lower().startswith(("http://", "https://"))

    def parse(self, text: str) -> ParsedCode:
        """Extract the AIs (path, then query) and validate them as element strings."""
        uri = text[3:] if text[:1] == "]" else text
        try:
            pairs = parse_dl_uri(uri)
        except InvalidCode as exc:
            return invalid(self.name, text, exc.message)
        return _gs1_result(self.name, text, pairs, digital_link=uri)


class EpcUrnScheme:
    """EPC pure-identity URNs (``urn:epc:id:sgtin:…``) of the GS1 schemes."""

    name = "epc"

    def claims(self, text: str) -> bool:
        """Anything in the ``urn:epc:`` namespace."""
        return text.lower().startswith("urn:epc:")

    def parse(self, text: str) -> ParsedCode:
        """Map to AIs and a Digital Link URI; validate the AIs as element strings do."""
        try:
            dl = urn_to_dl(text)
            pairs = urn_to_ais(text)
            parse_bracketed(to_bracketed(pairs))  # the full AI checks (check digits, sets)
        except InvalidCode as exc:
            return invalid(self.name, text, exc.message)
        return _gs1_result(self.name, text, pairs, digital_link=dl, epc_urn=text)
