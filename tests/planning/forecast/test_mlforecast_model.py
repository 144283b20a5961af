"""The global LightGBM through mlforecast, alone and inside the engine."""

from __future__ import annotations

import numpy as np
import pytest

from supplymesh.planning.forecast.metrics import smape
from supplymesh.planning.forecast.mlforecast_model import fit_predict_mlforecast
from supplymesh.planning.forecast.params import ForecastParams
from supplymesh.planning.forecast.problem import ForecastProblem, Series
from supplymesh.planning.forecast.solve import forecast


def _seasonal_family(n: int, length: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    shape = 1.0 + 0.3 * np.sin(2 * np.pi * t / 12)
    return [rng.uniform(10, 1000) * shape * rng.normal(1.0, 0.02, length) for _ in range(n)]


@pytest.mark.parametrize("strategy", ["recursive", "direct"])
def test_learns_a_shared_season_across_levels(strategy: str) -> None:
    full = _seasonal_family(40, 60, seed=3)
    train, test = [y[:-12] for y in full], [y[-12:] for y in full]
    out = fit_predict_mlforecast(train, 12, 12, (0.1, 0.5, 0.9), rounds=60, strategy=strategy)
    assert all(f is not None for f in out)
    errors = [smape(f.point, a) for f, a in zip(out, test, strict=True) if f is not None]
    flat = [smape(np.full(12, y.mean()), a) for y, a in zip(train, test, strict=True)]
    assert np.mean(errors) < 0.5 * np.mean(flat)
    for f in out:
        assert f is not None
        assert np.all(np.diff(f.quantiles, axis=0) >= 0)
        assert np.any(f.quantiles[2] > f.quantiles[0])  # a band, not a line


def test_short_histories_still_get_a_band() -> None:
    """Too short for conformal windows: the in-sample error band, widening with the step."""
    short = [y[:20] for y in _seasonal_family(30, 20, seed=5)]
    out = fit_predict_mlforecast(short, 12, 12, (0.1, 0.5, 0.9), rounds=30)
    f = out[0]
    assert f is not None
    width = f.quantiles[2] - f.quantiles[0]
    assert width[-1] > width[0] > 0


def test_flat_series_falls_back_through_the_engine() -> None:
    series = [Series(f"s{i}", y, 12) for i, y in enumerate(_seasonal_family(12, 40, seed=4))]
    series.append(Series("zeros", np.zeros(40), 12))
    result = forecast(
        ForecastProblem(tuple(series), 6), ForecastParams(models=("MLForecast",), auto=False)
    )
    by_id = {f.series_id: f for f in result.of("MLForecast")}
    assert by_id["zeros"].used == "Naive"
    assert "MLForecast" in (by_id["zeros"].fallback_reason or "")
    assert by_id["s0"].used == "MLForecast"


def test_promotion_regressor_reaches_the_forecast() -> None:
    rng = np.random.default_rng(11)
    histories, tables = [], []
    horizon = 4
    for _ in range(30):
        n = 60
        promo = (rng.random(n + horizon) < 0.15).astype(np.float64)
        promo[-horizon:] = [0.0, 1.0, 0.0, 0.0]
        y = rng.uniform(20, 200) * (1.0 + 0.8 * promo[:n]) * rng.normal(1.0, 0.03, n)
        histories.append(y)
        tables.append(promo[:, None])
    out = fit_predict_mlforecast(
        histories, 1, horizon, (0.1, 0.5, 0.9), rounds=60, strategy="direct", exogenous=tables
    )
    uplift = [f.point[1] / f.point[0] for f in out if f is not None]
    assert len(uplift) == 30
    assert np.median(uplift) > 1.3


def test_bad_strategy_and_exogenous_shape_are_named() -> None:
    y = np.arange(1.0, 30.0)
    with pytest.raises(ValueError, match="strategy"):
        fit_predict_mlforecast([y, y], 1, 3, (0.5,), strategy="sideways")
    with pytest.raises(ValueError, match="needs 32 rows"):
        fit_predict_mlforecast([y], 1, 3, (0.5,), exogenous=[np.zeros((29, 1))])


def test_counts_with_zeros_get_a_mean_not_a_log_median() -> None:
    """Sparse counts: the point stays near the demand rate (the library's point is a mean);
    a log transform would pull it towards exp(mean log), far below the rate."""
    rng = np.random.default_rng(8)
    histories = [rng.poisson(0.6, 48).astype(np.float64) for _ in range(60)]
    out = fit_predict_mlforecast(histories, 1, 6, (0.1, 0.5, 0.9), rounds=40)
    points = np.concatenate([f.point for f in out if f is not None])
    assert 0.45 < points.mean() < 0.8
    logged = fit_predict_mlforecast(histories, 1, 6, (0.5,), rounds=40, transforms="logdiff")
    assert np.concatenate([f.point for f in logged if f is not None]).mean() < points.mean()


def test_unknown_transforms_are_named() -> None:
    y = np.arange(1.0, 30.0)
    with pytest.raises(ValueError, match="transforms"):
        fit_predict_mlforecast([y, y], 1, 3, (0.5,), transforms="sqrt")
