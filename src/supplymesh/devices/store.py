"""The telemetry store: one transaction per batch of MQTT messages.

A batch is checked message by message (topic against the device, payload against the
contract, metric names against the registry); good messages become samples, inserted with
``ON CONFLICT DO NOTHING`` on (device, seq, metric) so a device's resends are harmless, and
the minute and hour rollups are updated from the rows that were really inserted. Refused
messages are counted per device and reason in the same transaction. After commit the
batch is handed to subscribers (the place where a rules engine plugs in).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Table, and_, case, delete, func, or_, select, update

from supplymesh.devices.model import (
    Device,
    DeviceCredential,
    DeviceMetric,
    DeviceStatus,
    IngestRejection,
    Resolution,
    TelemetryRollup,
    TelemetrySample,
)
from supplymesh.devices.payload import (
    MAX_PAYLOAD_BYTES,
    Message,
    Reason,
    Rejected,
    parse_payload,
    parse_topic,
)
from supplymesh.network.model import Enterprise, Site
from supplymesh.platform.db import utcnow
from supplymesh.platform.uow import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Incoming:
    """A message as it came off the broker."""

    topic: str
    payload: bytes


@dataclass(frozen=True)
class DeviceInfo:
    """A device as ingestion sees it; `status` reads "revoked" when it has no active secret,
    so a device whose secret is revoked while connected stops being stored within the TTL."""

    device_id: int
    enterprise_id: int
    enterprise_code: str
    site_code: str
    code: str
    status: str
    metrics: dict[str, int]


@dataclass(frozen=True)
class StoredSample:
    enterprise_id: int
    device_id: int
    metric_id: int
    metric: str
    ts: datetime
    value: float


@dataclass
class StoredBatch:
    """What one committed batch changed: new samples, duplicates, refusals, reported states."""

    samples: list[StoredSample] = field(default_factory=list)
    stored_messages: int = 0
    duplicate_messages: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    states: dict[int, str] = field(default_factory=dict)
    seen: set[int] = field(default_factory=set)


BatchHook = Callable[[StoredBatch], None]


class DeviceDirectory:
    """Devices by (enterprise code, code or id), cached for `ttl_s` so revocations and new
    metrics reach the ingestor within seconds without a query per message."""

    def __init__(self, db: Database, ttl_s: float = 5.0) -> None:
        self.db = db
        self.ttl_s = ttl_s
        self._cache: dict[tuple[str, str], tuple[float, DeviceInfo | None]] = {}
        self._lock = threading.Lock()

    def lookup(self, enterprise_code: str, device: str) -> DeviceInfo | None:
        key = (enterprise_code, device)
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None and now - hit[0] < self.ttl_s:
            return hit[1]
        info = self._load(enterprise_code, device)
        with self._lock:
            self._cache[key] = (now, info)
        return info

    def forget(self, key: tuple[str, str], min_age_s: float = 1.0) -> None:
        """Reload a device on its next message, unless it was loaded under `min_age_s` ago
        (a device that keeps sending an unknown metric must not cost a query per message)."""
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and time.monotonic() - hit[0] > min_age_s:
                del self._cache[key]

    def _load(self, enterprise_code: str, device: str) -> DeviceInfo | None:
        match = Device.code == device
        if device.isdigit() and len(device) <= 18:
            match = or_(match, Device.id == int(device))
        with self.db.system() as uow:
            row = uow.session.execute(
                select(Device, Site.code)
                .join(Site, Site.id == Device.site_id)
                .join(Enterprise, Enterprise.id == Device.enterprise_id)
                .where(Enterprise.code == enterprise_code, match)
                .order_by((Device.code == device).desc())
            ).first()
            if row is None:
                return None
            dev, site_code = row
            metrics = dict(
                uow.session.execute(
                    select(DeviceMetric.name, DeviceMetric.id).where(
                        DeviceMetric.device_id == dev.id
                    )
                ).all()
            )
            has_secret = uow.session.scalar(
                select(DeviceCredential.id)
                .where(DeviceCredential.device_id == dev.id, DeviceCredential.revoked_at.is_(None))
                .limit(1)
            )
            status = dev.status if has_secret is not None else "revoked"
            return DeviceInfo(
                dev.id, dev.enterprise_id, enterprise_code, site_code, dev.code, status, metrics
            )


def _insert(conn: Connection, table: Table) -> Any:
    """The dialect's INSERT (both have ON CONFLICT)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def _least(conn: Connection, a: Any, b: Any) -> Any:
    return func.least(a, b) if conn.dialect.name == "postgresql" else func.min(a, b)


def _greatest(conn: Connection, a: Any, b: Any) -> Any:
    return func.greatest(a, b) if conn.dialect.name == "postgresql" else func.max(a, b)


def bucket_of(ts: datetime, resolution: Resolution) -> datetime:
    if resolution == Resolution.MINUTE:
        return ts.replace(second=0, microsecond=0)
    return ts.replace(minute=0, second=0, microsecond=0)


class TelemetryStore:
    """Checks and stores batches; `hooks` are called after each commit."""

    def __init__(
        self,
        db: Database,
        directory: DeviceDirectory | None = None,
        max_payload: int = MAX_PAYLOAD_BYTES,
    ) -> None:
        self.db = db
        self.directory = directory or DeviceDirectory(db)
        self.max_payload = max_payload
        self.hooks: list[BatchHook] = []
        #: Refusals that cannot be charged to a known device (bad topic, unknown device).
        self.unattributed: Counter[str] = Counter()

    def subscribe(self, hook: BatchHook) -> None:
        """Call `hook` with every committed batch (rules engines, live feeds)."""
        self.hooks.append(hook)

    def check(self, item: Incoming) -> tuple[DeviceInfo, str, Message]:
        """The device, message kind and checked payload, or `Rejected`."""
        topic = parse_topic(item.topic)
        info = self.directory.lookup(topic.enterprise_code, topic.device)
        if info is None:
            raise Rejected(Reason.UNKNOWN_DEVICE, f"no device {topic.device!r} in the topic")
        if topic.site_code != info.site_code:
            raise _Charged(info, Reason.TOPIC_MISMATCH, f"device is at site {info.site_code}")
        if info.status != DeviceStatus.ACTIVE:
            raise _Charged(info, Reason.DEVICE_INACTIVE, f"device is {info.status}")
        try:
            message = parse_payload(item.payload, self.max_payload)
        except Rejected as exc:
            raise _Charged(info, exc.reason, exc.detail) from exc
        unknown = sorted(set(message.metrics) - set(info.metrics))
        if unknown:
            # Metric names come from the registry: a typo must not create a series silently.
            self.directory.forget((topic.enterprise_code, topic.device))
            raise _Charged(info, Reason.UNKNOWN_METRIC, f"metrics {unknown} are not registered")
        return info, topic.kind, message

    def store_batch(self, items: Iterable[Incoming]) -> StoredBatch:
        """Check and store `items` in one transaction; returns what changed."""
        batch = StoredBatch()
        good: list[tuple[DeviceInfo, str, Message]] = []
        refusals: list[tuple[DeviceInfo, Reason, str]] = []
        for item in items:
            try:
                good.append(self.check(item))
            except _Charged as exc:
                refusals.append((exc.info, exc.reason, exc.detail))
                batch.rejected[exc.reason.value] += 1
            except Rejected as exc:
                self.unattributed[exc.reason.value] += 1
                batch.rejected[exc.reason.value] += 1
                log.info("refused message on %r: %s", item.topic, exc)
        with self.db.system() as uow:
            conn = uow.session.connection()
            self._write_samples(conn, good, batch)
            self._write_states(conn, good, batch)
            self._write_refusals(conn, refusals)
            uow.commit()
        for hook in self.hooks:
            try:
                hook(batch)
            except Exception:  # a subscriber's bug must not stop ingestion; it is logged
                log.exception("telemetry hook %r failed", hook)
        return batch

    def _write_samples(
        self, conn: Connection, good: list[tuple[DeviceInfo, str, Message]], batch: StoredBatch
    ) -> None:
        rows: dict[tuple[int, int, int], dict[str, Any]] = {}
        names: dict[int, str] = {}
        for info, _kind, msg in good:
            for name, value in msg.metrics.items():
                metric_id = info.metrics[name]
                names[metric_id] = name
                rows.setdefault(
                    (info.device_id, msg.seq, metric_id),
                    {
                        "enterprise_id": info.enterprise_id,
                        "device_id": info.device_id,
                        "metric_id": metric_id,
                        "seq": msg.seq,
                        "ts": msg.ts,
                        "value": value,
                    },
                )
        inserted: set[tuple[int, int, int]] = set()
        if rows:
            table = cast(Table, TelemetrySample.__table__)
            stmt = (
                _insert(conn, table)
                .on_conflict_do_nothing(index_elements=["device_id", "seq", "metric_id"])
                .returning(table.c.device_id, table.c.seq, table.c.metric_id)
            )
            result = conn.execute(stmt, list(rows.values()))
            inserted = {(int(r[0]), int(r[1]), int(r[2])) for r in result}
        fresh_messages: set[tuple[int, int]] = set()
        for key in inserted:
            row = rows[key]
            fresh_messages.add((key[0], key[1]))
            batch.samples.append(
                StoredSample(
                    row["enterprise_id"], key[0], key[2], names[key[2]], row["ts"], row["value"]
                )
            )
        for info, _kind, msg in good:
            message = (info.device_id, msg.seq)
            if not msg.metrics or message in fresh_messages:
                fresh_messages.discard(message)  # a second copy in one batch is a duplicate
                batch.stored_messages += 1
            else:
                batch.duplicate_messages += 1
        self._write_rollups(conn, batch.samples)

    def _write_rollups(self, conn: Connection, samples: list[StoredSample]) -> None:
        if not samples:
            return
        groups: dict[tuple[int, str, datetime], dict[str, Any]] = {}
        for s in samples:
            for res in (Resolution.MINUTE, Resolution.HOUR):
                key = (s.metric_id, res.value, bucket_of(s.ts, res))
                g = groups.get(key)
                if g is None:
                    groups[key] = {
                        "enterprise_id": s.enterprise_id,
                        "device_id": s.device_id,
                        "metric_id": s.metric_id,
                        "resolution": res.value,
                        "bucket": key[2],
                        "count": 1,
                        "min_value": s.value,
                        "max_value": s.value,
                        "sum_value": s.value,
                        "last_value": s.value,
                        "last_ts": s.ts,
                    }
                    continue
                g["count"] += 1
                g["min_value"] = min(g["min_value"], s.value)
                g["max_value"] = max(g["max_value"], s.value)
                g["sum_value"] += s.value
                if s.ts >= g["last_ts"]:
                    g["last_value"], g["last_ts"] = s.value, s.ts
        table = cast(Table, TelemetryRollup.__table__)
        stmt = _insert(conn, table)
        new = stmt.excluded
        stmt = stmt.on_conflict_do_update(
            index_elements=["metric_id", "resolution", "bucket"],
            set_={
                "count": table.c.count + new.count,
                "min_value": _least(conn, table.c.min_value, new.min_value),
                "max_value": _greatest(conn, table.c.max_value, new.max_value),
                "sum_value": table.c.sum_value + new.sum_value,
                "last_value": case(
                    (new.last_ts >= table.c.last_ts, new.last_value), else_=table.c.last_value
                ),
                "last_ts": case(
                    (new.last_ts >= table.c.last_ts, new.last_ts), else_=table.c.last_ts
                ),
            },
        )
        conn.execute(stmt, list(groups.values()))

    def _write_states(
        self, conn: Connection, good: list[tuple[DeviceInfo, str, Message]], batch: StoredBatch
    ) -> None:
        now = utcnow()
        latest: dict[int, tuple[datetime, str]] = {}
        for info, kind, msg in good:
            batch.seen.add(info.device_id)
            if kind == "status" and msg.state is not None:
                current = latest.get(info.device_id)
                if current is None or msg.ts >= current[0]:
                    latest[info.device_id] = (msg.ts, msg.state)
        table = cast(Table, Device.__table__)
        if batch.seen:
            conn.execute(
                update(table).where(table.c.id.in_(sorted(batch.seen))).values(last_seen_at=now)
            )
        for device_id, (ts, state) in latest.items():
            # A late resend of an older status must not overwrite a newer one.
            conn.execute(
                update(table)
                .where(
                    table.c.id == device_id,
                    or_(table.c.state_at.is_(None), table.c.state_at <= ts),
                )
                .values(state=state, state_at=ts)
            )
            batch.states[device_id] = state

    def _write_refusals(
        self, conn: Connection, refusals: list[tuple[DeviceInfo, Reason, str]]
    ) -> None:
        if not refusals:
            return
        now = utcnow()
        grouped: dict[tuple[int, str], dict[str, Any]] = {}
        for info, reason, detail in refusals:
            key = (info.device_id, reason.value)
            g = grouped.setdefault(
                key,
                {
                    "enterprise_id": info.enterprise_id,
                    "device_id": info.device_id,
                    "reason": reason.value,
                    "count": 0,
                    "first_at": now,
                    "last_at": now,
                    "last_detail": detail,
                },
            )
            g["count"] += 1
            g["last_detail"] = detail
        table = cast(Table, IngestRejection.__table__)
        stmt = _insert(conn, table)
        new = stmt.excluded
        stmt = stmt.on_conflict_do_update(
            index_elements=["device_id", "reason"],
            set_={
                "count": table.c.count + new.count,
                "last_at": new.last_at,
                "last_detail": new.last_detail,
            },
        )
        conn.execute(stmt, list(grouped.values()))


class _Charged(Rejected):
    """A refusal counted against a known device."""

    def __init__(self, info: DeviceInfo, reason: Reason, detail: str) -> None:
        super().__init__(reason, detail)
        self.info = info


@dataclass(frozen=True)
class Retention:
    """How long raw samples and rollups are kept."""

    raw_days: int = 30
    minute_days: int = 90
    hour_days: int = 730

    def __post_init__(self) -> None:
        if min(self.raw_days, self.minute_days, self.hour_days) < 1:
            raise ValueError(f"retention must be at least one day: {self}")


def prune(db: Database, retention: Retention, now: datetime | None = None) -> dict[str, int]:
    """Delete samples and rollups older than the retention; returns rows deleted per kind."""
    now = now or utcnow()
    samples = cast(Table, TelemetrySample.__table__)
    rollups = cast(Table, TelemetryRollup.__table__)
    deleted: dict[str, int] = defaultdict(int)
    with db.system() as uow:
        conn = uow.session.connection()
        r = conn.execute(
            delete(samples).where(samples.c.ts < now - timedelta(days=retention.raw_days))
        )
        deleted["raw"] = r.rowcount
        for res, days in (
            (Resolution.MINUTE, retention.minute_days),
            (Resolution.HOUR, retention.hour_days),
        ):
            r = conn.execute(
                delete(rollups).where(
                    and_(
                        rollups.c.resolution == res.value,
                        rollups.c.bucket < now - timedelta(days=days),
                    )
                )
            )
            deleted[res.value] = r.rowcount
        uow.commit()
    return dict(deleted)
