"""Paginated, searchable tables: the building block of every list page.

A list page fetches one page of objects through the caller's unit of work
(`platform.crud.list_objects` with a registered `Resource`), turns each object into a row
of `Cell`s, and renders ``list.html``. Later capabilities build their list pages the same
way; see `supplymesh.web.pages.lists` for examples.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from supplymesh.platform.crud import Page, Resource, list_objects
from supplymesh.platform.uow import UnitOfWork
from supplymesh.resources import resource_by_name

PAGE_SIZE = 25
BATCH = 1000


@dataclass(frozen=True)
class Cell:
    """One table cell: its text, a style (``num``, ``code``, ``badge``…) and a tooltip."""

    text: str
    style: str = ""
    title: str = ""
    href: str = ""


@dataclass(frozen=True)
class Column:
    """A column heading (already translated) and the style of its cells' alignment."""

    label: str
    style: str = ""


@dataclass(frozen=True)
class Paging:
    """Where a page sits in the whole list (1-based page numbers)."""

    page: int
    pages: int
    total: int
    first: int
    last: int

    @classmethod
    def of(cls, result: Page, page: int, size: int = PAGE_SIZE) -> Paging:
        pages = max(1, -(-result.total // size))
        first = result.offset + 1 if result.items else 0
        return cls(page, pages, result.total, first, result.offset + len(result.items))


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: list[list[Cell]]
    paging: Paging


def resource(name: str) -> Resource:
    """The registered resource `name`; a missing one is a wiring error, not a user error."""
    found = resource_by_name(name)
    if found is None:
        raise LookupError(f"no resource named {name!r} is registered")
    return found


def page_number(raw: int | None) -> int:
    return max(1, raw or 1)


def fetch_page(
    uow: UnitOfWork,
    res: Resource,
    page: int,
    search: str | None = None,
    filters: dict[str, Any] | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    """One page of `res` as the caller sees it."""
    return list_objects(
        uow, res, filters=filters, offset=(page - 1) * size, limit=size, search=search or None
    )


def fetch_all(uow: UnitOfWork, res: Resource, filters: dict[str, Any] | None = None) -> list[Any]:
    """Every object of `res` the caller sees, read in batches."""
    items: list[Any] = []
    while True:
        batch = list_objects(uow, res, filters=filters, offset=len(items), limit=BATCH)
        items.extend(batch.items)
        if not batch.items or len(items) >= batch.total:
            return items


def count(uow: UnitOfWork, res: Resource, filters: dict[str, Any] | None = None) -> int:
    """How many objects of `res` the caller sees (no rows are loaded)."""
    return list_objects(uow, res, filters=filters, limit=0).total


def by_id(uow: UnitOfWork, model: type[Any], ids: Iterable[int | None]) -> dict[int, Any]:
    """The visible objects of `model` with these ids (tenant scoping hides the rest)."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    found: dict[int, Any] = {}
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        for obj in uow.session.scalars(select(model).where(model.id.in_(chunk))):
            found[int(obj.id)] = obj
    return found


def code_cell(objects: dict[int, Any], key: int | None, attr: str = "code", href: str = "") -> Cell:
    """The business code of a referenced object, or ``#id`` when the caller cannot see it."""
    if key is None:
        return Cell("—", "muted")
    obj = objects.get(key)
    if obj is None:
        return Cell(f"#{key}", "muted")
    return Cell(str(getattr(obj, attr)), "code", href=href)


def build_table(
    columns: Sequence[Column],
    items: Iterable[Any],
    row: Callable[[Any], list[Cell]],
    paging: Paging,
) -> Table:
    return Table(tuple(columns), [row(item) for item in items], paging)
