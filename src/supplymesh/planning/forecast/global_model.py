"""A global gradient-boosted model: one LightGBM per horizon step, trained across all series.

Local models (ETS, Theta) learn each series from its own few dozen points; a global model
pools the windows of every series of a problem, which is what made pooled models strong on
M4 and on M3 monthly data (Montero-Manso & Hyndman 2021, "Principles and algorithms for
forecasting groups of time series: locality and globality", IJF 37). Windows are scaled by
their own mean, so series of very different levels share one model; the direct strategy
(one model per step ahead) avoids feeding errors back as inputs.

Quantiles come from the distribution of actual/predicted ratios of the training windows per
step (an in-sample, hence somewhat narrow, band); the point is the conditional median (L1
objective), which is what absolute-error and sMAPE-type metrics reward.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from supplymesh.planning.forecast.models import GLOBAL_MODELS, ModelForecast
from supplymesh.planning.forecast.problem import FloatArray

LIGHTGBM = GLOBAL_MODELS[0]

MAX_ROWS = 60_000
"""Training windows kept per problem (the most recent ones): bounds CPU on big problems."""


def window_length(season_length: int, shortest: int, horizon: int) -> int:
    """Input window: two seasons (at least 8), but no longer than the typical history allows."""
    want = max(2 * season_length, 8)
    return int(max(2, min(want, shortest - horizon if shortest - horizon >= 2 else want)))


def _pad(y: FloatArray, length: int) -> FloatArray:
    """Left-pad with the first value so a short series still yields a window."""
    return y if y.size >= length else np.concatenate([np.full(length - y.size, y[0]), y])


def _pad_rows(table: FloatArray, extra: int) -> FloatArray:
    """Exogenous rows for left padding: zeros (no promotion, no holiday)."""
    arr = np.asarray(table, dtype=np.float64)
    return np.vstack([np.zeros((extra, arr.shape[1])), arr]) if extra > 0 else arr


def _features(window: FloatArray, scale: float, history: int) -> FloatArray:
    return np.concatenate([window / scale, [np.log1p(scale), float(history)]])


def _scale(window: FloatArray) -> float:
    return float(np.mean(np.abs(window)))


def fit_predict_lightgbm(
    histories: Sequence[FloatArray],
    season_length: int,
    horizon: int,
    levels: Sequence[float],
    seed: int = 1,
    threads: int = 1,
    objective: str = "l2",
    rounds: int = 200,
    learning_rate: float = 0.05,
    exogenous: Sequence[FloatArray] | None = None,
) -> list[ModelForecast | None]:
    """Train on the windows of every history, forecast each one; None where it cannot.

    `exogenous[i]`, when given, holds regressors known in advance for series i: one row per
    period of its history and of the horizon (``len(y) + horizon`` rows, the same columns
    for every series): promotions, prices, `calendar.calendar_features`. The model for step
    k sees the row of the period it forecasts, so a planned promotion or a festival that
    moves lands where it falls. `objective` is LightGBM's ("l2": the point is the mean,
    like every other model of the library; "l1": the median).

    A series whose last window is all zeros gets None (no scale to work with): the engine
    replaces it with its fallback and reports it.
    """
    if exogenous is not None:
        if len(exogenous) != len(histories):
            raise ValueError(f"{len(exogenous)} exogenous tables for {len(histories)} series")
        for i, (y, ex) in enumerate(zip(histories, exogenous, strict=True)):
            if np.ndim(ex) != 2 or len(ex) != y.size + horizon:
                raise ValueError(
                    f"exogenous table {i}: needs {y.size + horizon} rows (history + horizon), "
                    f"got shape {np.shape(ex)}"
                )
    import lightgbm as lgb

    lengths = [y.size for y in histories]
    if not histories or max(lengths) < 2:
        return [None] * len(histories)
    width = window_length(season_length, int(np.percentile(lengths, 10)), horizon)
    xs: list[FloatArray] = []
    ys: list[FloatArray] = []
    ages: list[int] = []
    exs: list[FloatArray] = []
    for i, y in enumerate(histories):
        z = _pad(y, width + horizon)
        table = _pad_rows(exogenous[i], z.size - y.size) if exogenous is not None else None
        for end in range(width, z.size - horizon + 1):
            w = z[end - width : end]
            s = _scale(w)
            if s <= 0:
                continue
            xs.append(_features(w, s, end))
            ys.append(z[end : end + horizon] / s)
            ages.append(z.size - horizon - end)
            if table is not None:
                exs.append(table[end : end + horizon])
    if len(xs) < 20:
        return [None] * len(histories)
    x = np.vstack(xs)
    t = np.vstack(ys)
    xe = np.stack(exs) if exs else None  # rows × horizon × exogenous columns
    if x.shape[0] > MAX_ROWS:
        keep = np.argsort(np.asarray(ages), kind="stable")[:MAX_ROWS]
        x, t = x[keep], t[keep]
        xe = xe[keep] if xe is not None else None
    params: dict[str, Any] = {
        "objective": objective,
        "learning_rate": learning_rate,
        "num_leaves": 31,
        "min_data_in_leaf": 20,
        "feature_fraction": 0.9,
        "bagging_fraction": 0.9,
        "bagging_freq": 1,
        "seed": seed,
        "deterministic": True,
        "num_threads": threads,
        "verbosity": -1,
    }
    ratio_q = np.ones((len(levels), horizon))
    boosters = []
    for k in range(horizon):
        xk = np.hstack([x, xe[:, k, :]]) if xe is not None else x
        booster = lgb.train(params, lgb.Dataset(xk, t[:, k]), num_boost_round=rounds)
        fitted = np.asarray(booster.predict(xk), dtype=np.float64)
        ok = fitted > 1e-9
        if ok.any():
            ratio_q[:, k] = np.quantile(t[ok, k] / fitted[ok], list(levels))
        boosters.append(booster)
    rows: list[FloatArray] = []
    scales: list[float] = []
    for y in histories:
        z = _pad(y, width)
        w = z[-width:]
        s = _scale(w)
        scales.append(s)
        rows.append(_features(w, s if s > 0 else 1.0, y.size))
    feats = np.vstack(rows)
    future = (
        np.stack([np.asarray(ex, dtype=np.float64)[-horizon:] for ex in exogenous])
        if exogenous is not None
        else None
    )
    targets = [
        np.asarray(
            b.predict(np.hstack([feats, future[:, k, :]]) if future is not None else feats),
            dtype=np.float64,
        )
        for k, b in enumerate(boosters)
    ]
    pred = np.column_stack(targets)  # series × horizon, in scaled units
    out: list[ModelForecast | None] = []
    for i, s in enumerate(scales):
        if s <= 0 or not np.all(np.isfinite(pred[i])):
            out.append(None)
            continue
        point = np.clip(pred[i] * s, 0.0, None)
        q = np.sort(np.clip(point[None, :] * ratio_q, 0.0, None), axis=0)
        out.append(ModelForecast(point, q))
    return out
