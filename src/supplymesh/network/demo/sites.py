"""Where the demo network is: sites, the work centres of a plant, and the lanes between sites.

Lanes carry a lead-time distribution (days) derived from the great-circle distance: road
distance is about 1.25 times the great circle in China, a truck covers about 600 km a day, and
handling adds a day or so; spread grows with distance. Costs follow Chinese full-truckload
rates (about 3.5 CNY/km plus a fixed charge), spread over a typical load.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from supplymesh.network.demo.catalog import GS1_PREFIX, gtin13
from supplymesh.network.demo.companies import (
    COMPANIES,
    CORE,
    DISTRIBUTOR,
    RETAILER,
    SUPPLIERS,
    Company,
)
from supplymesh.network.demo.places import DC_PLACES, PLANT_PLACES, STORE_CITIES, STREETS, Place
from supplymesh.network.demo.scale import Scale
from supplymesh.network.geo import haversine_km
from supplymesh.network.model import LaneMode, SiteKind

PLANT_PREFIX = ("FS", "NB")
WORK_CENTRES = (
    ("STAMP", "冲压车间", "Stamping", "SP-250 伺服压力机 250t"),
    ("WIRE", "线材车间", "Wire & cord", "WF-6 数控线材成型机"),
    ("ASSY", "总装车间", "Final assembly", "AL-40 柔性总装线"),
    ("TEST", "测试包装车间", "Test & pack", "TP-20 自动测试包装线"),
)


@dataclass(frozen=True)
class SiteSpec:
    """A site before it has an id; `parent` is the code of a store's DC."""

    owner: str
    code: str
    name: str
    name_en: str
    kind: str
    place: Place
    address: str
    gln: str
    parent: str | None = None

    @property
    def city(self) -> str:
        return self.place.en.split(", ")[-1]


@dataclass(frozen=True)
class LaneSpec:
    """A lane between two sites, possibly of two enterprises; days, CNY, km."""

    owner: str
    partner: str | None
    from_owner: str
    from_site: str
    to_owner: str
    to_site: str
    mode: str
    distance_km: Decimal
    mean_days: Decimal
    std_days: Decimal
    min_days: Decimal
    max_days: Decimal
    cost_per_unit: Decimal
    cost_per_shipment: Decimal
    capacity_per_day: Decimal


@dataclass(frozen=True)
class Network:
    """Every site and lane of one scale."""

    sites: tuple[SiteSpec, ...]
    lanes: tuple[LaneSpec, ...]

    def site(self, owner: str, code: str) -> SiteSpec:
        return next(s for s in self.sites if s.owner == owner and s.code == code)

    def of_kind(self, kind: str) -> list[SiteSpec]:
        return [s for s in self.sites if s.kind == kind]


def _address(place: Place, street: str, number: int) -> str:
    province = "" if place.province_zh.startswith(place.zh[:2]) else place.province_zh
    return f"{province}{place.zh}{street}{number}号"


def build_network(scale: Scale, rng: np.random.Generator) -> Network:
    """Sites of every enterprise for `scale`, and the lanes between them."""
    sites: list[SiteSpec] = []
    gln_refs: dict[str, int] = {}
    codes = [c.code for c in COMPANIES]

    def add(
        owner: str,
        code: str,
        names: tuple[str, str],
        kind: str,
        place: Place,
        street: str | None = None,
        parent: str | None = None,
    ) -> None:
        gln_refs[owner] = gln_refs.get(owner, 0) + 1
        prefix = GS1_PREFIX if owner == CORE else f"69588{20 + codes.index(owner):02d}"
        street = street or str(rng.choice(STREETS))
        address = _address(place, street, int(rng.integers(1, 300)))
        gln = gtin13(prefix + f"{gln_refs[owner]:05d}")
        sites.append(SiteSpec(owner, code, *names, kind, place, address, gln, parent))

    for i, place in enumerate(PLANT_PLACES[: scale.plants]):
        town = place.en.split(", ")
        names = (f"海川电器{place.zh[:4]}工厂", f"Haichuan {town[-1]} {town[-2]} Plant")
        add(CORE, f"{PLANT_PREFIX[i]}-PLANT", names, SiteKind.PLANT.value, place, "工业大道")
    for company in SUPPLIERS + tuple(c for c in COMPANIES if c.site_kind == "warehouse"):
        assert company.site_name and company.site_name_en
        names = (company.site_name, company.site_name_en)
        add(company.code, company.place.key, names, company.site_kind, company.place, "工业园路")
    regions = (("华东", "East China"), ("华南", "South China"), ("华北", "North China"))
    dcs = DC_PLACES[: scale.dcs]
    for (zh, en), place in zip(regions, dcs, strict=False):
        names = (f"联丰{zh}区域配送中心({place.zh})", f"Lianfeng {en} DC ({place.en})")
        code = f"DC-{en.split()[0].upper()}"
        add(DISTRIBUTOR, code, names, SiteKind.DC.value, place, "物流园路")
    dc_codes = [s.code for s in sites if s.kind == SiteKind.DC.value]
    for city in STORE_CITIES[: scale.stores]:
        nearest = min(range(len(dcs)), key=lambda k: _km(city, dcs[k]))
        names = (f"优家电器{city.zh}店", f"Youjia {city.en} Store")
        kind = SiteKind.STORE.value
        add(RETAILER, f"ST-{city.key}", names, kind, city, parent=dc_codes[nearest])
    return Network(tuple(sites), tuple(_lanes(sites)))


def _km(a: Place, b: Place) -> float:
    return haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)


def _d(value: float, places: int = 1) -> Decimal:
    return Decimal(f"{value:.{places}f}")


def _lane(
    owner: str, partner: str | None, a: SiteSpec, b: SiteSpec, handling: float, load: int, cap: int
) -> LaneSpec:
    km = _km(a.place, b.place)
    rail = km > 1500 and load >= 20000
    if rail:  # bulk raw material over a long distance goes by rail: slower, cheaper per km
        transit, shipment = 2.0 + km * 1.2 / 450, 1500 + 1.8 * km
    else:
        transit, shipment = km * 1.25 / 600, 600 + 3.5 * km * 1.25
    mean = handling + transit
    std = 0.15 + 0.2 * transit + (0.3 if handling >= 1.5 else 0.0)
    return LaneSpec(
        owner=owner,
        partner=partner,
        from_owner=a.owner,
        from_site=a.code,
        to_owner=b.owner,
        to_site=b.code,
        mode=(LaneMode.RAIL if rail else LaneMode.ROAD).value,
        distance_km=_d(km),
        mean_days=_d(mean),
        std_days=_d(std, 2),
        min_days=_d(max(0.5, mean - 2 * std)),
        max_days=_d(mean + 3 * std),
        cost_per_unit=_d(shipment / load, 4),
        cost_per_shipment=_d(shipment, 2),
        capacity_per_day=Decimal(cap),
    )


def _lanes(sites: list[SiteSpec]) -> list[LaneSpec]:
    by_kind: dict[str, list[SiteSpec]] = {}
    for s in sites:
        by_kind.setdefault(s.kind, []).append(s)
    plants = [s for s in by_kind[SiteKind.PLANT.value] if s.owner == CORE]
    dcs = by_kind[SiteKind.DC.value]
    own = {s.owner: s for s in sites if s.owner != CORE}
    lanes: list[LaneSpec] = []
    for company in SUPPLIERS:
        site = own[company.code]
        for plant in plants:
            load = 20000 if company.supplies == "raw" else 4000
            lanes.append(_lane(CORE, company.code, site, plant, 1.5, load, 30000))
            if company.relation == "subcontractor":  # material issued to the subcontractor
                lanes.append(_lane(CORE, company.code, plant, site, 0.5, load, 30000))
    for raw, sub in (("JHPLAST", "HSMOULD"), ("JZCAST", "JTCOAT")):  # delivered direct
        lanes.append(_lane(CORE, raw, own[raw], own[sub], 1.5, 20000, 30000))
    for a in plants:
        lanes += [_lane(CORE, None, a, b, 0.5, 1500, 6000) for b in plants if b is not a]
        lanes += [_lane(CORE, DISTRIBUTOR, a, dc, 1.0, 1500, 6000) for dc in dcs]
    for store in by_kind[SiteKind.STORE.value]:
        ranked = sorted(dcs, key=lambda dc: _km(store.place, dc.place))
        # The parent DC first, then the next nearest as a backup source.
        lanes += [_lane(DISTRIBUTOR, RETAILER, dc, store, 0.5, 400, 1200) for dc in ranked[:2]]
    return lanes


def supplier_site(company: Company, network: Network) -> SiteSpec:
    """The one site of a supplier."""
    return network.site(company.code, company.place.key)
