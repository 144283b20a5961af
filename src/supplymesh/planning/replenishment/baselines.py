"""Predict-then-optimise (PTO) order-up-to levels from decision-time fields only.

Unlike the data's Bm1/Bm2 (which use the realised lead time), these use the vendor's mean and
std lead time, as a planner would: the protection interval is T′ = review period + mean VLT,
and the level is the b/(b + h) = 0.9 quantile of demand over it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import stats  # type: ignore[import-untyped]

from supplymesh.planning.replenishment.features import cumulative_forecast, protection_days
from supplymesh.planning.replenishment.jd import Decisions, FloatArray
from supplymesh.planning.replenishment.simulate import CRITICAL_RATIO

Z = float(stats.norm.ppf(CRITICAL_RATIO))


def _moments(decisions: Decisions, daily_mean: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Mean and std of demand over T′ with a random lead time (the textbook compound form)."""
    r = decisions.rounds
    days = protection_days(decisions)
    sigma = r["demand_std"].to_numpy(dtype=np.float64)
    vlt_std = r["vendor_vlt_std"].to_numpy(dtype=np.float64)
    mean = daily_mean * days
    std = np.sqrt(days * sigma**2 + daily_mean**2 * vlt_std**2)
    return mean, std


def forecast_sum(decisions: Decisions) -> FloatArray:
    """Σ of the RNN forecast over T′: the decision-time version of Bm1."""
    return cumulative_forecast(decisions.forecast, protection_days(decisions))


def normal_base_stock(decisions: Decisions) -> FloatArray:
    """Normal base stock on the 112-day mean, 140-day std and vendor VLT mean/std."""
    mean, std = _moments(decisions, decisions.rounds["demand_mean"].to_numpy(dtype=np.float64))
    return np.asarray(mean + Z * std, dtype=np.float64)


def gamma_base_stock(decisions: Decisions) -> FloatArray:
    """Gamma with the same two moments as `normal_base_stock` (skewed, never negative)."""
    mean, std = _moments(decisions, decisions.rounds["demand_mean"].to_numpy(dtype=np.float64))
    mean = np.maximum(mean, 1e-6)
    std = np.maximum(std, 1e-6)
    shape = (mean / std) ** 2
    level = stats.gamma.ppf(CRITICAL_RATIO, shape, scale=std**2 / mean)
    return np.asarray(np.nan_to_num(level), dtype=np.float64)


def forecast_normal(decisions: Decisions) -> FloatArray:
    """Forecast sum over T′ plus a normal safety stock sized by the history's spread."""
    days = protection_days(decisions)
    mean, std = _moments(decisions, forecast_sum(decisions) / np.maximum(days, 1e-6))
    return np.asarray(mean + Z * std, dtype=np.float64)


BASELINES: dict[str, Callable[[Decisions], FloatArray]] = {
    "pto_forecast_sum": forecast_sum,
    "pto_forecast_normal": forecast_normal,
    "pto_normal": normal_base_stock,
    "pto_gamma": gamma_base_stock,
}
