"""Multi-echelon safety stock for one item over the caller's distribution and BOM tree.

The tree is read from lanes: each site with demand history is a demand-facing stage (it
serves its customers at once, S = 0); its supplier is the origin of its shortest visible
inbound lane, and so on upstream while such a lane is visible, one supplier per site. A
stage's processing time is its inbound lane's mean lead time rounded up to whole days (a
top stage with no visible inbound lane gets `source_lead_days`), its daily demand spread
the history's standard deviation (summed in variance over the sites it serves), and its
holding cost the item's price marked up by `value_added` per echelon downstream.

Where the item is made (a plant of the caller's that the walk reaches, and the caller keeps
its bill of materials) the walk stops: the plant is an assembly stage taking
`assembly_days`, and each component of the BOM is a stage upstream of it (component →
assembly arcs, recursively for sub-assemblies), bought in `source_lead_days`, holding the
component's price per unit of the item, its daily spread the plant's times the quantity
per (plus scrap). Suppliers' lanes into the plant carry components, not the item, so they
are not followed. The guaranteed-service engine solves such spanning trees exactly (arcs
may point either way; Graves & Willems 2000) and says where the stock should sit: in
finished goods at the stores, at the DC, or as components before assembly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import select

from supplymesh.network.model import BomLine, Item, Lane, Site, SiteKind
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
MAX_BOM_LEVELS = 4


@dataclass(frozen=True)
class SafetyRequest:
    """Which item, the service level, and the assumptions for what lanes do not say."""

    item_code: str
    service_level: float = 0.95
    source_lead_days: int = 7
    value_added: float = 0.2
    assembly_days: int = 2

    def __post_init__(self) -> None:
        if not 0.5 <= self.service_level < 1:
            raise ReplanError(f"service_level must be in [0.5, 1), got {self.service_level}")
        if self.source_lead_days < 0 or self.value_added < 0 or self.assembly_days < 0:
            raise ReplanError("source_lead_days, value_added and assembly_days must be >= 0")


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
    item_sku: str = ""  # the stage's item: the planned one, or a component
    role: str = "distribution"  # distribution, assembly or component
    supplies_stage: str | None = None  # a component's assembly stage


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
    boms = _bom_tree(uow, item.id)
    makers: set[int] = set()
    supplier: dict[int, Lane | None] = {}
    frontier = list(std)
    for _ in range(MAX_DEPTH):
        makers |= _plants(uow, frontier) if boms.get(item.id) else set()
        lanes = _best_inbound(uow, [s for s in frontier if s not in supplier and s not in makers])
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
    return _solve(uow, request, item, std, supplier, _Bom(boms, makers))


@dataclass(frozen=True)
class _Bom:
    lines: dict[int, list[BomLine]]  # item → its current BOM lines (the caller's)
    makers: set[int]  # sites that assemble the planned item


def _bom_tree(uow: UnitOfWork, item_id: int) -> dict[int, list[BomLine]]:
    """The caller's BOM lines of the item and of its sub-assemblies, a few levels down."""
    out: dict[int, list[BomLine]] = {}
    todo = [item_id]
    for _ in range(MAX_BOM_LEVELS):
        todo = [i for i in todo if i not in out]
        if not todo:
            break
        query = select(BomLine).where(BomLine.parent_item_id.in_(todo)).order_by(BomLine.id)
        found: dict[int, list[BomLine]] = {i: [] for i in todo}
        for line in uow.session.scalars(query):
            if line.valid_to is None or line.valid_to >= date.today():
                found[line.parent_item_id].append(line)
        out.update(found)
        todo = [line.component_item_id for lines in found.values() for line in lines]
    return out


def _plants(uow: UnitOfWork, site_ids: list[int]) -> set[int]:
    """The caller's own plants among the sites (where its BOMs are used)."""
    query = select(Site.id).where(
        Site.id.in_(site_ids),
        Site.kind == SiteKind.PLANT.value,
        Site.enterprise_id == uow.ctx.enterprise_id,
    )
    return set(uow.session.scalars(query))


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


@dataclass(frozen=True)
class _Extra:
    """A component stage: its engine stage, the site it sits at, its item and its customer."""

    stage: GsmStage
    site_id: int
    sku: str
    supplies: str


def _solve(
    uow: UnitOfWork,
    request: SafetyRequest,
    item: Item,
    std: dict[int, float],
    supplier: dict[int, Lane | None],
    bom: _Bom,
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
        if s in bom.makers and parent[s] is None:
            days = request.assembly_days
        elif lane is not None:
            days = math.ceil(float(lane.lead_time_mean_days))
        else:
            days = request.source_lead_days
        stages.append(
            GsmStage(
                code[s],
                days,
                price * (1 + request.value_added * depth[s]),
                math.sqrt(variance[s]),
                max_service_days=0 if s in std else None,
            )
        )
    extras = [
        e
        for s in parent
        if s in bom.makers and parent[s] is None
        for e in _components(uow, request, bom, item.id, code[s], s, math.sqrt(variance[s]))
    ]
    stages += [e.stage for e in extras]
    # Several top stages (stores fed by different DCs) make a forest: one tree each.
    results: dict[str, GsmStageResult] = {}
    total = 0.0
    for top, members in _trees(parent).items():
        ids = {code[m] for m in members}
        tree_extras = [e for e in extras if e.site_id == top]
        ids |= {e.stage.id for e in tree_extras}
        tree = tuple(st for st in stages if st.id in ids)
        arcs = tuple(
            (code[p], code[s]) for s, p in parent.items() if s in members and p is not None
        ) + tuple((e.stage.id, e.supplies) for e in tree_extras)
        result: GsmResult = solve_gsm(GsmProblem(tree, arcs, request.service_level))
        results.update({r.id: r for r in result.stages})
        total += result.total_cost
    out = []
    site_of = {code[s]: s for s in parent}
    extra_of = {e.stage.id: e for e in extras}
    for stage in stages:
        r = results[stage.id]
        extra = extra_of.get(stage.id)
        site_id = extra.site_id if extra is not None else site_of[stage.id]
        up = parent[site_id] if extra is None else None
        role = "component" if extra is not None else "distribution"
        if extra is None and site_id in bom.makers and up is None:
            role = "assembly"
        out.append(
            SafetyStage(
                site_id,
                code[site_id],
                None if up is None else code[up],
                stage.processing_days,
                round(stage.demand_std, 6),
                round(stage.holding_cost, 6),
                r.inbound_service_days,
                r.outbound_service_days,
                r.net_replenishment_days,
                round(r.safety_stock, 6),
                item.sku if extra is None else extra.sku,
                role,
                None if extra is None else extra.supplies,
            )
        )
    out.sort(key=lambda s: (s.role != "component", depth[s.site_id], s.site_code))
    return SafetyPlan(item.id, item.sku, request.service_level, round(total, 6), tuple(out))


def _components(
    uow: UnitOfWork,
    request: SafetyRequest,
    bom: _Bom,
    item_id: int,
    assembly: str,
    site_id: int,
    sigma: float,
    level: int = 0,
) -> list[_Extra]:
    """Stages for the item's components at the plant, sub-assemblies' components above them."""
    lines = bom.lines.get(item_id, [])
    if not lines or level >= MAX_BOM_LEVELS:
        return []
    comps = {
        i.id: i
        for i in uow.session.scalars(
            select(Item).where(Item.id.in_([ln.component_item_id for ln in lines]))
        )
    }
    per_unit: dict[int, float] = {}
    for line in lines:  # a component listed twice counts once, with both quantities
        per = float(line.quantity_per) * (1 + float(line.scrap_pct) / 100)
        per_unit[line.component_item_id] = per_unit.get(line.component_item_id, 0.0) + per
    out: list[_Extra] = []
    for comp_id, per in per_unit.items():
        comp = comps.get(comp_id)
        if comp is None:
            continue
        stage_id = f"{comp.sku}@{assembly}"  # unique: the path down to the plant
        sub = bool(bom.lines.get(comp.id)) and level + 1 < MAX_BOM_LEVELS
        unit = float(comp.price) if comp.price else 0.0
        stage = GsmStage(
            stage_id,
            request.assembly_days if sub else request.source_lead_days,
            unit * per,
            sigma * per,
        )
        out.append(_Extra(stage, site_id, comp.sku, assembly))
        if sub:
            out += _components(
                uow, request, bom, comp.id, stage_id, site_id, sigma * per, level + 1
            )
    return out


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
