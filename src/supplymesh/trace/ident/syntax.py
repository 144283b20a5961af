"""The GS1 AI table parsed from the Syntax Dictionary: formats, flags, associations, DL keys.

Parsed once on first use (a few milliseconds), so importing this module stays cheap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

_COMPONENT = re.compile(r"^(\[)?([NXYZ])(\d+)?(?:\.\.(\d+))?\]?((?:,\w+)*)\]?$")


@dataclass(frozen=True)
class Component:
    """One component of an AI's format: type N/X/Y/Z, length bounds, optional, linters."""

    kind: str
    min_len: int
    max_len: int
    optional: bool
    linters: tuple[str, ...]


@dataclass(frozen=True)
class AIEntry:
    """One AI of the Syntax Dictionary.

    `predefined_length` is the ``*`` flag: such AIs never take an FNC1 separator after them.
    `dl_qualifiers` is None when the AI is no DL primary key, else the alternative qualifier
    sequences (an empty tuple when it takes none).
    """

    ai: str
    predefined_length: bool
    dl_attribute: bool
    components: tuple[Component, ...]
    requires: tuple[tuple[tuple[str, ...], ...], ...]
    excludes: tuple[str, ...]
    dl_qualifiers: tuple[tuple[str, ...], ...] | None
    title: str

    @property
    def max_length(self) -> int:
        """The longest value the format admits."""
        return sum(c.max_len for c in self.components)

    @property
    def is_dl_primary_key(self) -> bool:
        """Whether the AI can head a GS1 Digital Link path."""
        return self.dl_qualifiers is not None


def _expand(ais: str) -> list[str]:
    if "-" not in ais:
        return [ais]
    first, last = ais.split("-")
    width = len(first)
    return [str(n).zfill(width) for n in range(int(first), int(last) + 1)]


def _parse_line(line: str) -> list[AIEntry]:
    body, _, title = line.partition("#")
    tokens = body.split()
    ais = tokens[0]
    rest = tokens[1:]
    flags = ""
    if rest and not _COMPONENT.match(rest[0]):
        flags, rest = rest[0], rest[1:]
    components: list[Component] = []
    while rest and (m := _COMPONENT.match(rest[0])):
        opt, kind, fixed, var, lint = m.groups()
        if var is not None:
            lo, hi = 1, int(var)
        else:
            lo = hi = int(fixed)
        linters = tuple(x for x in (lint or "").split(",") if x)
        components.append(Component(kind, lo, hi, opt is not None, linters))
        rest = rest[1:]
    requires: list[tuple[tuple[str, ...], ...]] = []
    excludes: list[str] = []
    dl: tuple[tuple[str, ...], ...] | None = None
    for attr in rest:
        key, _, value = attr.partition("=")
        if key == "req":
            requires.append(tuple(tuple(g.split("+")) for g in value.split(",")))
        elif key == "ex":
            excludes.extend(value.split(","))
        elif key == "dlpkey":
            dl = tuple(tuple(alt.split(",")) for alt in value.split("|")) if value else ((),)
    return [
        AIEntry(
            ai=ai,
            predefined_length="*" in flags,
            dl_attribute="?" in flags,
            components=tuple(components),
            requires=tuple(requires),
            excludes=tuple(excludes),
            dl_qualifiers=dl,
            title=title.strip(),
        )
        for ai in _expand(ais)
    ]


@cache
def ai_table() -> dict[str, AIEntry]:
    """Every AI of the dictionary, keyed by AI."""
    from supplymesh.trace.ident.syntax_dictionary import ENTRIES

    table: dict[str, AIEntry] = {}
    for line in ENTRIES.splitlines():
        if line.strip():
            for entry in _parse_line(line):
                table[entry.ai] = entry
    return table


def lookup(ai: str) -> AIEntry | None:
    """The entry for an exact AI, or None when the AI is unknown."""
    return ai_table().get(ai)


def match_prefix(data: str) -> AIEntry | None:
    """The AI that `data` starts with (AIs are prefix-free), or None."""
    table = ai_table()
    for n in (2, 3, 4):
        entry = table.get(data[:n])
        if entry is not None and len(data) >= n:
            return entry
    return None


def matches_pattern(ai: str, pattern: str) -> bool:
    """Whether `ai` matches an association pattern such as ``310n`` (n = any digit)."""
    return len(ai) == len(pattern) and all(p in ("n", a) for a, p in zip(ai, pattern, strict=True))
