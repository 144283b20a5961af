"""An independent feasibility check of a plan, so no one has to trust a solver's own verdict.

It recomputes everything from the problem's matrices: every client served exactly once; load
within capacity all along each route (deliveries on board from the start, pickups added);
each service starting inside its window (arriving early means waiting, as in Solomon 1987);
each vehicle back at its depot within its shift and the depot's window; and no more routes per
vehicle type than vehicles of that type.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from supplymesh.planning.routing.problem import RoutingProblem
from supplymesh.planning.routing.result import Route


@dataclass(frozen=True)
class CheckReport:
    """The checker's verdict: total distance and the list of broken constraints."""

    cost: int
    violations: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        """True when no constraint is broken."""
        return not self.violations


@dataclass(frozen=True)
class StopTime:
    """When a vehicle reaches a client, starts serving it (after waiting) and leaves."""

    arrival: int
    start: int
    departure: int


def timetable(problem: RoutingProblem, route: Route) -> tuple[list[StopTime], int]:
    """Walk `route` in time from the start of its vehicle's shift; return each stop's times
    and the time the vehicle is back at its depot. Arriving early means waiting."""
    vt = problem.vehicle_types[route.vehicle_type]
    time = max(vt.shift_early, problem.depots[vt.depot].tw_early)
    prev = vt.depot
    stops: list[StopTime] = []
    for c in route.clients:
        client = problem.clients[c]
        loc = problem.location(c)
        arrival = time + int(problem.duration[prev, loc])
        start = max(arrival, client.tw_early)
        time = start + client.service_duration
        stops.append(StopTime(arrival, start, time))
        prev = loc
    return stops, time + int(problem.duration[prev, vt.depot])


def check_routes(problem: RoutingProblem, routes: Sequence[Route]) -> CheckReport:
    """Check ``routes`` against ``problem`` and recompute their total distance.

    Parameters
    ----------
    problem
        The problem the routes claim to solve.
    routes
        Routes with client indices (``0 .. N-1``); empty routes are ignored.

    Returns
    -------
    CheckReport
        ``cost`` is the sum of arc distances (problem distance unit); ``violations`` names
        each broken constraint with the route and client concerned.
    """
    violations: list[str] = []
    n = len(problem.clients)
    seen: Counter[int] = Counter()
    used: Counter[int] = Counter()
    cost = 0
    for r, route in enumerate(routes):
        if not route.clients:
            continue
        if not 0 <= route.vehicle_type < len(problem.vehicle_types):
            violations.append(f"route {r}: unknown vehicle type {route.vehicle_type}")
            continue
        bad = [c for c in route.clients if not 0 <= c < n]
        if bad:
            violations.append(f"route {r}: unknown client indices {bad}")
            continue
        used[route.vehicle_type] += 1
        seen.update(route.clients)
        cost += _check_route(problem, r, route, violations)

    for k, vt in enumerate(problem.vehicle_types):
        if used[k] > vt.count:
            label = vt.name or f"vehicle type {k}"
            violations.append(f"{label}: {used[k]} routes but only {vt.count} vehicles")
    missing = [problem.clients[c].name or str(c) for c in range(n) if seen[c] == 0]
    if missing:
        violations.append(f"clients not served: {', '.join(missing[:20])}")
    repeated = [problem.clients[c].name or str(c) for c in range(n) if seen[c] > 1]
    if repeated:
        violations.append(f"clients served more than once: {', '.join(repeated[:20])}")
    return CheckReport(cost=cost, violations=tuple(violations))


def _check_route(problem: RoutingProblem, r: int, route: Route, violations: list[str]) -> int:
    """Walk one route in time; append its violations and return its distance."""
    vt = problem.vehicle_types[route.vehicle_type]
    depot = problem.depots[vt.depot]
    # The vehicle leaves with every delivery of the route on board; each stop unloads its
    # demand and loads its pickup, so the load peaks at the depot or just after some stop.
    load = sum(problem.clients[c].demand for c in route.clients)
    peak = load
    for c in route.clients:
        load += problem.clients[c].pickup - problem.clients[c].demand
        peak = max(peak, load)
    if peak > vt.capacity:
        violations.append(f"route {r}: load {peak} exceeds capacity {vt.capacity}")

    stops, back = timetable(problem, route)
    for c, stop in zip(route.clients, stops, strict=True):
        client = problem.clients[c]
        if stop.start > client.tw_late:
            violations.append(
                f"route {r}: client {client.name or c} served at {stop.start}, "
                f"after its window closes at {client.tw_late}"
            )
    prev, distance = vt.depot, 0
    for c in route.clients:
        loc = problem.location(c)
        distance += int(problem.distance[prev, loc])
        prev = loc
    distance += int(problem.distance[prev, vt.depot])
    closes = min(vt.shift_late, depot.tw_late)
    if back > closes:
        violations.append(f"route {r}: back at depot at {back}, after {closes}")
    return distance
