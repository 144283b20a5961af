"""The Homberger-like VRPTW generator: VRPLIB VRPTW conventions hold for what it writes."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import pyvrp
import vrplib  # type: ignore[import-untyped]

from supplymesh.planning.routing.check import check_routes
from supplymesh.planning.routing.direct import solve_file_directly
from supplymesh.planning.routing.instances import VRPTW_CONVENTION, read_bench_instance
from supplymesh.planning.routing.params import RoutingParams
from supplymesh.planning.routing.solve import plan_routes

SCRIPT = Path(__file__).parents[3] / "scripts" / "gen_vrptw_homberger_like.py"


@pytest.fixture(params=["R1", "C1", "RC1"])
def generated(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    out = tmp_path / f"hl-{request.param}.vrp"
    args = [str(SCRIPT), str(out), "--kind", request.param, "--customers", "60", "--seed", "3"]
    subprocess.run([sys.executable, *args], check=True, capture_output=True)
    return out


def test_reader_applies_the_vrptw_conventions(generated: Path) -> None:
    instance = read_bench_instance(generated)
    raw = vrplib.read_instance(str(generated))
    assert instance.convention == VRPTW_CONVENTION and instance.scale == 10
    assert len(instance.problem.clients) == 60
    assert [vt.count for vt in instance.problem.vehicle_types] == [250]  # fleet <= VEHICLES
    xy = raw["node_coord"]
    for i, j in [(0, 1), (1, 2), (5, 40), (59, 0)]:
        truncated = math.floor(10 * math.dist(xy[i], xy[j]) + 1e-9)
        assert instance.problem.distance[i, j] == truncated  # floor(10·d)/10, in tenths
    service = {c.service_duration for c in instance.problem.clients}
    assert service == {900 if "C1" in generated.stem and "RC1" not in generated.stem else 100}
    # PyVRP's own reader with the DIMACS rounding prices every arc the same.
    data = pyvrp.read(generated, round_func="dimacs")
    assert np.array_equal(data.distance_matrix(0), instance.problem.distance)


def test_both_solvers_plan_it_feasibly_within_the_fleet(generated: Path) -> None:
    instance = read_bench_instance(generated)
    ours = plan_routes(instance.problem, RoutingParams(time_limit_s=0.3))
    assert ours.feasible, ours.violations
    direct = solve_file_directly(generated, time_windows=True, time_limit_s=0.3, seed=1)
    report = check_routes(instance.problem, direct)
    assert report.feasible, report.violations
    assert len(direct) <= 250
