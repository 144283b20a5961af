"""The solver against enumeration on a hand-sized network, every constraint checked."""

from __future__ import annotations

import numpy as np
import pytest

from supplymesh.planning.network_design import (
    FacilityParams,
    FacilityProblem,
    FacilityStatus,
    InfeasibleProblem,
    check_plan,
    locate,
    plan_cost,
)
from supplymesh.planning.network_design.generate import generate_lookalike
from tests.planning.network_design.small import (
    enumerate_single_source_optimum,
    enumerate_split_optimum,
    small_problem,
)

FAST = FacilityParams(time_limit_s=20)


def _open_mask(problem: FacilityProblem, sites: tuple[int, ...]) -> np.ndarray:
    mask = np.zeros(problem.n_sites, dtype=bool)
    mask[list(sites)] = True
    return mask


def _assert_checked_optimum(problem: FacilityProblem, expected: float) -> np.ndarray:
    result = locate(problem, FAST)
    assert result.status is FacilityStatus.OPTIMAL
    assert result.flows is not None and result.cost is not None
    opened = _open_mask(problem, result.open_sites)
    assert check_plan(problem, opened, result.flows) == []
    assert plan_cost(problem, opened, result.flows) == pytest.approx(result.cost, rel=1e-9)
    assert result.cost == pytest.approx(expected, rel=1e-7)
    assert result.lower_bound == pytest.approx(expected, rel=1e-6)
    return result.flows


def test_split_demand_matches_enumeration(problem: FacilityProblem) -> None:
    flows = _assert_checked_optimum(problem, enumerate_split_optimum(problem))
    assert ((flows > 1e-6) & (flows < 1 - 1e-6)).any()  # capacity binds: someone is split


def test_single_sourcing_serves_each_customer_from_one_site() -> None:
    problem = small_problem(single_sourcing=True)
    flows = _assert_checked_optimum(problem, enumerate_single_source_optimum(problem))
    assert set(np.unique(flows)) <= {0.0, 1.0}
    split = enumerate_split_optimum(small_problem())
    assert enumerate_single_source_optimum(problem) > split  # the rule costs something here


def test_service_distance_forbids_far_sites() -> None:
    problem = small_problem(max_service_distance=3.0)
    flows = _assert_checked_optimum(problem, enumerate_split_optimum(problem))
    far = np.array(problem.distances) > 3.0
    assert not (flows[far] > 1e-9).any()
    assert enumerate_split_optimum(problem) >= enumerate_split_optimum(small_problem())


def test_forced_sites_are_respected() -> None:
    problem = small_problem(force_open=frozenset({2}), force_closed=frozenset({0}))
    result = locate(problem, FAST)
    assert 2 in result.open_sites and 0 not in result.open_sites
    _assert_checked_optimum(problem, enumerate_split_optimum(problem))


def test_variable_cost_is_charged_per_unit_handled() -> None:
    base = small_problem()
    handled = small_problem(variable_cost=np.array([0.0, 5.0, 0.0]))
    expected = enumerate_split_optimum(handled)
    assert expected > enumerate_split_optimum(base)
    _assert_checked_optimum(handled, expected)


def test_total_demand_above_capacity_names_the_shortfall() -> None:
    problem = small_problem(capacities=np.array([30.0, 20.0, 25.0]))
    with pytest.raises(InfeasibleProblem, match=r"total demand 82 exceeds .*75"):
        locate(problem)


def test_customer_out_of_every_reach_is_named() -> None:
    problem = small_problem(max_service_distance=1.5, force_closed=frozenset({1}))
    with pytest.raises(InfeasibleProblem, match="customer 1 "):
        locate(problem)


def test_single_sourcing_demand_above_every_site_is_named() -> None:
    demands = np.array([10.0, 20.0, 15.0, 61.0, 12.0])
    problem = small_problem(
        single_sourcing=True, demands=demands, capacities=np.array([60.0, 50.0, 60.0])
    )
    with pytest.raises(InfeasibleProblem, match="customer 4 demand 61 exceeds"):
        locate(problem)


@pytest.mark.parametrize("limit", [None, 450.0])
def test_lagrangian_branch_and_bound_proves_the_milp_optimum(limit: float | None) -> None:
    raw = generate_lookalike("capa", 3, n_sites=10, n_customers=60)
    distances = raw.assignment_cost / raw.demands[None, :]
    problem = FacilityProblem(
        name="mini",
        capacities=np.full(10, 700.0),
        fixed_costs=raw.fixed_costs / 40,
        demands=raw.demands,
        assignment_cost=raw.assignment_cost,
        distances=distances if limit else None,
        max_service_distance=limit,
    )
    milp = locate(problem, FacilityParams(time_limit_s=30, method="strong"))
    assert milp.status is FacilityStatus.OPTIMAL and milp.cost is not None
    ours = locate(problem, FacilityParams(time_limit_s=30, decompose_above_pairs=0))
    assert ours.status is FacilityStatus.OPTIMAL and ours.flows is not None
    assert "iterations" in dict(ours.stages)  # the decomposition ran, not the MILP
    assert ours.cost == pytest.approx(milp.cost, rel=1e-7)
    assert check_plan(problem, _open_mask(problem, ours.open_sites), ours.flows) == []


def test_plain_textbook_model_agrees_on_small_instances(problem: FacilityProblem) -> None:
    plain = locate(problem, FacilityParams(time_limit_s=20, method="plain"))
    assert plain.cost == pytest.approx(enumerate_split_optimum(problem), rel=1e-7)


def test_params_reject_nonsense() -> None:
    with pytest.raises(ValueError, match="method"):
        FacilityParams(method="magic")
    with pytest.raises(ValueError, match="time_limit_s"):
        FacilityParams(time_limit_s=0)
