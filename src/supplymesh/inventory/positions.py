"""Stock positions summed per site × item, over the caller's own and shared sites.

Sums run in SQL over the quantity columns (stored as scaled integers), so they stay exact and a
large network is summarised without loading its positions.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, or_, select

from supplymesh.inventory import refs
from supplymesh.inventory.model import StockPosition, StockStatus
from supplymesh.platform import audit, crud
from supplymesh.platform.crud import Page
from supplymesh.platform.types import QUANTITY_PLACES, plain
from supplymesh.platform.uow import UnitOfWork


@dataclass(frozen=True)
class SummaryRow:
    """Totals of one site × item (× lot × status); `free` = available − allocated."""

    enterprise_id: int
    site_id: int
    item_id: int
    lot: str | None
    status: str | None
    on_hand: Decimal
    available: Decimal
    allocated: Decimal
    on_order: Decimal

    @property
    def free(self) -> Decimal:
        return self.available - self.allocated


def summary(
    uow: UnitOfWork,
    site_id: int | None = None,
    site_code: str | None = None,
    item_id: int | None = None,
    item_code: str | None = None,
    by_lot: bool = False,
    by_status: bool = False,
    offset: int = 0,
    limit: int = 100,
) -> Page:
    """Stock per site × item over the caller's sites and the sites shared with it.

    Visibility is the session's: own positions plus those of sites granted to the caller
    with a ``site_inventory`` grant. Groups that are zero throughout are left out.
    """
    p = StockPosition
    keys: list[Any] = [p.enterprise_id, p.site_id, p.item_id]
    if by_lot:
        keys.append(p.lot)
    if by_status:
        keys.append(p.status)
    # Sums keep the column's exact `Quantity` type: SQL adds the stored integers.
    on_hand = func.sum(p.on_hand)
    available = func.sum(case((p.status == StockStatus.AVAILABLE.value, p.on_hand), else_=0))
    allocated = func.sum(p.allocated)
    on_order = func.sum(p.on_order)
    query = (
        select(*keys, on_hand, available, allocated, on_order)
        .group_by(*keys)
        .having(or_(on_hand != 0, allocated != 0, on_order != 0))
    )
    site = refs.site(uow, site_id, site_code)
    if site is not None:
        query = query.where(p.site_id == site.id)
    if item_id is not None or item_code:
        query = query.where(p.item_id == refs.item(uow, item_id, item_code).id)
    total = crud.count(uow, query)
    rows = uow.session.execute(query.order_by(*keys).offset(offset).limit(limit)).all()
    items = [
        SummaryRow(
            enterprise_id=row[0],
            site_id=row[1],
            item_id=row[2],
            lot=row[3] if by_lot else None,
            status=row[len(keys) - 1] if by_status else None,
            on_hand=_exact(row[-4]),
            available=_exact(row[-3]),
            allocated=_exact(row[-2]),
            on_order=_exact(row[-1]),
        )
        for row in rows
    ]
    for item in items:
        if item.enterprise_id != uow.ctx.enterprise_id:
            audit.note_shared_read(uow.session, "SiteInventory", item.site_id, item.enterprise_id)
    return Page(items, int(total), offset, limit)


def _exact(value: Any) -> Decimal:
    """A summed quantity; the CASE branch may come back untyped on some backends."""
    if isinstance(value, Decimal):
        return plain(value)
    return plain(Decimal(int(value or 0)).scaleb(-QUANTITY_PLACES))
