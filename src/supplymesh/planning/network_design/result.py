"""What a facility location solve returns."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from supplymesh.planning.network_design.problem import FloatArray


class FacilityStatus(StrEnum):
    """Outcome of a solve: proved optimal, feasible, or nothing found."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    UNKNOWN = "unknown"


@dataclass(frozen=True, eq=False)
class FacilityResult:
    """Opened sites and flows (``flows[i, j]``: share of customer j's demand served by i).

    `cost` is None when no plan was found; `lower_bound` is the best proven bound;
    `stages` records where time went and what each phase found, for benchmarks.
    """

    name: str
    open_sites: tuple[int, ...]
    flows: FloatArray | None
    cost: float | None
    fixed_cost: float | None
    service_cost: float | None
    lower_bound: float
    status: FacilityStatus
    seconds: float
    stages: tuple[tuple[str, float | None], ...] = ()

    @property
    def found(self) -> bool:
        """True when a plan is attached."""
        return self.cost is not None

    @property
    def gap_pct(self) -> float | None:
        """Relative distance between the plan's cost and the proven bound, in percent."""
        if self.cost is None or self.cost == 0:
            return None
        return 100.0 * max(0.0, self.cost - self.lower_bound) / abs(self.cost)
