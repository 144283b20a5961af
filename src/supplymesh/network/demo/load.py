"""Write the demo's master data through the ORM, in the caller's transaction.

The session is a bulk session (``info["bulk"]``), so no outbox events or audit rows are written
for what is a load, not a series of business events; rows that need their ids back (enterprises,
sites, items, calendars, work centres) are flushed as objects, the rest go in as ORM bulk inserts.
"""

from __future__ import annotations

from supplymesh.network.demo.catalog import Catalog
from supplymesh.network.demo.companies import (
    COMPANIES,
    CORE,
    DISTRIBUTOR,
    demo_users,
    relations,
    uscc_for,
)
from supplymesh.network.demo.holidays import PLANT_SHIFTS, plant_exceptions
from supplymesh.network.demo.ids import Ids, bulk
from supplymesh.network.demo.load_catalog import load_items, load_lanes_and_grants, load_prices
from supplymesh.network.demo.pricing import PricePlan
from supplymesh.network.demo.scale import AS_OF
from supplymesh.network.demo.sites import PLANT_PREFIX, WORK_CENTRES, Network, SiteSpec
from supplymesh.network.model import (
    Calendar,
    Enterprise,
    Machine,
    Partnership,
    Site,
    SiteKind,
    User,
    WorkCenter,
)
from supplymesh.platform.tenancy import TenantSession


def load_master(
    session: TenantSession,
    catalog: Catalog,
    network: Network,
    plan: PricePlan,
    password_hash: str,
    machines_per_plant: int,
) -> Ids:
    """Enterprises, users, relations, sites, plants, items, BOMs, lanes, grants, prices."""
    ids = Ids()
    for c in COMPANIES:
        session.add(
            Enterprise(
                code=c.code,
                name=c.name,
                name_en=c.name_en,
                roles=[c.role],
                uscc=uscc_for(c.code, c.place.division),
                city=c.place.en.split(", ")[-1],
                created_at=AS_OF,
            )
        )
    session.flush()
    ids.enterprise = {e.code: e.id for e in session.query(Enterprise).order_by(Enterprise.id)}
    ids.counts["enterprises"] = len(ids.enterprise)
    ent = ids.enterprise
    users = [
        dict(
            enterprise_id=ent[u.enterprise],
            username=u.username,
            display_name=u.display_name,
            email=f"{u.username}@{u.enterprise.lower()}.example",
            role=u.role,
            password_hash=password_hash,
            created_at=AS_OF,
        )
        for u in demo_users()
    ]
    bulk(session, ids, User, users)
    rels = [
        dict(
            enterprise_id=ent[r.owner],
            partner_enterprise_id=ent[r.partner],
            relation=r.relation,
            created_at=AS_OF,
        )
        for r in relations()
    ]
    bulk(session, ids, Partnership, rels)
    _load_sites(session, ids, network)
    _load_plants(session, ids, network, machines_per_plant)
    load_items(session, ids, catalog)
    load_lanes_and_grants(session, ids, network, catalog)
    load_prices(session, ids, plan)
    return ids


def _load_sites(session: TenantSession, ids: Ids, network: Network) -> None:
    """Sites, parents (the DCs) before the stores that point at them."""
    for wave in (False, True):
        added: list[tuple[SiteSpec, Site]] = []
        for s in network.sites:
            if (s.parent is not None) != wave:
                continue
            site = Site(
                enterprise_id=ids.enterprise[s.owner],
                code=s.code,
                name=s.name,
                name_en=s.name_en,
                kind=s.kind,
                region=s.place.region,
                province=s.place.province,
                city=s.city,
                address=s.address,
                latitude=s.place.latitude,
                longitude=s.place.longitude,
                gln=s.gln,
                parent_site_id=None if s.parent is None else ids.site[(DISTRIBUTOR, s.parent)],
            )
            session.add(site)
            added.append((s, site))
        session.flush()
        ids.site |= {(spec.owner, spec.code): site.id for spec, site in added}
    ids.counts["sites"] = len(ids.site)


def _load_plants(
    session: TenantSession, ids: Ids, network: Network, machines_per_plant: int
) -> None:
    """Per plant: a two-shift calendar, four work centres of two machines, routings."""
    hce = ids.enterprise[CORE]
    plants = [s for s in network.of_kind(SiteKind.PLANT.value) if s.owner == CORE]
    centres: dict[tuple[int, str], WorkCenter] = {}
    machines = []
    for n, plant in enumerate(plants):
        prefix = PLANT_PREFIX[n]
        calendar = Calendar(
            enterprise_id=hce,
            code=f"{prefix}-2SHIFT",
            name=f"{plant.name[4:6]}工厂两班制 {plant.city} two shifts",
            shifts=PLANT_SHIFTS,
            exceptions=plant_exceptions(AS_OF.year - 2, AS_OF.year + 1),
        )
        session.add(calendar)
        session.flush()
        for kind, zh, en, _model in WORK_CENTRES:
            wc = WorkCenter(
                enterprise_id=hce,
                site_id=ids.of(plant),
                code=f"{prefix}-{kind}",
                name=f"{zh} {en}",
                calendar_id=calendar.id,
            )
            session.add(wc)
            centres[(n, kind)] = wc
        session.flush()
        per_centre = max(1, machines_per_plant // len(WORK_CENTRES))
        for k in range(len(WORK_CENTRES) * per_centre):
            kind, zh, _, model = WORK_CENTRES[k // per_centre]
            machines.append(
                dict(
                    enterprise_id=hce,
                    site_id=ids.of(plant),
                    work_center_id=centres[(n, kind)].id,
                    calendar_id=calendar.id,
                    code=f"{prefix}-{kind}-{k % per_centre + 1:02d}",
                    name=f"{zh[:-2]}{k % per_centre + 1}号机",
                    model=model,
                    status="idle",
                )
            )
    bulk(session, ids, Machine, machines)
    ids.counts["work_centers"] = len(centres)
    ids.counts["calendars"] = len(plants)
    ids.work_centre = {key: wc.id for key, wc in centres.items()}
