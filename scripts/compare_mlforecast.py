"""Our direct LightGBM vs the same learner through mlforecast (recursive and direct).

Issue 5 item 1 names `mlforecast` + LightGBM; the library has both (`LightGBM`,
`MLForecast`). This reproduces the comparison table of `benchmarks/forecast.md` ("Round 3"):
each global model fitted on every frequency group of M3 (YEARLY, QUARTERLY, MONTHLY, OTHER)
and on carparts (series with gaps dropped, zero-scale ones excluded, last 12 months the
test), scored with the bench's own metrics. "transforms auto" = log-differences where every
history is positive (all of M3), per-series standard scaling otherwise (carparts). CPU
seconds of one process (`process_time`, one LightGBM thread), so a busy machine distorts it
less than wall time. A series a model cannot forecast gets its last value and is counted.

    .venv/bin/python scripts/compare_mlforecast.py --json out.json
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from supplymesh.cli.bench.forecast import _load
from supplymesh.planning.forecast import metrics
from supplymesh.planning.forecast.global_model import fit_predict_lightgbm
from supplymesh.planning.forecast.mlforecast_model import fit_predict_mlforecast

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "demand"
LEVELS = (0.1, 0.5, 0.9)

VARIANTS: dict[str, Callable[..., Any]] = {
    "ours (direct, window-scaled)": fit_predict_lightgbm,
    "mlforecast recursive (transforms auto)": lambda *a: fit_predict_mlforecast(
        *a, strategy="recursive"
    ),
    "mlforecast direct (transforms auto)": lambda *a: fit_predict_mlforecast(*a, strategy="direct"),
}


def _groups(kind: str) -> dict[str, list[Any]]:
    data = _load(DATA / kind, None)
    out: dict[str, list[Any]] = {}
    for c in data.cases:
        scale = metrics.mase_scale(c.train, c.season_length if kind == "m3" else 1)
        if scale > 0:
            out.setdefault(c.period, []).append((c, scale))
    return out


def compare(kind: str) -> list[dict[str, Any]]:
    """One row per variant and period (and ALL): sMAPE, MASE, fallbacks, CPU seconds."""
    rows = []
    groups = _groups(kind)
    for name, fit in VARIANTS.items():
        per: dict[str, list[tuple[float, float]]] = {}
        cpu, fallbacks = 0.0, 0
        for period, cases in groups.items():
            h = cases[0][0].test.size
            m = cases[0][0].season_length
            t0 = time.process_time()
            out = fit([c.train for c, _ in cases], m, h, LEVELS)
            cpu += time.process_time() - t0
            for (c, scale), f in zip(cases, out, strict=True):
                point = f.point if f is not None else np.full(h, c.train[-1])
                fallbacks += f is None
                per.setdefault(period, []).append(
                    (metrics.smape(point, c.test), metrics.mase(point, c.test, scale))
                )
        every = [s for scores in per.values() for s in scores]
        table = [*per.items(), *([("ALL", every)] if "ALL" not in per else [])]
        for period, scores in table:
            arr = np.asarray(scores)
            rows.append(
                {
                    "data": kind,
                    "variant": name,
                    "period": period,
                    "series": len(scores),
                    "smape": float(arr[:, 0].mean()),
                    "mase": float(arr[:, 1].mean()),
                    "fallbacks": fallbacks if period == "ALL" else None,
                    "cpu_seconds": round(cpu, 1) if period == "ALL" else None,
                }
            )
        print(f"{kind}: {name} done, {cpu:.1f} s CPU", flush=True)
    return rows


def main() -> None:
    """Run both data sets and print a Markdown table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path, help="write the rows here")
    ap.add_argument("--data", default="m3,carparts", help="comma-separated: m3, carparts")
    args = ap.parse_args()
    rows = [r for kind in args.data.split(",") for r in compare(kind.strip())]
    print("| data | variant | period | series | sMAPE | MASE | fallbacks | CPU s |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for r in rows:
        fb = "" if r["fallbacks"] is None else r["fallbacks"]
        cpu = "" if r["cpu_seconds"] is None else r["cpu_seconds"]
        print(
            f"| {r['data']} | {r['variant']} | {r['period']} | {r['series']} | "
            f"{r['smape']:.3f} | {r['mase']:.3f} | {fb} | {cpu} |"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
