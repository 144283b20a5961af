"""Write the item master, lanes, sharing grants, prices and promotions (ORM, bulk session)."""

from __future__ import annotations

from supplymesh.network.demo.catalog import Catalog
from supplymesh.network.demo.companies import CORE, RETAILER, SUPPLIERS, grants
from supplymesh.network.demo.ids import Ids, bulk
from supplymesh.network.demo.pricing import PricePlan
from supplymesh.network.demo.scale import AS_OF
from supplymesh.network.demo.sites import Network
from supplymesh.network.model import (
    BomLine,
    Item,
    ItemCrossReference,
    ItemUnit,
    Lane,
    PriceChange,
    Promotion,
    RoutingStep,
    SharingGrant,
    SiteKind,
)
from supplymesh.platform.tenancy import TenantSession


def load_items(session: TenantSession, ids: Ids, catalog: Catalog) -> None:
    """Items with their units, supplier part numbers, BOM lines and routings."""
    hce = ids.enterprise[CORE]
    objects = []
    for spec in catalog.items:
        item = Item(
            enterprise_id=hce,
            sku=spec.sku,
            name=spec.name,
            name_en=spec.name_en,
            gtin=spec.gtin,
            category=spec.category,
            item_type=spec.item_type,
            base_unit=spec.base_unit,
            weight_kg=spec.weight_kg,
            volume_m3=spec.volume_m3,
            shelf_life_days=spec.shelf_life_days,
            price=spec.price,
            made_in_house=spec.source == CORE,
            lot_controlled=spec.shelf_life_days is not None,
        )
        session.add(item)
        objects.append(item)
    session.flush()
    ids.item = {item.sku: item.id for item in objects}
    ids.counts["items"] = len(objects)
    units = [
        dict(enterprise_id=hce, item_id=ids.item[i.sku], unit=unit, base_quantity=qty)
        for i in catalog.items
        for unit, qty in i.units
    ]
    bulk(session, ids, ItemUnit, units)
    xrefs = [
        dict(
            enterprise_id=hce,
            partner_enterprise_id=ids.enterprise[i.source],
            item_id=ids.item[i.sku],
            partner_part_number=f"{i.source[:2]}-{i.sku}",
            partner_description=i.name_en,
        )
        for i in catalog.items
        if i.source != CORE
    ]
    bulk(session, ids, ItemCrossReference, xrefs)
    boms = [
        dict(
            enterprise_id=hce,
            parent_item_id=ids.item[b.parent],
            component_item_id=ids.item[b.component],
            quantity_per=b.quantity_per,
            scrap_pct=b.scrap_pct,
        )
        for b in catalog.boms
    ]
    bulk(session, ids, BomLine, boms)
    steps = [
        dict(
            enterprise_id=hce,
            item_id=ids.item[r.sku],
            sequence=r.sequence,
            work_center_id=ids.work_centre[(r.plant, r.work_center)],
            description=r.description,
            setup_minutes=r.setup_minutes,
            run_minutes_per_unit=r.run_minutes,
        )
        for r in catalog.routings
    ]
    bulk(session, ids, RoutingStep, steps)


def load_lanes_and_grants(
    session: TenantSession, ids: Ids, network: Network, catalog: Catalog
) -> None:
    ent = ids.enterprise
    lanes = [
        dict(
            enterprise_id=ent[lane.owner],
            partner_enterprise_id=None if lane.partner is None else ent[lane.partner],
            from_site_id=ids.site[(lane.from_owner, lane.from_site)],
            to_site_id=ids.site[(lane.to_owner, lane.to_site)],
            mode=lane.mode,
            lead_time_mean_days=lane.mean_days,
            lead_time_std_days=lane.std_days,
            lead_time_min_days=lane.min_days,
            lead_time_max_days=lane.max_days,
            cost_per_unit=lane.cost_per_unit,
            cost_per_shipment=lane.cost_per_shipment,
            capacity_per_day=lane.capacity_per_day,
            distance_km=lane.distance_km,
        )
        for lane in network.lanes
    ]
    bulk(session, ids, Lane, lanes)
    plants = [s.code for s in network.of_kind(SiteKind.PLANT.value) if s.owner == CORE]
    dcs = [s.code for s in network.of_kind(SiteKind.DC.value)]
    supplied = {c.code: [i.sku for i in catalog.items if i.source == c.code] for c in SUPPLIERS}
    rows = []
    for g in grants(dcs, plants, supplied):
        resource = None
        if g.resource is not None:
            by_site = (g.owner, g.resource)
            resource = ids.site[by_site] if by_site in ids.site else ids.item[g.resource]
        rows.append(
            dict(
                enterprise_id=ent[g.owner],
                partner_enterprise_id=ent[g.partner],
                kind=g.kind,
                resource_id=resource,
                created_at=AS_OF,
            )
        )
    bulk(session, ids, SharingGrant, rows)


def load_prices(session: TenantSession, ids: Ids, plan: PricePlan) -> None:
    """List prices and promotions belong to HCE, the brand that sets and funds them."""
    hce = ids.enterprise[CORE]

    def store(code: str | None) -> int | None:
        return None if code is None else ids.site[(RETAILER, code)]

    changes = [
        dict(
            enterprise_id=hce,
            item_id=ids.item[c.sku],
            site_id=store(c.store),
            effective_date=c.effective,
            price=c.price,
        )
        for c in plan.price_changes
    ]
    bulk(session, ids, PriceChange, changes)
    promos = [
        dict(
            enterprise_id=hce,
            item_id=ids.item[p.sku],
            site_id=store(p.store),
            name=p.name,
            start_date=p.start,
            end_date=p.end,
            discount_pct=p.discount_pct,
        )
        for p in plan.promotions
    ]
    bulk(session, ids, Promotion, promos)
