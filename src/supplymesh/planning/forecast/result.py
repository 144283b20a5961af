"""What the engine returns: per model, one forecast per series, fallbacks reported."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from supplymesh.planning.forecast.problem import FloatArray


@dataclass(frozen=True)
class SeriesForecast:
    """One series' forecast by one model (or the fallback used in its place).

    Parameters
    ----------
    series_id
        The series.
    model
        The model asked for (``auto`` for the automatic choice).
    used
        The model that actually produced the numbers: equal to `model` unless a fallback
        was used, or for ``auto`` the model or combination it chose.
    point
        Point forecast, shape (horizon,).
    quantiles
        Quantile forecasts, shape (len(levels), horizon), non-decreasing along levels.
    fallback_reason
        Why the fallback replaced `model`, or None.
    """

    series_id: str
    model: str
    used: str
    point: FloatArray
    quantiles: FloatArray
    fallback_reason: str | None = None


@dataclass(frozen=True)
class Fallback:
    """A model that could not forecast a series, and what was used instead."""

    series_id: str
    model: str
    used: str
    reason: str


@dataclass(frozen=True)
class ForecastResult:
    """Forecasts of every requested model (and ``auto``), in the problem's series order.

    Parameters
    ----------
    quantiles
        The quantile levels of every `SeriesForecast.quantiles` row.
    forecasts
        Model name → one `SeriesForecast` per series.
    fallbacks
        Every (series, model) where the fallback was used, with the reason.
    seconds
        Model name → CPU seconds spent fitting and predicting it, summed over series.
    """

    quantiles: tuple[float, ...]
    forecasts: Mapping[str, tuple[SeriesForecast, ...]]
    fallbacks: tuple[Fallback, ...]
    seconds: Mapping[str, float]

    def of(self, model: str) -> tuple[SeriesForecast, ...]:
        """The forecasts of `model`; KeyError naming the models there are otherwise."""
        try:
            return self.forecasts[model]
        except KeyError:
            raise KeyError(f"no forecasts for {model!r}; have {sorted(self.forecasts)}") from None
