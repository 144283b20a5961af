"""Read the JSON that `supplymesh bench forecast|replenish --json FILE` writes, for the charts.

Planners judge a model by how it fared against the simple ones on the same series, so the
planning pages chart the benchmark files kept under ``<home>/benchmarks/results`` (where the
project records its figures; a deployment drops its own runs there). Only the two contract
shapes are read (CONTRACTS.md, "Bench contract"); any other or unreadable file is listed with
the reason instead of breaking the page. Files are chosen by name from the folder's own
listing, never by a path from the request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Kind = Literal["forecast", "replenish"]


@dataclass(frozen=True)
class ForecastBench:
    """One `bench forecast` run: the primary metric of every model over all series."""

    name: str
    data_format: str
    metric: str
    series: int
    models: list[str]
    values: list[float]
    best_single: str
    best_single_value: float
    auto_value: float
    improvement_pct: float


@dataclass(frozen=True)
class ReplenishBench:
    """One `bench replenish` run: mean costs per policy, ours beside the references."""

    name: str
    pairs: int
    policies: list[str]
    kinds: list[str]
    holding: list[float]
    stockout: list[float]
    total: list[float]


@dataclass(frozen=True)
class BenchFolder:
    forecast: list[ForecastBench] = field(default_factory=list)
    replenish: list[ReplenishBench] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)  # file name → why


def results_dir(home: Path) -> Path:
    return home / "benchmarks" / "results"


def read_folder(folder: Path) -> BenchFolder:
    """Every forecast and replenish bench file in ``folder``, most recently written last."""
    found = BenchFolder()
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.json"), key=lambda p: (int(p.stat().st_mtime), p.name)):
        if not (path.name.startswith("forecast-") or path.name.startswith("replenish-")):
            continue
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            parsed = _parse(path.name, doc)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            found.unreadable[path.name] = f"{type(exc).__name__}: {exc}"
            continue
        if isinstance(parsed, ForecastBench):
            found.forecast.append(parsed)
        elif isinstance(parsed, ReplenishBench):
            found.replenish.append(parsed)
    return found


def _parse(name: str, doc: Any) -> ForecastBench | ReplenishBench | None:
    if not isinstance(doc, dict) or "summary" not in doc or "rows" not in doc:
        return None  # another script's output (series/s, comparisons): not charted here
    summary, rows = doc["summary"], doc["rows"]
    if "primary_metric" in summary:
        metric = str(summary["primary_metric"])
        overall = [r for r in rows if r.get("period") == "ALL"]
        if not overall:
            raise ValueError("no rows over all series (period ALL)")
        return ForecastBench(
            name=name,
            data_format=str(summary.get("format", "")),
            metric=metric,
            series=int(summary.get("series", overall[0].get("series", 0))),
            models=[str(r["model"]) for r in overall],
            values=[float(r[metric]) for r in overall],
            best_single=str(summary["best_baseline"]),
            best_single_value=float(summary["best_baseline_value"]),
            auto_value=float(summary["auto_value"]),
            improvement_pct=float(summary["improvement_pct"]),
        )
    if rows and "policy" in rows[0]:
        return ReplenishBench(
            name=name,
            pairs=int(summary.get("pairs", 0)),
            policies=[str(r["policy"]) for r in rows],
            kinds=[str(r.get("kind", "")) for r in rows],
            holding=[float(r["holding_cost"]) for r in rows],
            stockout=[float(r["stockout_cost"]) for r in rows],
            total=[float(r["total_cost"]) for r in rows],
        )
    return None
