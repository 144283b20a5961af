"""What a job-shop solve returns."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ScheduleStatus(StrEnum):
    """Outcome of a solve: proved optimal, feasible, or nothing found."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    UNKNOWN = "unknown"
    INFEASIBLE = "infeasible"


@dataclass(frozen=True)
class ScheduleResult:
    """Start and end time of every operation (``starts[j][k]``: job j, step k).

    `makespan` is None when no schedule was found; `lower_bound` is the best proven bound.
    """

    starts: tuple[tuple[int, ...], ...]
    ends: tuple[tuple[int, ...], ...]
    makespan: int | None
    lower_bound: int
    status: ScheduleStatus
    seconds: float

    @property
    def found(self) -> bool:
        """True when a schedule is attached."""
        return self.makespan is not None
