"""Daily store demand, synthesised for every item × store at once with numpy.

The mean of a series on a day is a product of factors: the item's popularity (Pareto-like
ranks), the store's size and climate, a weekly pattern, the category's yearly season, a trend
with a launch ramp for new products, the price in force (constant elasticity, so list-price
changes and promotion discounts both move demand), a display lift while promoted and a dip
after (pulled-forward demand), and the Chinese retail calendar (see `seasonality`). Sales are
negative-binomial around that mean; about a fifth of the items are slow movers whose
demand is intermittent (small mean, strong over-dispersion: mostly zero days).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from supplymesh.network.demo.catalog import Product
from supplymesh.network.demo.pricing import PricePlan
from supplymesh.network.demo.scale import Scale
from supplymesh.network.demo.seasonality import (
    CATEGORY_TREND,
    ELASTICITY,
    climate_factor,
    event_factors,
    season_curve,
    weekly_pattern,
)
from supplymesh.network.demo.sites import SiteSpec

SLOW_SHARE = 0.2
STORE_TIER_FACTOR = {1: 1.6, 2: 1.0, 3: 0.65}
# Probability a store of a tier does not stock an item (fast, slow).
NOT_STOCKED = {1: (0.0, 0.1), 2: (0.1, 0.25), 3: (0.22, 0.45)}
POST_PROMO_DAYS = 7


@dataclass(frozen=True)
class DemandHistory:
    """Units sold per series (store × item) and day; a series starts at `first_day`."""

    start: date
    days: int
    skus: tuple[str, ...]
    stores: tuple[str, ...]
    slow: npt.NDArray[np.bool_]  # per product
    series_item: npt.NDArray[np.int32]
    series_store: npt.NDArray[np.int32]
    first_day: npt.NDArray[np.int32]
    quantity: npt.NDArray[np.int32]  # (series, days)
    on_promotion: npt.NDArray[np.bool_]  # (series, days)

    @property
    def active(self) -> npt.NDArray[np.bool_]:
        """Which (series, day) cells are recorded: from the item's launch on."""
        return np.arange(self.days)[None, :] >= self.first_day[:, None]

    @property
    def rows(self) -> int:
        return int((self.days - self.first_day).sum())

    def stocked(self) -> set[tuple[str, str]]:
        """(store code, SKU) of every series: what each store sells."""
        return {
            (self.stores[j], self.skus[i])
            for j, i in zip(self.series_store.tolist(), self.series_item.tolist(), strict=True)
        }

    def day(self, index: int) -> date:
        return self.start + timedelta(days=index)


def synthesize_demand(
    scale: Scale,
    products: tuple[Product, ...],
    stores: list[SiteSpec],
    plan: PricePlan,
    rng: np.random.Generator,
) -> DemandHistory:
    """Daily demand of every product at every store that stocks it, `scale.start`..`scale.end`."""
    n_items, n_days = len(products), scale.days
    dates = [scale.start + timedelta(days=t) for t in range(n_days)]
    categories = sorted({p.category for p in products})
    cat_of = np.array([categories.index(p.category) for p in products], dtype=np.int32)

    # Popularity: the catalogue's weights with Pareto-like noise; the least popular fifth
    # (and every accessory) sell intermittently.
    weight = np.array([p.popularity for p in products]) * (1 + rng.pareto(3.0, n_items))
    slow = np.array([p.category == "accessory" for p in products])
    n_slow = round(SLOW_SHARE * n_items)
    for k in np.argsort(weight, kind="stable"):
        if slow.sum() >= n_slow:
            break
        slow[k] = True
    base = np.where(slow, rng.uniform(0.08, 0.35, n_items), 9.0 * (weight / weight.max()) ** 0.9)
    base = np.maximum(base, np.where(slow, 0.0, 0.5))
    dispersion = np.where(slow, rng.uniform(0.25, 0.5, n_items), rng.uniform(3.0, 10.0, n_items))

    # Which store stocks what; series ordered by store, then item (the insert order).
    pairs: list[tuple[int, int]] = []
    for j, store in enumerate(stores):
        drop_fast, drop_slow = NOT_STOCKED[store.place.tier] if not scale.tiny else (0.0, 0.0)
        u = rng.random(n_items)
        pairs += [(j, i) for i in range(n_items) if u[i] >= (drop_slow if slow[i] else drop_fast)]
    s_store = np.array([j for j, _ in pairs], dtype=np.int32)
    s_item = np.array([i for _, i in pairs], dtype=np.int32)
    store_factor = np.array([STORE_TIER_FACTOR[s.place.tier] for s in stores])
    store_factor *= rng.lognormal(0.0, 0.15, len(stores))
    climate = np.array([[climate_factor(c, s.place.latitude) for s in stores] for c in categories])

    # Item × day factors: trend, launch ramp, list price.
    t = np.arange(n_days, dtype=np.float64)
    growth = np.array([CATEGORY_TREND.get(p.category, 0.03) for p in products])
    growth = growth + rng.normal(0.0, 0.06, n_items)
    item_level = np.exp(growth[:, None] * t[None, :] / 365.25)
    first_day = np.zeros(n_items, dtype=np.int32)
    for i, p in enumerate(products):
        if p.launched is not None and p.launched > scale.start:
            first_day[i] = (p.launched - scale.start).days
            ramp = 1.0 / (1.0 + np.exp(-(t - first_day[i] - 20.0) / 7.0))
            item_level[i] *= ramp
    list_price = _list_prices(products, plan, scale.start, n_days)
    ref_price = list_price[np.arange(n_items), np.minimum(first_day, n_days - 1)]

    # Series × day: discounts, post-promotion dips.
    sku_index = {p.sku: i for i, p in enumerate(products)}
    series_of = {(int(j), int(i)): k for k, (j, i) in enumerate(pairs)}
    store_index = {s.code: j for j, s in enumerate(stores)}
    discount = np.zeros((len(pairs), n_days))
    dip = np.ones((len(pairs), n_days))
    by_item: dict[int, npt.NDArray[np.intp]] = {
        i: np.flatnonzero(s_item == i) for i in range(n_items)
    }
    for promo in plan.promotions:
        item = sku_index.get(promo.sku)
        if item is None:
            continue
        if promo.store is None:
            rows = by_item[item]
        elif (key := (store_index.get(promo.store, -1), item)) in series_of:
            rows = np.array([series_of[key]])
        else:
            continue
        a, b = (promo.start - scale.start).days, (promo.end - scale.start).days + 1
        if b <= 0 or a >= n_days:
            continue
        frac = float(promo.discount_pct) / 100.0
        lo, hi = max(a, 0), min(b, n_days)
        discount[rows, lo:hi] = np.maximum(discount[rows, lo:hi], frac)
        after = np.arange(b, min(b + POST_PROMO_DAYS, n_days))
        fade = 1.0 - 0.8 * frac * (POST_PROMO_DAYS + 1 - (after - b + 1)) / (POST_PROMO_DAYS + 1)
        dip[np.ix_(rows, after)] = np.minimum(dip[np.ix_(rows, after)], fade[None, :])

    elasticity = np.array([ELASTICITY.get(p.category, 1.5) for p in products])
    elasticity = np.where(slow, 0.8, elasticity)
    price = list_price[s_item] * (1.0 - discount)
    mu = (price / ref_price[s_item, None]) ** (-elasticity[s_item, None])
    mu *= np.where(discount > 0, 1.1, 1.0) * dip
    mu *= item_level[s_item]
    mu *= (base[s_item] * store_factor[s_store] * climate[cat_of[s_item], s_store])[:, None]
    season = np.stack([season_curve(c, dates) for c in categories])
    events = event_factors(dates, categories, [p.colour for p in products], cat_of)
    mu *= season[cat_of[s_item]] * events[s_item]
    mu *= weekly_pattern(dates)[None, :]

    k = dispersion[s_item, None]
    quantity = rng.negative_binomial(k, k / (k + mu)).astype(np.int32)
    active = t[None, :] >= first_day[s_item, None]
    quantity[~active] = 0
    return DemandHistory(
        start=scale.start,
        days=n_days,
        skus=tuple(p.sku for p in products),
        stores=tuple(s.code for s in stores),
        slow=slow,
        series_item=s_item,
        series_store=s_store,
        first_day=first_day[s_item],
        quantity=quantity,
        on_promotion=(discount > 0) & active,
    )


def _list_prices(
    products: tuple[Product, ...], plan: PricePlan, start: date, n_days: int
) -> npt.NDArray[np.float64]:
    """The list price of each product on each day (float: it only scales demand)."""
    out = np.array([[float(p.price)] for p in products]) * np.ones(n_days)
    index = {p.sku: i for i, p in enumerate(products)}
    for change in sorted(plan.price_changes, key=lambda c: c.effective):
        if change.sku in index and change.store is None:
            out[index[change.sku], max(0, (change.effective - start).days) :] = float(change.price)
    return out
