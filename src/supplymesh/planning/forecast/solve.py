"""`forecast(problem, params)`: every requested model and the automatic choice, per series.

Series are independent, so they are split into chunks over a local process pool
(`params.n_jobs`). A model that cannot forecast a series (too short, failed fit, non-finite
output) is replaced by `params.fallback` and the replacement is reported; bad input
(missing values, negative demand) raises `InvalidSeries` naming the series before any work.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from supplymesh.planning.forecast.models import (
    ModelFailed,
    ModelForecast,
    build,
    combine,
    load_backend,
    min_length,
    parse_combination,
)
from supplymesh.planning.forecast.params import ForecastParams
from supplymesh.planning.forecast.problem import ForecastProblem, Series
from supplymesh.planning.forecast.result import Fallback, ForecastResult, SeriesForecast
from supplymesh.planning.forecast.select import MEDIAN, choose_intermittent, is_intermittent

AUTO = "auto"
LAST_VALUE = "LastValue"


def forecast(problem: ForecastProblem, params: ForecastParams | None = None) -> ForecastResult:
    """Forecast every series of `problem` with every model of `params` and ``auto``.

    Parameters
    ----------
    problem
        Series, horizon (periods) and quantile levels.
    params
        Models, automatic choice, fallback and parallelism; default `ForecastParams()`.

    Returns
    -------
    ForecastResult
        Per model (and ``auto``) one `SeriesForecast` per series in problem order, the
        fallbacks used, and CPU seconds per model.

    Raises
    ------
    InvalidSeries
        A series is empty, has a missing value or a negative value; names the series.
    """
    params = params or ForecastParams()
    for s in problem.series:
        s.check()
    series = problem.series
    jobs = min(params.n_jobs, max(1, len(series) // 8))
    if jobs <= 1:
        parts = [_run_chunk(series, problem.horizon, problem.quantiles, params)]
    else:
        size = -(-len(series) // (jobs * 4))
        chunks = [series[i : i + size] for i in range(0, len(series), size)]
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            parts = list(
                pool.map(
                    _run_chunk,
                    chunks,
                    [problem.horizon] * len(chunks),
                    [problem.quantiles] * len(chunks),
                    [params] * len(chunks),
                )
            )
    names = [*params.models, *([AUTO] if params.auto else [])]
    forecasts: dict[str, list[SeriesForecast]] = {n: [] for n in names}
    seconds: dict[str, float] = {n: 0.0 for n in names}
    for part in parts:
        for name in names:
            forecasts[name].extend(part.forecasts[name])
            seconds[name] += part.seconds[name]
    fallbacks = tuple(
        Fallback(f.series_id, f.model, f.used, f.fallback_reason)
        for name in names
        for f in forecasts[name]
        if f.fallback_reason is not None
    )
    return ForecastResult(
        problem.quantiles, {n: tuple(v) for n, v in forecasts.items()}, fallbacks, seconds
    )


@dataclass(frozen=True)
class _Chunk:
    forecasts: dict[str, list[SeriesForecast]]
    seconds: dict[str, float]


def _run_chunk(
    series: Sequence[Series], horizon: int, quantiles: tuple[float, ...], params: ForecastParams
) -> _Chunk:
    """Forecast a chunk of series in this process (the unit of work of the pool)."""
    load_backend()
    levels = tuple(sorted({*quantiles, MEDIAN}))
    keep = [levels.index(q) for q in quantiles]
    names = [*params.models, *([AUTO] if params.auto else [])]
    out: dict[str, list[SeriesForecast]] = {n: [] for n in names}
    seconds = {n: 0.0 for n in names}
    for s in series:
        cache: dict[str, ModelForecast | None] = {}
        for name in params.models:
            t0 = time.process_time()
            out[name].append(_one(s, name, horizon, levels, keep, params, cache))
            seconds[name] += time.process_time() - t0
        if params.auto:
            t0 = time.process_time()
            out[AUTO].append(_auto(s, horizon, levels, keep, params, cache))
            seconds[AUTO] += time.process_time() - t0
    return _Chunk(out, seconds)


def _try(
    s: Series,
    name: str,
    horizon: int,
    levels: Sequence[float],
    cache: dict[str, ModelForecast | None],
) -> ModelForecast | None:
    """The model's forecast of `s`, or None when it cannot; memoised per series.

    Combinations reuse members already fitted for this series, so ``auto`` costs little
    beyond the rows it combines.
    """
    if name in cache:
        return cache[name]
    result: ModelForecast | None
    combo = parse_combination(name)
    if combo is not None:
        parts = [_try(s, m, horizon, levels, cache) for m in combo[1]]
        ok = [p for p in parts if p is not None]
        result = combine(ok, combo[0]) if len(ok) == len(parts) else None
    elif s.values.size < min_length(name, s.season_length):
        result = None
    else:
        try:
            result = build(name, s.season_length).fit(s.values).predict(horizon, levels)
        except ModelFailed:
            result = None
    cache[name] = result
    return result


def _why(s: Series, name: str) -> str:
    need = min_length(name, s.season_length)
    if s.values.size < need:
        return f"{name} needs at least {need} observations, series {s.id!r} has {s.values.size}"
    return f"{name} failed on series {s.id!r}"


def _fallback(
    s: Series,
    horizon: int,
    levels: Sequence[float],
    params: ForecastParams,
    cache: dict[str, ModelForecast | None],
) -> tuple[str, ModelForecast]:
    f = _try(s, params.fallback, horizon, levels, cache)
    if f is not None:
        return params.fallback, f
    last = np.full(horizon, float(s.values[-1]))
    return LAST_VALUE, ModelForecast(last, np.tile(last, (len(levels), 1)))


def _one(
    s: Series,
    name: str,
    horizon: int,
    levels: Sequence[float],
    keep: list[int],
    params: ForecastParams,
    cache: dict[str, ModelForecast | None],
) -> SeriesForecast:
    f = _try(s, name, horizon, levels, cache)
    if f is not None:
        return SeriesForecast(s.id, name, name, f.point, f.quantiles[keep])
    used, f = _fallback(s, horizon, levels, params, cache)
    return SeriesForecast(s.id, name, used, f.point, f.quantiles[keep], _why(s, name))


def _auto(
    s: Series,
    horizon: int,
    levels: Sequence[float],
    keep: list[int],
    params: ForecastParams,
    cache: dict[str, ModelForecast | None],
) -> SeriesForecast:
    """The automatic choice for one series (see `select`)."""
    if is_intermittent(s.values, params.intermittent_adi):
        chosen = choose_intermittent(
            s.values,
            params.intermittent_candidates,
            s.season_length,
            params.backtest_windows,
            lambda n: _try(s, n, horizon, levels, cache),
            levels,
        )
        if chosen is not None:
            used, f = chosen
            return SeriesForecast(s.id, AUTO, used, f.point, f.quantiles[keep])
        target = "+".join(params.intermittent_candidates)
    else:
        target = params.smooth_auto
        f0 = _try(s, target, horizon, levels, cache)
        if f0 is not None:
            return SeriesForecast(s.id, AUTO, target, f0.point, f0.quantiles[keep])
    used, f = _fallback(s, horizon, levels, params, cache)
    reason = f"auto ({target}) could not forecast series {s.id!r}"
    return SeriesForecast(s.id, AUTO, used, f.point, f.quantiles[keep], reason)
