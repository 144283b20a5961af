"""Metrics on hand-computed cases, as CONTRACTS.md defines them for the bench."""

from __future__ import annotations

import numpy as np
import pytest

from supplymesh.planning.forecast import metrics


def a(*v: float) -> np.ndarray:
    return np.asarray(v, dtype=np.float64)


def test_smape_is_the_m3_definition() -> None:
    # 200·|110−100|/210 = 9.5238..., 200·|90−100|/190 = 10.526..., both zero → 0
    assert metrics.smape(a(110, 90, 0), a(100, 100, 0)) == pytest.approx(
        (2000 / 210 + 2000 / 190 + 0) / 3
    )


def test_mase_scales_by_insample_seasonal_naive_mae() -> None:
    y = a(1, 2, 3, 5, 2, 4)  # m = 2: |3−1|, |5−2|, |2−3|, |4−5| → mean 7/4
    assert metrics.mase_scale(y, 2) == pytest.approx(1.75)
    assert metrics.mase_scale(y, 1) == pytest.approx((1 + 1 + 2 + 3 + 2) / 5)
    assert metrics.mase_scale(a(3, 4), 12) == pytest.approx(1.0)  # too short: m falls back to 1
    assert metrics.mase(a(4, 6), a(5, 4), 1.75) == pytest.approx(1.5 / 1.75)


def test_rmsse() -> None:
    y = a(1, 3, 2, 4)  # diffs 2, −1, 2 → mean square 3
    assert metrics.rmsse(a(5, 5), a(4, 7), y, 1) == pytest.approx(np.sqrt(2.5 / 3))


def test_pinball_spl_coverage_bias() -> None:
    # q = 0.9: under-forecast by 2 costs 1.8, over-forecast by 1 costs 0.1
    assert metrics.pinball(0.9, a(8, 6), a(10, 5)) == pytest.approx((1.8 + 0.1) / 2)
    assert metrics.spl(0.9, a(8, 6), a(10, 5), 0.5) == pytest.approx(1.9)
    assert metrics.coverage(a(8, 6, 3), a(10, 5, 3)) == pytest.approx(2 / 3)
    assert metrics.bias(a(8, 6), a(10, 5)) == pytest.approx(-0.5)
