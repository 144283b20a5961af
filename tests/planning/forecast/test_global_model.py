"""The global LightGBM model and the validation-chosen smooth combination."""

from __future__ import annotations

import numpy as np
import pytest

from supplymesh.planning.forecast.global_model import fit_predict_lightgbm
from supplymesh.planning.forecast.metrics import smape
from supplymesh.planning.forecast.models import build
from supplymesh.planning.forecast.params import ForecastParams
from supplymesh.planning.forecast.problem import ForecastProblem, Series
from supplymesh.planning.forecast.solve import choose_smooth, forecast


def _seasonal_family(n: int, length: int, seed: int) -> list[np.ndarray]:
    """Series sharing one seasonal shape at different levels: what pooling should learn."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    shape = 1.0 + 0.3 * np.sin(2 * np.pi * t / 12)
    return [rng.uniform(10, 1000) * shape * rng.normal(1.0, 0.02, length) for _ in range(n)]


def test_global_model_learns_a_shared_season_across_levels() -> None:
    full = _seasonal_family(40, 60, seed=3)
    train, test = [y[:-12] for y in full], [y[-12:] for y in full]
    out = fit_predict_lightgbm(train, 12, 12, (0.1, 0.5, 0.9), rounds=60)
    assert all(f is not None for f in out)
    errors = [smape(f.point, a) for f, a in zip(out, test, strict=True) if f is not None]
    flat = [smape(np.full(12, y.mean()), a) for y, a in zip(train, test, strict=True)]
    assert np.mean(errors) < 0.5 * np.mean(flat)
    f0 = out[0]
    assert f0 is not None
    assert np.all(np.diff(f0.quantiles, axis=0) >= 0)


def test_all_zero_series_gets_the_fallback_through_the_engine() -> None:
    series = [Series(f"s{i}", y, 12) for i, y in enumerate(_seasonal_family(12, 40, seed=4))]
    series.append(Series("zeros", np.zeros(40), 12))
    problem = ForecastProblem(tuple(series), 6)
    result = forecast(problem, ForecastParams(models=("LightGBM",), auto=False))
    by_id = {f.series_id: f for f in result.of("LightGBM")}
    assert by_id["zeros"].used == "Naive"
    assert "LightGBM" in (by_id["zeros"].fallback_reason or "")
    assert by_id["s0"].used == "LightGBM"
    assert result.seconds["LightGBM"] > 0


def test_global_model_is_not_built_per_series() -> None:
    with pytest.raises(ValueError, match="global model"):
        build("mean[AutoETS+LightGBM]", 12)


def test_validation_choice_uses_only_the_histories() -> None:
    """A seasonal family: the seasonal candidate wins inside the history, so it is chosen.

    The problem's histories are all the choice sees; changing values past them (a test
    set) cannot change it.
    """
    full = _seasonal_family(10, 48, seed=6)
    problem = ForecastProblem(tuple(Series(f"s{i}", y, 12) for i, y in enumerate(full)), 12)
    params = ForecastParams(
        models=("Naive",),
        smooth_candidates=("Naive", "SeasonalNaive", "mean[Naive+SeasonalNaive]"),
    )
    assert choose_smooth(problem, params) == "SeasonalNaive"
    result = forecast(problem, params)
    assert {f.used for f in result.of("auto")} == {"SeasonalNaive"}


def test_promotion_uplift_is_learned_from_a_known_in_advance_regressor() -> None:
    rng = np.random.default_rng(11)
    histories, tables = [], []
    horizon = 4
    for _ in range(30):
        n = 60
        promo = (rng.random(n + horizon) < 0.15).astype(np.float64)
        promo[-horizon:] = [0.0, 1.0, 0.0, 0.0]  # a promotion planned for step 2
        level = rng.uniform(20, 200)
        y = level * (1.0 + 0.8 * promo[:n]) * rng.normal(1.0, 0.03, n)
        histories.append(y)
        tables.append(promo[:, None])
    out = fit_predict_lightgbm(histories, 1, horizon, (0.1, 0.5, 0.9), rounds=60, exogenous=tables)
    uplift = [f.point[1] / f.point[0] for f in out if f is not None]
    assert len(uplift) == 30
    assert np.median(uplift) > 1.5


def test_spring_festival_dip_moves_with_the_date() -> None:
    """Weekly demand dips in the festival week; 2025's festival (29 Jan) is 12 days before
    2024's (10 Feb), and the forecast's dip follows the 2025 date, not last year's week."""
    from datetime import date, timedelta

    from supplymesh.planning.forecast.calendar import calendar_features, spring_festival

    first = date(2016, 1, 6)
    starts = [first + timedelta(weeks=k) for k in range(500)]
    fc_start = next(i for i, d in enumerate(starts) if d >= date(2025, 1, 1))
    horizon = 8
    feats = calendar_features(starts[: fc_start + horizon], period_days=7)
    rng = np.random.default_rng(12)
    histories, tables = [], []
    for _ in range(12):
        y = rng.uniform(50, 500) * (1.0 - 0.6 * feats[:fc_start, 0]) * rng.normal(1, 0.03, fc_start)
        histories.append(y)
        tables.append(feats)
    out = fit_predict_lightgbm(histories, 1, horizon, (0.5,), rounds=60, exogenous=tables)
    sf = spring_festival(2025)
    dip_week = next(
        k
        for k in range(horizon)
        if starts[fc_start + k] <= sf < starts[fc_start + k] + timedelta(7)
    )
    last_year_week = next(
        k
        for k in range(horizon)
        if starts[fc_start + k] - timedelta(weeks=52)
        <= spring_festival(2024)
        < starts[fc_start + k] - timedelta(weeks=51)
    )
    assert dip_week != last_year_week
    for f in out:
        assert f is not None
        assert int(np.argmin(f.point)) == dip_week


def test_exogenous_tables_must_cover_history_and_horizon() -> None:
    y = np.arange(1.0, 30.0)
    with pytest.raises(ValueError, match="needs 32 rows"):
        fit_predict_lightgbm([y], 1, 3, (0.5,), exogenous=[np.zeros((29, 1))])
