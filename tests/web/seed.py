"""A small two-enterprise network for the web tests (and the browser test).

AAA (manufacturer) owns two sites with coordinates, one without, an item, a stock line and
a purchase order addressed to BBB. BBB (supplier) owns a private plant and a warehouse it
shares with AAA, plus a lane from its private plant to the shared warehouse that names AAA
as partner: AAA sees the lane record but must not learn where the private plant is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from supplymesh.inventory.model import Order, StockPosition
from supplymesh.network.model import Item, Lane, SharingGrant, Site
from supplymesh.network.services import NewEnterprise, register_enterprise
from supplymesh.platform.uow import Database

PASSWORD_A = "password-a"
PASSWORD_B = "password-b"


@dataclass(frozen=True)
class Network:
    a: int
    b: int
    a_sites: tuple[str, ...] = ("A-PLANT", "A-DC")
    a_site_without_coordinates: str = "A-NOCOORD"
    b_shared: str = "B-WH"
    b_private: str = "B-PRIV"


def _site(
    code: str, name: str, kind: str, lat: float | None, lon: float | None, **extra: str
) -> Site:
    return Site(code=code, name=name, kind=kind, latitude=lat, longitude=lon, **extra)


def seed(db: Database) -> Network:
    """Create the two enterprises, their sites, a grant, a lane, an item, stock and an order."""
    a, _ = register_enterprise(
        db,
        NewEnterprise(
            "AAA",
            "甲制造有限公司",
            ["manufacturer"],
            "a.admin",
            PASSWORD_A,
            name_en="A Manufacturing",
        ),
    )
    b, _ = register_enterprise(
        db,
        NewEnterprise(
            "BBB", "乙供应有限公司", ["supplier"], "b.admin", PASSWORD_B, name_en="B Supply"
        ),
    )
    with db.unit_of_work(db.context_for(b.id, None, "admin")) as uow:
        shared = _site("B-WH", "乙深圳仓", "warehouse", 22.54, 114.06, province="广东", city="深圳")
        private = _site("B-PRIV", "乙成都工厂", "plant", 30.66, 104.07, city="成都")
        uow.add(shared)
        uow.add(private)
        uow.add(Item(sku="SKU-B1", name="乙专用件", base_unit="EA"))
        uow.flush()
        uow.add(SharingGrant(partner_enterprise_id=a.id, kind="site", resource_id=shared.id))
        uow.add(
            Lane(
                from_site_id=private.id,
                to_site_id=shared.id,
                mode="road",
                lead_time_mean_days=Decimal("3"),
                partner_enterprise_id=a.id,
            )
        )
        uow.commit()
    with db.unit_of_work(db.context_for(a.id, None, "admin")) as uow:
        plant = _site("A-PLANT", "甲上海工厂", "plant", 31.23, 121.47, province="上海", city="上海")
        dc = _site("A-DC", "甲北京配送中心", "dc", 39.90, 116.40, name_en="A Beijing DC")
        uow.add(plant)
        uow.add(dc)
        uow.add(_site("A-NOCOORD", "甲无坐标仓", "warehouse", None, None))
        item = Item(sku="SKU-A1", name="甲成品", name_en="A finished good", base_unit="EA")
        uow.add(item)
        uow.flush()
        uow.add(
            Lane(
                from_site_id=plant.id,
                to_site_id=dc.id,
                mode="rail",
                lead_time_mean_days=Decimal("2.5"),
            )
        )
        uow.add(
            StockPosition(site_id=dc.id, item_id=item.id, lot="L-001", on_hand=Decimal("1250.5"))
        )
        uow.add(
            Order(
                number="PO-0001",
                kind="purchase",
                status="released",
                order_date=date(2025, 1, 6),
                partner_enterprise_id=b.id,
                ship_to_site_id=dc.id,
            )
        )
        uow.commit()
    return Network(a.id, b.id)
