"""Features for RUL regression: per-condition normalisation, then rolling statistics.

Sensor readings depend strongly on the operating condition (altitude, Mach, throttle): in the
six-condition C-MAPSS subsets the condition swamps the degradation signal. Readings are
therefore z-scored per operating condition (Wang, Yu, Siegel, Lee, "A similarity-based
prognostics approach for remaining useful life estimation of engineered systems", PHM 2008),
with conditions found by rounding the settings and merging rare cells into the nearest
frequent one. Sensors constant within every condition carry no information and are dropped.
Noise is then smoothed by rolling means, spreads and least-squares slopes over several
windows, and a linear health index (all sensors regressed on the capped RUL) adds one
pre-combined, low-noise signal the trees would otherwise have to assemble.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from supplymesh.planning.maintenance.problem import FleetSeries, FloatArray, IntArray


@dataclass(frozen=True, eq=False)
class Conditions:
    """Operating-condition centres and per-condition sensor statistics (from training data)."""

    centres: FloatArray
    scale: FloatArray
    mean: FloatArray
    std: FloatArray
    kept: IntArray

    @property
    def count(self) -> int:
        """Number of operating conditions."""
        return int(self.centres.shape[0])

    def assign(self, settings: FloatArray) -> IntArray:
        """Index of the nearest condition centre for every row (distance in scaled units)."""
        diff = (settings[:, None, :] - self.centres[None, :, :]) / self.scale
        nearest: IntArray = np.argmin((diff**2).sum(axis=2), axis=1).astype(np.int64)
        return nearest

    def normalise(self, series: FleetSeries) -> FloatArray:
        """Kept sensors z-scored with their condition's training mean and spread."""
        which = self.assign(series.settings)
        z = (series.sensors - self.mean[which]) / self.std[which]
        return np.asarray(z[:, self.kept], dtype=np.float64)


def fit_conditions(
    train: FleetSeries, decimals: tuple[int, ...], min_share: float, tol: float = 1e-6
) -> Conditions:
    """Find operating conditions in `train` and each sensor's mean and spread within them."""
    settings = train.settings
    rounded = settings.copy()
    for i in range(min(len(decimals), settings.shape[1])):
        rounded[:, i] = np.round(settings[:, i], decimals[i])
    _cells, labels, counts = np.unique(rounded, axis=0, return_inverse=True, return_counts=True)
    labels = labels.reshape(-1)
    frequent = counts >= max(1.0, min_share * len(settings))
    if not frequent.any():
        frequent[np.argmax(counts)] = True
    centres = np.array([settings[labels == c].mean(axis=0) for c in np.flatnonzero(frequent)])
    scale = settings.std(axis=0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    provisional = Conditions(
        centres, scale, np.zeros((1, 1)), np.ones((1, 1)), np.zeros(0, dtype=np.int64)
    )
    which = provisional.assign(settings)
    n_sensors = train.sensors.shape[1]
    mean = np.zeros((len(centres), n_sensors))
    std = np.ones((len(centres), n_sensors))
    informative = np.zeros(n_sensors, dtype=bool)
    for c in range(len(centres)):
        rows = train.sensors[which == c]
        mean[c] = rows.mean(axis=0)
        spread = rows.std(axis=0)
        # Constant, or flicking between a couple of quantisation steps (C-MAPSS sensor 6 reads
        # 21.60 or 21.61): no trend to learn. A relative-spread test would also drop the fan
        # speeds (≈ 2388 ± 0.07), which carry the degradation.
        levels = np.array([len(np.unique(rows[:, i])) for i in range(n_sensors)])
        varies = (spread > tol * np.maximum(1.0, np.abs(mean[c]))) & (levels > 3)
        informative |= varies
        std[c] = np.where(varies, spread, np.inf)  # constant here: reads as 0 after z-scoring
    kept = np.flatnonzero(informative).astype(np.int64)
    return Conditions(centres, scale, mean, std, kept)


def rul_target(series: FleetSeries, cap: float) -> FloatArray:
    """Cycles to each unit's last row, capped at `cap` (run-to-failure training series)."""
    target = np.empty(len(series.unit))
    for lo, hi in _segments(series.unit):
        target[lo:hi] = series.cycle[hi - 1] - series.cycle[lo:hi]
    return np.minimum(target, cap)


def health_weights(z: FloatArray, target: FloatArray) -> FloatArray:
    """Least-squares weights (intercept last) of a linear health index on the capped RUL."""
    design = np.column_stack([z, np.ones(len(z))])
    weights, *_ = np.linalg.lstsq(design, target, rcond=None)
    return np.asarray(weights, dtype=np.float64)


def rolling_features(
    series: FleetSeries, z: FloatArray, health: FloatArray, windows: tuple[int, ...]
) -> tuple[FloatArray, tuple[str, ...]]:
    """Per-row features from each unit's history up to that row (no look-ahead).

    For every normalised sensor and the health index: the value, trailing means over each
    window, the spread over the widest window, least-squares slopes over windows of ten
    cycles or more, and the drift of the widest mean from the unit's own first cycles
    (removes unit-to-unit manufacturing offsets).
    """
    signals = np.column_stack([z, health])
    names = [f"s{i}" for i in range(z.shape[1])] + ["hi"]
    t = series.cycle.astype(np.float64)
    widest = max(windows)
    first = max(1, min(windows))
    blocks: list[FloatArray] = [t[:, None], signals]
    columns: list[str] = ["cycle", *names]
    means = {w: np.empty_like(signals) for w in windows}
    spread = np.full_like(signals, np.nan)
    slopes = {w: np.full_like(signals, np.nan) for w in windows if w >= 10}
    drift = np.empty_like(signals)
    for lo, hi in _segments(series.unit):
        x = signals[lo:hi]
        tt = t[lo:hi, None]
        for w in windows:
            means[w][lo:hi] = _trailing_sum(x, w) / _trailing_count(hi - lo, w)
        count = _trailing_count(hi - lo, widest)
        mean = means[widest][lo:hi]
        square = _trailing_sum(x * x, widest) / count
        with np.errstate(invalid="ignore", divide="ignore"):
            var = (square - mean * mean) * count / (count - 1)
        spread[lo:hi] = np.where(count > 1, np.sqrt(np.maximum(var, 0.0)), np.nan)
        for w, out in slopes.items():
            n = _trailing_count(hi - lo, w)
            st, stt = _trailing_sum(tt, w), _trailing_sum(tt * tt, w)
            sx, stx = _trailing_sum(x, w), _trailing_sum(tt * x, w)
            denom = n * stt - st * st
            with np.errstate(invalid="ignore", divide="ignore"):
                out[lo:hi] = np.where(denom > 0, (n * stx - st * sx) / denom, np.nan)
        drift[lo:hi] = mean - x[:first].mean(axis=0)
    for w in windows:
        blocks.append(means[w])
        columns += [f"{n}_mean{w}" for n in names]
    blocks.append(spread)
    columns += [f"{n}_std{widest}" for n in names]
    for w, out in slopes.items():
        blocks.append(out)
        columns += [f"{n}_slope{w}" for n in names]
    blocks.append(drift)
    columns += [f"{n}_drift" for n in names]
    return np.column_stack(blocks), tuple(columns)


def _segments(unit: IntArray) -> list[tuple[int, int]]:
    """(first, past-last) row of each unit's contiguous block."""
    edges = [0, *(np.flatnonzero(np.diff(unit) != 0) + 1).tolist(), len(unit)]
    return list(itertools.pairwise(edges))


def _trailing_sum(x: FloatArray, w: int) -> FloatArray:
    """Sum over the last `w` rows up to each row (fewer at the start)."""
    cs = np.vstack([np.zeros((1, x.shape[1])), np.cumsum(x, axis=0)])
    idx = np.arange(1, len(x) + 1)
    return np.asarray(cs[idx] - cs[np.maximum(idx - w, 0)], dtype=np.float64)


def _trailing_count(length: int, w: int) -> FloatArray:
    """How many rows each trailing window holds: min(row + 1, w), as a column."""
    return np.minimum(np.arange(1, length + 1), w).astype(np.float64)[:, None]
