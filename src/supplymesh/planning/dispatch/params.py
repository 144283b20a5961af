"""How dispatch decides overlaps and how precise an address must be."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from supplymesh.planning.dispatch.geocode import MatchLevel


class TieBreak(StrEnum):
    """Which fence wins an order inside several (station code settles any remaining tie)."""

    PRIORITY_THEN_AREA = "priority_then_area"
    SMALLEST_AREA = "smallest_area"


@dataclass(frozen=True)
class DispatchParams:
    """Dispatch options.

    Parameters
    ----------
    tie_break
        Rule for an order inside several fences (default: highest priority, then the
        smallest fence, since a small fence is usually drawn on purpose inside a big one).
    coarsest_level
        Least precise geocode still dispatched (default district): a city centre says
        nothing about which of the city's stations should deliver.
    """

    tie_break: TieBreak = TieBreak.PRIORITY_THEN_AREA
    coarsest_level: MatchLevel = MatchLevel.DISTRICT

    def __post_init__(self) -> None:
        if self.coarsest_level is MatchLevel.NONE:
            raise ValueError("coarsest_level cannot be 'none': such orders have no point")
