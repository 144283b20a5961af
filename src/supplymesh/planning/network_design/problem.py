"""The capacitated facility location problem as plain arrays, checked on construction.

Costs follow the OR-Library convention (Beasley 1988): ``assignment_cost[i, j]`` is the cost
of serving *all* of customer j's demand from site i, so serving a fraction x_ij costs
x_ij · assignment_cost[i, j]. A per-unit ``variable_cost[i]`` (handling at the site) adds
``variable_cost[i] · demand[j]`` to that. Forbidden assignments (beyond a service distance,
or marked by an infinite cost) never carry flow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class MalformedProblem(ValueError):
    """The input cannot describe a facility location problem; the message names the record."""


class InfeasibleProblem(ValueError):
    """No plan can satisfy the input; the message names the offending record."""


@dataclass(frozen=True, eq=False)
class FacilityProblem:
    """Candidate sites, customers and what it costs to connect them.

    Parameters
    ----------
    name
        Instance name (a file stem, or a scenario label).
    capacities
        Units each site can serve, shape (m,).
    fixed_costs
        Cost of opening each site, shape (m,).
    demands
        Units each customer needs, shape (n,); all must be > 0.
    assignment_cost
        Cost of serving all of customer j's demand from site i, shape (m, n); ``inf`` forbids.
    variable_cost
        Per-unit handling cost at each site, shape (m,); default zero.
    distances
        Site–customer distances, shape (m, n), only needed with ``max_service_distance``.
    max_service_distance
        Assignments farther than this are forbidden (same unit as ``distances``).
    single_sourcing
        Each customer is served by exactly one site (otherwise demand may be split).
    force_open, force_closed
        Site indices whose decision is taken already.
    site_names, customer_names
        Labels for messages and reports; default ``site 1..m``/``customer 1..n``.
    """

    name: str
    capacities: FloatArray
    fixed_costs: FloatArray
    demands: FloatArray
    assignment_cost: FloatArray
    variable_cost: FloatArray | None = None
    distances: FloatArray | None = None
    max_service_distance: float | None = None
    single_sourcing: bool = False
    force_open: frozenset[int] = frozenset()
    force_closed: frozenset[int] = frozenset()
    site_names: tuple[str, ...] = ()
    customer_names: tuple[str, ...] = ()
    _allowed: BoolArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        m, n = self.assignment_cost.shape if self.assignment_cost.ndim == 2 else (0, 0)
        if self.assignment_cost.ndim != 2 or m == 0 or n == 0:
            raise MalformedProblem(f"{self.name}: assignment_cost must be a non-empty m×n matrix")
        for label, arr in (
            ("capacities", self.capacities),
            ("fixed_costs", self.fixed_costs),
            ("variable_cost", self.variable_cost),
        ):
            if arr is not None and arr.shape != (m,):
                raise MalformedProblem(f"{self.name}: {label} has shape {arr.shape}, want ({m},)")
        if self.demands.shape != (n,):
            raise MalformedProblem(
                f"{self.name}: demands has shape {self.demands.shape}, want ({n},)"
            )
        if not self.site_names:
            object.__setattr__(self, "site_names", tuple(f"site {i + 1}" for i in range(m)))
        if not self.customer_names:
            names = tuple(f"customer {j + 1}" for j in range(n))
            object.__setattr__(self, "customer_names", names)
        if len(self.site_names) != m or len(self.customer_names) != n:
            raise MalformedProblem(f"{self.name}: site or customer names do not match the matrix")
        self._check_values()
        allowed = np.isfinite(self.assignment_cost)
        if self.max_service_distance is not None:
            if self.distances is None or self.distances.shape != (m, n):
                raise MalformedProblem(
                    f"{self.name}: max_service_distance needs an m×n distances matrix"
                )
            allowed &= self.distances <= self.max_service_distance
        object.__setattr__(self, "_allowed", allowed)

    def _check_values(self) -> None:
        for i, (cap, fixed) in enumerate(zip(self.capacities, self.fixed_costs, strict=True)):
            if not (np.isfinite(cap) and cap >= 0):
                raise MalformedProblem(f"{self.name}: {self.site_names[i]} capacity {cap}")
            if not (np.isfinite(fixed) and fixed >= 0):
                raise MalformedProblem(f"{self.name}: {self.site_names[i]} fixed cost {fixed}")
        for j, dem in enumerate(self.demands):
            if not (np.isfinite(dem) and dem > 0):
                raise MalformedProblem(f"{self.name}: {self.customer_names[j]} demand {dem}")
        if np.isnan(self.assignment_cost).any() or (self.assignment_cost < 0).any():
            i, j = np.argwhere(np.isnan(self.assignment_cost) | (self.assignment_cost < 0))[0]
            raise MalformedProblem(
                f"{self.name}: cost of {self.site_names[i]} → {self.customer_names[j]} "
                f"is {self.assignment_cost[i, j]}"
            )
        both = self.force_open & self.force_closed
        if both:
            raise MalformedProblem(
                f"{self.name}: {self.site_names[min(both)]} forced open and closed"
            )
        m = len(self.capacities)
        if any(not 0 <= i < m for i in self.force_open | self.force_closed):
            raise MalformedProblem(f"{self.name}: forced site index out of range 0..{m - 1}")

    @property
    def n_sites(self) -> int:
        """Number of candidate sites (m)."""
        return int(self.capacities.shape[0])

    @property
    def n_customers(self) -> int:
        """Number of customers (n)."""
        return int(self.demands.shape[0])

    @property
    def allowed(self) -> BoolArray:
        """Mask of site–customer pairs that may carry flow, shape (m, n)."""
        return self._allowed

    @property
    def unit_costs(self) -> FloatArray:
        """Cost of serving all of j from i including handling; ``inf`` where forbidden."""
        cost = self.assignment_cost.copy()
        if self.variable_cost is not None:
            cost = cost + np.outer(self.variable_cost, self.demands)
        cost[~self._allowed] = np.inf
        return cost

    def open_candidates(self) -> BoolArray:
        """Sites that may be opened (not forced closed)."""
        mask = np.ones(self.n_sites, dtype=bool)
        mask[list(self.force_closed)] = False
        return mask

    def check_feasible(self) -> None:
        """Raise :class:`InfeasibleProblem` naming the first record no plan can satisfy."""
        usable = self.open_candidates()
        reach = self._allowed & usable[:, None]
        unreachable = np.flatnonzero(~reach.any(axis=0))
        if unreachable.size:
            j = int(unreachable[0])
            raise InfeasibleProblem(
                f"{self.name}: {self.customer_names[j]} (demand {self.demands[j]:g}) has no "
                "site within its service distance that may open"
            )
        total = float(self.demands.sum())
        capacity = float(self.capacities[usable].sum())
        if total > capacity + 1e-9:
            raise InfeasibleProblem(
                f"{self.name}: total demand {total:g} exceeds the capacity of every site "
                f"that may open together ({capacity:g})"
            )
        for j in range(self.n_customers):
            best = float(self.capacities[reach[:, j]].max())
            if self.demands[j] > best + 1e-9 and self.single_sourcing:
                raise InfeasibleProblem(
                    f"{self.name}: {self.customer_names[j]} demand {self.demands[j]:g} exceeds "
                    f"the capacity of every site that may serve it alone (largest {best:g})"
                )
            reachable = float(self.capacities[reach[:, j]].sum())
            if self.demands[j] > reachable + 1e-9:
                raise InfeasibleProblem(
                    f"{self.name}: {self.customer_names[j]} demand {self.demands[j]:g} exceeds "
                    f"the capacity of the sites within reach ({reachable:g})"
                )
