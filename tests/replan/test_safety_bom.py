"""Safety stock over a BOM: the demo manufacturer sells kettles from the plant it makes them in."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest
from scipy import stats  # type: ignore[import-untyped]
from sqlalchemy import select

from supplymesh.network.model import BomLine, DemandRecord, Item, Site
from supplymesh.planning.replenishment.gsm import GsmProblem, GsmStage
from supplymesh.platform.uow import Database
from supplymesh.replan.safety import SafetyRequest, plan_safety_stock
from tests.replan.conftest import context_of

MAKER, SKU, PLANT = "HCE", "HC-KT17S-WH", "FS-PLANT"


def _sell_from_the_plant(db: Database) -> None:
    ctx = context_of(db, MAKER)
    rng = np.random.default_rng(7)
    with db.unit_of_work(ctx) as uow:
        item = uow.session.scalar(select(Item).where(Item.sku == SKU))
        site = uow.session.scalar(select(Site).where(Site.code == PLANT))
        assert item is not None and site is not None
        start = date(2026, 9, 1)
        for k in range(60):
            uow.add(
                DemandRecord(
                    enterprise_id=ctx.enterprise_id,
                    site_id=site.id,
                    item_id=item.id,
                    day=start + timedelta(days=k),
                    quantity=Decimal(int(rng.poisson(40))),
                )
            )
        uow.commit()


def test_components_become_stages_upstream_of_the_plant(demo_db: Database) -> None:
    _sell_from_the_plant(demo_db)
    request = SafetyRequest(SKU, 0.95, source_lead_days=3, assembly_days=1)
    with demo_db.unit_of_work(context_of(demo_db, MAKER)) as uow:
        plan = plan_safety_stock(uow, request)
        line = uow.session.scalar(
            select(BomLine)
            .join(Item, Item.id == BomLine.component_item_id)
            .where(
                Item.sku == "CU-TW-07",
                BomLine.parent_item_id.in_(select(Item.id).where(Item.sku == "CORD-A")),
            )
        )
        assert line is not None
        per = float(line.quantity_per) * (1 + float(line.scrap_pct) / 100)
    plant = next(s for s in plan.stages if s.role == "assembly")
    assert (plant.site_code, plant.item_sku, plant.outbound_service_days) == (PLANT, SKU, 0)
    assert plant.processing_days == 1 and plant.supplier_site_code is None
    by_item = {s.item_sku: s for s in plan.stages if s.role == "component"}
    # The kettle's BOM: housing, element, cord and base, one each; housing, cord and base
    # are made from materials in turn (polypropylene, copper, PVC, steel).
    first = sorted(k for k, s in by_item.items() if s.supplies_stage == PLANT)
    assert first == ["CORD-A", "H-KT", "HE-KT", "KB-17"]
    cord = by_item["CU-TW-07"]
    assert cord.supplies_stage == f"CORD-A@{PLANT}" and cord.processing_days == 3
    assert by_item["CORD-A"].processing_days == 1  # a sub-assembly is assembled
    assert by_item["HE-KT"].demand_std == pytest.approx(plant.demand_std, rel=1e-6)
    assert cord.demand_std == pytest.approx(plant.demand_std * per, rel=1e-5)
    assert cord.holding_cost == pytest.approx(78.0 * per, rel=1e-6)  # copper wire, per kettle

    stage_id = {
        s.item_sku: (PLANT if s.role == "assembly" else f"{s.item_sku}@{s.supplies_stage}")
        for s in plan.stages
    }
    stages = tuple(
        GsmStage(
            stage_id[s.item_sku],
            s.processing_days,
            s.holding_cost,
            s.demand_std,
            max_service_days=0 if s.role == "assembly" else None,
        )
        for s in plan.stages
    )
    arcs = tuple((stage_id[s.item_sku], s.supplies_stage) for s in plan.stages if s.supplies_stage)
    problem = GsmProblem(stages, arcs, 0.95)
    chosen = {stage_id[s.item_sku]: s.outbound_service_days for s in plan.stages}
    assert plan.total_cost == pytest.approx(_cost(problem, chosen), rel=1e-6)
    # No single stage can quote one day more or less and lower the cost.
    for stage in stages:
        for step in (-1, 1):
            moved = {**chosen, stage.id: chosen[stage.id] + step}
            if moved[stage.id] >= 0:
                assert _cost(problem, moved) >= plan.total_cost - 1e-6, (stage.id, step)


def _cost(problem: GsmProblem, out: dict[str, int]) -> float:
    z = float(stats.norm.ppf(problem.service_level))
    total = 0.0
    for s in problem.stages:
        if s.max_service_days is not None and out[s.id] > s.max_service_days:
            return math.inf
        inbound = max((out[a] for a, b in problem.arcs if b == s.id), default=0)
        nrt = inbound + s.processing_days - out[s.id]
        if nrt < 0:
            return math.inf
        total += s.holding_cost * z * s.demand_std * math.sqrt(nrt)
    return total


def test_a_retailer_without_the_bom_keeps_its_distribution_tree(demo_db: Database) -> None:
    with demo_db.unit_of_work(context_of(demo_db)) as uow:
        plan = plan_safety_stock(uow, SafetyRequest(SKU, 0.95))
    assert {s.role for s in plan.stages} == {"distribution"}
