"""Read benchmark instance files (VRPLIB and Solomon text) into a `RoutingProblem`.

The cost convention is taken from the file itself, as CVRPLIB and the DIMACS 2021 VRPTW
challenge define it:

* VRPLIB ``TYPE: CVRP``: each edge is the Euclidean distance rounded to the nearest integer
  (TSPLIB ``nint``); the fleet is free (one vehicle per client is offered).
* Solomon text, or VRPLIB ``TYPE: VRPTW``: each arc is the distance truncated to one decimal,
  ``floor(10·d)/10``, used both as cost and travel time; at most ``NUMBER`` / ``VEHICLES``
  vehicles; service times from the header or a section. The matrices are kept in tenths
  (``scale = 10``) so the arithmetic stays exact in integers.

The format is recognised from the content, never from the file name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from supplymesh.planning.routing.problem import (
    UNBOUNDED,
    Client,
    Depot,
    RoutingProblem,
    VehicleType,
)

Format = Literal["vrplib", "solomon"]
CVRP_CONVENTION = "CVRP: edges rounded to nearest integer, fleet free"
VRPTW_CONVENTION = "VRPTW: arcs floor(10*d)/10 as cost and time, fleet <= file's vehicles"

_SUPPORTED_TYPES = ("CVRP", "VRPTW", "CVRPTW")
_VRPLIB_KEY = re.compile(r"^\s*(NAME|TYPE|DIMENSION|CAPACITY)\s*:", re.MULTILINE | re.IGNORECASE)


@dataclass(frozen=True, eq=False)
class BenchInstance:
    """A parsed instance: the problem, its convention, and how to report costs and routes.

    Attributes
    ----------
    problem
        The routing problem with integer matrices (tenths of a unit when ``scale`` is 10).
    convention
        `CVRP_CONVENTION` or `VRPTW_CONVENTION`.
    scale
        Divide matrix costs by this to get the instance's own cost unit.
    client_ids
        For each client, its number in CVRPLIB ``.sol`` files (the file's 0-based node row:
        VRPLIB node id − 1, Solomon customer number).
    """

    problem: RoutingProblem
    convention: str
    scale: int
    client_ids: tuple[int, ...]


def detect_format(head: str) -> Format | None:
    """Which instance format ``head`` (the first few KB of a file) is, if any."""
    lines = [line.strip().upper() for line in head.splitlines() if line.strip()]
    if "VEHICLE" in lines and "CUSTOMER" in lines:
        return "solomon"
    if _VRPLIB_KEY.search(head) and re.search(r"^\s*DIMENSION\s*:", head, re.M | re.I):
        return "vrplib"
    return None


def sniff(path: Path) -> Format | None:
    """The format of the file at ``path`` from its first 4 KB, or None for other files."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096).decode("utf-8", errors="replace")
    except OSError:
        return None
    return detect_format(head)


def read_bench_instance(path: Path) -> BenchInstance:
    """Read a VRPLIB or Solomon file into a `BenchInstance`.

    Raises
    ------
    ValueError
        If the file is neither format, lacks a needed section, has an unsupported ``TYPE``,
        or describes an unsolvable problem (the message names the offending client).
    """
    import vrplib  # type: ignore[import-untyped]

    fmt = sniff(path)
    if fmt is None:
        raise ValueError("not a VRPLIB or Solomon instance")
    if fmt == "vrplib":
        # Refuse other problem types (TSP, PDPTW, …) before vrplib tries to parse them.
        head = path.read_bytes()[:4096].decode("utf-8", errors="replace")
        declared = re.search(r"^\s*TYPE\s*:\s*(\S+)", head, re.MULTILINE | re.IGNORECASE)
        if declared and declared.group(1).upper() not in _SUPPORTED_TYPES:
            raise ValueError(f"unsupported TYPE {declared.group(1)!r} (expected CVRP or VRPTW)")
    try:
        raw: dict[str, Any] = vrplib.read_instance(str(path), instance_format=fmt)
    except Exception as exc:  # vrplib raises many kinds on bad input; all mean "malformed"
        raise ValueError(f"cannot parse as {fmt}: {type(exc).__name__}: {exc}") from exc

    kind = str(raw.get("type", "")).strip().upper()
    if fmt == "solomon":
        tw = True
    elif kind == "CVRP":
        tw = False
    elif kind in ("VRPTW", "CVRPTW"):
        tw = True
    elif not kind:
        tw = "time_window" in raw
    else:
        raise ValueError(f"unsupported TYPE {kind!r} (expected CVRP or VRPTW)")
    return _build(raw, path.stem, fmt, tw)


def _build(raw: dict[str, Any], name: str, fmt: Format, tw: bool) -> BenchInstance:
    for key in ("capacity", "demand"):
        if key not in raw:
            raise ValueError(f"missing {key.upper()}")
    if tw and "time_window" not in raw:
        raise ValueError("VRPTW instance without time windows")
    demand = np.asarray(raw["demand"], dtype=np.int64).reshape(-1)
    n = demand.shape[0]
    if n < 1:
        raise ValueError("no nodes")
    capacity = int(np.asarray(raw["capacity"]).reshape(-1)[0])
    depots = [0] if fmt == "solomon" else [int(d) for d in np.asarray(raw.get("depot", [0]))]
    if not depots or any(not 0 <= d < n for d in depots):
        raise ValueError(f"bad DEPOT_SECTION {depots}")
    clients = [i for i in range(n) if i not in set(depots)]
    order = depots + clients

    full = _matrix(raw, n, tw)
    matrix = np.ascontiguousarray(full[np.ix_(order, order)])

    if tw:
        windows = np.asarray(raw["time_window"], dtype=np.float64).reshape(n, 2)
        service = np.broadcast_to(
            np.asarray(raw.get("service_time", 0), dtype=np.float64).reshape(-1)
            if np.ndim(raw.get("service_time", 0))
            else np.float64(raw.get("service_time", 0)),
            (n,),
        )
        scale = 10
        early = np.round(windows[:, 0] * scale).astype(np.int64)
        late = np.round(windows[:, 1] * scale).astype(np.int64)
        serv = np.round(service * scale).astype(np.int64)
    else:
        scale = 1
        early = np.zeros(n, dtype=np.int64)
        late = np.full(n, UNBOUNDED, dtype=np.int64)
        serv = np.zeros(n, dtype=np.int64)

    vehicles = raw.get("vehicles")
    if tw and vehicles is not None:
        count = int(np.asarray(vehicles).reshape(-1)[0])
    else:
        count = len(clients)  # fleet free: one vehicle per client can never bind
    # Names are the file's own ids: Solomon numbers from 0 (the depot), VRPLIB from 1.
    offset = 0 if fmt == "solomon" else 1

    def node_id(i: int) -> str:
        return str(i + offset)

    problem = RoutingProblem(
        depots=tuple(
            Depot(name=f"depot {node_id(d)}", tw_early=int(early[d]), tw_late=int(late[d]))
            for d in depots
        ),
        clients=tuple(
            Client(
                name=node_id(i),
                demand=int(demand[i]),
                tw_early=int(early[i]),
                tw_late=int(late[i]),
                service_duration=int(serv[i]),
            )
            for i in clients
        ),
        vehicle_types=tuple(
            VehicleType(capacity=capacity, count=count, depot=k, name=f"vehicles at depot {k}")
            for k in range(len(depots))
        ),
        distance=matrix,
        duration=matrix,
        name=name,
    )
    return BenchInstance(
        problem=problem,
        convention=VRPTW_CONVENTION if tw else CVRP_CONVENTION,
        scale=scale,
        client_ids=tuple(clients),
    )


def _matrix(raw: dict[str, Any], n: int, tw: bool) -> NDArray[np.int64]:
    """Arc costs under the instance's convention (tenths of a unit for VRPTW)."""
    if "node_coord" in raw and str(raw.get("edge_weight_type", "EUC_2D")).upper() in (
        "EUC_2D",
        "",
    ):
        xy = np.asarray(raw["node_coord"], dtype=np.float64).reshape(n, -1)[:, :2]
        squared = ((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2)
        # floor(10·d) = floor(sqrt(100·d²)) is exact for integer coordinates; the epsilon
        # only guards non-integer ones against a square root landing just below an integer.
        scaled = np.sqrt(100.0 * squared) + 1e-9 if tw else np.sqrt(squared) + 0.5
        arcs: NDArray[np.int64] = np.floor(scaled).astype(np.int64)
        return arcs
    if "edge_weight" in raw:
        weights = np.asarray(raw["edge_weight"], dtype=np.float64)
        if weights.shape != (n, n):
            raise ValueError(f"edge weights are {weights.shape}, expected ({n}, {n})")
        given: NDArray[np.int64] = np.floor(10.0 * weights + 1e-9 if tw else weights + 0.5).astype(
            np.int64
        )
        return given
    raise ValueError("neither NODE_COORD_SECTION (EUC_2D) nor EDGE_WEIGHT_SECTION")
