"""A small network for inventory tests: a buyer, its supplier, and a stranger.

`AAA` (manufacturer) has two plants and two items, one lot-controlled; `BBB` (its supplier)
has a warehouse it shares with `AAA` by a ``site`` grant, and both are linked as partners;
`CCC` has nothing to do with either.
"""

from __future__ import annotations

from dataclasses import dataclass

from supplymesh.network.model import Item, Site
from supplymesh.network.services import NewEnterprise, grant, link_partners, register_enterprise
from supplymesh.platform.tenancy import TenantContext
from supplymesh.platform.uow import Database, UnitOfWork


@dataclass(frozen=True)
class World:
    buyer: int
    supplier: int
    stranger: int
    plant: int
    plant2: int
    supplier_site: int
    stranger_site: int
    widget: int
    resin: int

    def ctx(self, db: Database, enterprise: int, role: str = "admin") -> TenantContext:
        return db.context_for(enterprise, None, role)

    def uow(self, db: Database, enterprise: int, role: str = "admin") -> UnitOfWork:
        return db.unit_of_work(self.ctx(db, enterprise, role))


def _site(uow: UnitOfWork, code: str) -> int:
    site = Site(code=code, name=code, kind="plant")
    uow.add(site)
    uow.flush()
    return site.id


def _item(uow: UnitOfWork, sku: str, lot_controlled: bool = False) -> int:
    item = Item(sku=sku, name=sku, lot_controlled=lot_controlled)
    uow.add(item)
    uow.flush()
    return item.id


def build_world(db: Database) -> World:
    """Register the three enterprises and their master data."""
    ids = {}
    for code, role in (("AAA", "manufacturer"), ("BBB", "supplier"), ("CCC", "retailer")):
        ent, _ = register_enterprise(
            db,
            NewEnterprise(code, f"{code} Co", [role], f"{code.lower()}.admin", f"{code}-password"),
        )
        ids[code] = ent.id
    with db.unit_of_work(db.context_for(ids["AAA"], None, "admin")) as uow:
        plant, plant2 = _site(uow, "A-PLANT"), _site(uow, "A-PLANT2")
        widget, resin = _item(uow, "WIDGET"), _item(uow, "RESIN", lot_controlled=True)
        link_partners(uow, ids["BBB"], "supplier")
        uow.commit()
    with db.unit_of_work(db.context_for(ids["BBB"], None, "admin")) as uow:
        supplier_site = _site(uow, "B-WH")
        grant(uow, ids["AAA"], "site", supplier_site)
        uow.commit()
    with db.unit_of_work(db.context_for(ids["CCC"], None, "admin")) as uow:
        stranger_site = _site(uow, "C-STORE")
        uow.commit()
    return World(
        ids["AAA"],
        ids["BBB"],
        ids["CCC"],
        plant,
        plant2,
        supplier_site,
        stranger_site,
        widget,
        resin,
    )
