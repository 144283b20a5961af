"""Where a parsed code sits in the resolution hierarchy: the mapping rule for every scheme.

- Handle ``88.100.1/ABC``: labels ``("88", "100", "1")`` (national ``88``, secondary
  ``88.100``, enterprise ``88.100.1``); record key the whole code.
- GS1 (element string, Digital Link URI, EPC URN): GS1 acts as a national node named ``gs1``;
  its secondary nodes are the three-digit GS1 prefixes of the member organisations (``690``–``699``
  GS1 China); enterprise nodes are GS1 company prefixes, written ``gs1.690.6901234``. The code's
  company digits are its primary key without the leading indicator / extension digit (GTIN, SSCC,
  GRAI) or as is (GLN, GIAI, GSRN…); since a company prefix has 4–12 digits, a delegation matches
  when its digits lead the code's. Record keys: the bracketed primary key with its qualifiers
  (``(01)…(21)…``), then the primary key alone, so a serial without its own record falls back to
  its product's (as GS1's resolver does).
- OID ``1.2.156.…``: labels ``("oid", "1", "2", "156", …)``; record key ``oid:`` and the arcs.
"""

from __future__ import annotations

from itertools import takewhile

from supplymesh.trace.ident.model import InvalidCode, ParsedCode
from supplymesh.trace.ident.services import parse_code
from supplymesh.trace.resolver.model import CodeName, labels_of

# Primary-key AIs and how many leading digits precede the GS1 company prefix.
_GS1_PRIMARY_OFFSET = {
    "01": 1, "00": 1, "8003": 1, "8006": 1,
    "414": 0, "417": 0, "8004": 0, "8010": 0, "8017": 0, "8018": 0,
    "253": 0, "255": 0, "401": 0, "402": 0, "8013": 0,
}  # fmt: skip
# Key qualifiers (GS1 Digital Link path AIs after a primary key); data attributes are not keys.
_GS1_QUALIFIERS = {"22", "10", "21", "235", "254", "7040", "8011", "8019", "8020"}


def code_name(text: str) -> CodeName:
    """Map a code of any scheme onto the hierarchy; raises the parser's `InvalidCode`."""
    parsed = parse_code(text).require_valid()
    if parsed.scheme == "handle":
        parts = dict(parsed.parts)
        return CodeName(labels=labels_of(parts["prefix"]), keys=(parsed.text,))
    if parsed.scheme == "oid":
        arcs = dict(parsed.parts)["oid"]
        return CodeName(labels=("oid", *arcs.split(".")), keys=(f"oid:{arcs}",))
    return _gs1_name(parsed)


def _gs1_name(parsed: ParsedCode) -> CodeName:
    primary = next((p for p in parsed.ais if p[0] in _GS1_PRIMARY_OFFSET), None)
    if primary is None:
        raise InvalidCode(f"no GS1 primary key to resolve by in {parsed.text!r}")
    ai, value = primary
    digits = value[_GS1_PRIMARY_OFFSET[ai] :]
    company = "".join(takewhile(str.isdigit, digits))  # GIAI/GRAI serials may be alphanumeric
    if len(company) < 4:
        raise InvalidCode(f"({ai}) {value} has too few digits for a GS1 company prefix")
    qualified = [primary, *(p for p in parsed.ais if p[0] in _GS1_QUALIFIERS)]
    keys = tuple(dict.fromkeys(("".join(f"({a}){v}" for a, v in qualified), f"({ai}){value}")))
    return CodeName(labels=("gs1", company[:3], company), keys=keys, open_last=True)
