"""Lagrangian branch-and-bound over the site decisions that probing leaves open.

On tight capb/capc-like instances the Lagrangian bound (≈ the strong LP bound) stays a few
tenths of a percent below the best plan, and neither more multipliers nor Benders cuts over y
move it much: the slack lies in *which* sites open together, so it has to be branched on. Each
node fixes some sites open or closed and re-optimises the multipliers from its parent's (its
λ is nearly right, so a few dozen subgradient steps suffice), which lifts the node's bound well
above what the parent's λ gives; Lagrangian probing then fixes every site whose flip would
exceed the incumbent, so most branches die within a few levels (the scheme of Görtz & Klose
2012 for the real capa/b/c). Every node's site choice is priced by the transportation LP, the
primal side of the search. Nodes go best-bound first, so the bound reported at the time limit
is the smallest bound of any node still open.
"""

from __future__ import annotations

import heapq
import math
import time
from dataclasses import dataclass, field

import numpy as np

from supplymesh.planning.network_design.heuristic import PlanPricer
from supplymesh.planning.network_design.lagrangian import Relaxation, site_knapsacks
from supplymesh.planning.network_design.problem import BoolArray, FloatArray

NODE_STEPS = 60
STALL_STEPS = 6
AVERAGING = 0.2


@dataclass(frozen=True, eq=False)
class SiteCover:
    """The y part of the Lagrangian: cheapest sites to open under fixings and a count range.

    With equal capacities the covering knapsack Σ s_i y_i ≥ Σ d_j is a minimum count, so the
    choice is exact (and the range of open-site counts a better plan may have applies); with
    unequal ones its LP relaxation keeps the bound valid.
    """

    capacities: FloatArray
    total_demand: float
    fewest: int
    most: int

    def choose(
        self, values: FloatArray, fixed_open: BoolArray, fixed_closed: BoolArray
    ) -> tuple[float, FloatArray] | None:
        """Σ ρ_i y_i at the cheapest admissible y, and y; None when no y fits the fixings."""
        caps = self.capacities
        free = ~(fixed_open | fixed_closed) & (caps > 0)
        weights = fixed_open.astype(np.float64)
        if caps.size and np.ptp(caps) == 0.0 and caps[0] > 0:
            n_open = int(fixed_open.sum())
            need = max(math.ceil(self.total_demand / caps[0] - 1e-9), self.fewest, n_open)
            order = np.flatnonzero(free)
            order = order[np.argsort(values[order], kind="stable")]
            last = min(self.most, n_open + order.size) - n_open
            first = need - n_open
            if first > last:
                return None
            prefix = np.concatenate([[0.0], np.cumsum(values[order])])
            count = first + int(np.argmin(prefix[first : last + 1]))
            weights[order[:count]] = 1.0
            return float(values[fixed_open].sum() + prefix[count]), weights
        weights[free & (values < 0.0)] = 1.0
        missing = self.total_demand - float(caps @ weights)
        rest = np.flatnonzero(free & (weights == 0.0))
        for site in rest[np.argsort(values[rest] / caps[rest], kind="stable")]:
            if missing <= 1e-9:
                break
            share = min(1.0, missing / caps[site])
            weights[site] = share
            missing -= share * caps[site]
        if missing > 1e-9:
            return None
        return float(values @ weights), weights


@dataclass(order=True)
class _Node:
    bound: float
    order: int
    fixed_open: BoolArray = field(compare=False)
    fixed_closed: BoolArray = field(compare=False)
    multipliers: FloatArray = field(compare=False)


@dataclass(frozen=True, eq=False)
class _Best:
    bound: float
    multipliers: FloatArray
    values: FloatArray
    weights: FloatArray
    average: FloatArray


@dataclass(eq=False)
class BranchAndBound:
    """Best-bound search over the sites neither fixed open nor closed.

    `sites` are the columns kept (every site not settled closed); `fixed_open` is indexed
    like `sites`. The pricer holds the incumbent; `lower_bound` is valid for the whole
    problem whenever the search stops.
    """

    relaxation: Relaxation
    pricer: PlanPricer
    sites: np.ndarray
    fixed_open: BoolArray
    cover: SiteCover
    gap: float = 1e-9
    nodes: int = 0
    lower_bound: float = -math.inf
    _heap: list[_Node] = field(default_factory=list)
    _count: int = 0

    def run(self, multipliers: FloatArray, deadline: float) -> bool:
        """Search until every node is closed (True: the incumbent is optimal) or time is up."""
        rel = self.relaxation
        cost = rel.cost[self.sites]
        caps = rel.capacities[self.sites]
        fixed = rel.fixed[self.sites]
        closed = np.zeros(self.sites.size, dtype=bool)
        self._push(-math.inf, self.fixed_open.copy(), closed, multipliers)
        while self._heap and time.perf_counter() < deadline:
            node = heapq.heappop(self._heap)
            if node.bound >= self._cutoff():
                continue
            self.nodes += 1
            self._expand(node, cost, caps, fixed, deadline)
        cutoff = self._cutoff()
        self.lower_bound = min([n.bound for n in self._heap] + [cutoff])
        return self.lower_bound >= cutoff

    def _cutoff(self) -> float:
        best = self.pricer.best
        if best is None:
            return math.inf
        return best.cost - self.gap * abs(best.cost)

    def _push(
        self, bound: float, fixed_open: BoolArray, fixed_closed: BoolArray, lam: FloatArray
    ) -> None:
        self._count += 1
        heapq.heappush(self._heap, _Node(bound, self._count, fixed_open, fixed_closed, lam))

    def _expand(
        self,
        node: _Node,
        cost: FloatArray,
        caps: FloatArray,
        fixed: FloatArray,
        deadline: float,
    ) -> None:
        best = self._ascend(node, cost, caps, fixed)
        if best is None or best.bound >= self._cutoff():
            return
        self._price(best.weights, deadline)
        fixed_open, fixed_closed = node.fixed_open.copy(), node.fixed_closed.copy()
        lam_sum = float(best.multipliers.sum())
        if not self.settle(best.values, lam_sum, fixed_open, fixed_closed):
            return
        free = np.flatnonzero(~(fixed_open | fixed_closed))
        if free.size == 0:
            # A leaf is closed by its price; out of time, it stays open with its bound.
            if not self._price(fixed_open.astype(np.float64), deadline):
                self._push(best.bound, fixed_open, fixed_closed, best.multipliers)
            return
        chosen = self.cover.choose(best.values, fixed_open, fixed_closed)
        if chosen is None:
            return
        bound = max(best.bound, lam_sum + chosen[0])
        if bound >= self._cutoff():
            return
        site = int(free[np.argmin(np.abs(best.average[free] - 0.5))])
        for is_open in (True, False):
            child_open, child_closed = fixed_open.copy(), fixed_closed.copy()
            (child_open if is_open else child_closed)[site] = True
            child = self.cover.choose(best.values, child_open, child_closed)
            if child is None:
                continue
            child_bound = max(bound, lam_sum + child[0])
            if child_bound < self._cutoff():
                self._push(child_bound, child_open, child_closed, best.multipliers)

    def _ascend(
        self, node: _Node, cost: FloatArray, caps: FloatArray, fixed: FloatArray
    ) -> _Best | None:
        """Subgradient steps from the parent's multipliers; the best point, or None if empty.

        `average` is the running average of the y chosen: a primal estimate that tells
        which site the node is undecided about.
        """
        rel = self.relaxation
        lam = node.multipliers.copy()
        best: _Best | None = None
        average: FloatArray | None = None
        scale, stale = 1.0, 0
        for _ in range(NODE_STEPS):
            values, shares = site_knapsacks(cost, rel.demands, caps, fixed, lam)
            chosen = self.cover.choose(values, node.fixed_open, node.fixed_closed)
            if chosen is None:
                return None
            bound = float(lam.sum()) + chosen[0]
            weights = chosen[1]
            average = weights if average is None else average + AVERAGING * (weights - average)
            if best is None or bound > best.bound + 1e-12 * abs(bound):
                best = _Best(bound, lam, values, weights, weights)
                stale = 0
            else:
                stale += 1
                if stale >= STALL_STEPS:
                    scale, stale = scale / 2, 0
            cutoff = self._cutoff()
            if best.bound >= cutoff:
                break
            gradient = 1.0 - shares.T @ weights
            norm2 = float(gradient @ gradient)
            if norm2 <= 1e-12:
                break
            target = cutoff if math.isfinite(cutoff) else bound * 1.01 + 1.0
            lam = lam + scale * max(target - bound, 1e-9 * abs(target)) / norm2 * gradient
        assert best is not None and average is not None
        return _Best(best.bound, best.multipliers, best.values, best.weights, average)

    def settle(
        self, values: FloatArray, lam_sum: float, fixed_open: BoolArray, fixed_closed: BoolArray
    ) -> bool:
        """Fix free sites whose flip lifts the bound past the incumbent; False if none fits."""
        cutoff = self._cutoff()
        for site in np.flatnonzero(~(fixed_open | fixed_closed)):
            fixed_open[site] = True
            opened = self.cover.choose(values, fixed_open, fixed_closed)
            fixed_open[site] = False
            if opened is None or lam_sum + opened[0] >= cutoff:
                fixed_closed[site] = True
                continue
            fixed_closed[site] = True
            shut = self.cover.choose(values, fixed_open, fixed_closed)
            fixed_closed[site] = False
            if shut is None or lam_sum + shut[0] >= cutoff:
                fixed_open[site] = True
        return self.cover.choose(values, fixed_open, fixed_closed) is not None

    def _price(self, weights: FloatArray, deadline: float) -> bool:
        """Price the sites `weights` opens (rounded up); True once that set has a price."""
        chosen = weights > 1e-9
        if self.cover.capacities @ chosen < self.cover.total_demand - 1e-9:
            return True  # no plan opens just these: nothing to price, nothing to keep
        open_sites = np.zeros(self.relaxation.problem.n_sites, dtype=bool)
        open_sites[self.sites[chosen]] = True
        self.pricer.price(open_sites, deadline)
        return self.pricer.has_seen(open_sites)


def open_count_range(
    cuts: list[tuple[float, FloatArray]],
    fixed_open: BoolArray,
    fixed_closed: BoolArray,
    cutoff: float,
) -> tuple[int, int]:
    """Numbers of open sites k that some plan below `cutoff` could have.

    Each Lagrangian cut z ≥ c + Σ_i ρ_i y_i bounds every plan with k open sites by c plus
    the k smallest slopes (fixed-open sites included, closed ones excluded), so a k whose
    best such bound exceeds the cutoff is impossible. On capa/b/c-like data this pins k to
    one or two values, which the node bounds then respect. An empty range (1, 0) means no
    plan beats the cutoff.
    """
    m = fixed_open.size
    fewest = int(fixed_open.sum())
    most = m - int(fixed_closed.sum())
    if not cuts or not math.isfinite(cutoff):
        return fewest, most
    free = ~(fixed_open | fixed_closed)
    constants = np.array([c for c, _ in cuts])
    slopes = np.array([s for _, s in cuts])
    base = constants + slopes[:, fixed_open].sum(axis=1)
    ranked = np.sort(slopes[:, free], axis=1)
    prefix = np.concatenate([np.zeros((len(cuts), 1)), np.cumsum(ranked, axis=1)], axis=1)
    bound_by_k = (base[:, None] + prefix).max(axis=0)  # index: number of free sites open
    possible = np.flatnonzero(bound_by_k <= cutoff)
    if possible.size == 0:
        return 1, 0
    return fewest + int(possible[0]), fewest + int(possible[-1])
