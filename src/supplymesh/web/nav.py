"""The side navigation, assembled from what each page module declares.

A capability adds pages by writing one module with a `PageSet` (its router and its nav
entries) and listing it in `supplymesh.web.app.PAGES`; nothing else needs to change. Entries
are grouped by section, sections shown in `SECTIONS` order; a section no entry uses is hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter, Depends

from supplymesh.web.session import verify_csrf

#: Section keys in display order; each has a label ``nav.section.<key>`` in the catalogues.
SECTIONS = ("overview", "network", "operations", "collaboration", "planning", "admin")


@dataclass(frozen=True)
class NavEntry:
    """One link of the side navigation.

    `key` marks the entry active when a page renders with ``active=key``; `label` is a
    catalogue key; `icon` names a symbol of the sprite in ``templates/_icons.html``.
    """

    key: str
    path: str
    label: str
    icon: str = "list"
    section: str = "operations"
    order: int = 100

    def __post_init__(self) -> None:
        if self.section not in SECTIONS:
            raise ValueError(f"unknown nav section {self.section!r}; choose from {SECTIONS}")
        if not self.path.startswith("/"):
            raise ValueError(f"nav path {self.path!r} must start with /")


@dataclass(frozen=True)
class PageSet:
    """What a page module contributes: its routes and its navigation entries."""

    router: APIRouter
    nav: tuple[NavEntry, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class NavSection:
    key: str
    entries: tuple[NavEntry, ...]


def web_router() -> APIRouter:
    """A router for web pages: hidden from the OpenAPI schema, CSRF-checked on every POST."""
    return APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])


def build_nav(pages: tuple[PageSet, ...]) -> tuple[NavSection, ...]:
    """The navigation sections of `pages`, in display order; duplicate keys are an error."""
    seen: set[str] = set()
    by_section: dict[str, list[NavEntry]] = {s: [] for s in SECTIONS}
    for page in pages:
        for entry in page.nav:
            if entry.key in seen:
                raise ValueError(f"two nav entries with key {entry.key!r}")
            seen.add(entry.key)
            by_section[entry.section].append(entry)
    return tuple(
        NavSection(s, tuple(sorted(by_section[s], key=lambda e: (e.order, e.key))))
        for s in SECTIONS
        if by_section[s]
    )
