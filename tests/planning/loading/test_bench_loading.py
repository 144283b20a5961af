"""`supplymesh bench loading` end to end on hand-written and shared thpack files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from supplymesh.cli.main import app

DATA = Path(__file__).parents[2] / "data" / "loading"
SHARED_BR = Path("/work/shared/data/clp_br")


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["bench", "loading", *args])
    return result.exit_code, result.output


def test_tiny_file_gives_the_contract_json(tmp_path: Path) -> None:
    folder = tmp_path / "set"
    folder.mkdir()
    shutil.copy(DATA / "tiny.txt", folder / "tiny.txt")
    (folder / "PROVENANCE.md").write_text("# not an instance\n 1\n")
    out = tmp_path / "out.json"
    code, output = _run(str(folder), "--time-limit", "1", "--json", str(out))
    assert code == 0, output
    doc = json.loads(out.read_text())
    assert [r["instance"] for r in doc["rows"]] == ["tiny-001", "tiny-002"]
    first, second = doc["rows"]
    assert {"class", "problem", "utilisation_pct", "seconds", "feasible"} <= set(first)
    # 8 cubes of 5 fill the 10³ container; the 11-high box (upright only) is left out.
    assert first["utilisation_pct"] == 100.0 and first["left_out"] == ["1.2"]
    assert second["utilisation_pct"] == 100.0
    # A full container ends the search long before the clock.
    assert first["clock_stop"] is False and first["work_share"] < 0.01
    summary = doc["summary"]
    assert summary["per_class"] == {"tiny": 100.0}
    assert summary["instances"] == 2 and summary["infeasible"] == 0
    assert summary["mean_utilisation_pct"] == 100.0


def test_malformed_file_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text((DATA / "tiny.txt").read_text().replace("1 5 1 5 1 5 1 8", "1 5 1 -5 1 5 1 8"))
    code, output = _run(str(bad), "--time-limit", "1")
    assert code == 2
    assert "bad.txt line 5" in output


@pytest.mark.skipif(not SHARED_BR.exists(), reason="shared BR data absent (/work/shared/data)")
def test_two_br1_problems_in_two_workers(tmp_path: Path) -> None:
    out = tmp_path / "br.json"
    code, output = _run(
        str(SHARED_BR / "BR1.txt"),
        "--max-instances", "2",
        "--time-limit", "1",
        "--workers", "2",
        "--json", str(out),
    )  # fmt: skip
    assert code == 0, output
    doc = json.loads(out.read_text())
    assert [r["instance"] for r in doc["rows"]] == ["BR1-001", "BR1-002"]
    assert all(r["feasible"] for r in doc["rows"])
    # Greedy block building alone loads well over 80 % of these containers.
    assert all(r["utilisation_pct"] > 80.0 for r in doc["rows"])
    assert set(doc["summary"]["per_class"]) == {"BR1"}
