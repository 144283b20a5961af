"""Look-alikes of OR-Library's capa/capb/capc (100 sites × 1000 customers) for development.

The real files are held out of this project's data. These follow the same recipe as far as
Beasley (1988) and the file format reveal it: sites and customers scattered uniformly on a
square, integer demands of a few tens of units, the cost of serving all of a customer's
demand proportional to demand × Euclidean distance, opening costs in the millions (lower for
capb and lower still for capc), and the word ``capacity`` in place of the capacities so the
bench expands each file to its four standard capacities. There are no published optima for
these; the solver's own bound is the only yardstick.
"""

from __future__ import annotations

import numpy as np

from supplymesh.planning.network_design.problem import FacilityProblem

FIXED_COST_RANGE: dict[str, tuple[float, float]] = {
    "capa": (1_350_000.0, 2_260_000.0),
    "capb": (650_000.0, 1_150_000.0),
    "capc": (420_000.0, 760_000.0),
}


def generate_lookalike(
    family: str,
    seed: int,
    *,
    n_sites: int = 100,
    n_customers: int = 1000,
    side: float = 1000.0,
) -> FacilityProblem:
    """A random instance of the `family` (capa/capb/capc) kind, capacities left at zero.

    Write it with ``write_orlib(problem, capacity_word=True)``; the capacities come from the
    family's standard list when the file is read back.
    """
    if family not in FIXED_COST_RANGE:
        raise ValueError(f"family must be capa, capb or capc, got {family!r}")
    rng = np.random.default_rng(seed)
    sites = rng.uniform(0.0, side, size=(n_sites, 2))
    customers = rng.uniform(0.0, side, size=(n_customers, 2))
    demands = rng.integers(5, 96, size=n_customers).astype(np.float64)
    distance = np.linalg.norm(sites[:, None, :] - customers[None, :, :], axis=2)
    low, high = FIXED_COST_RANGE[family]
    fixed = np.round(rng.uniform(low, high, size=n_sites))
    return FacilityProblem(
        name=family,
        capacities=np.zeros(n_sites),
        fixed_costs=fixed,
        demands=demands,
        assignment_cost=np.round(distance * demands[None, :], 5),
    )
