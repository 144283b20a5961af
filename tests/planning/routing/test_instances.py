"""Reading VRPLIB and Solomon files: format from content, cost convention from the file."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from supplymesh.planning.routing.check import check_routes
from supplymesh.planning.routing.instances import (
    CVRP_CONVENTION,
    VRPTW_CONVENTION,
    BenchInstance,
    detect_format,
    read_bench_instance,
)
from supplymesh.planning.routing.result import Route

DATA = Path(__file__).parents[2] / "data" / "routing"
SHARED = Path(os.environ.get("SUPPLYMESH_DATA_DIR", Path(__file__).parents[4] / "shared" / "data"))


def test_reads_a_vrplib_cvrp_with_rounded_edges_and_a_free_fleet() -> None:
    instance = read_bench_instance(DATA / "tiny-cvrp-rays.vrp")
    problem = instance.problem
    assert instance.convention == CVRP_CONVENTION and instance.scale == 1
    assert [c.name for c in problem.clients] == ["2", "3", "4", "5", "6", "7"]
    assert problem.vehicle_types[0].capacity == 2
    assert problem.vehicle_types[0].count == 6  # fleet free: never binding
    assert problem.distance[0, 1].item() == 10
    assert problem.distance[1, 3].item() == 14  # (0,10)-(10,0): 14.14
    assert problem.distance[2, 3].item() == 22  # (0,20)-(10,0): 22.36


def test_reads_a_vrplib_vrptw_in_tenths_with_truncated_arcs() -> None:
    instance = read_bench_instance(DATA / "tiny-vrptw.vrp")
    problem = instance.problem
    assert instance.convention == VRPTW_CONVENTION and instance.scale == 10
    assert problem.vehicle_types[0].count == 2  # VEHICLES
    # depot (0,0) to client "2" at (1,1): sqrt 2 = 1.414… → 1.4 → 14 tenths, also as time.
    assert problem.distance[0, 1].item() == 14 and problem.duration[0, 1].item() == 14
    # (0,0) to (5,2): 5.385… → 5.3, truncated not rounded.
    assert problem.distance[0, 3].item() == 53
    first = problem.clients[0]
    assert (first.tw_early, first.tw_late, first.service_duration) == (0, 200, 10)
    assert problem.depots[0].tw_late == 1000


def test_reads_a_solomon_file_whatever_its_name(tmp_path: Path) -> None:
    renamed = tmp_path / "instance.vrp"  # a Solomon file with a VRPLIB-looking name
    renamed.write_bytes((DATA / "tiny-solomon.txt").read_bytes())
    instance = read_bench_instance(renamed)
    problem = instance.problem
    assert instance.convention == VRPTW_CONVENTION
    assert problem.vehicle_types[0].count == 2 and problem.vehicle_types[0].capacity == 20
    assert [c.name for c in problem.clients] == ["1", "2", "3", "4"]
    c1 = problem.clients[0]
    assert (c1.demand, c1.tw_early, c1.tw_late, c1.service_duration) == (10, 100, 600, 50)
    assert problem.depots[0].tw_late == 2000
    assert problem.distance[0, 1].item() == 50  # (10,10)-(13,14) = 5.0 exactly


def test_detects_formats_from_content_only() -> None:
    assert detect_format("NAME : x\nTYPE : CVRP\nDIMENSION : 3\n") == "vrplib"
    assert detect_format("C101\n\nVEHICLE\nNUMBER CAPACITY\n 25 200\n\nCUSTOMER\n") == "solomon"
    assert detect_format("instance,bks\nA-n32-k5,784\n") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("NAME : bad\nTYPE : TSP\nDIMENSION : 2\nNODE_COORD_SECTION\n1 0 0\n2 1 1\nEOF\n", "TYPE"),
        (
            "NAME : bad\nTYPE : CVRP\nDIMENSION : 2\nCAPACITY : 5\nEDGE_WEIGHT_TYPE : EUC_2D\n"
            "NODE_COORD_SECTION\n1 0 0\n2 3 4\nEOF\n",
            "DEMAND",
        ),
        (
            "NAME : big\nTYPE : CVRP\nDIMENSION : 2\nCAPACITY : 5\nEDGE_WEIGHT_TYPE : EUC_2D\n"
            "NODE_COORD_SECTION\n1 0 0\n2 3 4\nDEMAND_SECTION\n1 0\n2 9\n"
            "DEPOT_SECTION\n1\n-1\nEOF\n",
            "client 2: demand 9 exceeds",
        ),
    ],
)
def test_rejects_malformed_or_unservable_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.vrp"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        read_bench_instance(path)


def test_names_the_client_whose_window_closes_before_it_opens(tmp_path: Path) -> None:
    text = (DATA / "tiny-solomon.txt").read_text().replace(" 50        120", "130        120")
    path = tmp_path / "tw.txt"
    path.write_text(text)
    with pytest.raises(ValueError, match=r"client 3: time window closes \(1200\) before"):
        read_bench_instance(path)


def _sol_routes(instance: BenchInstance, sol: Path) -> list[Route]:
    """A CVRPLIB `.sol` file as routes of client indices."""
    index = {cid: k for k, cid in enumerate(instance.client_ids)}
    routes = []
    for line in sol.read_text().splitlines():
        match = re.match(r"Route #\d+:(.*)", line)
        if match:
            routes.append(Route(0, tuple(index[int(t)] for t in match.group(1).split())))
    return routes


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared benchmark data absent ({SHARED})")
@pytest.mark.parametrize(
    ("folder", "name", "expected"),
    [
        ("cvrp_abp/A", "A-n32-k5.vrp", 784),
        ("cvrp_x", "X-n101-k25.vrp", 27591),
        ("vrptw_solomon", "R101.txt", 16377),
        ("vrptw_solomon", "RC208.txt", 7761),
        ("vrptw_solomon", "C203.txt", 5887),
    ],
)
def test_reference_solutions_check_feasible_at_their_published_cost(
    folder: str, name: str, expected: int
) -> None:
    # Convention and checker agree with CVRPLIB: the published optimum reproduces exactly.
    path = SHARED / folder / name
    instance = read_bench_instance(path)
    report = check_routes(instance.problem, _sol_routes(instance, path.with_suffix(".sol")))
    assert report.violations == ()
    assert report.cost == expected
