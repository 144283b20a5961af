"""Lagrangian branch-and-bound, its node bound, fixings and count range, and the swap search,
each checked against an enumeration of every set of open sites on 6-site networks."""

from __future__ import annotations

import itertools
import math
import time

import numpy as np
import pytest

from supplymesh.planning.network_design import FacilityProblem, check_plan
from supplymesh.planning.network_design.branch import (
    BranchAndBound,
    SiteCover,
    open_count_range,
)
from supplymesh.planning.network_design.generate import generate_lookalike
from supplymesh.planning.network_design.heuristic import PlanPricer
from supplymesh.planning.network_design.lagrangian import Relaxation, subgradient_step
from tests.planning.network_design.small import enumerate_site_sets

SITES = 6


def _tight(seed: int, *, equal: bool = True, limit: float | None = None) -> FacilityProblem:
    """6 sites × 30 customers; half of the sites (or so) must open, at high utilisation."""
    raw = generate_lookalike("capb", seed, n_sites=SITES, n_customers=30, side=100.0)
    total = float(raw.demands.sum())
    if equal:
        capacities = np.full(SITES, math.ceil(total / 3 * 1.01))
    else:
        capacities = np.round(np.linspace(0.22, 0.5, SITES) * total)
    distances = raw.assignment_cost / raw.demands[None, :]
    return FacilityProblem(
        name=f"tight{seed}",
        capacities=capacities.astype(np.float64),
        fixed_costs=raw.fixed_costs / 100,
        demands=raw.demands,
        assignment_cost=raw.assignment_cost,
        distances=distances if limit else None,
        max_service_distance=limit,
    )


def _multipliers(relaxation: Relaxation, upper: float, steps: int) -> np.ndarray:
    lam = relaxation.initial_multipliers()
    for _ in range(steps):
        lam, norm2 = subgradient_step(relaxation.evaluate(lam), upper, 1.0)
        if norm2 == 0.0:
            break
    return lam


def _all_open(problem: FacilityProblem) -> np.ndarray:
    return np.ones(problem.n_sites, dtype=bool)


def _cover(problem: FacilityProblem, fewest: int = 0, most: int = SITES) -> SiteCover:
    return SiteCover(problem.capacities, float(problem.demands.sum()), fewest, most)


def _brute_cover(
    values: np.ndarray, cover: SiteCover, fixed_open: np.ndarray, fixed_closed: np.ndarray
) -> float:
    best = math.inf
    for pattern in itertools.product((False, True), repeat=values.size):
        y = np.array(pattern)
        if (fixed_open & ~y).any() or (fixed_closed & y).any():
            continue
        if cover.capacities @ y < cover.total_demand or not cover.fewest <= y.sum() <= cover.most:
            continue
        best = min(best, float(values @ y))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_equal_capacity_cover_is_exact(seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = rng.normal(0.0, 10.0, SITES)
    cover = SiteCover(np.full(SITES, 40.0), 95.0, 2 + seed % 2, 4 + seed % 3)
    for _ in range(20):
        state = rng.integers(0, 3, SITES)  # 0 free, 1 fixed open, 2 fixed closed
        fixed_open, fixed_closed = state == 1, state == 2
        chosen = cover.choose(values, fixed_open, fixed_closed)
        expected = _brute_cover(values, cover, fixed_open, fixed_closed)
        if chosen is None:
            assert expected == math.inf
            continue
        total, weights = chosen
        assert total == pytest.approx(expected)
        assert set(np.unique(weights)) <= {0.0, 1.0}
        assert (weights[fixed_open] == 1).all() and (weights[fixed_closed] == 0).all()


@pytest.mark.parametrize("seed", range(4))
def test_unequal_capacity_cover_never_exceeds_the_integer_optimum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = rng.normal(0.0, 10.0, SITES)
    cover = SiteCover(rng.uniform(20.0, 60.0, SITES), 110.0, 0, SITES)
    for _ in range(20):
        state = rng.integers(0, 3, SITES)
        fixed_open, fixed_closed = state == 1, state == 2
        chosen = cover.choose(values, fixed_open, fixed_closed)
        expected = _brute_cover(values, cover, fixed_open, fixed_closed)
        if chosen is None:
            assert expected == math.inf
            continue
        assert chosen[0] <= expected + 1e-9
        assert cover.capacities @ chosen[1] >= cover.total_demand - 1e-9


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_node_bound_never_exceeds_a_plan_that_fits_the_fixings(seed: int) -> None:
    problem = _tight(seed)
    costs = enumerate_site_sets(problem)
    relaxation = Relaxation(problem)
    cover = _cover(problem)
    rng = np.random.default_rng(seed)
    for steps in (0, 5, 40):
        lam = _multipliers(relaxation, min(costs.values()), steps)
        values = relaxation.evaluate(lam).site_values
        for _ in range(10):
            state = rng.integers(0, 3, SITES)
            fixed_open, fixed_closed = state == 1, state == 2
            fitting = [
                cost
                for sites, cost in costs.items()
                if not (fixed_open & ~np.array(sites)).any()
                and not (fixed_closed & np.array(sites)).any()
            ]
            chosen = cover.choose(values, fixed_open, fixed_closed)
            if chosen is None:
                assert not fitting
                continue
            assert lam.sum() + chosen[0] <= min(fitting, default=math.inf) + 1e-6


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_fixings_and_count_range_keep_the_true_optimum(seed: int) -> None:
    problem = _tight(seed)
    costs = enumerate_site_sets(problem)
    ranked = sorted(costs.items(), key=lambda item: item[1])
    (best_sites, optimum), (runner_up, second) = ranked[0], ranked[1]
    assert second > optimum * (1 + 1e-7)
    optimal = np.array(best_sites)
    relaxation = Relaxation(problem)
    pricer = PlanPricer(problem)
    # The incumbent is the second-best plan: every fixing must keep the optimum reachable.
    pricer.price(np.array(runner_up), time.perf_counter() + 10)
    assert pricer.best is not None and pricer.best.cost == pytest.approx(second, rel=1e-9)
    nothing = np.zeros(SITES, dtype=bool)
    cuts = []
    for steps in (0, 3, 10, 30, 80):
        lam = _multipliers(relaxation, second, steps)
        values = relaxation.evaluate(lam).site_values
        cuts.append((float(lam.sum()), values))
        search = BranchAndBound(
            relaxation, pricer, np.arange(SITES), nothing.copy(), _cover(problem)
        )
        fixed_open, fixed_closed = nothing.copy(), nothing.copy()
        # The incumbent is the optimum itself: nothing may fix it away, even at equal cost.
        assert search.settle(values, float(lam.sum()), fixed_open, fixed_closed)
        assert not (fixed_open & ~optimal).any() and not (fixed_closed & optimal).any()
    fewest, most = open_count_range(cuts, nothing, nothing, second * (1 - 1e-9))
    assert fewest <= optimal.sum() <= most


@pytest.mark.parametrize(
    ("seed", "equal", "limit"),
    [(1, True, None), (5, True, None), (6, True, None), (4, False, None), (5, True, 60.0)],
)
def test_branch_and_bound_proves_the_enumerated_optimum(
    seed: int, equal: bool, limit: float | None
) -> None:
    problem = _tight(seed, equal=equal, limit=limit)
    optimum = min(enumerate_site_sets(problem).values())
    relaxation = Relaxation(problem)
    pricer = PlanPricer(problem)
    pricer.price(_all_open(problem), time.perf_counter() + 10)  # a poor incumbent to beat
    assert pricer.best is not None and pricer.best.cost > optimum * (1 + 1e-6)
    search = BranchAndBound(
        relaxation, pricer, np.arange(SITES), np.zeros(SITES, dtype=bool), _cover(problem)
    )
    assert search.run(relaxation.initial_multipliers(), time.perf_counter() + 30)
    assert search.nodes >= (3 if equal and limit is None else 1)  # it had to branch
    assert pricer.best.cost == pytest.approx(optimum, rel=1e-9)
    assert optimum * (1 - 1e-8) <= search.lower_bound <= optimum
    assert check_plan(problem, pricer.best.open_sites, pricer.best.flows) == []


def test_an_interrupted_search_reports_a_valid_bound() -> None:
    problem = _tight(2)
    optimum = min(enumerate_site_sets(problem).values())
    relaxation = Relaxation(problem)
    pricer = PlanPricer(problem)
    pricer.price(_all_open(problem), time.perf_counter() + 10)
    search = BranchAndBound(
        relaxation, pricer, np.arange(SITES), np.zeros(SITES, dtype=bool), _cover(problem)
    )
    assert not search.run(relaxation.initial_multipliers(), time.perf_counter())
    assert search.lower_bound <= optimum


def test_swap_search_moves_a_site_to_where_the_demand_is() -> None:
    problem = _tight(3)
    costs = enumerate_site_sets(problem)
    best_sites, optimum = min(costs.items(), key=lambda item: item[1])
    optimal = np.array(best_sites)
    # Start one swap away from the optimum: its cheapest open site traded for a closed one.
    start = optimal.copy()
    start[np.flatnonzero(optimal)[0]] = False
    start[np.flatnonzero(~optimal)[0]] = True
    assert tuple(bool(v) for v in start) in costs and costs[tuple(start)] > optimum
    pricer = PlanPricer(problem)
    plan = pricer.price(start, time.perf_counter() + 10)
    assert plan is not None
    better = pricer.swap_sites(plan, time.perf_counter() + 30)
    assert better.cost < plan.cost
    assert better.cost == pytest.approx(costs[tuple(bool(v) for v in better.open_sites)])
    assert check_plan(problem, better.open_sites, better.flows) == []
