"""What a solve returns: routes per vehicle, their cost, and whether they are feasible."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    """One vehicle's trip: depot, the clients in order (indices into the problem), depot."""

    vehicle_type: int
    clients: tuple[int, ...]


@dataclass(frozen=True)
class RoutingResult:
    """The best plan found.

    Attributes
    ----------
    routes
        Non-empty routes, each naming its vehicle type and client indices in visiting order.
    cost
        Total distance of the routes, in the problem's distance unit (recomputed from the
        matrix by `check.check_routes`, not taken from the solver).
    feasible
        Whether the independent checker accepts the plan (every client once, capacity,
        windows, shifts, fleet size).
    violations
        The checker's reasons when ``feasible`` is false.
    runtime_s
        Wall time of the solve, in seconds.
    solver
        Which solver produced the plan.
    worker_costs
        With PyVRP, each search process's own best feasible distance at the end (None where
        it found none); the plan is never worse than any of them.
    """

    routes: tuple[Route, ...]
    cost: int
    feasible: bool
    violations: tuple[str, ...]
    runtime_s: float
    solver: str
    worker_costs: tuple[int | None, ...] = ()

    def routes_by_vehicle_type(self) -> dict[int, list[list[int]]]:
        """The client lists of the routes, grouped by vehicle type."""
        grouped: dict[int, list[list[int]]] = {}
        for route in self.routes:
            grouped.setdefault(route.vehicle_type, []).append(list(route.clients))
        return grouped
