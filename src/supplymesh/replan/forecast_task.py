"""The per-series work of a forecast run, shipped to pool or Dask workers.

Each series is forecast by a few candidates from the default model set (AutoARIMA is left
out: it costs ten times the rest) and by the engine's automatic choice; the candidate with
the least absolute error of its median over rolling origins of the history wins (Tashman
2000). A series flagged as bad by `series` is forecast by the fallback model only.
Everything here takes and returns plain values so that it pickles cheaply.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from supplymesh.planning.forecast.params import ForecastParams
from supplymesh.planning.forecast.problem import ForecastProblem, Series
from supplymesh.planning.forecast.result import ForecastResult
from supplymesh.planning.forecast.select import backtest_losses
from supplymesh.planning.forecast.solve import AUTO, forecast

CANDIDATES = ("SeasonalNaive", "AutoETS", "AutoTheta")
FALLBACK_MODEL = "ADIDA"
BACKTEST_LEVELS = (0.1, 0.5, 0.9)
BACKTEST_WINDOWS = 2
SEASON_LENGTH = 7  # daily demand, weekly cycle


@dataclass(frozen=True)
class SeriesTask:
    """One series to forecast; `levels` strictly increasing, containing 0.5."""

    key: str
    values: np.ndarray
    horizon: int
    levels: tuple[float, ...]
    season_length: int
    fallback_only: bool


@dataclass(frozen=True)
class SeriesOutcome:
    """Quantile rows (levels × horizon) of the chosen model, and what happened."""

    key: str
    model: str
    quantiles: np.ndarray
    note: str | None


GLOBAL_MODEL = "LightGBM"
GLOBAL_FALLBACK = "SeasonalNaive"


def forecast_global(
    inputs: list[tuple[str, np.ndarray, np.ndarray]], horizon: int, levels: tuple[float, ...]
) -> list[SeriesOutcome]:
    """One global LightGBM over every (key, history, regressors) together, in this process.

    A global model learns from all series at once, so it cannot be cut into per-series
    tasks; it trains on one core in the caller's process. A series it cannot forecast (no
    scale in its last window) gets the seasonal naive model, reported as the fallback.
    """
    if not inputs:
        return []
    series = tuple(Series(k, y, SEASON_LENGTH, exogenous=x) for k, y, x in inputs)
    params = ForecastParams(models=(GLOBAL_MODEL,), auto=False, fallback=GLOBAL_FALLBACK)
    result = forecast(ForecastProblem(series, horizon, levels), params)
    return [
        SeriesOutcome(f.series_id, f.used, f.quantiles, f.fallback_reason)
        for f in result.of(GLOBAL_MODEL)
    ]


def forecast_tasks(tasks: list[SeriesTask]) -> list[SeriesOutcome]:
    """Forecast every task in this process (the unit a worker runs)."""
    return [_one(t) for t in tasks]


def _params(models: tuple[str, ...], auto: bool) -> ForecastParams:
    return ForecastParams(models=models, auto=auto, fallback="Naive", n_jobs=1)


def _one(task: SeriesTask) -> SeriesOutcome:
    series = Series(task.key, task.values, task.season_length)
    problem = ForecastProblem((series,), task.horizon, task.levels)
    if task.fallback_only:
        result = forecast(problem, _params((FALLBACK_MODEL,), auto=False))
        f = result.of(FALLBACK_MODEL)[0]
        return SeriesOutcome(task.key, f.used, f.quantiles, f.fallback_reason)
    result = forecast(problem, _params(CANDIDATES, auto=True))
    name, note = _choose(task, result)
    f = result.of(name)[0]
    return SeriesOutcome(task.key, f.used, f.quantiles, note or f.fallback_reason)


def _choose(task: SeriesTask, result: ForecastResult) -> tuple[str, str | None]:
    """The candidate (or ``auto``) with the least rolling-origin MAE of the median."""
    best_name, best_loss = AUTO, math.inf
    for name in (AUTO, *CANDIDATES):
        f = result.of(name)[0]
        if f.fallback_reason is not None:
            continue
        mae, _ = backtest_losses(
            task.values,
            f.used,
            task.season_length,
            task.horizon,
            BACKTEST_WINDOWS,
            BACKTEST_LEVELS,
        )
        if mae < best_loss:
            best_name, best_loss = name, mae
    if math.isinf(best_loss):
        return AUTO, None  # no origin could be scored: trust the automatic choice
    return best_name, None
