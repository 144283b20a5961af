"""What order dispatch takes in: station fences, orders, and the sites whose addresses we know."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from supplymesh.planning.dispatch.geocode import KnownSite


@dataclass(frozen=True)
class InputProblem:
    """One thing wrong with one input record: which record, which field, what."""

    record: str
    field: str
    message: str


class InvalidDispatchInput(ValueError):
    """The input cannot be dispatched as given; `problems` lists every offending record."""

    def __init__(self, problems: list[InputProblem]) -> None:
        self.problems = tuple(problems)
        shown = "; ".join(f"{p.record}: {p.field}: {p.message}" for p in problems[:5])
        more = f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(shown + more)


@dataclass(frozen=True)
class Fence:
    """A station's delivery area as a GeoJSON Polygon or MultiPolygon (lon, lat; WGS-84).

    `priority` breaks ties where fences overlap: the higher wins before area is compared.
    """

    station: str
    geometry: Mapping[str, object]
    priority: int = 0


@dataclass(frozen=True)
class DispatchOrder:
    """An order to place: by WGS-84 point when it has one, else by its address."""

    id: str
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None

    def problems(self) -> list[InputProblem]:
        """What is wrong with this order's location fields."""
        record = f"order {self.id}"
        has_lat, has_lon = self.latitude is not None, self.longitude is not None
        if has_lat != has_lon:
            return [InputProblem(record, "latitude", "latitude and longitude come together")]
        if not has_lat and not (self.address and self.address.strip()):
            return [InputProblem(record, "address", "needs coordinates or an address")]
        found = []
        if self.latitude is not None and not (
            math.isfinite(self.latitude) and -90 <= self.latitude <= 90
        ):
            found.append(InputProblem(record, "latitude", f"{self.latitude} is not in [-90, 90]"))
        if self.longitude is not None and not (
            math.isfinite(self.longitude) and -180 <= self.longitude <= 180
        ):
            found.append(
                InputProblem(record, "longitude", f"{self.longitude} is not in [-180, 180]")
            )
        return found


@dataclass(frozen=True)
class DispatchProblem:
    """Fences to dispatch into, orders to dispatch, and known sites for geocoding."""

    fences: tuple[Fence, ...]
    orders: tuple[DispatchOrder, ...]
    sites: tuple[KnownSite, ...] = field(default=())

    def record_problems(self) -> list[InputProblem]:
        """Duplicate keys and unusable orders (fence shapes are checked in fences.py)."""
        found: list[InputProblem] = []
        if not self.fences:
            found.append(InputProblem("fences", "fences", "at least one fence is needed"))
        seen: set[str] = set()
        for fence in self.fences:
            if fence.station in seen:
                found.append(
                    InputProblem(
                        f"station {fence.station}",
                        "station",
                        "has two fences; give one MultiPolygon instead",
                    )
                )
            seen.add(fence.station)
        ids: set[str] = set()
        for order in self.orders:
            if order.id in ids:
                found.append(InputProblem(f"order {order.id}", "id", "appears twice"))
            ids.add(order.id)
            found.extend(order.problems())
        return found
