"""One contract test for every model of the library (statsforecast's `assert_class` idea)."""

from __future__ import annotations

import numpy as np
import pytest

from supplymesh.planning.forecast.models import (
    DEFAULT_MODELS,
    LIBRARY,
    SLOW_MODELS,
    build,
    check_model_name,
    parse_combination,
)
from supplymesh.planning.forecast.problem import Series

QUANTILES = (0.1, 0.5, 0.9)
MODELS = [*LIBRARY, "mean[AutoETS+AutoTheta+AutoARIMA]", "median[AutoETS+DOTM+AutoCES]"]


@pytest.mark.parametrize("name", MODELS)
def test_every_model_gives_finite_ordered_forecasts(name: str, series: tuple[Series, ...]) -> None:
    for s in series:
        f = build(name, s.season_length).fit(s.values).predict(6, QUANTILES)
        assert f.point.shape == (6,), (name, s.id)
        assert f.quantiles.shape == (3, 6), (name, s.id)
        assert np.all(np.isfinite(f.point)) and np.all(np.isfinite(f.quantiles)), (name, s.id)
        assert np.all(np.diff(f.quantiles, axis=0) >= 0), (name, s.id)
        assert np.all(f.quantiles >= 0) and np.all(f.point >= 0), (name, s.id)


def test_count_series_get_integer_quantiles_from_intermittent_models(
    series: tuple[Series, ...],
) -> None:
    s = series[2]
    f = build("TSB", 1).fit(s.values).predict(4, QUANTILES)
    assert np.all(f.quantiles == np.round(f.quantiles))


def test_default_set_leaves_out_autoarima() -> None:
    assert "AutoARIMA" in SLOW_MODELS and "AutoARIMA" not in DEFAULT_MODELS
    assert {"SeasonalNaive", "AutoETS", "AutoTheta", "CrostonClassic", "IMAPA"} <= set(
        DEFAULT_MODELS
    )


def test_combination_names_parse_and_unknown_names_are_named() -> None:
    assert parse_combination("median[AutoETS+DOTM]") == ("median", ("AutoETS", "DOTM"))
    assert parse_combination("AutoETS") is None
    with pytest.raises(ValueError, match="Prophet"):
        check_model_name("mean[AutoETS+Prophet]")
    with pytest.raises(ValueError, match="two members"):
        check_model_name("mean[AutoETS]")
