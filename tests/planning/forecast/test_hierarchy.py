"""Reconciliation: coherent output, MinT beats bottom-up when bottoms are noisy, fallbacks."""

from __future__ import annotations

import numpy as np
import pytest

from supplymesh.planning.forecast.hierarchy import Hierarchy, reconcile

PATHS = [
    ("total", region, dc, store)
    for region, dcs in (("north", ("dc1", "dc2")), ("south", ("dc3",)))
    for dc in dcs
    for store in ("s1", "s2")
]


def _tree() -> Hierarchy:
    return Hierarchy.from_paths(PATHS)


def test_summing_matrix_and_node_order() -> None:
    h = _tree()
    assert h.nodes[0] == "total"
    assert len(h.bottom) == 6
    assert h.summing.shape == (1 + 2 + 3 + 6, 6)
    assert h.summing[0].sum() == 6
    assert sorted(h.children("total/north")) == ["total/north/dc1", "total/north/dc2"]
    with pytest.raises(ValueError, match="does not match root"):
        Hierarchy.from_paths([("total", "a"), ("other", "b")])


def _noisy_case(
    rng: np.random.Generator, h: Hierarchy, horizon: int, t: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Truth from the bottom up; bottoms forecast badly, upper levels well (as in practice)."""
    level = rng.uniform(50, 150, len(h.bottom))
    truth_bottom = level[:, None] * np.ones((1, horizon))
    truth = h.summing @ truth_bottom
    noise_sd = np.array([5.0 if n in h.bottom else 2.0 for n in h.nodes])
    base = truth + rng.normal(0, 1, truth.shape) * noise_sd[:, None]
    resid = rng.normal(0, 1, (t, len(h.nodes))) * noise_sd
    names = h.nodes
    return (
        {n: base[i] for i, n in enumerate(names)},
        {n: resid[:, i] for i, n in enumerate(names)},
        {n: truth[i] for i, n in enumerate(names)},
    )


def test_reconciled_forecasts_are_coherent_for_every_method() -> None:
    h = _tree()
    base, resid, _ = _noisy_case(np.random.default_rng(1), h, 4, 40)
    for method in ("mint_shrink", "wls_struct", "ols", "bottom_up"):
        out = reconcile(h, base, resid, method).forecasts
        for node in h.nodes:
            kids = h.children(node)
            if kids:
                np.testing.assert_allclose(out[node], sum(out[k] for k in kids), rtol=1e-9)


def test_mint_beats_bottom_up_on_noisy_bottoms() -> None:
    h = _tree()
    rng = np.random.default_rng(2)
    err = {"mint_shrink": 0.0, "bottom_up": 0.0}
    for _ in range(40):
        base, resid, truth = _noisy_case(rng, h, 3, 60)
        for method in err:
            out = reconcile(h, base, resid, method)
            assert out.method == method
            err[method] += sum(float(np.mean((out.forecasts[n] - truth[n]) ** 2)) for n in h.nodes)
    assert err["mint_shrink"] < 0.8 * err["bottom_up"]


def test_mint_without_residuals_falls_back_to_structural_weights_and_says_so() -> None:
    h = _tree()
    base, _, _ = _noisy_case(np.random.default_rng(3), h, 2, 10)
    out = reconcile(h, base, None)
    assert out.method == "wls_struct"
    assert out.reason is not None and "mint_shrink" in out.reason
    with pytest.raises(ValueError, match="no base forecast for node 'total'"):
        reconcile(h, {k: v for k, v in base.items() if k != "total"})
