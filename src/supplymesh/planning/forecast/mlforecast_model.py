"""The global LightGBM through Nixtla's `mlforecast`: the library version of `global_model`.

Same learner (LightGBM, same boosting settings), same inputs (lags over two seasons, rolling
statistics, regressors known in advance such as promotions and `calendar` features), trained
across every series of a problem. What differs: where every history is positive, the
target is log1p-transformed and first-differenced (period-on-period growth, which puts
series of any level on one scale) instead of scaled window by window; and the default
strategy is recursive (one model whose forecasts are fed back as lags; "direct" =
`max_horizon`, one model per step, like ours). Log-differences beat mlforecast's per-series
standard scaling (with or without differencing) inside the histories of M3 and on its test.

Where a history has zeros (intermittent counts) the target is only standardised per series
(`LocalStandardScaler`): the back-transformed log forecast is exp(mean log), well below the
mean on sparse counts, and every model of the library reports the mean as its point (a
median-like point wins MASE on such data for that reason alone; `benchmarks/forecast.md`,
"Round 3", gives both figures). `benchmarks/forecast.md` also has the comparison with our
direct model.

Quantiles are conformal (mlforecast's `PredictionIntervals`: errors of the same model
refitted on the last `n_windows` horizons of every history), so they cost two more fits;
where the histories are too short for that, they come from the spread of the in-sample
one-step errors widened by the square root of the step.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from supplymesh.planning.forecast.global_model import window_length
from supplymesh.planning.forecast.models import ModelForecast
from supplymesh.planning.forecast.problem import FloatArray

MLFORECAST = "MLForecast"

CONFORMAL_WINDOWS = 2

TRANSFORMS = ("auto", "logdiff", "diffscale", "scale")


def _frame(histories: Sequence[FloatArray], exogenous: Sequence[FloatArray] | None) -> Any:
    import pandas as pd  # type: ignore[import-untyped]

    parts = []
    for i, y in enumerate(histories):
        part: dict[str, Any] = {"unique_id": i, "ds": np.arange(y.size, dtype=np.int64), "y": y}
        if exogenous is not None:
            table = np.asarray(exogenous[i], dtype=np.float64)[: y.size]
            part.update({f"x{j}": table[:, j] for j in range(table.shape[1])})
        parts.append(pd.DataFrame(part))
    return pd.concat(parts, ignore_index=True)


def _future(histories: Sequence[FloatArray], exogenous: Sequence[FloatArray], horizon: int) -> Any:
    import pandas as pd

    parts = []
    for i, (y, ex) in enumerate(zip(histories, exogenous, strict=True)):
        table = np.asarray(ex, dtype=np.float64)[y.size : y.size + horizon]
        part: dict[str, Any] = {"unique_id": i, "ds": np.arange(y.size, y.size + horizon)}
        part.update({f"x{j}": table[:, j] for j in range(table.shape[1])})
        parts.append(pd.DataFrame(part))
    return pd.concat(parts, ignore_index=True)


def _pct(q: float) -> int | float:
    """Central-interval level of quantile q, as mlforecast names its columns (80, not 80.0)."""
    lv = round(abs(2.0 * q - 1.0) * 100.0, 6)
    return int(lv) if lv == int(lv) else lv


def _levels_pct(levels: Sequence[float]) -> list[int | float]:
    return sorted({_pct(q) for q in levels if _pct(q) != 0})


def fit_predict_mlforecast(
    histories: Sequence[FloatArray],
    season_length: int,
    horizon: int,
    levels: Sequence[float],
    seed: int = 1,
    threads: int = 1,
    strategy: str = "recursive",
    rounds: int = 200,
    learning_rate: float = 0.05,
    exogenous: Sequence[FloatArray] | None = None,
    transforms: str = "auto",
) -> list[ModelForecast | None]:
    """Train one mlforecast LightGBM on every history, forecast each; None where it cannot.

    Arguments mean what they mean for `global_model.fit_predict_lightgbm`; `strategy` is
    "recursive" or "direct"; `transforms` is "logdiff", "diffscale" (first differences,
    standardised per series), "scale" (standardised only) or "auto" (logdiff when every
    history is positive, otherwise scale). A flat or very short series (nothing to learn
    a change from), or one whose forecast is not finite, gets None: the engine's fallback
    replaces it and reports it.
    """
    if strategy not in ("recursive", "direct"):
        raise ValueError(f"strategy must be 'recursive' or 'direct', got {strategy!r}")
    if transforms not in TRANSFORMS:
        raise ValueError(f"transforms must be one of {TRANSFORMS}, got {transforms!r}")
    if exogenous is not None:
        for i, (y, ex) in enumerate(zip(histories, exogenous, strict=True)):
            if np.ndim(ex) != 2 or len(ex) != y.size + horizon:
                raise ValueError(
                    f"exogenous table {i}: needs {y.size + horizon} rows (history + horizon), "
                    f"got shape {np.shape(ex)}"
                )
    usable = [i for i, y in enumerate(histories) if y.size >= 3 and np.ptp(y) > 0]
    out: list[ModelForecast | None] = [None] * len(histories)
    if len(usable) < 2:
        return out
    ys = [histories[i] for i in usable]
    exs = [exogenous[i] for i in usable] if exogenous is not None else None
    try:
        preds = _fit_predict(
            ys,
            season_length,
            horizon,
            levels,
            seed,
            threads,
            strategy,
            rounds,
            learning_rate,
            exs,
            transforms,
        )
    except ValueError:
        return out
    for k, i in enumerate(usable):
        point, q = preds[0][k], preds[1][k]
        if np.all(np.isfinite(point)) and np.all(np.isfinite(q)):
            out[i] = ModelForecast(
                np.clip(point, 0.0, None), np.sort(np.clip(q, 0.0, None), axis=0)
            )
    return out


def _fit_predict(
    ys: Sequence[FloatArray],
    season_length: int,
    horizon: int,
    levels: Sequence[float],
    seed: int,
    threads: int,
    strategy: str,
    rounds: int,
    learning_rate: float,
    exogenous: Sequence[FloatArray] | None,
    transforms: str = "auto",
) -> tuple[FloatArray, FloatArray]:
    """(points series × horizon, quantiles series × levels × horizon) in problem order."""
    import lightgbm as lgb
    from mlforecast import MLForecast
    from mlforecast.lag_transforms import RollingMean, RollingStd
    from mlforecast.utils import PredictionIntervals

    width = window_length(season_length, int(np.percentile([y.size for y in ys], 10)), horizon)
    roll = max(season_length, 4)
    model = lgb.LGBMRegressor(
        n_estimators=rounds,
        learning_rate=learning_rate,
        num_leaves=31,
        min_child_samples=20,
        colsample_bytree=0.9,
        subsample=0.9,
        subsample_freq=1,
        random_state=seed,
        deterministic=True,
        n_jobs=threads,
        verbosity=-1,
    )
    fc = MLForecast(
        models={"lgb": model},
        freq=1,
        lags=list(range(1, width + 1)),
        lag_transforms={1: [RollingMean(window_size=roll), RollingStd(window_size=roll)]},
        target_transforms=_transforms(transforms, ys),
        num_threads=1,
    )
    df = _frame(ys, exogenous)
    pct = _levels_pct(levels)
    shortest = min(y.size for y in ys)
    conformal = bool(pct) and shortest > CONFORMAL_WINDOWS * horizon + width + 2
    recursive = strategy == "recursive"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fc.fit(
                df,
                static_features=[],
                max_horizon=None if recursive else horizon,
                prediction_intervals=PredictionIntervals(n_windows=CONFORMAL_WINDOWS, h=horizon)
                if conformal
                else None,
                fitted=recursive and not conformal,
            )
        except ValueError:
            if not conformal:
                raise
            # The conformal windows left a step model without training rows: fit once more
            # without them; the band then comes from the in-sample errors.
            conformal = False
            fc.fit(
                df,
                static_features=[],
                max_horizon=None if recursive else horizon,
                fitted=recursive,
            )
        future = _future(ys, exogenous, horizon) if exogenous is not None else None
        pred = fc.predict(horizon, level=pct if conformal else None, X_df=future)
    pred = pred.sort_values(["unique_id", "ds"])
    n = len(ys)
    point = pred["lgb"].to_numpy(dtype=np.float64).reshape(n, horizon)
    rows = []
    if conformal:
        for q in levels:
            lv = _pct(q)
            if lv == 0:
                rows.append(point)
                continue
            col = f"lgb-{'lo' if q < 0.5 else 'hi'}-{lv}"
            rows.append(pred[col].to_numpy(dtype=np.float64).reshape(n, horizon))
    elif recursive:
        rows = _residual_band(fc, point, levels)
    else:
        rows = _change_band(ys, point, levels)
    return point, np.stack(rows, axis=1)


def _transforms(kind: str, ys: Sequence[FloatArray]) -> list[Any]:
    """mlforecast target transforms by name; "auto" chooses by the histories' sign."""
    from mlforecast.target_transforms import (
        Differences,
        GlobalSklearnTransformer,
        LocalStandardScaler,
    )
    from sklearn.preprocessing import FunctionTransformer  # type: ignore[import-untyped]

    if kind == "auto":
        kind = "logdiff" if all(float(np.min(y)) > 0 for y in ys) else "scale"
    if kind == "logdiff":
        log = FunctionTransformer(func=np.log1p, inverse_func=np.expm1)
        return [GlobalSklearnTransformer(log), Differences([1])]
    if kind == "diffscale":
        return [Differences([1]), LocalStandardScaler()]
    return [LocalStandardScaler()]


def _change_band(
    ys: Sequence[FloatArray], point: FloatArray, levels: Sequence[float]
) -> list[FloatArray]:
    """Quantiles from each history's period-on-period changes, widened by √step: a
    random-walk band, for direct models too short for conformal windows."""
    from scipy import stats  # type: ignore[import-untyped]

    sd = np.array([float(np.std(np.diff(y))) for y in ys])
    steps = np.sqrt(np.arange(1, point.shape[1] + 1))[None, :]
    return [point + float(stats.norm.ppf(q)) * sd[:, None] * steps for q in levels]


def _residual_band(fc: Any, point: FloatArray, levels: Sequence[float]) -> list[FloatArray]:
    """Quantiles from in-sample one-step errors, per series, widened by √step."""
    from scipy import stats

    fitted = fc.forecast_fitted_values()
    err = (fitted["y"] - fitted["lgb"]).to_numpy(dtype=np.float64)
    ids = fitted["unique_id"].to_numpy()
    n, horizon = point.shape
    sd = np.zeros(n)
    for i in range(n):
        e = err[ids == i]
        sd[i] = float(np.std(e)) if e.size > 1 else 0.0
    steps = np.sqrt(np.arange(1, horizon + 1))[None, :]
    return [point + float(stats.norm.ppf(q)) * sd[:, None] * steps for q in levels]
