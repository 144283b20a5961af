"""The telemetry store on SQLite and PostgreSQL: dedup, rollups, refusals, states, retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from supplymesh.devices import credentials
from supplymesh.devices.model import Device, IngestRejection, TelemetryRollup
from supplymesh.devices.payload import encode
from supplymesh.devices.store import Incoming, Retention, StoredBatch, TelemetryStore, prune
from supplymesh.platform.uow import Database
from tests.devices.world import make_device, make_enterprise, sample_count, stored

T0 = datetime(2026, 3, 2, 8, 0, 0, tzinfo=UTC)


def _telemetry(topic: str, seq: int, ts: datetime, **metrics: float) -> Incoming:
    return Incoming(topic, encode(ts, seq, metrics))


def test_resent_messages_are_stored_once(db: Database) -> None:
    key = make_device(db, make_enterprise(db), "M1")
    store = TelemetryStore(db)
    batch = [_telemetry(key.topic(), s, T0 + timedelta(seconds=s), temp=20.0 + s) for s in range(5)]
    first = store.store_batch(batch)
    again = store.store_batch([*batch[2:], _telemetry(key.topic(), 5, T0, temp=1.0)])
    assert (first.stored_messages, first.duplicate_messages) == (5, 0)
    assert (again.stored_messages, again.duplicate_messages) == (1, 3)
    assert stored(db, key.device_id) == [0, 1, 2, 3, 4, 5]
    assert sample_count(db, key.device_id) == 6


def test_rollups_count_each_sample_once_even_when_resent(db: Database) -> None:
    key = make_device(db, make_enterprise(db), "M1")
    store = TelemetryStore(db)
    # 90 s of readings 0..89: minute 08:00 holds 0..59, minute 08:01 holds 60..89.
    batch = [
        _telemetry(key.topic(), s, T0 + timedelta(seconds=s), temp=float(s)) for s in range(90)
    ]
    store.store_batch(batch[:50])
    store.store_batch(batch[40:])
    with db.system() as uow:
        rows = uow.session.scalars(
            select(TelemetryRollup).order_by(TelemetryRollup.resolution, TelemetryRollup.bucket)
        ).all()
        got = [
            (r.resolution, r.bucket, r.count, r.min_value, r.max_value, r.sum_value, r.last_value)
            for r in rows
        ]
    assert got == [
        ("hour", T0, 90, 0.0, 89.0, float(sum(range(90))), 89.0),
        ("minute", T0, 60, 0.0, 59.0, float(sum(range(60))), 59.0),
        ("minute", T0 + timedelta(minutes=1), 30, 60.0, 89.0, float(sum(range(60, 90))), 89.0),
    ]


def test_refused_messages_are_counted_per_device_and_reason_and_the_rest_stored(
    db: Database,
) -> None:
    fleet = make_enterprise(db)
    key = make_device(db, fleet, "M1")
    store = TelemetryStore(db)
    batch = [
        _telemetry(key.topic(), 1, T0, temp=1.0),
        Incoming(key.topic(), b"{broken"),
        Incoming(key.topic(), b"{broken again"),
        _telemetry(key.topic(), 2, T0, pressure=3.0),
        Incoming(key.topic().replace("/P1/", "/P9/"), encode(T0, 3, {"temp": 1.0})),
        Incoming("sm/ACME/P1/NOBODY/telemetry", encode(T0, 4, {"temp": 1.0})),
        _telemetry(key.topic(), 5, T0, temp=2.0),
    ]
    result = store.store_batch(batch)
    assert result.stored_messages == 2
    assert stored(db, key.device_id) == [1, 5]
    with db.system() as uow:
        counts = {
            r.reason: (r.count, r.device_id) for r in uow.session.scalars(select(IngestRejection))
        }
    assert counts == {
        "not_json": (2, key.device_id),
        "unknown_metric": (1, key.device_id),
        "topic_mismatch": (1, key.device_id),
    }
    assert store.unattributed == {"unknown_device": 1}
    store.store_batch([Incoming(key.topic(), b"{broken")])
    with db.system() as uow:
        row = uow.session.scalar(
            select(IngestRejection).where(IngestRejection.reason == "not_json")
        )
        assert row is not None and row.count == 3


def test_status_sets_the_state_unless_an_older_status_arrives_late(db: Database) -> None:
    key = make_device(db, make_enterprise(db), "M1")
    store = TelemetryStore(db)
    seen: list[StoredBatch] = []
    store.subscribe(seen.append)
    store.store_batch(
        [Incoming(key.topic("status"), encode(T0 + timedelta(minutes=1), 10, {}, "fault"))]
    )
    store.store_batch([Incoming(key.topic("status"), encode(T0, 9, {}, "running"))])
    store.store_batch([Incoming(key.topic("heartbeat"), encode(T0, 11, {}))])
    with db.system() as uow:
        device = uow.session.get(Device, key.device_id)
        assert device is not None
        assert (device.state, device.state_at) == ("fault", T0 + timedelta(minutes=1))
        assert device.last_seen_at is not None
    assert [b.states for b in seen] == [{key.device_id: "fault"}, {key.device_id: "running"}, {}]


def test_retention_drops_old_samples_and_minute_rollups_but_keeps_hours(db: Database) -> None:
    key = make_device(db, make_enterprise(db), "M1")
    store = TelemetryStore(db)
    old, new = T0 - timedelta(days=40), T0
    store.store_batch(
        [_telemetry(key.topic(), 1, old, temp=1.0), _telemetry(key.topic(), 2, new, temp=2.0)]
    )
    deleted = prune(
        db, Retention(raw_days=30, minute_days=35, hour_days=365), now=T0 + timedelta(hours=1)
    )
    assert deleted == {"raw": 1, "minute": 1, "hour": 0}
    assert stored(db, key.device_id) == [2]


def test_a_device_without_an_active_secret_is_not_stored(db: Database) -> None:
    fleet = make_enterprise(db)
    key = make_device(db, fleet, "M1")
    with db.unit_of_work(db.context_for(fleet.enterprise_id, None, "admin")) as uow:
        for cred in credentials.active_credentials(uow, key.device_id):
            credentials.revoke(uow, key.device_id, cred.id)
        uow.commit()
    result = TelemetryStore(db).store_batch([_telemetry(key.topic(), 1, T0, temp=1.0)])
    assert result.rejected == {"device_inactive": 1}
    assert stored(db, key.device_id) == []
