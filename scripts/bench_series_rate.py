"""Series per second per model family: our engine vs statsforecast directly, on 2 workers.

Issue 5 item 7. The same series go through (a) `supplymesh.planning.forecast.forecast` with a
local process pool of `--jobs` workers, (b) `StatsForecast(models=[...], n_jobs=--jobs)`
called directly, and (c) our engine's per-chunk work mapped over a Dask
`LocalCluster(--jobs workers, 1 thread each)` when `distributed` is importable. Wall-clock
seconds, so run it on an otherwise quiet machine (under `flock /tmp/supplymesh-bench.lock`)
and read the overhead ratio (ours / direct) rather than the absolute rates.

    .venv/bin/python scripts/bench_series_rate.py --series 120 --json out.json
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from supplymesh.cli.bench.forecast import _load
from supplymesh.planning.forecast.models import GLOBAL_MODELS
from supplymesh.planning.forecast.params import ForecastParams
from supplymesh.planning.forecast.problem import ForecastProblem, Series
from supplymesh.planning.forecast.solve import forecast

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "demand"

# family label, our model name, statsforecast constructor (None: no direct counterpart),
# data set, share of --series used (AutoARIMA is ~100x slower than the rest)
FAMILIES: list[tuple[str, str, Callable[[Any], Any] | None, str, float]] = [
    ("ETS", "AutoETS", lambda s: s.AutoETS(season_length=12), "m3", 1.0),
    ("Theta (DOTM)", "DOTM", lambda s: s.DynamicOptimizedTheta(season_length=12), "m3", 1.0),
    ("Theta (AutoTheta)", "AutoTheta", lambda s: s.AutoTheta(season_length=12), "m3", 1.0),
    ("ARIMA", "AutoARIMA", lambda s: s.AutoARIMA(season_length=12), "m3", 0.25),
    ("Croston", "CrostonClassic", lambda s: s.CrostonClassic(), "carparts", 1.0),
    ("ADIDA", "ADIDA", lambda s: s.ADIDA(), "carparts", 1.0),
    ("LightGBM (global)", "LightGBM", None, "m3", 1.0),
]


def _series(kind: str, n: int) -> tuple[list[Series], int]:
    data = _load(DATA / kind, None)
    if kind == "m3":
        cases = [c for c in data.cases if c.period == "MONTHLY"][:n]
        return [Series(c.id, c.train, 12) for c in cases], 18
    return [Series(c.id, c.train, 1) for c in data.cases[:n]], 12


def _direct(make: Callable[[Any], Any], series: list[Series], h: int, jobs: int) -> float:
    import statsforecast.models as sfm
    from statsforecast import StatsForecast

    df = pd.concat(
        pd.DataFrame({"unique_id": s.id, "ds": np.arange(s.values.size), "y": s.values})
        for s in series
    )
    model = make(sfm)
    level = None if type(model).__name__ in ("CrostonClassic", "ADIDA") else [80]
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        StatsForecast(models=[model], freq=1, n_jobs=jobs).forecast(df=df, h=h, level=level)
    return time.perf_counter() - t0


def _chunk(series: list[Series], h: int, name: str) -> int:
    """One Dask task: our engine on a chunk, in the worker process."""
    problem = ForecastProblem(tuple(series), h)
    forecast(problem, ForecastParams(models=(name,), auto=False, n_jobs=1))
    return len(series)


def _dask(client: Any, series: list[Series], h: int, name: str, jobs: int) -> float:
    size = -(-len(series) // (jobs * 4))
    chunks = [series[i : i + size] for i in range(0, len(series), size)]
    t0 = time.perf_counter()
    futures = client.map(_chunk, chunks, [h] * len(chunks), [name] * len(chunks), pure=False)
    assert sum(client.gather(futures)) == len(series)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=120)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()
    client = None
    if not args.no_dask:
        try:
            from distributed import Client, LocalCluster

            cluster = LocalCluster(n_workers=args.jobs, threads_per_worker=1, processes=True)  # type: ignore[no-untyped-call]
            client = Client(cluster)  # type: ignore[no-untyped-call]
        except ImportError:
            print("distributed not installed: no Dask column")
    rows = []
    print("family, model, series, ours/s, direct/s, overhead, dask/s")
    for label, name, make, kind, share in FAMILIES:
        series, h = _series(kind, max(8, int(args.series * share)))
        problem = ForecastProblem(tuple(series), h)
        # warm-up on 2 series, so compilation (numba) and imports are charged to neither side
        forecast(ForecastProblem(tuple(series[:2]), h), ForecastParams(models=(name,), auto=False))
        if make is not None:
            _direct(make, series[:2], h, 1)
        t0 = time.perf_counter()
        forecast(problem, ForecastParams(models=(name,), auto=False, n_jobs=args.jobs))
        ours = time.perf_counter() - t0
        direct = _direct(make, series, h, args.jobs) if make is not None else None
        # a global model trains across all series: splitting it over Dask chunks would train
        # a different model per chunk, so it has no Dask column
        local = name not in GLOBAL_MODELS
        dask = _dask(client, series, h, name, args.jobs) if client is not None and local else None
        n = len(series)
        row = {
            "family": label,
            "model": name,
            "data": kind,
            "series": n,
            "ours_series_per_s": n / ours,
            "direct_series_per_s": n / direct if direct else None,
            "overhead_ratio": ours / direct if direct else None,
            "dask_series_per_s": n / dask if dask else None,
        }
        rows.append(row)
        print(
            f"{label}, {name}, {n}, {n / ours:.1f}, "
            f"{f'{n / direct:.1f}' if direct else '-'}, "
            f"{f'{ours / direct:.2f}' if direct else '-'}, {f'{n / dask:.1f}' if dask else '-'}",
            flush=True,
        )
    if client is not None:
        client.close()  # type: ignore[no-untyped-call]
    if args.json:
        args.json.write_text(json.dumps({"jobs": args.jobs, "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
