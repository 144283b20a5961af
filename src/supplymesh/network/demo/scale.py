"""How big the demo network is, and the fixed calendar it lives in.

The history ends on a fixed day rather than "yesterday" so that one seed always gives the same
database; the window is long enough for two Spring Festivals, two 618s and three Double-11s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

HISTORY_END = date(2026, 11, 20)
FULL_HISTORY_START = date(2024, 11, 1)
# Everything the demo stamps (created_at, stock as of, order dates) is relative to this moment:
# midnight in China after the last day of history.
AS_OF = datetime(HISTORY_END.year, HISTORY_END.month, HISTORY_END.day, 16, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Scale:
    """The size knobs of one demo scale."""

    name: str
    stores: int
    dcs: int
    plants: int
    machines_per_plant: int
    start: date
    end: date
    tiny: bool

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"history starts {self.start} after it ends {self.end}")
        if not 1 <= self.dcs <= 3 or not 1 <= self.plants <= 2:
            raise ValueError(
                f"scale {self.name}: 1-3 DCs and 1-2 plants, got {self.dcs}, {self.plants}"
            )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


SCALES: dict[str, Scale] = {
    "tiny": Scale(
        name="tiny",
        stores=3,
        dcs=1,
        plants=1,
        machines_per_plant=8,
        start=HISTORY_END - timedelta(days=119),
        end=HISTORY_END,
        tiny=True,
    ),
    "full": Scale(
        name="full",
        stores=40,
        dcs=3,
        plants=2,
        machines_per_plant=8,
        start=FULL_HISTORY_START,
        end=HISTORY_END,
        tiny=False,
    ),
}


def scale_named(name: str) -> Scale:
    """The scale called `name`; `ValueError` naming the choices otherwise."""
    try:
        return SCALES[name]
    except KeyError:
        raise ValueError(f"unknown demo scale {name!r}: choose from {sorted(SCALES)}") from None
