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
from dataclasses import dataclass, replace

import numpy as np

from supplymesh.planning.forecast.global_model import fit_predict_lightgbm
from supplymesh.planning.forecast.metrics import smape
from supplymesh.planning.forecast.mlforecast_model import MLFORECAST, fit_predict_mlforecast
from supplymesh.planning.forecast.models import (
    GLOBAL_MODELS,
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
    names = [*params.models, *([AUTO] if params.auto else [])]
    seconds: dict[str, float] = {n: 0.0 for n in names}
    if params.auto and params.smooth_candidates:
        t0 = time.process_time()
        chosen, worker_seconds = _choose_smooth(problem, params)
        params = replace(params, smooth_auto=chosen, smooth_candidates=())
        # The validation fits run in the pool's workers: count their CPU too, or a
        # profile of `auto` misses most of what it costs.
        seconds[AUTO] += time.process_time() - t0 + worker_seconds
    levels = tuple(sorted({*problem.quantiles, MEDIAN}))
    pre = _global_forecasts(series, problem.horizon, levels, params, seconds)
    jobs = min(params.n_jobs, max(1, len(series) // 8))
    if jobs <= 1:
        parts = [_run_chunk(series, problem.horizon, problem.quantiles, params, pre)]
    else:
        # Small chunks (16 per worker): a series' cost varies 10x (AutoARIMA on a long
        # monthly history), so big chunks left one worker busy alone at the end.
        size = max(4, -(-len(series) // (jobs * 16)))
        chunks = [series[i : i + size] for i in range(0, len(series), size)]
        pres = [pre[i : i + size] for i in range(0, len(series), size)]
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            parts = list(
                pool.map(
                    _run_chunk,
                    chunks,
                    [problem.horizon] * len(chunks),
                    [problem.quantiles] * len(chunks),
                    [params] * len(chunks),
                    pres,
                )
            )
    forecasts: dict[str, list[SeriesForecast]] = {n: [] for n in names}
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


def _needed_globals(params: ForecastParams) -> list[str]:
    named = [*params.models, *([params.smooth_auto] if params.auto else [])]
    members: set[str] = set()
    for name in named:
        combo = parse_combination(name)
        members.update(combo[1] if combo else (name,))
    return [g for g in GLOBAL_MODELS if g in members]


def _global_forecasts(
    series: Sequence[Series],
    horizon: int,
    levels: tuple[float, ...],
    params: ForecastParams,
    seconds: dict[str, float],
) -> list[dict[str, ModelForecast | None]]:
    """Fit the global models the params need, once per season length, in this process.

    Their forecasts seed each series' cache, so rows and combinations use them like any
    per-series model's.
    """
    pre: list[dict[str, ModelForecast | None]] = [{} for _ in series]
    for name in _needed_globals(params):
        t0 = time.process_time()
        for m in sorted({s.season_length for s in series}):
            idx = [i for i, s in enumerate(series) if s.season_length == m]
            tables = [series[i].exogenous for i in idx]
            fit_predict = fit_predict_mlforecast if name == MLFORECAST else fit_predict_lightgbm
            out = fit_predict(
                [series[i].values for i in idx],
                m,
                horizon,
                levels,
                # One thread: the pool is idle meanwhile, but OpenMP threads spin on a
                # busy machine and burned 5x the CPU of one thread in the round-2 bench.
                threads=1,
                exogenous=[t for t in tables if t is not None]
                if all(t is not None for t in tables)
                else None,
            )
            for i, f in zip(idx, out, strict=True):
                pre[i][name] = f
        if name in seconds:
            seconds[name] += time.process_time() - t0
        elif AUTO in seconds:
            seconds[AUTO] += time.process_time() - t0
    return pre


def choose_smooth(problem: ForecastProblem, params: ForecastParams) -> str:
    """The smooth candidate with the lowest mean sMAPE one horizon inside the histories.

    Every series at least two horizons long is cut `horizon` periods short; each candidate
    forecasts the cut histories and is scored on the cut-off periods, pooled over series
    where every candidate could forecast. The test values of a benchmark are never seen:
    only `problem`'s histories are. `params.smooth_auto` when nothing can be scored.
    """
    return _choose_smooth(problem, params)[0]


def _choose_smooth(problem: ForecastProblem, params: ForecastParams) -> tuple[str, float]:
    """`choose_smooth`, and the CPU seconds its pool workers spent (0 when run in-process)."""
    h = problem.horizon
    cut = tuple(
        Series(
            s.id,
            s.values[:-h],
            s.season_length,
            s.exogenous[:-h] if s.exogenous is not None else None,
        )
        for s in problem.series
        if s.values.size >= 2 * h and not is_intermittent(s.values, params.intermittent_adi)
    )
    if not cut:
        return params.smooth_auto, 0.0
    members: list[str] = []
    for name in params.smooth_candidates:
        combo = parse_combination(name)
        for m in combo[1] if combo else (name,):
            if m not in members:
                members.append(m)
    sub = replace(params, models=tuple(members), auto=False, smooth_candidates=())
    t0 = time.process_time()
    res = forecast(ForecastProblem(cut, h, problem.quantiles), sub)
    in_process = time.process_time() - t0
    worker_seconds = max(0.0, sum(res.seconds.values()) - in_process)
    actual = {s.id: s.values[-h:] for s in problem.series}
    ok = [i for i in range(len(cut)) if all(res.of(m)[i].fallback_reason is None for m in members)]
    if not ok:
        return params.smooth_auto, worker_seconds
    best, best_score = params.smooth_auto, float("inf")
    for name in params.smooth_candidates:
        combo = parse_combination(name)
        errors = []
        for i in ok:
            points = [res.of(m)[i].point for m in (combo[1] if combo else (name,))]
            how = combo[0] if combo else "mean"
            point = np.mean(points, axis=0) if how == "mean" else np.median(points, axis=0)
            errors.append(smape(np.clip(point, 0.0, None), actual[cut[i].id]))
        score = float(np.mean(errors))
        if score < best_score:
            best, best_score = name, score
    return best, worker_seconds


def _run_chunk(
    series: Sequence[Series],
    horizon: int,
    quantiles: tuple[float, ...],
    params: ForecastParams,
    pre: Sequence[dict[str, ModelForecast | None]] | None = None,
) -> _Chunk:
    """Forecast a chunk of series in this process (the unit of work of the pool)."""
    load_backend()
    levels = tuple(sorted({*quantiles, MEDIAN}))
    keep = [levels.index(q) for q in quantiles]
    names = [*params.models, *([AUTO] if params.auto else [])]
    out: dict[str, list[SeriesForecast]] = {n: [] for n in names}
    seconds = {n: 0.0 for n in names}
    for k, s in enumerate(series):
        cache: dict[str, ModelForecast | None] = dict(pre[k]) if pre else {}
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
    elif name in GLOBAL_MODELS or s.values.size < min_length(name, s.season_length):
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
