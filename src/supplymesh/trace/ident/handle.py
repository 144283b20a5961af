"""Handle-style industrial-internet identifiers and OIDs: the white paper's other code schemes.

A Handle-style code is ``prefix/suffix``; the prefix is dot-separated and hierarchical, so
``88.100.1`` is the enterprise prefix ``1`` under the secondary (industry) node ``88.100``, under
the national top-level node ``88``. Each dotted head of the prefix names the resolver tier that
answers for it.
"""

from __future__ import annotations

import re

from supplymesh.trace.ident.model import ParsedCode, invalid

_PREFIX = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]*(?:\.[0-9A-Za-z][0-9A-Za-z-]*)*$")
_OID = re.compile(r"^(?:urn:oid:)?(\d+(?:\.\d+)+)$")
_TIERS = ("national", "secondary", "enterprise")


def prefix_chain(prefix: str) -> list[str]:
    """Every node prefix from the top down: ``88.100.1`` → ``88``, ``88.100``, ``88.100.1``."""
    segments = prefix.split(".")
    return [".".join(segments[: i + 1]) for i in range(len(segments))]


class HandleScheme:
    """``prefix/suffix`` codes (Handle System, China's industrial-internet identifiers)."""

    name = "handle"

    def claims(self, text: str) -> bool:
        """A dotted or plain prefix, a slash, something after it, and no URI scheme."""
        head, sep, _ = text.partition("/")
        return bool(sep) and ":" not in head and bool(_PREFIX.match(head))

    def parse(self, text: str) -> ParsedCode:
        """Split prefix and suffix and name the node prefixes per tier."""
        prefix, sep, suffix = text.partition("/")
        if not sep or not _PREFIX.match(prefix):
            return invalid(self.name, text, f"not a Handle-style prefix: {prefix!r}")
        if not suffix:
            return invalid(self.name, text, "empty suffix after the prefix")
        if any(ord(c) < 0x21 or ord(c) == 0x7F for c in suffix):
            return invalid(self.name, text, "control or space character in the suffix")
        chain = prefix_chain(prefix)
        parts = [("prefix", prefix), ("suffix", suffix)]
        parts += [(f"{tier}_prefix", p) for tier, p in zip(_TIERS, chain, strict=False)]
        return ParsedCode(scheme=self.name, valid=True, text=text, parts=tuple(parts))


class OidScheme:
    """ISO/ITU object identifiers such as ``1.2.156.…`` (China's OID arc is 1.2.156)."""

    name = "oid"

    def claims(self, text: str) -> bool:
        """Digits and dots only (optionally ``urn:oid:``), at least two arcs."""
        return bool(_OID.match(text))

    def parse(self, text: str) -> ParsedCode:
        """Check the arcs: no leading zeros, root 0–2, second arc < 40 under roots 0 and 1."""
        m = _OID.match(text)
        if m is None:
            return invalid(self.name, text, f"not an OID: {text!r}")
        arcs = m.group(1).split(".")
        if any(len(a) > 1 and a[0] == "0" for a in arcs):
            return invalid(self.name, text, "an OID arc has a leading zero")
        if int(arcs[0]) > 2:
            return invalid(self.name, text, f"OID root arc {arcs[0]} is not 0, 1 or 2")
        if int(arcs[0]) < 2 and int(arcs[1]) >= 40:
            return invalid(self.name, text, f"second arc {arcs[1]} must be < 40 under root 0/1")
        parts = (("oid", m.group(1)), ("arcs", str(len(arcs))))
        return ParsedCode(scheme=self.name, valid=True, text=text, parts=parts)
