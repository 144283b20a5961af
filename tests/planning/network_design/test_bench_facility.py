"""`supplymesh bench facility` end to end on temporary folders and on the shared cap41."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from supplymesh.cli.main import app
from supplymesh.planning.network_design import parse_orlib
from tests.planning.network_design.small import enumerate_split_optimum

DATA = Path(__file__).parents[2] / "data" / "facility"
SHARED = Path(__file__).parents[4] / "shared" / "data" / "cflp_orlib"
COLUMNS = {"instance", "cost", "optimum", "gap_pct", "seconds", "proven_optimal"}


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["bench", "facility", *args])
    return result.exit_code, result.output


@pytest.fixture
def bench_dir(tmp_path: Path) -> Path:
    root = tmp_path / "set"
    (root / "sub").mkdir(parents=True)
    shutil.copy(DATA / "tiny41.txt", root / "sub" / "tiny41.txt")
    shutil.copy(DATA / "capt.txt", root / "capt.txt")
    (root / "PROVENANCE.md").write_text("# not an instance\n3 4\n")
    (problem,) = parse_orlib((DATA / "tiny41.txt").read_text(), "tiny41")
    with (root / "bks.csv").open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["instance", "bks", "is_optimal"])
        writer.writerow(["tiny41", enumerate_split_optimum(problem), "true"])
        writer.writerow(["capt-45", "", "false"])
    return root


def test_bench_writes_the_contract_json(bench_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    code, output = _run(
        str(bench_dir), "--time-limit", "10", "--capacity", "45", "--json", str(out)
    )
    assert code == 0, output
    doc = json.loads(out.read_text())
    rows = {r["instance"]: r for r in doc["rows"]}
    assert set(rows) == {"tiny41", "capt-45"}
    for row in rows.values():
        assert row.keys() >= COLUMNS
        assert row["proven_optimal"] is True
    assert rows["tiny41"]["gap_pct"] == pytest.approx(0.0, abs=1e-7)
    assert rows["capt-45"]["optimum"] is None and rows["capt-45"]["gap_pct"] is None
    assert doc["summary"]["instances"] == 2
    assert doc["summary"]["proven_optimal"] == 2
    assert doc["summary"]["mean_gap_pct"] == pytest.approx(0.0, abs=1e-7)


def test_family_file_without_capacity_is_bad_input_naming_the_file(bench_dir: Path) -> None:
    code, output = _run(str(bench_dir), "--time-limit", "5")
    assert code == 2
    assert "capt.txt" in output and "--capacity" in output


def test_truncated_file_is_bad_input_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "cap99.txt").write_text("2 2\n 10 5\n 10 5\n 3 1 2\n")
    code, output = _run(str(tmp_path), "--time-limit", "5")
    assert code == 2
    assert "cap99.txt" in output and "expected" in output


def test_infeasible_instance_is_a_row_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "capx.txt").write_text("1 2\n 10 5\n 8 1\n 8 1\n")
    out = tmp_path / "out.json"
    code, output = _run(str(tmp_path), "--json", str(out))
    assert code == 0, output
    doc = json.loads(out.read_text())
    (row,) = doc["rows"]
    assert row["cost"] is None and row["proven_optimal"] is False
    assert "total demand 16 exceeds" in row["error"]
    assert doc["summary"]["infeasible"] == 1


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared OR-Library data (cflp_orlib) is absent")
def test_cap41_is_proven_optimal_at_the_published_optimum(tmp_path: Path) -> None:
    out = tmp_path / "cap41.json"
    code, output = _run(str(SHARED / "cap41.txt"), "--json", str(out))
    assert code == 0, output
    (row,) = json.loads(out.read_text())["rows"]
    with (SHARED / "bks.csv").open(newline="") as fh:
        optimum = next(float(r["bks"]) for r in csv.DictReader(fh) if r["instance"] == "cap41")
    assert row["optimum"] == optimum
    assert row["cost"] == pytest.approx(optimum, rel=1e-9)
    assert row["proven_optimal"] is True
