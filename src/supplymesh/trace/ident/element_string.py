"""GS1 element strings: bracketed ``(01)…(10)…``, unbracketed ``^01…^10…`` and scan data.

Follows the GS1 Barcode Syntax Engine's conventions (FNC1 written ``^``; an FNC1 separator after
an AI only when the AI lacks the Syntax Dictionary's pre-defined-length ``*`` flag and another
AI follows), so its test vectors apply unchanged.
"""

from __future__ import annotations

from supplymesh.trace.ident.linters import CSET39, CSET64, CSET82, lint
from supplymesh.trace.ident.model import InvalidCode
from supplymesh.trace.ident.syntax import AIEntry, lookup, match_prefix, matches_pattern

AIPairs = tuple[tuple[str, str], ...]

_CSETS = {"X": CSET82, "Y": CSET39, "Z": CSET64 | {"="}}
_CSET_ERR = {"X": "CSET82", "Y": "CSET39", "Z": "CSET64"}


def _entry(ai: str) -> AIEntry:
    entry = lookup(ai)
    if entry is None:
        raise InvalidCode(f"unknown AI ({ai})")
    return entry


def check_value(entry: AIEntry, value: str) -> None:
    """Check a value against its AI's format components and linters; raise on the first fault."""
    ai = entry.ai
    if not value:
        raise InvalidCode(f"AI ({ai}) has no value")
    if len(value) > entry.max_length:
        raise InvalidCode(f"AI ({ai}) value {value!r} is too long")
    pos = 0
    for comp in entry.components:
        if pos >= len(value) and comp.optional:
            break
        take = comp.max_len
        part = value[pos : pos + take]
        if len(part) < comp.min_len:
            raise InvalidCode(f"AI ({ai}) value {value!r} is too short")
        if comp.kind == "N":
            bad = next((i for i, c in enumerate(part) if not "0" <= c <= "9"), None)
            if bad is not None:
                raise InvalidCode(
                    f"AI ({ai}) value {value!r}: GS1_LINTER_NON_DIGIT_CHARACTER {part[bad]!r}"
                )
        else:
            bad = next((i for i, c in enumerate(part) if c not in _CSETS[comp.kind]), None)
            if bad is not None:
                raise InvalidCode(
                    f"AI ({ai}) value {value!r}: "
                    f"GS1_LINTER_INVALID_{_CSET_ERR[comp.kind]}_CHARACTER {part[bad]!r}"
                )
        for name in comp.linters:
            err = lint(name, part)
            if err is not None:
                raise InvalidCode(f"AI ({ai}) value {value!r} fails {name}: {err.code}")
        pos += len(part)
    if pos < len(value):
        raise InvalidCode(f"AI ({ai}) value {value!r} is too long")


def parse_bracketed(text: str) -> AIPairs:
    """Split ``(AI)value…`` into pairs (``\\(`` escapes a literal bracket) and check each."""
    pairs: list[tuple[str, str]] = []
    i = 0
    if not text.startswith("("):
        raise InvalidCode(f"bracketed element string must start with '(': {text!r}")
    while i < len(text):
        if text[i] != "(":
            raise InvalidCode(f"expected '(' at position {i} of {text!r}")
        close = text.find(")", i)
        ai = text[i + 1 : close] if close > 0 else ""
        if close < 0 or not ai.isdigit() or not 2 <= len(ai) <= 4:
            raise InvalidCode(f"malformed AI at position {i} of {text!r}")
        j = close + 1
        chars: list[str] = []
        while j < len(text) and text[j] != "(":
            if text.startswith("\\(", j):
                chars.append("(")
                j += 2
            else:
                chars.append(text[j])
                j += 1
        pairs.append((ai, "".join(chars)))
        i = j
    for ai, value in pairs:
        check_value(_entry(ai), value)
    return tuple(pairs)


def parse_unbracketed(text: str) -> AIPairs:
    """Split ``^AIvalue^AIvalue`` (leading FNC1 required) into pairs and check each."""
    if not text.startswith("^"):
        raise InvalidCode(f"unbracketed element string must start with FNC1 '^': {text!r}")
    data = text[1:]
    if not data:
        raise InvalidCode("empty element string")
    pairs: list[tuple[str, str]] = []
    pos = 0
    while pos < len(data):
        entry = match_prefix(data[pos:])
        if entry is None:
            raise InvalidCode(f"unknown AI at position {pos + 1} of {text!r}")
        pos += len(entry.ai)
        if entry.predefined_length:
            value = data[pos : pos + entry.max_length]
            pos += len(value)
            if pos < len(data) and data[pos] == "^":
                pos += 1  # a needless separator after a pre-defined-length AI is tolerated
        else:
            end = data.find("^", pos)
            end = len(data) if end < 0 else end
            value = data[pos:end]
            pos = end + 1 if end < len(data) else end
        if "^" in value:
            raise InvalidCode(f"AI ({entry.ai}) value {value!r} is cut by FNC1")
        check_value(entry, value)
        pairs.append((entry.ai, value))
    return tuple(pairs)


def to_bracketed(pairs: AIPairs) -> str:
    """``(01)…(10)…``, escaping literal brackets in values."""
    escaped = "\\("
    return "".join(f"({ai}){value.replace('(', escaped)}" for ai, value in pairs)


def to_unbracketed(pairs: AIPairs) -> str:
    """``^01…10…^21…``: FNC1 after an AI without the ``*`` flag when another AI follows."""
    out = ["^"]
    for n, (ai, value) in enumerate(pairs):
        out.append(ai + value)
        entry = lookup(ai)
        if n + 1 < len(pairs) and (entry is None or not entry.predefined_length):
            out.append("^")
    return "".join(out)


def association_errors(pairs: AIPairs) -> list[str]:
    """Repeat, mutual-exclusion and requisite violations (Syntax Engine association rules)."""
    errors: list[str] = []
    seen: dict[str, str] = {}
    for ai, value in pairs:
        if seen.setdefault(ai, value) != value:
            errors.append(f"AI ({ai}) repeated with different values")
    ais = list(dict.fromkeys(ai for ai, _ in pairs))
    for ai in ais:
        entry = lookup(ai)
        if entry is None:
            continue
        for pattern in entry.excludes:
            clash = next((o for o in ais if o != ai and matches_pattern(o, pattern)), None)
            if clash is not None:
                errors.append(f"AI ({ai}) may not be used with ({clash})")
        for groups in entry.requires:
            if not any(
                all(any(matches_pattern(o, p) for o in ais) for p in group) for group in groups
            ):
                alts = ",".join("+".join(g) for g in groups)
                errors.append(f"required AIs for AI ({ai}) are not present: {alts}")
    if "8030" in ais:
        # A digital signature must sign a serialised key: these keys carry an optional serial.
        for key, base in _SERIALISABLE.items():
            key_value = seen.get(key)
            if key_value is not None and len(key_value) <= base:
                errors.append(f"required AIs for AI (8030): ({key}) has no serial component")
    return errors


def find_ai(pairs: AIPairs, needle: str, ignore: str | None = None) -> str | None:
    """The first AI matching `needle` (an AI, trailing ``n`` = any digit), skipping `ignore`."""
    if not needle[:1].isdigit():
        return None
    for ai, _ in pairs:
        if ai != ignore and matches_pattern(ai, needle):
            return ai
    return None


_SERIALISABLE = {"253": 13, "255": 13, "8003": 14}

_SYMBOLOGIES = {
    "]C1": "GS1_128_CCA",
    "]e0": "DataBarExpanded",
    "]d2": "DM",
    "]Q3": "QR",
    "]J1": "DotCode",
}


def scan_data_to_unbracketed(scan: str) -> str:
    """GS1 AI scan data (symbology identifier, GS separators) as an unbracketed string."""
    ident = scan[:3]
    if ident not in _SYMBOLOGIES:
        raise InvalidCode(f"not GS1 AI scan data: symbology identifier {ident!r}")
    body = scan[3:]
    if not body:
        raise InvalidCode("scan data carries no data")
    if "^" in body:
        raise InvalidCode("'^' is not a valid character in GS1 AI scan data")
    return "^" + body.replace("\x1d", "^")
