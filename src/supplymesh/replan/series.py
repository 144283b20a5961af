"""Daily demand histories of item × site, checked and repaired before they are forecast.

A history is read from the first to the last day the site recorded the item. Days missing in
between, negative quantities and histories too short for the model library are named in a
message; the series is repaired (missing days and negatives become 0) and forecast by the
fallback model, and the run reports both, so one bad series never stops a run.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from sqlalchemy import func, select

from supplymesh.network.model import DemandRecord, Item, Site
from supplymesh.platform.uow import UnitOfWork
from supplymesh.replan.model import ReplanError

MIN_DAYS = 14  # two weekly cycles: less than that and no seasonal model can be checked
SEASON_DAYS = 7


@dataclass
class History:
    """One item × site series, oldest first, with what was wrong with it."""

    item_id: int
    site_id: int
    label: str  # ``SKU@SITE``, used in every message
    start: date
    values: np.ndarray
    problems: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.item_id}:{self.site_id}"

    @property
    def end(self) -> date:
        return self.start + timedelta(days=int(self.values.size) - 1)


def load_histories(
    uow: UnitOfWork,
    item_codes: list[str] | None = None,
    site_codes: list[str] | None = None,
    history_days: int | None = None,
    pairs: set[tuple[int, int]] | None = None,
) -> list[History]:
    """The caller's own demand histories (sorted by SKU, site), filtered by codes if given.

    `pairs` keeps only those (item id, site id) series; the rows are still cut in SQL to the
    pairs' items and sites, so a run over one store does not read the whole network's years.
    """
    me = uow.ctx.enterprise_id
    query = select(
        DemandRecord.item_id, DemandRecord.site_id, DemandRecord.day, DemandRecord.quantity
    ).where(DemandRecord.enterprise_id == me)
    items = _ids(uow, Item, Item.sku, item_codes, "item")
    sites = _ids(uow, Site, Site.code, site_codes, "site")
    if history_days is not None:
        # Cut in SQL too: a full demo holds years of daily rows per series.
        latest = uow.session.scalar(
            select(func.max(DemandRecord.day)).where(DemandRecord.enterprise_id == me)
        )
        if latest is not None:
            query = query.where(DemandRecord.day > latest - timedelta(days=history_days))
    if pairs is not None:
        wanted_items, wanted_sites = {i for i, _ in pairs}, {s for _, s in pairs}
        items = sorted(wanted_items if items is None else wanted_items & set(items))
        sites = sorted(wanted_sites if sites is None else wanted_sites & set(sites))
    if items is not None:
        query = query.where(DemandRecord.item_id.in_(items))
    if sites is not None:
        query = query.where(DemandRecord.site_id.in_(sites))
    rows: dict[tuple[int, int], dict[date, Decimal]] = defaultdict(dict)
    for item_id, site_id, day, qty in uow.session.execute(query):
        if pairs is None or (item_id, site_id) in pairs:
            rows[(item_id, site_id)][day] = qty
    if not rows:
        return []
    names = _labels(uow, {i for i, _ in rows}, {s for _, s in rows})
    out = [
        _history(item_id, site_id, names, days, history_days)
        for (item_id, site_id), days in rows.items()
    ]
    return sorted(out, key=lambda h: h.label)


def _ids(
    uow: UnitOfWork,
    model: type[Item] | type[Site],
    column: object,
    codes: list[str] | None,
    kind: str,
) -> list[int] | None:
    if not codes:
        return None
    # Items are often another enterprise's, shared with the caller: any visible one counts,
    # the caller's own first when two owners use the same SKU.
    rows = uow.session.execute(
        select(column, model.id, model.enterprise_id).where(  # type: ignore[call-overload]
            column.in_(codes)  # type: ignore[attr-defined]
        )
    ).all()
    found: dict[str, int] = {}
    for code, obj_id, _owner in sorted(rows, key=lambda r: r[2] != uow.ctx.enterprise_id):
        found.setdefault(code, obj_id)
    missing = [c for c in codes if c not in found]
    if missing:
        raise ReplanError(f"unknown {kind} {', '.join(missing)}")
    return list(found.values())


def _labels(uow: UnitOfWork, item_ids: set[int], site_ids: set[int]) -> dict[tuple[str, int], str]:
    names: dict[tuple[str, int], str] = {}
    for i, sku in uow.session.execute(select(Item.id, Item.sku).where(Item.id.in_(item_ids))):
        names[("item", i)] = sku
    for s, code in uow.session.execute(select(Site.id, Site.code).where(Site.id.in_(site_ids))):
        names[("site", s)] = code
    return names


def _history(
    item_id: int,
    site_id: int,
    names: dict[tuple[str, int], str],
    days: dict[date, Decimal],
    history_days: int | None,
) -> History:
    label = f"{names.get(('item', item_id), item_id)}@{names.get(('site', site_id), site_id)}"
    end = max(days)
    start = min(days)
    if history_days is not None:
        start = max(start, end - timedelta(days=history_days - 1))
    n = (end - start).days + 1
    values = np.zeros(n)
    seen = np.zeros(n, dtype=bool)
    for day, qty in days.items():
        if day >= start:
            values[(day - start).days] = float(qty)
            seen[(day - start).days] = True
    history = History(item_id, site_id, label, start, values)
    gaps = np.flatnonzero(~seen)
    if gaps.size:
        first = start + timedelta(days=int(gaps[0]))
        history.problems.append(
            f"series {label}: {gaps.size} missing day(s), first {first.isoformat()}, counted as 0"
        )
    negative = np.flatnonzero(values < 0)
    if negative.size:
        day = start + timedelta(days=int(negative[0]))
        history.problems.append(
            f"series {label}: negative demand {values[negative[0]]:g} on {day.isoformat()} "
            f"({negative.size} day(s)), counted as 0"
        )
        values[negative] = 0.0
    if n < MIN_DAYS:
        history.problems.append(
            f"series {label}: only {n} day(s) of history, at least {MIN_DAYS} needed"
        )
    return history
