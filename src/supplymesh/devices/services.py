"""Use cases of the devices context other than generic CRUD: telemetry queries, refusals,
credentials with broker provisioning."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from supplymesh.devices import credentials
from supplymesh.devices.credentials import IssuedCredential
from supplymesh.devices.model import (
    Device,
    DeviceCredential,
    DeviceMetric,
    IngestRejection,
    Resolution,
    TelemetryRollup,
    TelemetrySample,
)
from supplymesh.devices.ports import BrokerProvisioner
from supplymesh.devices.store import bucket_of
from supplymesh.platform.errors import NotFound, invalid
from supplymesh.platform.uow import UnitOfWork

MAX_POINTS = 10_000
MAX_RAW_SPAN = timedelta(days=31)


@dataclass(frozen=True)
class Point:
    """One raw sample (`value`) or one rollup bucket (the aggregates; `value` is the mean)."""

    ts: datetime
    value: float
    count: int = 1
    min: float | None = None
    max: float | None = None
    sum: float | None = None
    last: float | None = None


@dataclass(frozen=True)
class Series:
    device_id: int
    metric: str
    unit: str | None
    resolution: str
    start: datetime
    end: datetime
    points: list[Point]


def device(uow: UnitOfWork, device_id: int) -> Device:
    obj = uow.session.get(Device, device_id)
    if obj is None:
        raise NotFound("device", device_id)
    return obj


def metric(uow: UnitOfWork, device_id: int, name: str) -> DeviceMetric:
    device(uow, device_id)
    found = uow.session.scalar(
        select(DeviceMetric).where(DeviceMetric.device_id == device_id, DeviceMetric.name == name)
    )
    if found is None:
        raise NotFound("metric", f"{name!r} of device {device_id}")
    return found


def metrics(uow: UnitOfWork, device_id: int) -> list[DeviceMetric]:
    device(uow, device_id)
    query = select(DeviceMetric).where(DeviceMetric.device_id == device_id)
    return list(uow.session.scalars(query.order_by(DeviceMetric.name)))


def series(
    uow: UnitOfWork,
    device_id: int,
    metric_name: str,
    start: datetime,
    end: datetime,
    resolution: Resolution = Resolution.RAW,
    limit: int = MAX_POINTS,
) -> Series:
    """Readings of one metric in [start, end), raw or as minute or hour rollups, oldest first."""
    if start.tzinfo is None or end.tzinfo is None:
        raise invalid("start", "give start and end with a time zone offset")
    if end <= start:
        raise invalid("end", f"end {end.isoformat()} is not after start {start.isoformat()}")
    if resolution == Resolution.RAW and end - start > MAX_RAW_SPAN:
        raise invalid("resolution", "raw samples span at most 31 days; use minute or hour")
    if not 1 <= limit <= MAX_POINTS:
        raise invalid("limit", f"limit {limit} is outside 1..{MAX_POINTS}")
    m = metric(uow, device_id, metric_name)
    points: list[Point] = []
    if resolution == Resolution.RAW:
        rows = uow.session.execute(
            select(TelemetrySample.ts, TelemetrySample.value)
            .where(
                TelemetrySample.metric_id == m.id,
                TelemetrySample.ts >= start,
                TelemetrySample.ts < end,
            )
            .order_by(TelemetrySample.ts, TelemetrySample.seq)
            .limit(limit)
        )
        points = [Point(ts, value) for ts, value in rows]
    else:
        query = (
            select(TelemetryRollup)
            .where(
                TelemetryRollup.metric_id == m.id,
                TelemetryRollup.resolution == resolution.value,
                TelemetryRollup.bucket >= bucket_of(start, resolution),
                TelemetryRollup.bucket < end,
            )
            .order_by(TelemetryRollup.bucket)
            .limit(limit)
        )
        points = [
            Point(
                r.bucket,
                r.sum_value / r.count,
                r.count,
                r.min_value,
                r.max_value,
                r.sum_value,
                r.last_value,
            )
            for r in uow.session.scalars(query)
        ]
    return Series(device_id, m.name, m.unit, resolution.value, start, end, points)


def rejections(uow: UnitOfWork, device_id: int) -> list[IngestRejection]:
    """How many messages of the device were refused, per reason."""
    device(uow, device_id)
    query = select(IngestRejection).where(IngestRejection.device_id == device_id)
    return list(uow.session.scalars(query.order_by(IngestRejection.reason)))


def issue_credential(
    uow: UnitOfWork, device_id: int, provisioner: BrokerProvisioner | None, rotate: bool = False
) -> IssuedCredential:
    """Issue (or rotate to) a new secret; an external broker learns it before the commit,
    so a broker that cannot be told leaves nothing changed."""
    issued = (credentials.rotate if rotate else credentials.issue)(uow, device_id)
    if provisioner is not None:
        provisioner.grant(credentials.identity(uow, device_id), issued.secret)
    uow.commit()
    return issued


def revoke_credential(
    uow: UnitOfWork, device_id: int, credential_id: int, provisioner: BrokerProvisioner | None
) -> DeviceCredential:
    """Revoke a secret; an external broker disables the device's client first."""
    cred = credentials.revoke(uow, device_id, credential_id)
    if provisioner is not None and not credentials.active_credentials(uow, device_id):
        provisioner.revoke(credentials.identity(uow, device_id))
    uow.commit()
    return cred
