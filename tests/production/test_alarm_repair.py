"""A machine alarm re-plans the published schedule around the outage (both backends).

The alarm is raised the real way: telemetry stored, the alarm engine fires a rule, the
outbox event reaches the production repair after commit.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select

from supplymesh.devices.alarm_model import Alarm, AlarmRule
from supplymesh.devices.alarms import AlarmEngine
from supplymesh.devices.model import Device
from supplymesh.devices.payload import encode
from supplymesh.devices.store import Incoming, TelemetryStore
from supplymesh.network.model import Site
from supplymesh.planning.scheduling import Objective
from supplymesh.platform.db import utcnow
from supplymesh.platform.uow import Database
from supplymesh.production import alarm_repair
from supplymesh.production.builder import operations_of
from supplymesh.production.model import Schedule
from supplymesh.production.schedules import publish
from supplymesh.production.services import run_schedule
from supplymesh.production.settings import ProductionSettings
from tests.devices.world import FakeFleet, make_device
from tests.production.world import build_world


def test_major_alarm_moves_work_off_the_down_machine_and_keeps_frozen_work(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPPLYMESH_APS_REPAIR_TIME_LIMIT_S", "1")
    monkeypatch.setenv("SUPPLYMESH_APS_FROZEN_MINUTES", "60")
    world = build_world(db, with_calendar=False)
    world.stock("C1", 10_000)
    for n in range(4):
        world.work_order("P1" if n % 2 else "P2", 60, utcnow() + timedelta(days=2))
    key = make_device(db, FakeFleet(world.enterprise_id, "ACME", "P1"), "DEV-CUT-01")
    down = world.machines["CUT-01"]
    with db.unit_of_work(world.ctx) as uow:
        uow.session.get_one(Device, key.device_id).machine_id = down
        uow.add(
            AlarmRule(
                name="vibration",
                kind="threshold",
                metric="vib",
                high=5,
                severity="minor",
                device_id=key.device_id,
            )
        )
        uow.add(
            AlarmRule(
                name="spindle hot",
                kind="threshold",
                metric="temp",
                high=80,
                severity="major",
                device_id=key.device_id,
            )
        )
        site = uow.session.get_one(Site, world.site_id)
        settings = ProductionSettings(time_limit_s=1)
        plan = run_schedule(uow, site, Objective.MAKESPAN, settings)
        publish(uow, plan.id)
        uow.commit()
        before = {(o.work_order_id, o.sequence): o for o in operations_of(uow, plan.id)}
    assert any(o.machine_id == down for o in before.values())
    store = TelemetryStore(db)
    store.subscribe(AlarmEngine(db))

    def send(seq: int, **metrics: float) -> None:
        batch = store.store_batch([Incoming(key.topic(), encode(utcnow(), seq, metrics))])
        assert batch.stored_messages == 1

    def schedules() -> list[Schedule]:
        with db.unit_of_work(world.ctx) as uow:
            return list(uow.session.scalars(select(Schedule).order_by(Schedule.id)))

    repairs = alarm_repair.worker_for(db)
    assert repairs is not None
    send(1, vib=9.0)  # a minor alarm stops nothing
    repairs.wait()
    assert [s.id for s in schedules()] == [plan.id]
    send(2, temp=95.0)
    repairs.wait()
    with db.system() as uow:
        alarm = uow.session.scalars(select(Alarm).where(Alarm.severity == "major")).one()
    repaired = schedules()[-1]
    assert repaired.id != plan.id and repaired.alarm_id == alarm.id
    assert repaired.status == "draft" and "CUT-01" in repaired.reason
    with db.unit_of_work(world.ctx) as uow:
        after = {(o.work_order_id, o.sequence): o for o in operations_of(uow, repaired.id)}
    assert after.keys() == before.keys()
    [outage] = [w for w in repaired.downtime if w["kind"] == "alarm"]
    assert outage["machine_id"] == down
    out_from, out_to = (
        alarm.first_at.replace(second=0, microsecond=0),
        alarm.first_at + timedelta(minutes=120),
    )
    for op in after.values():
        if op.machine_id == down and not op.fixed:
            assert op.end_at <= out_from or op.start_at >= out_to - timedelta(minutes=1), op
    fixed = [k for k, op in after.items() if op.fixed]
    assert any(after[k].machine_id != down for k in fixed), "frozen work on other machines"
    for k in fixed:
        old, new = before[k], after[k]
        assert (new.machine_id, new.start_at, new.end_at) == (
            old.machine_id,
            old.start_at,
            old.end_at,
        )
    by_machine: dict[int, list[tuple[object, object]]] = {}
    for op in after.values():
        by_machine.setdefault(op.machine_id, []).append((op.start_at, op.end_at))
    for spans in by_machine.values():
        spans.sort()
        for (_s1, e1), (s2, _e2) in itertools.pairwise(spans):
            assert e1 <= s2  # type: ignore[operator]
