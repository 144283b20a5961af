"""Health index and remaining-useful-life band of a live machine from its own sensor trends.

For each degrading sensor with a failure limit, a straight line is fitted to its recent
history (ordinary least squares in hours). The sensor's health is the share of the margin
between its healthy level (a low percentile of the history) and the limit that is left at
the fitted current level, 0–100. Its time to limit is the remaining margin divided by the
slope; the band combines the confidence intervals of the fitted level and of the slope in
the direction that widens it, so it is conservative (covers the true crossing time at
least as often as the stated confidence when the trend is linear with independent noise).
The machine's index is its worst sensor's; its RUL band is the earliest sensor's.

This is the "distance to the limit divided by the recent slope" model; it needs no training
data, which the C-MAPSS model (`predict_rul`) does, and suits machines whose sensors do not
map to the turbofan's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy import stats  # type: ignore[import-untyped]


@dataclass(frozen=True)
class HealthParams:
    """Settings of the trend model.

    Parameters
    ----------
    confidence
        Two-sided confidence of the level and slope intervals behind the RUL band (0.95).
    min_points
        Fewer points than this and a sensor gets a health value but no trend (default 5).
    baseline_percentile
        Percentile of the history taken as the sensor's healthy level (default 5).
    """

    confidence: float = 0.95
    min_points: int = 5
    baseline_percentile: float = 5.0

    def __post_init__(self) -> None:
        if not 0.5 <= self.confidence < 1:
            raise ValueError(f"confidence {self.confidence} is outside [0.5, 1)")
        if self.min_points < 3:
            raise ValueError(f"min_points {self.min_points} is below 3")
        if not 0 <= self.baseline_percentile <= 50:
            raise ValueError(f"baseline_percentile {self.baseline_percentile} is outside 0..50")


@dataclass(frozen=True)
class SensorSeries:
    """One sensor's history: times in hours (any origin), values, and the failure limit;
    `rising` False for sensors that fail by falling below the limit."""

    name: str
    times_h: NDArray[np.float64]
    values: NDArray[np.float64]
    limit: float
    rising: bool = True

    def __post_init__(self) -> None:
        if self.times_h.shape != self.values.shape or self.times_h.ndim != 1:
            raise ValueError(f"sensor {self.name!r}: times and values differ in shape")
        if not math.isfinite(self.limit):
            raise ValueError(f"sensor {self.name!r}: limit {self.limit} is not finite")


@dataclass(frozen=True)
class SensorHealth:
    """Health 0–100 of one sensor; RUL and its band in hours (None: no rise that the noise
    cannot explain at the confidence asked)."""

    name: str
    health: float
    level: float
    limit: float
    slope_per_h: float | None
    rul_h: float | None
    rul_low_h: float | None
    rul_high_h: float | None
    points: int


@dataclass(frozen=True)
class HealthResult:
    """A machine's health index (worst sensor) and RUL band (earliest sensor to its limit)."""

    health: float | None
    rul_h: float | None
    rul_low_h: float | None
    rul_high_h: float | None
    limiting: str | None
    sensors: list[SensorHealth] = field(default_factory=list)


def assess_sensor(series: SensorSeries, params: HealthParams | None = None) -> SensorHealth | None:
    """Health and time to limit of one sensor; None without any finite value."""
    params = params or HealthParams()
    keep = np.isfinite(series.times_h) & np.isfinite(series.values)
    t, y = series.times_h[keep], series.values[keep]
    if t.size == 0:
        return None
    sign = 1.0 if series.rising else -1.0
    y, limit = sign * y, sign * series.limit  # now every sensor fails by rising
    baseline = float(np.percentile(y, params.baseline_percentile))
    level, slope, se_level, se_slope = float(y[np.argmax(t)]), None, 0.0, 0.0
    if t.size >= params.min_points and np.ptp(t) > 0:
        level, slope, se_level, se_slope = _fit(t, y)
    span = limit - baseline
    margin = limit - level
    health = 100.0 if span <= 0 and margin > 0 else 100.0 * margin / span if span > 0 else 0.0
    health = min(100.0, max(0.0, health))
    rul = low = high = None
    if margin <= 0:
        rul = low = high = 0.0
    elif slope is not None and slope > 0:
        q = float(stats.t.ppf(0.5 + params.confidence / 2, max(t.size - 2, 1)))
        slow = slope - q * se_slope
        if slow > 0:  # a rise the noise cannot explain at this confidence: a real trend
            rul = margin / slope
            low = max(0.0, (margin - q * se_level) / (slope + q * se_slope))
            high = (margin + q * se_level) / slow
    return SensorHealth(
        series.name,
        round(health, 2),
        sign * level,
        series.limit,
        None if slope is None else sign * slope,
        rul,
        low,
        high,
        int(t.size),
    )


def _fit(t: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[float, float, float, float]:
    """Fitted value at the last time, slope, and their standard errors (OLS)."""
    t_mean = float(t.mean())
    sxx = float(((t - t_mean) ** 2).sum())
    slope = float(((t - t_mean) * (y - y.mean())).sum() / sxx)
    intercept = float(y.mean()) - slope * t_mean
    residuals = y - (intercept + slope * t)
    dof = max(t.size - 2, 1)
    s = math.sqrt(float((residuals**2).sum()) / dof)
    t_last = float(t.max())
    level = intercept + slope * t_last
    se_level = s * math.sqrt(1.0 / t.size + (t_last - t_mean) ** 2 / sxx)
    return level, slope, se_level, s / math.sqrt(sxx)


def assess(sensors: list[SensorSeries], params: HealthParams | None = None) -> HealthResult:
    """The machine's health index and RUL band from all its monitored sensors."""
    found = [h for s in sensors if (h := assess_sensor(s, params)) is not None]
    if not found:
        return HealthResult(None, None, None, None, None, [])
    worst = min(found, key=lambda h: h.health)
    trending = [h for h in found if h.rul_h is not None]
    if not trending:
        return HealthResult(worst.health, None, None, None, worst.name, found)
    first = min(trending, key=lambda h: h.rul_h or 0.0)
    lows = [h.rul_low_h for h in trending if h.rul_low_h is not None]
    highs = [h.rul_high_h if h.rul_high_h is not None else math.inf for h in trending]
    high = min(highs)
    return HealthResult(
        worst.health,
        first.rul_h,
        min(lows) if lows else None,
        None if math.isinf(high) else high,
        first.name,
        found,
    )
