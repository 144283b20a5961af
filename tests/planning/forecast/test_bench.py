"""`supplymesh bench forecast` end to end on tiny M3-format and carparts-format files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from supplymesh.cli.bench.forecast import register

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "demand"
MODELS = "Naive,AutoETS,DOTM,AutoCES,TSB,IMAPA"


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Bench group, as under `supplymesh bench`."""

    register(app)
    return app


def _run(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(_app(), ["forecast", *args, "--jobs", "1", "--models", MODELS])
    assert result.exit_code == 0, result.output
    doc: dict[str, object] = json.loads(result.stdout) if "-" in args else {}
    return doc


def _write_m3(path: Path) -> None:
    rng = np.random.default_rng(5)
    doc = {}
    for i, (period, n, h) in enumerate([("YEARLY", 20, 6), ("MONTHLY", 48, 18)] * 2):
        t = np.arange(n + h)
        y = 100 + 2 * t + (10 * np.sin(2 * np.pi * t / 12) if period == "MONTHLY" else 0)
        y = y + rng.normal(0, 3, n + h)
        doc[f"N{i:04d}"] = {
            "sn": [f"N{i:04d}"],
            "period": [period],
            "n": [n],
            "h": [h],
            "x": [round(v, 2) for v in y[:n]],
            "xx": [round(v, 2) for v in y[n:]],
        }
    path.write_text(json.dumps(doc), encoding="utf-8")


def _write_carparts(path: Path) -> None:
    rng = np.random.default_rng(6)
    header = "Part," + ",".join(f"m{i}" for i in range(30))
    lines = [header]
    for i in range(5):
        lines.append(f"P{i}," + ",".join(str(v) for v in rng.poisson(0.6, 30)))
    lines.append("GAPS," + ",".join(["1", "0"] * 10 + [""] * 10))  # dropped: empty cells
    lines.append("FLAT," + ",".join(["0"] * 18 + ["2"] * 12))  # excluded: zero in-sample scale
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_m3_rows_per_period_and_summary(tmp_path: Path) -> None:
    _write_m3(tmp_path / "m3_tiny.json")
    (tmp_path / "README.md").write_text("ignored", encoding="utf-8")
    doc = _run(str(tmp_path), "--json", "-")
    rows = doc["rows"]
    assert isinstance(rows, list)
    assert {(r["period"], r["model"]) for r in rows} >= {("YEARLY", "auto"), ("ALL", "AutoETS")}
    assert {r["period"] for r in rows} == {"YEARLY", "MONTHLY", "ALL"}
    for r in rows:
        assert {"smape", "mase", "spl90", "coverage90"} <= set(r)
    s = doc["summary"]
    assert isinstance(s, dict)
    assert s["primary_metric"] == "smape" and s["series"] == 4
    overall = {r["model"]: r["smape"] for r in rows if r["period"] == "ALL"}
    best = min((m for m in overall if m != "auto"), key=lambda m: overall[m])
    assert s["best_baseline"] == best and s["best_baseline_value"] == overall[best]
    assert s["auto_value"] == overall["auto"]
    expected = 100 * (overall[best] - overall["auto"]) / overall[best]
    assert s["improvement_pct"] == pytest.approx(expected)


def test_carparts_drops_gaps_and_zero_scale_and_uses_mase(tmp_path: Path) -> None:
    _write_carparts(tmp_path / "parts.csv")
    doc = _run(str(tmp_path), "--json", "-", "--max-instances", "7")
    s = doc["summary"]
    assert isinstance(s, dict)
    assert s["primary_metric"] == "mase"
    assert (s["series"], s["dropped_incomplete"], s["excluded_zero_scale"]) == (5, 1, 1)
    rows = doc["rows"]
    assert isinstance(rows, list) and {r["period"] for r in rows} == {"ALL"}
    assert s["time_limit"] == "ignored"


def test_malformed_input_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(_app(), ["forecast", str(tmp_path)])
    assert result.exit_code != 0 and "broken.json" in result.output


def test_shared_m3_first_series(tmp_path: Path) -> None:
    if not (SHARED / "m3").exists():
        pytest.skip(f"shared data absent: {SHARED / 'm3'}")
    _run(str(SHARED / "m3"), "--max-instances", "3", "--json", str(tmp_path / "out.json"))
    s = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["summary"]
    assert s["series"] == 3 and s["format"] == "m3"


def test_auto_candidates_are_subsets_of_the_strong_members_in_the_run() -> None:
    from supplymesh.cli.bench.forecast import smooth_candidates

    got = smooth_candidates(("Naive", "AutoETS", "DOTM", "AutoCES"))
    assert "AutoETS" in got and "mean[AutoETS+DOTM]" in got
    assert "median[AutoETS+DOTM+AutoCES]" in got
    assert "median[AutoETS+DOTM]" not in got  # a median of two is their mean
    assert not any("Naive" in c or "AutoARIMA" in c for c in got)
    assert len(got) == 3 + 3 + 2  # singles, pair means, the triple's mean and median
