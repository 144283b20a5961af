"""A simulated MQTT fleet: machines that run, idle and fail, count parts and scrap, and wear.

Each machine's wear grows while it runs; wear raises vibration and temperature slowly, makes
scrap likelier and faults likelier, and a repair after a fault takes most of it away, so the
series look like what predictive maintenance is trained on. Every machine is a real MQTT
client with its own credential, publishing the contract's payload with QoS 1; after a
reconnect it sends its recent messages again (the platform deduplicates on (device, seq)).
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from supplymesh.devices import credentials
from supplymesh.devices.model import Device, DeviceMetric
from supplymesh.devices.payload import KINDS, encode, topic_for
from supplymesh.devices.ports import BrokerProvisioner
from supplymesh.network.model import Enterprise, Site
from supplymesh.platform.errors import NotFound
from supplymesh.platform.uow import Database

log = logging.getLogger(__name__)

#: (name, unit, min, max): what every simulated machine reports.
METRICS: tuple[tuple[str, str, float, float], ...] = (
    ("temperature", "degC", 10.0, 95.0),
    ("vibration", "mm/s", 0.0, 11.0),
    ("power", "kW", 0.0, 60.0),
    ("spindle_speed", "rpm", 0.0, 12000.0),
    ("part_count", "pcs", 0.0, 1e12),
    ("scrap_count", "pcs", 0.0, 1e12),
    # The state as the number KPIs read (devices.kpi_calc.STATE_CODES), on every telemetry
    # message: the store keeps metric history, not the history of status texts.
    ("state", "", 0.0, 4.0),
)
STATE_CODE = {"idle": 0.0, "running": 1.0, "fault": 2.0}
#: One part per cycle of about 30 s while running (see `Machine.step`).
IDEAL_CYCLE_S = 30


@dataclass(frozen=True)
class SimCredential:
    """What a simulated device needs to connect (also the format of the credentials file)."""

    device_id: int
    code: str
    username: str
    secret: str
    telemetry_topic: str
    status_topic: str
    heartbeat_topic: str


def provision(
    db: Database,
    enterprise_code: str,
    count: int,
    site_code: str | None = None,
    provisioner: BrokerProvisioner | None = None,
) -> list[SimCredential]:
    """Create (or reuse) `count` demo machines SIM-001… at a plant and give each a new secret."""
    with db.system() as uow:
        ent = uow.session.scalar(select(Enterprise).where(Enterprise.code == enterprise_code))
        if ent is None:
            raise NotFound("enterprise", enterprise_code)
        ent_id = ent.id
    ctx = db.context_for(ent_id, None, "admin")
    out: list[SimCredential] = []
    with db.unit_of_work(ctx) as uow:
        sites = select(Site).where(Site.enterprise_id == ent_id)
        sites = (
            sites.where(Site.code == site_code)
            if site_code
            else sites.order_by(Site.kind != "plant", Site.id)
        )
        site = uow.session.scalars(sites.limit(1)).first()
        if site is None:
            site = Site(code=site_code or "SIM-PLANT", name="Simulated plant", kind="plant")
            uow.add(site)
            uow.flush()
        for i in range(1, count + 1):
            code = f"SIM-{i:03d}"
            device = uow.session.scalar(select(Device).where(Device.code == code))
            if device is None:
                device = Device(site_id=site.id, code=code, name=f"Simulated machine {i}")
                device.attributes = {
                    "simulated": True,
                    "model": "CNC-5X",
                    "ideal_cycle_s": IDEAL_CYCLE_S,
                }
                uow.add(device)
                uow.flush()
            known = {
                m.name
                for m in uow.session.scalars(
                    select(DeviceMetric).where(DeviceMetric.device_id == device.id)
                )
            }
            for name, unit, low, high in METRICS:
                if name not in known:
                    uow.add(
                        DeviceMetric(
                            device_id=device.id, name=name, unit=unit, min_value=low, max_value=high
                        )
                    )
            uow.flush()
            issued = credentials.rotate(uow, device.id)
            ident = credentials.identity(uow, device.id)
            if provisioner is not None:
                provisioner.grant(ident, issued.secret)
            ent_code, at_site = ident.enterprise_code, ident.site_code
            topics = [topic_for(ent_code, at_site, ident.code, k) for k in KINDS]
            out.append(
                SimCredential(
                    device.id,
                    device.code,
                    issued.username,
                    issued.secret,
                    topics[0],
                    topics[1],
                    topics[2],
                )
            )
        uow.commit()
    return out


def save_credentials(path: Path, creds: list[SimCredential]) -> None:
    path.write_text(json.dumps([asdict(c) for c in creds], indent=1))
    path.chmod(0o600)


def load_credentials(path: Path) -> list[SimCredential]:
    return [SimCredential(**row) for row in json.loads(path.read_text())]


@dataclass
class Machine:
    """One machine's behaviour: a Markov chain of states, wear, counters."""

    rng: random.Random
    state: str = "idle"
    wear: float = 0.0
    parts: int = 0
    scrap: int = 0
    seq: int = field(default_factory=lambda: time.time_ns() // 1000)

    def step(self, dt_s: float) -> dict[str, float]:
        """Advance `dt_s` seconds and return the readings at the end."""
        r = self.rng.random()
        if self.state == "running":
            self.wear += dt_s * 2e-4 * (1 + self.rng.random())
            if r < dt_s * (0.002 + 0.02 * self.wear**2):
                self.state = "fault"
            elif r < dt_s * 0.03:
                self.state = "idle"
            elif self.rng.random() < dt_s / 30:  # a cycle of about 30 s ends
                self.parts += 1
                if self.rng.random() < 0.01 + 0.1 * self.wear:
                    self.scrap += 1
        elif self.state == "idle":
            if r < dt_s * 0.1:
                self.state = "running"
        elif r < dt_s * 0.02:  # repaired: most wear goes
            self.state, self.wear = "idle", self.wear * 0.2
        running = self.state == "running"
        return {
            "temperature": round(
                25 + (30 if running else 5) + 25 * self.wear + self.rng.gauss(0, 0.5), 3
            ),
            "vibration": round(
                max(0.0, (2.0 if running else 0.2) * (1 + 3 * self.wear) + self.rng.gauss(0, 0.1)),
                4,
            ),
            "power": round(
                (35 if running else 3) + self.rng.gauss(0, 1) if self.state != "fault" else 0.5, 3
            ),
            "spindle_speed": round(8000 + self.rng.gauss(0, 50), 1) if running else 0.0,
            "part_count": float(self.parts),
            "scrap_count": float(self.scrap),
            "state": STATE_CODE[self.state],
        }

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq


@dataclass
class FleetStats:
    published: int = 0
    acknowledged: int = 0
    resent: int = 0
    connect_failures: int = 0


class SimulatedDevice:
    """A machine with its MQTT client; keeps its last messages to resend after a reconnect."""

    def __init__(
        self,
        cred: SimCredential,
        host: str,
        port: int,
        seed: int,
        stats: FleetStats,
        window: int = 500,
    ) -> None:
        from supplymesh.devices.ingestion.mqtt import BrokerAddress, make_client

        self.cred = cred
        self.machine = Machine(random.Random(seed))
        self.stats = stats
        self.recent: deque[tuple[str, bytes]] = deque(maxlen=window)
        self._lock = threading.Lock()
        self._connected_once = False
        address = BrokerAddress(host, port, cred.username, cred.secret)
        self.client = make_client(f"sim-{cred.device_id}", address, clean_session=False)
        self.client.max_inflight_messages_set(1000)
        self.client.max_queued_messages_set(0)
        self.client.on_connect = self._on_connect
        self.client.on_publish = self._on_publish
        self.client.reconnect_delay_set(1, 5)
        self.client.connect_async(host, port, keepalive=30)

    def _on_connect(self, _client: Any, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            self.stats.connect_failures += 1
            log.warning("device %s refused: %s", self.cred.code, reason)
            return
        if self._connected_once:
            with self._lock:
                again = list(self.recent)
            for topic, payload in again:
                self.client.publish(topic, payload, qos=1)
            self.stats.resent += len(again)
            self.stats.published += len(again)
        self._connected_once = True

    def _on_publish(self, *_args: Any) -> None:
        self.stats.acknowledged += 1

    def publish(self, topic: str, payload: bytes) -> None:
        with self._lock:
            self.recent.append((topic, payload))
        self.client.publish(topic, payload, qos=1)
        self.stats.published += 1

    def tick(self, dt_s: float, now: datetime) -> None:
        before = self.machine.state
        readings = self.machine.step(dt_s)
        self.publish(self.cred.telemetry_topic, encode(now, self.machine.next_seq(), readings))
        if self.machine.state != before:
            self.publish(
                self.cred.status_topic, encode(now, self.machine.next_seq(), {}, self.machine.state)
            )


class Fleet:
    """All simulated devices, ticked together at `rate_hz` messages per device per second."""

    def __init__(self, creds: list[SimCredential], host: str, port: int, seed: int = 1) -> None:
        self.stats = FleetStats()
        self.devices = [
            SimulatedDevice(c, host, port, seed * 1000 + i, self.stats) for i, c in enumerate(creds)
        ]

    def run(
        self, rate_hz: float, duration_s: float, stop: threading.Event | None = None
    ) -> FleetStats:
        stop = stop or threading.Event()
        for d in self.devices:
            d.client.loop_start()
        period = 1.0 / rate_hz
        started = time.monotonic()
        next_tick = started
        last_heartbeat = 0.0
        try:
            while not stop.is_set() and time.monotonic() - started < duration_s:
                now = datetime.now(UTC)
                for d in self.devices:
                    d.tick(period, now)
                if time.monotonic() - last_heartbeat >= 10:
                    last_heartbeat = time.monotonic()
                    for d in self.devices:
                        d.publish(d.cred.heartbeat_topic, encode(now, d.machine.next_seq(), {}))
                next_tick += period
                stop.wait(max(0.0, next_tick - time.monotonic()))
            self.drain(10.0)
        finally:
            for d in self.devices:
                d.client.disconnect()
                d.client.loop_stop()
        return self.stats

    def drain(self, timeout_s: float) -> None:
        """Wait until the broker acknowledged what was published (or the timeout)."""
        deadline = time.monotonic() + timeout_s
        while self.stats.acknowledged < self.stats.published and time.monotonic() < deadline:
            time.sleep(0.05)
