"""What dispatch returns: one assignment per order, each with its reason."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from supplymesh.planning.dispatch.geocode import MatchLevel


class AssignStatus(StrEnum):
    """How an order ended up: inside one fence, several, none, or not located at all."""

    ASSIGNED = "assigned"
    TIE_BROKEN = "tie_broken"
    UNMATCHED = "unmatched"
    UNLOCATED = "unlocated"


@dataclass(frozen=True)
class Assignment:
    """Where one order goes and why.

    `candidates` lists every station whose fence holds the point (sorted by the tie-break
    rule, winner first); `nearest_station` and `nearest_km` are filled for unmatched orders.
    """

    order_id: str
    station: str | None
    status: AssignStatus
    reason: str
    candidates: tuple[str, ...]
    latitude: float | None
    longitude: float | None
    location_level: MatchLevel
    location_note: str
    nearest_station: str | None = None
    nearest_km: float | None = None


@dataclass(frozen=True)
class DispatchResult:
    """Assignments in input order and the tie-break rule that was applied."""

    assignments: tuple[Assignment, ...]
    tie_break_rule: str

    def by_station(self) -> dict[str, list[str]]:
        """Order ids per station, in input order."""
        out: dict[str, list[str]] = {}
        for a in self.assignments:
            if a.station is not None:
                out.setdefault(a.station, []).append(a.order_id)
        return out
