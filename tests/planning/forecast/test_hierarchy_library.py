"""Our MinT against Nixtla's `hierarchicalforecast` 1.5.3 on the same small hierarchy.

The planning service reconciles with the library (`replan.coherence`); this pins that the
two give the same numbers for the methods both have, so either can stand in for the other.
"""

from __future__ import annotations

import numpy as np
import pytest
from hierarchicalforecast.methods import MinTrace  # type: ignore[import-untyped]

from supplymesh.planning.forecast.hierarchy import Hierarchy, reconcile

PATHS = [
    ("total", "east", "dc1", "s1"),
    ("total", "east", "dc1", "s2"),
    ("total", "east", "dc2", "s3"),
    ("total", "south", "dc3", "s4"),
    ("total", "south", "dc3", "s5"),
    ("total", "south", "dc3", "s6"),
]


def _case(seed: int) -> tuple[Hierarchy, np.ndarray, np.ndarray, np.ndarray]:
    """Base forecasts (nodes × 7) and in-sample values and fits whose errors co-move."""
    h = Hierarchy.from_paths(PATHS)
    rng = np.random.default_rng(seed)
    n, t = len(h.nodes), 60
    common = rng.normal(0.0, 1.0, (t, 1)) * 0.8
    bottom_errors = common + rng.normal(0.0, 1.0, (t, len(h.bottom)))
    errors = (h.summing @ bottom_errors.T).T + rng.normal(0.0, 0.4, (t, n))
    y_hat = rng.gamma(3.0, 4.0, (n, 7)) * h.summing.sum(axis=1, keepdims=True)
    y = rng.gamma(3.0, 4.0, (n, t))
    return h, y_hat, y, y - errors.T


@pytest.mark.parametrize("method", ["ols", "wls_struct", "mint_shrink"])
@pytest.mark.parametrize("seed", [1, 2])
def test_same_reconciled_numbers_as_hierarchicalforecast(method: str, seed: int) -> None:
    h, y_hat, y, fitted = _case(seed)
    ours = reconcile(
        h,
        {node: y_hat[i] for i, node in enumerate(h.nodes)},
        {node: (y - fitted)[i] for i, node in enumerate(h.nodes)},
        method,
    )
    assert ours.method == method and ours.reason is None
    mine = np.vstack([ours.forecasts[node] for node in h.nodes])
    lib = MinTrace(method=method).fit_predict(
        S=h.summing, y_hat=y_hat, y_insample=y, y_hat_insample=fitted
    )["mean"]
    # mint_shrink: the library adds a 2e-8 ridge to the shrunk covariance, hence not 1e-12.
    assert np.allclose(mine, lib, rtol=1e-6, atol=1e-6)
    assert np.allclose(h.summing @ mine[-len(h.bottom) :], mine)  # coherent
    assert not np.allclose(mine, y_hat)  # the base forecasts were not coherent


def test_mint_shrink_differs_from_wls_when_errors_co_move() -> None:
    """A check that the comparison above can fail: the methods do give different numbers."""
    h, y_hat, y, fitted = _case(3)
    base = {node: y_hat[i] for i, node in enumerate(h.nodes)}
    res = {node: (y - fitted)[i] for i, node in enumerate(h.nodes)}
    a = reconcile(h, base, res, "mint_shrink").forecasts
    b = reconcile(h, base, res, "wls_struct").forecasts
    assert max(float(np.max(np.abs(a[n] - b[n]))) for n in h.nodes) > 1e-3
