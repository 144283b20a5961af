"""Accuracy measures, exactly as CONTRACTS.md ("Bench contract" → `forecast`) defines them.

sMAPE follows the M3 competition (Makridakis & Hibon, IJF 16, 2000): the mean over the
horizon of 200·|F−A|/(|F|+|A|). MASE and RMSSE scale by the in-sample seasonal-naive error
(Hyndman & Koehler, "Another look at measures of forecast accuracy", IJF 22, 2006; RMSSE as
in the M5 competition), so series of any size average together. SPL is the pinball loss of
one quantile divided by the same MASE scale (the M5 uncertainty track's scaled pinball).
"""

from __future__ import annotations

import numpy as np

from supplymesh.planning.forecast.problem import FloatArray


def smape(forecast: FloatArray, actual: FloatArray) -> float:
    """Symmetric MAPE in percent (0..200); a period where both are 0 counts as 0 error."""
    num = 200.0 * np.abs(forecast - actual)
    den = np.abs(forecast) + np.abs(actual)
    terms = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
    return float(np.mean(terms))


def mase_scale(insample: FloatArray, season_length: int) -> float:
    """Mean absolute error of the seasonal-naive forecast over the training history.

    `season_length` falls back to 1 when the history is not longer than one season.
    Returns 0.0 for a history of one value (no error can be measured).
    """
    m = season_length if insample.size > season_length else 1
    if insample.size <= m:
        return 0.0
    return float(np.mean(np.abs(insample[m:] - insample[:-m])))


def mase(forecast: FloatArray, actual: FloatArray, scale: float) -> float:
    """Mean absolute error over the horizon divided by `scale` (see `mase_scale`)."""
    return float(np.mean(np.abs(forecast - actual))) / scale


def rmsse(
    forecast: FloatArray, actual: FloatArray, insample: FloatArray, season_length: int
) -> float:
    """Root mean squared scaled error: RMSE over the horizon / in-sample seasonal-naive RMSE."""
    m = season_length if insample.size > season_length else 1
    denom = float(np.mean((insample[m:] - insample[:-m]) ** 2))
    return float(np.sqrt(np.mean((forecast - actual) ** 2) / denom))


def pinball(level: float, quantile: FloatArray, actual: FloatArray) -> float:
    """Mean pinball (quantile) loss of the `level` quantile over the horizon."""
    diff = actual - quantile
    return float(np.mean(np.maximum(level * diff, (level - 1.0) * diff)))


def spl(level: float, quantile: FloatArray, actual: FloatArray, scale: float) -> float:
    """Scaled pinball loss: `pinball` divided by the MASE scale."""
    return pinball(level, quantile, actual) / scale


def coverage(upper: FloatArray, actual: FloatArray) -> float:
    """Share of actuals at or below the forecast quantile `upper` (0..1)."""
    return float(np.mean(actual <= upper))


def bias(forecast: FloatArray, actual: FloatArray) -> float:
    """Mean error F − A over the horizon: positive means over-forecasting."""
    return float(np.mean(forecast - actual))
