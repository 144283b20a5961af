"""The automatic choice: classify each series, then combine or pick by rolling-origin backtest.

Smooth series get a fixed median combination (forecast combinations won M3 and its
successors: Makridakis & Hibon 2000; Petropoulos & Svetunkov 2020). Intermittent series
(average inter-demand interval above 1.32: Syntetos, Boylan & Croston 2005) get the
candidate with the lowest absolute error over rolling origins of the history (Tashman 2000,
"Out-of-sample tests of forecasting accuracy"), and its forecast median as the point: the
median minimises absolute error, and for sparse counts it is often 0 where the mean rate
is not (Kolassa 2016, IJF 32).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from supplymesh.planning.forecast.models import (
    ModelFailed,
    ModelForecast,
    build,
    combine,
    min_length,
)
from supplymesh.planning.forecast.problem import FloatArray

MEDIAN = 0.5


def average_interdemand_interval(y: FloatArray) -> float:
    """Periods per non-zero demand (ADI); infinite when every value is zero."""
    nonzero = int(np.count_nonzero(y))
    return float(y.size) / nonzero if nonzero else float("inf")


def is_intermittent(y: FloatArray, cutoff: float) -> bool:
    """True when the series' ADI exceeds `cutoff` (Syntetos–Boylan–Croston)."""
    return average_interdemand_interval(y) > cutoff


def backtest_losses(
    y: FloatArray,
    name: str,
    season_length: int,
    horizon: int,
    windows: int,
    levels: Sequence[float],
) -> tuple[float, float]:
    """(MAE of the median, mean pinball loss over `levels`) over `windows` rolling origins.

    Each origin holds out the next `min(horizon, len(y) // (windows + 1))` periods; an
    origin whose training part is too short for the model is skipped. Infinite losses when
    no origin can be scored or the model fails. `levels` must contain 0.5.
    """
    step = min(horizon, y.size // (windows + 1))
    inf = (float("inf"), float("inf"))
    if step < 1:
        return inf
    mid = list(levels).index(MEDIAN)
    maes, pinballs = [], []
    for k in range(1, windows + 1):
        origin = y.size - k * step
        if origin < min_length(name, season_length):
            continue
        try:
            f = build(name, season_length).fit(y[:origin]).predict(step, levels)
        except ModelFailed:
            return inf
        actual = y[origin : origin + step]
        maes.append(float(np.mean(np.abs(f.quantiles[mid] - actual))))
        diff = actual[None, :] - f.quantiles
        q = np.asarray(levels, dtype=np.float64)[:, None]
        pinballs.append(float(np.mean(np.maximum(q * diff, (q - 1.0) * diff))))
    if not maes:
        return inf
    return float(np.mean(maes)), float(np.mean(pinballs))


def choose_intermittent(
    y: FloatArray,
    candidates: Sequence[str],
    season_length: int,
    windows: int,
    forecast_of: Callable[[str], ModelForecast | None],
    quantiles: Sequence[float],
) -> tuple[str, ModelForecast] | None:
    """The candidate with the lowest backtest MAE, with its median as the point forecast.

    Ties (common: several candidates' medians are all 0 on a sparse series) go to the
    lowest mean pinball loss over the quantile levels, so the distribution still counts.

    `forecast_of(name)` gives the candidate's full-history forecast (None if it failed);
    `quantiles` are its levels and must contain 0.5. None when no candidate can forecast.
    """
    mid = list(quantiles).index(MEDIAN)
    usable = [(n, f) for n in candidates if (f := forecast_of(n)) is not None]
    if not usable:
        return None
    if windows == 0 or len(usable) == 1:
        f = combine([f for _, f in usable], "median")
        return "median[" + "+".join(n for n, _ in usable) + "]", _median_point(f, mid)
    horizon = usable[0][1].point.size
    scores = [backtest_losses(y, n, season_length, horizon, windows, quantiles) for n, _ in usable]
    best = min(range(len(usable)), key=lambda i: (round(scores[i][0], 9), scores[i][1]))
    name, f = usable[best]
    return name, _median_point(f, mid)


def _median_point(f: ModelForecast, mid: int) -> ModelForecast:
    return ModelForecast(f.quantiles[mid].copy(), f.quantiles)
