"""Multi-echelon safety stock for one item over the caller's distribution tree.

The tree is read from lanes: each site with demand history is a demand-facing stage (it
serves its customers at once, S = 0); its supplier is the origin of its shortest visible
inbound lane, and so on upstream while such a lane is visible, one supplier per site. A
stage's processing time is its inbound lane's mean lead time rounded up to whole days (a
top stage with no visible inbound lane gets `source_lead_days`), its daily demand spread
the history's standard deviation (summed in variance over the sites it serves), and its
holding cost the item's price marked up by `value_added` per echelon downstream. The
guaranteed-service engine then says where the stock should sit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from supplymesh.network.model import Item, Lane, Site
from supplymesh.planning.replenishment.gsm import (
    GsmProblem,
    GsmResult,
    GsmStage,
    GsmStageResult,
    solve_gsm,
)
from supplymesh.platform.uow import UnitOfWork
from supplymesh.replan.model import ReplanError
from supplymesh.replan.series import load_histories

MAX_DEPTH = 6


@dataclass(frozen=True)
class SafetyRequest:
    """Which item, the service level, and the assumptions for what lanes do not say."""

    item_code: str
    service_level: float = 0.95
    source_lead_days: int = 7
    value_added: float = 0.2

    def __post_init__(self) -> None:
        if not 0.5 <= self.service_level < 1:
            raise ReplanError(f"service_level must be in [0.5, 1), got {self.service_level}")
        if self.source_lead_days < 0 or self.value_added < 0:
            raise ReplanError("source_lead_days and value_added must be >= 0")


@dataclass(frozen=True)
class SafetyStage:
    """A site's place in the tree and what the engine chose for it."""

    site_id: int
    site_code: str
    supplier_site_code: str | None
    processing_days: int
    demand_std: float
    holding_cost: float
    inbound_service_days: int
    outbound_service_days: int
    net_replenishment_days: int
    safety_stock: float


@dataclass(frozen=True)
class SafetyPlan:
    item_id: int
    sku: str
    service_level: float
    total_cost: float
    stages: tuple[SafetyStage, ...]


def plan_safety_stock(uow: UnitOfWork, request: SafetyRequest) -> SafetyPlan:
    """Guaranteed-service safety stocks for the item over the caller's distribution tree."""
    histories = load_histories(uow, [request.item_code], history_days=365)
    if not histories:
        raise ReplanError(f"item {request.item_code}: no demand history to size stock from")
    item = uow.session.get(Item, histories[0].item_id)
    assert item is not None  # load_histories found it
    std = {
        h.site_id: float(np.std(h.values, ddof=1)) if h.values.size > 1 else 0.0 for h in histories
    }
    supplier: dict[int, Lane | None] = {}
    frontier = list(std)
    for _ in range(MAX_DEPTH):
        lanes = _best_inbound(uow, [s for s in frontier if s not in supplier])
        nxt = []
        for site_id in frontier:
            if site_id in supplier:
                continue
            lane = lanes.get(site_id)
            supplier[site_id] = lane
            if lane is not None and lane.from_site_id not in supplier:
                nxt.append(lane.from_site_id)
        if not nxt:
            break
        frontier = nxt
    for site_id in frontier:
        supplier.setdefault(site_id, None)
    return _solve(uow, request, item, std, supplier)


def _best_inbound(uow: UnitOfWork, site_ids: list[int]) -> dict[int, Lane]:
    best: dict[int, Lane] = {}
    if not site_ids:
        return best
    for lane in uow.session.scalars(
        select(Lane).where(Lane.to_site_id.in_(site_ids)).order_by(Lane.id)
    ):
        have = best.get(lane.to_site_id)
        if have is None or lane.lead_time_mean_days < have.lead_time_mean_days:
            best[lane.to_site_id] = lane
    return best


def _solve(
    uow: UnitOfWork,
    request: SafetyRequest,
    item: Item,
    std: dict[int, float],
    supplier: dict[int, Lane | None],
) -> SafetyPlan:
    sites = {s.id: s for s in uow.session.scalars(select(Site).where(Site.id.in_(list(supplier))))}
    parent = {
        s: (lane.from_site_id if lane is not None and lane.from_site_id in sites else None)
        for s, lane in supplier.items()
        if s in sites
    }
    _cut_cycles(parent)
    variance = {s: 0.0 for s in parent}
    depth = {s: _depth(s, parent) for s in parent}
    for s, sd in std.items():
        node: int | None = s
        while node is not None:
            variance[node] += sd * sd
            node = parent[node]
    price = float(item.price) if item.price else 1.0
    code = {s: sites[s].code for s in parent}
    stages = []
    for s in parent:
        lane = supplier[s]
        days = (
            math.ceil(float(lane.lead_time_mean_days))
            if lane is not None
            else request.source_lead_days
        )
        stages.append(
            GsmStage(
                code[s],
                days,
                price * (1 + request.value_added * depth[s]),
                math.sqrt(variance[s]),
                max_service_days=0 if s in std else None,
            )
        )
    # Several top stages (stores fed by different DCs) make a forest: one tree each.
    results: dict[str, GsmStageResult] = {}
    total = 0.0
    for members in _trees(parent).values():
        ids = {code[m] for m in members}
        tree = tuple(st for st in stages if st.id in ids)
        arcs = tuple(
            (code[p], code[s]) for s, p in parent.items() if s in members and p is not None
        )
        result: GsmResult = solve_gsm(GsmProblem(tree, arcs, request.service_level))
        results.update({r.id: r for r in result.stages})
        total += result.total_cost
    out = []
    for stage in stages:
        r = results[stage.id]
        site_id = next(s for s in parent if code[s] == stage.id)
        up = parent[site_id]
        out.append(
            SafetyStage(
                site_id,
                stage.id,
                None if up is None else code[up],
                stage.processing_days,
                round(stage.demand_std, 6),
                round(stage.holding_cost, 6),
                r.inbound_service_days,
                r.outbound_service_days,
                r.net_replenishment_days,
                round(r.safety_stock, 6),
            )
        )
    out.sort(key=lambda s: (depth[s.site_id], s.site_code))
    return SafetyPlan(item.id, item.sku, request.service_level, round(total, 6), tuple(out))


def _depth(site: int, parent: dict[int, int | None]) -> int:
    d = 0
    node = parent[site]
    while node is not None and d < MAX_DEPTH + 1:
        d += 1
        node = parent[node]
    return d


def _cut_cycles(parent: dict[int, int | None]) -> None:
    """Break supply loops (A's best source is B, B's is A) where they close, in place."""
    for start in list(parent):
        seen: set[int] = set()
        node: int | None = start
        while node is not None:
            if node in seen:
                parent[node] = None
                break
            seen.add(node)
            node = parent[node]


def _trees(parent: dict[int, int | None]) -> dict[int, set[int]]:
    """Members of each tree, keyed by its top stage."""
    out: dict[int, set[int]] = {}
    for s in parent:
        top = s
        while parent[top] is not None:
            top = parent[top]  # type: ignore[assignment]
        out.setdefault(top, set()).add(s)
    return out
