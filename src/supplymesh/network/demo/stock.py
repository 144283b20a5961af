"""Stock on hand and open orders as of the end of history, sized from the demand itself.

Stores hold one to two weeks of their recent sales (a few are out of stock), DCs two to
four weeks of what their stores sell, plants a week or two of finished goods and enough parts
for two to four weeks of assembly; subcontractors hold material HCE issued to them. Open
orders are counted as on order at their destination, so stock and orders agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from supplymesh.network.demo.catalog import Catalog
from supplymesh.network.demo.companies import CORE, DISTRIBUTOR, RETAILER, SUPPLIERS
from supplymesh.network.demo.demand import DemandHistory
from supplymesh.network.demo.orders import OPEN_STATES, TODAY, OrderSpec, plan_orders
from supplymesh.network.demo.sites import Network, SiteSpec, supplier_site
from supplymesh.network.model import SiteKind


@dataclass(frozen=True)
class StockSpec:
    """How much of an item an owner holds at a site, per lot and status."""

    owner: str
    site: SiteSpec
    sku: str
    lot: str
    status: str
    on_hand: Decimal
    on_order: Decimal = Decimal(0)


@dataclass(frozen=True)
class LotSpec:
    """A batch of a shelf-life item: when made, when it expires, who made it."""

    sku: str
    code: str
    produced_on: date
    expires_on: date
    supplier: str | None


@dataclass
class StockPlan:
    """Stock positions, lots and orders as of the end of history."""

    positions: list[StockSpec] = field(default_factory=list)
    lots: list[LotSpec] = field(default_factory=list)
    orders: list[OrderSpec] = field(default_factory=list)


def _round(value: float, unit: str) -> Decimal:
    """Whole units, or kilograms to one decimal (never a float in the database)."""
    return Decimal(max(0, round(value))) if unit != "KG" else Decimal(f"{max(0.0, value):.1f}")


def plan_stock(
    catalog: Catalog, network: Network, history: DemandHistory, rng: np.random.Generator
) -> StockPlan:
    """Stock positions, lots and a few orders in every state, consistent with each other."""
    plan = StockPlan()
    items = {i.sku: i for i in catalog.items}
    lots = _lots(catalog, rng, plan)
    recent = history.quantity[:, -28:].mean(axis=1)  # units a day per series
    stores = [network.site(RETAILER, code) for code in history.stores]
    plants = [s for s in network.of_kind(SiteKind.PLANT.value) if s.owner == CORE]
    dc_rate: dict[tuple[str, str], float] = defaultdict(float)
    usage: dict[tuple[int, str], float] = defaultdict(float)  # per plant, units a day

    def hold(owner: str, site: SiteSpec, sku: str, status: str, qty: float) -> None:
        on_hand = _round(qty, items[sku].base_unit)
        plan.positions.append(StockSpec(owner, site, sku, lots.get(sku, ""), status, on_hand))

    for k, rate in enumerate(recent.tolist()):
        store, sku = stores[history.series_store[k]], history.skus[history.series_item[k]]
        dc_rate[(store.parent or "", sku)] += rate
        usage[(items[sku].plant, sku)] += rate
        hold(
            RETAILER,
            store,
            sku,
            "available",
            0 if rng.random() < 0.06 else max(2, rate * rng.uniform(7, 14)),
        )
    for (dc_code, sku), rate in sorted(dc_rate.items()):
        hold(
            DISTRIBUTOR,
            network.site(DISTRIBUTOR, dc_code),
            sku,
            "available",
            max(6, rate * rng.uniform(14, 28)),
        )
    # Parts: what a day of finished-goods output consumes, exploded level by level (a part's
    # BOM lines come after every line that uses it, so one pass suffices).
    for bom in catalog.boms:
        for plant in range(len(plants)):
            used = usage.get((plant, bom.parent), 0.0) * float(bom.quantity_per)
            if used:
                usage[(plant, bom.component)] += used
    for (plant, sku), rate in sorted(usage.items()):
        cover = (5, 12) if items[sku].item_type == "finished" else (14, 28)
        status = "qc_hold" if rng.random() < 0.03 else "available"
        hold(CORE, plants[plant], sku, status, max(1, rate * rng.uniform(*cover)))
    issued: dict[tuple[str, str], float] = defaultdict(float)  # material at subcontractors
    for bom in catalog.boms:
        source = items[bom.parent].source
        if any(c.code == source and c.relation == "subcontractor" for c in SUPPLIERS):
            need = sum(usage.get((p, bom.parent), 0.0) for p in range(len(plants)))
            issued[(source, bom.component)] += need * float(bom.quantity_per)
    for (source, sku), rate in sorted(issued.items()):
        site = supplier_site(next(c for c in SUPPLIERS if c.code == source), network)
        hold(CORE, site, sku, "at_subcontractor", rate * rng.uniform(5, 10))
    plan.orders += plan_orders(catalog, network, usage, dc_rate, rng)
    _count_on_order(plan, lots)
    return plan


def _lots(catalog: Catalog, rng: np.random.Generator, plan: StockPlan) -> dict[str, str]:
    """One current lot of every item with a shelf life."""
    out: dict[str, str] = {}
    for item in catalog.items:
        if item.shelf_life_days is None:
            continue
        made = TODAY - timedelta(days=int(rng.integers(20, 120)))
        code = f"L{made:%y%m%d}-{len(out) + 1:02d}"
        expires = made + timedelta(days=item.shelf_life_days)
        supplier = None if item.source == CORE else item.source
        plan.lots.append(LotSpec(item.sku, code, made, expires, supplier))
        out[item.sku] = code
    return out


def _count_on_order(plan: StockPlan, lots: dict[str, str]) -> None:
    """Add what open orders still have to deliver to the destination's available stock."""
    due: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for o in plan.orders:
        if o.status in OPEN_STATES:
            for line in o.lines:
                due[(o.ship_to.owner, o.ship_to.code, line.sku)] += line.quantity - line.received
    updated: list[StockSpec] = []
    for p in plan.positions:
        key = (p.site.owner, p.site.code, p.sku)
        if p.status == "available" and key in due:
            p = StockSpec(p.owner, p.site, p.sku, p.lot, p.status, p.on_hand, due.pop(key))
        updated.append(p)
    for o in plan.orders:  # destinations that held none of the item yet
        for line in o.lines:
            key = (o.ship_to.owner, o.ship_to.code, line.sku)
            if key in due:
                updated.append(
                    StockSpec(
                        o.ship_to.owner,
                        o.ship_to,
                        line.sku,
                        lots.get(line.sku, ""),
                        "available",
                        Decimal(0),
                        due.pop(key),
                    )
                )
    plan.positions[:] = updated
