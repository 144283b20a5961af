"""A few orders in every state: purchases from suppliers, transfers to DCs and to stores.

Quantities are two weeks of what the destination uses or sells, rounded up to whole cases
(bags, coils, reels); prices are standard costs for purchases and the trade prices of the
chain for transfers (ex-works to the distributor, then to the stores).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import cycle

import numpy as np

from supplymesh.network.demo.catalog import Catalog, ItemSpec
from supplymesh.network.demo.companies import CORE, DISTRIBUTOR, RETAILER, SUPPLIERS
from supplymesh.network.demo.scale import AS_OF
from supplymesh.network.demo.sites import Network, SiteSpec, supplier_site
from supplymesh.network.model import SiteKind

TODAY = AS_OF.date() + timedelta(days=1)  # the first day after history, in China
# Days before today an order in each state was placed.
AGE_DAYS = {"closed": 45, "received": 25, "shipped": 10, "partially_shipped": 12}
AGE_DAYS |= {"confirmed": 5, "released": 2, "draft": 0, "cancelled": 20}
OPEN_STATES = frozenset({"released", "confirmed", "partially_shipped", "shipped"})
EX_WORKS_SHARE = Decimal("0.62")  # of the list price, HCE to the distributor
TO_STORE_SHARE = Decimal("0.78")  # of the list price, distributor to the retailer


@dataclass(frozen=True)
class OrderLineSpec:
    """One item on an order, with what has shipped and arrived so far."""

    sku: str
    quantity: Decimal
    unit_price: Decimal | None
    shipped: Decimal
    received: Decimal


@dataclass(frozen=True)
class OrderSpec:
    """An order between two sites; `partner` is the other enterprise."""

    owner: str
    partner: str | None
    number: str
    kind: str
    status: str
    ship_from: SiteSpec
    ship_to: SiteSpec
    order_date: date
    requested: date
    note: str | None
    lines: tuple[OrderLineSpec, ...]


def _pack(qty: float, item: ItemSpec) -> Decimal:
    """Round an order quantity up to whole cases (or bags, coils, reels)."""
    per = item.units[0][1] if item.units else Decimal(1)
    return Decimal(max(1, int(np.ceil(qty / float(per))))) * per


def _price(item: ItemSpec, share: Decimal) -> Decimal:
    return (item.price * share).quantize(Decimal("0.01"))


class _Book:
    """Numbers orders per owner and hands out states in turn, so every state appears."""

    def __init__(self, catalog: Catalog, rng: np.random.Generator) -> None:
        self.items = {i.sku: i for i in catalog.items}
        self.rng = rng
        self.orders: list[OrderSpec] = []
        self.states: Iterator[str] = cycle(AGE_DAYS)

    def pick(self, skus: list[str], n: int) -> list[str]:
        if not skus:
            return []
        return [skus[k] for k in sorted(set(self.rng.integers(0, len(skus), size=n).tolist()))]

    def add(
        self,
        owner: str,
        partner: str | None,
        kind: str,
        route: tuple[SiteSpec, SiteSpec],
        lines: Sequence[tuple[str, float, Decimal | None]],
        note: str | None = None,
    ) -> None:
        if not lines:
            return
        status = next(self.states)
        ordered = TODAY - timedelta(days=AGE_DAYS[status] + int(self.rng.integers(0, 4)))
        specs = []
        for sku, qty, price in lines:
            q = _pack(qty, self.items[sku])
            shipped = Decimal(0)
            if status in ("closed", "received", "shipped"):
                shipped = q
            elif status == "partially_shipped":
                shipped = (q / 2).to_integral_value()
            received = q if status in ("closed", "received") else Decimal(0)
            specs.append(OrderLineSpec(sku, q, price, shipped, received))
        prefix = {"purchase": "PO", "transfer": "TO"}[kind]
        number = f"{prefix}{ordered:%y%m}{sum(o.owner == owner for o in self.orders) + 1:04d}"
        requested = ordered + timedelta(days=int(self.rng.integers(5, 15)))
        a, b = route
        spec = OrderSpec(owner, partner, number, kind, status, a, b, ordered, requested, note, ())
        self.orders.append(replace(spec, lines=tuple(specs)))


def plan_orders(
    catalog: Catalog,
    network: Network,
    usage: dict[tuple[int, str], float],
    dc_rate: dict[tuple[str, str], float],
    rng: np.random.Generator,
) -> list[OrderSpec]:
    """Purchase orders to every supplier, transfers plant → DC and DC → store."""
    book = _Book(catalog, rng)
    items = book.items
    plants = [s for s in network.of_kind(SiteKind.PLANT.value) if s.owner == CORE]
    for company in SUPPLIERS:
        bought = sorted(i.sku for i in catalog.items if i.source == company.code)
        subcontract = company.relation == "subcontractor"
        for n in range(2 if bought else 0):
            picks = book.pick(bought, 3)
            plant = n % len(plants) if subcontract else min(items[s].plant for s in picks)
            lines = [(s, 14 * max(1.0, usage.get((plant, s), 1.0)), items[s].price) for s in picks]
            note = "委外加工 outsourced processing" if subcontract else None
            route = (supplier_site(company, network), plants[plant])
            book.add(CORE, company.code, "purchase", route, lines, note)
    for dc in network.of_kind(SiteKind.DC.value):
        for plant_no, plant_site in enumerate(plants):
            skus = sorted(s for (d, s), r in dc_rate.items() if d == dc.code and r > 0)
            made_here = book.pick([s for s in skus if items[s].plant == plant_no], 5)
            lines = [
                (s, 7 * dc_rate[(dc.code, s)], _price(items[s], EX_WORKS_SHARE)) for s in made_here
            ]
            book.add(CORE, DISTRIBUTOR, "transfer", (plant_site, dc), lines)
    stores = network.of_kind(SiteKind.STORE.value)
    for store in stores[:: max(1, len(stores) // 4)]:
        if store.parent is None:
            continue
        skus = sorted(s for (d, s), r in dc_rate.items() if d == store.parent and r > 0.5)
        lines = [(s, 10.0, _price(items[s], TO_STORE_SHARE)) for s in book.pick(skus, 4)]
        route = (network.site(DISTRIBUTOR, store.parent), store)
        book.add(DISTRIBUTOR, RETAILER, "transfer", route, lines)
    return book.orders
