"""Builders shared by the devices tests: an enterprise with a plant, devices, MQTT clients."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from supplymesh.devices import credentials
from supplymesh.devices.ingestion.mqtt import BrokerAddress, make_client
from supplymesh.devices.model import Device, DeviceMetric, TelemetrySample
from supplymesh.devices.payload import encode, topic_for
from supplymesh.network.model import Site
from supplymesh.network.services import NewEnterprise, register_enterprise
from supplymesh.platform.uow import Database
from tests.support.server import free_port

__all__ = ["free_port"]


@dataclass
class FakeFleet:
    enterprise_id: int
    enterprise_code: str
    site_code: str


@dataclass
class DeviceKey:
    device_id: int
    code: str
    username: str
    secret: str
    enterprise_code: str
    site_code: str

    def topic(self, kind: str = "telemetry", device: str | None = None) -> str:
        return topic_for(self.enterprise_code, self.site_code, device or self.code, kind)


def make_enterprise(db: Database, code: str = "ACME") -> FakeFleet:
    username = f"{code.lower()}.admin"
    ent, _ = register_enterprise(
        db, NewEnterprise(code, f"{code} Co", ["manufacturer"], username, f"{code}-password-1")
    )
    with db.unit_of_work(db.context_for(ent.id, None, "admin")) as uow:
        uow.add(Site(code="P1", name="Plant 1", kind="plant"))
        uow.commit()
    return FakeFleet(ent.id, code, "P1")


def make_device(
    db: Database, fleet: FakeFleet, code: str, metrics: tuple[str, ...] = ("temp", "vib")
) -> DeviceKey:
    with db.unit_of_work(db.context_for(fleet.enterprise_id, None, "admin")) as uow:
        site = uow.session.scalar(select(Site).where(Site.code == fleet.site_code))
        assert site is not None
        device = Device(site_id=site.id, code=code, name=f"Machine {code}")
        uow.add(device)
        uow.flush()
        for name in metrics:
            uow.add(DeviceMetric(device_id=device.id, name=name, unit="u"))
        issued = credentials.issue(uow, device.id)
        uow.commit()
    return DeviceKey(
        device.id, code, issued.username, issued.secret, fleet.enterprise_code, fleet.site_code
    )


def payload(seq: int, **metrics: float) -> bytes:
    return encode(datetime.now(UTC), seq, metrics)


def stored(db: Database, device_id: int) -> list[int]:
    """The distinct seqs stored for a device, sorted."""
    with db.system() as uow:
        query = select(TelemetrySample.seq).where(TelemetrySample.device_id == device_id)
        return sorted(set(uow.session.scalars(query)))


def sample_count(db: Database, device_id: int) -> int:
    with db.system() as uow:
        return int(
            uow.session.scalar(select(func.count()).where(TelemetrySample.device_id == device_id))
            or 0
        )


def wait_until(check: Callable[[], bool], timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


class DeviceClient:
    """A real MQTT client acting as the device; `connect()` says whether the broker let it in."""

    def __init__(self, key: DeviceKey, port: int, secret: str | None = None) -> None:
        address = BrokerAddress("127.0.0.1", port, key.username, secret or key.secret)
        self.client = make_client(f"dev-{key.device_id}-{time.monotonic_ns()}", address)
        self.result: Any = None
        self._answered = threading.Event()
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = lambda *_a: self._answered.set()

    def _on_connect(self, _c: Any, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        self.result = reason
        self._answered.set()

    def connect(self, port: int) -> bool:
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        self._answered.wait(5)
        return self.result is not None and not self.result.is_failure

    def publish(self, topic: str, data: bytes) -> None:
        info = self.client.publish(topic, data, qos=1)
        info.wait_for_publish(5)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
