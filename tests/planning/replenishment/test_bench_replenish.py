"""`supplymesh bench replenish` end to end on synthetic folders and on the shared data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from supplymesh.cli.main import app
from tests.planning.replenishment.synthetic import write_jd_folder
from tests.planning.replenishment.test_simulate import JD, needs_jd

FIELDS = {"policy", "total_cost", "holding_cost", "stockout_cost", "stockout_rate"}


def test_bench_trains_on_one_folder_and_scores_another(tmp_path: Path) -> None:
    write_jd_folder(tmp_path / "train" / "nested", pairs=60, seed=1)
    write_jd_folder(tmp_path / "test", pairs=20, seed=2, first_sku=5000)
    out = tmp_path / "r.json"
    result = CliRunner().invoke(
        app,
        ["bench", "replenish", str(tmp_path / "test"), "--train", str(tmp_path / "train"),
         "--max-instances", "12", "--json", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "ignored" in result.output
    doc = json.loads(out.read_text())
    rows = {r["policy"]: r for r in doc["rows"]}
    assert set(rows["ours_e2e"]) >= FIELDS
    assert {"ours_e2e", "pto_normal", "OPT", "E2E_RNN", "Bm1", "gbm"} <= set(rows)
    summary = doc["summary"]
    assert summary["pairs"] == 12
    assert "fit on" in summary["training"]
    ours, bm1, jd = (rows[p]["total_cost"] for p in ("ours_e2e", "Bm1", "E2E_RNN"))
    assert summary["e2e_total_cost"] == pytest.approx(ours)
    assert summary["e2e_vs_pto_total_cost_pct"] == pytest.approx(100 * (ours - bm1) / bm1, abs=1e-3)
    assert summary["e2e_vs_jd_e2e_total_cost_pct"] == pytest.approx(
        100 * (ours - jd) / jd, abs=1e-3
    )
    for row in doc["rows"]:
        assert row["total_cost"] == pytest.approx(row["holding_cost"] + row["stockout_cost"])


def test_bench_names_a_malformed_file(tmp_path: Path) -> None:
    write_jd_folder(tmp_path, pairs=6)
    (tmp_path / "forecast_sf_rnn.csv").write_text("sku_dc,round_index,day\n1#301,0,0\n")
    result = CliRunner().invoke(app, ["bench", "replenish", str(tmp_path)])
    assert result.exit_code == 2
    assert "forecast_sf_rnn.csv" in result.output


@needs_jd
def test_bench_cross_validates_on_the_first_shared_pairs(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = CliRunner().invoke(
        app, ["bench", "replenish", str(JD), "--max-instances", "80", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert doc["summary"]["pairs"] == 80
    assert "cross-validation" in doc["summary"]["training"]
    assert doc["summary"]["reference_table_reproduced"] is None  # a subset: not comparable
    assert [r["policy"] for r in doc["rows"]][:1] == ["ours_e2e"]
