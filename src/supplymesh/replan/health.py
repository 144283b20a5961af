"""Inventory health per item × site: days of cover, excess and what is at risk.

Cover is on-hand stock over the expected daily demand (the latest forecast's median, else
the last 28 days' mean). Stock beyond `excess_days` of cover is excess; an item whose cover
(counting what is on order) does not reach its inbound lane's lead time plus a review
period is at risk of running out before a new order can arrive.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from supplymesh.network.model import Item, Site
from supplymesh.platform.uow import UnitOfWork
from supplymesh.replan.forecasting import latest_run, values_of
from supplymesh.replan.proposals import inbound_lanes, stock_by_series
from supplymesh.replan.series import load_histories

RECENT_DAYS = 28


@dataclass(frozen=True)
class HealthRow:
    item_id: int
    site_id: int
    sku: str
    item_name: str
    site_code: str
    on_hand: Decimal
    on_order: Decimal
    daily_demand: float
    days_of_cover: float | None
    excess_units: float
    lead_time_days: float | None
    status: str  # at_risk, excess, ok


def inventory_health(
    uow: UnitOfWork, excess_days: int = 60, review_days: int = 7
) -> list[HealthRow]:
    """One row per item × site with demand history, at-risk rows first."""
    histories = load_histories(uow, history_days=RECENT_DAYS)
    run = latest_run(uow)
    forecast = values_of(uow, run) if run is not None else {}
    stock = stock_by_series(uow)
    lanes = inbound_lanes(uow, {h.site_id for h in histories})
    rows = []
    for h in histories:
        item = uow.session.get(Item, h.item_id)
        site = uow.session.get(Site, h.site_id)
        if item is None or site is None:
            continue
        f = forecast.get((h.item_id, h.site_id))
        daily = float(np.mean([float(v.p50) for v in f])) if f else float(np.mean(h.values))
        on_hand, on_order = stock.get((h.item_id, h.site_id), (Decimal(0), Decimal(0)))
        cover = float(on_hand) / daily if daily > 0 else None
        lane = lanes.get(h.site_id)
        lead = float(lane.lead_time_mean_days) if lane is not None else None
        excess = max(0.0, float(on_hand) - excess_days * daily) if daily > 0 else float(on_hand)
        position_cover = (float(on_hand + on_order) / daily) if daily > 0 else None
        if position_cover is not None and position_cover < (lead or 0.0) + review_days:
            status = "at_risk"
        elif excess > 0:
            status = "excess"
        else:
            status = "ok"
        rows.append(
            HealthRow(
                h.item_id,
                h.site_id,
                item.sku,
                item.name,
                site.code,
                on_hand,
                on_order,
                round(daily, 3),
                None if cover is None else round(cover, 1),
                round(excess, 1),
                lead,
                status,
            )
        )
    order = {"at_risk": 0, "excess": 1, "ok": 2}
    return sorted(rows, key=lambda r: (order[r.status], r.sku, r.site_code))
