"""List-price changes and promotions of Haichuan's finished goods.

National campaigns follow the Chinese retail year: the pre-Spring-Festival sale (年货节), 618
(1-18 June) and Double-11 (1-11 November); items also get brand weeks of their own, and stores
run short local deals. Campaigns are planned a little past the end of history (the next
Spring Festival sale) so that forecasts can use promotions known in advance. Demand is
synthesised from exactly these rows, so the two always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from supplymesh.network.demo.catalog import Catalog, Product
from supplymesh.network.demo.holidays import SPRING_FESTIVAL
from supplymesh.network.demo.scale import Scale

PLANNED_AHEAD_DAYS = 90


@dataclass(frozen=True)
class PriceChangeSpec:
    """From `effective` the item sells at `price` (CNY)."""

    sku: str
    store: str | None  # None: every store
    effective: date
    price: Decimal


@dataclass(frozen=True)
class PromotionSpec:
    """A discount on an item over a date range, at one store or all."""

    sku: str
    store: str | None  # None: every store
    name: str
    start: date
    end: date  # inclusive
    discount_pct: Decimal  # percent off the list price


@dataclass(frozen=True)
class PricePlan:
    """Every list-price change and promotion of the demo."""

    price_changes: tuple[PriceChangeSpec, ...]
    promotions: tuple[PromotionSpec, ...]

    def list_price(self, sku: str, on: date) -> Decimal:
        """The list price of `sku` in force on `on` (the last change on or before it)."""
        changes = [c for c in self.price_changes if c.sku == sku and c.effective <= on]
        return max(changes, key=lambda c: c.effective).price


def restricted(plan: PricePlan, stocked: set[tuple[str, str]]) -> PricePlan:
    """`plan` without store deals on items the store does not stock (store code, SKU)."""
    kept = tuple(p for p in plan.promotions if p.store is None or (p.store, p.sku) in stocked)
    return PricePlan(plan.price_changes, kept)


def with_current_prices(catalog: Catalog, plan: PricePlan, on: date) -> Catalog:
    """The catalogue with each finished good at the list price in force on `on`."""
    skus = {p.sku for p in catalog.products}
    items = tuple(
        replace(i, price=plan.list_price(i.sku, on)) if i.sku in skus else i for i in catalog.items
    )
    return replace(catalog, items=items)


def retail_price(value: float) -> Decimal:
    """A shelf price the way Chinese retail writes it: 229, 89, 17.9."""
    if value >= 30:
        return Decimal(int(value // 10) * 10 + 9)
    return Decimal(f"{int(value)}.9")


def campaigns(start: date, end: date) -> list[tuple[str, date, date]]:
    """National campaign windows (name, first day, last day) overlapping `start`..`end`."""
    out: list[tuple[str, date, date]] = []
    for year in range(start.year, end.year + 1):
        if year in SPRING_FESTIVAL:
            sf = SPRING_FESTIVAL[year]
            out.append(("年货节 Spring Festival Sale", sf - timedelta(days=21), sf - timedelta(1)))
        out.append(("618年中大促 618 Mid-Year Sale", date(year, 6, 1), date(year, 6, 18)))
        out.append(("双11狂欢节 Double 11", date(year, 11, 1), date(year, 11, 11)))
    return sorted(w for w in out if w[2] >= start and w[1] <= end)


def plan_prices(
    scale: Scale, products: tuple[Product, ...], stores: list[str], rng: np.random.Generator
) -> PricePlan:
    """Price history and promotions for every product, from `scale.start` on."""
    changes: list[PriceChangeSpec] = []
    promos: list[PromotionSpec] = []
    years = scale.days / 365.25
    windows = campaigns(scale.start, scale.end + timedelta(days=PLANNED_AHEAD_DAYS))
    for p in products:
        first = max(scale.start, p.launched or scale.start)
        changes.append(PriceChangeSpec(p.sku, None, first, p.price))
        price = float(p.price)
        span = (scale.end - first).days - 90
        n_changes = int(rng.random() < 0.45) + int(rng.random() < 0.15) if span > 0 else 0
        offsets = sorted(int(x) for x in rng.integers(60, max(61, span), size=n_changes))
        for offset in offsets:
            factor = (
                1 - rng.uniform(0.05, 0.15) if rng.random() < 0.7 else 1 + rng.uniform(0.03, 0.08)
            )
            new = retail_price(price * factor)
            if new != retail_price(price):
                changes.append(PriceChangeSpec(p.sku, None, first + timedelta(offset), new))
                price = float(new)
        busy: list[tuple[date, date]] = []
        for name, a, b in windows:
            if b < first or rng.random() > 0.55:
                continue
            pct = Decimal(int(rng.choice([10, 15, 20, 25])))
            promos.append(PromotionSpec(p.sku, None, name, max(a, first), b, pct))
            busy.append((a, b))
        for _ in range(int(rng.poisson(2 * years))):
            a = first + timedelta(int(rng.integers(30, max(31, (scale.end - first).days - 10))))
            b = a + timedelta(int(rng.integers(4, 10)))
            if a > scale.end or any(a <= y and x <= b for x, y in busy):
                continue
            pct = Decimal(int(rng.choice([10, 15, 20])))
            promos.append(PromotionSpec(p.sku, None, "品牌周 Brand Week", a, b, pct))
            busy.append((a, b))
    promos += _store_deals(scale, products, stores, rng)
    return PricePlan(tuple(changes), tuple(promos))


def _store_deals(
    scale: Scale, products: tuple[Product, ...], stores: list[str], rng: np.random.Generator
) -> list[PromotionSpec]:
    """Short local deals: a store's anniversary or a weekend special on a handful of items."""
    out: list[PromotionSpec] = []
    for store in stores:
        for _ in range(int(rng.poisson(6 * scale.days / 365.25))):
            a = scale.start + timedelta(int(rng.integers(0, scale.days - 3)))
            b = a + timedelta(int(rng.integers(2, 5)))
            name = "店庆 Store Anniversary" if rng.random() < 0.3 else "周末特惠 Weekend Deal"
            pct = Decimal(int(rng.choice([15, 20, 25, 30])))
            count = min(len(products), int(rng.integers(3, 7)))
            for k in sorted(rng.choice(len(products), size=count, replace=False).tolist()):
                p = products[k]
                if p.launched is None or p.launched + timedelta(30) <= a:
                    out.append(PromotionSpec(p.sku, store, name, a, b, pct))
    return out
