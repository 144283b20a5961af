"""Solve a `RoutingProblem` with PyVRP (default) or OR-Tools routing (the comparison).

PyVRP runs its iterated local search, one process per core by default (see `parallel`),
with the state-of-the-art HGS-CVRP neighbourhoods (Wouda, Lan & Kool, "PyVRP: a
high-performance VRP solver package", INFORMS J. Comput. 2024; Vidal, "Hybrid genetic search
for the CVRP", Comput. Oper. Res. 2022). OR-Tools runs its routing library with guided local
search, the configuration its documentation recommends for good solutions within a time
limit. Both are imported here, lazily, so that importing the engine's value types stays cheap.
"""

from __future__ import annotations

import math
import time
from typing import Any

from supplymesh.planning.routing.check import check_routes
from supplymesh.planning.routing.params import RoutingParams
from supplymesh.planning.routing.problem import RoutingProblem
from supplymesh.planning.routing.result import Route, RoutingResult


def plan_routes(problem: RoutingProblem, params: RoutingParams | None = None) -> RoutingResult:
    """Plan routes serving every client of ``problem``.

    Parameters
    ----------
    problem
        Depots, clients, fleet and matrices; already validated on construction.
    params
        Solver, time limit (seconds) and seed. Default ``RoutingParams()``: PyVRP, 10 s, seed 1.

    Returns
    -------
    RoutingResult
        The best routes found, their distance and feasibility as recomputed by
        `check.check_routes` (the solver's own verdict is not used), and the wall time (s).

    Raises
    ------
    ValueError
        If ``solver="ortools"`` is asked for a problem with pickups, which the baseline does
        not model.
    """
    params = params or RoutingParams()
    started = time.perf_counter()
    worker_costs: tuple[int | None, ...] = ()
    if not problem.clients:
        routes: list[Route] = []
    elif params.solver == "ortools":
        routes = _solve_ortools(problem, params)
    else:
        routes, worker_costs = _solve_pyvrp(problem, params)
    runtime = time.perf_counter() - started
    report = check_routes(problem, routes)
    return RoutingResult(
        routes=tuple(routes),
        cost=report.cost,
        feasible=report.feasible,
        violations=report.violations,
        runtime_s=runtime,
        solver=params.solver,
        worker_costs=worker_costs,
    )


def _solve_pyvrp(
    problem: RoutingProblem, params: RoutingParams
) -> tuple[list[Route], tuple[int | None, ...]]:
    """Build PyVRP's `ProblemData` from ours (same location numbering) and search it, on one
    core as `pyvrp.solve` does or cooperatively on several (`parallel`)."""
    import pyvrp

    from supplymesh.planning.routing.parallel import available_cores, cooperative_search

    locations = [pyvrp.Location(0.0, 0.0) for _ in range(problem.num_locations)]
    depots = [
        pyvrp.Depot(d, tw_early=dep.tw_early, tw_late=dep.tw_late, name=dep.name)
        for d, dep in enumerate(problem.depots)
    ]
    clients = [
        pyvrp.Client(
            problem.location(i),
            delivery=[c.demand],
            pickup=[c.pickup],
            service_duration=c.service_duration,
            tw_early=c.tw_early,
            tw_late=c.tw_late,
            name=c.name,
        )
        for i, c in enumerate(problem.clients)
    ]
    vehicle_types = [
        pyvrp.VehicleType(
            num_available=vt.count,
            capacity=[vt.capacity],
            start_depot=vt.depot,
            end_depot=vt.depot,
            tw_early=vt.shift_early,
            tw_late=vt.shift_late,
            name=vt.name,
        )
        for vt in problem.vehicle_types
        if vt.count > 0
    ]
    # PyVRP drops nothing but we skip zero-count types above; map back to our indices.
    kept = [k for k, vt in enumerate(problem.vehicle_types) if vt.count > 0]
    # PyVRP's stub types matrices as `ndarray[int]`, which no NumPy array type satisfies.
    matrices: list[Any] = [problem.distance, problem.duration]
    data = pyvrp.ProblemData(locations, clients, depots, vehicle_types, matrices[:1], matrices[1:])
    outcome = cooperative_search(
        data,
        seed=params.seed,
        time_limit_s=params.time_limit_s,
        workers=params.worker_count(available_cores()),
        sync_interval_s=params.sync_interval(),
    )
    routes = []
    for route in outcome.best.routes():
        visits = tuple(a.idx for a in route if a.is_client())
        if visits:
            routes.append(Route(vehicle_type=kept[route.vehicle_type()], clients=visits))
    return routes, outcome.worker_costs


def _solve_ortools(problem: RoutingProblem, params: RoutingParams) -> list[Route]:
    """Model the problem in OR-Tools routing (capacity and time dimensions) and search."""
    from ortools.constraint_solver import (  # type: ignore[import-untyped]
        pywrapcp,
        routing_enums_pb2,
    )

    picked = next((c for c in problem.clients if c.pickup), None)
    if picked is not None:
        # The baseline models one load dimension (deliveries only); PyVRP handles pickups.
        raise ValueError(f"client {picked.name}: pickups are only supported by the pyvrp solver")

    # A vehicle per client ("fleet free") only slows OR-Tools down; when the fleet is that
    # large, twice the bin-packing bound plus slack is offered instead (never binding for
    # CVRP). A smaller, real fleet limit is kept as it is.
    total = sum(c.demand for c in problem.clients)
    vehicles: list[int] = []
    for k, vt in enumerate(problem.vehicle_types):
        count = vt.count
        if count >= len(problem.clients):
            bound = math.ceil(total / vt.capacity) if vt.capacity > 0 else 0
            count = min(len(problem.clients), 2 * bound + 5)
        vehicles.extend([k] * count)
    if not vehicles:
        return []
    starts = [problem.vehicle_types[k].depot for k in vehicles]
    manager = pywrapcp.RoutingIndexManager(problem.num_locations, len(vehicles), starts, starts)
    routing = pywrapcp.RoutingModel(manager)

    distance = routing.RegisterTransitMatrix(problem.distance.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(distance)

    demands = [0] * len(problem.depots) + [c.demand for c in problem.clients]
    load = routing.RegisterUnaryTransitVector(demands)
    capacities = [problem.vehicle_types[k].capacity for k in vehicles]
    routing.AddDimensionWithVehicleCapacity(load, 0, capacities, True, "load")

    has_time = any(
        c.tw_early > 0 or c.tw_late < 2**40 or c.service_duration > 0 for c in problem.clients
    )
    if has_time:
        # Transit from i to j = service at i + travel i→j; slack is waiting before a window.
        service = [0] * len(problem.depots) + [c.service_duration for c in problem.clients]
        transit = (problem.duration + [[s] for s in service]).tolist()
        travel = routing.RegisterTransitMatrix(transit)
        horizon = max(
            min(vt.shift_late, problem.depots[vt.depot].tw_late) for vt in problem.vehicle_types
        )
        routing.AddDimension(travel, horizon, horizon, False, "time")
        time_dim = routing.GetDimensionOrDie("time")
        for i, c in enumerate(problem.clients):
            index = manager.NodeToIndex(problem.location(i))
            time_dim.CumulVar(index).SetRange(c.tw_early, min(c.tw_late, horizon))
        for v, k in enumerate(vehicles):
            vt = problem.vehicle_types[k]
            depot = problem.depots[vt.depot]
            early = max(vt.shift_early, depot.tw_early)
            late = min(vt.shift_late, depot.tw_late, horizon)
            time_dim.CumulVar(routing.Start(v)).SetRange(early, late)
            time_dim.CumulVar(routing.End(v)).SetRange(early, late)

    search = pywrapcp.DefaultRoutingSearchParameters()
    # Greedy arc extension finds no first plan at all on tight windows (Solomon R101 within
    # 5 s); parallel cheapest insertion does, so it is the start for time-windowed problems.
    strategies = routing_enums_pb2.FirstSolutionStrategy
    search.first_solution_strategy = (
        strategies.PARALLEL_CHEAPEST_INSERTION if has_time else strategies.PATH_CHEAPEST_ARC
    )
    search.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    whole, frac = divmod(params.time_limit_s, 1.0)
    search.time_limit.seconds = int(whole)
    search.time_limit.nanos = int(frac * 1e9)
    solution = routing.SolveWithParameters(search)
    if solution is None:
        return []
    routes = []
    for v, k in enumerate(vehicles):
        index = solution.Value(routing.NextVar(routing.Start(v)))
        visits = []
        while not routing.IsEnd(index):
            visits.append(manager.IndexToNode(index) - len(problem.depots))
            index = solution.Value(routing.NextVar(index))
        if visits:
            routes.append(Route(vehicle_type=k, clients=tuple(visits)))
    return routes
