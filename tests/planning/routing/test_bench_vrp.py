"""`supplymesh bench vrp` end to end on the hand-written instances (CONTRACTS.md, bench)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from supplymesh.cli.main import app

DATA = Path(__file__).parents[2] / "data" / "routing"


@pytest.fixture
def bench_dir(tmp_path: Path) -> Path:
    """A folder shaped like the shared data: instances in a subfolder, bks.csv above them."""
    (tmp_path / "set").mkdir()
    for name in ("tiny-cvrp-rays.vrp", "tiny-vrptw.vrp", "tiny-solomon.txt"):
        shutil.copy(DATA / name, tmp_path / "set" / name)
    shutil.copy(DATA / "bks.csv", tmp_path / "bks.csv")
    (tmp_path / "set" / "tiny-cvrp-rays.sol").write_text("Route #1: 1 2\nCost 120\n")
    (tmp_path / "set" / "PROVENANCE.md").write_text("TYPE : CVRP\nDIMENSION : 3\n")
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n")
    return tmp_path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["bench", "vrp", *args])
    return result.exit_code, result.output


def test_reports_rows_and_summary_as_json(bench_dir: Path) -> None:
    out = bench_dir / "out.json"
    code, _ = run(str(bench_dir), "--time-limit", "0.2", "--json", str(out))
    assert code == 0
    doc = json.loads(out.read_text())
    rows = {r["instance"]: r for r in doc["rows"]}
    assert sorted(rows) == ["tiny-cvrp-rays", "tiny-solomon", "tiny-vrptw"]
    for row in rows.values():
        assert {"instance", "cost", "bks", "gap_pct", "seconds", "feasible", "routes"} <= set(row)
        assert row["feasible"] is True and row["seconds"] > 0
    rays = rows["tiny-cvrp-rays"]
    assert (rays["cost"], rays["bks"], rays["gap_pct"], rays["routes"]) == (120, 120.0, 0.0, 3)
    assert rows["tiny-vrptw"]["bks"] is None and rows["tiny-vrptw"]["gap_pct"] is None
    summary = doc["summary"]
    assert {"mean_gap_pct", "instances", "infeasible", "convention"} <= set(summary)
    assert summary["instances"] == 3 and summary["infeasible"] == 0
    # Only instances with a bks row count: rays at 0 % and tiny-solomon far below its 1000.
    assert summary["mean_gap_pct"] == pytest.approx((0.0 + rows["tiny-solomon"]["gap_pct"]) / 2)
    assert "CVRP" in summary["convention"] and "VRPTW" in summary["convention"]


def test_json_to_stdout_is_one_object_and_max_instances_cuts(bench_dir: Path) -> None:
    code, output = run(
        str(bench_dir),
        "--time-limit",
        "0.1",
        "--max-instances",
        "1",
        "--solver",
        "ortools",
        "--json",
        "-",
    )
    assert code == 0
    doc = json.loads(output.strip().splitlines()[-1])
    assert [r["instance"] for r in doc["rows"]] == ["tiny-cvrp-rays"]
    assert doc["summary"]["solver"] == "ortools"


def test_malformed_instance_fails_naming_the_file(bench_dir: Path) -> None:
    bad = bench_dir / "set" / "broken.vrp"
    bad.write_text("NAME : broken\nTYPE : CVRP\nDIMENSION : 3\nCAPACITY : x\nEOF\n")
    code, output = run(str(bench_dir), "--time-limit", "0.1")
    assert code != 0
    assert "broken.vrp" in output


def test_unknown_solver_is_bad_usage(bench_dir: Path) -> None:
    code, output = run(str(bench_dir), "--solver", "cplex")
    assert code != 0 and "--solver" in output


def test_pyvrp_direct_is_priced_by_our_checker(bench_dir: Path) -> None:
    (bench_dir / "set" / "tiny-solomon.txt").unlink()
    out = bench_dir / "direct.json"
    code, _ = run(
        str(bench_dir), "--time-limit", "0.2", "--solver", "pyvrp-direct", "--json", str(out)
    )
    assert code == 0
    doc = json.loads(out.read_text())
    rows = {r["instance"]: r for r in doc["rows"]}
    assert (rows["tiny-cvrp-rays"]["cost"], rows["tiny-cvrp-rays"]["feasible"]) == (120, True)
    assert rows["tiny-vrptw"]["feasible"] is True and rows["tiny-vrptw"]["routes"] <= 2
    assert doc["summary"]["solver"] == "pyvrp-direct" and doc["summary"]["workers"] == 1


def test_pyvrp_direct_refuses_solomon_text_naming_the_file(bench_dir: Path) -> None:
    code, output = run(str(bench_dir), "--time-limit", "0.1", "--solver", "pyvrp-direct")
    assert code != 0 and "tiny-solomon.txt" in output and "VRPLIB" in output


def test_jobs_solve_instances_side_by_side_in_path_order(bench_dir: Path) -> None:
    out = bench_dir / "jobs.json"
    code, _ = run(str(bench_dir), "--time-limit", "0.3", "--jobs", "2", "--json", str(out))
    assert code == 0
    doc = json.loads(out.read_text())
    assert [r["instance"] for r in doc["rows"]] == ["tiny-cvrp-rays", "tiny-solomon", "tiny-vrptw"]
    assert all(r["feasible"] for r in doc["rows"])
    assert doc["rows"][0]["cost"] == 120
    assert (doc["summary"]["jobs"], doc["summary"]["workers"]) == (2, 1)
