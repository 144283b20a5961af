"""The vehicle routing problem as plain values: depots, clients, vehicle types, matrices.

Locations are numbered as PyVRP numbers them: depots first (``0 .. D-1``), then clients
(``D .. D+N-1``). Distances, durations, times and loads are integers in any consistent unit
(metres and seconds in the platform; the bench uses tenths of a distance unit for VRPTW so
that the DIMACS one-decimal convention stays exact). Routes name clients by their index in
``RoutingProblem.clients`` (``0 .. N-1``), not by location.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

#: An open time window: "no limit" for horizons and windows (fits comfortably in int64 sums).
UNBOUNDED = 2**40


@dataclass(frozen=True)
class Depot:
    """A place where vehicles start and end; its window bounds when they may be out."""

    name: str
    tw_early: int = 0
    tw_late: int = UNBOUNDED


@dataclass(frozen=True)
class Client:
    """A stop to serve exactly once.

    Attributes
    ----------
    name
        How errors and plans name the client (e.g. the instance's node id).
    demand
        Load delivered, in the vehicles' capacity unit.
    pickup
        Load collected here and brought back to the depot (returns, empties), same unit;
        the vehicle must hold it on top of what it still has to deliver.
    tw_early, tw_late
        Earliest and latest service start, in duration units; arriving early means waiting.
    service_duration
        Time spent at the client, in duration units.
    """

    name: str
    demand: int = 0
    tw_early: int = 0
    tw_late: int = UNBOUNDED
    service_duration: int = 0
    pickup: int = 0


@dataclass(frozen=True)
class VehicleType:
    """A group of identical vehicles based at one depot.

    Attributes
    ----------
    capacity
        Load one vehicle carries per route, in the demand unit.
    count
        How many such vehicles may be used (an upper bound; unused ones cost nothing).
    depot
        Index into ``RoutingProblem.depots`` where the route starts and ends.
    shift_early, shift_late
        The vehicle leaves no earlier than ``shift_early`` and is back no later than
        ``shift_late`` (duration units).
    name
        Label for plans and errors.
    """

    capacity: int
    count: int = 1
    depot: int = 0
    shift_early: int = 0
    shift_late: int = UNBOUNDED
    name: str = ""


@dataclass(frozen=True, eq=False)
class RoutingProblem:
    """Depots, clients, a heterogeneous fleet and the travel matrices between locations.

    Attributes
    ----------
    depots, clients, vehicle_types
        See `Depot`, `Client`, `VehicleType`.
    distance
        ``(L, L)`` int64 matrix, ``L = len(depots) + len(clients)``; the cost of each arc.
    duration
        ``(L, L)`` int64 matrix of travel times, same units as the time windows.
    name
        Label used in errors and reports.
    """

    depots: tuple[Depot, ...]
    clients: tuple[Client, ...]
    vehicle_types: tuple[VehicleType, ...]
    distance: NDArray[np.int64]
    duration: NDArray[np.int64]
    name: str = field(default="")

    def __post_init__(self) -> None:
        validate(self)

    @property
    def num_locations(self) -> int:
        """Depots plus clients: the size of each matrix side."""
        return len(self.depots) + len(self.clients)

    def location(self, client: int) -> int:
        """Matrix index of client number ``client``."""
        return len(self.depots) + client

    def depot_of(self, vehicle_type: int) -> int:
        """Matrix index of the depot vehicle type ``vehicle_type`` is based at."""
        return self.vehicle_types[vehicle_type].depot


def validate(problem: RoutingProblem) -> None:
    """Reject a problem no plan can serve, naming the offending client or vehicle type.

    Raises
    ------
    ValueError
        On a matrix of the wrong shape or with negative entries, a vehicle type with a bad
        depot or count, a client whose demand exceeds every capacity, a window with
        ``tw_late < tw_early``, or a client no vehicle can reach within its window and bring
        back to its depot in time (waiting allowed).
    """
    if not problem.depots:
        raise ValueError(f"{problem.name or 'problem'}: at least one depot is needed")
    if not problem.vehicle_types:
        raise ValueError(f"{problem.name or 'problem'}: at least one vehicle type is needed")
    size = problem.num_locations
    for label, matrix in (("distance", problem.distance), ("duration", problem.duration)):
        if matrix.shape != (size, size):
            raise ValueError(f"{label} matrix is {matrix.shape}, expected ({size}, {size})")
        if size and int(matrix.min()) < 0:
            raise ValueError(f"{label} matrix has negative entries")
    for k, vt in enumerate(problem.vehicle_types):
        label = vt.name or f"vehicle type {k}"
        if not 0 <= vt.depot < len(problem.depots):
            raise ValueError(f"{label}: depot {vt.depot} does not exist")
        if vt.count < 0 or vt.capacity < 0:
            raise ValueError(f"{label}: count and capacity must be non-negative")
        if vt.shift_late < vt.shift_early:
            raise ValueError(f"{label}: shift ends ({vt.shift_late}) before it starts")
    for d, depot in enumerate(problem.depots):
        if depot.tw_late < depot.tw_early:
            raise ValueError(f"depot {depot.name or d}: window closes before it opens")

    max_capacity = (
        max(vt.capacity for vt in problem.vehicle_types if vt.count > 0)
        if any(vt.count > 0 for vt in problem.vehicle_types)
        else -1
    )
    # Earliest departure and latest return per vehicle type, window of its depot included.
    starts, ends, depot_locs = [], [], []
    for vt in problem.vehicle_types:
        depot = problem.depots[vt.depot]
        starts.append(max(vt.shift_early, depot.tw_early))
        ends.append(min(vt.shift_late, depot.tw_late))
        depot_locs.append(vt.depot)
    for i, client in enumerate(problem.clients):
        label = f"client {client.name or i}"
        if client.demand < 0 or client.pickup < 0 or client.service_duration < 0:
            raise ValueError(f"{label}: demand, pickup and service time must be non-negative")
        if max(client.demand, client.pickup) > max_capacity:
            raise ValueError(
                f"{label}: demand {max(client.demand, client.pickup)} exceeds every vehicle's "
                f"capacity (largest {max_capacity})"
            )
        if client.tw_late < client.tw_early:
            raise ValueError(
                f"{label}: time window closes ({client.tw_late}) before it opens "
                f"({client.tw_early})"
            )
        loc = problem.location(i)
        reachable = False
        for k, vt in enumerate(problem.vehicle_types):
            if vt.count <= 0 or vt.capacity < max(client.demand, client.pickup):
                continue
            arrive = starts[k] + int(problem.duration[depot_locs[k], loc])
            begin = max(arrive, client.tw_early)
            back = begin + client.service_duration + int(problem.duration[loc, depot_locs[k]])
            if begin <= client.tw_late and back <= ends[k]:
                reachable = True
                break
        if not reachable:
            raise ValueError(
                f"{label}: time window [{client.tw_early}, {client.tw_late}] cannot be met by "
                "any vehicle leaving its depot and returning within its shift"
            )
