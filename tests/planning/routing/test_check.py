"""The independent feasibility checker, one broken constraint at a time, on a line of clients.

Depot at 0, clients A, B, C at 10, 20, 30 on a line (distance = duration = |x − y|), demand 4
each, two vehicles of capacity 8. Every number below can be checked by hand.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from supplymesh.planning.routing.check import check_routes
from supplymesh.planning.routing.problem import Client, Depot, RoutingProblem, VehicleType
from supplymesh.planning.routing.result import Route

POSITIONS = np.array([0, 10, 20, 30])
LINE = np.abs(POSITIONS[:, None] - POSITIONS[None, :]).astype(np.int64)


def line_problem(
    *,
    a_window: tuple[int, int] = (0, 1000),
    b_window: tuple[int, int] = (0, 1000),
    count: int = 2,
    shift_late: int = 1000,
) -> RoutingProblem:
    return RoutingProblem(
        depots=(Depot("D"),),
        clients=(
            Client("A", demand=4, tw_early=a_window[0], tw_late=a_window[1]),
            Client("B", demand=4, tw_early=b_window[0], tw_late=b_window[1]),
            Client("C", demand=4, service_duration=5),
        ),
        vehicle_types=(VehicleType(capacity=8, count=count, shift_late=shift_late),),
        distance=LINE,
        duration=LINE,
    )


def test_accepts_a_feasible_plan_and_recomputes_its_distance() -> None:
    report = check_routes(line_problem(), [Route(0, (0, 1)), Route(0, (2,))])
    assert report.feasible
    assert report.cost == 40 + 60  # D-A-B-D and D-C-D


def test_flags_load_above_capacity() -> None:
    report = check_routes(line_problem(), [Route(0, (0, 1, 2))])
    assert not report.feasible
    assert report.violations == ("route 0: load 12 exceeds capacity 8",)


def test_flags_service_after_the_window_closes() -> None:
    # B closes at 25; reached via C it is served at 30 + 5 + 10 = 45.
    report = check_routes(line_problem(b_window=(0, 25)), [Route(0, (2, 1)), Route(0, (0,))])
    assert report.violations == ("route 0: client B served at 45, after its window closes at 25",)


def test_allows_waiting_for_a_window_to_open() -> None:
    # B opens at 50: the vehicle waits from 20 to 50, then returns at 70.
    problem = line_problem(b_window=(50, 60), shift_late=70)
    assert check_routes(problem, [Route(0, (0, 1)), Route(0, (2,))]).feasible


def test_flags_a_return_after_the_shift_ends() -> None:
    # D-A-C-D: A reached at 10, waits until 25, C at 45, leaves at 50, back at 80 > 65.
    problem = line_problem(a_window=(25, 100), shift_late=65)
    report = check_routes(problem, [Route(0, (0, 2)), Route(0, (1,))])
    assert report.violations == ("route 0: back at depot at 80, after 65",)


def test_flags_a_client_left_out() -> None:
    report = check_routes(line_problem(), [Route(0, (0, 1))])
    assert report.violations == ("clients not served: C",)


def test_flags_a_client_served_twice() -> None:
    report = check_routes(line_problem(), [Route(0, (0, 1)), Route(0, (2, 0))])
    assert report.violations == ("clients served more than once: A",)


def test_flags_more_routes_than_vehicles() -> None:
    report = check_routes(line_problem(count=2), [Route(0, (0,)), Route(0, (1,)), Route(0, (2,))])
    assert report.violations == ("vehicle type 0: 3 routes but only 2 vehicles",)


def test_ignores_empty_routes() -> None:
    report = check_routes(line_problem(count=2), [Route(0, (0, 1)), Route(0, ()), Route(0, (2,))])
    assert report.feasible


@pytest.mark.parametrize(
    ("client", "message"),
    [
        (Client("big", demand=9), "client big: demand 9 exceeds every vehicle's capacity"),
        (Client("late", tw_early=50, tw_late=40), "client late: time window closes (40)"),
        (Client("far", tw_late=5), "client far: time window [0, 5] cannot be met"),
    ],
)
def test_rejects_an_unservable_client_by_name(client: Client, message: str) -> None:
    # The fourth client sits at 10 from the depot, like A.
    matrix = np.abs(np.array([0, 10, 20, 30, 10])[:, None] - np.array([0, 10, 20, 30, 10]))
    with pytest.raises(ValueError, match=re.escape(message)):
        RoutingProblem(
            depots=(Depot("D"),),
            clients=(*line_problem().clients, client),
            vehicle_types=(VehicleType(capacity=8, count=2),),
            distance=matrix.astype(np.int64),
            duration=matrix.astype(np.int64),
        )


def test_rejects_a_window_that_cannot_return_to_the_depot_in_time() -> None:
    with pytest.raises(ValueError, match="client C: time window"):
        line_problem(shift_late=64)  # C needs 30 + 5 + 30 = 65


def test_rejects_a_matrix_of_the_wrong_shape() -> None:
    with pytest.raises(ValueError, match="distance matrix"):
        RoutingProblem(
            depots=(Depot("D"),),
            clients=(Client("A"),),
            vehicle_types=(VehicleType(capacity=1),),
            distance=LINE,
            duration=LINE,
        )


def test_flags_a_load_peak_caused_by_pickups() -> None:
    # Deliveries 4 + 4 leave the depot (8 = capacity); A then collects 6: 4 - 4 + 6 + 4 = 10.
    problem = RoutingProblem(
        depots=(Depot("D"),),
        clients=(Client("A", demand=4, pickup=6), Client("B", demand=4), Client("C")),
        vehicle_types=(VehicleType(capacity=8, count=2),),
        distance=LINE,
        duration=LINE,
    )
    assert check_routes(problem, [Route(0, (0, 1)), Route(0, (2,))]).violations == (
        "route 0: load 10 exceeds capacity 8",
    )
    # Serving B first unloads it before A's pickup: peak 8.
    assert check_routes(problem, [Route(0, (1, 0)), Route(0, (2,))]).feasible
