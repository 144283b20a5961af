"""GS1 Digital Link URIs to element strings and back (GS1 Syntax Engine rules and defaults).

Defaults as the Syntax Engine's: numeric AIs only (no convenience alphas like ``/gtin/``), no
unknown AIs, query AIs must be DL data attributes, a path must be a primary key followed by its
qualifiers in dictionary order.
"""

from __future__ import annotations

import re

from supplymesh.trace.ident.element_string import AIPairs, check_value
from supplymesh.trace.ident.model import InvalidCode
from supplymesh.trace.ident.syntax import AIEntry, lookup

DEFAULT_STEM = "https://id.gs1.org"
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_URI = re.compile(r"^(https?)://([^/?#]*)(/[^?#]*)?(?:\?([^#]*))?(?:#.*)?$")
_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*)|\[[0-9A-Fa-f:.]+\])(?::\d+)?$")
_BAD_CHARS = frozenset('<>{}|\\^`" ')


def uri_escape(value: str, *, query: bool) -> str:
    """Percent-encode all but unreserved characters; in a query a space becomes ``+``."""
    out = []
    for byte in value.encode("latin-1", errors="strict"):
        c = chr(byte)
        if c in _UNRESERVED:
            out.append(c)
        elif c == " " and query:
            out.append("+")
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def uri_unescape(value: str, *, query: bool) -> str:
    """Percent-decode; malformed ``%`` sequences stay literal; in a query ``+`` is a space."""
    out: list[str] = []
    i = 0
    while i < len(value):
        c = value[i]
        hexpair = value[i + 1 : i + 3]
        if c == "%" and len(hexpair) == 2 and all(h in "0123456789abcdefABCDEF" for h in hexpair):
            out.append(chr(int(hexpair, 16)))
            i += 3
            continue
        out.append(" " if c == "+" and query else c)
        i += 1
    return "".join(out)


def is_valid_path_sequence(path_ais: list[str]) -> bool:
    """Whether AIs form a DL path: a primary key, then qualifiers of one alternative in order."""
    key = lookup(path_ais[0])
    if key is None or key.dl_qualifiers is None:
        return False
    rest = path_ais[1:]
    for alternative in key.dl_qualifiers:
        it = iter(alternative)
        if all(ai in it for ai in rest):  # a subsequence, in the dictionary's order
            return True
    return False


def parse_dl_uri(uri: str) -> AIPairs:
    """The AIs of a GS1 Digital Link URI: path AIs first, then query AIs, in URI order."""
    m = _URI.match(uri)
    if m is None:
        raise InvalidCode(f"not an http(s) URI: {uri!r}")
    host, path, query = m.group(2), m.group(3) or "", m.group(4) or ""
    if not _HOST.match(host):
        raise InvalidCode(f"bad host in URI: {host!r}")
    if any(c in _BAD_CHARS for c in path + query) or any(ord(c) > 126 for c in uri):
        raise InvalidCode(f"illegal character in URI {uri!r}")
    segments = path.split("/")[1:]
    # The AI path is the longest tail of (numeric AI, value) pairs; what precedes is the stem.
    path_pairs: list[tuple[str, str]] = []
    i = len(segments)
    while i >= 2 and segments[i - 2].isdigit() and lookup(segments[i - 2]) is not None:
        path_pairs.insert(0, (segments[i - 2], uri_unescape(segments[i - 1], query=False)))
        i -= 2
    if not path_pairs:
        raise InvalidCode(f"no GS1 primary key in the URI path: {uri!r}")
    path_ais = [ai for ai, _ in path_pairs]
    while len(path_ais) > 1 and not is_valid_path_sequence(path_ais):
        path_pairs.pop(0)
        path_ais.pop(0)
    if not is_valid_path_sequence(path_ais):
        raise InvalidCode(f"the URI path is no valid DL key/qualifier sequence: {path_ais}")
    query_pairs: list[tuple[str, str]] = []
    for param in query.split("&"):
        if not param or "=" not in param:
            continue  # empty parameters and singletons carry no AI
        name, _, raw = param.partition("=")
        if not name.isdigit():
            continue  # non-numeric parameters (linkType, …) are not AI data
        entry = lookup(name)
        if entry is None:
            raise InvalidCode(f"unknown AI ({name}) in the URI query")
        if not entry.dl_attribute:
            raise InvalidCode(f"AI ({name}) is not a valid DL URI data attribute")
        query_pairs.append((name, uri_unescape(raw, query=True)))
    key = lookup(path_ais[0])
    assert key is not None and key.dl_qualifiers is not None
    qualifiers = {ai for alt in key.dl_qualifiers for ai in alt}
    seen = set(path_ais)
    for ai, _ in query_pairs:
        if ai in seen:
            raise InvalidCode(f"AI ({ai}) appears more than once in the URI")
        if ai in qualifiers:
            raise InvalidCode(f"AI ({ai}) is a key qualifier and belongs in the URI path")
        seen.add(ai)
    pairs = tuple(path_pairs + query_pairs)
    for ai, value in pairs:
        entry = lookup(ai)
        assert entry is not None
        if any(c in value for c in "\x00"):
            raise InvalidCode(f"AI ({ai}) value contains a NUL")
        check_value(entry, value)
    return pairs


def _order_for_query(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    # The Syntax Engine emits pre-defined-length AIs first; keep its order so our URIs match.
    def fixed(ai: str) -> bool:
        entry = lookup(ai)
        return entry is not None and entry.predefined_length

    return [p for p in pairs if fixed(p[0])] + [p for p in pairs if not fixed(p[0])]


def generate_dl_uri(pairs: AIPairs, stem: str = DEFAULT_STEM) -> str:
    """A GS1 Digital Link URI for element-string AIs: first primary key, its qualifiers, query."""
    unique: list[tuple[str, str]] = []
    for ai, value in pairs:
        prior = next((v for a, v in unique if a == ai), None)
        if prior is None:
            unique.append((ai, value))
        elif prior != value:
            raise InvalidCode(f"AI ({ai}) repeated with different values")
    key: AIEntry | None = None
    for ai, _ in unique:
        entry = lookup(ai)
        if entry is not None and entry.is_dl_primary_key:
            key = entry
            break
    if key is None or key.dl_qualifiers is None:
        raise InvalidCode("no GS1 Digital Link primary key in the data")
    present = {ai for ai, _ in unique}
    usable = [alt for alt in key.dl_qualifiers if present & set(alt) or not alt]
    all_qualifiers = {ai for alt in key.dl_qualifiers for ai in alt}
    chosen: tuple[str, ...] = ()
    if any(present & set(alt) for alt in key.dl_qualifiers):
        fitting = [alt for alt in usable if (present & all_qualifiers) <= set(alt)]
        if not fitting:
            raise InvalidCode(f"key qualifiers of ({key.ai}) from different alternatives")
        chosen = fitting[0]
    values = dict(unique)
    path = [(key.ai, values[key.ai])] + [(ai, values[ai]) for ai in chosen if ai in present]
    in_path = {ai for ai, _ in path}
    rest = [(ai, v) for ai, v in unique if ai not in in_path]
    out = stem.rstrip("/") + "".join(
        f"/{ai}/{uri_escape(value, query=False)}" for ai, value in path
    )
    if rest:
        out += "?" + "&".join(
            f"{ai}={uri_escape(value, query=True)}" for ai, value in _order_for_query(rest)
        )
    return out
