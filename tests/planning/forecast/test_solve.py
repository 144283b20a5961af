"""The engine: every model and `auto` per series, fallbacks reported, bad input named."""

from __future__ import annotations

import numpy as np
import pytest

from supplymesh.planning.forecast.params import ForecastParams
from supplymesh.planning.forecast.problem import ForecastProblem, InvalidSeries, Series
from supplymesh.planning.forecast.select import average_interdemand_interval, is_intermittent
from supplymesh.planning.forecast.solve import AUTO, forecast

CHEAP = ("SeasonalNaive", "AutoETS", "CrostonSBA", "IMAPA")


def test_all_models_and_auto_forecast_every_series(series: tuple[Series, ...]) -> None:
    result = forecast(ForecastProblem(series, 6), ForecastParams(models=CHEAP))
    assert set(result.forecasts) == {*CHEAP, AUTO}
    for name in (*CHEAP, AUTO):
        got = result.of(name)
        assert [f.series_id for f in got] == [s.id for s in series]
        for f in got:
            assert f.point.shape == (6,) and f.quantiles.shape == (3, 6)
    assert result.fallbacks == ()
    by_id = {f.series_id: f for f in result.of(AUTO)}
    assert by_id["intermittent"].used in ForecastParams().intermittent_candidates
    assert by_id["seasonal"].used == ForecastParams().smooth_auto


def test_too_short_series_gets_the_fallback_and_it_is_reported() -> None:
    problem = ForecastProblem((Series("SKU-9", np.array([4.0, 5.0]), 12),), 3)
    result = forecast(problem, ForecastParams(models=("SeasonalNaive", "AutoETS")))
    ets = result.of("AutoETS")[0]
    assert ets.used == "Naive" and ets.point.tolist() == [5.0, 5.0, 5.0]
    assert ets.fallback_reason is not None and "SKU-9" in ets.fallback_reason
    reported = {(fb.series_id, fb.model, fb.used) for fb in result.fallbacks}
    assert ("SKU-9", "AutoETS", "Naive") in reported
    assert ("SKU-9", "SeasonalNaive", "Naive") in reported


def test_one_observation_still_forecasts() -> None:
    result = forecast(ForecastProblem((Series("new", np.array([7.0])),), 2))
    for forecasts in result.forecasts.values():
        assert forecasts[0].point.tolist() == [7.0, 7.0]


@pytest.mark.parametrize(
    ("values", "message"),
    [([1.0, np.nan, 3.0], "missing"), ([1.0, -2.0, 3.0], "negative demand -2"), ([], "no obs")],
)
def test_bad_input_names_the_series(values: list[float], message: str) -> None:
    good = Series("ok", np.arange(1.0, 13.0))
    with pytest.raises(InvalidSeries, match=f"'DC-1/SKU-42'.*{message}"):
        forecast(ForecastProblem((good, Series("DC-1/SKU-42", np.array(values))), 3))


def test_process_pool_gives_the_same_forecasts_as_one_process() -> None:
    rng = np.random.default_rng(3)
    many = tuple(Series(f"s{i:02d}", rng.poisson(3.0, 30).astype(np.float64)) for i in range(16))
    one = forecast(ForecastProblem(many, 4), ForecastParams(models=("Naive", "TSB")))
    two = forecast(ForecastProblem(many, 4), ForecastParams(models=("Naive", "TSB"), n_jobs=2))
    for name in ("Naive", "TSB", AUTO):
        for f1, f2 in zip(one.of(name), two.of(name), strict=True):
            assert f1.series_id == f2.series_id
            np.testing.assert_allclose(f1.quantiles, f2.quantiles)


def test_params_and_problem_reject_nonsense() -> None:
    with pytest.raises(ValueError, match="unknown model 'Prophet'"):
        ForecastParams(models=("Prophet",))
    with pytest.raises(ValueError, match="n_jobs"):
        ForecastParams(n_jobs=0)
    with pytest.raises(ValueError, match="quantiles"):
        ForecastProblem((), 3, (0.9, 0.1))
    with pytest.raises(ValueError, match="duplicate series id 'a'"):
        ForecastProblem((Series("a", np.ones(3)), Series("a", np.ones(3))), 3)


def test_intermittence_uses_the_adi_cutoff() -> None:
    y = np.array([0.0, 3.0, 0.0, 0.0, 1.0, 0.0])
    assert average_interdemand_interval(y) == 3.0
    assert is_intermittent(y, 1.32) and not is_intermittent(np.ones(6), 1.32)


def test_intermittent_auto_uses_the_median_of_the_backtest_winner() -> None:
    y = np.array([0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 2] * 3, dtype=np.float64)
    problem = ForecastProblem((Series("sparse", y),), 6)
    result = forecast(problem, ForecastParams(models=("TSB", "IMAPA")))
    chosen = result.of(AUTO)[0]
    assert chosen.used in ForecastParams().intermittent_candidates
    np.testing.assert_array_equal(chosen.point, chosen.quantiles[1])  # the 0.5 level
    assert np.all(chosen.point == 0.0)  # a sparse series' median is no demand
