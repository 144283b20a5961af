"""The embedded amqtt broker with the ingestor: real MQTT clients on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from supplymesh.devices import credentials
from supplymesh.devices.ingestion.broker import EmbeddedBroker
from supplymesh.devices.ingestion.mqtt import Ingestor
from supplymesh.devices.model import Device, IngestRejection
from supplymesh.devices.store import TelemetryStore
from supplymesh.platform.uow import Database
from tests.devices.world import (
    DeviceClient,
    DeviceKey,
    FakeFleet,
    free_port,
    make_device,
    make_enterprise,
    payload,
    stored,
    wait_until,
)


@pytest.fixture
def backend() -> str:
    """Broker behaviour does not depend on the database; the store is tested on both."""
    return "sqlite"


@dataclass
class Running:
    broker: EmbeddedBroker
    ingestor: Ingestor
    fleet: FakeFleet
    port: int


@pytest.fixture
def running(db: Database) -> Iterator[Running]:
    fleet = make_enterprise(db)
    broker = EmbeddedBroker(db, free_port()).start()
    ingestor = Ingestor(TelemetryStore(db), broker.ingestor_address, batch_wait_s=0.02).start()
    yield Running(broker, ingestor, fleet, broker.port)
    ingestor.stop()
    broker.stop()


def _connected(key: DeviceKey, port: int) -> DeviceClient:
    client = DeviceClient(key, port)
    assert client.connect(port), f"device {key.code} was refused: {client.result}"
    return client


def test_device_publishes_and_samples_are_stored(db: Database, running: Running) -> None:
    key = make_device(db, running.fleet, "M1")
    dev = _connected(key, running.port)
    try:
        for seq in range(1, 51):
            dev.publish(key.topic(), payload(seq, temp=20.0 + seq, vib=0.1))
        dev.publish(
            key.topic("status", device=str(key.device_id)),
            b'{"ts": "2026-03-02T08:00:00Z", "seq": 51, "metrics": {}, "state": "running"}',
        )
    finally:
        dev.close()
    assert wait_until(lambda: len(stored(db, key.device_id)) == 50)
    assert stored(db, key.device_id) == list(range(1, 51))
    assert wait_until(lambda: _state(db, key.device_id) == "running")


def _state(db: Database, device_id: int) -> str | None:
    with db.system() as uow:
        device = uow.session.get(Device, device_id)
        return device.state if device else None


def test_a_device_may_publish_only_under_its_own_topic(db: Database, running: Running) -> None:
    a = make_device(db, running.fleet, "A")
    b = make_device(db, running.fleet, "B")
    dev = _connected(a, running.port)
    try:
        dev.publish(b.topic(), payload(1, temp=99.0))
        dev.publish(a.topic().replace("/P1/", "/P2/"), payload(2, temp=99.0))
        dev.publish("sm/OTHER/P1/A/telemetry", payload(3, temp=99.0))
        granted: list[bool] = []
        dev.client.on_subscribe = lambda _c, _u, _m, codes, _p: granted.extend(
            not c.is_failure for c in codes
        )
        dev.client.subscribe("sm/#", qos=1)
        dev.publish(a.topic(), payload(4, temp=1.0))
    finally:
        dev.close()
    assert wait_until(lambda: stored(db, a.device_id) == [4])
    assert stored(db, b.device_id) == []
    assert granted == [False]  # devices may not listen to others


def test_wrong_revoked_or_disabled_credentials_cannot_connect(
    db: Database, running: Running
) -> None:
    key = make_device(db, running.fleet, "M1")
    wrong = DeviceClient(key, running.port, secret="smd_not-the-secret")
    assert not wrong.connect(running.port)
    wrong.close()
    with db.unit_of_work(db.context_for(running.fleet.enterprise_id, None, "admin")) as uow:
        cred = credentials.active_credentials(uow, key.device_id)[0]
        credentials.revoke(uow, key.device_id, cred.id)
        uow.commit()
    revoked = DeviceClient(key, running.port)
    assert not revoked.connect(running.port)
    revoked.close()
    with db.unit_of_work(db.context_for(running.fleet.enterprise_id, None, "admin")) as uow:
        fresh = credentials.issue(uow, key.device_id)
        uow.session.get(Device, key.device_id).move_to("disabled")  # type: ignore[union-attr]
        uow.commit()
    key.secret = fresh.secret
    disabled = DeviceClient(key, running.port)
    assert not disabled.connect(running.port)
    disabled.close()


def test_malformed_payloads_are_counted_and_ingestion_continues(
    db: Database, running: Running
) -> None:
    key = make_device(db, running.fleet, "M1")
    dev = _connected(key, running.port)
    try:
        dev.publish(key.topic(), payload(1, temp=1.0))
        dev.publish(key.topic(), b"\xff\xfe not json")
        dev.publish(key.topic(), payload(2, humidity=1.0))
        dev.publish(
            key.topic(), b'{"ts": "2026-03-02T08:00:00Z", "seq": 3, "metrics": {"temp": "x"}}'
        )
        dev.publish(key.topic(), payload(4, temp=2.0))
    finally:
        dev.close()
    assert wait_until(lambda: stored(db, key.device_id) == [1, 4])

    def counts() -> dict[str, int]:
        with db.system() as uow:
            return {r.reason: r.count for r in uow.session.scalars(select(IngestRejection))}

    assert wait_until(lambda: counts() == {"not_json": 1, "unknown_metric": 1, "not_a_number": 1})


def test_resent_messages_are_stored_once(db: Database, running: Running) -> None:
    key = make_device(db, running.fleet, "M1")
    dev = _connected(key, running.port)
    try:
        for _ in range(3):
            for seq in (7, 8):
                dev.publish(key.topic(), payload(seq, temp=float(seq)))
    finally:
        dev.close()
    assert wait_until(lambda: running.ingestor.stats.received >= 6)
    assert stored(db, key.device_id) == [7, 8]
    assert running.ingestor.stats.duplicates == 4


def test_messages_sent_while_the_ingestor_is_away_arrive_after_it_returns(
    db: Database, running: Running
) -> None:
    key = make_device(db, running.fleet, "M1")
    dev = _connected(key, running.port)
    try:
        for seq in range(1, 101):
            dev.publish(key.topic(), payload(seq, temp=1.0))
            if seq == 30:
                running.ingestor.stop()
        running.ingestor = Ingestor(
            TelemetryStore(db), running.broker.ingestor_address, batch_wait_s=0.02
        ).start()
    finally:
        dev.close()
    assert wait_until(lambda: stored(db, key.device_id) == list(range(1, 101)))


def test_a_burst_acknowledged_just_before_disconnecting_is_stored(
    db: Database, running: Running
) -> None:
    keys = [make_device(db, running.fleet, f"M{i}") for i in range(3)]
    clients = [_connected(key, running.port) for key in keys]
    infos = [
        client.client.publish(key.topic(), payload(seq, temp=1.0), qos=1)
        for seq in range(1, 151)
        for key, client in zip(keys, clients, strict=True)
    ]
    for info in infos:
        info.wait_for_publish(10)
    for client in clients:
        client.close()  # at once: amqtt still holds acknowledged messages in its queue
    for key in keys:
        assert wait_until(lambda key=key: stored(db, key.device_id) == list(range(1, 151)))


def test_a_connected_device_whose_secret_is_revoked_is_refused(
    db: Database, running: Running
) -> None:
    running.broker.gatekeeper.recheck_s = 0.1
    key = make_device(db, running.fleet, "M1")
    dev = _connected(key, running.port)
    try:
        dev.publish(key.topic(), payload(1, temp=1.0))
        assert wait_until(lambda: stored(db, key.device_id) == [1])
        with db.unit_of_work(db.context_for(running.fleet.enterprise_id, None, "admin")) as uow:
            cred = credentials.active_credentials(uow, key.device_id)[0]
            credentials.revoke(uow, key.device_id, cred.id)
            uow.commit()
        time.sleep(0.2)
        dev.publish(key.topic(), payload(2, temp=2.0))
        dev.publish(key.topic(), payload(3, temp=3.0))
    finally:
        dev.close()
    time.sleep(0.5)
    assert stored(db, key.device_id) == [1]
    assert running.ingestor.stats.received == 1  # refused at the broker, not just by the store
