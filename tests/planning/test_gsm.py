"""Guaranteed-service safety stock: hand-checked chain, brute force on small trees."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats  # type: ignore[import-untyped]

from supplymesh.planning.replenishment.gsm import GsmProblem, GsmStage, brute_force, solve_gsm


def test_three_stage_chain_matches_the_hand_solution() -> None:
    # Chain A → B → C, C serves customers at once (S_C = 0), σ = 10 everywhere. With
    # S_A = a and S_B = b the cost is z·10·(1·√(2 − a) + 2·√(a + 3 − b) + 3·√(b + 1)):
    # enumerated below, independently of the dynamic programme.
    stages = (
        GsmStage("A", 2, 1.0, 10.0),
        GsmStage("B", 3, 2.0, 10.0),
        GsmStage("C", 1, 3.0, 10.0, max_service_days=0),
    )
    result = solve_gsm(GsmProblem(stages, (("A", "B"), ("B", "C")), 0.95))
    z = float(stats.norm.ppf(0.95))
    best = min(
        (math.sqrt(2 - a) + 2 * math.sqrt(a + 3 - b) + 3 * math.sqrt(b + 1), a, b)
        for a in range(3)
        for b in range(a + 4)
    )
    assert result.total_cost == pytest.approx(z * 10 * best[0])
    assert result.of("A").outbound_service_days == best[1]
    assert result.of("B").outbound_service_days == best[2]
    assert result.of("C").outbound_service_days == 0
    c = result.of("C")
    assert c.safety_stock == pytest.approx(z * 10 * math.sqrt(c.net_replenishment_days))


def _random_tree(rng: np.random.Generator, n: int) -> GsmProblem:
    stages = []
    arcs = []
    for j in range(n):
        demand_facing = rng.random() < 0.5
        stages.append(
            GsmStage(
                f"n{j}",
                int(rng.integers(0, 3)),
                float(rng.integers(1, 5)),
                float(rng.integers(1, 20)),
                max_service_days=int(rng.integers(0, 2)) if demand_facing else None,
                external_inbound_days=int(rng.integers(0, 2)),
            )
        )
        if j:
            other = f"n{int(rng.integers(0, j))}"
            arcs.append((other, f"n{j}") if rng.random() < 0.5 else (f"n{j}", other))
    return GsmProblem(tuple(stages), tuple(arcs), 0.9)


@pytest.mark.parametrize("seed", range(8))
def test_dynamic_programme_equals_brute_force_on_mixed_trees(seed: int) -> None:
    problem = _random_tree(np.random.default_rng(seed), 4)
    result = solve_gsm(problem)
    assert result.total_cost == pytest.approx(brute_force(problem))
    ups = {s.id: [a for a, b in problem.arcs if b == s.id] for s in problem.stages}
    for s in problem.stages:
        r = result.of(s.id)
        assert r.net_replenishment_days >= 0
        assert all(result.of(u).outbound_service_days <= r.inbound_service_days for u in ups[s.id])
        if s.max_service_days is not None:
            assert r.outbound_service_days <= s.max_service_days


def test_a_distribution_tree_pools_safety_stock_upstream_when_it_is_cheap() -> None:
    dc = GsmStage("DC", 5, 1.0, 30.0)
    stores = [GsmStage(f"S{i}", 1, 4.0, 17.3, max_service_days=0) for i in range(3)]
    problem = GsmProblem((dc, *stores), tuple(("DC", s.id) for s in stores), 0.95)
    result = solve_gsm(problem)
    assert result.total_cost == pytest.approx(brute_force(problem))
    assert result.of("DC").outbound_service_days == 0  # cheap DC stock covers its lead time


def test_rejects_arcs_that_are_not_a_tree() -> None:
    a, b, c = GsmStage("a", 1, 1, 1), GsmStage("b", 1, 1, 1), GsmStage("c", 1, 1, 1)
    with pytest.raises(ValueError, match="one tree"):
        GsmProblem((a, b, c), (("a", "b"),))
    with pytest.raises(ValueError, match="names an unknown stage"):
        GsmProblem((a, b), (("a", "x"),))
