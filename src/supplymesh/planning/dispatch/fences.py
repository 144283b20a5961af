"""Turn GeoJSON fences into checked shapely polygons, naming every bad ring.

Shapely would happily build a polygon from a ring that does not close (it closes it) or one
that crosses itself (it is then merely "invalid"), and point-in-polygon on such shapes gives
answers nobody drew. So each ring is checked as drawn, before shapely sees it: at least four
positions, first equal to last, and no self-intersection; then the polygon as a whole (holes
inside the shell, parts of a MultiPolygon not overlapping) with shapely's own validity rules.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import shapely
from shapely.geometry import LinearRing, MultiPolygon, Polygon

from supplymesh.planning.dispatch.problem import Fence, InputProblem

_KM_PER_DEGREE = 111.32  # length of one degree of latitude (and of longitude at the equator)


@dataclass(frozen=True)
class CheckedFence:
    """A fence whose shape passed every check, with its approximate area."""

    station: str
    shape: Polygon | MultiPolygon
    priority: int
    area_km2: float


def _position_problem(position: object) -> str | None:
    if not isinstance(position, Sequence) or isinstance(position, str) or len(position) < 2:
        return f"position {position!r} is not [longitude, latitude]"
    lon, lat = position[0], position[1]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lon, lat)):
        return f"position {list(position)!r} is not numeric"
    assert isinstance(lon, int | float) and isinstance(lat, int | float)
    if not (math.isfinite(lon) and -180 <= lon <= 180 and math.isfinite(lat) and -90 <= lat <= 90):
        return f"position {list(position)!r} is off the globe (GeoJSON is [longitude, latitude])"
    return None


def _ring(raw: object, where: str, record: str, found: list[InputProblem]) -> LinearRing | None:
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        found.append(InputProblem(record, where, "is not a list of positions"))
        return None
    for position in raw:
        bad = _position_problem(position)
        if bad:
            found.append(InputProblem(record, where, bad))
            return None
    points = [(float(p[0]), float(p[1])) for p in raw]
    if len(points) < 4:
        found.append(InputProblem(record, where, f"has {len(points)} positions; a ring needs ≥ 4"))
        return None
    if points[0] != points[-1]:
        found.append(
            InputProblem(
                record, where, f"does not close: starts at {points[0]} but ends at {points[-1]}"
            )
        )
        return None
    ring = LinearRing(points)
    if not ring.is_simple:
        reason = shapely.is_valid_reason(Polygon(ring))
        found.append(InputProblem(record, where, f"crosses itself ({reason})"))
        return None
    if Polygon(ring).area == 0:
        found.append(InputProblem(record, where, "encloses no area"))
        return None
    return ring


def _polygon(raw: object, path: str, record: str, found: list[InputProblem]) -> Polygon | None:
    if not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
        found.append(InputProblem(record, path, "a polygon is a non-empty list of rings"))
        return None
    before = len(found)
    rings = [
        _ring(r, f"{path}[{i}] ({'exterior ring' if i == 0 else f'hole {i}'})", record, found)
        for i, r in enumerate(raw)
    ]
    if len(found) > before:
        return None
    shell, *holes = [r for r in rings if r is not None]
    polygon = Polygon(shell, holes)
    if not polygon.is_valid:
        found.append(InputProblem(record, path, shapely.is_valid_reason(polygon)))
        return None
    return polygon


def _area_km2(shape: Polygon | MultiPolygon) -> float:
    """Area on a local equirectangular projection: good to a fraction of a percent at city scale."""
    lat = shape.centroid.y
    return shape.area * _KM_PER_DEGREE**2 * math.cos(math.radians(lat))


def check_fence(fence: Fence) -> tuple[CheckedFence | None, list[InputProblem]]:
    """The fence as a shapely shape, or the problems with it (each naming the ring)."""
    record = f"station {fence.station}"
    found: list[InputProblem] = []
    geometry = fence.geometry
    if geometry.get("type") == "Feature" and isinstance(geometry.get("geometry"), dict):
        geometry = geometry["geometry"]  # type: ignore[assignment]
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    shape: Polygon | MultiPolygon | None = None
    if kind == "Polygon":
        shape = _polygon(coords, "coordinates", record, found)
    elif kind == "MultiPolygon":
        if not isinstance(coords, Sequence) or isinstance(coords, str) or not coords:
            found.append(InputProblem(record, "coordinates", "a MultiPolygon lists polygons"))
        else:
            parts = [_polygon(p, f"coordinates[{i}]", record, found) for i, p in enumerate(coords)]
            if not found:
                shape = MultiPolygon([p for p in parts if p is not None])
                if not shape.is_valid:
                    found.append(
                        InputProblem(record, "coordinates", shapely.is_valid_reason(shape))
                    )
                    shape = None
    else:
        found.append(InputProblem(record, "type", f"{kind!r} is not Polygon or MultiPolygon"))
    if shape is None:
        return None, found
    return CheckedFence(fence.station, shape, fence.priority, _area_km2(shape)), found
