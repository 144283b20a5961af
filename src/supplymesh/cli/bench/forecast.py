"""`supplymesh bench forecast DIR`: every model of the library and `auto` on M3 or carparts data.

Follows CONTRACTS.md ("Bench contract" → `forecast`) to the letter: M3-format JSON (each
series' horizon `h` and hold-out `xx`) or carparts-format CSV (the last 12 months are the
test), detected by content; one row per model and period with sMAPE, MASE, SPL90 and
coverage90; the summary compares `auto` with the best baseline row.
"""

from __future__ import annotations

import csv
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from supplymesh.cli.bench.common import MalformedInstance, emit, fail, find_instances

if TYPE_CHECKING:
    from supplymesh.planning.forecast.problem import FloatArray

M3_SEASON = {"YEARLY": 1, "QUARTERLY": 4, "MONTHLY": 12, "OTHER": 1}
M3_PERIODS = ("YEARLY", "QUARTERLY", "MONTHLY", "OTHER")
CARPARTS_TEST = 12
LEVEL = 0.9
COLUMNS = ("period", "model", "series", "smape", "mase", "spl90", "coverage90", "fallbacks")


@dataclass
class _Case:
    """One series of the bench: history, hold-out, seasonality for the models and the scale."""

    id: str
    period: str
    train: FloatArray
    test: FloatArray
    season_length: int


@dataclass
class _Data:
    kind: str  # "m3" | "carparts"
    cases: list[_Case] = field(default_factory=list)
    dropped_incomplete: int = 0


def register(app: typer.Typer) -> None:
    """Add `forecast` to the bench app."""
    app.command("forecast")(forecast_bench)


def forecast_bench(
    directory: Annotated[Path, typer.Argument(help="Folder (or file) of M3 JSON or carparts CSV")],
    max_instances: Annotated[
        int | None, typer.Option("--max-instances", help="First N series per file, sorted by id")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Unused: every model is deterministic")] = 1,
    json_file: Annotated[Path | None, typer.Option("--json", help="Write the JSON here")] = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Ignored: the models have no time limit")
    ] = 60.0,
    models: Annotated[
        str | None,
        typer.Option(
            "--models",
            help="Comma-separated library models or mean[A+B]/median[A+B] combinations "
            "(default: every single model)",
        ),
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", help="Worker processes over series")] = 2,
) -> None:
    """Fit every library model and the automatic choice; print the accuracy side by side."""
    import numpy as np

    from supplymesh.planning.forecast.models import GLOBAL_MODELS, LIBRARY
    from supplymesh.planning.forecast.params import ForecastParams

    started = time.perf_counter()
    typer.echo(
        f"note: --time-limit {time_limit:g} is ignored by `bench forecast` (no per-series "
        f"limit); --seed {seed} is unused (deterministic models)",
        err=True,
    )
    every = (*LIBRARY, *GLOBAL_MODELS)
    names = tuple(m.strip() for m in models.split(",") if m.strip()) if models else every
    if max_instances is not None and max_instances < 1:
        fail("--max-instances must be >= 1")
    try:
        data = _load(directory, max_instances)
    except MalformedInstance as exc:
        fail(str(exc))
        return
    if not data.cases:
        fail(f"no M3 JSON or carparts CSV series found under {directory}")
    members = [m for m in ("AutoETS", "DOTM", "AutoCES", "AutoARIMA") if m in names]
    smooth = (
        "median[" + "+".join(members) + "]" if len(members) >= 2 else "median[AutoETS+DOTM+AutoCES]"
    )
    try:
        params = ForecastParams(
            models=names,
            smooth_auto=smooth,
            smooth_candidates=smooth_candidates(names),
            n_jobs=max(1, jobs),
        )
    except ValueError as exc:
        fail(str(exc))
        return
    rows, summary = _evaluate(data, params, np)
    summary["seconds"] = round(time.perf_counter() - started, 1)
    summary["time_limit"] = "ignored"
    summary["seed"] = seed
    emit(summary, rows, json_file, COLUMNS)


CANDIDATE_MEMBERS = ("AutoETS", "DOTM", "AutoCES", "AutoTheta", "LightGBM", "MLForecast")
"""What `auto` may combine for smooth series: the strong, affordable models. AutoARIMA is
left out because choosing by validation would fit it twice (it is 80% of the M3 CPU). The
two global LightGBMs (ours: direct, window-scaled; mlforecast's: recursive on
log-differences) err differently, and validation picks both together where that helps."""


def smooth_candidates(names: tuple[str, ...]) -> tuple[str, ...]:
    """Every member alone, and the mean (and, from three up, the median) of every subset.

    `auto` takes the one with the lowest sMAPE one horizon inside the histories, per
    frequency group (each group is one `forecast` call): chosen on training data only.
    """
    import itertools

    members = [m for m in CANDIDATE_MEMBERS if m in names]
    out: list[str] = []
    for r in range(1, len(members) + 1):
        for subset in itertools.combinations(members, r):
            if r == 1:
                out.append(subset[0])
                continue
            out.append("mean[" + "+".join(subset) + "]")
            if r >= 3:
                out.append("median[" + "+".join(subset) + "]")
    return tuple(out)


def _load(directory: Path, max_instances: int | None) -> _Data:
    """Read every M3 JSON / carparts CSV under `directory`; other files are skipped."""
    import numpy as np

    files = find_instances(directory, lambda p: p.suffix.lower() in (".json", ".csv"))
    found: dict[str, _Data] = {}
    for path in files:
        if path.suffix.lower() == ".json":
            cases = _read_m3(path, max_instances, np)
            if cases is not None:
                found.setdefault("m3", _Data("m3")).cases.extend(cases)
        else:
            read = _read_carparts(path, max_instances, np)
            if read is not None:
                d = found.setdefault("carparts", _Data("carparts"))
                d.cases.extend(read[0])
                d.dropped_incomplete += read[1]
    if len(found) > 1:
        raise MalformedInstance(
            directory, "holds both M3 JSON and carparts CSV; bench one at a time"
        )
    return next(iter(found.values()), _Data("m3"))


def _one(value: Any) -> Any:
    """M3 JSON wraps scalars in one-element lists (as in the R source)."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _read_m3(path: Path, limit: int | None, np: Any) -> list[_Case] | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedInstance(path, f"not readable JSON ({exc})") from exc
    if not isinstance(doc, dict) or not all(
        isinstance(v, dict) and "x" in v and "xx" in v for v in doc.values()
    ):
        return None  # some other JSON: not an instance of this bench
    cases = []
    for sid in sorted(doc)[:limit]:
        rec = doc[sid]
        period = str(_one(rec.get("period", "OTHER"))).upper()
        if period not in M3_SEASON:
            raise MalformedInstance(path, f"series {sid}: unknown period {period!r}")
        try:
            train = np.asarray(rec["x"], dtype=np.float64)
            test = np.asarray(rec["xx"], dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise MalformedInstance(path, f"series {sid}: non-numeric value ({exc})") from exc
        h = int(_one(rec.get("h", test.size)))
        if test.size != h or train.size == 0:
            raise MalformedInstance(path, f"series {sid}: {test.size} test values for h={h}")
        cases.append(_Case(sid, period, train, test, M3_SEASON[period]))
    return cases


def _read_carparts(path: Path, limit: int | None, np: Any) -> tuple[list[_Case], int] | None:
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            table = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise MalformedInstance(path, f"not readable CSV ({exc})") from exc
    if len(table) < 2 or len(table[0]) < CARPARTS_TEST + 3:
        return None
    if not all(_numeric_or_empty(c) for c in table[1][1:]):
        return None  # a CSV of another kind (bks.csv-like tables): not ours
    rows = sorted((r for r in table[1:] if r and r[0].strip()), key=lambda r: r[0].strip())
    cases, dropped = [], 0
    width = len(table[0])
    for line_no, row in enumerate(rows[:limit], start=2):
        sid = row[0].strip()
        cells = [c.strip() for c in row[1:]]
        if len(row) != width:
            raise MalformedInstance(path, f"series {sid}: {len(row)} cells, header has {width}")
        if any(c == "" for c in cells):
            dropped += 1
            continue
        try:
            values = np.asarray([float(c) for c in cells], dtype=np.float64)
        except ValueError as exc:
            raise MalformedInstance(path, f"series {sid} (row {line_no}): {exc}") from exc
        cases.append(_Case(sid, "ALL", values[:-CARPARTS_TEST], values[-CARPARTS_TEST:], 1))
    return cases, dropped


def _numeric_or_empty(cell: str) -> bool:
    if not cell.strip():
        return True
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _evaluate(data: _Data, params: Any, np: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Forecast every group, score every model per period and overall, build the summary."""
    from supplymesh.planning.forecast import metrics
    from supplymesh.planning.forecast.problem import ForecastProblem, Series
    from supplymesh.planning.forecast.solve import AUTO, forecast

    scored = []
    zero_scale = 0
    for c in data.cases:
        scale = metrics.mase_scale(c.train, c.season_length if data.kind == "m3" else 1)
        if scale > 0:
            scored.append((c, scale))
        else:
            zero_scale += 1
    groups: dict[tuple[str, int], list[tuple[_Case, float]]] = {}
    for c, scale in scored:
        groups.setdefault((c.period, c.test.size), []).append((c, scale))
    names = [*params.models, AUTO]
    per: dict[str, dict[str, list[tuple[float, float, float, float]]]] = {}
    fallbacks: dict[str, dict[str, int]] = {}
    cpu: dict[str, float] = dict.fromkeys(names, 0.0)
    used: dict[str, dict[str, int]] = {}
    quantiles = (0.1, 0.5, LEVEL)
    for (period, h), members in sorted(groups.items()):
        problem = ForecastProblem(
            tuple(Series(c.id, c.train, c.season_length) for c, _ in members), h, quantiles
        )
        result = forecast(problem, params)
        for f in result.of(AUTO):
            used.setdefault(period, {}).setdefault(f.used, 0)
            used[period][f.used] += 1
        for name in names:
            cpu[name] += result.seconds[name]
            for (c, scale), f in zip(members, result.of(name), strict=True):
                upper = f.quantiles[quantiles.index(LEVEL)]
                score = (
                    metrics.smape(f.point, c.test),
                    metrics.mase(f.point, c.test, scale),
                    metrics.spl(LEVEL, upper, c.test, scale),
                    metrics.coverage(upper, c.test),
                )
                per.setdefault(period, {}).setdefault(name, []).append(score)
                if f.fallback_reason is not None:
                    fallbacks.setdefault(period, {}).setdefault(name, 0)
                    fallbacks[period][name] += 1
    periods = [p for p in M3_PERIODS if p in per] if data.kind == "m3" else []
    rows: list[dict[str, Any]] = []
    for period in [*periods, "ALL"]:
        for name in names:
            if period == "ALL":
                scores = [s for p in per for s in per[p].get(name, [])]
                n_fb = sum(fb.get(name, 0) for fb in fallbacks.values())
            else:
                scores = per[period][name]
                n_fb = fallbacks.get(period, {}).get(name, 0)
            arr = np.asarray(scores, dtype=np.float64).reshape(-1, 4)
            means = [float(v) for v in arr.mean(axis=0)] if len(scores) else [math.nan] * 4
            rows.append(
                {
                    "period": period,
                    "model": name,
                    "series": len(scores),
                    "smape": means[0],
                    "mase": means[1],
                    "spl90": means[2],
                    "coverage90": means[3],
                    "fallbacks": n_fb,
                }
            )
    primary = "smape" if data.kind == "m3" else "mase"
    overall = {r["model"]: r[primary] for r in rows if r["period"] == "ALL"}
    baselines = {k: v for k, v in overall.items() if k != AUTO}
    best = min(baselines, key=lambda k: baselines[k]) if baselines else None
    best_value = baselines[best] if best is not None else None
    auto_value = overall[AUTO]
    improvement = (
        100.0 * (best_value - auto_value) / best_value if best_value not in (None, 0.0) else None
    )
    summary: dict[str, Any] = {
        "format": data.kind,
        "primary_metric": primary,
        "best_baseline": best,
        "best_baseline_value": best_value,
        "auto_value": auto_value,
        "improvement_pct": improvement,
        "series": len(scored),
        "dropped_incomplete": data.dropped_incomplete,
        "excluded_zero_scale": zero_scale,
        "fallbacks": sum(sum(fb.values()) for fb in fallbacks.values()),
        "models": list(params.models),
        "auto": {
            "smooth": params.smooth_auto,
            "intermittent": list(params.intermittent_candidates),
            "smooth_candidates": len(params.smooth_candidates),
            "used": {
                p: dict(sorted(u.items(), key=lambda kv: -kv[1])[:3]) for p, u in used.items()
            },
        },
        "jobs": params.n_jobs,
        "cpu_seconds": {k: round(v, 2) for k, v in cpu.items()},
    }
    return rows, summary
