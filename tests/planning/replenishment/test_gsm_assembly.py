"""Guaranteed service over assembly arcs (component → assembly) and a mixed BOM + DC tree.

The engine's programme works on any spanning tree (Graves & Willems 2000); these pin it on
trees where several suppliers feed one stage, against an enumeration written here from the
model's definition: an assembly's inbound service time is the latest of its components'.
"""

from __future__ import annotations

import itertools
import math

import pytest
from scipy import stats  # type: ignore[import-untyped]

from supplymesh.planning.replenishment.gsm import GsmProblem, GsmStage, solve_gsm


def _enumerate(problem: GsmProblem) -> float:
    z = float(stats.norm.ppf(problem.service_level))
    ids = [s.id for s in problem.stages]
    supplier_of = {i: [a for a, b in problem.arcs if b == i] for i in ids}
    best = math.inf
    ranges = [
        range((s.max_service_days if s.max_service_days is not None else problem.horizon) + 1)
        for s in problem.stages
    ]
    for combo in itertools.product(*ranges):
        out = dict(zip(ids, combo, strict=True))
        cost = 0.0
        for s in problem.stages:
            inbound = max((out[u] for u in supplier_of[s.id]), default=s.external_inbound_days)
            nrt = inbound + s.processing_days - out[s.id]
            if nrt < 0:
                cost = math.inf
                break
            cost += s.holding_cost * z * s.demand_std * math.sqrt(nrt)
        best = min(best, cost)
    return best


def test_two_components_and_an_assembly_by_hand() -> None:
    """c1 (2 days) and c2 (5 days) → A (1 day), unit costs 1, 1, 2, σ = 1 everywhere.

    By hand: keeping no component stock (S_c1 = 2, S_c2 = 5) leaves A a net replenishment
    time of 5 + 1 = 6 days, cost 2√6 ≈ 4.899 (× z); the next best, S = (2, 3), costs
    √2 + 2·2 ≈ 5.414 and stocking both (S = 0, 0) costs √2 + √5 + 2 ≈ 5.650.
    """
    problem = GsmProblem(
        (
            GsmStage("c1", 2, 1.0, 1.0),
            GsmStage("c2", 5, 1.0, 1.0),
            GsmStage("A", 1, 2.0, 1.0, max_service_days=0),
        ),
        (("c1", "A"), ("c2", "A")),
        0.95,
    )
    result = solve_gsm(problem)
    z = float(stats.norm.ppf(0.95))
    assert result.total_cost == pytest.approx(z * 2 * math.sqrt(6), rel=1e-9)
    assert result.of("c1").outbound_service_days == 2
    assert result.of("c2").outbound_service_days == 5
    assert result.of("A").inbound_service_days == 5
    assert result.of("A").net_replenishment_days == 6
    assert result.total_cost == pytest.approx(_enumerate(problem), rel=1e-9)


@pytest.mark.parametrize("store_cost", [1.5, 6.0])
def test_components_plant_dc_stores_matches_enumeration(store_cost: float) -> None:
    """Three components → plant → DC → two stores: stock moves with the stores' cost."""
    problem = GsmProblem(
        (
            GsmStage("motor", 3, 0.6, 2.0),
            GsmStage("pcb", 1, 0.4, 2.0),
            GsmStage("shell", 2, 0.2, 2.0),
            GsmStage("plant", 1, 1.5, 2.0),
            GsmStage("dc", 2, 1.8, 2.0),
            GsmStage("s1", 1, store_cost, 1.2, max_service_days=0),
            GsmStage("s2", 1, store_cost, 1.6, max_service_days=1),
        ),
        (
            ("motor", "plant"),
            ("pcb", "plant"),
            ("shell", "plant"),
            ("plant", "dc"),
            ("dc", "s1"),
            ("dc", "s2"),
        ),
        0.9,
    )
    result = solve_gsm(problem)
    assert result.total_cost == pytest.approx(_enumerate(problem), rel=1e-9)
    for s in problem.stages:
        r = result.of(s.id)
        ups = [a for a, b in problem.arcs if b == s.id]
        assert r.inbound_service_days >= max(
            (result.of(u).outbound_service_days for u in ups), default=0
        )
        assert r.net_replenishment_days >= 0
