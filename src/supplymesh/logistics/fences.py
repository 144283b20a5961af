"""Stored station fences as master data (`/api/v1/station-fences`): checked before saving.

The generic CRUD stores them; the hooks here run the dispatch engine's fence checks on
create, update and CSV import, so a ring that does not close is refused with the station
and the ring named, and dispatch never meets a bad stored fence.
"""

from __future__ import annotations

from typing import Any

from supplymesh.logistics.model import StationFence
from supplymesh.planning.dispatch import Fence
from supplymesh.planning.dispatch.fences import check_fence
from supplymesh.platform.errors import FieldError, ValidationFailed
from supplymesh.platform.uow import UnitOfWork


def check_geometry(station: str, geometry: dict[str, Any], priority: int = 0) -> None:
    """Raise `ValidationFailed` naming every bad ring of ``station``'s fence."""
    _, problems = check_fence(Fence(station, geometry, priority))
    if problems:
        errors = [FieldError(f"geometry.{p.field}", f"{p.record}: {p.message}") for p in problems]
        raise ValidationFailed(errors, "Fence is invalid")


def create_fence(uow: UnitOfWork, data: dict[str, Any]) -> StationFence:
    """Create a fence after checking its shape (the generic CRUD's create hook)."""
    check_geometry(str(data["station"]), data["geometry"])
    fence = StationFence(
        enterprise_id=uow.ctx.enterprise_id,
        station=data["station"],
        site_id=data.get("site_id"),
        priority=data.get("priority", 0),
        geometry=data["geometry"],
    )
    uow.add(fence)
    uow.flush()
    return fence


def guard_fence(uow: UnitOfWork, fence: StationFence, fields: dict[str, Any] | None) -> None:
    """Check a changed shape before it is saved (deleting needs no check)."""
    if fields is not None and fields.get("geometry") is not None:
        check_geometry(str(fields.get("station") or fence.station), fields["geometry"])
