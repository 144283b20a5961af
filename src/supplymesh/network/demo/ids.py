"""Ids of what the demo wrote, by natural key; the bulk-insert helper the loaders share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert

from supplymesh.network.demo.sites import SiteSpec
from supplymesh.platform.tenancy import TenantSession


@dataclass
class Ids:
    """Database ids of what was written, by natural key, and how many rows of each kind."""

    enterprise: dict[str, int] = field(default_factory=dict)
    site: dict[tuple[str, str], int] = field(default_factory=dict)  # (owner code, site code)
    item: dict[str, int] = field(default_factory=dict)
    work_centre: dict[tuple[int, str], int] = field(default_factory=dict)  # (plant, kind)
    counts: dict[str, int] = field(default_factory=dict)

    def of(self, site: SiteSpec) -> int:
        return self.site[(site.owner, site.code)]


def bulk(
    session: TenantSession, ids: Ids, model: type[Any], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert `rows` of `model` in one ORM bulk statement, and count them."""
    if rows:
        session.execute(insert(model), list(rows))
    ids.counts[model.__tablename__] = ids.counts.get(model.__tablename__, 0) + len(rows)
