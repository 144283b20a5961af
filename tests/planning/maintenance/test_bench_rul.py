"""`supplymesh bench rul` end to end on a small synthetic C-MAPSS-format dataset."""

from __future__ import annotations

import json
import math
from pathlib import Path

from typer.testing import CliRunner

from supplymesh.cli.main import app
from tests.planning.maintenance.synthetic import write_dataset


def test_bench_rul_writes_the_contract_json(tmp_path: Path) -> None:
    data = tmp_path / "cmapss"
    write_dataset(data / "nested", subset="FD002")
    out = tmp_path / "rul.json"
    result = CliRunner().invoke(
        app, ["bench", "rul", str(data), "--subset", "FD002", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "ignored" in result.output  # --time-limit does not apply, and it says so
    doc = json.loads(out.read_text())
    summary, rows = doc["summary"], doc["rows"]
    assert summary["engines"] == len(rows) == 8
    assert summary["operating_conditions"] == 6
    errors = [r["predicted"] - r["true"] for r in rows]
    assert math.isclose(summary["rmse"], math.sqrt(sum(e * e for e in errors) / 8), rel_tol=1e-3)
    capped = [r["predicted"] - min(r["true"], 125) for r in rows]
    assert math.isclose(
        summary["rmse_capped"], math.sqrt(sum(e * e for e in capped) / 8), rel_tol=1e-3
    )
    assert summary["nasa_score"] >= 0
    assert {"engine", "predicted", "true", "error"} <= set(rows[0])


def test_bench_rul_names_a_short_truth_file(tmp_path: Path) -> None:
    write_dataset(tmp_path, subset="FD001")
    truth = tmp_path / "RUL_FD001.txt"
    truth.write_text("\n".join(truth.read_text().split("\n")[:3]) + "\n")
    result = CliRunner().invoke(app, ["bench", "rul", str(tmp_path), "--subset", "FD001"])
    assert result.exit_code != 0
    assert "RUL_FD001.txt" in result.output


def test_bench_rul_names_a_malformed_series(tmp_path: Path) -> None:
    write_dataset(tmp_path, subset="FD001")
    (tmp_path / "train_FD001.txt").write_text("1 1 0 0 100 5\n1 2 0 0\n")
    result = CliRunner().invoke(app, ["bench", "rul", str(tmp_path), "--subset", "FD001"])
    assert result.exit_code != 0
    assert "train_FD001.txt" in result.output


def test_bench_rul_requires_a_subset(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["bench", "rul", str(tmp_path)])
    assert result.exit_code != 0
