"""Regressors known in advance for the global model: promotions, prices, the calendar.

A planned promotion is the one thing about next month's demand a planner knows for sure
and a model of past sales cannot guess; the global LightGBM model learns from every series'
past promotions what one is worth and applies it where the next one falls. Columns, one row
per day of history and horizon:

- ``on_promotion``: 1 on a day the item is promoted at the site: a planned or past
  promotion of the caller's (`network.model.Promotion`, at the site or everywhere), or a
  day the demand record itself says was promoted.
- ``discount``: the promotion's discount as a fraction (0 where only the flag is known).
- ``price_index``: the price in force (the caller's latest `PriceChange` at the site or
  everywhere, else the item's list price) after the discount, over the series' median
  price in force over its history: 1 when nothing is known or nothing changes.
- `planning.forecast.calendar.calendar_features` (Spring Festival share and distance,
  month): the festival moves every year.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from sqlalchemy import select

from supplymesh.network.model import DemandRecord, Item, PriceChange, Promotion
from supplymesh.planning.forecast.calendar import CALENDAR_COLUMNS, calendar_features
from supplymesh.planning.forecast.problem import FloatArray
from supplymesh.platform.uow import UnitOfWork
from supplymesh.replan.series import History

COLUMNS = ("on_promotion", "discount", "price_index", *CALENDAR_COLUMNS)


@dataclass(frozen=True)
class _Promo:
    site_id: int | None
    start: date
    end: date
    discount: float


def regressors(
    uow: UnitOfWork, histories: Sequence[History], horizon: int
) -> dict[str, FloatArray]:
    """History key → table (history days + `horizon`) × `COLUMNS`, for the caller's series."""
    if not histories:
        return {}
    first = min(h.start for h in histories)
    last = max(h.end for h in histories) + timedelta(days=horizon)
    items = sorted({h.item_id for h in histories})
    promos = _promotions(uow, items, first, last)
    flagged = _flagged_days(uow, histories, first)
    prices = _prices(uow, items)
    out: dict[str, FloatArray] = {}
    for h in histories:
        days = [h.start + timedelta(days=k) for k in range(h.values.size + horizon)]
        n = len(days)
        promo = np.zeros(n)
        discount = np.zeros(n)
        for p in promos.get(h.item_id, []):
            if p.site_id is not None and p.site_id != h.site_id:
                continue
            a = max(0, (p.start - h.start).days)
            b = min(n, (p.end - h.start).days + 1)
            if a < b:
                promo[a:b] = 1.0
                discount[a:b] = np.maximum(discount[a:b], p.discount)
        for day in flagged.get(h.key, ()):
            k = (day - h.start).days
            if 0 <= k < n:
                promo[k] = 1.0
        price = _price_path(prices.get(h.item_id, []), h.site_id, days) * (1.0 - discount)
        reference = float(np.median(price[: h.values.size])) if h.values.size else 0.0
        index = price / reference if reference > 0 else np.ones(n)
        calendar = calendar_features(days, 1)
        out[h.key] = np.column_stack([promo, discount, index, calendar])
    return out


def _promotions(
    uow: UnitOfWork, items: list[int], first: date, last: date
) -> dict[int, list[_Promo]]:
    out: dict[int, list[_Promo]] = defaultdict(list)
    query = select(Promotion).where(
        Promotion.item_id.in_(items), Promotion.end_date >= first, Promotion.start_date <= last
    )
    for p in uow.session.scalars(query):
        out[p.item_id].append(
            _Promo(p.site_id, p.start_date, p.end_date, float(p.discount_pct) / 100.0)
        )
    return out


def _flagged_days(
    uow: UnitOfWork, histories: Sequence[History], first: date
) -> dict[str, list[date]]:
    query = select(DemandRecord.item_id, DemandRecord.site_id, DemandRecord.day).where(
        DemandRecord.enterprise_id == uow.ctx.enterprise_id,
        DemandRecord.on_promotion.is_(True),
        DemandRecord.day >= first,
        DemandRecord.item_id.in_(sorted({h.item_id for h in histories})),
    )
    out: dict[str, list[date]] = defaultdict(list)
    for item_id, site_id, day in uow.session.execute(query):
        out[f"{item_id}:{site_id}"].append(day)
    return out


def _prices(uow: UnitOfWork, items: list[int]) -> dict[int, list[tuple[date, int | None, float]]]:
    """Item → (effective date, site or None, price), oldest first; the list price first."""
    out: dict[int, list[tuple[date, int | None, float]]] = defaultdict(list)
    for item_id, price in uow.session.execute(
        select(Item.id, Item.price).where(Item.id.in_(items))
    ):
        if price is not None:
            out[item_id].append((date.min, None, float(price)))
    query = (
        select(PriceChange)
        .where(PriceChange.item_id.in_(items))
        .order_by(PriceChange.effective_date, PriceChange.id)
    )
    for c in uow.session.scalars(query):
        out[c.item_id].append((c.effective_date, c.site_id, float(c.price)))
    return out


def _price_path(
    changes: list[tuple[date, int | None, float]], site_id: int, days: list[date]
) -> FloatArray:
    """Price in force each day (a site's own change beats a later general one only by date)."""
    mine = [(d, p) for d, s, p in changes if s is None or s == site_id]
    if not mine:
        return np.ones(len(days))
    out = np.empty(len(days))
    k, current = 0, mine[0][1]
    for i, day in enumerate(days):
        while k < len(mine) and mine[k][0] <= day:
            current = mine[k][1]
            k += 1
        out[i] = current
    return out


def node_table(members: Sequence[FloatArray], rows: int) -> FloatArray:
    """A tier's table from its members' (which end on the same day): `rows` rows.

    Promotion flag, discount and price index are the members' means (a DC is "half on
    promotion" when half its stores are); the calendar is the same for all of them.
    """
    n_cal = len(CALENDAR_COLUMNS)
    longest = max(members, key=len)
    if len(longest) < rows:
        raise ValueError(f"members cover {len(longest)} rows, the tier needs {rows}")
    padded = []
    for table in members:
        pad = rows - len(table)
        head = np.tile([0.0, 0.0, 1.0], (max(pad, 0), 1))
        padded.append(np.vstack([head, table[-rows:, : -n_cal or None]]))
    return np.column_stack([np.mean(padded, axis=0), longest[-rows:, -n_cal:]])
