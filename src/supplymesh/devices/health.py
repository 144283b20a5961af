"""Health index and RUL band of live machines, from the telemetry they have sent.

Which sensors count: the device attribute ``health_metrics`` (a list of metric names) if
set, else every metric with an upper limit (`max_value`) except counters (``*_count``).
Sensors listed in ``health_falling`` fail by dropping to their `min_value` instead. The
history is the minute rollups' means over the lookback, or the raw samples when the machine
has sent for only a few minutes; the arithmetic is `planning.maintenance.health`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import select

from supplymesh.devices.model import (
    Device,
    DeviceMetric,
    Resolution,
    TelemetryRollup,
    TelemetrySample,
)
from supplymesh.devices.services import device as get_device
from supplymesh.network.model import Site
from supplymesh.planning.maintenance.health import (
    HealthParams,
    HealthResult,
    SensorSeries,
    assess,
)
from supplymesh.platform.db import utcnow
from supplymesh.platform.errors import NotFound, invalid
from supplymesh.platform.uow import UnitOfWork

DEFAULT_LOOKBACK = timedelta(hours=24)
MIN_MINUTES = 20  # fewer minute buckets than this: use the raw samples
MAX_RAW = 5000


@dataclass(frozen=True)
class DeviceHealth:
    device_id: int
    code: str
    state: str | None
    at: datetime
    result: HealthResult


def monitored(dev: Device, metrics: list[DeviceMetric]) -> list[tuple[DeviceMetric, bool]]:
    """(metric, rising) pairs the health index watches, each with a limit to fail at."""
    attrs = dev.attributes or {}
    chosen = attrs.get("health_metrics")
    falling = set(attrs.get("health_falling") or [])
    out: list[tuple[DeviceMetric, bool]] = []
    for m in metrics:
        if isinstance(chosen, list):
            if m.name not in chosen:
                continue
        elif m.name.endswith("_count") or m.max_value is None:
            continue
        rising = m.name not in falling
        if (m.max_value if rising else m.min_value) is not None:
            out.append((m, rising))
    return out


def _history(
    uow: UnitOfWork, metric_id: int, start: datetime, now: datetime
) -> tuple[list[datetime], list[float]]:
    rows = uow.session.execute(
        select(TelemetryRollup.bucket, TelemetryRollup.sum_value, TelemetryRollup.count)
        .where(
            TelemetryRollup.metric_id == metric_id,
            TelemetryRollup.resolution == Resolution.MINUTE.value,
            TelemetryRollup.bucket >= start,
            TelemetryRollup.bucket <= now,
        )
        .order_by(TelemetryRollup.bucket)
    ).all()
    if len(rows) >= MIN_MINUTES:
        return [r[0] for r in rows], [r[1] / r[2] for r in rows]
    raw = uow.session.execute(
        select(TelemetrySample.ts, TelemetrySample.value)
        .where(
            TelemetrySample.metric_id == metric_id,
            TelemetrySample.ts >= start,
            TelemetrySample.ts <= now,
        )
        .order_by(TelemetrySample.ts.desc())
        .limit(MAX_RAW)
    ).all()
    return [r[0] for r in reversed(raw)], [r[1] for r in reversed(raw)]


def assess_device(
    uow: UnitOfWork,
    dev: Device,
    now: datetime | None = None,
    lookback: timedelta = DEFAULT_LOOKBACK,
    params: HealthParams | None = None,
) -> DeviceHealth:
    """One machine's health from its history within `lookback` before `now`."""
    now = now or utcnow()
    if lookback <= timedelta(0):
        raise invalid("lookback", f"lookback {lookback} must be positive")
    metrics = list(
        uow.session.scalars(select(DeviceMetric).where(DeviceMetric.device_id == dev.id))
    )
    sensors: list[SensorSeries] = []
    for m, rising in monitored(dev, metrics):
        times, values = _history(uow, m.id, now - lookback, now)
        limit = m.max_value if rising else m.min_value
        assert limit is not None  # monitored() keeps only metrics with a limit
        sensors.append(
            SensorSeries(
                m.name,
                np.array([(t - now).total_seconds() / 3600 for t in times], dtype=np.float64),
                np.array(values, dtype=np.float64),
                float(limit),
                rising,
            )
        )
    return DeviceHealth(dev.id, dev.code, dev.state, now, assess(sensors, params))


def device_health(
    uow: UnitOfWork,
    device_id: int,
    now: datetime | None = None,
    lookback: timedelta = DEFAULT_LOOKBACK,
) -> DeviceHealth:
    return assess_device(uow, get_device(uow, device_id), now, lookback)


def site_health(
    uow: UnitOfWork,
    site_id: int,
    now: datetime | None = None,
    lookback: timedelta = DEFAULT_LOOKBACK,
) -> list[DeviceHealth]:
    """Every machine of a site, worst health first (machines without data last)."""
    if uow.session.get(Site, site_id) is None:
        raise NotFound("site", site_id)
    devices = uow.session.scalars(
        select(Device)
        .where(Device.site_id == site_id, Device.kind == "machine")
        .order_by(Device.code)
    )
    found = [assess_device(uow, d, now, lookback) for d in devices]
    return sorted(found, key=lambda h: (h.result.health is None, h.result.health or 0.0))
