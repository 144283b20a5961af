"""Decision-time features of a JD review round, scale-free so one model fits every SKU.

Every feature comes from `Decisions` alone. Quantities are divided by the round's demand
scale (what the forecast and the history expect over review period + vendor lead time), so
a tree learns "how many protection intervals of demand to hold", not unit counts.
``n_rounds`` is left out on purpose: at a review a planner does not know how many later
reviews the file will hold. ``round_index`` stays, because the simulator treats round 0
(its own initial stock) differently from the chained rounds.
"""

from __future__ import annotations

import numpy as np

from supplymesh.planning.replenishment.jd import FORECAST_DAYS, Decisions, FloatArray

DEMAND_CAP = 282.8427


def cumulative_forecast(forecast: FloatArray, days: FloatArray) -> FloatArray:
    """Forecast demand summed over the first ``days`` days (fractional days interpolated)."""
    cum = np.concatenate([np.zeros((len(forecast), 1)), np.cumsum(forecast, axis=1)], axis=1)
    clipped = np.clip(days, 0.0, float(FORECAST_DAYS))
    whole = np.floor(clipped).astype(np.int64)
    upper = np.minimum(whole + 1, FORECAST_DAYS)
    rows = np.arange(len(forecast))
    frac = clipped - whole
    inside = cum[rows, whole] + frac * (cum[rows, upper] - cum[rows, whole])
    beyond = np.maximum(days - FORECAST_DAYS, 0.0) * forecast[:, -7:].mean(axis=1)
    return np.asarray(inside + beyond, dtype=np.float64)


def protection_days(decisions: Decisions) -> FloatArray:
    """Review period + vendor mean lead time: the days an order-up-to level must cover."""
    rounds = decisions.rounds
    return np.asarray(
        rounds["review_period"].to_numpy(dtype=np.float64)
        + rounds["vendor_vlt_mean"].to_numpy(dtype=np.float64),
        dtype=np.float64,
    )


def demand_scale(decisions: Decisions) -> FloatArray:
    """Units the round is expected to need: mean of the forecast and history over T′, ≥ 1."""
    days = protection_days(decisions)
    history = decisions.rounds["demand_mean"].to_numpy(dtype=np.float64) * days
    forecast = cumulative_forecast(decisions.forecast, days)
    return np.asarray(np.maximum(0.5 * (history + forecast), 1.0), dtype=np.float64)


def round_features(decisions: Decisions) -> tuple[FloatArray, list[str]]:
    """One row of features per round, and their names."""
    r = decisions.rounds
    f = decisions.forecast
    review = r["review_period"].to_numpy(dtype=np.float64)
    vlt = r["vendor_vlt_mean"].to_numpy(dtype=np.float64)
    vlt_std = r["vendor_vlt_std"].to_numpy(dtype=np.float64)
    mu = r["demand_mean"].to_numpy(dtype=np.float64)
    sigma = r["demand_std"].to_numpy(dtype=np.float64)
    stock = r["initial_stock"].to_numpy(dtype=np.float64)
    days = review + vlt
    scale = demand_scale(decisions)
    columns: dict[str, FloatArray] = {
        "review_period": review,
        "vlt_mean": vlt,
        "vlt_std": vlt_std,
        "protection_days": days,
        "log_scale": np.log(scale),
        "mu_per_scale": mu * days / scale,
        "sigma_per_scale": sigma * np.sqrt(days) / scale,
        "cv": sigma / np.maximum(mu, 1e-3),
        "mu_capped": (mu >= DEMAND_CAP - 1e-3).astype(np.float64),
        "normal_sd_per_scale": np.sqrt(days * sigma**2 + mu**2 * vlt_std**2) / scale,
        "stock_per_scale": stock / scale,
        "forecast_mean_per_mu": f.mean(axis=1) / np.maximum(mu, 1e-3),
        "forecast_trend": f[:, 15:].mean(axis=1) / np.maximum(f[:, :15].mean(axis=1), 1e-3),
        "forecast_cv": f.std(axis=1) / np.maximum(f.mean(axis=1), 1e-3),
        "round_index": r["round_index"].to_numpy(dtype=np.float64),
        "dc": r["dc"].to_numpy(dtype=np.float64),
    }
    for extra in (-2.0, 0.0, 2.0, 5.0):
        columns[f"forecast_T{extra:+g}_per_scale"] = (
            cumulative_forecast(f, np.maximum(days + extra, 0.0)) / scale
        )
    columns["forecast_review_per_scale"] = cumulative_forecast(f, review) / scale
    columns["forecast_vlt_per_scale"] = cumulative_forecast(f, vlt) / scale
    columns["forecast_vlt_hi_per_scale"] = cumulative_forecast(f, vlt + 2 * vlt_std) / scale
    names = list(columns)
    return np.column_stack([columns[n] for n in names]), names
