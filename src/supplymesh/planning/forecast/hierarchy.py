"""Hierarchical coherence: store → DC → region → total (or item → category) on one set of numbers.

Forecasting every tier on its own gives numbers that do not add up, and each tier then plans
on its own truth: the information distortion behind the bullwhip effect. Reconciliation maps
the base forecasts of every node to coherent ones, ``ỹ = S P ŷ``, where S sums bottom nodes
into every node. MinT (Wickramasuriya, Athanasopoulos & Hyndman 2019, JASA 114) picks
``P = (Sᵀ W⁻¹ S)⁻¹ Sᵀ W⁻¹`` with W the covariance of the base forecasts' errors, estimated
from in-sample residuals and shrunk towards its diagonal (Schäfer & Strimmer 2005), which
keeps it invertible with few observations. When it still is not (or no residuals are given),
WLS with structural weights (W = diag(S 1): a node's variance grows with the bottom nodes it
sums) is used and reported.

Our own few lines of linear algebra rather than `hierarchicalforecast`: it is not installed
here, and MinT is small enough to own and test directly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from supplymesh.planning.forecast.problem import FloatArray

METHODS = ("mint_shrink", "wls_struct", "ols", "bottom_up")


@dataclass(frozen=True)
class Hierarchy:
    """Nodes (top-down, parents before children), the bottom nodes, and the summing matrix."""

    nodes: tuple[str, ...]
    bottom: tuple[str, ...]
    summing: FloatArray  # len(nodes) × len(bottom), 0/1
    parent: Mapping[str, str | None]

    @classmethod
    def from_paths(cls, paths: Sequence[Sequence[str]], sep: str = "/") -> Hierarchy:
        """A tree from each bottom node's path from the root, e.g. (total, region, dc, store).

        Node ids join the path with `sep` (``total/north/dc1/s7``), so equal names under
        different parents stay distinct. Every path must start at the same root and have
        the same depth; ValueError names the offending path otherwise.
        """
        if not paths:
            raise ValueError("a hierarchy needs at least one bottom node")
        depth, root = len(paths[0]), paths[0][0] if paths[0] else None
        nodes: list[str] = []
        parent: dict[str, str | None] = {}
        bottom: list[str] = []
        for path in paths:
            if len(path) != depth or path[0] != root or depth < 1:
                raise ValueError(f"path {tuple(path)} does not match root {root!r}, depth {depth}")
            prev: str | None = None
            for k in range(1, depth + 1):
                node = sep.join(path[:k])
                if node not in parent:
                    parent[node] = prev
                    nodes.append(node)
                prev = node
            if prev in bottom:
                raise ValueError(f"bottom node {prev!r} listed twice")
            bottom.append(str(prev))
        order = sorted(nodes, key=lambda n: (n.count(sep), nodes.index(n)))
        s = np.zeros((len(order), len(bottom)))
        for j, b in enumerate(bottom):
            up: str | None = b
            while up is not None:
                s[order.index(up), j] = 1.0
                up = parent[up]
        return cls(tuple(order), tuple(bottom), s, parent)

    def children(self, node: str) -> list[str]:
        """Direct children of `node`."""
        return [n for n in self.nodes if self.parent[n] == node]


@dataclass(frozen=True)
class Reconciled:
    """Coherent forecasts per node, the method actually used and why it differs, if it does."""

    forecasts: Mapping[str, FloatArray]
    method: str
    reason: str | None = None


def shrunk_covariance(residuals: FloatArray) -> FloatArray:
    """Schäfer–Strimmer shrinkage of the residual covariance towards its diagonal.

    `residuals` is T × n (observations × nodes, NaN-free). The shrinkage intensity is the
    estimated variance of the off-diagonal correlations over their squares, clipped to [0, 1].
    """
    t, n = residuals.shape
    x = residuals - residuals.mean(axis=0)
    sd = x.std(axis=0, ddof=1)
    sd_safe = np.where(sd > 0, sd, 1.0)
    z = x / sd_safe
    cov = x.T @ x / max(t - 1, 1)
    w = z[:, :, None] * z[:, None, :]  # T × n × n
    r = w.mean(axis=0) * t / max(t - 1, 1)
    var_r = ((w - w.mean(axis=0)) ** 2).sum(axis=0) * t / max((t - 1) ** 3, 1)
    off = ~np.eye(n, dtype=bool)
    denom = float(np.sum(r[off] ** 2))
    lam = 1.0 if denom <= 0 else float(np.clip(np.sum(var_r[off]) / denom, 0.0, 1.0))
    shrunk = (1.0 - lam) * cov
    shrunk[np.diag_indices(n)] = np.diag(cov)
    return np.asarray(shrunk, dtype=np.float64)


def _projection(s: FloatArray, w: FloatArray) -> FloatArray:
    """P = (Sᵀ W⁻¹ S)⁻¹ Sᵀ W⁻¹; LinAlgError when W or Sᵀ W⁻¹ S is singular."""
    if np.linalg.cond(w) > 1e12:
        raise np.linalg.LinAlgError("covariance is singular")
    w_inv_s = np.linalg.solve(w, s)
    return np.asarray(np.linalg.solve(s.T @ w_inv_s, w_inv_s.T), dtype=np.float64)


def reconcile(
    hierarchy: Hierarchy,
    base: Mapping[str, FloatArray],
    residuals: Mapping[str, FloatArray] | None = None,
    method: str = "mint_shrink",
) -> Reconciled:
    """Coherent forecasts for every node from base forecasts of every node.

    Parameters
    ----------
    hierarchy
        The tree.
    base
        Node → base forecast (horizon,), for every node of the tree.
    residuals
        Node → in-sample one-step residuals, all the same length; needed by ``mint_shrink``.
    method
        ``mint_shrink`` (default), ``wls_struct``, ``ols`` or ``bottom_up``.
    """
    if method not in METHODS:
        raise ValueError(f"unknown reconciliation method {method!r}; known: {', '.join(METHODS)}")
    missing = [n for n in hierarchy.nodes if n not in base]
    if missing:
        raise ValueError(f"no base forecast for node {missing[0]!r}")
    s = hierarchy.summing
    y = np.vstack([np.asarray(base[n], dtype=np.float64) for n in hierarchy.nodes])
    used, reason = method, None
    if method == "bottom_up":
        bottom_rows = [hierarchy.nodes.index(b) for b in hierarchy.bottom]
        p = np.zeros((len(hierarchy.bottom), len(hierarchy.nodes)))
        p[np.arange(len(bottom_rows)), bottom_rows] = 1.0
    else:
        p_mint: FloatArray | None = None
        if method == "mint_shrink":
            try:
                if not residuals or any(n not in residuals for n in hierarchy.nodes):
                    raise np.linalg.LinAlgError("no residuals for every node")
                e = np.column_stack([np.asarray(residuals[n], float) for n in hierarchy.nodes])
                if e.shape[0] < 3 or not np.all(np.isfinite(e)):
                    raise np.linalg.LinAlgError("fewer than 3 finite residual rows")
                p_mint = _projection(s, shrunk_covariance(e))
            except np.linalg.LinAlgError as exc:
                used, reason = "wls_struct", f"mint_shrink not usable ({exc}); used wls_struct"
        if p_mint is None:
            weights = s.sum(axis=1) if used == "wls_struct" else np.ones(len(hierarchy.nodes))
            p = _projection(s, np.diag(weights))
        else:
            p = p_mint
    coherent = s @ (p @ y)
    return Reconciled({n: coherent[i] for i, n in enumerate(hierarchy.nodes)}, used, reason)
