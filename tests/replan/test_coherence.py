"""Reconciled forecast runs: every tier plans on numbers that add up."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import numpy as np

from supplymesh.planning.forecast.hierarchy import Hierarchy
from supplymesh.platform.uow import Database
from supplymesh.replan.coherence import CoherencePlan, ItemTree, Node, reconcile_plan
from supplymesh.replan.forecasting import (
    ForecastRequest,
    aggregates_of,
    run_forecast,
    values_of,
)
from supplymesh.replan.model import ForecastRun
from tests.replan.conftest import context_of

ITEMS = ("HC-KT17S-WH", "HC-FN40S-WH")


def _run(db: Database, request: ForecastRequest) -> int:
    with db.unit_of_work(context_of(db)) as uow:
        run = run_forecast(uow, request, None)
        uow.commit()
        return run.id


def test_stored_store_forecasts_sum_to_every_tier(demo_db: Database) -> None:
    run_id = _run(demo_db, ForecastRequest(horizon_days=7, item_codes=ITEMS))
    with demo_db.unit_of_work(context_of(demo_db)) as uow:
        run = uow.session.get(ForecastRun, run_id)
        assert run is not None and run.reconciliation in ("mint_shrink", "wls_struct")
        stores: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
        everything: dict[date, Decimal] = defaultdict(Decimal)
        for (item_id, _site), rows in values_of(uow, run).items():
            for v in rows:
                assert Decimal(0) <= v.p10 <= v.p50 <= v.p90 <= v.p_service
                stores[(item_id, v.day)] += v.p50
                everything[v.day] += v.p50
        tiers = aggregates_of(uow, run)
        levels = {level for level, _ in tiers}
        assert levels == {"dc", "region", "item", "category", "total"}
        for (level, node), rows in tiers.items():
            assert len(rows) == 7, (level, node)
            for v in rows:
                assert Decimal(0) <= v.p10 <= v.p50 <= v.p90 <= v.p_service
                if level in ("dc", "region", "item"):
                    # The tiny demo has one DC and one region: each sums all the item's stores.
                    assert v.p50 == stores[(v.item_id, v.day)], (level, node, v.day)
                if level == "total":
                    assert v.p50 == everything[v.day]
        items = {v.item_id for (lvl, _), rows in tiers.items() if lvl == "item" for v in rows}
        assert len(items) == 2


def test_negative_store_numbers_become_zero_and_tiers_are_resummed() -> None:
    """A DC forecast far below its stores' pulls MinT below zero at a small store."""
    plan = CoherencePlan([], [], [], [])
    paths = [("7", "east", "dc1", "7:1"), ("7", "east", "dc1", "7:2")]
    h = Hierarchy.from_paths(paths)
    rng = np.random.default_rng(4)
    history = {k: rng.poisson(20, 80).astype(float) for k in ("7:1", "7:2")}
    nodes = {}
    for row, node_id in enumerate(h.nodes[:3]):
        nodes[node_id] = Node(
            f"agg:7:{node_id}",
            ("item", "region", "dc")[row],
            node_id,
            7,
            ["7:1", "7:2"],
            history["7:1"] + history["7:2"],
        )
    plan.trees.append(ItemTree(7, h, ["7:1", "7:2"], nodes))
    plan.nodes.extend(nodes.values())
    plan.sums.append(Node("agg:total", "total", "total", None, ["7:1", "7:2"]))
    levels = (0.1, 0.5, 0.9)

    def band(mid: float) -> np.ndarray:
        return np.array([[mid * 0.5] * 3, [mid] * 3, [mid * 1.5] * 3])

    base = {"7:1": band(0.5), "7:2": band(30.0), **{n.key: band(2.0) for n in nodes.values()}}
    out = reconcile_plan(plan, history, base, levels)
    small, big = out.quantiles["7:1"], out.quantiles["7:2"]
    assert np.all(small >= 0) and np.all(big >= 0)
    assert np.all(np.diff(small, axis=0) >= 0) and np.all(np.diff(big, axis=0) >= 0)
    assert small[1].max() == 0.0  # MinT put it below zero: clipped, not left negative
    for node in nodes.values():
        assert np.allclose(out.quantiles[node.key][1], small[1] + big[1])
    assert np.allclose(out.quantiles["agg:total"][1], small[1] + big[1])
