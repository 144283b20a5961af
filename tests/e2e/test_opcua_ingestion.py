"""OPC UA ingestion across processes: the simulated machine server runs as its own process
(the CLI), the connector in-process, and telemetry goes through the MQTT path's store and
alarm engine. The server is killed and restarted mid-stream; a missing node is reported."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from supplymesh.devices.alarm_model import Alarm, AlarmRule
from supplymesh.devices.alarms import AlarmEngine
from supplymesh.devices.model import Device, DeviceMetric, TelemetrySample
from supplymesh.devices.opcua import services
from supplymesh.devices.opcua.connector import OpcuaConnectors
from supplymesh.devices.opcua.model import OpcuaMapping
from supplymesh.devices.opcua.sim_server import demo_nodes, node_id
from supplymesh.platform.uow import Database
from tests.devices.world import FakeFleet, free_port, make_device, make_enterprise, wait_until
from tests.support.server import CLI

pytestmark = pytest.mark.e2e

METRICS = ("temperature", "vibration", "spindle_speed", "part_count", "scrap_count", "power")


@pytest.fixture
def backend() -> str:
    """Multi-process tests share one SQLite file (the store itself is tested on both)."""
    return "sqlite"


class SimProcess:
    """`supplymesh devices opcua-sim` as a child process on a fixed port."""

    def __init__(self, port: int, log: Path, password: str | None = None) -> None:
        self.port = port
        self.log = log
        self.password = password
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"opc.tcp://127.0.0.1:{self.port}/supplymesh/sim"

    def start(self) -> SimProcess:
        env = dict(os.environ)
        if self.password:
            env["SUPPLYMESH_OPCUA_SIM_PASSWORD"] = self.password
        cmd = [CLI, "devices", "opcua-sim", "--port", str(self.port), "--machines", "2"]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [*cmd, "--period", "0.2"], env=env, stdout=out, stderr=subprocess.STDOUT
            )
        assert wait_until(lambda: "OPCUA_ENDPOINT=" in self.log.read_text(), 30), (
            self.log.read_text()[-2000:]
        )
        return self

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.log.write_text("")  # the next start announces itself afresh


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[SimProcess]:
    process = SimProcess(free_port(), tmp_path / "sim.log").start()
    yield process
    process.kill()


def _device(db: Database, fleet: FakeFleet, code: str) -> int:
    return make_device(db, fleet, code, METRICS).device_id


def _map(db: Database, fleet: FakeFleet, device_id: int, change: services.MappingChange) -> None:
    with db.unit_of_work(db.context_for(fleet.enterprise_id, None, "admin")) as uow:
        services.put(uow, device_id, change)
        uow.commit()


def _metrics_stored(db: Database, device_id: int) -> set[str]:
    with db.system() as uow:
        return set(
            uow.session.scalars(
                select(DeviceMetric.name)
                .join(TelemetrySample, TelemetrySample.metric_id == DeviceMetric.id)
                .where(TelemetrySample.device_id == device_id)
                .distinct()
            )
        )


def _latest_seq(db: Database, device_id: int) -> int:
    with db.system() as uow:
        seqs = uow.session.scalars(
            select(TelemetrySample.seq).where(TelemetrySample.device_id == device_id)
        )
        return max(seqs, default=0)


def _link(db: Database, device_id: int) -> tuple[str, str | None]:
    with db.system() as uow:
        m = uow.session.scalar(select(OpcuaMapping).where(OpcuaMapping.device_id == device_id))
        assert m is not None
        return m.link_state, m.link_detail


def test_opcua_machine_streams_survives_restart_and_reports_bad_nodes(
    db: Database, sim: SimProcess
) -> None:
    fleet = make_enterprise(db)
    good = _device(db, fleet, "M1")
    partly = _device(db, fleet, "M2")
    with db.unit_of_work(db.context_for(fleet.enterprise_id, None, "admin")) as uow:
        uow.add(
            AlarmRule(
                name="warm",
                kind="threshold",
                device_id=good,
                metric="temperature",
                low=None,
                high=0.0,
                severity="major",
            )
        )
        uow.commit()
    _map(
        db,
        fleet,
        good,
        services.MappingChange(
            sim.endpoint, demo_nodes("SIM-001"), node_id("SIM-001", "State"), 100
        ),
    )
    _map(
        db,
        fleet,
        partly,
        services.MappingChange(
            sim.endpoint,
            {
                "temperature": node_id("SIM-002", "Temperature"),
                "vibration": node_id("SIM-002", "NoSuchSensor"),
            },
            sampling_interval_ms=100,
        ),
    )
    connectors = OpcuaConnectors(db, hooks=[AlarmEngine(db)], poll_s=0.3, max_delay_s=1.0)
    connectors.start()
    try:
        assert wait_until(lambda: _metrics_stored(db, good) == set(METRICS), 30)
        assert wait_until(lambda: _link(db, good)[0] == "connected", 10)
        with db.system() as uow:  # the state node reached the device's state column
            assert uow.session.scalar(select(Device.state).where(Device.id == good)) in {
                "idle",
                "running",
                "fault",
            }

        def alarm_states() -> list[str]:
            with db.system() as uow:
                return list(uow.session.scalars(select(Alarm.state).where(Alarm.device_id == good)))

        # Rules ran on OPC UA samples as on MQTT ones: one alarm, open (repeats bump it).
        assert wait_until(lambda: alarm_states() == ["active"], 10), alarm_states()

        # A node the server does not have: a mapping error naming it; the rest still flows.
        assert wait_until(lambda: _link(db, partly)[0] == "mapping_error", 15)
        detail = _link(db, partly)[1] or ""
        assert "SIM-002.NoSuchSensor" in detail and "BadNodeIdUnknown" in detail
        assert wait_until(lambda: _metrics_stored(db, partly) == {"temperature"}, 15)

        sim.kill()
        assert wait_until(lambda: _link(db, good)[0] == "lost", 15)
        before = _latest_seq(db, good)
        sim.start()
        assert wait_until(lambda: _link(db, good)[0] == "connected", 30)
        assert wait_until(lambda: _latest_seq(db, good) > before, 15)  # data resumes
        assert connectors.stats.rejected == 0
    finally:
        connectors.stop()


def test_a_password_protected_server_takes_only_the_mapped_credentials(
    db: Database, tmp_path: Path
) -> None:
    sim = SimProcess(free_port(), tmp_path / "locked.log", password="opc-pass-1").start()
    fleet = make_enterprise(db)
    wrong, right = _device(db, fleet, "W1"), _device(db, fleet, "R1")
    nodes = {"temperature": node_id("SIM-001", "Temperature")}
    _map(
        db,
        fleet,
        wrong,
        services.MappingChange(
            sim.endpoint, nodes, sampling_interval_ms=100, username="operator", password="guess"
        ),
    )
    _map(
        db,
        fleet,
        right,
        services.MappingChange(
            sim.endpoint,
            nodes,
            sampling_interval_ms=100,
            username="operator",
            password="opc-pass-1",
        ),
    )
    connectors = OpcuaConnectors(db, poll_s=0.3, max_delay_s=1.0).start()
    try:
        assert wait_until(lambda: _metrics_stored(db, right) == {"temperature"}, 30)
        assert _link(db, right)[0] == "connected"
        assert wait_until(lambda: _link(db, wrong)[0] == "lost", 15)
        assert "BadUserAccessDenied" in (_link(db, wrong)[1] or "")
        assert _metrics_stored(db, wrong) == set()
    finally:
        connectors.stop()
        sim.kill()


def test_serve_reads_a_machine_mapped_through_the_api(tmp_path: Path, sim: SimProcess) -> None:
    from datetime import timedelta

    import httpx

    from supplymesh.bootstrap import build_database
    from supplymesh.platform.db import utcnow
    from supplymesh.platform.settings import Settings
    from tests.support.server import Server

    url = f"sqlite:///{tmp_path / 'serve.db'}"
    server = Server(url, tmp_path).start()  # migrates the database, starts the devices runtime
    try:
        db = build_database(Settings(database_url=url, home=tmp_path))
        fleet = make_enterprise(db)
        device_id = _device(db, fleet, "M1")
        token = httpx.post(
            f"{server.url}/api/v1/auth/token",
            data={"username": "acme.admin", "password": "ACME-password-1"},
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        r = httpx.put(
            f"{server.url}/api/v1/devices/{device_id}/opcua",
            headers=headers,
            json={
                "endpoint_url": sim.endpoint,
                "nodes": demo_nodes("SIM-001"),
                "state_node": node_id("SIM-001", "State"),
                "sampling_interval_ms": 100,
            },
        )
        assert r.status_code == 200, r.text

        def streaming() -> bool:
            got = httpx.get(f"{server.url}/api/v1/devices/{device_id}/opcua", headers=headers)
            return bool(got.json()["link_state"] == "connected")

        assert wait_until(streaming, 30), server.log.read_text()[-2000:]
        now = utcnow()
        start = (now - timedelta(minutes=5)).isoformat()
        end = (now + timedelta(minutes=5)).isoformat()

        def has_points() -> bool:
            series = httpx.get(
                f"{server.url}/api/v1/devices/{device_id}/telemetry",
                headers=headers,
                params={"metric": "vibration", "start": start, "end": end},
            )
            return series.status_code == 200 and len(series.json()["points"]) > 0

        assert wait_until(has_points, 20)
        db.engine.dispose()
    finally:
        server.stop()
