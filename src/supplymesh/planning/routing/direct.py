"""PyVRP called on an instance file exactly as its documentation shows: the yardstick.

The issue asks the engine never to be worse than "PyVRP called directly with the same time
limit". This is that call, `pyvrp.read` then `pyvrp.solve` with a `MaxRuntime` stop and the
given seed, all defaults otherwise (one core), so the comparison runs in the same process,
on the same machine and under the same time limit as ours. Its routes are handed back in the
engine's numbering so that our own checker prices and judges them like every other plan.
"""

from __future__ import annotations

from pathlib import Path

from supplymesh.planning.routing.result import Route


def solve_file_directly(
    path: Path, *, time_windows: bool, time_limit_s: float, seed: int
) -> list[Route]:
    """Read ``path`` with `pyvrp.read` and run `pyvrp.solve` on it for ``time_limit_s``.

    Parameters
    ----------
    path
        A VRPLIB file (CVRP or VRPTW); `pyvrp.read` reads no other format.
    time_windows
        True for VRPTW: read with ``round_func="dimacs"`` (arcs floor(10·d), times in tenths),
        else ``"round"`` (CVRP, nearest integer); the same conventions as `instances`.
    time_limit_s, seed
        PyVRP's stop (`MaxRuntime`) and seed.

    Returns
    -------
    list[Route]
        The best routes, clients numbered as in `instances.read_bench_instance` (file order,
        depots left out) and each route's vehicle type being its depot's, as there.

    Raises
    ------
    ValueError
        If ``path`` is not a VRPLIB file.
    """
    import pyvrp
    from pyvrp.stop import MaxRuntime

    from supplymesh.planning.routing.instances import sniff

    if sniff(path) != "vrplib":
        raise ValueError(f"{path.name}: pyvrp.read reads VRPLIB files only")
    data = pyvrp.read(path, round_func="dimacs" if time_windows else "round")
    result = pyvrp.solve(data, stop=MaxRuntime(time_limit_s), seed=seed, display=False)
    routes = []
    for route in result.best.routes():
        visits = tuple(a.idx for a in route if a.is_client())
        if visits:
            routes.append(Route(vehicle_type=route.start_depot(), clients=visits))
    return routes
