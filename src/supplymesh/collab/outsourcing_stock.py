"""The buyer's material at a subcontractor's site: a position the buyer owns at a site it does not.

`StockLedger` moves stock only at the caller's own sites, owned by the site's owner. Material
provided for outsourcing stays the buyer's property while it lies at the subcontractor's site,
so its positions and movements name the buyer as owner and the subcontractor's site as place.
Only the buyer (or a subcontractor's move carried out under `acting_for_owner`) writes them,
and only the buyer reads them: the tenancy rules of positions are the owner's.
"""

from __future__ import annotations

from sqlalchemy import select

from supplymesh.inventory.model import StockPosition, StockStatus
from supplymesh.inventory.stock import StockLedger
from supplymesh.network.model import Item, Site
from supplymesh.platform.uow import UnitOfWork


class ConsignedLedger(StockLedger):
    """A ledger whose positions belong to `owner_id` wherever the site's owner is."""

    def __init__(self, uow: UnitOfWork, owner_id: int, reference: str | None = None) -> None:
        super().__init__(uow, reference)
        self.owner_id = owner_id

    def owner_of(self, site: Site) -> int:
        """The buyer owns the material, whoever owns the site it lies at."""
        return self.owner_id

    def lots_at(self, site: Site, item: Item) -> list[StockPosition]:
        """The owner's material of `item` at the subcontractor's site, lot by lot (oldest first)."""
        query = (
            select(StockPosition)
            .where(
                StockPosition.enterprise_id == self.owner_id,
                StockPosition.site_id == site.id,
                StockPosition.item_id == item.id,
                StockPosition.status == StockStatus.AT_SUBCONTRACTOR.value,
                StockPosition.on_hand > 0,
            )
            .order_by(StockPosition.lot)
        )
        return list(self.uow.session.scalars(query))
