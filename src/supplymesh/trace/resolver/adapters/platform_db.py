"""Optional: an enterprise node's records from the platform database (its items with a GTIN).

Thin on purpose: one tenant-scoped read of the enterprise's items, mapped to GTIN-level records.
Public: name, English name, category, unit; partner-only: SKU, list price and weight, granted to
the enterprises it has a partnership or sharing grant with.
"""

from __future__ import annotations

from sqlalchemy import select

from supplymesh.network.model import Enterprise, Item
from supplymesh.platform.errors import NotFound
from supplymesh.platform.uow import Database
from supplymesh.trace.ident.model import InvalidCode
from supplymesh.trace.resolver.model import Record
from supplymesh.trace.resolver.names import code_name


def item_records(
    db: Database,
    enterprise_code: str,
    data_url: str | None = None,
    resolver_url: str | None = None,
    ttl_s: float = 300.0,
) -> list[Record]:
    """A record per item of `enterprise_code` with a valid GTIN (others have no GS1 key)."""
    with db.system() as uow:
        ent_id = uow.session.scalar(select(Enterprise.id).where(Enterprise.code == enterprise_code))
    if ent_id is None:
        raise NotFound("enterprise", enterprise_code)
    ctx = db.context_for(ent_id, None, "viewer")
    with db.system() as uow:
        partners = frozenset(
            uow.session.scalars(select(Enterprise.code).where(Enterprise.id.in_(ctx.partner_ids)))
        )
    records = []
    with db.unit_of_work(ctx) as uow:
        for item in uow.session.scalars(select(Item).where(Item.gtin.is_not(None))):
            try:
                key = code_name(f"(01){str(item.gtin).zfill(14)}").keys[0]
            except InvalidCode:
                continue  # a malformed GTIN in the master data resolves to nothing
            public = {"name": item.name, "base_unit": item.base_unit}
            public |= {
                k: v for k, v in (("name_en", item.name_en), ("category", item.category)) if v
            }
            partner = {"sku": item.sku}
            if item.price is not None:
                partner |= {"price": str(item.price), "currency": item.currency}
            if item.weight_kg is not None:
                partner["weight_kg"] = str(item.weight_kg)
            records.append(
                Record(key=key, owner=enterprise_code, public=public, partner=partner,
                       grants=partners, data_url=data_url, resolver_url=resolver_url, ttl_s=ttl_s)
            )  # fmt: skip
    return records
