"""The dock-appointment problem of a logistics park (月台预约): docks, booked trucks, pinned work.

Times are whole minutes from the plan's origin (the caller picks it, e.g. midnight of the
day). A truck books an arrival window; it is served once, at one dock whose capabilities
cover what its load needs (refrigerated, hazardous, tail lift, …) and whose size limit its
load fits; serving takes the dock's docking time plus a per-pallet handling time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal


class InvalidDockInput(ValueError):
    """The input cannot be planned; `problems` names every offending record."""

    def __init__(self, problems: list[tuple[str, str, str]]) -> None:
        self.problems = tuple(problems)
        shown = "; ".join(f"{r}: {f}: {m}" for r, f, m in problems[:5])
        more = f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(shown + more)


@dataclass(frozen=True)
class Dock:
    """A dock: what it can handle, how big a load, and how fast.

    Parameters
    ----------
    code
        The dock's name on the park's signs (D01, 冷-1).
    capabilities
        What it offers: ``standard``, ``refrigerated``, ``hazardous``, ``tail_lift`` …
    max_pallets
        Largest load it can take (None: any).
    docking_min
        Minutes to dock, open and close, whatever the load (default 10).
    minutes_per_pallet
        Handling time per pallet (default 2; exact decimal, rounded up per truck).
    """

    code: str
    capabilities: frozenset[str] = frozenset({"standard"})
    max_pallets: int | None = None
    docking_min: int = 10
    minutes_per_pallet: Decimal = Decimal(2)


@dataclass(frozen=True)
class Truck:
    """A booked truck: its window, load, needs and, once known, its expected arrival.

    `eta` defaults to the window's start; a truck is never served before it arrives, and
    starting after `window_end` counts as lateness (the park's promise was broken).
    """

    id: str
    window_start: int
    window_end: int
    pallets: int
    needs: frozenset[str] = frozenset({"standard"})
    eta: int | None = None

    @property
    def arrival(self) -> int:
        """When the truck is expected at the gate."""
        return self.window_start if self.eta is None else self.eta


@dataclass(frozen=True)
class Pinned:
    """Work already started (or done) that a re-plan must keep as it is."""

    truck_id: str
    dock: str
    start: int


@dataclass(frozen=True)
class DockProblem:
    """Docks, trucks, and work pinned by earlier decisions; `not_before` is "now"."""

    docks: tuple[Dock, ...]
    trucks: tuple[Truck, ...]
    pinned: tuple[Pinned, ...] = field(default=())
    not_before: int = 0

    def service_minutes(self, truck: Truck, dock: Dock) -> int:
        """Docking time plus handling, rounded up to a whole minute."""
        return dock.docking_min + math.ceil(truck.pallets * dock.minutes_per_pallet)

    def fits(self, truck: Truck, dock: Dock) -> bool:
        """True when the dock offers all the truck needs and takes a load its size."""
        big_enough = dock.max_pallets is None or truck.pallets <= dock.max_pallets
        return truck.needs <= dock.capabilities and big_enough

    def docks_for(self, truck: Truck) -> list[Dock]:
        """Every dock this truck may use."""
        return [d for d in self.docks if self.fits(truck, d)]

    def validate(self) -> None:
        """Raise :class:`InvalidDockInput` naming every bad dock, truck and pin."""
        found: list[tuple[str, str, str]] = []
        if not self.docks:
            found.append(("docks", "docks", "at least one dock is needed"))
        seen: set[str] = set()
        for d in self.docks:
            rec = f"dock {d.code}"
            if d.code in seen:
                found.append((rec, "code", "appears twice"))
            seen.add(d.code)
            if d.docking_min < 0 or d.minutes_per_pallet < 0:
                found.append((rec, "docking_min", "times cannot be negative"))
            if d.max_pallets is not None and d.max_pallets < 0:
                found.append((rec, "max_pallets", f"{d.max_pallets} is negative"))
        ids: set[str] = set()
        for t in self.trucks:
            rec = f"truck {t.id}"
            if t.id in ids:
                found.append((rec, "id", "appears twice"))
            ids.add(t.id)
            if t.window_end < t.window_start:
                found.append((rec, "window_end", f"{t.window_end} is before {t.window_start}"))
            if t.pallets < 0:
                found.append((rec, "pallets", f"{t.pallets} is negative"))
            if self.docks and not self.docks_for(t):
                found.append((rec, "needs", self._why_no_dock(t)))
        by_id = {t.id: t for t in self.trucks}
        docks = {d.code: d for d in self.docks}
        for p in self.pinned:
            rec = f"pinned truck {p.truck_id}"
            if p.truck_id not in by_id:
                found.append((rec, "truck_id", "is not among the trucks"))
            elif p.dock not in docks:
                found.append((rec, "dock", f"{p.dock} is not among the docks"))
        if found:
            raise InvalidDockInput(found)

    def _why_no_dock(self, truck: Truck) -> str:
        needs = ", ".join(sorted(truck.needs)) or "nothing"
        able = [d for d in self.docks if truck.needs <= d.capabilities]
        if not able:
            return f"needs {needs} and no dock offers it"
        limits = ", ".join(f"{d.code} (max {d.max_pallets})" for d in able)
        return f"{truck.pallets} pallets fit no dock offering {needs}: {limits}"
