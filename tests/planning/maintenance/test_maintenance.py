"""RUL engine: per-condition features, metrics and reading C-MAPSS files."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from supplymesh.planning.maintenance.features import fit_conditions, rolling_features, rul_target
from supplymesh.planning.maintenance.metrics import nasa_score, rmse
from supplymesh.planning.maintenance.params import RulParams
from supplymesh.planning.maintenance.problem import (
    FleetSeries,
    MalformedSeries,
    RulProblem,
    read_cmapss,
    read_rul,
)
from supplymesh.planning.maintenance.solve import predict_rul
from tests.planning.maintenance.synthetic import fleet_rows, write_dataset

CMAPSS = Path("/work/shared/data/cmapss")


def _series(rows: list[list[float]]) -> FleetSeries:
    data = np.asarray(rows)
    return FleetSeries(
        data[:, 0].astype(np.int64), data[:, 1].astype(np.int64), data[:, 2:5], data[:, 5:]
    )


@pytest.fixture(scope="module")
def multi() -> FleetSeries:
    rows, _ = fleet_rows(np.random.default_rng(1), 10, truncate=False)
    return _series(rows)


def test_finds_six_operating_conditions(multi: FleetSeries) -> None:
    conditions = fit_conditions(multi, (0, 2, 0), 0.005)
    assert conditions.count == 6
    labels = conditions.assign(multi.settings)
    assert len(np.unique(labels)) == 6


def test_normalising_per_condition_removes_the_condition_offset(multi: FleetSeries) -> None:
    conditions = fit_conditions(multi, (0, 2, 0), 0.005)
    z = conditions.normalise(multi)
    labels = conditions.assign(multi.settings)
    raw_spread = multi.sensors[:, 1].std()
    # The raw reading is dominated by the condition; within a condition it is unit noise.
    assert raw_spread > 20
    for c in range(6):
        assert abs(z[labels == c, 0].mean()) < 1e-9
        assert z[labels == c, 0].std() == pytest.approx(1.0)


def test_drops_sensors_constant_within_every_condition(multi: FleetSeries) -> None:
    conditions = fit_conditions(multi, (0, 2, 0), 0.005)
    # Sensor 0 differs between conditions but never within one; sensor 20 never varies.
    assert 0 not in conditions.kept
    assert 20 not in conditions.kept
    assert len(conditions.kept) == 19


def test_single_condition_noise_is_one_condition() -> None:
    rows, _ = fleet_rows(np.random.default_rng(2), 4, truncate=False, conditions=1)
    assert fit_conditions(_series(rows), (0, 2, 0), 0.005).count == 1


def test_rul_target_is_capped_cycles_to_failure() -> None:
    series = _series([[1, c, 0, 0, 100, 1.0] for c in range(1, 201)])
    target = rul_target(series, cap=125)
    assert target[0] == 125
    assert target[-1] == 0
    assert target[-10] == 9


def test_rolling_features_do_not_look_ahead_and_slopes_are_exact() -> None:
    cycles = np.arange(1, 41)
    series = FleetSeries(
        np.ones(40, dtype=np.int64), cycles.astype(np.int64), np.zeros((40, 3)), np.zeros((40, 1))
    )
    z = (2.0 * cycles + 3.0)[:, None]
    x, names = rolling_features(series, z, np.zeros(40), (5, 10))
    assert x[20, names.index("s0_slope10")] == pytest.approx(2.0)
    assert x[20, names.index("s0_mean5")] == pytest.approx(np.mean(z[16:21, 0]))
    later = z.copy()
    later[30:] += 100.0
    y, _ = rolling_features(series, later, np.zeros(40), (5, 10))
    np.testing.assert_allclose(x[:30], y[:30])


def test_rmse_on_a_hand_computed_case() -> None:
    assert rmse([10.0, 20.0], [12.0, 15.0]) == pytest.approx(math.sqrt((4 + 25) / 2))


def test_nasa_score_penalises_late_more_than_early() -> None:
    # d = −2 (early) and d = +5 (late)
    expected = (math.exp(2 / 13) - 1) + (math.exp(5 / 10) - 1)
    assert nasa_score([10.0, 20.0], [12.0, 15.0]) == pytest.approx(expected)
    assert nasa_score([13.0], [0.0]) > nasa_score([0.0], [13.0])
    assert nasa_score([5.0], [5.0]) == 0.0


def test_predicts_one_rul_per_test_engine(tmp_path: Path) -> None:
    write_dataset(tmp_path)
    problem = RulProblem(
        read_cmapss(tmp_path / "train_FD002.txt"), read_cmapss(tmp_path / "test_FD002.txt")
    )
    result = predict_rul(problem, RulParams(n_estimators=50, ensemble=1))
    assert result.units == tuple(range(1, 9))
    assert all(0 <= p <= 125 for p in result.predicted)
    assert result.conditions == 6
    true = read_rul(tmp_path / "RUL_FD002.txt")
    assert rmse(list(result.predicted), list(true)) < 30


def test_params_are_checked() -> None:
    with pytest.raises(ValueError, match="rul_cap"):
        RulParams(rul_cap=0)
    with pytest.raises(ValueError, match="windows"):
        RulParams(windows=(1,))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("1 1 0 0 100 5\n1 2 0 0 100\n", "columns"),
        ("1 1 0 0 100 5\n1 1 0 0 100 6\n", "increase"),
        ("1 1 0 0 100 x\n", "non-numeric"),
        ("", "no rows"),
        ("1 1 0 0 100 5\n2 1 0 0 100 5\n1 2 0 0 100 5\n", "contiguous"),
    ],
)
def test_rejects_malformed_series(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "train_FD009.txt"
    path.write_text(text)
    with pytest.raises(MalformedSeries, match=fragment):
        read_cmapss(path)


@pytest.mark.skipif(not CMAPSS.is_dir(), reason="shared C-MAPSS data not present on this machine")
def test_reads_the_real_fd001_training_file() -> None:
    series = read_cmapss(CMAPSS / "train_FD001.txt")
    assert len(series.unit) == 20631
    assert len(series.units()) == 100
    assert series.sensors.shape[1] == 21
    assert len(read_rul(CMAPSS / "RUL_FD001.txt")) == 100
