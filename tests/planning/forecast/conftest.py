"""Small synthetic series every forecast test uses: seasonal, trending, intermittent."""

from __future__ import annotations

import numpy as np
import pytest

from supplymesh.planning.forecast.problem import Series


def synthetic_series() -> tuple[Series, ...]:
    """Three named 36-month series with a fixed seed."""
    rng = np.random.default_rng(7)
    t = np.arange(36)
    return (
        Series("seasonal", 100 + 15 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 2, 36), 12),
        Series("trend", 20 + 1.5 * t + rng.normal(0, 2, 36), 12),
        Series("intermittent", rng.poisson(0.4, 36).astype(np.float64), 12),
    )


@pytest.fixture
def series() -> tuple[Series, ...]:
    return synthetic_series()
