"""The stepwise PyVRP search and the cooperative search over several processes."""

from __future__ import annotations

import multiprocessing as mp
import random
import time
from pathlib import Path

import pytest
import pyvrp
from pyvrp.stop import MaxIterations

from supplymesh.planning.routing.ils import Search
from supplymesh.planning.routing.instances import read_bench_instance
from supplymesh.planning.routing.parallel import Board, cooperative_search, decode, encode
from supplymesh.planning.routing.params import MIN_PARALLEL_S, RoutingParams
from supplymesh.planning.routing.solve import plan_routes


def write_cvrp(path: Path, clients: int, seed: int) -> Path:
    """A random VRPLIB CVRP: clients on a 100 × 100 grid, demand 1–9, capacity 25."""
    rng = random.Random(seed)
    coords = [(50, 50)] + [(rng.randint(0, 100), rng.randint(0, 100)) for _ in range(clients)]
    demands = [0] + [rng.randint(1, 9) for _ in range(clients)]
    lines = [
        f"NAME : {path.stem}",
        "TYPE : CVRP",
        f"DIMENSION : {clients + 1}",
        "EDGE_WEIGHT_TYPE : EUC_2D",
        "CAPACITY : 25",
        "NODE_COORD_SECTION",
        *(f"{i + 1} {x} {y}" for i, (x, y) in enumerate(coords)),
        "DEMAND_SECTION",
        *(f"{i + 1} {d}" for i, d in enumerate(demands)),
        "DEPOT_SECTION",
        "1",
        "-1",
        "EOF",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def cvrp40(tmp_path: Path) -> Path:
    return write_cvrp(tmp_path / "rand-40.vrp", 40, seed=7)


def test_one_search_retraces_pyvrp_solve_step_for_step(cvrp40: Path) -> None:
    data = pyvrp.read(cvrp40, round_func="round")
    theirs = pyvrp.solve(data, MaxIterations(400), seed=5, collect_stats=False)
    ours = Search(data, seed=5)
    ours.run_until(time.time() + 60, max_steps=400)
    assert ours.steps == 400
    assert ours.best == theirs.best
    assert ours.best_cost() == theirs.cost()


def test_plans_survive_the_trip_through_integers(cvrp40: Path) -> None:
    data = pyvrp.read(cvrp40, round_func="round")
    search = Search(data, seed=1)
    search.run_until(time.time() + 60, max_steps=50)
    words = encode(search.best)
    assert words[0] == search.best.num_routes()
    assert decode(data, words) == search.best


def test_a_trailing_search_restarts_from_the_board_and_a_leading_one_posts(
    cvrp40: Path,
) -> None:
    data = pyvrp.read(cvrp40, round_func="round")
    ahead, behind = Search(data, seed=1), Search(data, seed=2)
    ahead.run_until(time.time() + 60, max_steps=300)
    behind_cost = behind.best_cost()
    ahead_cost = ahead.best_cost()
    assert ahead_cost is not None and behind_cost is not None and ahead_cost < behind_cost
    array = Board.create(mp.get_context("spawn"), data)
    first, second = Board(array), Board(array)

    first.exchange(ahead, data)  # an empty board takes the plan
    posted = first.best(data)
    assert posted is not None and posted[0] == ahead_cost and posted[1] == ahead.best

    second.exchange(behind, data)  # a worse search adopts it, and its history restarts
    assert behind.best == ahead.best and behind.current == ahead.best

    before = ahead.best
    first.exchange(ahead, data)  # nothing better on the board: the leader carries on
    assert ahead.best is before


def test_two_workers_give_a_feasible_plan_never_worse_than_either(cvrp40: Path) -> None:
    problem = read_bench_instance(cvrp40).problem
    result = plan_routes(problem, RoutingParams(time_limit_s=2.0, workers=2, sync_interval_s=0.3))
    assert result.feasible, result.violations
    assert len(result.worker_costs) == 2
    # Worker 0 runs in this process and always reports; on a loaded machine the helper may
    # still be starting when a short limit ends, and then reports nothing (None).
    assert result.worker_costs[0] is not None
    costs = [c for c in result.worker_costs if c is not None]
    # The engine's cost is the checker's and the workers' is PyVRP's distance: the same unit.
    assert result.cost <= min(costs)


def test_cooperative_search_reports_each_workers_steps(cvrp40: Path) -> None:
    data = pyvrp.read(cvrp40, round_func="round")
    started = time.perf_counter()
    outcome = cooperative_search(data, seed=3, time_limit_s=1.0, workers=2, sync_interval_s=0.2)
    assert time.perf_counter() - started < 1.0 + 5.0
    # The helper may spend a short limit starting up; worker 0, in this process, cannot.
    assert len(outcome.steps) == 2 and outcome.steps[0] > 0
    assert outcome.best.is_feasible()


@pytest.mark.parametrize(
    ("params", "cores", "expected"),
    [
        (RoutingParams(time_limit_s=MIN_PARALLEL_S), 2, 2),
        (RoutingParams(time_limit_s=MIN_PARALLEL_S / 2), 2, 1),
        (RoutingParams(time_limit_s=60), 1, 1),
        (RoutingParams(time_limit_s=0.5, workers=3), 2, 3),
    ],
)
def test_worker_count_follows_the_cores_and_the_time_limit(
    params: RoutingParams, cores: int, expected: int
) -> None:
    assert params.worker_count(cores) == expected


def test_sync_interval_defaults_to_a_twentieth_of_the_limit_within_bounds() -> None:
    assert RoutingParams(time_limit_s=10).sync_interval() == pytest.approx(0.5)
    assert RoutingParams(time_limit_s=1).sync_interval() == pytest.approx(0.2)
    assert RoutingParams(time_limit_s=600).sync_interval() == pytest.approx(3.0)
    assert RoutingParams(sync_interval_s=1.5).sync_interval() == 1.5


@pytest.mark.parametrize(
    ("kwargs", "message"), [({"workers": 0}, "workers"), ({"sync_interval_s": 0}, "sync")]
)
def test_bad_parallel_params_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RoutingParams(**kwargs)  # type: ignore[arg-type]
