"""Inventory sharing between buyer and supplier (库存共享), through sharing grants only.

A supplier should see the buyer's stock and consumption of the items it supplies — and only
those: the buyer shares each item it buys from that supplier (the items with a
cross-reference to the supplier's part number) with an ``item`` grant (the item record) and
an ``item_inventory`` grant (its stock positions and movements at every site). The tenancy
layer then shows exactly those rows, and audits every read of them.
"""

from __future__ import annotations

from sqlalchemy import select

from supplymesh.network.model import GrantKind, ItemCrossReference, Partnership, SharingGrant
from supplymesh.platform.errors import FieldError, ValidationFailed
from supplymesh.platform.uow import UnitOfWork


def share_supplied_items(uow: UnitOfWork, supplier_id: int) -> list[int]:
    """Grant the supplier sight of the caller's items it supplies; returns their ids."""
    is_partner = uow.session.scalar(
        select(Partnership.id).where(
            Partnership.enterprise_id == uow.ctx.enterprise_id,
            Partnership.partner_enterprise_id == supplier_id,
            Partnership.status == "active",
        )
    )
    if is_partner is None:
        raise ValidationFailed(
            [
                FieldError(
                    "partner_enterprise_id", f"enterprise {supplier_id} is not an active partner"
                )
            ]
        )
    items = sorted(
        set(
            uow.session.scalars(
                select(ItemCrossReference.item_id).where(
                    ItemCrossReference.enterprise_id == uow.ctx.enterprise_id,
                    ItemCrossReference.partner_enterprise_id == supplier_id,
                )
            )
        )
    )
    existing = {
        (g.kind, g.resource_id)
        for g in uow.session.scalars(
            select(SharingGrant).where(
                SharingGrant.enterprise_id == uow.ctx.enterprise_id,
                SharingGrant.partner_enterprise_id == supplier_id,
            )
        )
    }
    for item_id in items:
        for kind in (GrantKind.ITEM.value, GrantKind.ITEM_INVENTORY.value):
            if (kind, item_id) not in existing:
                uow.add(
                    SharingGrant(partner_enterprise_id=supplier_id, kind=kind, resource_id=item_id)
                )
    uow.flush()
    return items
