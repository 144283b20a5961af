"""Devices, their credentials and metrics, and the telemetry they send.

A device (a machine's controller or a gateway) belongs to one site of one enterprise and may
stand for a machine of the network's master data. It authenticates to the MQTT broker with
its numeric id as user name and one secret of which only a digest is kept. Telemetry is kept
raw for a retention period and as minute and hour rollups for longer.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from supplymesh.platform.db import Base, BigId, UTCDateTime, Versioned, utcnow
from supplymesh.platform.errors import DomainError, IllegalTransition
from supplymesh.platform.events import Aggregate
from supplymesh.platform.tenancy import TenantOwned, admin_scoped, scoped


class DeviceError(DomainError):
    """A device rule was broken."""


class DeviceKind(StrEnum):
    MACHINE = "machine"
    GATEWAY = "gateway"


class DeviceStatus(StrEnum):
    """Administrative status: only active devices may connect and send."""

    ACTIVE = "active"
    DISABLED = "disabled"
    RETIRED = "retired"


#: Allowed administrative moves; retired is final (its history stays queryable).
STATUS_MOVES: dict[str, tuple[str, ...]] = {
    DeviceStatus.ACTIVE: (DeviceStatus.DISABLED, DeviceStatus.RETIRED),
    DeviceStatus.DISABLED: (DeviceStatus.ACTIVE, DeviceStatus.RETIRED),
    DeviceStatus.RETIRED: (),
}


class Resolution(StrEnum):
    RAW = "raw"
    MINUTE = "minute"
    HOUR = "hour"


@scoped
class Device(TenantOwned, Aggregate, Base, Versioned):
    """A connected machine or gateway at a site; `state` is what it last reported."""

    __tablename__ = "devices"
    __table_args__ = (UniqueConstraint("enterprise_id", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    machine_id: Mapped[int | None] = mapped_column(ForeignKey("machines.id"), index=True)
    gateway_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20), default=DeviceKind.MACHINE.value)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=DeviceStatus.ACTIVE.value)
    state: Mapped[str | None] = mapped_column(String(40))
    state_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def move_to(self, status: str) -> None:
        """Change the administrative status, or raise `IllegalTransition`."""
        if status == self.status:
            return
        allowed = list(STATUS_MOVES.get(self.status, ()))
        if status not in allowed:
            raise IllegalTransition("device", self.status, status, allowed)
        self.status = status


@scoped
class DeviceMetric(TenantOwned, Base, Versioned):
    """A quantity a device reports, its unit and the limits rules compare it with."""

    __tablename__ = "device_metrics"
    __table_args__ = (UniqueConstraint("device_id", "name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    unit: Mapped[str | None] = mapped_column(String(20))
    min_value: Mapped[float | None] = mapped_column(Float)
    max_value: Mapped[float | None] = mapped_column(Float)
    description: Mapped[str | None] = mapped_column(String(200))


@admin_scoped
class DeviceCredential(TenantOwned, Base):
    """A device's MQTT secret: only its SHA-256 digest is stored, the secret is shown once."""

    __tablename__ = "device_credentials"
    private_fields = frozenset({"digest"})

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


@scoped
class TelemetrySample(TenantOwned, Base):
    """One reading; (device, seq, metric) is unique so resent messages are stored once."""

    __tablename__ = "telemetry_samples"
    __table_args__ = (
        UniqueConstraint("device_id", "seq", "metric_id"),
        Index("ix_telemetry_samples_metric_ts", "metric_id", "ts"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    metric_id: Mapped[int] = mapped_column(ForeignKey("device_metrics.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(BigInteger)
    ts: Mapped[datetime] = mapped_column(UTCDateTime())
    value: Mapped[float] = mapped_column(Float)


@scoped
class TelemetryRollup(TenantOwned, Base):
    """Count, min, max, sum and last value of a metric over one minute or one hour."""

    __tablename__ = "telemetry_rollups"
    __table_args__ = (UniqueConstraint("metric_id", "resolution", "bucket"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    metric_id: Mapped[int] = mapped_column(ForeignKey("device_metrics.id", ondelete="CASCADE"))
    resolution: Mapped[str] = mapped_column(String(10))
    bucket: Mapped[datetime] = mapped_column(UTCDateTime())
    count: Mapped[int] = mapped_column(BigInteger)
    min_value: Mapped[float] = mapped_column(Float)
    max_value: Mapped[float] = mapped_column(Float)
    sum_value: Mapped[float] = mapped_column(Float)
    last_value: Mapped[float] = mapped_column(Float)
    last_ts: Mapped[datetime] = mapped_column(UTCDateTime())


@scoped
class IngestRejection(TenantOwned, Base):
    """How many messages of a device were refused for one reason, and the latest example."""

    __tablename__ = "ingest_rejections"
    __table_args__ = (UniqueConstraint("device_id", "reason"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(30))
    count: Mapped[int] = mapped_column(BigInteger)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_detail: Mapped[str | None] = mapped_column(String(300))
