"""A dock plan: which truck at which dock when, and the queues it implies."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PlanStatus(StrEnum):
    """How good the plan is known to be."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    HEURISTIC = "heuristic"  # CP-SAT found nothing in time: the greedy plan is returned


@dataclass(frozen=True)
class DockVisit:
    """One truck's slot: dock, start and end minute, minutes waited and minutes late."""

    truck_id: str
    dock: str
    start: int
    end: int
    wait_min: int
    late_min: int
    pinned: bool = False


@dataclass(frozen=True)
class QueuePlace:
    """Where a truck stands: its dock, its place among those not yet called, its start."""

    truck_id: str
    dock: str
    position: int
    ahead: tuple[str, ...]
    start: int


@dataclass(frozen=True)
class DockPlan:
    """Visits sorted by dock then start, with totals and how the plan was found."""

    visits: tuple[DockVisit, ...]
    status: PlanStatus
    total_wait_min: int
    total_late_min: int
    objective: int
    seconds: float

    def visit(self, truck_id: str) -> DockVisit:
        """The visit of one truck (KeyError when it is not in the plan)."""
        for v in self.visits:
            if v.truck_id == truck_id:
                return v
        raise KeyError(truck_id)

    def queue(self, dock: str) -> list[DockVisit]:
        """The dock's visits in calling order."""
        return sorted(
            (v for v in self.visits if v.dock == dock), key=lambda v: (v.start, v.truck_id)
        )
