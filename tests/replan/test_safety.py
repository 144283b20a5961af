"""Safety stock over the demo retailer's tree: DC-EAST feeding three stores."""

from __future__ import annotations

import pytest

from supplymesh.planning.replenishment.gsm import GsmProblem, GsmStage, brute_force
from supplymesh.platform.uow import Database
from supplymesh.replan.model import ReplanError
from supplymesh.replan.safety import SafetyRequest, plan_safety_stock
from tests.replan.conftest import context_of


def test_the_plan_covers_the_tree_and_is_optimal(demo_db: Database) -> None:
    with demo_db.unit_of_work(context_of(demo_db)) as uow:
        plan = plan_safety_stock(uow, SafetyRequest("HC-QN20P-WH", 0.95))
    codes = [s.site_code for s in plan.stages]
    assert codes == ["DC-EAST", "ST-HANGZHOU", "ST-NANJING", "ST-SHANGHAI"]
    stores = [s for s in plan.stages if s.supplier_site_code == "DC-EAST"]
    dc = plan.stages[0]
    assert dc.demand_std == pytest.approx(sum(s.demand_std**2 for s in stores) ** 0.5, rel=1e-5)
    assert all(s.outbound_service_days == 0 for s in stores)
    problem = GsmProblem(
        tuple(
            GsmStage(
                s.site_code,
                s.processing_days,
                s.holding_cost,
                s.demand_std,
                0 if s.supplier_site_code else None,
            )
            for s in plan.stages
        ),
        tuple(("DC-EAST", s.site_code) for s in stores),
        0.95,
    )
    assert plan.total_cost == pytest.approx(brute_force(problem), rel=1e-5)


def test_an_item_without_demand_is_named(demo_db: Database) -> None:
    with demo_db.unit_of_work(context_of(demo_db)) as uow, pytest.raises(ReplanError, match="NOPE"):
        plan_safety_stock(uow, SafetyRequest("NOPE"))


def test_supply_loops_are_cut_and_forests_split_into_trees() -> None:
    from supplymesh.replan.safety import _cut_cycles, _trees

    parent: dict[int, int | None] = {1: 2, 2: 1, 3: 1, 4: None, 5: 4}
    _cut_cycles(parent)
    tops = _trees(parent)
    assert sorted(map(sorted, tops.values())) == [[1, 2, 3], [4, 5]]
    assert sum(1 for p in parent.values() if p is None) == 2
