"""Stored logistics data: dock plans of a park, and the fences of delivery stations.

A dock plan is kept as one document (the request as sent, the plan in force with its
visits, the trucks called so far) because it is always read and rewritten whole: a re-plan
replaces every unstarted visit at once, and a call appends to the queue. `version` makes
two dispatchers calling the same dock at once a conflict instead of a double call.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from supplymesh.platform.db import Base, BigId, UTCDateTime, Versioned, utcnow
from supplymesh.platform.tenancy import TenantOwned, scoped


@scoped
class DockPlanRecord(TenantOwned, Base, Versioned):
    """One day's (or shift's) dock appointments for one park."""

    __tablename__ = "dock_plans"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    called: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@scoped
class StationFence(TenantOwned, Base, Versioned):
    """A delivery station's area (电子围栏) as GeoJSON in WGS-84, for dispatch by area."""

    __tablename__ = "station_fences"
    __table_args__ = (UniqueConstraint("enterprise_id", "station"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    station: Mapped[str] = mapped_column(String(60))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    priority: Mapped[int] = mapped_column(default=0)
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@scoped
class RoutePlanRecord(TenantOwned, Base, Versioned):
    """One planning run of delivery routes from one depot."""

    __tablename__ = "route_plans"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    depot_site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
