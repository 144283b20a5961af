"""`plan_routes` with both solvers on instances whose optimum is known by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from supplymesh.planning.routing.instances import read_bench_instance
from supplymesh.planning.routing.params import RoutingParams
from supplymesh.planning.routing.problem import Client, Depot, RoutingProblem, VehicleType
from supplymesh.planning.routing.solve import plan_routes

DATA = Path(__file__).parents[2] / "data" / "routing"


@pytest.mark.parametrize("solver", ["pyvrp", "ortools"])
def test_solves_the_rays_cvrp_to_its_optimum(solver: str) -> None:
    # Six clients on three rays, two per vehicle: three out-and-back routes of 40 each.
    problem = read_bench_instance(DATA / "tiny-cvrp-rays.vrp").problem
    result = plan_routes(problem, RoutingParams(time_limit_s=0.3, solver=solver))  # type: ignore[arg-type]
    assert result.feasible
    assert result.cost == 120
    assert sorted(sorted(r.clients) for r in result.routes) == [[0, 1], [2, 3], [4, 5]]


@pytest.mark.parametrize("solver", ["pyvrp", "ortools"])
def test_plans_a_feasible_vrptw_within_the_fleet(solver: str) -> None:
    instance = read_bench_instance(DATA / "tiny-vrptw.vrp")
    result = plan_routes(instance.problem, RoutingParams(time_limit_s=0.3, solver=solver))  # type: ignore[arg-type]
    assert result.feasible, result.violations
    assert 1 <= len(result.routes) <= 2


def test_serves_clients_from_the_nearer_depot_with_a_mixed_fleet() -> None:
    # Depots at 0 and 100 on a line; clients at 10, 20 (near depot 0) and 90 (near depot 1).
    # A small van at depot 1 and a truck at depot 0: the cheapest plan is 40 + 20 = 60.
    xs = np.array([0, 100, 10, 20, 90])
    matrix = np.abs(xs[:, None] - xs[None, :]).astype(np.int64)
    problem = RoutingProblem(
        depots=(Depot("west"), Depot("east")),
        clients=(Client("a", demand=3), Client("b", demand=3), Client("c", demand=1)),
        vehicle_types=(
            VehicleType(capacity=6, count=1, depot=0, name="truck"),
            VehicleType(capacity=1, count=1, depot=1, name="van", shift_late=25),
        ),
        distance=matrix,
        duration=matrix,
    )
    result = plan_routes(problem, RoutingParams(time_limit_s=0.2))
    assert result.feasible
    assert result.cost == 60
    by_type = result.routes_by_vehicle_type()
    assert {k: [sorted(r) for r in routes] for k, routes in by_type.items()} == {
        0: [[0, 1]],
        1: [[2]],
    }


def test_an_empty_problem_has_an_empty_plan() -> None:
    matrix = np.zeros((1, 1), dtype=np.int64)
    problem = RoutingProblem((Depot("d"),), (), (VehicleType(capacity=1),), matrix, matrix)
    result = plan_routes(problem)
    assert result.routes == () and result.feasible and result.cost == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"time_limit_s": 0}, "time_limit_s"),
        ({"seed": -1}, "seed"),
        ({"solver": "gurobi"}, "solver"),
    ],
)
def test_params_are_checked_on_construction(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RoutingParams(**kwargs)  # type: ignore[arg-type]


def test_pyvrp_orders_stops_so_pickups_fit() -> None:
    # Same line as the checker tests: A picks up 6 after delivering 4, so the 8-tonne van must
    # deliver B first; only one vehicle, so both go on one route, B before A.
    xs = np.array([0, 10, 20])
    matrix = np.abs(xs[:, None] - xs[None, :]).astype(np.int64)
    problem = RoutingProblem(
        depots=(Depot("D"),),
        clients=(Client("A", demand=4, pickup=6), Client("B", demand=4)),
        vehicle_types=(VehicleType(capacity=8, count=1),),
        distance=matrix,
        duration=matrix,
    )
    result = plan_routes(problem, RoutingParams(time_limit_s=0.2))
    assert result.feasible and result.routes[0].clients == (1, 0)
    with pytest.raises(ValueError, match="client A: pickups"):
        plan_routes(problem, RoutingParams(time_limit_s=0.2, solver="ortools"))
