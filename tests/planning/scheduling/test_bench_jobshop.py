"""`supplymesh bench jobshop` end to end on a temporary folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from supplymesh.cli.main import app

DATA = Path(__file__).parents[2] / "data" / "scheduling"


@pytest.fixture
def bench_dir(tmp_path: Path) -> Path:
    sub = tmp_path / "set" / "ft"
    sub.mkdir(parents=True)
    shutil.copy(DATA / "ft06.txt", sub / "ft06.txt")
    shutil.copy(DATA / "bks.csv", tmp_path / "set" / "bks.csv")
    (tmp_path / "set" / "PROVENANCE.md").write_text("# not an instance\n")
    (tmp_path / "set" / "tiny.txt").write_text("2 2\n0 3 1 2\n1 4 0 1\n")
    return tmp_path / "set"


@pytest.mark.parametrize("model", ["ours", "plain"])
def test_bench_writes_the_contract_json(bench_dir: Path, tmp_path: Path, model: str) -> None:
    out = tmp_path / "out.json"
    result = CliRunner().invoke(
        app,
        [
            "bench",
            "jobshop",
            str(bench_dir),
            "--time-limit",
            "5",
            "--model",
            model,
            "--workers",
            "1",
            "--json",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    rows = {r["instance"]: r for r in doc["rows"]}
    assert set(rows) == {"ft06", "tiny"}
    for row in rows.values():
        assert {"instance", "makespan", "bks", "gap_pct", "seconds", "feasible"} <= set(row)
        assert row["feasible"] is True
    assert rows["ft06"]["makespan"] == 55
    assert rows["ft06"]["gap_pct"] == 0.0
    assert rows["tiny"]["bks"] is None  # no bks row: reported, kept out of the mean
    assert doc["summary"]["mean_gap_pct"] == 0.0
    assert doc["summary"]["instances"] == 2
    assert doc["summary"]["infeasible"] == 0


def test_bench_max_instances_takes_the_first_sorted(bench_dir: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "bench",
            "jobshop",
            str(bench_dir),
            "--time-limit",
            "2",
            "--max-instances",
            "1",
            "--json",
            "-",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [r["instance"] for r in doc["rows"]] == ["ft06"]


def test_bench_names_a_malformed_file(bench_dir: Path) -> None:
    bad = bench_dir / "broken.txt"
    bad.write_text("3 2\n0 1 1 2\n")
    result = CliRunner().invoke(app, ["bench", "jobshop", str(bench_dir), "--time-limit", "1"])
    assert result.exit_code != 0
    assert "broken.txt" in result.output


def test_bench_rejects_an_unknown_model(bench_dir: Path) -> None:
    result = CliRunner().invoke(app, ["bench", "jobshop", str(bench_dir), "--model", "magic"])
    assert result.exit_code != 0
