"""The simulated fleet: machine behaviour, and real devices feeding the embedded broker."""

from __future__ import annotations

import random

import pytest

from supplymesh.devices.ingestion.broker import EmbeddedBroker
from supplymesh.devices.ingestion.mqtt import Ingestor
from supplymesh.devices.simulate import METRICS, Fleet, Machine, provision
from supplymesh.devices.store import TelemetryStore
from supplymesh.network.services import NewEnterprise, register_enterprise
from supplymesh.platform.uow import Database
from tests.devices.world import free_port, sample_count, wait_until


@pytest.fixture
def backend() -> str:
    return "sqlite"


def _hours(machine: Machine, hours: float, dt_s: float = 5.0) -> list[dict[str, float]]:
    return [machine.step(dt_s) for _ in range(int(hours * 3600 / dt_s))]


def test_machines_cycle_count_parts_and_wear_until_they_fail() -> None:
    machine = Machine(random.Random(7))
    states: set[str] = set()
    readings: list[dict[str, float]] = []
    for _ in range(int(8 * 3600 / 5)):
        readings.append(machine.step(5.0))
        states.add(machine.state)
    assert states == {"running", "idle", "fault"}
    # the numeric state KPIs read follows the machine's state in every reading
    codes = {r["state"] for r in readings}
    assert codes == {0.0, 1.0, 2.0}
    parts = [r["part_count"] for r in readings]
    assert parts == sorted(parts) and parts[-1] > 100
    assert 0 < readings[-1]["scrap_count"] < parts[-1]


def test_wear_raises_vibration_while_running() -> None:
    worn, fresh = Machine(random.Random(1), wear=0.8), Machine(random.Random(1), wear=0.0)
    worn.state = fresh.state = "running"
    assert worn.step(0.001)["vibration"] > fresh.step(0.001)["vibration"] * 2


def test_a_provisioned_fleet_reaches_the_store(db: Database) -> None:
    register_enterprise(
        db, NewEnterprise("SIM", "Sim Co", ["manufacturer"], "sim.admin", "sim-pass-1")
    )
    creds = provision(db, "SIM", 2)
    assert [c.code for c in creds] == ["SIM-001", "SIM-002"]
    assert provision(db, "SIM", 2)[0].secret != creds[0].secret  # provisioning again rotates
    creds = provision(db, "SIM", 2)
    broker = EmbeddedBroker(db, free_port()).start()
    ingestor = Ingestor(TelemetryStore(db), broker.ingestor_address, batch_wait_s=0.02).start()
    try:
        stats = Fleet(creds, "127.0.0.1", broker.port).run(rate_hz=20, duration_s=1.0)
        assert stats.connect_failures == 0 and stats.published >= 30
        want = len(METRICS) * 2 * 20
        assert wait_until(lambda: sample_count(db, creds[0].device_id) >= want // 2 * 0.8)
        assert ingestor.stats.rejected == 0
    finally:
        ingestor.stop()
        broker.stop()
