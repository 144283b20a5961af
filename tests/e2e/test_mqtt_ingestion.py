"""MQTT ingestion across processes: a real mosquitto, a killed ingestor, a killed platform.

Everything listens on 127.0.0.1 and stops by itself. Mosquitto is Debian's (installed by
`make system-deps`); its devices are provisioned through the dynamic-security plugin.
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from supplymesh.devices import credentials
from supplymesh.devices.ingestion.broker import EmbeddedBroker
from supplymesh.devices.ingestion.mosquitto import (
    DynSecProvisioner,
    MosquittoProcess,
    write_config,
)
from supplymesh.devices.ingestion.mqtt import BrokerAddress, Ingestor, make_client
from supplymesh.devices.model import IngestRejection
from supplymesh.devices.simulate import METRICS, FleetStats, SimCredential, SimulatedDevice
from supplymesh.devices.store import TelemetryStore
from supplymesh.platform.settings import Settings
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
from tests.support.server import CLI, cli_env

pytestmark = pytest.mark.e2e


@pytest.fixture
def backend() -> str:
    """Multi-process tests share one SQLite file (the store itself is tested on both)."""
    return "sqlite"


@dataclass
class Mosquitto:
    process: MosquittoProcess
    fleet: FakeFleet
    db: Database

    @property
    def port(self) -> int:
        return self.process.setup.port

    def device(self, code: str) -> DeviceKey:
        key = make_device(self.db, self.fleet, code)
        with self.db.system() as uow:
            ident = credentials.identity(uow, key.device_id)
        DynSecProvisioner(self.process.setup.admin).grant(ident, key.secret)
        return key


@pytest.fixture
def mosquitto(db: Database, tmp_path: Path) -> Iterator[Mosquitto]:
    setup = write_config(tmp_path / "mosquitto", free_port())
    process = MosquittoProcess(setup).start()
    yield Mosquitto(process, make_enterprise(db), db)
    process.kill()


def _ingestor(db: Database, address: BrokerAddress) -> Ingestor:
    return Ingestor(TelemetryStore(db), address, batch_wait_s=0.02).start()


def test_mosquitto_device_auth_acl_malformed_and_dedup(db: Database, mosquitto: Mosquitto) -> None:
    a = mosquitto.device("A")
    b = mosquitto.device("B")
    ingestor = _ingestor(db, mosquitto.process.setup.ingestor)
    try:
        dev = DeviceClient(a, mosquitto.port)
        assert dev.connect(mosquitto.port)
        dev.publish(a.topic(), payload(1, temp=1.0))
        dev.publish(b.topic(), payload(2, temp=2.0))  # not its topic: mosquitto drops it
        dev.publish(a.topic(), b"{not json")
        dev.publish(a.topic(), payload(3, temp=3.0))
        dev.publish(a.topic(), payload(3, temp=3.0))  # a resend
        dev.publish(a.topic(device=str(a.device_id)), payload(4, vib=4.0))
        assert wait_until(lambda: stored(db, a.device_id) == [1, 3, 4])
        assert wait_until(lambda: ingestor.stats.received == 5)
        assert stored(db, b.device_id) == []
        assert ingestor.stats.duplicates == 1
        with db.system() as uow:
            refused = [
                (r.device_id, r.reason, r.count)
                for r in uow.session.scalars(select(IngestRejection))
            ]
        assert refused == [(a.device_id, "not_json", 1)]

        wrong = DeviceClient(a, mosquitto.port, secret="smd_wrong")
        assert not wrong.connect(mosquitto.port)
        wrong.close()
        with db.system() as uow:
            ident = credentials.identity(uow, a.device_id)
        DynSecProvisioner(mosquitto.process.setup.admin).revoke(ident)
        assert wait_until(lambda: not dev.client.is_connected(), 5)  # kicked off at once
        dev.close()
        again = DeviceClient(a, mosquitto.port)
        assert not again.connect(mosquitto.port)
        again.close()
    finally:
        ingestor.stop()


class Stream:
    """A device publishing `count` messages in a thread, remembering what was acknowledged."""

    def __init__(self, key: DeviceKey, port: int, count: int, pause_s: float = 0.002) -> None:
        address = BrokerAddress("127.0.0.1", port, key.username, key.secret)
        self.client = make_client(f"stream-{key.device_id}", address, clean_session=False)
        self.client.max_queued_messages_set(0)
        self.client.reconnect_delay_set(1, 2)
        self.key, self.count, self.pause_s = key, count, pause_s
        self._acked_mids: set[int] = set()
        self._mids: dict[int, int] = {}
        self.client.on_publish = self._on_publish
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _on_publish(self, _c: Any, _u: Any, mid: int, _r: Any, _p: Any) -> None:
        # paho calls this holding its own lock: take no lock here that publish() is called under
        self._acked_mids.add(mid)

    @property
    def acked(self) -> set[int]:
        return {seq for mid, seq in list(self._mids.items()) if mid in self._acked_mids}

    def _run(self) -> None:
        for seq in range(1, self.count + 1):
            info = self.client.publish(self.key.topic(), payload(seq, temp=float(seq)), qos=1)
            self._mids[info.mid] = seq
            time.sleep(self.pause_s)

    def finish(self, timeout_s: float = 30) -> None:
        """Wait until everything was published and acknowledged, then disconnect."""
        self.thread.join(timeout_s)
        wait_until(lambda: len(self.acked) == self.count, timeout_s)
        self.client.disconnect()
        self.client.loop_stop()


def _ingest_process(
    settings: Settings, address: BrokerAddress, log: Path
) -> subprocess.Popen[bytes]:
    env = cli_env(settings.resolved_database_url, settings.home)
    with log.open("ab") as out:
        return subprocess.Popen(
            [CLI, "devices", "ingest", "--broker", address.url()], env=env, stdout=out, stderr=out
        )


def _kill_ingestor_mid_stream(
    settings: Settings, db: Database, key: DeviceKey, port: int, address: BrokerAddress
) -> None:
    log = settings.home / "ingest.log"
    proc = _ingest_process(settings, address, log)
    try:
        # The first ingestor must have subscribed before the stream starts (its session).
        assert wait_until(lambda: "ingesting" in log.read_text(), 30), log.read_text()
        stream = Stream(key, port, count=600)
        stream.thread.start()
        assert wait_until(lambda: len(stored(db, key.device_id)) >= 100, 30), log.read_text()
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        proc = _ingest_process(settings, address, log)
        stream.finish()
        assert len(stream.acked) == 600
        assert wait_until(lambda: stored(db, key.device_id) == list(range(1, 601)), 30), (
            log.read_text()[-2000:]
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)


def test_killing_the_ingestor_loses_nothing_with_mosquitto(
    settings: Settings, db: Database, mosquitto: Mosquitto
) -> None:
    key = mosquitto.device("M1")
    _kill_ingestor_mid_stream(settings, db, key, mosquitto.port, mosquitto.process.setup.ingestor)


def test_killing_the_ingestor_loses_nothing_with_the_embedded_broker(
    settings: Settings, db: Database
) -> None:
    fleet = make_enterprise(db)
    key = make_device(db, fleet, "M1")
    broker = EmbeddedBroker(db, free_port()).start()
    try:
        _kill_ingestor_mid_stream(settings, db, key, broker.port, broker.ingestor_address)
    finally:
        broker.stop()


def test_restarting_mosquitto_mid_stream_loses_nothing(db: Database, mosquitto: Mosquitto) -> None:
    key = mosquitto.device("M1")
    ingestor = _ingestor(db, mosquitto.process.setup.ingestor)
    try:
        stream = Stream(key, mosquitto.port, count=600)
        stream.thread.start()
        assert wait_until(lambda: len(stored(db, key.device_id)) >= 100, 30)
        mosquitto.process.stop()  # SIGTERM: mosquitto writes its persistence file
        mosquitto.process.start()
        stream.finish()
        assert len(stream.acked) == 600
        assert wait_until(lambda: stored(db, key.device_id) == list(range(1, 601)), 30)
    finally:
        ingestor.stop()


def _platform(settings: Settings, port: int, log: Path, starts: int) -> subprocess.Popen[bytes]:
    """`supplymesh devices run`: the embedded broker and ingestor, as `serve` runs them."""
    env = cli_env(settings.resolved_database_url, settings.home) | {
        "SUPPLYMESH_MQTT_PORT": str(port)
    }
    with log.open("ab") as out:
        proc = subprocess.Popen([CLI, "devices", "run"], env=env, stdout=out, stderr=out)
    assert wait_until(lambda: log.read_text().count("ready") > starts, 30), log.read_text()
    return proc


def test_killing_the_platform_with_the_embedded_broker_loses_nothing_the_device_resends(
    settings: Settings, db: Database
) -> None:
    fleet = make_enterprise(db)
    key = make_device(db, fleet, "M1", metrics=tuple(name for name, *_ in METRICS))
    port, log = free_port(), settings.home / "platform.log"
    proc = _platform(settings, port, log, starts=0)
    cred = SimCredential(
        key.device_id,
        key.code,
        key.username,
        key.secret,
        key.topic(),
        key.topic("status"),
        key.topic("heartbeat"),
    )
    device = SimulatedDevice(cred, "127.0.0.1", port, seed=1, stats=FleetStats())
    device.client.loop_start()
    try:
        for i in range(300):
            device.tick(0.1, _now())
            if i == 150:
                proc.send_signal(signal.SIGKILL)  # broker and ingestor die together
                proc.wait(10)
                proc = _platform(settings, port, log, starts=1)
            time.sleep(0.005)
        sent = sorted({json.loads(p)["seq"] for t, p in device.recent if t.endswith("/telemetry")})
        assert len(sent) == 300
        assert wait_until(lambda: stored(db, key.device_id) == sent, 30)
        assert device.stats.resent > 0
    finally:
        device.client.disconnect()
        device.client.loop_stop()
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)
